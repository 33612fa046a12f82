//! Search finds exactly the pages that hold a phrase. A corpus of a few hundred pages is made from
//! the example site's own sentences (so phrases recur across pages, as on a real Party-building
//! site), with Latin words, numbers and full-width forms mixed in; it is built, and many sampled
//! substrings are run through the theme's search script in Node (tests/search/query.mjs, the same
//! code the search page runs) and compared with a plain scan of every page's text.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{Site, files_with_extension, repo, run_browser_script_with};
use dangjian::search::text::{WORD_MARK, indexed_chars};
use serde_json::Value;

/// The tests of this file each build a site and run Node or Chromium: one at a time, so the
/// browser test never waits on a busy machine.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner())
}

/// A small deterministic generator (xorshift), so every run samples the same queries.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The sentences of the example site's pages, without Markdown syntax.
fn example_sentences() -> Vec<String> {
    let mut sentences = BTreeSet::new();
    for file in files_with_extension(&repo().join("site/content"), "md") {
        let text = fs::read_to_string(&file).unwrap();
        let body = text.splitn(3, "+++").nth(2).unwrap_or(&text).to_string();
        for line in body.lines() {
            let line = line.trim_start_matches(['#', '-', '>', ' ', '*', '|']);
            if line.contains(['[', ']', '(', ')', '{', '}', '<', '`', '|', '@', '!', '*', '_']) {
                continue;
            }
            for sentence in line.split_inclusive('。') {
                let sentence = sentence.trim();
                if sentence.chars().count() >= 6 {
                    sentences.insert(sentence.to_string());
                }
            }
        }
    }
    sentences.into_iter().collect()
}

const LATIN: [&str; 8] = ["APP", "OA系统", "5G基站", "PDF版", "Web端", "ＡＰＰ", "2024年度", "e党建"];
const TAGS: [&str; 6] = ["三会一课", "主题党日", "理论学习", "警示教育", "志愿服务", "标准化党支部"];
const BRANCHES: [&str; 4] = ["机关第一党支部", "机关第二党支部", "监测中心党支部", "执法支队党支部"];
const SECTIONS: [(&str, &str); 3] = [("study", "学习资料"), ("news", "支部动态"), ("integrity", "廉政教育")];

/// Writes `pages` pages into `site` from the example sentences; returns each page's branch by
/// site path.
fn write_corpus(site: &Site, pages: usize, random: &mut Random) -> BTreeMap<String, String> {
    let mut branches = BTreeMap::new();
    let sentences = example_sentences();
    assert!(sentences.len() > 100, "the example site has too few sentences: {}", sentences.len());
    fs::remove_dir_all(site.site.join("content")).unwrap();
    // No corpus page names a topic.
    site.remove("data/topics.toml");
    site.write("content/_index.md", "+++\ntitle = \"首页\"\n+++\n");
    for (dir, title) in SECTIONS {
        site.write(
            &format!("content/{dir}/_index.md"),
            format!("+++\ntitle = \"{title}\"\npaginate_by = 20\n+++\n"),
        );
    }
    for n in 0..pages {
        let (dir, _) = random.pick(&SECTIONS);
        let title: String = random.pick::<String>(&sentences).chars().take(6 + random.below(14)).collect();
        let mut body = String::new();
        for p in 0..2 + random.below(5) {
            if p > 0 && random.below(3) == 0 {
                body.push_str(&format!("## 第{}部分\n\n", p + 1));
            }
            for _ in 0..1 + random.below(4) {
                body.push_str(random.pick::<String>(&sentences));
                if random.below(6) == 0 {
                    body.push_str(&format!("使用{}办理，", random.pick(&LATIN)));
                }
            }
            body.push_str("\n\n");
        }
        let tag = random.pick(&TAGS);
        let branch = random.pick(&BRANCHES);
        let date = format!("2024-{:02}-{:02}", 1 + random.below(12), 1 + random.below(28));
        branches.insert(format!("/{dir}/p{n:04}/"), branch.to_string());
        site.write(
            &format!("content/{dir}/p{n:04}.md"),
            format!(
                "+++\ntitle = \"{}\"\ndate = {date}\n\n[taxonomies]\ntags = [\"{tag}\"]\nbranches = [\"{branch}\"]\n+++\n\n{body}",
                // Quotes and backslashes would need escaping in TOML; titles do without them.
                title.replace(['"', '\\'], "")
            ),
        );
    }
    branches
}

