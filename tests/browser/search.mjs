// The search page in a real browser: Debian's headless chromium, driven by playwright-core.
//
//   node tests/browser/search.mjs CASES.json
//
// CASES.json: {"site": "<a site folder>", "queries": [{"q": "三会一课", "paths": ["/news/x/", …]}]}
// where `paths` are the pages that hold the query (tests/search.rs computes them by scanning every
// page's text). Each query is run three ways:
//
//   served     `dangjian serve` on the site, /search/?q=…
//   sub-path   the site built with --base-url http://127.0.0.1:PORT/sub/ and served under /sub/
//   file       the site built with relative_urls = true, opened as file:///…/search/index.html?q=…
//
// and the page must list exactly `paths` as [data-search-url] hits (after pressing 显示更多结果
// until it goes), with the query highlighted in a passage, having loaded only the index files the
// query needs. Also checks the section filter and that searching from the form updates ?q=.
// Exit code 0 when all is well; otherwise what went wrong on stderr and exit code 1. Servers, the
// browser and temporary folders are removed in every case.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

import { CHROMIUM, CHROMIUM_ARGS, startServer, serveUnderSubPath } from './server.mjs';

const BIN = process.env.DANGJIAN_BIN;
const cases = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const failures = [];
const cleanups = [];

function fail(message) {
  failures.push(message);
}

function build(site, out, args) {
  const run = spawnSync(BIN, ['build', '--site', site, '--output', out, ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`build failed: ${run.stdout}\n${run.stderr}`);
}

/** Runs `q` on the search page at `searchUrl`; returns the hit paths relative to `root`. */
async function hits(page, searchUrl, root, q) {
  const loaded = [];
  const onRequest = (request) => {
    const url = request.url();
    if (/\/search\/(g\d|meta|d\/)/.test(url)) loaded.push(url);
  };
  page.on('request', onRequest);
  // Not 'load': the page's own retry of an unanswered index request is what is tested.
  await page.goto(`${searchUrl}?q=${encodeURIComponent(q)}`, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#dj-search-results[data-search-state="done"], #dj-search-results[data-search-state="error"]', { state: 'attached' });
  for (;;) {
    const more = page.locator('#dj-search-more');
    if (!(await more.isVisible())) break;
    const before = await page.locator('[data-search-url]').count();
    await more.click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-search-url]').length > n && document.getElementById('dj-search-results').dataset.searchState === 'done', before);
  }
  page.off('request', onRequest);
  const state = await page.getAttribute('#dj-search-results', 'data-search-state');
  const urls = await page.$$eval('[data-search-url]', (items) => items.map((i) => i.getAttribute('data-search-url')));
  const marked = await page.$$eval('.search-hit mark', (marks) => marks.length);
  const shards = loaded.filter((u) => /\/search\/g\d\//.test(u)).length;
  const paths = urls.map((u) => {
    let p = u.startsWith(root) ? u.slice(root.length - 1) : u;
    return p.replace(/index\.html$/, '');
  });
  return { state, paths, marked, shards };
}

function same(a, b) {
  return a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
}

async function checkAll(page, label, searchUrl, root) {
  for (const { q, paths } of cases.queries) {
    const got = await hits(page, searchUrl, root, q);
    if (got.state !== 'done') fail(`${label} ${q}: the search page says ${got.state}`);
    if (!same(got.paths, paths)) {
      const missing = paths.filter((p) => !got.paths.includes(p));
      const extra = got.paths.filter((p) => !paths.includes(p));
      fail(`${label} ${q}: ${got.paths.length} hits, ${paths.length} expected; missing ${missing.slice(0, 3)}; extra ${extra.slice(0, 3)}`);
    }
    if (paths.length && got.marked === 0) fail(`${label} ${q}: no highlighted passage`);
    // One shard per term for short terms; two cover grams for terms of five to eight characters.
    const terms = q.trim().split(/\s+/).length;
    if (got.shards > 2 * terms) fail(`${label} ${q}: loaded ${got.shards} gram shards`);
    console.log(`${label}: ${JSON.stringify(q)} → ${got.paths.length} hits, ${got.shards} shard(s)`);
  }
}

let browser;
let server;
let subServer;
try {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const page = await browser.newPage();
  // Generous: CI machines are small and busy; a hang still fails.
  page.setDefaultTimeout(90000);
  page.setDefaultNavigationTimeout(90000);
  page.on('pageerror', (error) => fail(`script error: ${error.message}`));

  // Served by the preview server.
  const served = await startServer(BIN, cases.site, 60000);
  server = served.server;
  await checkAll(page, 'served', `${served.url}search/`, served.url);
  // The form puts the query in the address, so a search can be bookmarked.
  await page.goto(`${served.url}search/`);
  await page.fill('#dj-search-q', cases.queries[0].q);
  await page.press('#dj-search-q', 'Enter');
  await page.waitForFunction((q) => new URL(location.href).searchParams.get('q') === q, cases.queries[0].q);
  await page.waitForSelector('#dj-search-results[data-search-state="done"]', { state: 'attached' });
  // The section filter keeps only that section's hits.
  const options = await page.$$eval('#dj-search-section option', (o) => o.map((x) => x.value).filter(Boolean));
  if (options.length === 0) fail('the section filter has no sections');
  else {
    await page.selectOption('#dj-search-section', options[0]);
    await page.waitForFunction((v) => new URL(location.href).searchParams.get('section') === v, options[0]);
    await page.waitForSelector('#dj-search-results[data-search-state="done"]', { state: 'attached' });
    const status = await page.textContent('#dj-search-status');
    if (!/找到/.test(status)) fail(`after filtering the status says ${status}`);
  }
  // The search box on every page leads to the search page with the query.
  await page.goto(served.url);
  await page.fill('#dj-site-q', cases.queries[0].q);
  await page.press('#dj-site-q', 'Enter');
  await page.waitForSelector('#dj-search-results[data-search-state="done"]', { state: 'attached' });
  const count = await page.locator('[data-search-url]').count();
  if (count === 0 && cases.queries[0].paths.length) fail('the header search box found nothing');

  // Under a sub-path of another server.
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'dangjian-search-'));
  cleanups.push(() => fs.rmSync(temp, { recursive: true, force: true }));
  subServer = await serveUnderSubPath(path.join(temp, 'sub'));
  const port = subServer.address().port;
  build(cases.site, path.join(temp, 'sub'), ['--base-url', `http://127.0.0.1:${port}/sub/`]);
  await checkAll(page, 'sub-path', `http://127.0.0.1:${port}/sub/search/`, `http://127.0.0.1:${port}/sub/`);

  // From file://, built with relative_urls = true.
  const relativeSite = path.join(temp, 'site');
  fs.cpSync(cases.site, relativeSite, { recursive: true });
  const config = path.join(relativeSite, 'config.toml');
  fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace(/^relative_urls = false$/m, 'relative_urls = true'));
  build(relativeSite, path.join(temp, 'file'), []);
  const fileRoot = pathToFileURL(path.join(temp, 'file')).href + '/';
  await checkAll(page, 'file', `${fileRoot}search/index.html`, fileRoot);
} catch (error) {
  fail(error.stack || String(error));
} finally {
  if (browser) await browser.close().catch(() => {});
  if (server) server.kill();
  if (subServer) subServer.close();
  cleanups.forEach((c) => c());
}

if (failures.length) {
  console.error(failures.join('\n'));
  process.exit(1);
}
