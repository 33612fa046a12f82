// Save-to-browser latency of `dangjian serve`: the time from writing a page's Markdown to the new
// text being in the DOM of a headless Chromium tab that shows the page (the live reload does the
// reload; this script only writes files and watches).
//
//   npm ci --prefix tests/browser            # playwright-core, shared with the browser test
//   cargo build --release
//   node benches/live_reload.mjs [--edits 20] [--bin PATH] [CORPUS_DIR ...]
//
// Always measures a temporary copy of the example site (site/); each CORPUS_DIR (a site folder,
// e.g. from gen_corpus.py with site/config.toml copied in) is copied and measured too.
// See benches/README.md.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import { CHROMIUM, CHROMIUM_ARGS, startServer as startDangjian } from '../tests/browser/server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const require = createRequire(path.join(repo, 'tests/browser/package.json'));
let chromium;
try {
  ({ chromium } = require('playwright-core'));
} catch {
  console.error('playwright-core is missing: run `npm ci --prefix tests/browser` first');
  process.exit(2);
}

const STEP_MS = 15_000;

// ------------------------------------------------------------------------------------------------
// Arguments.

const options = { edits: 20, bin: process.env.DANGJIAN_BIN || path.join(repo, 'target/release/dangjian'), corpora: [], pause: 300 };
for (let i = 2; i < process.argv.length; i++) {
  const arg = process.argv[i];
  if (arg === '--edits') options.edits = Number(process.argv[++i]);
  else if (arg === '--bin') options.bin = path.resolve(process.argv[++i]);
  else if (arg === '--pause') options.pause = Number(process.argv[++i]);
  else if (arg === '-h' || arg === '--help') {
    console.log('usage: node benches/live_reload.mjs [--edits N] [--bin PATH] [--pause MS] [CORPUS_DIR ...]');
    process.exit(0);
  } else if (arg.startsWith('-')) {
    console.error(`unknown option ${arg}`);
    process.exit(2);
  } else options.corpora.push(path.resolve(arg));
}
if (!(options.edits >= 1)) {
  console.error('--edits needs a number ≥ 1');
  process.exit(2);
}
if (!fs.existsSync(options.bin)) {
  console.error(`no dangjian binary at ${options.bin}: run cargo build --release or pass --bin`);
  process.exit(2);
}

// ------------------------------------------------------------------------------------------------
// Helpers.

let currentServer = null;
let browser = null;
const temporaries = [];

