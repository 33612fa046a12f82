//! Full-text search that finds exactly the pages holding a phrase, offline.
//!
//! The build writes, under `/search/`: `meta.js` (sections, branches, and for each document its
//! section, branches and title length), the gram shards `g1/`…`g4/` (see [`index`]) and the page
//! records `d/<group>.js`, [`RECORDS_PER_FILE`] pages a file, with the text the results page
//! quotes from. Every file is a script that hands its data to `window.DJSearch`, so the search
//! works from `file://` as well as from any host and sub-path; the browser loads only the shards
//! a query needs. Documents are numbered
//! newest first, so a lower id is a more recent page.

pub mod index;
pub mod text;

use rayon::prelude::*;
use serde_json::json;

use crate::config::Config;
use crate::content::Library;
use crate::render::taxonomy::Taxonomy;
use index::{DocUnits, MAX_GRAM, Table, push_vlq};

/// The taxonomy whose terms filter results by branch.
const BRANCH_TAXONOMY: &str = "branches";

/// How many bytes of encoded postings a shard should hold: a query fetches one shard per gram,
/// and a common gram's own postings are often larger than this, so 32 KB adds little to a search
/// and halves the files of 16 KB.
const SHARD_TARGET_BYTES: f64 = 32.0 * 1024.0;

/// Encoded bytes of each gram table per byte of Markdown body, measured on the benchmark corpus;
/// they only size the shards, so an estimate does.
const TABLE_BYTES_PER_BODY_BYTE: [f64; MAX_GRAM] = [0.18, 0.44, 0.52, 1.3];

/// How many page records share one file. The ten hits of a results page are usually ten files
/// (ranking scatters them over the ids), so this multiplies what a first search downloads: four
/// keeps that near the size of the shards it loads, and still cuts the files to a quarter.
pub const RECORDS_PER_FILE: usize = 4;

/// One file of the search index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchFile {
    /// `search/meta.js`.
    Meta,
    /// `search/g<n>/<shard>.js`: grams of length n.
    Shard(usize, usize),
    /// `search/d/<group>.js`: the records of documents `group·RECORDS_PER_FILE` onwards.
    Records(usize),
}

impl SearchFile {
    /// Where the file is in the site: `/search/meta.js`, `/search/g2/7.js`, `/search/d/12.js`.
    pub fn site_path(self) -> String {
        match self {
            SearchFile::Meta => "/search/meta.js".to_string(),
            SearchFile::Shard(n, k) => format!("/search/g{n}/{k}.js"),
            SearchFile::Records(group) => format!("/search/d/{group}.js"),
        }
    }
}

/// The pages in document-id order: newest first, ties by file path.
pub fn doc_order(library: &Library) -> Vec<usize> {
    let mut order: Vec<usize> = (0..library.pages.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&library.pages[a], &library.pages[b]);
        b.date.cmp(&a.date).then_with(|| a.relative_path.cmp(&b.relative_path))
    });
    order
}

/// Shards per table, from the amount of text: known before anything is indexed, so the plan can
/// list every file, and the same for the same content.
pub fn shard_counts(library: &Library) -> [usize; MAX_GRAM] {
    let body_bytes: usize = library.pages.iter().map(|p| p.body.len() + p.title.len()).sum();
    TABLE_BYTES_PER_BODY_BYTE.map(|factor| ((body_bytes as f64 * factor / SHARD_TARGET_BYTES).ceil() as usize).max(1))
}

/// Every file of the index.
pub fn files(library: &Library) -> Vec<SearchFile> {
    let mut files = vec![SearchFile::Meta];
    for (table, count) in shard_counts(library).into_iter().enumerate() {
        files.extend((0..count).map(|k| SearchFile::Shard(table + 1, k)));
    }
    files.extend((0..library.pages.len().div_ceil(RECORDS_PER_FILE)).map(SearchFile::Records));
    files
}

/// A page as the index knows it (its text is kept apart, see [`Collected`]).
#[derive(Debug)]
struct Doc {
    path: String,
    date: Option<String>,
    section: usize,
    branches: Vec<usize>,
    title_len: usize,
}

/// What the index holds besides the gram tables: the pages in id order, the sections and
/// branches results are filtered by, and how many shards each table has.
#[derive(Debug)]
struct Head {
    docs: Vec<Doc>,
    sections: Vec<(String, String)>,
    branches: Vec<String>,
    shard_counts: [usize; MAX_GRAM],
    relative_urls: bool,
}

/// Everything the tables and files are made from: the head, each page's text (title,
/// description, body text and taxonomy terms, whitespace collapsed, blocks on lines; what results
/// quote) and that text as the tables read it (see [`index::DocUnits`]).
struct Collected {
    head: Head,
    texts: Vec<String>,
    units: Vec<Vec<u16>>,
}

