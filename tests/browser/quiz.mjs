// 廉政知识测试 (integrity quizzes) and warning-education cases in a real browser: Debian's headless
// chromium, driven by playwright-core.
//
//   node tests/browser/quiz.mjs CASES.json
//
// CASES.json (written by tests/integrity.rs from the fixture's front matter, not from the page):
//   {"site": "<site folder>", "quiz": "/integrity/ce-shi/", "cases": ["/integrity/an-li/", …],
//    "questions": [{"kind": "single" | "multiple" | "judge", "options": 4, "right": [1]}, …]}
//
// With `dangjian serve` on the site:
//   1. axe-core (wcag2a, wcag2aa, wcag21a, wcag21aa) on the quiz page, normal and high contrast;
//   2. by keyboard only (Tab, Shift+Tab, Space, the arrow keys inside a radio group, Enter): answer
//      every question right, submit → the score says M/M, focus is on it, every question says
//      回答正确 and its explanation is visible; axe again in both modes;
//   3. 重做 by keyboard → nothing checked or disabled, explanations closed, score empty, focus on
//      the first option; answer again with the first choice question wrong → (M-1)/M, that
//      question says 回答错误 and the right answer; 重做, submit nothing → 0/M, 未作答;
//   4. with JavaScript off: every question and option readable, each answer in a closed <details>
//      that opens on click, no buttons shown;
//   5. axe on each case page, normal and high contrast, and its four parts in order.
// Then the site built with relative_urls = true and opened from file:// scores a quiz too.
//
// Exit code 0 when all is well; otherwise every problem on stderr and exit code 1. The server, the
// browser and the temporary folder are removed in every case.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

import { CHROMIUM, CHROMIUM_ARGS, startServer } from './server.mjs';

const require = createRequire(import.meta.url);
const AXE_PATH = path.join(path.dirname(require.resolve('axe-core')), 'axe.min.js');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const BIN = process.env.DANGJIAN_BIN;
const STEP_MS = 30_000;
const TOTAL_MS = 240_000;
const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const M = spec.questions.length;
const problems = [];
let server = null;
let browser = null;
let tmp = null;

function log(message) {
  console.log(`[quiz] ${message}`);
}

function problem(where, message) {
  problems.push(`${where}: ${message}`);
}

async function cleanup() {
  if (browser) await browser.close().catch(() => {});
  browser = null;
  if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  server = null;
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  tmp = null;
}

async function fail(message) {
  console.error(`quiz: FAILED: ${message}`);
  if (server && server.lines) console.error(`--- server output:\n${server.lines.slice(-30).join('\n')}`);
  await cleanup();
  process.exit(1);
}

async function newPage(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  return page;
}

async function axe(page, where) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags } });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }, AXE_TAGS);
  for (const v of violations) problem(where, `axe: ${v}`);
  return violations.length;
}

/** Runs axe in normal and high-contrast mode (switched by the toolbar button, as a reader does). */
async function axeBothModes(page, where) {
  const normal = await axe(page, `${where} (normal)`);
  const toggle = page.locator('#dj-a11y [data-dj-contrast]');
  await toggle.click();
  if (!(await page.evaluate(() => document.documentElement.classList.contains('dj-contrast')))) {
    problem(where, 'the 高对比度 button did not switch high contrast on');
  }
  const contrast = await axe(page, `${where} (high contrast)`);
  await toggle.click();
  return `${normal} + ${contrast}`;
}

/** What has focus: "q<N>:<value>" for an option, else a hook name or the tag. */
async function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'body';
    const question = el.closest('[data-question]');
    if (question && el.tagName === 'INPUT') {
      const n = [...document.querySelectorAll('[data-question]')].indexOf(question) + 1;
      return `q${n}:${el.value}`;
    }
    for (const hook of ['data-quiz-submit', 'data-quiz-reset', 'data-quiz-score']) if (el.hasAttribute(hook)) return hook;
    return `${el.tagName.toLowerCase()}:${(el.textContent || '').trim().slice(0, 15)}`;
  });
}

