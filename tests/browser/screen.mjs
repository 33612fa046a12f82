// The lobby screen (大屏, /screen/) in a real browser: Debian's headless chromium, driven by
// playwright-core, on a site prepared by tests/screen.rs.
//
//   node tests/browser/screen.mjs CASES.json
//
// CASES.json: {"site": "<site folder>", "slides": ["notices", "news", …], "seconds": 8,
// "reload_minutes": 10}: the slides the page must have, in order, and its [screen] settings.
//
// Time is Playwright's fake clock (page.clock): the script moves it on by exact amounts, so no
// check depends on how fast the machine is. Checked, with `dangjian serve` on the site:
//
//   rotation     one slide visible (aria-hidden="false") at a time, in order, each for exactly
//                `seconds`, round and round; the position text follows
//   pausing      pointer over the slides, keyboard focus in them, the 暂停 button and Space hold
//                it (data-screen-state, aria-live="polite"); a pointer resting a minute lets go
//   keys         ←/→ go back and on, also while paused; the buttons do the same
//   reloading    after `reload_minutes` the page asks for itself and reloads, on the same slide;
//                when that request fails or is refused it stays as it is and asks again later
//   motion       slides fade; with prefers-reduced-motion they switch without a transition
//   no script    every slide reads one after another; the controls are not shown
//   axe-core     WCAG 2.1 A/AA on every slide at 1920×1080, and without JavaScript
//   type size    no text on the screen smaller than 2.2rem (35.2px) at 1920×1080
//
// and the same page built under a sub-path of another server and, with relative_urls = true,
// opened from file:// (stylesheet, photos and rotation work; no reload attempted). No request may
// leave 127.0.0.1. Exit code 0 when all is well; otherwise what went wrong on stderr and exit code
// 1. Servers, the browser and temporary folders are removed in every case.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

import { CHROMIUM, CHROMIUM_ARGS, startServer, serveUnderSubPath } from './server.mjs';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = process.env.DANGJIAN_BIN || path.resolve(here, '../../target/release/dangjian');
const AXE_PATH = path.join(path.dirname(require.resolve('axe-core')), 'axe.min.js');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const cases = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const SLIDES = cases.slides;
const COUNT = SLIDES.length;
const SLIDE_MS = cases.seconds * 1000;
const RELOAD_MS = cases.reload_minutes * 60_000;
/** How long a resting pointer holds the rotation (js/screen.js). */
const POINTER_REST_MS = 60_000;
/** The smallest text allowed on the screen at 1920×1080: 2.2rem. */
const SMALLEST_PX = 35.2;
const SCREEN = { width: 1920, height: 1080 };
const failures = [];
const cleanups = [];
const external = [];

function fail(message) {
  failures.push(message);
}

function check(condition, message) {
  if (!condition) fail(message);
}

function build(site, out, args) {
  const run = spawnSync(BIN, ['build', '--site', site, '--output', out, ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`build failed: ${run.stdout}\n${run.stderr}`);
}

/** A new page in a context of its own that lets no request leave 127.0.0.1 (or file://). */
async function newPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: SCREEN, ...options });
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'file:' || url.hostname === '127.0.0.1') return route.continue();
    external.push(url.href);
    return route.abort();
  });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (error) => fail(`script error: ${error.message}`));
  return page;
}

/** What the screen shows: visible slides (0-based), their kinds, state, position text, live region. */
function screenState(page) {
  return page.evaluate(() => {
    const slides = [...document.querySelectorAll('[data-slide]')];
    const box = document.getElementById('dj-screen-slides');
    const pause = document.querySelector('[data-screen-pause]');
    return {
      kinds: slides.map((s) => s.getAttribute('data-slide')),
      visible: slides.map((s, i) => (s.getAttribute('aria-hidden') === 'false' ? i : -1)).filter((i) => i >= 0),
      state: box.getAttribute('data-screen-state'),
      live: box.getAttribute('aria-live'),
      position: document.querySelector('[data-screen-position]').textContent,
      pause: pause ? pause.textContent : null,
      scripted: document.documentElement.classList.contains('screen-js'),
      idle: document.documentElement.classList.contains('screen-idle'),
    };
  });
}

