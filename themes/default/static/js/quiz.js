/* dangjian default theme: 廉政知识测试 (integrity quizzes), scored in the reader's browser.
 *
 * The page (templates/quiz.html) lists every question with radio buttons or checkboxes inside a
 * <fieldset>, and each answer with its explanation in a closed <details>, so the quiz reads and
 * can be checked by hand without JavaScript. This script shows the 提交答卷 button; submitting
 * marks each question right or wrong in words (not by colour alone), opens every explanation,
 * writes the score as "N/M" into [data-quiz-score] and moves focus there so screen readers read
 * it; 重做 clears everything and returns to the first question.
 *
 * Nothing is sent or stored: no request, no cookie, no localStorage. Plain ES5 without
 * dependencies, like a11y.js, so that old office browsers run it too.
 */
(function () {
  'use strict';

  function each(list, fn) {
    for (var i = 0; i < list.length; i++) fn(list[i], i);
  }

  function inputs(question) {
    return question.querySelectorAll('input');
  }

  /** The keys of the checked options, in page order, run together ("AC", "对"). */
  function chosen(question) {
    var keys = '';
    each(inputs(question), function (input) {
      if (input.checked) keys += input.value;
    });
    return keys;
  }

  /** Keys as readers see them: "A、C"; 正确 / 错误 for true/false questions. */
  function shown(question, keys) {
    var judge = question.getAttribute('data-kind') === 'judge';
    var out = [];
    for (var i = 0; i < keys.length; i++) {
      var key = keys.charAt(i);
      out.push(judge ? (key === '对' ? '正确' : '错误') : key);
    }
    return out.join('、');
  }

  function setResult(question, right, keys) {
    var result = question.querySelector('[data-quiz-result]');
    var answer = shown(question, question.getAttribute('data-key'));
    question.className = question.className.replace(/\s*quiz-(right|wrong)\b/g, '') + (right ? ' quiz-right' : ' quiz-wrong');
    if (!result) return;
    var mark = document.createElement('span');
    mark.setAttribute('aria-hidden', 'true');
    mark.className = 'quiz-mark';
    mark.appendChild(document.createTextNode(right ? '✓ ' : '✗ '));
    var text;
    if (right) text = '回答正确。';
    else if (!keys) text = '未作答。正确答案：' + answer + '。';
    else text = '回答错误。您的答案：' + shown(question, keys) + '；正确答案：' + answer + '。';
    result.innerHTML = '';
    result.appendChild(mark);
    result.appendChild(document.createTextNode(text));
    result.hidden = false;
  }

  function setup(quiz) {
    if (quiz.getAttribute('data-quiz-ready')) return;
    quiz.setAttribute('data-quiz-ready', 'true');
    var form = quiz.querySelector('[data-quiz-form]') || quiz.querySelector('form');
    var actions = quiz.querySelector('[data-quiz-actions]');
    var submit = quiz.querySelector('[data-quiz-submit]');
    var reset = quiz.querySelector('[data-quiz-reset]');
    var score = quiz.querySelector('[data-quiz-score]');
    var questions = quiz.querySelectorAll('[data-question]');
    if (!form || !submit || !score || !questions.length) return;
    if (actions) actions.hidden = false;

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var right = 0;
      var unanswered = 0;
      each(questions, function (question) {
        var keys = chosen(question);
        var ok = keys === question.getAttribute('data-key');
        if (ok) right++;
        if (!keys) unanswered++;
        setResult(question, ok, keys);
        each(inputs(question), function (input) {
          input.disabled = true;
        });
        var details = question.querySelector('[data-quiz-answer]');
        if (details) details.open = true;
      });
      var total = questions.length;
      var text = '您答对了 ' + right + '/' + total + ' 题，得分 ' + Math.round((right * 100) / total) + ' 分';
      text += unanswered ? '（其中 ' + unanswered + ' 题未作答）。' : '。';
      text += right === total ? '全部正确！' : '请对照每题下方的解析复习。';
      score.textContent = text;
      score.className = score.className.replace(/\s*quiz-score-shown\b/g, '') + ' quiz-score-shown';
      submit.hidden = true;
      if (reset) reset.hidden = false;
      score.focus();
    });

    if (reset) {
      reset.addEventListener('click', function () {
        each(questions, function (question) {
          each(inputs(question), function (input) {
            input.disabled = false;
            input.checked = false;
          });
          question.className = question.className.replace(/\s*quiz-(right|wrong)\b/g, '');
          var result = question.querySelector('[data-quiz-result]');
          if (result) {
            result.hidden = true;
            result.innerHTML = '';
          }
          var details = question.querySelector('[data-quiz-answer]');
          if (details) details.open = false;
        });
        score.textContent = '';
        score.className = score.className.replace(/\s*quiz-score-shown\b/g, '');
        reset.hidden = true;
        submit.hidden = false;
        var first = questions[0].querySelector('input');
        if (first) first.focus();
      });
    }
  }

  function start() {
    each(document.querySelectorAll('[data-quiz]'), setup);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
