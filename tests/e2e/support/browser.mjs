// Headless Debian Chromium through playwright-core (flags from docs: TOOLCHAIN.md).
import { chromium } from 'playwright-core';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// WebRTC between pages of one Chromium on a loopback-only machine, with a fake camera and
// microphone (real VP8/Opus frames) granted without a prompt.
const WEBRTC_ARGS = [
  '--allow-loopback-in-peer-connection',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];

// `extraArgs`: flags a test needs beyond these (e.g. trusting its test CA).
export function launchChromium({ webrtc = false, extraArgs = [] } = {}) {
  const args = [...CHROMIUM_ARGS, ...(webrtc ? WEBRTC_ARGS : []), ...extraArgs];
  return chromium.launch({ executablePath: '/usr/bin/chromium', args });
}

// A page whose uncaught errors are kept, so a test can assert on them. `init` runs in the page
// before its own scripts.
export async function openPage(browser, url, { init } = {}) {
  const page = await browser.newPage();
  if (init) await page.addInitScript(init);
  page.errors = [];
  page.on('pageerror', (error) => page.errors.push(error));
  page.untilErrors = (count, timeoutMs = 5000) => untilErrors(page, count, timeoutMs);
  const response = await page.goto(url);
  if (!response?.ok()) throw new Error(`loading ${url} failed: HTTP ${response?.status()}`);
  return page;
}

function untilErrors(page, count, timeoutMs) {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (page.errors.length < count) return;
      done();
      resolve(page.errors);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${count} page errors`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      page.off('pageerror', check);
    };
    page.on('pageerror', check);
    check();
  });
}
