/* dangjian default theme: the lobby screen (大屏, /screen/).
 *
 * Shows one slide ([data-slide]) at a time: the visible one has aria-hidden="false", the others
 * aria-hidden="true" (screen.css hides them). The slides advance every data-slide-seconds of
 * <body>. Rotation pauses while the pointer is over the slides or keyboard focus is in them, and
 * with the 暂停 button or the Space key until pressed again; ←/→ and the buttons go back and on.
 * A pointer left resting on the screen for a minute no longer holds it, so a mouse forgotten on
 * the lobby display does not stop the rotation for good. The state is on the slides' container as
 * data-screen-state="playing|paused".
 *
 * Every data-reload-minutes the page asks for itself and, only when the answer is a success,
 * reloads, so it shows what was published since; when the network or the server is down the last
 * good screen stays up and it asks again a minute later. Opened from a folder (file://) it does
 * not reload: there is nothing to ask.
 *
 * Loaded in <head> without defer: <html> gets the class screen-js before the first paint, so the
 * slides never flash up as a long page. Without JavaScript they read one after another. No
 * framework, no external host; plain ES5 so that an old lobby PC runs it too.
 */
(function () {
  'use strict';

  var root = document.documentElement;
  var SLIDE_KEY = 'dangjian-screen-slide';
  var POINTER_REST_MS = 60000;
  var RETRY_MS = 60000;
  root.className += ' screen-js';

  function number(text, fallback) {
    var n = parseInt(text, 10);
    return n > 0 ? n : fallback;
  }

  function setClass(name, on) {
    var names = root.className.split(/\s+/).filter(function (c) {
      return c && c !== name;
    });
    if (on) names.push(name);
    root.className = names.join(' ');
  }

  function savedSlide() {
    try {
      return number(window.sessionStorage.getItem(SLIDE_KEY), 0);
    } catch (e) {
      return 0;
    }
  }

  function saveSlide(index) {
    try {
      window.sessionStorage.setItem(SLIDE_KEY, String(index));
    } catch (e) {
      /* storage blocked: a reload starts from the first slide */
    }
  }

  var WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'];

  function two(n) {
    return (n < 10 ? '0' : '') + n;
  }

  function clockText(d) {
    return d.getFullYear() + '年' + (d.getMonth() + 1) + '月' + d.getDate() + '日 星期' + WEEKDAYS[d.getDay()] + ' ' + two(d.getHours()) + ':' + two(d.getMinutes());
  }

  function start() {
    var body = document.body;
    var container = document.getElementById('dj-screen-slides');
    if (!container) return;
    var slides = container.querySelectorAll('[data-slide]');
    var count = slides.length;
    if (count === 0) return;
    var seconds = number(body.getAttribute('data-slide-seconds'), 15);
    var reloadMinutes = number(body.getAttribute('data-reload-minutes'), 10);
    var controls = document.querySelector('[data-screen-controls]');
    var pauseButton = document.querySelector('[data-screen-pause]');
    var position = document.querySelector('[data-screen-position]');
    var progress = document.querySelector('[data-screen-progress]');
    var fullscreen = document.querySelector('[data-screen-fullscreen]');
    var clock = document.querySelector('[data-screen-clock]');
    var index = savedSlide() % count;
    var timer = null;
    var restTimer = null;
    var held = { user: false, pointer: false, focus: false };

    function paused() {
      return held.user || held.pointer || held.focus;
    }

    function restartProgress() {
      if (!progress) return;
      progress.className = 'screen-progress-bar';
      // Reading the width ends the running animation, so the next one starts from zero.
      void progress.offsetWidth;
      progress.style.animationDuration = seconds + 's';
      progress.className = 'screen-progress-bar screen-running';
    }

    function show(next) {
      index = (next + count) % count;
      for (var i = 0; i < count; i++) {
        slides[i].setAttribute('aria-hidden', i === index ? 'false' : 'true');
      }
      if (position) position.textContent = '第 ' + (index + 1) + ' 张，共 ' + count + ' 张';
      saveSlide(index);
    }

    /* Starts the time of the current slide over, unless something holds the rotation. */
    function schedule() {
      window.clearTimeout(timer);
      timer = null;
      var hold = paused();
      container.setAttribute('data-screen-state', hold ? 'paused' : 'playing');
      // A paused carousel announces the slides people move to; a rotating one stays quiet.
      container.setAttribute('aria-live', hold ? 'polite' : 'off');
      setClass('screen-paused', hold);
      if (pauseButton) pauseButton.textContent = held.user ? '继续播放' : '暂停';
      if (hold || count < 2) return;
      restartProgress();
      timer = window.setTimeout(function () {
        show(index + 1);
        schedule();
      }, seconds * 1000);
    }

    function go(step) {
      show(index + step);
      schedule();
    }

    function toggleUserPause() {
      held.user = !held.user;
      schedule();
    }

    function onPointer() {
      setClass('screen-idle', false);
      window.clearTimeout(restTimer);
      restTimer = window.setTimeout(function () {
        setClass('screen-idle', true);
        if (held.pointer) {
          held.pointer = false;
          schedule();
        }
      }, POINTER_REST_MS);
    }

    function holdForPointer(on) {
      if (held.pointer !== on) {
        held.pointer = on;
        schedule();
      }
    }

    container.addEventListener('mouseenter', function () {
      holdForPointer(true);
    });
    container.addEventListener('mousemove', function () {
      holdForPointer(true);
    });
    container.addEventListener('mouseleave', function () {
      holdForPointer(false);
    });
    document.addEventListener('mousemove', onPointer);
    container.addEventListener('focusin', function () {
      held.focus = true;
      schedule();
    });
    container.addEventListener('focusout', function (event) {
      if (!event.relatedTarget || !container.contains(event.relatedTarget)) {
        held.focus = false;
        schedule();
      }
    });

    document.addEventListener('keydown', function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      var key = event.key;
      var tag = event.target && event.target.tagName;
      if (key === 'ArrowLeft' || key === 'Left') {
        event.preventDefault();
        go(-1);
      } else if (key === 'ArrowRight' || key === 'Right') {
        event.preventDefault();
        go(1);
      } else if ((key === ' ' || key === 'Spacebar') && !/^(BUTTON|A|INPUT|SELECT|TEXTAREA)$/.test(tag || '')) {
        // On a button or a link Space keeps its own meaning.
        event.preventDefault();
        toggleUserPause();
      }
    });

    if (controls) {
      controls.hidden = false;
      document.querySelector('[data-screen-prev]').addEventListener('click', function () {
        go(-1);
      });
      document.querySelector('[data-screen-next]').addEventListener('click', function () {
        go(1);
      });
      pauseButton.addEventListener('click', toggleUserPause);
    }

    if (fullscreen && document.fullscreenEnabled) {
      fullscreen.hidden = false;
      fullscreen.addEventListener('click', function () {
        if (document.fullscreenElement) {
          document.exitFullscreen();
        } else {
          root.requestFullscreen();
        }
      });
      document.addEventListener('fullscreenchange', function () {
        fullscreen.textContent = document.fullscreenElement ? '退出全屏' : '全屏';
      });
    }

    if (clock) {
      var tick = function () {
        clock.textContent = clockText(new Date());
      };
      tick();
      clock.hidden = false;
      window.setInterval(tick, 10000);
    }

    function reloadWhenReachable() {
      var request = new XMLHttpRequest();
      var retry = function () {
        window.setTimeout(reloadWhenReachable, RETRY_MS);
      };
      request.onload = function () {
        if (request.status >= 200 && request.status < 300) {
          window.location.reload();
        } else {
          retry();
        }
      };
      request.onerror = retry;
      request.ontimeout = retry;
      request.timeout = 30000;
      request.open('GET', window.location.href, true);
      request.setRequestHeader('Cache-Control', 'no-cache');
      request.send();
    }

    if (window.location.protocol === 'http:' || window.location.protocol === 'https:') {
      window.setTimeout(reloadWhenReachable, reloadMinutes * 60000);
    }

    show(index);
    schedule();
    // The next frame, so that the slides' first state is drawn before fading is switched on.
    window.requestAnimationFrame(function () {
      setClass('screen-ready', true);
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
