// Servers for the browser tests and the live-reload benchmark (benches/live_reload.mjs): starting
// `dangjian serve`, and a plain static file server for a built site under a sub-path.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
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

const STATIC_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css',
  '.jpg': 'image/jpeg',
};

/** A static file server for the built site in `root` under `/sub/`, on a free loopback port. */
export function serveUnderSubPath(root) {
  return new Promise((resolve) => {
    const server = http.createServer((request, response) => {
      const url = new URL(request.url, 'http://127.0.0.1');
      let relative = decodeURIComponent(url.pathname);
      if (!relative.startsWith('/sub/')) {
        response.writeHead(404).end();
        return;
      }
      relative = path.normalize(relative.slice('/sub/'.length)).replace(/^(\.\.[/\\])+/, '');
      let file = path.join(root, relative);
      if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
      if (!file.startsWith(root) || !fs.existsSync(file)) {
        response.writeHead(404).end();
        return;
      }
      const type = STATIC_TYPES[path.extname(file)] || 'application/octet-stream';
      response.writeHead(200, { 'content-type': type }).end(fs.readFileSync(file));
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
