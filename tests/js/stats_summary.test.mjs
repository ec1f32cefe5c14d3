// js/peer/stats_summary.js on reports shaped as Chromium and Firefox give them (werift, in the
// peer tests, covers host pairs only).
import test from 'node:test';
import assert from 'node:assert/strict';
import { summariseStats } from '../../js/peer/stats_summary.js';

const report = (...stats) => new Map(stats.map((stat) => [stat.id, stat]));

// A relayed TURN/TCP connection with video both ways, as Chromium reports it, at `timestamp` ms.
function chromiumReport(timestamp, bytes) {
  return report(
    { id: 'T1', type: 'transport', timestamp, selectedCandidatePairId: 'CP2' },
    // Another pair, nominated too: the transport's choice wins.
    { id: 'CP1', type: 'candidate-pair', timestamp, localCandidateId: 'L1', remoteCandidateId: 'R1', nominated: true, state: 'succeeded', bytesSent: 1, bytesReceived: 1 },
    { id: 'CP2', type: 'candidate-pair', timestamp, localCandidateId: 'L2', remoteCandidateId: 'R2', nominated: true, state: 'succeeded', bytesSent: bytes, bytesReceived: bytes / 2, currentRoundTripTime: 0.042 },
    { id: 'L1', type: 'local-candidate', candidateType: 'host', protocol: 'udp' },
    { id: 'L2', type: 'local-candidate', candidateType: 'relay', protocol: 'udp', relayProtocol: 'tcp' },
    { id: 'R2', type: 'remote-candidate', candidateType: 'srflx', protocol: 'udp' },
    { id: 'D1', type: 'data-channel', state: 'open', messagesSent: 3, messagesReceived: 4, bytesSent: 30, bytesReceived: 40 },
    { id: 'D2', type: 'data-channel', state: 'closed', messagesSent: 1, messagesReceived: 0, bytesSent: 10, bytesReceived: 0 },
    { id: 'IV', type: 'inbound-rtp', kind: 'video', bytesReceived: 5000, packetsLost: 2, framesDecoded: 90, framesPerSecond: 30 },
    { id: 'OV', type: 'outbound-rtp', kind: 'video', bytesSent: 6000, framesEncoded: 91 },
    { id: 'IA', type: 'inbound-rtp', kind: 'audio', bytesReceived: 700, packetsLost: 1 },
  );
}

test('a Chromium report: the transport\'s selected pair, its candidate types, sums per kind, no bitrate yet', () => {
  const { summary, sample } = summariseStats(chromiumReport(1000, 8000), null);
  assert.deepEqual(summary, {
    rttMs: 42,
    bytesSent: 8000,
    bytesReceived: 4000,
    sendBitrate: null,
    receiveBitrate: null,
    candidatePair: { local: 'relay', remote: 'srflx', protocol: 'udp', relayProtocol: 'tcp' },
    dataChannels: { open: 1, messagesSent: 4, messagesReceived: 4, bytesSent: 40, bytesReceived: 40 },
    media: {
      audio: { bytesSent: 0, bytesReceived: 700, packetsLost: 1, framesEncoded: 0, framesDecoded: 0, framesPerSecond: null },
      video: { bytesSent: 6000, bytesReceived: 5000, packetsLost: 2, framesEncoded: 91, framesDecoded: 90, framesPerSecond: 30 },
    },
  });
  assert.deepEqual(sample, { timestamp: 1000, bytesSent: 8000, bytesReceived: 4000 });
});

test('bitrates come from the previous sample: bits per second over the time between the reports', () => {
  const first = summariseStats(chromiumReport(1000, 8000), null);
  const { summary } = summariseStats(chromiumReport(3000, 28000), first.sample);
  assert.equal(summary.sendBitrate, ((28000 - 8000) * 8) / 2);
  assert.equal(summary.receiveBitrate, ((14000 - 4000) * 8) / 2);
  // A report no newer than the sample gives no rate rather than a division by zero.
  assert.equal(summariseStats(chromiumReport(1000, 9000), first.sample).summary.sendBitrate, null);
});

test('Firefox marks the pair `selected`; before any pair is selected the summary says null', () => {
  const firefox = report(
    { id: 'P', type: 'candidate-pair', timestamp: 5, selected: true, localCandidateId: 'L', remoteCandidateId: 'R', bytesSent: 9, bytesReceived: 8 },
    { id: 'L', type: 'local-candidate', candidateType: 'host', protocol: 'tcp' },
    { id: 'R', type: 'remote-candidate', candidateType: 'prflx' },
  );
  assert.deepEqual(summariseStats(firefox, null).summary.candidatePair, {
    local: 'host',
    remote: 'prflx',
    protocol: 'tcp',
    relayProtocol: null,
  });
  const unconnected = summariseStats(report({ id: 'C', type: 'certificate', timestamp: 1 }), null).summary;
  assert.deepEqual([unconnected.candidatePair, unconnected.rttMs, unconnected.bytesSent], [null, null, 0]);
});