impl Collected {
    /// Reads every published page.
    fn new(library: &Library, config: &Config, taxonomies: &[Taxonomy]) -> Collected {
        let order = doc_order(library);
        let branch_taxonomy = taxonomies.iter().find(|t| t.config.name == BRANCH_TAXONOMY);
        let branches: Vec<String> = branch_taxonomy
            .map(|t| t.terms.iter().map(|term| term.name.clone()).collect())
            .unwrap_or_default();
        let mut sections: Vec<(String, String)> = Vec::new();
        let mut section_ids = std::collections::HashMap::new();
        for &page in &order {
            let key = &library.pages[page].section;
            if !section_ids.contains_key(key) {
                let (title, path) = match library.section_index.get(key) {
                    Some(&s) => (library.sections[s].title.clone(), library.sections[s].path.clone()),
                    None => (String::new(), "/".to_string()),
                };
                section_ids.insert(key.clone(), sections.len());
                sections.push((title, path));
            }
        }
        let read: Vec<(Doc, String, Vec<u16>)> = order
            .par_iter()
            .map(|&index| {
                let page = &library.pages[index];
                let text = page_text(page);
                let units = text_units(&text);
                let mut title_chars = Vec::new();
                text::indexed_chars(&page.title, &mut title_chars);
                let page_branches = page.front.taxonomies.get(BRANCH_TAXONOMY);
                let doc = Doc {
                    path: page.path.clone(),
                    date: page.date.map(|d| d.day().format("%Y-%m-%d").to_string()),
                    section: section_ids.get(&page.section).copied().unwrap_or(0),
                    branches: page_branches
                        .map(|names| names.iter().filter_map(|n| branches.iter().position(|b| b == n)).collect())
                        .unwrap_or_default(),
                    title_len: title_chars.iter().map(|c| c.len_utf16()).sum(),
                };
                (doc, text, units)
            })
            .collect();
        let mut docs = Vec::with_capacity(read.len());
        let mut texts = Vec::with_capacity(read.len());
        let mut units = Vec::with_capacity(read.len());
        for (doc, text, doc_units) in read {
            docs.push(doc);
            texts.push(text);
            units.push(doc_units);
        }
        Collected {
            head: Head {
                docs,
                sections,
                branches,
                shard_counts: shard_counts(library),
                relative_urls: config.relative_urls,
            },
            texts,
            units,
        }
    }
}

/// What the table builder reads of each page, in id order.
fn doc_units<'a>(units: &'a [Vec<u16>], docs: &[Doc]) -> Vec<DocUnits<'a>> {
    units
        .iter()
        .zip(docs)
        .map(|(units, doc)| DocUnits {
            units,
            title_len: doc.title_len,
        })
        .collect()
}

/// Title, description, the quiz and case texts around the body, the body text and taxonomy
/// terms, whitespace collapsed, each on its own line.
fn page_text(page: &crate::content::Page) -> String {
    let mut text = page.title.clone();
    let (above, below) = crate::integrity::reader_texts(page.front.quiz.as_ref(), page.front.case.as_ref());
    let body = text::html_text(&page.rendered.html);
    let blocks = std::iter::once(page.front.description.as_deref().unwrap_or_default())
        .chain(above)
        .chain(std::iter::once(body.as_str()))
        .chain(below);
    for block in blocks {
        if !block.trim().is_empty() {
            text.push(text::BLOCK_BREAK);
            text.push_str(block);
        }
    }
    for names in page.front.taxonomies.values() {
        for name in names {
            text.push(text::BLOCK_BREAK);
            text.push_str(name);
        }
    }
    let mut collapsed = String::with_capacity(text.len());
    text::collapse_into(&text, &mut collapsed);
    collapsed
}

/// `text` (collapsed) normalized and marked as UTF-16 code units.
fn text_units(text: &str) -> Vec<u16> {
    let mut units = Vec::with_capacity(text.len() / 2);
    text::indexed_units_of_collapsed(text, &mut units);
    units
}

/// The whole index in memory, for the preview server, which renders its files one at a time as
/// a browser asks for them. A build writes them with [`write`] instead, which holds less at once.
#[derive(Debug)]
pub struct SearchIndex {
    head: Head,
    texts: Vec<String>,
    tables: Vec<Table>,
}

impl SearchIndex {
    /// Indexes every published page.
    pub fn build(library: &Library, config: &Config, taxonomies: &[Taxonomy]) -> SearchIndex {
        let Collected { head, texts, units } = Collected::new(library, config, taxonomies);
        let doc_units = doc_units(&units, &head.docs);
        // One table per job, as `write` builds them; `collect` keeps them in order, g1 first.
        let tables = (1..MAX_GRAM + 1)
            .into_par_iter()
            .with_max_len(1)
            .map(|n| index::build_table(&doc_units, n, head.shard_counts[n - 1]))
            .collect();
        SearchIndex { head, texts, tables }
    }

