//! Entries of a data file that pages name and that get their own page: branches
//! (`data/branches.toml`) and topics (`data/topics.toml`). Each is known by a name and a slug, and
//! both files are checked the same way: a name is given, the slug can be an address, and neither
//! is taken twice.

use std::collections::HashMap;
use std::path::Path;

use toml::Spanned;

use crate::config::SlugStyle;
use crate::content::slug::slugify;
use crate::diagnostic::{Diagnostic, line_col};

/// Which kind of entry, for the messages.
#[derive(Debug, Clone, Copy)]
pub struct EntryKind {
    /// The rule the problems are reported under.
    pub rule: &'static str,
    /// The data file, relative to the site ("data/branches.toml").
    pub file: &'static str,
    /// One entry in English ("branch").
    pub noun: &'static str,
    /// The taxonomy that names the entries and gives their addresses ("branches").
    pub taxonomy: &'static str,
    /// A slug to show in hints.
    pub slug_example: &'static str,
    /// The hint for a file under `static/` the entry names but that is not there.
    pub static_hint: &'static str,
}

impl EntryKind {
    /// The error for entry `number` (1-based), whose table starts on `line`, having no name.
    pub fn missing_name(&self, number: usize, line: usize) -> Diagnostic {
        Diagnostic::error(self.rule, self.file, line, 0, format!("{} {number} has no `name`", self.noun)).with_hint(format!(
            "add name = \"…\", the name its pages write under [taxonomies] {}",
            self.taxonomy
        ))
    }
}

impl EntryKind {
    /// The text of the data file at `path` (UTF-8 or GB18030), or the error to report.
    pub fn read(&self, path: &Path) -> Result<String, Diagnostic> {
        match std::fs::read(path).map(|bytes| crate::content::decode::decode_text(&bytes)) {
            Ok(Ok(decoded)) => Ok(decoded.text),
            Ok(Err(_)) => Err(Diagnostic::error(
                self.rule,
                self.file,
                0,
                0,
                format!("{} is neither UTF-8 nor GB18030 text", self.file),
            )
            .with_hint("open it in a text editor and save it with the encoding UTF-8")),
            Err(e) => Err(Diagnostic::error(self.rule, self.file, 0, 0, format!("cannot read the file: {e}"))),
        }
    }

