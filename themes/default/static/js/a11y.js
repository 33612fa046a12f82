/* dangjian default theme: 适老化 toolbar (text size and high contrast).
 *
 * Loaded in <head> without defer, so the reader's saved choice is applied to <html> before the
 * first paint (no flash of small text or of the normal colours). The toolbar in the page header
 * is rendered with the `hidden` attribute and shown from here: without JavaScript it never
 * appears and the site reads as normal.
 *
 * The choice is kept in localStorage under "dangjian-a11y" as {"text":"150","contrast":true}.
 * Text sizes scale the root font size (classes dj-text-125/150/200 in site.css), not the zoom.
 * No framework, no external host; plain ES5 so that old office browsers run it too.
 */
(function () {
  'use strict';

  var KEY = 'dangjian-a11y';
  var STEPS = ['100', '125', '150', '200'];
  var root = document.documentElement;

  function read() {
    var state = { text: '100', contrast: false };
    try {
      var saved = JSON.parse(window.localStorage.getItem(KEY) || '{}');
      if (saved && STEPS.indexOf(String(saved.text)) >= 0) state.text = String(saved.text);
      if (saved && saved.contrast === true) state.contrast = true;
    } catch (e) {
      /* storage blocked or corrupt: keep the defaults */
    }
    return state;
  }

  function write(state) {
    try {
      if (state.text === '100' && !state.contrast) {
        window.localStorage.removeItem(KEY);
      } else {
        window.localStorage.setItem(KEY, JSON.stringify(state));
      }
    } catch (e) {
      /* storage blocked: the choice lasts for this page only */
    }
  }

  function toggleClass(name, on) {
    var classes = (' ' + root.className + ' ').replace(' ' + name + ' ', ' ');
    root.className = (on ? classes + name : classes).replace(/^\s+|\s+$/g, '').replace(/\s+/g, ' ');
  }

  function apply(state) {
    for (var i = 1; i < STEPS.length; i++) {
      toggleClass('dj-text-' + STEPS[i], state.text === STEPS[i]);
    }
    toggleClass('dj-contrast', state.contrast);
  }

  var state = read();
  apply(state);

  function each(list, fn) {
    for (var i = 0; i < list.length; i++) fn(list[i]);
  }

  function show(bar) {
    each(bar.querySelectorAll('[data-dj-text]'), function (button) {
      button.setAttribute('aria-pressed', button.getAttribute('data-dj-text') === state.text ? 'true' : 'false');
    });
    each(bar.querySelectorAll('[data-dj-contrast]'), function (button) {
      button.setAttribute('aria-pressed', state.contrast ? 'true' : 'false');
    });
  }

  function setup() {
    var bar = document.getElementById('dj-a11y');
    if (!bar || bar.getAttribute('data-dj-ready')) return;
    bar.setAttribute('data-dj-ready', 'true');
    bar.addEventListener('click', function (event) {
      var button = event.target;
      while (button && button !== bar && button.nodeName !== 'BUTTON') button = button.parentNode;
      if (!button || button === bar) return;
      if (button.hasAttribute('data-dj-text')) {
        state.text = button.getAttribute('data-dj-text');
      } else if (button.hasAttribute('data-dj-contrast')) {
        state.contrast = !state.contrast;
      } else if (button.hasAttribute('data-dj-reset')) {
        state = { text: '100', contrast: false };
      } else {
        return;
      }
      apply(state);
      write(state);
      show(bar);
    });
    show(bar);
    bar.removeAttribute('hidden');
  }

  // Another tab changed the setting: follow it.
  window.addEventListener('storage', function (event) {
    if (event.key !== KEY && event.key !== null) return;
    state = read();
    apply(state);
    var bar = document.getElementById('dj-a11y');
    if (bar) show(bar);
  });

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', setup);
  } else {
    setup();
  }
})();
