// Accessibility of the default theme in a real browser: axe-core in Debian's headless chromium,
// driven by playwright-core, plus the keyboard and no-JavaScript behaviour of the 适老化 toolbar.
//
// Copies the example site to a temporary folder, adds a few test-only fixtures to the copy (a home
// banner, a notices section and a page with highlighted code, a note, a figure and a table, so that
// those parts of the theme are checked even while the example site does not use them), starts
// `dangjian serve` on it and runs axe (tags wcag2a, wcag2aa, wcag21a, wcag21aa) on every page kind:
//
//   home, a section list, a study page, an integrity page, a news page with photos, /tags/, a tag,
//   /branches/, a branch, the ledger (/ledger/) and a branch page linked from it, the study plan
//   (/study/plan/, linked from /study/), /topics/ and a topic's landing page, the notices list and
//   an expired notice (a test-only fixture, since expired notices are linked from no list), the
//   code fixture page, the search page with results and the 404 page
//
// in four modes, each switched on by clicking the toolbar button as a reader would:
//
//   normal          1280 px wide, default text size and colours
//   contrast        the 高对比度 button pressed
//   large           the 特大 (200%) button pressed, at 360 px wide; also checks nothing is wider
//                   than the screen (WCAG 1.4.10 reflow, which axe does not test)
//   contrast+large  both
//
// and then checks by keyboard that Tab from the top reaches the skip link first and then the toolbar
// buttons, that Enter and Space on them change the mode, that focus is visible, that the choice is
// remembered and applied before the first paint on the next page, and that with JavaScript off the
// toolbar stays hidden while the page reads normally.
//
//   npm ci --prefix tests/browser
//   DANGJIAN_BIN=target/release/dangjian node tests/browser/a11y.mjs
//
// A11Y_THEME_DIR=themes/default checks that folder instead of the theme built into the binary.
//
// Exit code 0 when all is well; otherwise every violation (rule id, impact, page, mode, target) on
// stderr and exit code 1. The server, the browser and the temporary folder are removed in every case.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { CHROMIUM, CHROMIUM_ARGS, startServer as startDangjian } from './server.mjs';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const bin = process.env.DANGJIAN_BIN || path.resolve(here, '../../target/release/dangjian');
const AXE_PATH = path.join(path.dirname(require.resolve('axe-core')), 'axe.min.js');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
/** Longest wait for any one step. */
const STEP_MS = 30_000;
/** Longest the whole run may take. */
const TOTAL_MS = 240_000;
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 360, height: 740 };
const STORAGE_KEY = 'dangjian-a11y';
const CODE_FIXTURE = '/study/a11y-code-fixture/';
const EXPIRED_FIXTURE = '/notices/a11y-expired-notice/';

let server = null;
let browser = null;
let tmp = null;
let serverLog = [];
/** Every problem found: { kind, id, impact, page, mode, target, summary }. */
const problems = [];

function log(message) {
  console.log(`[a11y] ${message}`);
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
  console.error(`a11y: FAILED: ${message}`);
  if (serverLog.length) console.error(`--- server output:\n${serverLog.slice(-40).join('\n')}`);
  await cleanup();
  process.exit(1);
}

function problem(kind, page, mode, id, summary, target = '', impact = '') {
  problems.push({ kind, id, impact, page, mode, target, summary });
}

/** Copies the example site without its build output. */
function copySite(target) {
  const source = path.join(repo, 'site');
  fs.cpSync(source, target, {
    recursive: true,
    filter: (from) => path.resolve(from) !== path.join(source, 'public'),
  });
}

/**
 * Test-only content in the copy, for theme parts the example site may not use yet. Nothing is added
 * where the site already has it.
 */