/** Checks that slide `index` alone is visible, with its position text, and the rotation `state`. */
async function expectSlide(page, index, state, label) {
  const s = await screenState(page);
  const shown = s.visible.length === 1 && s.visible[0] === index;
  check(shown, `${label}: expected slide ${index + 1} (${SLIDES[index]}) alone visible, got ${JSON.stringify(s.visible.map((i) => i + 1))}`);
  check(s.position === `第 ${index + 1} 张，共 ${COUNT} 张`, `${label}: position text ${JSON.stringify(s.position)}`);
  if (state) {
    check(s.state === state, `${label}: state ${s.state}, expected ${state}`);
    check(s.live === (state === 'paused' ? 'polite' : 'off'), `${label}: aria-live ${s.live} while ${s.state}`);
  }
  return s;
}

/** Index of the visible slide. */
async function current(page) {
  return (await screenState(page)).visible[0];
}

async function runAxe(page, label) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags } });
    return r.violations.map((v) => `${v.id} [${v.impact}]: ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`);
  }, AXE_TAGS);
  for (const v of violations) fail(`axe on ${label}: ${v}`);
}

/** Text on the screen smaller than SMALLEST_PX: `selector (size)` of each element showing text. */
function smallText(page) {
  return page.evaluate((smallest) => {
    const small = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim()) continue;
      const el = node.parentElement;
      const style = getComputedStyle(el);
      const rect = el.getBoundingClientRect();
      if (style.visibility !== 'visible' || rect.width === 0 || el.closest('[hidden], [aria-hidden="true"]')) continue;
      if (el.closest('.visually-hidden')) continue;
      const size = parseFloat(style.fontSize);
      if (size < smallest) small.push(`${el.tagName.toLowerCase()}.${el.className} "${node.textContent.trim().slice(0, 12)}" (${size}px)`);
    }
    return small;
  }, SMALLEST_PX);
}

/**
 * Freezes the page's clock: from here on time moves only by `page.clock.runFor`. A fixed day, so
 * the screen's clock shows the same in every run.
 */
async function freezeClock(page) {
  await page.clock.install({ time: new Date('2026-03-02T09:00:00') });
  await page.clock.pauseAt(new Date('2026-03-02T09:00:01'));
}

