//! The rules of `dangjian check` that read what the site says: wrong political formulations
//! (`term`) in page text, and personal data (`privacy-id`, `privacy-phone`, `privacy-bankcard`)
//! in page text and attached DOCX and PDF files. `build` and the preview server run them too,
//! through [`content_findings`], so their errors stop a publication. `check --external` also
//! fetches outbound links ([`external`]).
//!
//! A page or section silences rules for itself with `check_allow = ["privacy-phone"]` in its
//! front matter (a branch's published contact number, say); silenced findings are counted.

pub mod attachments;
pub mod external;
pub mod links;
pub mod privacy;
pub mod terms;
pub mod text;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use rayon::prelude::*;

use crate::content::{Asset, Library};
use crate::diagnostic::{self, Diagnostic};
use terms::{Scanner, TermSet};

/// Rule id of wrong formulations.
pub const TERM_RULE: &str = "term";

/// Rule id of attachments whose text could not be read (a warning, from `check` only).
pub const ATTACHMENT_RULE: &str = "attachment";

/// The rules `check_allow` can silence.
pub const SILENCEABLE: [&str; 4] = [TERM_RULE, "privacy-id", "privacy-phone", "privacy-bankcard"];

/// What `dangjian check` found.
#[derive(Debug, Default)]
pub struct Report {
    /// Every problem, sorted by file.
    pub diagnostics: Vec<Diagnostic>,
    /// Findings left out because a page's `check_allow` names their rule.
    pub silenced: usize,
}

/// What a run of the content rules keeps: the findings of each attachment by file (so the
/// preview server does not read an unchanged PDF again), and what the latest run silenced or
/// could not read, for the check report.
#[derive(Default)]
pub struct Cache {
    attachments: Mutex<HashMap<PathBuf, Stamped>>,
    pages: Mutex<HashMap<String, PageEntry>>,
    latest: Mutex<(usize, Vec<Diagnostic>)>,
}

/// The text findings of a page or section, and what they were found in: the body (an unchanged
/// file keeps its body `Arc` through the load cache), the front matter values and the rules.
struct PageEntry {
    body: Arc<str>,
    front: PageKey,
    rules: u64,
    found: (Vec<Diagnostic>, usize),
}

/// Title, description, check_allow and body line offset of a page.
type PageKey = (Option<String>, Option<String>, Vec<String>, usize);

/// What an attachment held when it had this modification time and size.
type Stamped = (SystemTime, u64, Arc<Scanned>);

/// The personal numbers of one attachment with their part (paragraph or page), or why it could
/// not be read.
type Scanned = Result<Vec<(usize, privacy::Hit)>, String>;

impl Cache {
    /// How many findings the latest run silenced with `check_allow`.
    pub fn silenced(&self) -> usize {
        self.latest.lock().unwrap_or_else(|p| p.into_inner()).0
    }

    /// The text findings of `source`, from the cache when nothing they depend on changed: the
    /// preview server checks only the pages that were edited.
    fn page_findings(&self, source: &Source<'_>, rules: u64, find: impl FnOnce() -> (Vec<Diagnostic>, usize)) -> (Vec<Diagnostic>, usize) {
        let front = (
            source.title.map(str::to_string),
            source.description.map(str::to_string),
            source.allow.to_vec(),
            source.body_line_offset,
        );
        if let Some(entry) = self.pages.lock().unwrap_or_else(|p| p.into_inner()).get(source.file)
            && Arc::ptr_eq(&entry.body, source.body)
            && entry.front == front
            && entry.rules == rules
        {
            return entry.found.clone();
        }
        let found = find();
        let entry = PageEntry {
            body: source.body.clone(),
            front,
            rules,
            found: found.clone(),
        };
        self.pages
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(source.file.to_string(), entry);
        found
    }

    /// Warnings about attachments the latest run could not read. Only `check` reports them:
    /// `build` runs on every change and a file it cannot read is no error of the page.
    pub fn unreadable(&self) -> Vec<Diagnostic> {
        self.latest.lock().unwrap_or_else(|p| p.into_inner()).1.clone()
    }
}

