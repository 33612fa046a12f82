// Screenshots of the default theme for docs/screenshots/: the home page and a study page on a
// desktop (1280 px), a phone (390 px), with the largest text step (特大, 200%) on a desktop and a
// phone, in high contrast, and as printed on A4 (first page).
//
// Copies the example site to a temporary folder, starts `dangjian serve` on it and drives Debian's
// headless chromium with playwright-core; text size and contrast are switched with the theme's own
// toolbar buttons, as a reader would. The print preview is page.pdf() (A4) turned into a PNG by
// pdftoppm (apt-get install poppler-utils).
//
//   npm ci --prefix tests/browser
//   cargo build --release
//   DANGJIAN_BIN=target/release/dangjian node tests/browser/screenshots.mjs [OUT_DIR]
//
// OUT_DIR defaults to docs/screenshots. STUDY_PAGE=/study/<slug>/ picks another study page.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { CHROMIUM, CHROMIUM_ARGS, startServer } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const bin = process.env.DANGJIAN_BIN || path.resolve(repo, 'target/release/dangjian');
const out = path.resolve(process.argv[2] || path.join(repo, 'docs/screenshots'));
const PAGES = { home: '/', study: process.env.STUDY_PAGE || '/study/san-hui-yi-ke-zhi-du/' };
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
/** Longest part of a page shown, so that every PNG stays small (well under 300 KB). */
const MAX_HEIGHT = { desktop: 1500, phone: 1700 };
/** Print preview resolution (dots per inch): A4 at 72 dpi is 595 × 842 px. */
const PRINT_DPI = 72;

const SHOTS = [
  { name: 'desktop', viewport: DESKTOP, buttons: [] },
  { name: 'phone', viewport: PHONE, buttons: [] },
  { name: 'large', viewport: DESKTOP, buttons: ['[data-dj-text="200"]'] },
  { name: 'large-phone', viewport: PHONE, buttons: ['[data-dj-text="200"]'] },
  { name: 'contrast', viewport: DESKTOP, buttons: ['[data-dj-contrast]'] },
];

let server = null;
let browser = null;
let tmp = null;

async function cleanup() {
  if (browser) await browser.close().catch(() => {});
  if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}

async function shoot(base, page, name, url, shot) {
  await page.setViewportSize(shot.viewport);
  await page.goto(new URL(url, base).href, { waitUntil: 'load' });
  for (const button of shot.buttons) await page.locator(`#dj-a11y ${button}`).click();
  await page.mouse.move(1, 1); // off the buttons and links: no hover underline in the picture
  await page.evaluate(() => document.fonts.ready);
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  const limit = shot.viewport === PHONE ? MAX_HEIGHT.phone : MAX_HEIGHT.desktop;
  const file = path.join(out, `${name}-${shot.name}.png`);
  await page.screenshot({
    path: file,
    fullPage: true,
    clip: { x: 0, y: 0, width: shot.viewport.width, height: Math.min(height, limit) },
  });
  return file;
}

async function printPreview(base, page, name, url) {
  await page.setViewportSize(DESKTOP);
  await page.goto(new URL(url, base).href, { waitUntil: 'load' });
  const pdf = path.join(tmp, `${name}.pdf`);
  await page.pdf({ path: pdf, format: 'A4', preferCSSPageSize: true });
  const prefix = path.join(tmp, `${name}-print`);
  execFileSync('pdftoppm', ['-png', '-r', String(PRINT_DPI), '-f', '1', '-l', '1', '-singlefile', pdf, prefix]);
  const file = path.join(out, `${name}-print.png`);
  fs.copyFileSync(`${prefix}.png`, file);
  return file;
}

async function main() {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dangjian-shots-'));
  const site = path.join(tmp, 'site');
  const source = path.join(repo, 'site');
  fs.cpSync(source, site, { recursive: true, filter: (from) => path.resolve(from) !== path.join(source, 'public') });
  const started = await startServer(bin, site, 15_000);
  server = started.server;
  fs.mkdirSync(out, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });

  const files = [];
  for (const [name, url] of Object.entries(PAGES)) {
    for (const shot of SHOTS) {
      // A fresh context per shot: the toolbar's choice is remembered in localStorage.
      const context = await browser.newContext({ viewport: shot.viewport, deviceScaleFactor: 1 });
      files.push(await shoot(started.url, await context.newPage(), name, url, shot));
      await context.close();
    }
    const context = await browser.newContext({ viewport: DESKTOP });
    files.push(await printPreview(started.url, await context.newPage(), name, url));
    await context.close();
  }
  for (const file of files) {
    console.log(`${path.relative(repo, file)}  ${Math.round(fs.statSync(file).size / 1024)} KB`);
  }
}

main()
  .then(cleanup)
  .catch(async (e) => {
    console.error(`screenshots: FAILED: ${e && e.stack ? e.stack : e}`);
    await cleanup();
    process.exit(1);
  });