function addFixtures(site) {
  const home = path.join(site, 'content/_index.md');
  const text = fs.readFileSync(home, 'utf8');
  if (text.startsWith('+++') && !/^\s*banner\s*=|\[extra\.banner\]/m.test(text)) {
    const end = text.indexOf('\n+++', 3);
    const banner = [
      '[extra.banner]',
      'image = "/images/banner.jpg"',
      'label = "专题"',
      'title = "无障碍测试专题横幅"',
      'text = "测试用的专题横幅，检查文字与背景的对比度。"',
      'link = "/study/"',
    ].join('\n');
    fs.writeFileSync(home, `${text.slice(0, end)}\n${banner}${text.slice(end)}`);
  }
  const notices = path.join(site, 'content/notices');
  if (!fs.existsSync(notices)) {
    fs.mkdirSync(notices, { recursive: true });
    fs.writeFileSync(
      path.join(notices, '_index.md'),
      '+++\ntitle = "通知公告"\nsort_by = "date"\n+++\n\n测试用的通知公告栏目。\n',
    );
    fs.writeFileSync(
      path.join(notices, 'a11y-notice.md'),
      '+++\ntitle = "关于无障碍测试的通知"\ndate = 2001-01-01\nslug = "a11y-notice"\n+++\n\n测试用的通知。\n',
    );
  }
  // An expired notice: built and reachable by its address, marked 已过期, listed nowhere.
  fs.writeFileSync(
    path.join(notices, 'a11y-expired-notice.md'),
    '+++\ntitle = "关于无障碍测试的过期通知"\ndate = 2001-01-01\nexpires = 2001-01-31\nslug = "a11y-expired-notice"\n+++\n\n测试用的过期通知。\n',
  );
  fs.writeFileSync(
    path.join(site, 'content/study/a11y-code-fixture.md'),
    `+++
title = "无障碍测试：代码、注释框、插图和表格"
date = 2000-01-01
slug = "a11y-code-fixture"
source = "测试用页面"
doc_no = "测试〔2000〕1号"
+++

行内代码 \`let x = 1;\` 和一个脚注[^1]。

## 代码

\`\`\`rust
// 注释：计算合计
fn main() {
    let total: u32 = 42; /* 块注释 */
    println!("合计 {} 人", total);
}
\`\`\`

\`\`\`python
class Branch(Base):
    """文档字符串"""
    def count(self, x=None):
        return len(self.members) * 2  # 注释
\`\`\`

\`\`\`html
<a href="/study/" class="x" data-id='1'>学习</a><!-- 注释 -->
\`\`\`

\`\`\`js
const a = this.b ?? [1, 2.5, true, null, /re+/g]; // 注释
\`\`\`

\`\`\`diff
--- a/a.txt
+++ b/a.txt
@@ -1 +1 @@
- 删除的一行
+ 新增的一行
\`\`\`

\`\`\`sh
echo "你好" | grep -c 好 # 注释
\`\`\`

\`\`\`css
a:hover { color: #ff0000; margin: 0 1px; }
\`\`\`

## 注释框、引文、插图和表格

{% note(title="提示") %}
这是一个注释框，**加粗**和[链接](/study/)。
{% end %}

> 引文中的文字和[链接](/news/)。

{{ figure(src="/images/qinghe-shidi.jpg", alt="湿地", caption="插图说明") }}

| 项目 | 说明 |
| --- | --- |
| 甲 | 一段较长的说明文字，用来检查在窄屏和特大字号下表格是否仍然可读。 |

[^1]: 脚注的内容。
`,
  );
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

/** A fresh browser context (own localStorage) and page. */
async function newPage(options = {}) {
  const context = await browser.newContext({ viewport: DESKTOP, ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  return page;
}

async function open(page, base, url, expectStatus = 200) {
  const response = await page.goto(new URL(url, base).href, { waitUntil: 'load' });
  const status = response ? response.status() : 0;
  if (status !== expectStatus) throw new Error(`${url}: HTTP ${status}, expected ${expectStatus}`);
  // The search page lists its results after the index files arrive.
  if (new URL(url, base).pathname.startsWith('/search/')) {
    await page.waitForSelector('#dj-search-results[data-search-state="done"]', { state: 'attached', timeout: STEP_MS });
  }
}

/** Page paths (site-relative) of links matching `selector` on `url`. */
async function linksOn(page, base, url, selector) {
  await open(page, base, url);
  const hrefs = await page.$$eval(selector, (as) => as.map((a) => a.href));
  return hrefs.map((h) => new URL(h).pathname);
}

/** The pages to check, found by following the site's own lists. */
async function discoverPages(base) {
  const page = await newPage();
  const first = async (url, selector, what) => {
    const links = await linksOn(page, base, url, selector);
    if (!links.length) throw new Error(`no ${what} linked from ${url} (${selector})`);
    return links[0];
  };
  const pages = [
    { name: 'home', url: '/' },
    { name: 'section list', url: '/study/' },
    { name: 'study page', url: await first('/study/', '.entry-title a', 'study page') },
    { name: 'integrity page', url: await first('/integrity/', '.entry-title a', 'integrity page') },
  ];
  // A news page with a photo gallery: walk the news list pages until one has photos.
  let listUrl = '/news/';
  let photos = null;
  for (let listPages = 0; listUrl && !photos && listPages < 20; listPages++) {
    await open(page, base, listUrl);
    const entries = await page.$$eval('.entry-title a', (as) => as.map((a) => new URL(a.href).pathname));
    const next = await page.$$eval('a[rel="next"]', (as) => as.map((a) => new URL(a.href).pathname));
    for (const entry of entries) {
      await open(page, base, entry);
      if ((await page.locator('.gallery img').count()) > 0) {
        photos = entry;
        break;
      }
    }
    listUrl = next[0];
  }
  if (!photos) throw new Error('no news page with a photo gallery (.gallery img) found under /news/');
  pages.push({ name: 'news page with photos', url: photos });
  pages.push({ name: 'tags', url: '/tags/' });
  pages.push({ name: 'tag', url: await first('/tags/', '.term-list a', 'tag') });
  pages.push({ name: 'branches', url: '/branches/' });
  pages.push({ name: 'branch', url: await first('/branches/', '.term-list a', 'branch') });
  // The organization-life ledger: its table of the latest year, and a branch page with its row and meetings.
  pages.push({ name: 'ledger', url: '/ledger/' });
  const ledgerBranches = await linksOn(page, base, '/ledger/', '.ledger-branch a');
  if (!ledgerBranches.length) throw new Error('no branch linked from /ledger/ (.ledger-branch a)');
  pages.push({ name: 'branch from the ledger', url: ledgerBranches[ledgerBranches.length - 1] });
  // Issue 8: the study plan, topics and notices.
  pages.push({ name: 'study plan', url: await first('/study/', '.section-plan-link a', 'study plan') });
  pages.push({ name: 'topics', url: '/topics/' });
  pages.push({ name: 'topic', url: await first('/topics/', '.topic-card-title a', 'topic') });
  pages.push({ name: 'notices', url: await first('/', '#dj-home-notices a', 'notices list') });
  await open(page, base, EXPIRED_FIXTURE);
  if ((await page.locator('.expired-note').count()) !== 1) throw new Error(`${EXPIRED_FIXTURE} is not marked 已过期 (.expired-note)`);
  pages.push({ name: 'expired notice', url: EXPIRED_FIXTURE });
  pages.push({ name: 'code, note, figure, table', url: CODE_FIXTURE });
  pages.push({ name: 'search results', url: `/search/?q=${encodeURIComponent('三会一课')}` });
  pages.push({ name: '404', url: '/no-such-page-for-a11y/', status: 404 });
  await page.context().close();
  return pages;
}

async function runAxe(page, label, mode) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.addScriptTag({ path: AXE_PATH });
  }
  const result = await page.evaluate(
    async (tags) => {
      const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations', 'incomplete'] });
      return {
        violations: r.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
        })),
        incomplete: r.incomplete.map((v) => v.id),
        passes: r.passes.length,
      };
    },
    AXE_TAGS,
  );
  for (const v of result.violations) {
    for (const n of v.nodes) {
      problem('axe', label, mode, v.id, `${v.help}: ${(n.summary || '').replace(/\s+/g, ' ')}`, n.target, v.impact);
    }
  }
  return result;
}