/// The report of `dangjian check`: `diagnostics` with the latest run's warnings about unreadable
/// attachments, sorted, and the count of silenced findings.
pub fn report(mut diagnostics: Vec<Diagnostic>, cache: &Cache) -> Report {
    diagnostics.extend(cache.unreadable());
    diagnostic::sort(&mut diagnostics);
    diagnostics.dedup();
    Report {
        diagnostics,
        silenced: cache.silenced(),
    }
}

/// The findings of the content rules for every page and section, after `check_allow`; the
/// problems of the site's `terms.toml` too. Pages are scanned in parallel, each once per rule
/// family (one regex for all term rules).
pub fn content_findings(library: &Library, site_dir: &Path, cache: Option<&Cache>) -> Vec<Diagnostic> {
    let (terms, mut found) = TermSet::load(site_dir);
    let sources: Vec<Source<'_>> = library
        .pages
        .iter()
        .map(|p| Source {
            file: &p.file,
            title: Some(p.title.as_str()),
            title_in_front: p.front.title.is_some(),
            description: p.front.description.as_deref(),
            front_texts: crate::integrity::front_texts(p.front.quiz.as_ref(), p.front.case.as_ref()),
            body: &p.body,
            body_line_offset: p.body_line_offset,
            allow: &p.front.check_allow,
            assets: &p.assets,
        })
        .chain(library.sections.iter().map(|s| Source {
            file: &s.file,
            // A title from the folder name is no text anyone wrote.
            title: s.front.title.as_deref(),
            title_in_front: true,
            description: s.front.description.as_deref(),
            front_texts: Vec::new(),
            body: &s.body,
            body_line_offset: s.body_line_offset,
            allow: &s.front.check_allow,
            assets: &s.assets,
        }))
        .collect();
    let rules = terms.fingerprint();
    let text_results: Vec<(Vec<Diagnostic>, usize)> = sources
        .par_iter()
        .map_init(
            || terms.scanner(),
            |scanner, source| match cache {
                Some(cache) => cache.page_findings(source, rules, || source.text_findings(&terms, scanner, site_dir)),
                None => source.text_findings(&terms, scanner, site_dir),
            },
        )
        .collect();
    let documents: Vec<(&Source<'_>, &Asset)> = sources
        .iter()
        .flat_map(|s| s.assets.iter().map(move |a| (s, a)))
        .filter(|(_, a)| attachments::is_document(&a.extension()))
        .collect();
    let document_results: Vec<(Vec<Diagnostic>, usize, Option<Diagnostic>)> = documents
        .par_iter()
        .map(|(source, asset)| attachment_findings(source, asset, site_dir, cache))
        .collect();
    let mut silenced = 0;
    for (diagnostics, n) in text_results {
        found.extend(diagnostics);
        silenced += n;
    }
    let mut unreadable = Vec::new();
    for (diagnostics, n, problem) in document_results {
        found.extend(diagnostics);
        silenced += n;
        unreadable.extend(problem);
    }
    if let Some(cache) = cache {
        *cache.latest.lock().unwrap_or_else(|p| p.into_inner()) = (silenced, unreadable);
    }
    found
}

/// A page or section as the content rules see it.
struct Source<'a> {
    file: &'a str,
    title: Option<&'a str>,
    /// False when the title was taken from the file name.
    title_in_front: bool,
    description: Option<&'a str>,
    /// Texts of a quiz or case written in front matter, with their keys.
    front_texts: Vec<(&'static str, String)>,
    body: &'a Arc<str>,
    body_line_offset: usize,
    allow: &'a [String],
    assets: &'a [Asset],
}

/// One finding before `check_allow` is applied.
struct Finding {
    rule: &'static str,
    line: usize,
    column: usize,
    message: String,
    hint: String,
}

impl Source<'_> {
    /// Findings in the title, description and body, and how many `check_allow` silenced.
    fn text_findings(&self, terms: &TermSet, scanner: &mut Scanner, site_dir: &Path) -> (Vec<Diagnostic>, usize) {
        let mut findings = Vec::new();
        let file_text = std::cell::OnceCell::new();
        // The front matter is read again only when something is found in it.
        let front_place = |key: &str, text: &str, offset: usize| {
            let file_text = file_text.get_or_init(|| read_text(&site_dir.join(self.file)));
            front_position(file_text.as_deref(), key, &text[offset..])
        };
        let fields = [("title", self.title), ("description", self.description)];
        for (key, value) in fields.iter().filter_map(|(k, v)| v.map(|v| (*k, v))) {
            let from_file_name = key == "title" && !self.title_in_front;
            let place = |offset: usize| {
                if from_file_name { (0, 0) } else { front_place(key, value, offset) }
            };
            let note = if from_file_name {
                " (in the title, taken from the file name)"
            } else {
                ""
            };
            for hit in terms.scan(value, scanner) {
                let (line, column) = place(hit.start);
                findings.push(term_finding(terms, &hit, &value[hit.start..hit.end], line, column, note));
            }
            for hit in privacy::scan(value) {
                let (line, column) = place(hit.start);
                findings.push(privacy_finding(&hit, line, column, note));
            }
        }
        for (key, value) in &self.front_texts {
            let place = |offset: usize| {
                let file_text = file_text.get_or_init(|| read_text(&site_dir.join(self.file)));
                value_position(file_text.as_deref(), key, value, offset)
            };
            for hit in terms.scan(value, scanner) {
                let (line, column) = place(hit.start);
                findings.push(term_finding(terms, &hit, &value[hit.start..hit.end], line, column, ""));
            }
            for hit in privacy::scan(value) {
                let (line, column) = place(hit.start);
                findings.push(privacy_finding(&hit, line, column, ""));
            }
        }
        let at = |offset: usize| {
            let (line, column) = diagnostic::line_col(&self.body[..], offset);
            (line + self.body_line_offset, column)
        };
        let (prose, with_code) = text::prose_and_published(&self.body[..]);
        for hit in terms.scan(&prose.text, scanner) {
            let (line, column) = at(prose.source_offset(hit.start));
            findings.push(term_finding(terms, &hit, &prose.text[hit.start..hit.end], line, column, ""));
        }
        // Code is published as written: personal data in it is published too.
        let published = with_code.as_ref().unwrap_or(&prose);
        for hit in privacy::scan(&published.text) {
            let (line, column) = at(published.source_offset(hit.start));
            findings.push(privacy_finding(&hit, line, column, ""));
        }
        let (mut diagnostics, silenced) = self.apply_allow(findings, self.file);
        diagnostics.extend(self.allow_problems(site_dir));
        (diagnostics, silenced)
    }

    /// Errors for the findings whose rule `check_allow` does not name (reported in `file`), and
    /// how many it does name.
    fn apply_allow(&self, findings: Vec<Finding>, file: &str) -> (Vec<Diagnostic>, usize) {
        let total = findings.len();
        let kept: Vec<Diagnostic> = findings
            .into_iter()
            .filter(|f| !self.allow.iter().any(|a| a == f.rule))
            .map(|f| Diagnostic::error(f.rule, file, f.line, f.column, f.message).with_hint(f.hint))
            .collect();
        let silenced = total - kept.len();
        (kept, silenced)
    }

    /// Warnings for ids in `check_allow` that name no rule it can silence.
    fn allow_problems(&self, site_dir: &Path) -> Vec<Diagnostic> {
        let unknown: Vec<&String> = self.allow.iter().filter(|a| !SILENCEABLE.contains(&a.as_str())).collect();
        if unknown.is_empty() {
            return Vec::new();
        }
        let line = read_text(&site_dir.join(self.file))
            .and_then(|text| key_line(&text, "check_allow"))
            .unwrap_or(0);
        unknown
            .into_iter()
            .map(|id| {
                let guess = SILENCEABLE
                    .iter()
                    .min_by_key(|known| strsim::damerau_levenshtein(id, known))
                    .filter(|known| strsim::damerau_levenshtein(id, known) <= 3);
                let hint = match guess {
                    Some(known) => format!("did you mean `{known}`? check_allow takes {}", SILENCEABLE.join(", ")),
                    None => format!("check_allow takes {}", SILENCEABLE.join(", ")),
                };
                Diagnostic::warning(
                    "front-matter",
                    self.file,
                    line,
                    0,
                    format!("check_allow names `{id}`, which is no rule it can silence"),
                )
                .with_hint(hint)
            })
            .collect()
    }
}

