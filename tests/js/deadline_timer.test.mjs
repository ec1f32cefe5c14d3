// DeadlineTimer: one setTimeout for the core's earliest deadline, set again only when needed.
import test from 'node:test';
import assert from 'node:assert/strict';
import { DeadlineTimer } from '../../js/platform/deadline_timer.js';

// A clock and timer table driven by the test: advance(ms) runs what falls due, in order.
function fakePlatform() {
  let now = 0;
  let nextId = 1;
  const timers = new Map();
  const platform = {
    sets: 0,
    clears: 0,
    now: () => now,
    setTimeout(call, ms) {
      platform.sets += 1;
      timers.set(nextId, { call, at: now + ms });
      return nextId++;
    },
    clearTimeout(id) {
      platform.clears += 1;
      timers.delete(id);
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].call();
      }
      now = end;
    },
    pending: () => timers.size,
  };
  return platform;
}

function timerWith(platform) {
  const fired = [];
  const timer = new DeadlineTimer(platform, () => fired.push(platform.now()));
  return { timer, fired };
}

test('a deadline moving later keeps the running timeout and fires at the later deadline', () => {
  const platform = fakePlatform();
  const { timer, fired } = timerWith(platform);
  timer.arm(100);
  for (let deadline = 101; deadline <= 200; deadline += 1) timer.arm(deadline);
  assert.equal(platform.sets, 1);
  assert.equal(platform.clears, 0);
  platform.advance(150);
  assert.deepEqual(fired, [], 'not before the deadline the core asks for');
  assert.equal(platform.sets, 2, 'set again once, when the earlier timeout fired');
  platform.advance(50);
  assert.deepEqual(fired, [200]);
  assert.equal(platform.pending(), 0);
});

test('a deadline moving earlier sets the timeout again', () => {
  const platform = fakePlatform();
  const { timer, fired } = timerWith(platform);
  timer.arm(100);
  timer.arm(40);
  assert.equal(platform.clears, 1);
  platform.advance(40);
  assert.deepEqual(fired, [40]);
  platform.advance(100);
  assert.deepEqual(fired, [40], 'the replaced timeout is gone');
});

test('no deadline: a running timeout fires without effect; cancel clears it', () => {
  const platform = fakePlatform();
  const { timer, fired } = timerWith(platform);
  timer.arm(10);
  timer.arm(null);
  platform.advance(20);
  assert.deepEqual(fired, []);
  assert.equal(platform.pending(), 0);

  timer.arm(30);
  timer.cancel();
  assert.equal(platform.pending(), 0);
  platform.advance(50);
  assert.deepEqual(fired, []);
});

test('a deadline given again after it fired arms a new timeout', () => {
  const platform = fakePlatform();
  const { timer, fired } = timerWith(platform);
  timer.arm(5);
  platform.advance(5);
  timer.arm(5);
  platform.advance(0);
  assert.deepEqual(fired, [5, 5]);
});