/** Elements wider than the screen (horizontal scrolling), as selectors. */
async function overflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width + 1) return [];
    const wide = [];
    for (const el of document.body.querySelectorAll('*')) {
      const box = el.getBoundingClientRect();
      if (box.width > 0 && box.right > width + 1 && getComputedStyle(el).position !== 'absolute') {
        let name = el.tagName.toLowerCase();
        if (el.id) name += `#${el.id}`;
        else if (el.classList.length) name += `.${[...el.classList].join('.')}`;
        wide.push(`${name} (right edge ${Math.round(box.right)} px > ${width} px)`);
      }
    }
    return wide.slice(0, 10);
  });
}

async function rootClasses(page) {
  return page.evaluate(() => document.documentElement.className);
}

async function pressed(page, selector) {
  return page.locator(`#dj-a11y ${selector}`).getAttribute('aria-pressed');
}

/** Clicks a toolbar button and checks the class on <html> and aria-pressed follow. */
async function clickToolbar(page, label, mode, selector, wantClass, wantOn) {
  const button = page.locator(`#dj-a11y ${selector}`);
  if (!(await button.isVisible())) {
    problem('toolbar', label, mode, 'toolbar-visible', `toolbar button ${selector} is not visible with JavaScript on`);
    return;
  }
  await button.click();
  const classes = await rootClasses(page);
  if (classes.split(/\s+/).includes(wantClass) !== wantOn) {
    problem('toolbar', label, mode, 'toolbar-click', `after clicking ${selector}, <html class="${classes}"> should ${wantOn ? '' : 'not '}have ${wantClass}`);
  }
  if (selector !== '[data-dj-reset]' && (await button.getAttribute('aria-pressed')) !== String(wantOn)) {
    problem('toolbar', label, mode, 'toolbar-pressed', `after clicking ${selector}, aria-pressed should be ${wantOn}`);
  }
}