    /// The bytes of one index file.
    pub fn render(&self, file: SearchFile) -> Vec<u8> {
        match file {
            SearchFile::Meta => self.head.meta(),
            SearchFile::Shard(n, k) => shard_file(self.tables.get(n.wrapping_sub(1)), n, k),
            SearchFile::Records(group) => self.head.records(&self.texts, group),
        }
    }
}

/// Builds the index of every published page and hands each of its files to `emit`, in parallel:
/// the way a build writes it. The page records go first, so the page texts can be dropped before
/// the tables are built; each table is dropped once its shards are out. So a thread holds one table
/// at a time, instead of all four, the texts and the code units together (about 280 MB on
/// the 10,000-page benchmark corpus). The first error of `emit` stops the writing and is returned.
pub fn write(
    library: &Library,
    config: &Config,
    taxonomies: &[Taxonomy],
    emit: impl Fn(SearchFile, Vec<u8>) -> std::io::Result<()> + Sync,
) -> std::io::Result<()> {
    let mut timer = crate::timings::StageTimer::from_env();
    let Collected { head, texts, units } = Collected::new(library, config, taxonomies);
    timer.mark("search: page text");
    emit(SearchFile::Meta, head.meta())?;
    (0..texts.len().div_ceil(RECORDS_PER_FILE))
        .into_par_iter()
        .try_for_each(|group| emit(SearchFile::Records(group), head.records(&texts, group)))?;
    drop(texts);
    timer.mark("search: page records");
    let doc_units = doc_units(&units, &head.docs);
    let write_table = |n: usize| -> std::io::Result<()> {
        let table = index::build_table(&doc_units, n, head.shard_counts[n - 1]);
        (0..table.shard_count())
            .into_par_iter()
            .try_for_each(|k| emit(SearchFile::Shard(n, k), shard_file(Some(&table), n, k)))
    };
    // One table per job, the largest (positional) first, so the threads share them out and none
    // is left alone with a long one at the end; a thread holds one table at a time.
    (0..MAX_GRAM)
        .into_par_iter()
        .with_max_len(1)
        .try_for_each(|i| write_table(MAX_GRAM - i))?;
    timer.mark("search: gram tables");
    Ok(())
}

/// `DJSearch.shard("g<n>/<k>",{"gram":"postings",…});`
fn shard_file(table: Option<&Table>, n: usize, k: usize) -> Vec<u8> {
    let mut out = format!("DJSearch.shard(\"g{n}/{k}\",").into_bytes();
    match table {
        Some(table) => table.write_shard(k, &mut out),
        None => out.extend_from_slice(b"{}"),
    }
    out.extend_from_slice(b");\n");
    out
}

impl Head {
    fn meta(&self) -> Vec<u8> {
        let mut per_doc = Vec::new();
        // Per document: section·4 + branch count (3 meaning "3, then the count"), title length,
        // then the branches; most pages take three VLQ digits.
        for doc in &self.docs {
            let branches = doc.branches.len();
            push_vlq(&mut per_doc, (doc.section * 4 + branches.min(3)) as u64);
            push_vlq(&mut per_doc, doc.title_len as u64);
            if branches >= 3 {
                push_vlq(&mut per_doc, (branches - 3) as u64);
            }
            for &b in &doc.branches {
                push_vlq(&mut per_doc, b as u64);
            }
        }
        let meta = json!({
            "version": 2,
            "count": self.docs.len(),
            "perFile": RECORDS_PER_FILE,
            "shards": self.shard_counts,
            "relative": self.relative_urls,
            "sections": self.sections.iter().map(|(title, path)| json!([title, path])).collect::<Vec<_>>(),
            "branches": self.branches,
            "docs": String::from_utf8_lossy(&per_doc),
        });
        format!("DJSearch.meta({meta});\n").into_bytes()
    }

    /// `DJSearch.docs(<group>,[{"path":…,"date":…,"text":…},…]);` The title is the first line
    /// of the text.
    fn records(&self, texts: &[String], group: usize) -> Vec<u8> {
        let start = group.saturating_mul(RECORDS_PER_FILE).min(self.docs.len());
        let end = (start + RECORDS_PER_FILE).min(self.docs.len());
        let records: Vec<Record<'_>> = self.docs[start..end]
            .iter()
            .zip(&texts[start..end])
            .map(|(doc, text)| Record {
                path: &doc.path,
                date: doc.date.as_deref(),
                text,
            })
            .collect();
        let mut out = format!("DJSearch.docs({group},").into_bytes();
        // Serializing into a Vec cannot fail: the Vec takes every write.
        let _ = serde_json::to_writer(&mut out, &records);
        out.extend_from_slice(b");\n");
        out
    }
}

/// What a results page quotes from, as a page record holds it.
#[derive(serde::Serialize)]
struct Record<'a> {
    path: &'a str,
    date: Option<&'a str>,
    text: &'a str,
}