fn term_finding(terms: &TermSet, hit: &terms::TermHit, wrong: &str, line: usize, column: usize, note: &str) -> Finding {
    let rule = &terms.rules[hit.rule];
    Finding {
        rule: TERM_RULE,
        line,
        column,
        message: format!("`{wrong}` should be written `{}`{note}", hit.correct),
        hint: format!("source: {} (rule `{}`; see terms.toml)", rule.source, rule.id),
    }
}

fn privacy_finding(hit: &privacy::Hit, line: usize, column: usize, note: &str) -> Finding {
    let rule = hit.kind.rule();
    Finding {
        rule,
        line,
        column,
        message: format!("{} `{}` is published{note}", hit.kind.what(), hit.masked),
        hint: format!(
            "remove it or mask it like `{}`; if it must be published, add check_allow = [\"{rule}\"] to the front matter",
            hit.masked
        ),
    }
}

/// Findings in one attached document, how many were silenced, and a warning if it cannot be read.
fn attachment_findings(
    source: &Source<'_>,
    asset: &Asset,
    site_dir: &Path,
    cache: Option<&Cache>,
) -> (Vec<Diagnostic>, usize, Option<Diagnostic>) {
    let file = asset
        .source
        .strip_prefix(site_dir)
        .unwrap_or(&asset.source)
        .to_string_lossy()
        .replace('\\', "/");
    let scanned = scan_document(asset, cache);
    let hits = match scanned.as_ref() {
        Ok(hits) => hits,
        Err(problem) => {
            let warning = Diagnostic::warning(
                ATTACHMENT_RULE,
                file,
                0,
                0,
                format!("the text of this attachment cannot be checked for personal data: {problem}"),
            )
            .with_hint("open it and check it by hand, or save it again as DOCX or PDF with text (not a scan)");
            return (Vec::new(), 0, Some(warning));
        }
    };
    let is_pdf = asset.extension() == "pdf";
    let findings = hits
        .iter()
        .map(|(part, hit)| {
            let place = match (part, is_pdf) {
                (0, _) => "a header, footer or note".to_string(),
                (n, true) => format!("page {n}"),
                (n, false) => format!("paragraph {n}"),
            };
            let rule = hit.kind.rule();
            Finding {
                rule,
                line: *part,
                column: 0,
                message: format!("{} `{}` is in {place} of this attachment", hit.kind.what(), hit.masked),
                hint: format!(
                    "remove it from the document (tracked changes too) and attach it again; if it must be published, add check_allow = [\"{rule}\"] to the front matter of {}",
                    source.file
                ),
            }
        })
        .collect();
    let (diagnostics, silenced) = source.apply_allow(findings, &file);
    (diagnostics, silenced, None)
}