async function checkPage(base, { name, url, status = 200 }) {
  const label = `${name} ${url}`;
  const page = await newPage();
  await open(page, base, url, status);
  const counts = [];
  counts.push(['normal', await runAxe(page, label, 'normal')]);

  await clickToolbar(page, label, 'contrast', '[data-dj-contrast]', 'dj-contrast', true);
  counts.push(['contrast', await runAxe(page, label, 'contrast')]);
  await clickToolbar(page, label, 'contrast', '[data-dj-contrast]', 'dj-contrast', false);

  await page.setViewportSize(PHONE);
  await clickToolbar(page, label, 'large', '[data-dj-text="200"]', 'dj-text-200', true);
  counts.push(['large', await runAxe(page, label, 'large')]);
  for (const wide of await overflow(page)) {
    problem('reflow', label, 'large', 'reflow', `wider than a ${PHONE.width} px screen at 200% text`, wide);
  }

  await clickToolbar(page, label, 'contrast+large', '[data-dj-contrast]', 'dj-contrast', true);
  counts.push(['contrast+large', await runAxe(page, label, 'contrast+large')]);

  await clickToolbar(page, label, 'reset', '[data-dj-reset]', 'dj-contrast', false);
  const classes = await rootClasses(page);
  if (/dj-(text|contrast)/.test(classes)) problem('toolbar', label, 'reset', 'toolbar-reset', `恢复默认 left <html class="${classes}">`);
  if (page.errors.length) problem('script', label, 'any', 'page-error', page.errors.join('; '));
  await page.context().close();
  const summary = counts.map(([mode, r]) => `${mode} ${r.violations.length}`).join(', ');
  log(`${label}: violations ${summary} (axe passes ${counts[0][1].passes}; needs review: ${counts[0][1].incomplete.join(', ') || 'none'})`);
}