function cleanup() {
  if (currentServer && currentServer.exitCode === null) currentServer.kill('SIGKILL');
  currentServer = null;
  for (const dir of temporaries.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Copies a site folder without its `public/` output. */
function copySite(source) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dangjian-bench-'));
  temporaries.push(tmp);
  const target = path.join(tmp, 'site');
  fs.cpSync(source, target, { recursive: true, filter: (from) => path.resolve(from) !== path.join(source, 'public') });
  return target;
}

/** Starts `dangjian serve` and remembers it, so it is killed however the benchmark ends. */
async function startServer(site) {
  const started = await startDangjian(options.bin, site, 120_000);
  currentServer = started.server;
  return started;
}

/** The first page of the first section with plain `YYYY-MM-DD-name.md` or `name.md` files. */
function pickPage(site) {
  for (const section of ['study', 'news', 'integrity']) {
    const dir = path.join(site, 'content', section);
    if (!fs.existsSync(dir)) continue;
    const files = fs
      .readdirSync(dir)
      .filter((f) => /^[a-z0-9-]+\.md$/.test(f) && f !== '_index.md')
      .sort();
    if (files.length) {
      const slug = files[0].replace(/\.md$/, '').replace(/^\d{4}-\d{2}-\d{2}-/, '');
      return { file: path.join(dir, files[0]), url: `/${section}/${slug}/` };
    }
  }
  throw new Error(`no page to edit under ${site}/content`);
}

function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

const nowMs = () => performance.timeOrigin + performance.now();

/** Browser clock minus Node clock, from the round trip with the shortest time. */
async function clockOffset(page) {
  let best = { rtt: Infinity, offset: 0 };
  for (let i = 0; i < 15; i++) {
    const before = nowMs();
    const inPage = await page.evaluate(() => performance.timeOrigin + performance.now());
    const after = nowMs();
    if (after - before < best.rtt) best = { rtt: after - before, offset: inPage - (before + after) / 2 };
  }
  return best;
}

// ------------------------------------------------------------------------------------------------
// One site.

async function measure(name, source) {
  const site = copySite(source);
  const page_ = pickPage(site);
  const { server, url, startupMs } = await startServer(site);
  const pageUrl = new URL(page_.url, url).href;
  const check = await fetch(pageUrl);
  if (check.status !== 200) throw new Error(`${pageUrl} answered ${check.status}; pick another page`);
  await check.arrayBuffer();

  const context = await browser.newContext();
  const page = await context.newPage();
  // In every document the tab loads: record when a bench marker first appears in the DOM (as the
  // parser inserts it) and the next animation frame after that; note when the live-reload
  // EventSource got its greeting. Observation only.
  await page.addInitScript(() => {
    window.__djDom = {};
    window.__djFrame = {};
    const now = () => performance.timeOrigin + performance.now();
    const scan = (text) => {
      const re = /DJBENCH(\d+)Z/g;
      let m;
      while ((m = re.exec(text))) {
        const n = m[1];
        if (!(n in window.__djDom)) {
          window.__djDom[n] = now();
          requestAnimationFrame(() => {
            window.__djFrame[n] = now();
          });
        }
      }
    };
    new MutationObserver((records) => {
      for (const record of records) {
        if (record.type === 'characterData') scan(record.target.data);
        for (const node of record.addedNodes) scan(node.textContent || '');
      }
    }).observe(document, { childList: true, subtree: true, characterData: true });
    const Native = window.EventSource;
    window.EventSource = function (u, o) {
      const source = new Native(u, o);
      const greeted = () => {
        window.__djGreeted = true;
      };
      source.addEventListener('ok', greeted);
      source.addEventListener('problems', greeted);
      // When this tab heard a reload event; kept across the reload in sessionStorage.
      source.addEventListener('reload', () => sessionStorage.setItem('djReloadEvent', String(now())));
      return source;
    };
    window.EventSource.prototype = Native.prototype;
  });
  await page.goto(pageUrl, { waitUntil: 'load', timeout: STEP_MS });
  await page.waitForFunction(() => window.__djGreeted === true, null, { timeout: STEP_MS });
  const original = fs.readFileSync(page_.file, 'utf8');

  const dom = [];
  const frame = [];
  const observed = [];
  const eventAt = [];
  const navigationAt = [];
  const rebuildMs = [];
  for (let i = 1; i <= options.edits; i++) {
    await page.waitForFunction(() => window.__djGreeted === true, null, { timeout: STEP_MS });
    await new Promise((r) => setTimeout(r, options.pause));
    const { offset } = await clockOffset(page);
    const linesBefore = server.lines.length;
    const written = nowMs();
    fs.writeFileSync(page_.file, `${original.trimEnd()}\n\n基准测试第${i}次修改 DJBENCH${i}Z。\n`);
    await page.waitForFunction((n) => window.__djFrame && window.__djFrame[n] !== undefined, String(i), {
      timeout: STEP_MS,
      polling: 'raf',
    });
    const seen = nowMs();
    const times = await page.evaluate((n) => [
      window.__djDom[n],
      window.__djFrame[n],
      Number(sessionStorage.getItem('djReloadEvent')),
      performance.timeOrigin,
    ], String(i));
    dom.push(times[0] - offset - written);
    frame.push(times[1] - offset - written);
    eventAt.push(times[2] - offset - written);
    navigationAt.push(times[3] - offset - written);
    observed.push(seen - written);
    const line = server.lines.slice(linesBefore).find((l) => / rebuilt in \d+ ms/.test(l));
    if (line) rebuildMs.push(Number(/ rebuilt in (\d+) ms/.exec(line)[1]));
  }
  await context.close();
  server.removeAllListeners('exit');
  server.kill('SIGKILL');
  currentServer = null;

  const stats = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    return {
      median: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      max: sorted[sorted.length - 1],
    };
  };
  return {
    name,
    page: path.relative(site, page_.file),
    startupMs,
    edits: options.edits,
    dom: stats(dom),
    frame: stats(frame),
    observed: stats(observed),
    eventAt: stats(eventAt),
    navigationAt: stats(navigationAt),
    rebuild: stats(rebuildMs),
  };
}

function report(r) {
  const f = (s) => `median ${s.median.toFixed(1)} ms, p90 ${s.p90.toFixed(1)} ms, max ${s.max.toFixed(1)} ms`;
  console.log(`\n${r.name}: ${r.edits} edits of ${r.page} (server up in ${(r.startupMs / 1000).toFixed(2)} s)`);
  console.log(`  save → text in DOM:           ${f(r.dom)}`);
  console.log(`  save → next frame:            ${f(r.frame)}`);
  console.log(`  save → reload event in tab:   ${f(r.eventAt)}`);
  console.log(`  save → navigation start:      ${f(r.navigationAt)}`);
  console.log(`  save → seen by the harness:   ${f(r.observed)}`);
  if (!Number.isNaN(r.rebuild.median)) console.log(`  rebuild (server's own line):  ${f(r.rebuild)}`);
}

async function main() {
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const results = [];
  try {
    results.push(await measure('example site (site/)', path.join(repo, 'site')));
    report(results.at(-1));
    for (const corpus of options.corpora) {
      const pages = fs.existsSync(path.join(corpus, 'corpus-manifest.json'))
        ? ` ${JSON.parse(fs.readFileSync(path.join(corpus, 'corpus-manifest.json'), 'utf8')).pages ?? '?'} pages`
        : '';
      results.push(await measure(`${corpus}${pages}`, corpus));
      report(results.at(-1));
    }
  } finally {
    await browser.close().catch(() => {});
    cleanup();
  }
}

process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});
main().catch((e) => {
  console.error(`live_reload bench: ${e && e.stack ? e.stack : e}`);
  cleanup();
  process.exit(1);
});