/// The personal numbers in an attached document, from the cache when the file is unchanged.
fn scan_document(asset: &Asset, cache: Option<&Cache>) -> Arc<Scanned> {
    let stamp = std::fs::metadata(&asset.source)
        .ok()
        .and_then(|m| Some((m.modified().ok()?, m.len())));
    if let (Some(cache), Some((modified, len))) = (cache, stamp)
        && let Some((m, l, scanned)) = cache.attachments.lock().unwrap_or_else(|p| p.into_inner()).get(&asset.source)
        && (*m, *l) == (modified, len)
    {
        return scanned.clone();
    }
    let scanned: Arc<Scanned> = Arc::new(attachments::extract(&asset.source, &asset.extension()).map(|parts| {
        parts
            .into_iter()
            .flat_map(|(part, text)| privacy::scan(&text).into_iter().map(move |hit| (part, hit)))
            .collect()
    }));
    if let (Some(cache), Some((modified, len))) = (cache, stamp) {
        cache
            .attachments
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(asset.source.clone(), (modified, len, scanned.clone()));
    }
    scanned
}

/// A content file as text (it was read once already, so failing now is unlikely and only costs
/// the position).
fn read_text(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    crate::content::decode::decode_text(&bytes).ok().map(|d| d.text)
}

/// The 1-based line of the file where front matter key `key` is set.
fn key_line(file_text: &str, key: &str) -> Option<usize> {
    key_offset(file_text, key).map(|offset| diagnostic::line_col(file_text, offset).0)
}

