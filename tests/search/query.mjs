// Runs the theme's search engine (themes/default/static/js/search.js) in Node against a built
// site, loading index files from disk the way the browser loads them as scripts.
//
//   node tests/search/query.mjs SITE_OUTPUT_DIR < queries.json
//
// Input: a JSON array of queries (strings, or {q, section, branch} with names). Output: a JSON
// array with, per query, {paths: [site paths in rank order], total, bytes: bytes of index files
// loaded for it (meta included on the first), files: number of those files}.
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const site = process.argv[2];
const script = fs.readFileSync(path.join(here, '../../themes/default/static/js/search.js'), 'utf8');
const context = vm.createContext({ console, Promise, Map, Math, Array, String, Error, URLSearchParams });
context.globalThis = context;
vm.runInContext(script, context);
const api = context.DJSearch;

let bytes = 0;
let files = 0;
const engine = api.use(
  new api.Engine((name) => {
    const file = path.join(site, 'search', `${name}.js`);
    const text = fs.readFileSync(file, 'utf8');
    bytes += Buffer.byteLength(text);
    files += 1;
    vm.runInContext(text, context);
  })
);

const queries = JSON.parse(fs.readFileSync(0, 'utf8'));
const out = [];
for (const query of queries) {
  const q = typeof query === 'string' ? { q: query } : query;
  bytes = 0;
  files = 0;
  await engine.ready();
  const filters = {
    section: q.section ? engine.meta.sections.findIndex((s) => s[0] === q.section) : null,
    branch: q.branch ? engine.meta.branches.indexOf(q.branch) : null,
  };
  const result = await engine.search(q.q, filters);
  const searchBytes = bytes;
  const searchFiles = files;
  const paths = [];
  for (const hit of result.hits) {
    paths.push((await engine.doc(hit.id)).path);
  }
  out.push({ paths, total: result.total, bytes: searchBytes, files: searchFiles });
}
process.stdout.write(JSON.stringify(out));