/** Rotation, pausing, keys and buttons on a page opened at `url` with the fake clock. */
async function checkRotation(page, url, label) {
  await freezeClock(page);
  await page.goto(url);
  let s = await expectSlide(page, 0, 'playing', `${label} start`);
  check(s.scripted, `${label}: <html> lacks screen-js`);
  check(JSON.stringify(s.kinds) === JSON.stringify(SLIDES), `${label}: slides ${JSON.stringify(s.kinds)}, expected ${JSON.stringify(SLIDES)}`);
  check(s.pause === '暂停', `${label}: pause button says ${s.pause}`);
  // Each slide stays exactly `seconds`, then the next one; after the last, the first again.
  for (let step = 1; step <= COUNT; step++) {
    await page.clock.runFor(SLIDE_MS - 1);
    await expectSlide(page, step - 1, 'playing', `${label} just before advance ${step}`);
    await page.clock.runFor(1);
    await expectSlide(page, step % COUNT, 'playing', `${label} advance ${step}`);
  }

  // The pointer over the slides holds them, and moving it off lets them go.
  await page.hover('#dj-screen-slides');
  await expectSlide(page, 0, 'paused', `${label} hovered`);
  await page.clock.runFor(3 * SLIDE_MS);
  await expectSlide(page, 0, 'paused', `${label} hovered for three slides`);
  await page.mouse.move(SCREEN.width / 2, 5);
  await expectSlide(page, 0, 'playing', `${label} pointer on the header`);
  await page.clock.runFor(SLIDE_MS);
  await expectSlide(page, 1, 'playing', `${label} after the pointer left`);

  // A pointer left resting on the slides holds them for a minute only, and is hidden.
  await page.hover('#dj-screen-slides');
  await page.clock.runFor(POINTER_REST_MS - 1);
  await expectSlide(page, 1, 'paused', `${label} pointer resting`);
  await page.clock.runFor(1);
  s = await expectSlide(page, 1, 'playing', `${label} pointer rested a minute`);
  check(s.idle, `${label}: the resting pointer is not hidden (no screen-idle class)`);
  await page.clock.runFor(SLIDE_MS);
  await expectSlide(page, 2, 'playing', `${label} rotating under a resting pointer`);
  await page.mouse.move(SCREEN.width / 2, 5);

  // ←/→ go back and on and start the slide's time over.
  await page.keyboard.press('ArrowRight');
  await expectSlide(page, 3, 'playing', `${label} →`);
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await expectSlide(page, 1, 'playing', `${label} ← ←`);
  await page.clock.runFor(SLIDE_MS - 1);
  await expectSlide(page, 1, 'playing', `${label} a full slide's time after ←`);

  // Keyboard focus on a link of the visible slide (a news page) holds it; leaving lets go.
  await page.focus('[data-slide][aria-hidden="false"] h2 a');
  await expectSlide(page, 1, 'paused', `${label} link focused`);
  await page.clock.runFor(2 * SLIDE_MS);
  await expectSlide(page, 1, 'paused', `${label} link focused for two slides`);
  await page.evaluate(() => document.activeElement.blur());
  await expectSlide(page, 1, 'playing', `${label} focus left`);

  // Space pauses and resumes.
  await page.keyboard.press('Space');
  s = await expectSlide(page, 1, 'paused', `${label} Space`);
  check(s.pause === '继续播放', `${label}: paused, the button says ${s.pause}`);
  await page.clock.runFor(3 * SLIDE_MS);
  await expectSlide(page, 1, 'paused', `${label} paused for three slides`);
  await page.keyboard.press('ArrowRight');
  await expectSlide(page, 2, 'paused', `${label} → while paused`);
  await page.keyboard.press('Space');
  await expectSlide(page, 2, 'playing', `${label} Space again`);
  await page.clock.runFor(SLIDE_MS);
  await expectSlide(page, 3, 'playing', `${label} rotating after Space`);

  // The buttons.
  await page.click('[data-screen-next]');
  await expectSlide(page, 4, 'playing', `${label} 下一张`);
  await page.click('[data-screen-prev]');
  await page.click('[data-screen-prev]');
  await expectSlide(page, 2, 'playing', `${label} 上一张 twice`);
  await page.click('[data-screen-pause]');
  s = await expectSlide(page, 2, 'paused', `${label} 暂停`);
  await page.clock.runFor(2 * SLIDE_MS);
  await expectSlide(page, 2, 'paused', `${label} after 暂停`);
  await page.click('[data-screen-pause]');
  s = await expectSlide(page, 2, 'playing', `${label} 继续播放`);
  check(s.pause === '暂停', `${label}: playing again, the button says ${s.pause}`);
  await page.mouse.move(SCREEN.width / 2, 5);
}

