// Starts a real rtcwire-server for a test and stops it by its PID.
//
//   const server = await startServer({ args: ['--ping-interval', '200'] });
//   ... server.url, server.port, server.stderr() ...
//   await server.stop();
//
// The binary is build/native/server/rtcwire-server, or $RTCWIRE_SERVER_BIN.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const serverBinary =
  process.env.RTCWIRE_SERVER_BIN ?? path.join(repoRoot, 'build/native/server/rtcwire-server');

const LISTENING = /^rtcwire-server listening on (https?:\/\/([^\s]+):(\d+))$/m;
const METRICS = /^rtcwire-server metrics on (http:\/\/[^\s]+\/metrics)$/m;

/**
 * @param {{args?: string[], startTimeoutMs?: number, cwd?: string}} [options]
 * @returns {Promise<{url: string, port: number, host: string, pid: number, metricsUrl?: string,
 *   stderr: () => string, waitForLog: (re: RegExp, timeoutMs?: number) => Promise<string>,
 *   waitForStderr: (predicate: (stderr: string) => boolean, what: string, timeoutMs?: number) => Promise<string>,
 *   exited: Promise<{code: number|null, signal: string|null}>,
 *   stop: (signal?: string, timeoutMs?: number) => Promise<{code: number|null, signal: string|null}>}>}
 */
export async function startServer({ args = [], startTimeoutMs = 10000, cwd = repoRoot } = {}) {
  if (!existsSync(serverBinary)) {
    throw new Error(`rtcwire-server not found at ${serverBinary}: build it or set RTCWIRE_SERVER_BIN`);
  }
  const child = spawn(serverBinary, ['--host', '127.0.0.1', '--port', '0', ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const logWaiters = new Set();
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    for (const waiter of logWaiters) waiter();
  });
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  const listening = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      fail(new Error(`rtcwire-server did not report listening within ${startTimeoutMs} ms`));
    }, startTimeoutMs);
    const onData = (chunk) => {
      stdout += chunk;
      const match = LISTENING.exec(stdout);
      if (match) {
        cleanup();
        const metrics = METRICS.exec(stdout);
        resolve({ url: match[1], host: match[2], port: Number(match[3]), metricsUrl: metrics?.[1] });
      }
    };
    const onExit = (code, signal) => {
      fail(new Error(`rtcwire-server exited (code ${code}, signal ${signal}) before listening:\n${stderr}`));
    };
    function cleanup() {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', onExit);
    }
    function fail(error) {
      cleanup();
      child.kill('SIGKILL');
      reject(error);
    }
    child.stdout.on('data', onData);
    child.once('exit', onExit);
  });
  // Keep draining stdout so the child never blocks on a full pipe.
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });

  let stopping = null;
  return {
    ...listening,
    pid: child.pid,
    exited,
    stderr: () => stderr,
    /** Resolves with the first stderr line matching `re` (already logged or yet to come). */
    waitForLog(re, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = stderr.split('\n').find((l) => re.test(l));
          if (line !== undefined) {
            done();
            resolve(line);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no log line matching ${re} within ${timeoutMs} ms; stderr:\n${stderr}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          logWaiters.delete(check);
        };
        logWaiters.add(check);
        check();
      });
    },
    /** Resolves once `predicate(stderr so far)` holds, with that stderr. */
    waitForStderr(predicate, what, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (predicate(stderr)) {
            done();
            resolve(stderr);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${what} not logged within ${timeoutMs} ms; stderr:\n${stderr.slice(-4000)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          logWaiters.delete(check);
        };
        logWaiters.add(check);
        check();
      });
    },
    /**
     * Signals the server by PID and waits for it to exit (SIGKILL if it does not in time).
     * Rejects unless it exits cleanly with code 0, so crashes and sanitizer reports fail the test.
     */
    stop(signal = 'SIGTERM', timeoutMs = 5000) {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          process.kill(child.pid, signal);
          const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
          await exited;
          clearTimeout(timer);
        }
        const result = await exited;
        if (result.code !== 0) {
          throw new Error(
            `rtcwire-server exited with code ${result.code}, signal ${result.signal}; stderr:\n` +
              stderr.split('\n').slice(-40).join('\n'),
          );
        }
        return result;
      })();
      return stopping;
    },
  };
}