/// Every page record of the index (`search/d/<group>.js`, each `DJSearch.docs(group,[…]);`).
fn records(public: &Path) -> Vec<Value> {
    let mut records = Vec::new();
    for file in files_with_extension(&public.join("search/d"), "js") {
        let script = fs::read_to_string(&file).unwrap();
        let args = script
            .trim_end()
            .strip_prefix("DJSearch.docs(")
            .and_then(|s| s.strip_suffix(");"))
            .unwrap();
        let call: Value = serde_json::from_str(&format!("[{args}]")).unwrap();
        let group = call[0].as_u64().unwrap();
        assert_eq!(file.file_stem().unwrap().to_str(), Some(group.to_string().as_str()));
        records.extend(call[1].as_array().unwrap().iter().cloned());
    }
    records
}

/// Every page's searchable text as the index recorded it, by site path.
fn page_texts(public: &Path) -> BTreeMap<String, String> {
    records(public)
        .iter()
        .map(|record| {
            (
                record["path"].as_str().unwrap().to_string(),
                record["text"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn marked(text: &str) -> String {
    let mut chars = Vec::new();
    indexed_chars(text, &mut chars);
    chars.into_iter().collect()
}

/// The pages whose text holds every term of `query` (terms split at whitespace; Latin words
/// matched from their first letter), by a plain scan.
fn expected(texts: &BTreeMap<String, String>, query: &str) -> BTreeSet<String> {
    let terms: Vec<String> = query.split_whitespace().map(marked).collect();
    texts
        .iter()
        .filter(|(_, text)| terms.iter().all(|t| text.contains(t.as_str())))
        .map(|(path, _)| path.clone())
        .collect()
}

/// The site paths of a query's hits, in rank order.
fn paths(result: &Value) -> impl Iterator<Item = &str> {
    result["paths"].as_array().into_iter().flatten().filter_map(Value::as_str)
}

/// Runs `queries` through the search script against `public`.
fn run_queries(public: &Path, queries: &[Value]) -> Vec<Value> {
    let mut child = Command::new("node")
        .arg(repo().join("tests/search/query.mjs"))
        .arg(public)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs (apt-get install nodejs)");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(Value::Array(queries.to_vec()).to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "query.mjs failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice::<Vec<Value>>(&output.stdout).unwrap()
}

/// Substrings of 1 to 8 characters sampled from the pages' text, never starting inside a Latin
/// word (those match by prefix) and never spanning whitespace.
fn sample_queries(texts: &BTreeMap<String, String>, random: &mut Random, count: usize, latin: bool) -> Vec<String> {
    let pages: Vec<Vec<char>> = texts.values().map(|t| t.chars().collect()).collect();
    let mut queries = BTreeSet::new();
    let mut tries = 0;
    while queries.len() < count && tries < count * 200 {
        tries += 1;
        let chars = random.pick(&pages);
        let start = random.below(chars.len());
        let length = 1 + random.below(8);
        if start + length > chars.len() {
            continue;
        }
        let sample: String = chars[start..start + length].iter().collect();
        if sample.contains([' ', '\n']) || sample.ends_with(WORD_MARK) {
            continue;
        }
        let word = |c: char| c < '\u{2E80}' && c.is_alphanumeric();
        if sample.chars().any(word) != latin {
            continue;
        }
        // Inside a Latin word: Latin words match from their first letter only.
        if start > 0 && word(chars[start]) && word(chars[start - 1]) {
            continue;
        }
        queries.insert(sample.replace(WORD_MARK, ""));
    }
    queries.into_iter().collect()
}

/// A built corpus, each page's marked text and each page's branch, by site path.
fn corpus_site(pages: usize, seed: u64) -> (Site, BTreeMap<String, String>, BTreeMap<String, String>) {
    let site = Site::copy_from(&repo().join("site"));
    let mut random = Random(seed);
    let branches = write_corpus(&site, pages, &mut random);
    site.build(&[]).expect_code(0, "build the corpus");
    let public = site.out.clone();
    let texts: BTreeMap<String, String> = page_texts(&public).into_iter().map(|(path, text)| (path, marked(&text))).collect();
    assert_eq!(texts.len(), pages, "every page is in the index");
    (site, texts, branches)
}

fn assert_exact(public: &Path, texts: &BTreeMap<String, String>, queries: &[String]) {
    let results = run_queries(public, &queries.iter().map(|q| Value::String(q.clone())).collect::<Vec<_>>());
    let mut wrong = Vec::new();
    for (query, result) in queries.iter().zip(&results) {
        let found: BTreeSet<String> = paths(result).map(String::from).collect();
        let want = expected(texts, query);
        assert_eq!(result["total"].as_u64(), Some(found.len() as u64));
        if found != want {
            let missing: Vec<_> = want.difference(&found).take(3).collect();
            let extra: Vec<_> = found.difference(&want).take(3).collect();
            wrong.push(format!(
                "{query:?}: {} found, {} expected; missing {missing:?}, extra {extra:?}",
                found.len(),
                want.len()
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} queries wrong:\n{}",
        wrong.len(),
        queries.len(),
        wrong.join("\n")
    );
}

#[test]
fn every_sampled_chinese_substring_finds_exactly_the_pages_that_hold_it() {
    let _turn = one_at_a_time();
    let (site, texts, _) = corpus_site(300, 0x5eed_1234);
    let mut random = Random(42);
    let queries = sample_queries(&texts, &mut random, 400, false);
    assert!(queries.len() >= 300, "{}", queries.len());
    let lengths: BTreeSet<usize> = queries.iter().map(|q| q.chars().count()).collect();
    assert!((1..=8).all(|n| lengths.contains(&n)), "{lengths:?}");
    assert_exact(&site.out, &texts, &queries);
}

#[test]
fn mixed_latin_queries_and_several_terms_are_exact_too() {
    let _turn = one_at_a_time();
    let (site, texts, _) = corpus_site(300, 0x0bad_cafe);
    let mut random = Random(7);
    let mut queries = sample_queries(&texts, &mut random, 120, true);
    assert!(queries.len() >= 40, "{}", queries.len());
    // Several terms are ANDed; full-width and upper-case forms find the same pages.
    let singles = sample_queries(&texts, &mut random, 60, false);
    for pair in singles.chunks(2) {
        queries.push(pair.join(" "));
    }
    queries.extend(
        [
            "ＡＰＰ",
            "app",
            "App",
            "oa系",
            "5g",
            "２０２４年度",
            "e党",
            "党建 app",
            "三会一课　主题党日",
        ]
        .map(String::from),
    );
    // Terms that are in no page find nothing.
    queries.extend(["雁过拔毛", "xyzzy", "pp"].map(String::from));
    assert_exact(&site.out, &texts, &queries);
    let results = run_queries(&site.out, &[Value::from("ＡＰＰ"), Value::from("pp"), Value::from("app")]);
    assert!(results[0]["total"].as_u64().unwrap() > 0);
    assert_eq!(results[0]["paths"], results[2]["paths"]);
    assert_eq!(results[1]["total"], 0, "Latin words match from their first letter");
}

#[test]
fn results_are_ranked_and_filtered() {
    let _turn = one_at_a_time();
    let (site, texts, branches) = corpus_site(200, 0x1234_5678);
    let public = site.out.clone();
    let tag = "三会一课";
    let results = run_queries(
        &public,
        &[
            Value::from(tag),
            serde_json::json!({"q": tag, "section": "支部动态"}),
            serde_json::json!({"q": tag, "branch": "机关第一党支部"}),
        ],
    );
    let all: Vec<&str> = paths(&results[0]).collect();
    assert_eq!(all.len(), expected(&texts, tag).len());
    // Pages with the term in the title come first; then more occurrences; then newer.
    let in_title = |path: &str| texts[path].split('\n').next().unwrap().contains(tag);
    let first_without = all.iter().position(|p| !in_title(p)).unwrap_or(all.len());
    assert!(
        all[first_without..].iter().all(|p| !in_title(p)),
        "title hits are not first: {all:?}"
    );
    let counts: Vec<usize> = all[first_without..].iter().map(|p| texts[*p].matches(tag).count()).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "not ordered by frequency: {counts:?}");
    let news: BTreeSet<&str> = paths(&results[1]).collect();
    assert!(!news.is_empty());
    assert_eq!(news, all.iter().copied().filter(|p| p.starts_with("/news/")).collect());
    let branch: BTreeSet<&str> = paths(&results[2]).collect();
    assert!(!branch.is_empty() && branch.len() < all.len());
    assert_eq!(branch, all.iter().copied().filter(|p| branches[*p] == "机关第一党支部").collect());
}

#[test]
fn the_index_records_every_published_page_and_the_build_can_leave_it_out() {
    let _turn = one_at_a_time();
    let site = Site::copy_from(&repo().join("site"));
    site.build(&[]).expect_code(0, "build");
    let public = site.out.clone();
    let pages = records(&public).len();
    let files = files_with_extension(&public.join("search/d"), "js").len();
    assert_eq!(files, pages.div_ceil(dangjian::search::RECORDS_PER_FILE), "records share files");
    let sitemap = fs::read_to_string(public.join("sitemap.xml")).unwrap();
    let page_urls = sitemap.matches("<loc>").count();
    assert!(pages > 30 && pages < page_urls, "{pages} indexed, {page_urls} in the sitemap");
    let search_page = fs::read_to_string(public.join("search/index.html")).unwrap();
    assert!(search_page.contains("data-search-meta"));
    let home = fs::read_to_string(public.join("index.html")).unwrap();
    assert!(home.contains("role=\"search\""), "every page has a search box");

    let config = fs::read_to_string(site.site.join("config.toml")).unwrap();
    site.write(
        "config.toml",
        config.replace("allow_robots = false", "allow_robots = false\nbuild_search_index = false"),
    );
    site.build(&[]).expect_code(0, "build without search");
    assert!(!public.join("search").exists());
    assert!(!fs::read_to_string(public.join("index.html")).unwrap().contains("role=\"search\""));
}

/// A build streams the index table by table; the preview server builds it whole and renders each
/// file when asked. Both must give the same bytes.
#[test]
fn the_preview_server_holds_the_index_files_the_build_writes() {
    let _turn = one_at_a_time();
    let site = Site::copy_from(&repo().join("site"));
    let options = dangjian::site::BuildOptions {
        site_dir: site.site.clone(),
        base_url: None,
        drafts: false,
        now: chrono::NaiveDate::from_ymd_opt(2025, 6, 1)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .unwrap(),
        include_unreviewed: false,
    };
    let built = dangjian::site::build(&options, &site.out).unwrap_or_else(|e| panic!("build: {e:?}"));
    let prepared = dangjian::site::prepare(&options, None).unwrap_or_else(|found| panic!("{}", dangjian::site::report(&found)));
    let files = dangjian::search::files(&prepared.values.library);
    assert!(files.len() > 20, "{} index files", files.len());
    assert_eq!(files_with_extension(&site.out.join("search"), "js").len(), files.len());
    for file in files {
        let path = file.site_path();
        let written = fs::read(site.out.join(path.trim_start_matches('/'))).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(
            prepared.values.search().render(file) == written,
            "{path} differs ({} files built)",
            built.files
        );
    }
}

#[test]
fn the_search_page_finds_the_same_pages_served_under_a_sub_path_and_from_file() {
    let _turn = one_at_a_time();
    let site = Site::copy_from(&repo().join("site"));
    site.build(&[]).expect_code(0, "build");
    let texts: BTreeMap<String, String> = page_texts(&site.out)
        .into_iter()
        .map(|(path, text)| (path, marked(&text)))
        .collect();
    let queries: Vec<Value> = [
        "三会一课",
        "标准化",
        "党支部",
        "党风廉政建设",
        "河长制 巡河",
        "清河",
        "2024",
        "雁过拔毛",
    ]
    .iter()
    .map(|q| serde_json::json!({"q": q, "paths": expected(&texts, q)}))
    .collect();
    assert!(
        queries[2]["paths"].as_array().unwrap().len() > 10,
        "a query with more than one page of hits"
    );
    let cases = site.site.parent().unwrap().join("search-cases.json");
    fs::write(&cases, serde_json::json!({"site": site.site, "queries": queries}).to_string()).unwrap();
    run_browser_script_with(
        "search.mjs",
        &[cases.as_os_str()],
        &["playwright-core"],
        std::time::Duration::from_secs(300),
    );
}