/// Byte offset of the line setting `key` in the front matter (TOML `key =` or YAML `key:`).
fn key_offset(file_text: &str, key: &str) -> Option<usize> {
    let split = crate::content::front_matter::split("", file_text).ok()?;
    split.format?;
    // `front` is a slice of `file_text` when there is front matter.
    let front_start = (split.front.as_ptr() as usize).checked_sub(file_text.as_ptr() as usize)?;
    let mut offset = front_start;
    for line in split.front.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let rest = trimmed.strip_prefix(key).or_else(|| trimmed.strip_prefix(&format!("\"{key}\"")));
        if rest.is_some_and(|r| r.trim_start().starts_with(['=', ':'])) {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

/// Line and column in the file of `needle` (the found text and what follows it) in the value of
/// front matter key `key`: the key's line with column 0 when the value is written differently
/// (escapes, a multi-line string), (0, 0) when the file cannot be read.
fn front_position(file_text: Option<&str>, key: &str, needle: &str) -> (usize, usize) {
    let Some(text) = file_text else { return (0, 0) };
    let Some(offset) = key_offset(text, key) else { return (0, 0) };
    let line_end = text[offset..].find('\n').map_or(text.len(), |e| offset + e);
    // The longest head of `needle` found on the key's line places the finding.
    let mut len = needle.len();
    while len > 0 {
        if needle.is_char_boundary(len)
            && let Some(at) = text[offset..line_end].find(&needle[..len])
        {
            return diagnostic::line_col(text, offset + at);
        }
        len -= 1;
    }
    (diagnostic::line_col(text, offset).0, 0)
}

/// Where `offset` of a front matter `value` (one of many under the same key, as in a quiz's
/// questions) is in the file: found through the value's own text, else through its key.
fn value_position(file_text: Option<&str>, key: &str, value: &str, offset: usize) -> (usize, usize) {
    match file_text.and_then(|text| text.find(value).map(|at| (text, at))) {
        Some((text, at)) => diagnostic::line_col(text, at + offset),
        None => front_position(file_text, key, &value[offset..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_text_never_panics() {
        let (terms, _) = TermSet::load(Path::new("/nonexistent"));
        let mut scanner = terms.scanner();
        let alphabet: Vec<char> = "0123456789０１ -－.+Xx*_~`[]()!<>\\\n 党的二十大会议精神省市委中港台北朝鲜践行“”八荣耻𠀀:/hw"
            .chars()
            .collect();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..(seed % 60) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            let (prose, published) = text::prose_and_published(&text);
            for hit in terms.scan(&prose.text, &mut scanner) {
                assert!(prose.source_offset(hit.start) <= text.len());
            }
            for hit in privacy::scan(&published.unwrap_or(prose).text) {
                assert!(hit.masked.contains('*'), "{text:?}");
            }
        }
    }

    #[test]
    fn front_positions_point_into_the_value() {
        let text = "+++\ntitle = \"学习党的二十大会议精神\"\ndescription: x\n+++\n正文\n";
        assert_eq!(front_position(Some(text), "title", "党的二十大会议精神"), (2, 12));
        assert_eq!(front_position(Some(text), "title", "不在这里"), (2, 0));
        assert_eq!(key_line(text, "description"), Some(3));
        assert_eq!(front_position(None, "title", "x"), (0, 0));
        assert_eq!(front_position(Some("正文 title = x\n"), "title", "x"), (0, 0));
        let yaml = "---\ntitle: 电话13812345678\ncheck_allow: [privacy-phone]\n---\n";
        assert_eq!(front_position(Some(yaml), "title", "13812345678"), (2, 10));
        assert_eq!(key_line(yaml, "check_allow"), Some(3));
        let quiz = "+++\n[[quiz.questions]]\nquestion = \"一\"\n[[quiz.questions]]\nquestion = \"电话13812345678\"\n+++\n";
        assert_eq!(value_position(Some(quiz), "question", "电话13812345678", 6), (5, 15));
    }
}
