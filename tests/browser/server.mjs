// Starting `dangjian serve` for the browser test (tests/browser/live_reload.mjs) and the
// live-reload benchmark (benches/live_reload.mjs).
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** Debian's chromium, or the one named by $CHROMIUM. */
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** Headless chromium as root on a machine with no internet: no sandbox, no background traffic. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/**
 * Starts `BIN serve --site SITE --port 0` and resolves, once it printed `serving … at URL`, with
 * `{ server, url, startupMs }`. `server.lines` collects everything it prints (stderr lines marked).
 */
export function startServer(bin, site, timeoutMs) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const server = spawn(bin, ['serve', '--site', site, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = [];
    server.lines = lines;
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`the server printed no URL within ${timeoutMs} ms:\n${lines.join('\n')}`)), timeoutMs);
    server.stdout.setEncoding('utf8');
    server.stdout.on('data', (chunk) => {
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        lines.push(line);
        const match = /^serving .* at (http:\/\/127\.0\.0\.1:\d+\/) /.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve({ server, url: match[1], startupMs: performance.now() - started });
        }
      }
    });
    server.stderr.setEncoding('utf8');
    server.stderr.on('data', (chunk) => lines.push(...chunk.trimEnd().split('\n').map((l) => `[stderr] ${l}`)));
    server.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    server.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}):\n${lines.join('\n')}`));
    });
  });
}
