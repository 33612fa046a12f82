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

/// Every file of the index with its site path.
pub fn files(library: &Library) -> Vec<(String, SearchFile)> {
    let mut files = vec![("/search/meta.js".to_string(), SearchFile::Meta)];
    for (table, count) in shard_counts(library).into_iter().enumerate() {
        let n = table + 1;
        files.extend((0..count).map(|k| (format!("/search/g{n}/{k}.js"), SearchFile::Shard(n, k))));
    }
    let groups = library.pages.len().div_ceil(RECORDS_PER_FILE);
    files.extend((0..groups).map(|group| (format!("/search/d/{group}.js"), SearchFile::Records(group))));
    files
}

/// A page as the index knows it.
#[derive(Debug)]
struct Doc {
    /// Title, description, body text and taxonomy terms, whitespace collapsed, blocks on lines.
    text: String,
    path: String,
    date: Option<String>,
    section: usize,
    branches: Vec<usize>,
    title_len: usize,
}

/// The whole index, built once per build (lazily, when its first file is rendered).
#[derive(Debug)]
pub struct SearchIndex {
    docs: Vec<Doc>,
    sections: Vec<(String, String)>,
    branches: Vec<String>,
    tables: Vec<Table>,
    relative_urls: bool,
}

impl SearchIndex {
    /// Indexes every published page.
    pub fn build(library: &Library, config: &Config, taxonomies: &[Taxonomy]) -> SearchIndex {
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
        let docs: Vec<Doc> = order
            .par_iter()
            .map(|&index| {
                let page = &library.pages[index];
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
                let mut title_chars = Vec::new();
                text::indexed_chars(&page.title, &mut title_chars);
                let title_len = title_chars.iter().map(|c| c.len_utf16()).sum();
                let page_branches = page.front.taxonomies.get(BRANCH_TAXONOMY);
                Doc {
                    text: text::collapsed(&text).collect(),
                    path: page.path.clone(),
                    date: page.date.map(|d| d.day().format("%Y-%m-%d").to_string()),
                    section: section_ids.get(&page.section).copied().unwrap_or(0),
                    branches: page_branches
                        .map(|names| names.iter().filter_map(|n| branches.iter().position(|b| b == n)).collect())
                        .unwrap_or_default(),
                    title_len,
                }
            })
            .collect();
        let units: Vec<Vec<u16>> = docs
            .par_iter()
            .map(|doc| {
                let mut chars = Vec::with_capacity(doc.text.len() / 2);
                text::indexed_chars(&doc.text, &mut chars);
                let mut units = Vec::with_capacity(chars.len());
                let mut buffer = [0u16; 2];
                for c in chars {
                    units.extend_from_slice(c.encode_utf16(&mut buffer));
                }
                units
            })
            .collect();
        let doc_units: Vec<DocUnits<'_>> = units
            .iter()
            .zip(&docs)
            .map(|(units, doc)| DocUnits {
                units,
                title_len: doc.title_len,
            })
            .collect();
        let counts = shard_counts(library);
        let table = |n: usize| index::build_table(&doc_units, n, counts[n - 1]);
        // The positional table is about as much work as the three short ones together.
        let (positional, short) = rayon::join(
            || table(MAX_GRAM),
            || {
                let (one, (two, three)) = rayon::join(|| table(1), || rayon::join(|| table(2), || table(3)));
                vec![one, two, three]
            },
        );
        let mut tables = short;
        tables.push(positional);
        SearchIndex {
            docs,
            sections,
            branches,
            tables,
            relative_urls: config.relative_urls,
        }
    }

    /// The bytes of one index file.
    pub fn render(&self, file: SearchFile) -> Vec<u8> {
        match file {
            SearchFile::Meta => self.meta(),
            SearchFile::Shard(n, k) => self.shard(n, k),
            SearchFile::Records(group) => self.records(group),
        }
    }

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
            "shards": self.tables.iter().map(Table::shard_count).collect::<Vec<_>>(),
            "relative": self.relative_urls,
            "sections": self.sections.iter().map(|(title, path)| json!([title, path])).collect::<Vec<_>>(),
            "branches": self.branches,
            "docs": String::from_utf8_lossy(&per_doc),
        });
        format!("DJSearch.meta({meta});\n").into_bytes()
    }

    /// `DJSearch.shard("g<n>/<k>",{"gram":"postings",…});`
    fn shard(&self, n: usize, k: usize) -> Vec<u8> {
        let mut out = format!("DJSearch.shard(\"g{n}/{k}\",").into_bytes();
        match self.tables.get(n.wrapping_sub(1)) {
            Some(table) => table.write_shard(k, &mut out),
            None => out.extend_from_slice(b"{}"),
        }
        out.extend_from_slice(b");\n");
        out
    }

    /// `DJSearch.docs(<group>,[{"path":…,"date":…,"text":…},…]);` The title is the first line
    /// of the text.
    fn records(&self, group: usize) -> Vec<u8> {
        let start = group.saturating_mul(RECORDS_PER_FILE).min(self.docs.len());
        let records: Vec<Record<'_>> = self.docs[start..(start + RECORDS_PER_FILE).min(self.docs.len())]
            .iter()
            .map(|doc| Record {
                path: &doc.path,
                date: doc.date.as_deref(),
                text: &doc.text,
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