/** The option keys of question `q` (0-based) in page order. */
function keysOf(q) {
  const spec1 = spec.questions[q];
  if (spec1.kind === 'judge') return ['对', '错'];
  return Array.from({ length: spec1.options }, (_, i) => String.fromCharCode(65 + i));
}

/**
 * Answers every question from the keyboard, starting with focus anywhere before the quiz, picking
 * `picks[q]` (option indices) for each, and presses Enter on 提交答卷. Returns false (with a
 * problem) when focus is not where a keyboard user would expect it.
 */
async function answerByKeyboard(page, where, picks) {
  for (let i = 0; i < 200 && !(await focused(page)).startsWith('q1:'); i++) await page.keyboard.press('Tab');
  for (let q = 0; q < M; q++) {
    const keys = keysOf(q);
    const now = await focused(page);
    if (now !== `q${q + 1}:${keys[0]}`) {
      problem(where, `Tab should reach the first option of question ${q + 1}, but focus is on ${now}`);
      return false;
    }
    if (spec.questions[q].kind === 'multiple') {
      // Checkboxes: one Tab stop each; Space ticks.
      for (let i = 0; i < keys.length; i++) {
        if (picks[q].includes(i)) await page.keyboard.press('Space');
        if (i + 1 < keys.length) await page.keyboard.press('Tab');
      }
    } else if (picks[q].length) {
      // A radio group is one Tab stop: Space checks the focused option, the arrows move and check.
      const [pick] = picks[q];
      if (pick === 0) await page.keyboard.press('Space');
      for (let i = 0; i < pick; i++) await page.keyboard.press('ArrowDown');
    }
    // Next: the question's 查看答案与解析 (a <summary> is focusable), then the next question.
    await page.keyboard.press('Tab');
    if ((await focused(page)).startsWith('summary:')) await page.keyboard.press('Tab');
  }
  const atSubmit = await focused(page);
  if (atSubmit !== 'data-quiz-submit') {
    problem(where, `Tab after the last question should reach 提交答卷, but focus is on ${atSubmit}`);
    return false;
  }
  await page.keyboard.press('Enter');
  return true;
}

/** The state of the quiz as a reader sees it. */
async function quizState(page) {
  return page.evaluate(() => {
    const visible = (el) => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    const questions = [...document.querySelectorAll('[data-question]')].map((q) => ({
      checked: [...q.querySelectorAll('input:checked')].map((i) => i.value).join(''),
      disabled: [...q.querySelectorAll('input')].some((i) => i.disabled),
      result: visible(q.querySelector('[data-quiz-result]')) ? q.querySelector('[data-quiz-result]').textContent.trim() : '',
      open: q.querySelector('details').open,
      explanationVisible: [...q.querySelectorAll('details p')].every(visible),
    }));
    const score = document.querySelector('[data-quiz-score]');
    return {
      questions,
      score: score ? score.textContent.trim() : null,
      scoreVisible: visible(score),
      submitVisible: visible(document.querySelector('[data-quiz-submit]')),
      resetVisible: visible(document.querySelector('[data-quiz-reset]')),
    };
  });
}

function expectScore(where, state, right, focus) {
  if (!state.score || !state.score.includes(`${right}/${M}`)) problem(where, `the score should contain ${right}/${M}: "${state.score}"`);
  if (!state.scoreVisible) problem(where, 'the score is not visible');
  if (focus !== 'data-quiz-score') problem(where, `focus should move to the score, but is on ${focus}`);
  if (state.submitVisible || !state.resetVisible) problem(where, 'after submitting, 重做 should show instead of 提交答卷');
}

