// End-to-end live reload in a real browser: Debian's chromium, headless, driven by playwright-core.
//
// Copies the example site to a temporary folder, starts `dangjian serve` on it, opens a page,
// then edits the page's Markdown and waits for the browser to show the new text by itself (this
// script never reloads the page), breaks the front matter and waits for the error overlay, fixes
// it and waits for the overlay to go and the fixed text to show.
//
//   npm ci --prefix tests/browser
//   DANGJIAN_BIN=target/release/dangjian node tests/browser/live_reload.mjs
//
// Exit code 0 on success; otherwise a message on stderr and exit code 1. The server, the browser
// and the temporary folder are removed in every case.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { CHROMIUM, CHROMIUM_ARGS, startServer as startDangjian } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const bin = process.env.DANGJIAN_BIN || path.resolve(here, '../../target/release/dangjian');
/** Longest wait for any one step. */
const STEP_MS = 10_000;
/** Longest the whole run may take. */
const TOTAL_MS = 90_000;

const PAGE_MD = 'content/study/san-hui-yi-ke-zhi-du.md';
const PAGE_URL = '/study/san-hui-yi-ke-zhi-du/';
const OVERLAY = '#dangjian-error-overlay';

let server = null;
let browser = null;
let tmp = null;
let serverLog = [];

function log(message) {
  console.log(`[live_reload] ${message}`);
}

async function cleanup() {
  if (browser) {
    await browser.close().catch(() => {});
    browser = null;
  }
  if (server && server.exitCode === null && server.signalCode === null) {
    server.kill('SIGKILL');
  }
  server = null;
  if (tmp) {
    fs.rmSync(tmp, { recursive: true, force: true });
    tmp = null;
  }
}

async function fail(message) {
  console.error(`live_reload: FAILED: ${message}`);
  if (serverLog.length) console.error(`--- server output:\n${serverLog.join('\n')}`);
  await cleanup();
  process.exit(1);
}

/** Copies the example site without its build output. */
function copySite(target) {
  const source = path.join(repo, 'site');
  fs.cpSync(source, target, {
    recursive: true,
    filter: (from) => path.resolve(from) !== path.join(source, 'public'),
  });
}

/** Starts the server; resolves with its URL once it printed `serving … at URL`. */
async function startServer(site) {
  if (!fs.existsSync(bin)) {
    throw new Error(`no dangjian binary at ${bin} (set DANGJIAN_BIN or run cargo build --release)`);
  }
  const started = await startDangjian(bin, site, STEP_MS);
  server = started.server;
  serverLog = started.server.lines;
  return started.url;
}

/** The page's Markdown with `sentence` appended to its body. */
function withSentence(markdown, sentence) {
  return `${markdown.trimEnd()}\n\n${sentence}\n`;
}

/** Resolves once the page's live-reload EventSource got its greeting (`ok` or `problems`). */
async function liveReloadConnected(page) {
  await page.waitForFunction(() => window.__djGreeted === true, null, { timeout: STEP_MS, polling: 50 });
}

async function main() {
  const watchdog = setTimeout(() => fail(`the run took longer than ${TOTAL_MS / 1000} s`), TOTAL_MS);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dangjian-browser-'));
  const site = path.join(tmp, 'site');
  copySite(site);
  const markdownPath = path.join(site, PAGE_MD);
  const original = fs.readFileSync(markdownPath, 'utf8');
  if (!original.includes('\ndate = 2022-03-10\n')) throw new Error(`${PAGE_MD} has no \`date = 2022-03-10\` line; update this test`);

  const base = await startServer(site);
  log(`server at ${base}`);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const page = await browser.newPage();
  // Observation only: note when the page's EventSource hears its first event, so that the test
  // edits the file after the browser is subscribed. Nothing here reloads or changes the page.
  await page.addInitScript(() => {
    const Native = window.EventSource;
    window.EventSource = function (url, options) {
      const source = new Native(url, options);
      const greeted = () => {
        window.__djGreeted = true;
      };
      source.addEventListener('ok', greeted);
      source.addEventListener('problems', greeted);
      return source;
    };
    window.EventSource.prototype = Native.prototype;
  });
  let navigations = 0;
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations += 1;
  });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));

  await page.goto(new URL(PAGE_URL, base).href, { waitUntil: 'load', timeout: STEP_MS });
  const title = await page.locator('h1.article-title').innerText({ timeout: STEP_MS });
  if (!title.includes('三会一课')) throw new Error(`unexpected page title ${JSON.stringify(title)}`);
  await liveReloadConnected(page);
  await page.evaluate(() => {
    window.__djBeforeEdit = true;
  });
  const navigationsBefore = navigations;

  // 1. An edit shows up by itself.
  const added = `浏览器测试新增的一句（${Date.now()}）。`;
  let started = Date.now();
  fs.writeFileSync(markdownPath, withSentence(original, added));
  await page.getByText(added).first().waitFor({ state: 'visible', timeout: STEP_MS });
  log(`edit shown after ${Date.now() - started} ms`);
  if (navigations === navigationsBefore) throw new Error('the new text appeared without the page being reloaded?');
  if (await page.evaluate(() => window.__djBeforeEdit === true)) throw new Error('the page was not reloaded by the live reload');
  await liveReloadConnected(page);

  // 2. A broken front matter shows the overlay, naming the file, line and column.
  fs.writeFileSync(markdownPath, withSentence(original, added).replace('\ndate = 2022-03-10\n', '\ndate = 2022-03-10x\n'));
  const overlay = page.locator(OVERLAY);
  await overlay.waitFor({ state: 'visible', timeout: STEP_MS });
  const overlayText = await overlay.innerText();
  const expected = `${PAGE_MD}:4:8: error[front-matter]`;
  if (!overlayText.includes(expected)) throw new Error(`the overlay does not say ${JSON.stringify(expected)}:\n${overlayText}`);
  if (!(await page.getByText(added).first().isVisible())) {
    // The overlay covers the page; the last good text must still be in it.
    const body = await page.evaluate(() => document.body.innerText);
    if (!body.includes(added)) throw new Error('the last good version of the page is gone under the overlay');
  }
  log('overlay shown with the file name');

  // 3. Fixing the file removes the overlay and shows the fixed text.
  const fixed = `修好之后的一句（${Date.now()}）。`;
  started = Date.now();
  fs.writeFileSync(markdownPath, withSentence(original, fixed));
  await page.getByText(fixed).first().waitFor({ state: 'visible', timeout: STEP_MS });
  await overlay.waitFor({ state: 'detached', timeout: STEP_MS });
  log(`fix shown and overlay gone after ${Date.now() - started} ms`);
  if (pageErrors.length) throw new Error(`errors in the page: ${pageErrors.join('; ')}`);
  if (server.exitCode !== null) throw new Error('the server exited');

  clearTimeout(watchdog);
  await cleanup();
  log('ok');
}

process.on('SIGINT', () => fail('interrupted'));
process.on('SIGTERM', () => fail('terminated'));
main().catch((e) => fail(e && e.stack ? e.stack : String(e)));
