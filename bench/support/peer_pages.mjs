// Browser and server for the peer benchmarks: rtcwire-server serving the SDK and the page side
// (bench/pages/peers.js, at /bench/peers.html), Chromium with the WebRTC flags.
import { repoRoot, startServer } from '../../tests/lib/server_process.mjs';
import { APP_MOUNTS } from '../../tests/e2e/support/app_server.mjs';
import { launchChromium } from '../../tests/e2e/support/browser.mjs';

export async function startPeerBench() {
  const server = await startServer({ args: [...APP_MOUNTS, '--static', '/bench=bench/pages'], cwd: repoRoot });
  const browser = await launchChromium({ webrtc: true });
  return {
    server,
    async openPages(count) {
      const pages = [];
      for (let i = 0; i < count; i++) {
        const page = await browser.newPage();
        const response = await page.goto(`${server.url}/bench/peers.html`);
        if (!response?.ok()) throw new Error(`loading the bench page failed: HTTP ${response?.status()}`);
        await page.waitForFunction(() => window.bench !== undefined);
        pages.push(page);
      }
      return pages;
    },
    async close() {
      await browser.close();
      await server.stop();
    },
  };
}

export const resetAll = (pages) => Promise.all(pages.map((page) => page.evaluate(() => bench.reset())));