/** Keyboard: skip link first, then the toolbar; Enter and Space work; focus is visible. */
async function checkKeyboard(base) {
  const label = 'keyboard /';
  const page = await newPage();
  await open(page, base, '/');
  const focused = async () =>
    page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return { what: 'body' };
      const style = getComputedStyle(el);
      return {
        what: el.matches('.skip-link')
          ? 'skip'
          : el.closest('#dj-a11y')
            ? `toolbar:${el.getAttribute('data-dj-text') || (el.hasAttribute('data-dj-contrast') ? 'contrast' : 'reset')}`
            : `${el.tagName.toLowerCase()}:${(el.textContent || '').trim().slice(0, 20)}`,
        outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
        top: el.getBoundingClientRect().top,
      };
    });

  await page.keyboard.press('Tab');
  const first = await focused();
  if (first.what !== 'skip') problem('keyboard', label, 'normal', 'skip-link-first', `the first Tab focuses ${first.what}, not the skip link`);
  else if (first.top < 0) problem('keyboard', label, 'normal', 'skip-link-visible', 'the focused skip link is off screen');

  const want = ['toolbar:100', 'toolbar:125', 'toolbar:150', 'toolbar:200', 'toolbar:contrast', 'toolbar:reset'];
  const seen = [];
  for (let i = 0; i < 12 && seen.length < want.length; i++) {
    await page.keyboard.press('Tab');
    const f = await focused();
    if (f.what.startsWith('toolbar:')) {
      seen.push(f.what);
      if (!f.outline) problem('keyboard', label, 'normal', 'focus-visible', `no visible focus outline on ${f.what}`);
      if (f.what === 'toolbar:contrast') {
        await page.keyboard.press('Enter');
        if (!(await rootClasses(page)).includes('dj-contrast') || (await pressed(page, '[data-dj-contrast]')) !== 'true') {
          problem('keyboard', label, 'normal', 'enter-toggles', 'Enter on 高对比度 did not switch high contrast on');
        }
        await page.keyboard.press('Space');
        if ((await rootClasses(page)).includes('dj-contrast') || (await pressed(page, '[data-dj-contrast]')) !== 'false') {
          problem('keyboard', label, 'normal', 'space-toggles', 'Space on 高对比度 did not switch high contrast off');
        }
      }
      if (f.what === 'toolbar:200') {
        await page.keyboard.press('Space');
        if (!(await rootClasses(page)).includes('dj-text-200') || (await pressed(page, '[data-dj-text="200"]')) !== 'true') {
          problem('keyboard', label, 'normal', 'space-text-size', 'Space on 特大 did not set the 200% text size');
        }
      }
      if (f.what === 'toolbar:reset') {
        await page.keyboard.press('Enter');
        if (/dj-(text|contrast)/.test(await rootClasses(page)) || (await pressed(page, '[data-dj-text="100"]')) !== 'true') {
          problem('keyboard', label, 'normal', 'enter-reset', 'Enter on 恢复默认 did not restore the defaults');
        }
      }
    }
  }
  if (seen.join() !== want.join()) {
    problem('keyboard', label, 'normal', 'toolbar-tab-order', `Tab after the skip link reached ${seen.join(', ') || 'no toolbar button'}; expected ${want.join(', ')}`);
  }

  // The skip link moves focus to the main content.
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await open(page, base, '/');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  const afterSkip = await page.evaluate(() => document.activeElement && document.activeElement.id);
  if (afterSkip !== 'dj-main') problem('keyboard', label, 'normal', 'skip-link-target', `the skip link moved focus to #${afterSkip}, not #dj-main`);
  if (page.errors.length) problem('script', label, 'any', 'page-error', page.errors.join('; '));
  await page.context().close();
  log(`keyboard: Tab order ${['skip', ...seen].join(' → ')}`);
}