/** Self-reload: only after a successful request for the page itself, on the same slide. */
async function checkReload(browser, url, label) {
  const page = await newPage(browser);
  await freezeClock(page);
  const asked = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'xhr') asked.push(request.url());
  });
  // The first request is refused, the second fails outright, the third succeeds.
  let answers = 0;
  await page.route(
    (u) => u.pathname.endsWith('/screen/'),
    (route) => {
      if (route.request().resourceType() !== 'xhr') return route.continue();
      answers += 1;
      if (answers === 1) return route.fulfill({ status: 503, body: 'busy' });
      if (answers === 2) return route.abort();
      return route.continue();
    },
  );
  await page.goto(url);
  await page.evaluate(() => {
    window.screenTestMarker = true;
  });
  await page.clock.runFor(RELOAD_MS - 1);
  check(asked.length === 0, `${label}: asked for the page before ${cases.reload_minutes} minutes: ${asked}`);
  const refused = page.waitForEvent('requestfinished', (r) => r.resourceType() === 'xhr');
  await page.clock.runFor(1);
  await refused;
  check(await page.evaluate(() => window.screenTestMarker === true), `${label}: reloaded although the server answered 503`);
  const failed = page.waitForEvent('requestfailed', (r) => r.resourceType() === 'xhr');
  await page.clock.runFor(60_000);
  await failed;
  check(await page.evaluate(() => window.screenTestMarker === true), `${label}: reloaded although the request failed`);
  // Paused, so that the slide shown when the page reloads is known.
  await page.keyboard.press('Space');
  const before = await current(page);
  const reloaded = page.waitForEvent('load');
  await page.clock.runFor(60_000);
  await reloaded;
  check(asked.length === 3 && asked.every((u) => u === url), `${label}: requests for the page ${JSON.stringify(asked)}`);
  check(await page.evaluate(() => window.screenTestMarker === undefined), `${label}: the page did not reload`);
  await expectSlide(page, before, null, `${label} after reloading`);
  await page.context().close();
}

/** Fading, and no transition with prefers-reduced-motion. */
async function checkMotion(browser, url) {
  for (const [motion, expected] of [
    ['no-preference', '0.8s'],
    ['reduce', '0s'],
  ]) {
    const page = await newPage(browser, { reducedMotion: motion });
    await page.goto(url);
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const styles = await page.$$eval('[data-slide]', (slides) => slides.map((s) => getComputedStyle(s).transitionDuration.split(',')[0]));
    check(styles.every((d) => d === expected), `${motion}: slide transitions ${JSON.stringify(styles)}, expected ${expected}`);
    const progress = await page.$eval('.screen-progress', (p) => getComputedStyle(p).display);
    check((progress === 'none') === (motion === 'reduce'), `${motion}: the progress bar's display is ${progress}`);
    if (motion === 'reduce') {
      const visibility = await page.$$eval('[data-slide]', (slides) => slides.map((s) => getComputedStyle(s).visibility));
      const expectedVisibility = SLIDES.map((_, i) => (i === 0 ? 'visible' : 'hidden'));
      check(JSON.stringify(visibility) === JSON.stringify(expectedVisibility), `reduced motion: slide visibility ${JSON.stringify(visibility)}`);
    }
    await page.context().close();
  }
}

/** axe-core and type size on every slide, paused so that nothing moves while they look. */
async function checkAccessibility(browser, url) {
  const page = await newPage(browser, { reducedMotion: 'reduce' });
  await page.goto(url);
  await page.keyboard.press('Space');
  for (let i = 0; i < COUNT; i++) {
    await expectSlide(page, i, 'paused', `axe slide ${i + 1}`);
    await runAxe(page, `slide ${i + 1} (${SLIDES[i]})`);
    for (const small of await smallText(page)) fail(`slide ${i + 1} (${SLIDES[i]}): text smaller than 2.2rem: ${small}`);
    await page.keyboard.press('ArrowRight');
  }
  await page.context().close();

  const still = await newPage(browser, { javaScriptEnabled: false });
  await still.goto(url);
  const s = await screenState(still);
  check(!s.scripted, 'no JavaScript: <html> has screen-js');
  check(s.visible.length === COUNT, `no JavaScript: ${s.visible.length} of ${COUNT} slides not aria-hidden`);
  const shown = await still.$$eval('[data-slide]', (slides) => slides.filter((x) => x.getBoundingClientRect().height > 0 && getComputedStyle(x).visibility === 'visible').length);
  check(shown === COUNT, `no JavaScript: ${shown} of ${COUNT} slides shown`);
  check(!(await still.locator('[data-screen-controls]').isVisible()), 'no JavaScript: the controls are shown');
  const height = await still.evaluate(() => document.documentElement.scrollHeight);
  check(height > SCREEN.height, `no JavaScript: the slides do not read as a long page (height ${height})`);
  await still.context().close();
  // axe needs JavaScript itself: the page as it reads without it, with only screen.js held back.
  const plain = await newPage(browser);
  await plain.route((u) => u.pathname.endsWith('/js/screen.js'), (route) => route.abort());
  await plain.goto(url);
  check(!(await screenState(plain)).scripted, 'screen.js held back, yet <html> has screen-js');
  await runAxe(plain, 'the screen without its script');
  await plain.context().close();
}

