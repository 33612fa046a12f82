/* dangjian full-text search: exact substring search over the index in /search/.
 *
 * The index files are scripts that call DJSearch.meta / .shard / .docs, so they load from
 * file:// as well as from any host or sub-path; only the shards a query needs are loaded.
 * A query is split at whitespace into terms that must all occur (AND). Each term is normalized
 * the way the build normalized the pages (NFKC when it gives one character, then lower case,
 * a mark before each Latin word so Latin words match by prefix); a term of one to three
 * characters is looked up directly, a longer one through the positions of its four-character
 * grams, which must follow one another exactly. So a page is found exactly when it holds the term.
 *
 * The engine (DJSearch.search) has no DOM code, so tests run it in Node against a built site;
 * the page code below it renders results as <li data-search-url="…">.
 * Needs ES2018 (Promise, String#normalize, Unicode property escapes): any Chromium-based office
 * browser from 2018 on.
 */
(function (global) {
  'use strict';

  var WORD_MARK = '\u0001';
  var BLOCK_BREAK = '\n';
  var GRAM = 4;
  var DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  var DIGIT_VALUE = {};
  for (var d = 0; d < DIGITS.length; d++) DIGIT_VALUE[DIGITS.charCodeAt(d)] = d;
  var WORD_CHAR = /[\p{Alphabetic}\p{N}]/u;
  var SPACE = /[\p{White_Space}\u0001]/u;

  /* ---- text: the same rules as src/search/text.rs ---- */

  function single(text) {
    var first = text.codePointAt(0);
    return text.length > 0 && String.fromCodePoint(first).length === text.length;
  }

  function normalizeChar(ch) {
    var nfkc = ch.normalize('NFKC');
    var folded = single(nfkc) ? nfkc : ch;
    var lower = folded.toLowerCase();
    return single(lower) ? lower : folded;
  }

  function isWordChar(ch) {
    return ch.codePointAt(0) < 0x2e80 && WORD_CHAR.test(ch);
  }

  /* The indexed characters of a query term (no whitespace in it). */
  function indexedChars(text) {
    var out = [];
    var previousWord = false;
    for (var ch of text) {
      if (SPACE.test(ch)) {
        previousWord = false;
        continue;
      }
      var c = normalizeChar(ch);
      var word = isWordChar(c);
      if (word && !previousWord) out.push(WORD_MARK);
      previousWord = word;
      out.push(c);
    }
    return out;
  }

  /* The terms of a query as indexed strings; lengths and offsets below are UTF-16 code units,
   * as in the index. */
  function queryTerms(query) {
    var terms = [];
    String(query || '')
      .split(/[\p{White_Space}\u0001]+/u)
      .forEach(function (part) {
        if (part) {
          var chars = indexedChars(part);
          if (chars.length) terms.push(chars.join(''));
        }
      });
    return terms;
  }

  /* ---- index data ---- */

  function decodeVlq(text) {
    var values = [];
    var value = 0;
    var scale = 1;
    for (var i = 0; i < text.length; i++) {
      var digit = DIGIT_VALUE[text.charCodeAt(i)];
      value += (digit & 31) * scale;
      if (digit & 32) {
        scale *= 32;
      } else {
        values.push(value);
        value = 0;
        scale = 1;
      }
    }
    return values;
  }

  function gramHash(gram) {
    var hash = 0x811c9dc5;
    for (var i = 0; i < gram.length; i++) {
      hash ^= gram.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash >>> 0;
  }

  var LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/;

  /* A gram as the shards name it: its text, or "#" and four hex digits per code unit when it
   * holds half of a surrogate pair. */
  function gramKey(gram) {
    if (!LONE_SURROGATE.test(gram)) return gram;
    var key = '#';
    for (var i = 0; i < gram.length; i++) key += ('000' + gram.charCodeAt(i).toString(16)).slice(-4);
    return key;
  }

  /* Creates an engine; `loader(name)` loads "meta", "g2/17" or "d/5" (the records of documents
   * 5·perFile onwards) and the file then calls DJSearch.meta/shard/docs. In the page, a script
   * tag; in tests, a file read. */
  function Engine(loader) {
    this.loader = loader;
    this.files = {};
    this.waiting = {};
    this.meta = null;
  }

  Engine.prototype.arrive = function (name, data) {
    this.files[name] = data;
    var pending = this.waiting[name];
    if (pending && pending.resolveFile) pending.resolveFile(data);
  };

  Engine.prototype.receiveMeta = function (meta) {
    var values = decodeVlq(meta.docs);
    var section = new Array(meta.count);
    var titleLen = new Array(meta.count);
    var branches = new Array(meta.count);
    var at = 0;
    for (var id = 0; id < meta.count; id++) {
      var packed = values[at++];
      section[id] = Math.floor(packed / 4);
      titleLen[id] = values[at++];
      var n = packed % 4;
      if (n === 3) n += values[at++];
      branches[id] = values.slice(at, at + n);
      at += n;
    }
    this.meta = meta;
    this.section = section;
    this.titleLen = titleLen;
    this.branches = branches;
    this.arrive('meta', meta);
  };

  Engine.prototype.file = function (name) {
    var self = this;
    if (name in self.files) return Promise.resolve(self.files[name]);
    if (!self.waiting[name]) {
      var resolveFile;
      var rejectFile;
      var promise = new Promise(function (resolve, reject) {
        resolveFile = resolve;
        rejectFile = reject;
      });
      promise.resolveFile = resolveFile;
      self.waiting[name] = promise;
      Promise.resolve()
        .then(function () {
          return self.loader(name);
        })
        .then(function () {
          // A loader that ran the file synchronously (Node) has delivered it by now.
          if (!(name in self.files)) throw new Error('the index file ' + name + ' did not load');
          resolveFile(self.files[name]);
        })
        .catch(function (error) {
          delete self.waiting[name];
          rejectFile(error);
        });
    }
    return self.waiting[name];
  };

  Engine.prototype.ready = function () {
    return this.file('meta');
  };

  Engine.prototype.shardOf = function (gram) {
    return 'g' + gram.length + '/' + (gramHash(gram) % this.meta.shards[gram.length - 1]);
  };

  Engine.prototype.postings = function (gram) {
    return this.file(this.shardOf(gram)).then(function (shard) {
      return shard[gramKey(gram)] || '';
    });
  };

  /* Documents holding a short term: Map id → {count, title}. */
  function shortTermDocs(encoded) {
    var values = decodeVlq(encoded);
    var docs = new Map();
    var id = 0;
    for (var i = 0; i + 1 < values.length; i += 2) {
      id += values[i];
      docs.set(id, { count: Math.floor(values[i + 1] / 2), title: values[i + 1] % 2 === 1 });
    }
    return docs;
  }

  /* Positions of a four-character gram: Map id → sorted positions. */
  function gramPositions(encoded) {
    var values = decodeVlq(encoded);
    var docs = new Map();
    var id = 0;
    var i = 0;
    while (i < values.length) {
      id += values[i];
      var count = values[i + 1];
      var positions = new Array(count);
      var p = 0;
      for (var k = 0; k < count; k++) {
        p += values[i + 2 + k];
        positions[k] = p;
      }
      docs.set(id, positions);
      i += 2 + count;
    }
    return docs;
  }

  function contains(sorted, value) {
    var lo = 0;
    var hi = sorted.length - 1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (sorted[mid] === value) return true;
      if (sorted[mid] < value) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  /* The grams whose positions prove a long term: every GRAM-th one, and the last. */
  function coverOffsets(length) {
    var offsets = [];
    for (var o = 0; o + GRAM < length; o += GRAM) offsets.push(o);
    offsets.push(length - GRAM);
    return offsets;
  }

  Engine.prototype.termDocs = function (term) {
    var self = this;
    if (term.length < GRAM) {
      return self.postings(term).then(shortTermDocs);
    }
    var offsets = coverOffsets(term.length);
    return Promise.all(
      offsets.map(function (o) {
        return self.postings(term.slice(o, o + GRAM)).then(gramPositions);
      })
    ).then(function (lists) {
      var docs = new Map();
      var smallest = lists.reduce(function (a, b) {
        return b.size < a.size ? b : a;
      });
      smallest.forEach(function (_, id) {
        var at = [];
        for (var k = 0; k < lists.length; k++) {
          var positions = lists[k].get(id);
          if (!positions) return;
          at.push(positions);
        }
        var count = 0;
        var title = false;
        var starts = at[0];
        for (var s = 0; s < starts.length; s++) {
          var start = starts[s];
          var all = true;
          for (var j = 1; j < offsets.length && all; j++) all = contains(at[j], start + offsets[j]);
          if (all) {
            count++;
            if (start + term.length <= self.titleLen[id]) title = true;
          }
        }
        if (count) docs.set(id, { count: count, title: title });
      });
      return docs;
    });
  };

  /* Runs a query. Resolves to {terms, hits: [{id, count, titleTerms}], facets} with hits ranked:
   * more terms in the title first, then more occurrences, then newer pages. Filters: {section,
   * branch} as indexes into meta.sections / meta.branches (facets count before filtering). */
  Engine.prototype.search = function (query, filters) {
    var self = this;
    filters = filters || {};
    var terms = queryTerms(query);
    return self.ready().then(function () {
      if (!terms.length) return { terms: terms, hits: [], total: 0, facets: { sections: [], branches: [] } };
      return Promise.all(terms.map(self.termDocs, self)).then(function (maps) {
        maps.sort(function (a, b) {
          return a.size - b.size;
        });
        var hits = [];
        maps[0].forEach(function (first, id) {
          var count = first.count;
          var titleTerms = first.title ? 1 : 0;
          for (var k = 1; k < maps.length; k++) {
            var other = maps[k].get(id);
            if (!other) return;
            count += other.count;
            if (other.title) titleTerms++;
          }
          hits.push({ id: id, count: count, titleTerms: titleTerms });
        });
        var sections = self.meta.sections.map(function () {
          return 0;
        });
        var branches = self.meta.branches.map(function () {
          return 0;
        });
        hits.forEach(function (hit) {
          sections[self.section[hit.id]]++;
          self.branches[hit.id].forEach(function (b) {
            branches[b]++;
          });
        });
        var kept = hits.filter(function (hit) {
          if (filters.section != null && self.section[hit.id] !== filters.section) return false;
          if (filters.branch != null && self.branches[hit.id].indexOf(filters.branch) < 0) return false;
          return true;
        });
        kept.sort(function (a, b) {
          return b.titleTerms - a.titleTerms || b.count - a.count || a.id - b.id;
        });
        return { terms: terms, hits: kept, total: kept.length, facets: { sections: sections, branches: branches } };
      });
    });
  };

  /* The record {path, date, text} of document `id`, from the file it shares with its neighbours. */
  Engine.prototype.doc = function (id) {
    var self = this;
    return self.ready().then(function () {
      var perFile = self.meta.perFile;
      return self.file('d/' + Math.floor(id / perFile)).then(function (records) {
        return records[id % perFile];
      });
    });
  };

  /* Where the terms occur in `text`: [[start, end], …] in UTF-16 offsets, sorted. */
  function matchRanges(text, terms) {
    terms = terms.map(function (term) {
      return Array.from(term);
    });
    var chars = Array.from(text);
    var normalized = chars.map(normalizeChar);
    var offsets = [];
    var at = 0;
    chars.forEach(function (c) {
      offsets.push(at);
      at += c.length;
    });
    offsets.push(at);
    var ranges = [];
    terms.forEach(function (term) {
      var plain = term.filter(function (c) {
        return c !== WORD_MARK;
      });
      var wordStart = term[0] === WORD_MARK;
      for (var i = 0; i + plain.length <= normalized.length; i++) {
        var ok = true;
        for (var k = 0; k < plain.length && ok; k++) ok = normalized[i + k] === plain[k];
        if (ok && wordStart && i > 0 && isWordChar(normalized[i - 1])) ok = false;
        if (ok) ranges.push([offsets[i], offsets[i + plain.length]]);
      }
    });
    ranges.sort(function (a, b) {
      return a[0] - b[0];
    });
    return ranges;
  }

  /* A passage of `text` around the first match: {text, marks: [[start, end], …]}. */
  function passage(text, terms, before, after) {
    var ranges = matchRanges(text, terms);
    var first = ranges.length ? ranges[0][0] : 0;
    var blockStart = text.lastIndexOf(BLOCK_BREAK, first - 1) + 1;
    var blockEnd = text.indexOf(BLOCK_BREAK, first);
    if (blockEnd < 0) blockEnd = text.length;
    var start = Math.max(blockStart, first - before);
    var end = Math.min(blockEnd, first + after);
    var marks = ranges
      .filter(function (r) {
        return r[0] >= start && r[1] <= end;
      })
      .map(function (r) {
        return [r[0] - start, r[1] - start];
      });
    return {
      text: text.slice(start, end),
      marks: marks,
      cutStart: start > blockStart,
      cutEnd: end < blockEnd
    };
  }

  var api = {
    Engine: Engine,
    queryTerms: queryTerms,
    normalizeChar: normalizeChar,
    passage: passage,
    matchRanges: matchRanges
  };

  /* ---- the search page ---- */

  var engine = null;

  function currentEngine() {
    return engine;
  }

  /* Index files call these. */
  api.meta = function (meta) {
    if (engine) engine.receiveMeta(meta);
  };
  api.shard = function (name, data) {
    if (engine) engine.arrive(name, data);
  };
  api.docs = function (group, records) {
    if (engine) engine.arrive('d/' + group, records);
  };
  api.use = function (created) {
    engine = created;
    return engine;
  };
  api.current = currentEngine;

  global.DJSearch = api;

  if (typeof document === 'undefined') return;
  var metaScript = document.querySelector('script[data-search-meta]');
  if (!metaScript) return;
  var indexBase = metaScript.src.replace(/meta\.js(?:[?#].*)?$/, '');
  var siteRoot = indexBase.replace(/search\/$/, '');

  api.use(
    new Engine(function (name) {
      if (name === 'meta') {
        // meta.js is in the page already; it calls DJSearch.meta when it has run.
        return new Promise(function (resolve, reject) {
          if (engine.meta) return resolve();
          metaScript.addEventListener('load', function () {
            resolve();
          });
          metaScript.addEventListener('error', function () {
            reject(new Error('meta.js'));
          });
        });
      }
      // A request that gets no answer (a busy or flaky intranet server) is tried again on a
      // fresh request after a few seconds, twice at most.
      return new Promise(function (resolve, reject) {
        var attempt = 0;
        function request() {
          var script = document.createElement('script');
          var timer = setTimeout(function () {
            script.onload = script.onerror = null;
            if (name in engine.files) return resolve();
            if (attempt < 2) request();
            else reject(new Error(name));
          }, 5000);
          script.src = indexBase + name + '.js' + (attempt ? '?retry=' + attempt : '');
          script.async = true;
          script.onload = function () {
            clearTimeout(timer);
            resolve();
          };
          script.onerror = function () {
            clearTimeout(timer);
            reject(new Error(name));
          };
          attempt++;
          document.head.appendChild(script);
        }
        request();
      });
    })
  );

  var PAGE = 10;
  var form = document.querySelector('[data-search-form]');
  var input = document.getElementById('dj-search-q');
  var sectionSelect = document.getElementById('dj-search-section');
  var branchSelect = document.getElementById('dj-search-branch');
  var status = document.getElementById('dj-search-status');
  var list = document.getElementById('dj-search-results');
  var more = document.getElementById('dj-search-more');
  var shown = 0;
  var last = null;
  var runId = 0;

  function pageUrl(path) {
    var url = siteRoot + path.replace(/^\//, '');
    if (engine.meta.relative && /\/$/.test(url)) url += 'index.html';
    return url;
  }

  function params() {
    var query = new URLSearchParams(window.location.search);
    return { q: query.get('q') || '', section: query.get('section') || '', branch: query.get('branch') || '' };
  }

  function fillSelect(select, names, counts, chosen, allLabel) {
    if (!select) return;
    select.textContent = '';
    var all = document.createElement('option');
    all.value = '';
    all.textContent = allLabel;
    select.appendChild(all);
    names.forEach(function (name, i) {
      var option = document.createElement('option');
      option.value = name;
      option.textContent = counts ? name + '（' + counts[i] + '）' : name;
      if (name === chosen) option.selected = true;
      select.appendChild(option);
    });
    select.closest('[data-search-filter]').hidden = names.length < 2 && !chosen;
  }

  function appendMarked(parent, part) {
    var at = 0;
    part.marks.forEach(function (m) {
      if (m[0] < at) return;
      parent.appendChild(document.createTextNode(part.text.slice(at, m[0])));
      var mark = document.createElement('mark');
      mark.textContent = part.text.slice(m[0], m[1]);
      parent.appendChild(mark);
      at = m[1];
    });
    parent.appendChild(document.createTextNode(part.text.slice(at)));
  }

  function renderHit(hit, record, terms) {
    var lineEnd = record.text.indexOf(BLOCK_BREAK);
    var title = lineEnd < 0 ? record.text : record.text.slice(0, lineEnd);
    var item = document.createElement('li');
    item.className = 'search-hit';
    var url = pageUrl(record.path);
    item.setAttribute('data-search-url', url);
    var heading = document.createElement('h2');
    heading.className = 'search-hit-title';
    var link = document.createElement('a');
    link.href = url;
    appendMarked(link, passage(title, terms, title.length, title.length));
    heading.appendChild(link);
    item.appendChild(heading);
    var meta = document.createElement('p');
    meta.className = 'search-hit-meta';
    var facts = [engine.meta.sections[engine.section[hit.id]][0]];
    if (record.date) facts.push(record.date);
    engine.branches[hit.id].forEach(function (b) {
      facts.push(engine.meta.branches[b]);
    });
    meta.textContent = facts.filter(Boolean).join(' · ');
    item.appendChild(meta);
    var body = lineEnd < 0 ? '' : record.text.slice(lineEnd + 1);
    var part = passage(body, terms, 40, 120);
    if (!part.marks.length) part = passage(record.text, terms, 40, 120);
    var quote = document.createElement('p');
    quote.className = 'search-hit-passage';
    if (part.cutStart) quote.appendChild(document.createTextNode('……'));
    appendMarked(quote, part);
    if (part.cutEnd) quote.appendChild(document.createTextNode('……'));
    item.appendChild(quote);
    return item;
  }

  function showMore() {
    var result = last;
    var batch = result.hits.slice(shown, shown + PAGE);
    shown += batch.length;
    var id = runId;
    list.setAttribute('data-search-state', 'loading');
    return Promise.all(
      batch.map(function (hit) {
        return engine.doc(hit.id);
      })
    ).then(function (records) {
      if (id !== runId) return;
      records.forEach(function (record, i) {
        list.appendChild(renderHit(batch[i], record, result.terms));
      });
      more.hidden = shown >= result.total;
      list.setAttribute('data-search-state', 'done');
    });
  }

  function run() {
    var wanted = params();
    input.value = wanted.q;
    var id = ++runId;
    list.textContent = '';
    shown = 0;
    more.hidden = true;
    if (!wanted.q.trim()) {
      status.textContent = '请输入要查找的词句。';
      list.setAttribute('data-search-state', 'done');
      return engine.ready().then(function () {
        fillSelect(sectionSelect, sectionNames(), null, wanted.section, '全部栏目');
        fillSelect(branchSelect, engine.meta.branches, null, wanted.branch, '全部党支部');
      });
    }
    status.textContent = '正在搜索……';
    list.setAttribute('data-search-state', 'loading');
    var started = performance.now();
    return engine
      .ready()
      .then(function () {
        var names = sectionNames();
        var filters = {
          section: wanted.section ? names.indexOf(wanted.section) : null,
          branch: wanted.branch ? engine.meta.branches.indexOf(wanted.branch) : null
        };
        return engine.search(wanted.q, filters).then(function (result) {
          if (id !== runId) return;
          api.lastTiming = performance.now() - started;
          last = result;
          fillSelect(sectionSelect, names, result.facets.sections, wanted.section, '全部栏目');
          fillSelect(branchSelect, engine.meta.branches, result.facets.branches, wanted.branch, '全部党支部');
          status.textContent = result.total
            ? '找到 ' + result.total + ' 篇包含“' + wanted.q.trim() + '”的文章。'
            : '没有找到包含“' + wanted.q.trim() + '”的文章。请检查用字，或减少关键词。';
          list.setAttribute('data-search-total', String(result.total));
          return showMore();
        });
      })
      .catch(function () {
        if (id !== runId) return;
        status.textContent = '搜索索引加载失败，请刷新页面后重试。';
        list.setAttribute('data-search-state', 'error');
      });
  }

  function sectionNames() {
    return engine.meta.sections.map(function (s) {
      return s[0];
    });
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var query = new URLSearchParams();
    query.set('q', input.value.trim());
    if (sectionSelect && sectionSelect.value) query.set('section', sectionSelect.value);
    if (branchSelect && branchSelect.value) query.set('branch', branchSelect.value);
    window.history.pushState(null, '', '?' + query.toString());
    run();
  });
  [sectionSelect, branchSelect].forEach(function (select) {
    if (select) {
      select.addEventListener('change', function () {
        form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event('submit'));
      });
    }
  });
  more.addEventListener('click', function () {
    var next = list.children.length;
    showMore().then(function () {
      // Keyboard users continue at the first new result.
      var link = list.children[next] && list.children[next].querySelector('a');
      if (link) link.focus();
    });
  });
  window.addEventListener('popstate', run);
  run();
})(typeof window !== 'undefined' ? window : globalThis);