    /// The name of entry `index` (0-based) and the line it is on, with its slug (written, or
    /// made from the name) and the slug's line; `None`, with the error added, when it has no name.
    /// `text` is the file's text, whose entries start with `header` lines ("[[topic]]").
    #[allow(clippy::too_many_arguments)]
    pub fn name_and_slug(
        &self,
        text: &str,
        header: &str,
        index: usize,
        name: Option<Spanned<String>>,
        slug: Option<&Spanned<String>>,
        style: SlugStyle,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<(String, usize, String, usize)> {
        let Some(name) = name.filter(|n| !n.get_ref().trim().is_empty()) else {
            let header_line = text
                .lines()
                .enumerate()
                .filter(|(_, l)| l.trim() == header)
                .nth(index)
                .map_or(0, |(i, _)| i + 1);
            diagnostics.push(self.missing_name(index + 1, header_line));
            return None;
        };
        let line = line_col(text, name.span().start).0;
        let name = name.into_inner().trim().to_string();
        let (slug, slug_line) = match slug {
            Some(slug) => (slug.get_ref().trim().to_string(), line_col(text, slug.span().start).0),
            None => (slugify(&name, style), line),
        };
        Some((name, line, slug, slug_line))
    }

    /// The site path of a file under `static/` that an entry names (`what`: "image", "photo"),
    /// with an error at the value's line in `text` when there is no such file.
    pub fn static_file(
        &self,
        text: &str,
        site_dir: &Path,
        what: &str,
        value: &Spanned<String>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> String {
        let path = format!("/{}", value.get_ref().trim().trim_start_matches('/'));
        let exists = crate::files::confined(&site_dir.join("static"), &path[1..]).is_some_and(|p| p.is_file());
        if !exists {
            diagnostics.push(
                Diagnostic::error(
                    self.rule,
                    self.file,
                    line_col(text, value.span().start).0,
                    0,
                    format!("{what} `{}` is not a file under static/", value.get_ref()),
                )
                .with_hint(self.static_hint),
            );
        }
        path
    }
}

/// The names and slugs of the entries kept so far, with the lines their names are on.
#[derive(Debug, Clone, Default)]
pub struct NameIndex {
    by_name: HashMap<String, usize>,
    by_slug: HashMap<String, usize>,
    names: Vec<(String, usize)>,
}

impl NameIndex {
    /// Checks a new entry: its slug must be usable in an address, and neither its name nor its
    /// slug may belong to an entry kept before. Problems go to `diagnostics`; true when the entry
    /// can be kept.
    pub fn check(
        &self,
        kind: &EntryKind,
        name: &str,
        line: usize,
        slug: &str,
        slug_line: usize,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> bool {
        let mut sound = true;
        if slug.is_empty() || !slug.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_') {
            sound = false;
            diagnostics.push(
                Diagnostic::error(
                    kind.rule,
                    kind.file,
                    slug_line,
                    0,
                    format!("slug `{slug}` of `{name}` cannot be an address"),
                )
                .with_hint(format!(
                    "use lowercase letters, digits and hyphens, e.g. slug = \"{}\"",
                    kind.slug_example
                )),
            );
        }
        if let Some(&other) = self.by_name.get(name) {
            sound = false;
            diagnostics.push(
                Diagnostic::error(
                    kind.rule,
                    kind.file,
                    line,
                    0,
                    format!("{} `{name}` is listed twice (also on line {})", kind.noun, self.names[other].1),
                )
                .with_hint(format!("keep one entry per {}", kind.noun)),
            );
        } else if let Some(&other) = self.by_slug.get(slug) {
            sound = false;
            let (first, first_line) = &self.names[other];
            diagnostics.push(
                Diagnostic::error(
                    kind.rule,
                    kind.file,
                    slug_line,
                    0,
                    format!("slug `{slug}` of `{name}` is also the slug of `{first}` (line {first_line})"),
                )
                .with_hint(format!(
                    "give each {noun} its own slug: it is the address of the {noun}'s page, /{}/<slug>/",
                    kind.taxonomy,
                    noun = kind.noun
                )),
            );
        }
        sound
    }

    /// Keeps an entry that passed [`NameIndex::check`]; entries are numbered in the order kept.
    pub fn insert(&mut self, name: &str, slug: &str, line: usize) {
        let index = self.names.len();
        self.by_name.insert(name.to_string(), index);
        self.by_slug.insert(slug.to_string(), index);
        self.names.push((name.to_string(), line));
    }

    /// The number of the entry with this name (surrounding spaces ignored).
    pub fn by_name(&self, name: &str) -> Option<usize> {
        self.by_name.get(name.trim()).copied()
    }

    /// The number of the entry with this slug.
    pub fn by_slug(&self, slug: &str) -> Option<usize> {
        self.by_slug.get(slug).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KIND: EntryKind = EntryKind {
        rule: "topic",
        file: "data/topics.toml",
        noun: "topic",
        taxonomy: "topics",
        slug_example: "dang-shi",
        static_hint: "put the banner in static/",
    };

    #[test]
    fn names_and_slugs_are_taken_once() {
        let mut index = NameIndex::default();
        let mut found = Vec::new();
        assert!(index.check(&KIND, "党史", 2, "dang-shi", 3, &mut found));
        index.insert("党史", "dang-shi", 2);
        assert!(!index.check(&KIND, "党史", 6, "other", 7, &mut found));
        assert!(!index.check(&KIND, "党纪", 10, "dang-shi", 11, &mut found));
        assert!(!index.check(&KIND, "专题", 14, "a b", 15, &mut found));
        let lines: Vec<String> = found
            .iter()
            .map(|d| d.to_string().lines().next().unwrap_or_default().to_string())
            .collect();
        assert_eq!(
            lines,
            [
                "data/topics.toml:6: error[topic]: topic `党史` is listed twice (also on line 2)",
                "data/topics.toml:11: error[topic]: slug `dang-shi` of `党纪` is also the slug of `党史` (line 2)",
                "data/topics.toml:15: error[topic]: slug `a b` of `专题` cannot be an address",
            ]
        );
        assert_eq!(
            (index.by_name(" 党史 "), index.by_slug("dang-shi"), index.by_slug("x")),
            (Some(0), Some(0), None)
        );
    }
}