async function checkServed(base) {
  const where = `served ${spec.quiz}`;
  const page = await newPage();
  await page.goto(new URL(spec.quiz, base).href, { waitUntil: 'load' });
  const count = await page.locator('[data-quiz] [data-question]').count();
  if (count !== M) problem(where, `${count} [data-question] on the page, the fixture has ${M}`);
  log(`axe before submitting: violations ${await axeBothModes(page, `${where} before submitting`)}`);

  const right = spec.questions.map((q) => q.right);
  if (await answerByKeyboard(page, `${where} all right`, right)) {
    const state = await quizState(page);
    expectScore(`${where} all right`, state, M, await focused(page));
    state.questions.forEach((q, i) => {
      if (!q.result.includes('回答正确')) problem(where, `question ${i + 1} should say 回答正确: "${q.result}"`);
      if (!q.open || !q.explanationVisible) problem(where, `question ${i + 1}: the explanation is not visible after submitting`);
      if (!q.disabled) problem(where, `question ${i + 1}: the options should be locked after submitting`);
    });
    log(`all right by keyboard: "${state.score}"`);
    log(`axe after submitting: violations ${await axeBothModes(page, `${where} after submitting`)}`);
  }

  // 重做, by keyboard: the reset button is just before the score.
  await page.locator('[data-quiz-score]').focus();
  await page.keyboard.press('Shift+Tab');
  const atReset = await focused(page);
  if (atReset !== 'data-quiz-reset') problem(where, `Shift+Tab from the score should reach 重做, but focus is on ${atReset}`);
  await page.keyboard.press('Enter');
  const reset = await quizState(page);
  reset.questions.forEach((q, i) => {
    if (q.checked || q.disabled || q.result || q.open) problem(`${where} after 重做`, `question ${i + 1} is not reset: ${JSON.stringify(q)}`);
  });
  if (reset.score || reset.scoreVisible) problem(`${where} after 重做`, `the score is still shown: "${reset.score}"`);
  if (!reset.submitVisible || reset.resetVisible) problem(`${where} after 重做`, '提交答卷 should show again instead of 重做');
  const afterReset = await focused(page);
  if (afterReset !== `q1:${keysOf(0)[0]}`) problem(`${where} after 重做`, `focus should be on the first option, but is on ${afterReset}`);

  // One wrong: the first choice question gets the option after the right one.
  const wrong = spec.questions.findIndex((q) => q.kind !== 'judge' && q.kind !== 'multiple');
  if (wrong < 0) throw new Error('the fixture quiz needs a single-choice question');
  const picks = right.map((r, i) => (i === wrong ? [(r[0] + 1) % spec.questions[i].options] : r));
  if (await answerByKeyboard(page, `${where} one wrong`, picks)) {
    const state = await quizState(page);
    expectScore(`${where} one wrong`, state, M - 1, await focused(page));
    const result = state.questions[wrong].result;
    const rightKey = keysOf(wrong)[right[wrong][0]];
    if (!result.includes('回答错误') || !result.includes(`正确答案：${rightKey}`)) {
      problem(where, `question ${wrong + 1} should say 回答错误 and 正确答案：${rightKey}: "${result}"`);
    }
    log(`one wrong by keyboard: "${state.score}"; question ${wrong + 1}: "${result}"`);
  }

  // Nothing answered.
  await page.locator('[data-quiz-reset]').click();
  await page.locator('[data-quiz-submit]').click();
  const none = await quizState(page);
  if (!none.score || !none.score.includes(`0/${M}`)) problem(where, `with nothing answered the score should contain 0/${M}: "${none.score}"`);
  if (!none.questions.every((q) => q.result.includes('未作答'))) problem(where, 'with nothing answered every question should say 未作答');
  if (page.errors.length) problem(where, `script errors: ${page.errors.join('; ')}`);
  await page.context().close();
}