/** The stylesheet, photos and rotation of a build opened at `url` (sub-path or file://). */
async function checkElsewhere(browser, url, label, expectReload) {
  const page = await newPage(browser);
  await freezeClock(page);
  const asked = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'xhr') asked.push(request.url());
  });
  await page.goto(url);
  const size = await page.$eval('body', (b) => parseFloat(getComputedStyle(b).fontSize));
  check(size >= SMALLEST_PX, `${label}: body text is ${size}px: the stylesheet did not load`);
  const images = await page.$$eval('[data-slide] img', (imgs) => imgs.map((i) => [i.getAttribute('src'), i.complete && i.naturalWidth > 0]));
  check(images.length > 0 && images.every(([, ok]) => ok), `${label}: photos not loaded: ${JSON.stringify(images)}`);
  await expectSlide(page, 0, 'playing', `${label} start`);
  await page.clock.runFor(SLIDE_MS);
  await expectSlide(page, 1, 'playing', `${label} advanced`);
  if (!expectReload) {
    await page.evaluate(() => {
      window.screenTestMarker = true;
    });
    await page.clock.runFor(2 * RELOAD_MS);
    check(asked.length === 0, `${label}: asked for ${JSON.stringify(asked)}`);
    check(await page.evaluate(() => window.screenTestMarker === true), `${label}: the page reloaded`);
  }
  await page.context().close();
}

let browser = null;
let server = null;
let subServer = null;
try {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });

  const served = await startServer(BIN, cases.site, 60_000);
  server = served.server;
  const url = `${served.url}screen/`;
  const page = await newPage(browser);
  await checkRotation(page, url, 'served');
  await page.context().close();
  await checkReload(browser, url, 'served');
  await checkMotion(browser, url);
  await checkAccessibility(browser, url);

  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'dangjian-screen-'));
  cleanups.push(() => fs.rmSync(temp, { recursive: true, force: true }));
  subServer = await serveUnderSubPath(path.join(temp, 'sub'));
  const port = subServer.address().port;
  build(cases.site, path.join(temp, 'sub'), ['--base-url', `http://127.0.0.1:${port}/sub/`]);
  await checkElsewhere(browser, `http://127.0.0.1:${port}/sub/screen/`, 'sub-path', true);
  const sub = await newPage(browser);
  await checkRotation(sub, `http://127.0.0.1:${port}/sub/screen/`, 'sub-path');
  await sub.context().close();

  const relativeSite = path.join(temp, 'site');
  fs.cpSync(cases.site, relativeSite, { recursive: true });
  const config = path.join(relativeSite, 'config.toml');
  fs.writeFileSync(config, `relative_urls = true\n${fs.readFileSync(config, 'utf8')}`);
  build(relativeSite, path.join(temp, 'file'), []);
  await checkElsewhere(browser, `${pathToFileURL(path.join(temp, 'file')).href}/screen/index.html`, 'file', false);
} catch (error) {
  fail(error.stack || String(error));
} finally {
  if (browser) await browser.close().catch(() => {});
  if (server) server.kill();
  if (subServer) subServer.close();
  cleanups.forEach((c) => c());
}

for (const url of external) fail(`a request left 127.0.0.1: ${url}`);
if (failures.length) {
  console.error(failures.join('\n'));
  process.exit(1);
}
console.log(`screen: ok (${COUNT} slides, served, sub-path and file://)`);