/** The choice is remembered, and applied to <html> before <body> exists (so before the first paint). */
async function checkRemembered(base) {
  const label = 'remembered /study/';
  const page = await newPage();
  await page.addInitScript(() => {
    // Runs before the document has any element: watch it for <body> being inserted.
    new MutationObserver((records, observer) => {
      if (document.body) {
        window.__djClassAtBody = document.documentElement.className;
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await open(page, base, '/');
  await page.locator('#dj-a11y [data-dj-contrast]').click();
  await page.locator('#dj-a11y [data-dj-text="150"]').click();
  const saved = await page.evaluate((key) => window.localStorage.getItem(key), STORAGE_KEY);
  await open(page, base, '/study/');
  const atBody = await page.evaluate(() => window.__djClassAtBody || '');
  if (!/\bdj-contrast\b/.test(atBody) || !/\bdj-text-150\b/.test(atBody)) {
    problem('toolbar', label, 'remembered', 'applied-before-paint', `when <body> started, <html class="${atBody}"> (saved ${saved}); expected dj-contrast and dj-text-150`);
  }
  if ((await pressed(page, '[data-dj-contrast]')) !== 'true' || (await pressed(page, '[data-dj-text="150"]')) !== 'true') {
    problem('toolbar', label, 'remembered', 'pressed-state', 'the toolbar does not show the remembered choice as pressed');
  }
  await page.context().close();
  log(`remembered: saved ${saved}; <html class="${atBody}"> before the body`);
}

/** With JavaScript off the toolbar stays hidden and the page reads normally. */
async function checkNoScript(base) {
  const label = 'no JavaScript /';
  const page = await newPage({ javaScriptEnabled: false });
  await open(page, base, '/');
  if (await page.locator('#dj-a11y').isVisible()) problem('noscript', label, 'no-js', 'toolbar-hidden', 'the toolbar shows without JavaScript');
  if (!(await page.locator('main').isVisible())) problem('noscript', label, 'no-js', 'content-visible', 'the main content is not visible without JavaScript');
  const text = await page.locator('main').innerText();
  if (text.trim().length < 50) problem('noscript', label, 'no-js', 'content-visible', 'the main content is (nearly) empty without JavaScript');
  await page.context().close();
  log('no JavaScript: toolbar hidden, content shown');
}

async function main() {
  const watchdog = setTimeout(() => fail(`the run took longer than ${TOTAL_MS / 1000} s`), TOTAL_MS);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dangjian-a11y-'));
  const site = path.join(tmp, 'site');
  copySite(site);
  addFixtures(site);
  if (process.env.A11Y_THEME_DIR) {
    // Check a theme folder instead of the one built into the binary (theme edits without a rebuild).
    fs.cpSync(path.resolve(process.env.A11Y_THEME_DIR), path.join(site, 'themes/default'), { recursive: true });
  }
  const base = await startServer(site);
  log(`serving ${base}; axe-core ${require('axe-core/package.json').version}, tags ${AXE_TAGS.join(', ')}`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });

  const pages = await discoverPages(base);
  for (const p of pages) await checkPage(base, p);
  await checkKeyboard(base);
  await checkRemembered(base);
  await checkNoScript(base);
  if (server.exitCode !== null) throw new Error('the server exited');
  clearTimeout(watchdog);
  await cleanup();

  if (problems.length) {
    console.error(`a11y: FAILED: ${problems.length} problem(s):`);
    for (const p of problems) {
      const impact = p.impact ? ` [${p.impact}]` : '';
      const target = p.target ? `\n    target: ${p.target}` : '';
      console.error(`  ${p.id}${impact} on ${p.page} (${p.mode})${target}\n    ${p.summary}`);
    }
    process.exit(1);
  }
  log(`ok: no violations on ${pages.length} pages in 4 modes; keyboard, memory and no-JavaScript checks pass`);
}

process.on('SIGINT', () => fail('interrupted'));
process.on('SIGTERM', () => fail('terminated'));
main().catch((e) => fail(e && e.stack ? e.stack : String(e)));