async function checkWithoutJavaScript(base) {
  const where = `no JavaScript ${spec.quiz}`;
  const page = await newPage({ javaScriptEnabled: false });
  await page.goto(new URL(spec.quiz, base).href, { waitUntil: 'load' });
  const questions = page.locator('[data-question]');
  if ((await questions.count()) !== M) problem(where, `${await questions.count()} questions, expected ${M}`);
  for (let q = 0; q < M; q++) {
    const question = questions.nth(q);
    if (!(await question.locator('legend').isVisible())) problem(where, `question ${q + 1}: the question text is not visible`);
    const options = await question.locator('label').count();
    if (options !== keysOf(q).length) problem(where, `question ${q + 1}: ${options} options visible, expected ${keysOf(q).length}`);
    const details = question.locator('details');
    if ((await details.count()) !== 1 || (await details.evaluate((d) => d.open))) {
      problem(where, `question ${q + 1}: the answer should wait in one closed <details>`);
      continue;
    }
    await details.locator('summary').click();
    const answer = details.locator('p').first();
    if (!(await answer.isVisible()) || !(await answer.innerText()).includes('正确答案')) {
      problem(where, `question ${q + 1}: opening the <details> does not show the right answer`);
    }
  }
  if (await page.locator('[data-quiz-submit]').isVisible()) problem(where, '提交答卷 shows without JavaScript, where it cannot work');
  await page.context().close();
  log(`without JavaScript: ${M} questions readable, answers in <details>`);
}

async function checkCases(base) {
  for (const url of spec.cases) {
    const where = `case ${url}`;
    const page = await newPage();
    await page.goto(new URL(url, base).href, { waitUntil: 'load' });
    const cases = await page.locator('[data-case]').count();
    if (!cases) problem(where, 'no [data-case] on the page');
    const parts = await page.locator('[data-case]').first().locator('h3').allInnerTexts();
    const wanted = ['基本案情', '违反的规定', '警示启示'];
    if (wanted.some((w) => !parts.includes(w)) || parts.indexOf('基本案情') > parts.indexOf('违反的规定') || parts.indexOf('违反的规定') > parts.indexOf('警示启示')) {
      problem(where, `the case parts are ${parts.join(', ')}`);
    }
    log(`${where}: ${cases} case(s); axe violations ${await axeBothModes(page, where)}`);
    await page.context().close();
  }
}

/** The site built with relative_urls = true and opened from disk scores a quiz too. */
async function checkFromDisk() {
  const site = path.join(tmp, 'relative-site');
  fs.cpSync(spec.site, site, { recursive: true });
  const config = path.join(site, 'config.toml');
  fs.writeFileSync(config, `relative_urls = true\n${fs.readFileSync(config, 'utf8')}`);
  const out = path.join(tmp, 'relative-out');
  const run = spawnSync(BIN, ['build', '--site', site, '--output', out], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`build with relative_urls failed: ${run.stdout}\n${run.stderr}`);
  const where = `file:// ${spec.quiz}`;
  const page = await newPage();
  await page.goto(pathToFileURL(path.join(out, spec.quiz, 'index.html')).href, { waitUntil: 'load' });
  const questions = page.locator('[data-question]');
  for (let q = 0; q < M; q++) {
    for (const pick of spec.questions[q].right) await questions.nth(q).locator('input').nth(pick).check();
  }
  await page.locator('[data-quiz-submit]').click();
  const score = (await page.locator('[data-quiz-score]').innerText()).trim();
  if (!score.includes(`${M}/${M}`)) problem(where, `the score should contain ${M}/${M}: "${score}"`);
  if (page.errors.length) problem(where, `script errors: ${page.errors.join('; ')}`);
  await page.context().close();
  log(`from disk: "${score}"`);
}

async function main() {
  const watchdog = setTimeout(() => fail(`the run took longer than ${TOTAL_MS / 1000} s`), TOTAL_MS);
  if (!BIN || !fs.existsSync(BIN)) throw new Error(`no dangjian binary at ${BIN} (set DANGJIAN_BIN)`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dangjian-quiz-'));
  const started = await startServer(BIN, spec.site, STEP_MS);
  server = started.server;
  const base = started.url;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  log(`serving ${base}; ${M} questions; axe-core ${require('axe-core/package.json').version}`);
  await checkServed(base);
  await checkWithoutJavaScript(base);
  await checkCases(base);
  await checkFromDisk();
  clearTimeout(watchdog);
  await cleanup();
  if (problems.length) {
    console.error(`quiz: FAILED: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  log('ok');
}

process.on('SIGINT', () => fail('interrupted'));
process.on('SIGTERM', () => fail('terminated'));
main().catch((e) => fail(e && e.stack ? e.stack : String(e)));
