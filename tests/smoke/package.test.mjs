// The packed npm package, installed into a fresh app and loaded in Chromium through an import map
// exactly as an app would: `import { connect } from 'rtcwire'`. Needs dist/ built first.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { BUNDLE, assertBundleFresh } from '../lib/fresh_bundle.mjs';
import { repoRoot, startServer } from '../lib/server_process.mjs';
import { launchChromium, openPage } from '../e2e/support/browser.mjs';

const run = promisify(execFile);

const APP_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <link rel="icon" href="data:," />
    <script type="importmap">{ "imports": { "rtcwire": "./node_modules/rtcwire/dist/rtcwire.js" } }</script>
    <script type="module">
      import { connect, RtcwireError } from 'rtcwire';
      window.chat = async (room) => {
        const client = await connect();
        const received = [];
        client.on('message', (message) => received.push(message));
        const joined = await client.join(room);
        return { client, received, joined, isTyped: new RtcwireError('internal', 'local', 'x') instanceof Error };
      };
    </script>
  </head>
  <body></body>
</html>
`;

// A page policy that allows the Wasm compile but no eval or new Function.
const STRICT_CSP = `<meta charset="utf-8" />
    <meta http-equiv="Content-Security-Policy" content="script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'" />`;

let appDir;
let server;
let quickStart;
let browser;
let shipped;

before(async () => {
  for (const file of ['dist/rtcwire_core.mjs', 'dist/rtcwire_core.wasm']) {
    assert.ok(existsSync(path.join(repoRoot, file)), `${file} is missing: build the Wasm core first`);
  }
  assertBundleFresh();
  appDir = await mkdtemp(path.join(tmpdir(), 'rtcwire-smoke-'));
  const packed = await run('npm', ['pack', '--json', '--pack-destination', appDir], { cwd: repoRoot });
  const [{ filename, files }] = JSON.parse(packed.stdout);
  shipped = files.map((file) => file.path);
  for (const file of [BUNDLE, 'js/index.d.ts', 'dist/rtcwire_core.mjs', 'dist/rtcwire_core.wasm']) {
    assert.ok(shipped.includes(file), `the package lacks ${file}`);
  }
  // The bundle is the module: the sources it was made from stay out of the package.
  assert.deepEqual(shipped.filter((file) => file.startsWith('js/') && file.endsWith('.js')), []);
  await writeFile(
    path.join(appDir, 'package.json'),
    JSON.stringify({ name: 'smoke-app', private: true, type: 'module' }),
  );
  // Its one dependency (@noble/hashes) is in npm's cache since npm ci: the install needs no network.
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', path.join(appDir, filename)], {
    cwd: appDir,
  });
  await writeFile(path.join(appDir, 'index.html'), APP_HTML);
  await writeFile(path.join(appDir, 'strict-csp.html'), APP_HTML.replace('<meta charset="utf-8" />', STRICT_CSP));
  server = await startServer({ args: ['--static', appDir] });
  browser = await launchChromium({ webrtc: true });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await quickStart?.stop();
  if (appDir) await rm(appDir, { recursive: true, force: true });
});

test('the installed package connects, joins and exchanges a message between two pages', async () => {
  const [first, second] = [await openPage(browser, `${server.url}/`), await openPage(browser, `${server.url}/`)];
  const firstJoin = await first.evaluate(async () => {
    window.session = await chat('smoke');
    return { joined: session.joined, isTyped: session.isTyped, peerId: session.client.peerId };
  });
  assert.deepEqual(firstJoin.joined, { room: 'smoke', peers: [] });
  assert.equal(firstJoin.isTyped, true);
  const secondJoin = await second.evaluate(async () => {
    window.session = await chat('smoke');
    return session.joined;
  });
  assert.deepEqual(secondJoin, { room: 'smoke', peers: [firstJoin.peerId] });

  await second.evaluate(() => session.client.publish({ hello: 'from the packed SDK' }));
  const received = await first.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no message within 5 s')), 5000);
        const check = () => {
          if (session.received.length === 0) return;
          clearTimeout(timer);
          resolve(session.received);
        };
        session.client.on('message', check);
        check();
      }),
  );
  assert.equal(received.length, 1);
  assert.deepEqual(received[0].data, { hello: 'from the packed SDK' });
  assert.equal(received[0].kind, 'room');
  assert.deepEqual([...first.errors, ...second.errors], []);
});

test("the package's exports map resolves 'rtcwire' to the bundle in Node too", async () => {
  const script = "const sdk = await import('rtcwire'); console.log(JSON.stringify(Object.keys(sdk).sort()));";
  const { stdout } = await run('node', ['--input-type=module', '-e', script], { cwd: appDir });
  assert.deepEqual(JSON.parse(stdout), ['RtcwireChannel', 'RtcwireClient', 'RtcwireError', 'RtcwirePeer', 'connect']);
});

test("the package loads under a Content-Security-Policy without 'unsafe-eval'", async () => {
  const page = await openPage(browser, `${server.url}/strict-csp.html`);
  const violations = [];
  await page.exposeFunction('reportViolation', (directive) => violations.push(directive));
  await page.evaluate(() =>
    document.addEventListener('securitypolicyviolation', (event) => reportViolation(event.violatedDirective)),
  );
  const joined = await page.evaluate(async () => (await chat('strict-csp')).joined);
  assert.deepEqual(joined, { room: 'strict-csp', peers: [] });
  assert.deepEqual(violations, []);
  assert.deepEqual(page.errors, []);
});

// The README's quick start, taken from the README itself: its `public/` files, served with the
// exact rtcwire-server flags it gives, in two tabs; and compiled as strict TypeScript.
const QUICK_START = ['public/index.html', 'public/app.js', 'public/call.html', 'public/call.js'];

// The code block that follows the line starting with `name` and ending with a colon.
function readmeBlock(readme, name) {
  const match = readme.match(new RegExp('`' + name.replace('.', '\\.') + '`[^\\n]*:\\n\\n```\\w+\\n([\\s\\S]*?)```'));
  assert.ok(match, `README has no block for ${name}`);
  return match[1];
}

async function startQuickStart() {
  const readme = await readFile(path.join(repoRoot, 'README.md'), 'utf8');
  await mkdir(path.join(appDir, 'public'), { recursive: true });
  for (const file of QUICK_START) await writeFile(path.join(appDir, file), readmeBlock(readme, file));
  assert.match(readme, /--static \.\/public --static \/node_modules=\.\/node_modules/);
  quickStart ??= await startServer({
    args: ['--static', './public', '--static', '/node_modules=./node_modules'],
    cwd: appDir,
  });
  return quickStart;
}

test("the README's quick start chat works in two tabs, both ways, as written", async () => {
  const server = await startQuickStart();
  const log = (page) => page.$$eval('li', (items) => items.map((item) => item.textContent));
  const logs = (page, line) =>
    page.waitForFunction(
      (text) => [...document.querySelectorAll('li')].some((item) => item.textContent === text),
      line,
    );
  const connectedAs = async (page) => {
    await page.waitForFunction(() => document.querySelector('p').textContent.startsWith('connected as '));
    return (await page.textContent('p')).slice('connected as '.length);
  };
  const say = async (page, text) => {
    await page.fill('input', text);
    await page.click('button');
  };
  const first = await openPage(browser, `${server.url}/`);
  const firstId = await connectedAs(first);
  const second = await openPage(browser, `${server.url}/`);
  const secondId = await connectedAs(second);
  assert.deepEqual((await log(second)).slice(0, 2), ['using websocket', `in the lobby with ${firstId}`]);
  await logs(first, `${secondId}: hi, I just arrived`);
  await say(first, 'hello from tab one');
  await logs(second, `${firstId}: hello from tab one`);
  await say(second, 'hello from tab two');
  await logs(first, `${secondId}: hello from tab two`);
  assert.deepEqual([...first.errors, ...second.errors], []);
  await Promise.all([first.close(), second.close()]);
});

test("the README's video call shows each tab the other's camera, and drops it when it leaves", async () => {
  const server = await startQuickStart();
  // The fake camera's frames playing in the remote peer's (unmuted) video element.
  const remotePlaying = (page) =>
    page.waitForFunction(() =>
      [...document.querySelectorAll('video')].some(
        (video) => !video.muted && video.videoWidth > 0 && video.currentTime > 0,
      ),
    );
  const first = await openPage(browser, `${server.url}/call.html`);
  const second = await openPage(browser, `${server.url}/call.html`);
  await Promise.all([remotePlaying(first), remotePlaying(second)]);
  assert.equal(await first.$$eval('video', (videos) => videos.length), 2);
  assert.deepEqual([...first.errors, ...second.errors], []);
  await second.close();
  await first.waitForFunction(() => document.querySelectorAll('video').length === 1);
  await first.close();
});

test("the README's quick start compiles as strict TypeScript against the package's declarations", async () => {
  const readme = await readFile(path.join(repoRoot, 'README.md'), 'utf8');
  const folder = path.join(appDir, 'typescript');
  await mkdir(folder, { recursive: true });
  for (const name of ['app', 'call']) {
    await writeFile(path.join(folder, `${name}.ts`), readmeBlock(readme, `public/${name}.js`));
  }
  const tsc = path.join(repoRoot, 'node_modules/.bin/tsc');
  const flags = ['--strict', '--noUncheckedIndexedAccess', '--noEmit', '--target', 'es2022', '--module', 'esnext'];
  const settings = ['--moduleResolution', 'bundler', '--lib', 'es2022,dom,dom.iterable'];
  // tsc writes its errors to stdout and exits non-zero; on success it prints nothing.
  const compiled = run(tsc, [...flags, ...settings, 'app.ts', 'call.ts'], { cwd: folder });
  const { stdout } = await compiled.catch((error) => error);
  assert.equal(stdout, '');
});

test('the packed README links only to files the package ships', async () => {
  const readme = await readFile(path.join(repoRoot, 'README.md'), 'utf8');
  const relative = [...readme.matchAll(/\]\(([^)#]+)\)/g)]
    .map((match) => match[1])
    .filter((target) => !/^[a-z]+:/.test(target));
  for (const target of relative) assert.ok(shipped.includes(target), `README links to ${target}, not in the package`);
});
