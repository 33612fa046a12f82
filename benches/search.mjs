// Search benchmark: index size and build cost, then transfer and query time in headless Chromium.
//
//   node benches/search.mjs SITE_DIR [--runs 3] [--bin PATH] [--queries a,b,c]
//
// SITE_DIR is a site folder (e.g. a corpus made by ../shared/bench/gen_corpus.py with
// site/config.toml copied in). Nothing in it is changed: it is copied to a temporary folder.
//
// 1. Builds the copy `--runs` times with the search index and `--runs` times without it
//    (`build_search_index = false`) and prints the median wall times and the difference.
// 2. Prints the index size: files and bytes per part (meta, g1–g4 shards, page records).
// 3. Serves the built site from a static server on 127.0.0.1 (like nginx: files only, no
//    compression) and, for each query, opens /search/?q=… in a fresh browser context (empty cache)
//    and records the bytes of index files the page loaded (meta.js, shards and the records of the
//    ten hits shown), the number of shards, and the time from starting the search to the results
//    being listed. Then, in the same page, runs every query again through the page's engine
//    (DJSearch.current().search) and records the time of each: the "after that" time, with the
//    shards in memory.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../tests/browser/package.json'));
const { chromium } = require('playwright-core');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : fallback;
};
const runs = Number(option('--runs', '3'));
const bin = path.resolve(option('--bin', process.env.DANGJIAN_BIN || path.join(here, '../target/release/dangjian')));
const queries = option('--queries', '三会一课,雁过拔毛,标准化党支部,党风廉政建设,中央八项规定精神,全面从严治党,主题党日 志愿服务,学习强国,支部,持续推进标准化党支部建设').split(',');
const site = args[0];
if (!site) {
  console.error('usage: node benches/search.mjs SITE_DIR [--runs 3] [--bin PATH] [--queries a,b,c]');
  process.exit(2);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'dangjian-search-bench-'));
const copy = path.join(temp, 'site');
const out = path.join(temp, 'public');
fs.cpSync(site, copy, { recursive: true, filter: (p) => path.basename(p) !== 'public' });
const configPath = path.join(copy, 'config.toml');
const config = fs.readFileSync(configPath, 'utf8').replace(/^build_search_index = .*\n/m, '');

function timedBuild(withIndex) {
  fs.writeFileSync(configPath, withIndex ? config : `build_search_index = false\n${config}`);
  const started = performance.now();
  const run = spawnSync(bin, ['build', '--site', copy, '--output', out, '--base-url', base], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stdout + run.stderr);
  return performance.now() - started;
}

let server;
let browser;
let base;
try {
  // The site is built for the address it is served at, as it would be for an intranet host.
  server = http.createServer((request, response) => {
    let file = path.join(out, decodeURIComponent(new URL(request.url, 'http://x').pathname));
    if (!file.startsWith(out)) return response.writeHead(403).end();
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!fs.existsSync(file)) return response.writeHead(404).end();
    const type = file.endsWith('.html') ? 'text/html; charset=utf-8' : file.endsWith('.js') ? 'text/javascript; charset=utf-8' : file.endsWith('.css') ? 'text/css' : 'application/octet-stream';
    response.writeHead(200, { 'content-type': type, 'content-length': fs.statSync(file).size }).end(fs.readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}/`;
  const without = [];
  const withIndex = [];
  for (let i = 0; i < runs; i++) {
    without.push(timedBuild(false));
    withIndex.push(timedBuild(true));
  }
  const a = median(without);
  const b = median(withIndex);
  console.log(`build without index: median ${a.toFixed(0)} ms; with index: median ${b.toFixed(0)} ms; index adds ${(b - a).toFixed(0)} ms (${(((b - a) / a) * 100).toFixed(1)}%) [${runs} runs each]`);

  const parts = {};
  const walk = (dir, part) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p, part || entry.name);
      else {
        const key = part || entry.name;
        parts[key] = parts[key] || { files: 0, bytes: 0 };
        parts[key].files += 1;
        parts[key].bytes += fs.statSync(p).size;
      }
    }
  };
  walk(path.join(out, 'search'), '');
  let total = 0;
  let files = 0;
  for (const [part, { files: n, bytes }] of Object.entries(parts)) {
    console.log(`index ${part.padEnd(10)} ${String(n).padStart(6)} files ${(bytes / 1e6).toFixed(1).padStart(7)} MB`);
    total += bytes;
    files += n;
  }
  console.log(`index total      ${String(files).padStart(6)} files ${(total / 1e6).toFixed(1).padStart(7)} MB`);

  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });

  console.log('\nfirst search (empty cache): index bytes = meta + shards + records of the 10 hits shown');
  console.log('query'.padEnd(24) + 'hits'.padStart(7) + 'index KB'.padStart(10) + 'shards'.padStart(8) + 'script KB'.padStart(11) + 'ms'.padStart(8));
  const firstBytes = [];
  const firstMs = [];
  for (const q of queries) {
    const context = await browser.newContext();
    const page = await context.newPage();
    let index = 0;
    let shards = 0;
    let script = 0;
    page.on('response', async (response) => {
      const url = response.url();
      const size = Number(response.headers()['content-length'] || 0);
      if (/\/search\/(meta\.js|g\d\/|d\/)/.test(url)) index += size;
      if (/\/search\/g\d\//.test(url)) shards += 1;
      if (/\/js\/search\.js$/.test(url)) script += size;
    });
    await page.goto(`${base}search/?q=${encodeURIComponent(q)}`);
    await page.waitForSelector('#dj-search-results[data-search-state="done"]', { state: 'attached', timeout: 60000 });
    const hits = await page.getAttribute('#dj-search-results', 'data-search-total');
    const ms = await page.evaluate(() => window.DJSearch.lastTiming);
    firstBytes.push(index);
    firstMs.push(ms);
    console.log(q.padEnd(24 - q.length) + String(hits).padStart(7) + (index / 1024).toFixed(1).padStart(10) + String(shards).padStart(8) + (script / 1024).toFixed(1).padStart(11) + ms.toFixed(1).padStart(8));
    await context.close();
  }
  console.log(`first search: max ${(Math.max(...firstBytes) / 1024).toFixed(1)} KB of index files, median ${median(firstMs).toFixed(1)} ms to results`);

  // "After that": every query again in one page whose engine has loaded their shards.
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}search/?q=${encodeURIComponent(queries[0])}`);
  await page.waitForSelector('#dj-search-results[data-search-state="done"]', { state: 'attached', timeout: 60000 });
  const warm = await page.evaluate(async (qs) => {
    const engine = window.DJSearch.current();
    for (const q of qs) await engine.search(q);
    const times = [];
    for (let round = 0; round < 5; round++) {
      for (const q of qs) {
        const started = performance.now();
        await engine.search(q);
        times.push(performance.now() - started);
      }
    }
    return times;
  }, queries);
  console.log(`after that (shards in memory): median ${median(warm).toFixed(1)} ms, max ${Math.max(...warm).toFixed(1)} ms over ${warm.length} searches`);
} finally {
  if (browser) await browser.close();
  if (server) server.close();
  fs.rmSync(temp, { recursive: true, force: true });
}
