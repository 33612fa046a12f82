//! Splitting a content file into front matter and body, and parsing the front matter (TOML between
//! `+++` lines or YAML between `---` lines) with errors at the line of the user's file.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::content::date::PageDate;
use crate::diagnostic::Diagnostic;

/// Front matter syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `+++` delimited TOML.
    Toml,
    /// `---` delimited YAML.
    Yaml,
}

/// A content file cut in two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    /// Syntax of the front matter, `None` when the file has none.
    pub format: Option<Format>,
    /// The front matter text without its delimiters.
    pub front: &'a str,
    /// Number of lines before the front matter text (the opening delimiter line).
    pub front_line_offset: usize,
    /// The Markdown body.
    pub body: &'a str,
    /// Number of lines before the body in the file.
    pub body_line_offset: usize,
}

/// Cuts `text` (LF line endings) into front matter and body.
pub fn split<'a>(file: &str, text: &'a str) -> Result<Split<'a>, Diagnostic> {
    let (format, delimiter) = if starts_with_line(text, "+++") {
        (Format::Toml, "+++")
    } else if starts_with_line(text, "---") {
        (Format::Yaml, "---")
    } else {
        return Ok(Split {
            format: None,
            front: "",
            front_line_offset: 0,
            body: text,
            body_line_offset: 0,
        });
    };
    let after_open = text.find('\n').map_or(text.len(), |i| i + 1);
    let mut offset = after_open;
    let mut line = 1;
    while offset < text.len() {
        let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        line += 1;
        if text[offset..end].trim_end() == delimiter {
            let body_start = (end + 1).min(text.len());
            return Ok(Split {
                format: Some(format),
                front: &text[after_open..offset],
                front_line_offset: 1,
                body: &text[body_start..],
                body_line_offset: line,
            });
        }
        offset = end + 1;
    }
    Err(Diagnostic::error(
        "front-matter",
        file,
        1,
        1,
        format!("front matter opened with `{delimiter}` on line 1 is never closed"),
    )
    .with_hint(format!("add a line with only `{delimiter}` after the last front matter line")))
}

fn starts_with_line(text: &str, delimiter: &str) -> bool {
    text.lines().next().is_some_and(|first| first.trim_end() == delimiter)
}

/// Parses the front matter of `split` into `T`; errors name the line in the file.
pub fn parse<T: DeserializeOwned + Default>(file: &str, split: &Split<'_>) -> Result<T, Diagnostic> {
    let value = match split.format {
        None => return Ok(T::default()),
        Some(Format::Toml) => {
            let table: toml::Table = toml::from_str(split.front)
                .map_err(|e| crate::config::toml_diagnostic("front-matter", file, split.front, split.front_line_offset, &e))?;
            toml_to_json(toml::Value::Table(table))
        }
        Some(Format::Yaml) => {
            if split.front.trim().is_empty() {
                serde_json::Value::Object(Default::default())
            } else {
                serde_yaml_ng::from_str::<serde_json::Value>(split.front).map_err(|e| {
                    let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
                    Diagnostic::error("front-matter", file, line + split.front_line_offset, column, yaml_message(&e))
                        .with_hint("check the YAML syntax on this line: `key: value`, lists as `- item`")
                })?
            }
        }
    };
    let value = match value {
        serde_json::Value::Null => serde_json::Value::Object(Default::default()),
        other => other,
    };
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        let key = unknown_field(&inner).or_else(|| {
            path.rsplit('.')
                .next()
                .map(|k| k.trim_end_matches(|c: char| c == ']' || c.is_ascii_digit() || c == '[').to_string())
        });
        let line = key.as_deref().and_then(|k| find_key_line(split.front, k)).unwrap_or(1) + split.front_line_offset;
        let message = if path.is_empty() || path == "." || inner.contains("unknown field") {
            inner.clone()
        } else {
            format!("`{path}`: {inner}")
        };
        let hint = match crate::config::unknown_field_suggestion(&inner) {
            Some(suggestion) => format!("did you mean `{suggestion}`? Free-form values go under [extra]"),
            None if inner.contains("unknown field") => {
                "remove this key or check its spelling; free-form values go under [extra]".to_string()
            }
            None => "check the value's type: text needs quotes, lists are written [\"a\", \"b\"], dates 2022-01-18".to_string(),
        };
        Diagnostic::error("front-matter", file, line, 1, message).with_hint(hint)
    })
}

fn yaml_message(error: &serde_yaml_ng::Error) -> String {
    let text = error.to_string();
    // serde_yaml appends " at line N column M"; the diagnostic already says where.
    match text.find(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

fn unknown_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    Some(rest[..rest.find('`')?].to_string())
}

/// The 1-based line (within the front matter) where `key` is set, in TOML or YAML.
pub fn find_key_line(front: &str, key: &str) -> Option<usize> {
    front
        .lines()
        .position(|line| {
            let line = line.trim_start();
            let line = line.strip_prefix('"').unwrap_or(line);
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start_matches('"').trim_start().starts_with(['=', ':']))
                || line.trim_start_matches('[').trim_end_matches(']').trim() == key
        })
        .map(|i| i + 1)
}

/// The 1-based line (within the front matter) where `key` is set inside table `table`:
/// `[table]` then `key = …` in TOML, `table:` then an indented `key:` in YAML, or an inline table.
pub fn key_line_in_table(front: &str, table: &str, key: &str) -> Option<usize> {
    let lines: Vec<&str> = front.lines().collect();
    let header = lines.iter().position(|line| {
        let line = line.trim();
        line == format!("[{table}]")
            || line
                .strip_prefix(table)
                .is_some_and(|rest| rest.trim_start().starts_with([':', '=']))
    })?;
    let is_key = |line: &str| {
        let line = line.trim_start().trim_start_matches('"');
        line.strip_prefix(key)
            .is_some_and(|rest| rest.trim_start_matches('"').trim_start().starts_with(['=', ':']))
    };
    if lines[header].contains(&format!("{key} ")) || lines[header].contains(&format!("{key}=")) {
        return Some(header + 1);
    }
    lines[header + 1..]
        .iter()
        .take_while(|line| !line.trim_start().starts_with('['))
        .position(|line| is_key(line))
        .map(|i| header + 2 + i)
}

/// TOML values as JSON values, with dates as the text the author wrote.
pub fn toml_to_json(value: toml::Value) -> serde_json::Value {
    match value {
        toml::Value::String(s) => serde_json::Value::String(s),
        toml::Value::Integer(i) => serde_json::Value::from(i),
        toml::Value::Float(f) => serde_json::Value::from(f),
        toml::Value::Boolean(b) => serde_json::Value::Bool(b),
        toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
        toml::Value::Array(items) => serde_json::Value::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => serde_json::Value::Object(table.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect()),
    }
}

/// How a section orders its pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    /// Newest first.
    #[default]
    Date,
    /// Lowest weight first.
    Weight,
    /// By title.
    Title,
    /// In file-name order.
    None,
}

/// Front matter of a page.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PageFront {
    /// Title shown on the page and in lists.
    pub title: Option<String>,
    /// Short description for lists and meta tags.
    pub description: Option<String>,
    /// Publication date; a page dated in the future is not published yet.
    pub date: Option<PageDate>,
    /// Date of the last change.
    pub updated: Option<PageDate>,
    /// Drafts are left out unless `--drafts`.
    #[serde(default)]
    pub draft: bool,
    /// URL slug instead of the one from the file name.
    pub slug: Option<String>,
    /// Order in weight-sorted sections.
    pub weight: Option<i64>,
    /// Template instead of the section's page_template or `page.html`.
    pub template: Option<String>,
    /// Old URLs that redirect to this page.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Terms per taxonomy: `tags = ["三会一课"]`.
    #[serde(default)]
    pub taxonomies: BTreeMap<String, Vec<String>>,
    /// The 三审三校 sign-off: who reviewed the page (`[review] first/second/final`).
    pub review: Option<Review>,
    /// Rules of `dangjian check` silenced for this file: `check_allow = ["privacy-phone"]`.
    #[serde(default)]
    pub check_allow: Vec<String>,
    /// A meeting of the page's branch, for the organization-life ledger (三会一课台账).
    pub meeting: Option<crate::ledger::MeetingFront>,
    /// Where a study material comes from (出处), e.g. a newspaper or a document collection.
    pub source: Option<String>,
    /// The document number of an official document (文号), e.g. 中办发〔2025〕3号.
    pub doc_no: Option<String>,
    /// Who issued the document (发文机关).
    pub issuer: Option<String>,
    /// The study plan entry of a study material (`[study] due = 2025-03-31, required = true`).
    pub study: Option<StudyFront>,
    /// An integrity knowledge quiz (廉政知识测试) run on the page.
    pub quiz: Option<crate::integrity::QuizFront>,
    /// A warning-education case (警示教育案例): facts, the violated rule, the lesson.
    pub case: Option<crate::integrity::CaseFront>,
    /// The day after which a notice is out of date (`expires = 2025-03-31`): it leaves the home
    /// page and lists but stays reachable, marked 已过期.
    pub expires: Option<PageDate>,
    /// Free-form values for templates.
    #[serde(default)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Front matter of a section (`_index.md`).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct SectionFront {
    /// Title of the section.
    pub title: Option<String>,
    /// Short description.
    pub description: Option<String>,
    /// Page order.
    #[serde(default)]
    pub sort_by: SortBy,
    /// Pages per list page; no pagination when absent.
    pub paginate_by: Option<usize>,
    /// Whether the section gets its own Atom feed.
    #[serde(default)]
    pub generate_feeds: bool,
    /// Template of the section page instead of `section.html`.
    pub template: Option<String>,
    /// Template of the section's pages instead of `page.html`.
    pub page_template: Option<String>,
    /// A transparent section passes its pages up to its parent's list.
    #[serde(default)]
    pub transparent: bool,
    /// Order among sibling sections.
    pub weight: Option<i64>,
    /// Old URLs that redirect to this section.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Rules of `dangjian check` silenced for this file: `check_allow = ["privacy-phone"]`.
    #[serde(default)]
    pub check_allow: Vec<String>,
    /// Free-form values for templates.
    #[serde(default)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `[study]` of a page: its place in the study plan (学习计划).
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct StudyFront {
    /// The day by which members should have studied the material.
    pub due: Option<PageDate>,
    /// Required study (必学) or optional reading (选学).
    #[serde(default = "required_by_default")]
    pub required: bool,
}

fn required_by_default() -> bool {
    true
}

/// `[review]` of a page: the names of its three reviewers (三审).
#[derive(Debug, Clone, Deserialize, Default, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// 初审: the author's own review, or the editor's.
    #[serde(default)]
    pub first: String,
    /// 复审: the section chief.
    #[serde(default)]
    pub second: String,
    /// 终审: the responsible leader.
    #[serde(default)]
    pub r#final: String,
}

impl Review {
    /// The sign-offs a page still lacks, as "初审 first"…; empty when all three are given.
    pub fn missing(review: Option<&Review>) -> Vec<&'static str> {
        let empty = Review::default();
        let review = review.unwrap_or(&empty);
        [
            (&review.first, "初审 first"),
            (&review.second, "复审 second"),
            (&review.r#final, "终审 final"),
        ]
        .into_iter()
        .filter(|(name, _)| name.trim().is_empty())
        .map(|(_, label)| label)
        .collect()
    }
}

/// The front matter of a content file read again, with the number of lines before it, to place a
/// message found after parsing (rare: only when something is wrong). Empty when it cannot be read.
pub fn read_again(site_dir: &std::path::Path, file: &str) -> (String, usize) {
    let text = std::fs::read(site_dir.join(file))
        .ok()
        .and_then(|bytes| crate::content::decode::decode_text(&bytes).ok())
        .map(|decoded| decoded.text)
        .unwrap_or_default();
    split(file, &text).map_or((String::new(), 0), |s| (s.front.to_string(), s.front_line_offset))
}

/// The 1-based line (within the front matter) of table `[name]`, or of `name = …` / `name:`.
pub fn table_line(front: &str, name: &str) -> Option<usize> {
    front
        .lines()
        .position(|line| {
            let line = line.trim();
            line == format!("[{name}]")
                || line
                    .strip_prefix(name)
                    .is_some_and(|rest| rest.trim_start().starts_with([':', '=']))
        })
        .map(|i| i + 1)
}

/// The 1-based line and column (within the front matter) of the text `value` in the value of
/// `key` inside `table` (a name in a list), else of the key, else `None`.
pub fn value_position(front: &str, table: &str, key: &str, value: &str) -> Option<(usize, usize)> {
    let start = key_line_in_table(front, table, key)?;
    let quoted = format!("\"{value}\"");
    let found = front.lines().enumerate().skip(start - 1).take(8).find_map(|(i, line)| {
        let at = line.find(&quoted).map(|at| at + 1).or_else(|| line.find(value))?;
        Some((i + 1, line[..at].chars().count() + 1))
    });
    Some(found.unwrap_or((start, 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_tables_and_values() {
        let toml = "title = \"a\"\n[taxonomies]\ntopics = [\"甲\",\n  \"乙\"]\n[study]\ndue = 2026-03-31\n";
        assert_eq!(table_line(toml, "study"), Some(5));
        assert_eq!(table_line(toml, "review"), None);
        assert_eq!(table_line("study:\n  due: 2026-03-31\n", "study"), Some(1));
        assert_eq!(value_position(toml, "taxonomies", "topics", "乙"), Some((4, 4)));
        assert_eq!(value_position(toml, "taxonomies", "topics", "甲"), Some((3, 12)));
        assert_eq!(value_position(toml, "taxonomies", "topics", "丙"), Some((3, 1)));
        assert_eq!(value_position(toml, "taxonomies", "tags", "丙"), None);
    }

    #[test]
    fn splits_toml_and_counts_lines() {
        let text = "+++\ntitle = \"a\"\n+++\n# 正文\n";
        let s = split("a.md", text).unwrap();
        assert_eq!(s.format, Some(Format::Toml));
        assert_eq!(s.front, "title = \"a\"\n");
        assert_eq!(s.body, "# 正文\n");
        assert_eq!(s.body_line_offset, 3);
    }

    #[test]
    fn no_front_matter_is_all_body() {
        let s = split("a.md", "正文\n").unwrap();
        assert_eq!(s.format, None);
        assert_eq!(s.body, "正文\n");
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        let err = split("a.md", "+++\ntitle = \"a\"\n正文\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "a.md:1:1: error[front-matter]: front matter opened with `+++` on line 1 is never closed\n  = hint: add a line with only `+++` after the last front matter line"
        );
    }

    #[test]
    fn toml_syntax_error_points_at_file_line() {
        let text = "+++\ntitle = \"a\"\ndate = 2022-01-18\ntags = [\"a\"\n+++\n";
        let s = split("a.md", text).unwrap();
        let err = parse::<PageFront>("a.md", &s).unwrap_err();
        assert_eq!(err.line, 4, "{err}");
    }

    #[test]
    fn unknown_key_points_at_its_line() {
        let text = "+++\ntitle = \"a\"\ntitel = \"b\"\n+++\n";
        let s = split("a.md", text).unwrap();
        let err = parse::<PageFront>("a.md", &s).unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.starts_with("unknown field `titel`"), "{}", err.message);
    }

    #[test]
    fn wrong_type_points_at_its_line() {
        let text = "---\ntitle: a\ndate: 昨天\n---\n";
        let s = split("a.md", text).unwrap();
        let err = parse::<PageFront>("a.md", &s).unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        assert!(err.message.contains("not a date"), "{}", err.message);
    }

    #[test]
    fn finds_keys_inside_tables() {
        let toml = "title = \"a\"\n[extra]\nbranches_note = \"x\"\n[taxonomies]\ntags = [\"a\"]\nbranches = [\"b\"]\n";
        assert_eq!(key_line_in_table(toml, "taxonomies", "branches"), Some(6));
        assert_eq!(key_line_in_table(toml, "taxonomies", "tags"), Some(5));
        let yaml = "title: a\ntaxonomies:\n  tags: [a]\n  topics: [b]\n";
        assert_eq!(key_line_in_table(yaml, "taxonomies", "topics"), Some(4));
        let inline = "taxonomies = { topics = [\"b\"] }\n";
        assert_eq!(key_line_in_table(inline, "taxonomies", "topics"), Some(1));
    }

    #[test]
    fn yaml_and_toml_dates() {
        let s = split("a.md", "---\ntitle: 学习\ndate: 2022-01-18\ntaxonomies:\n  tags: [党史]\n---\n").unwrap();
        let front: PageFront = parse("a.md", &s).unwrap();
        assert_eq!(front.date.unwrap().to_string(), "2022-01-18");
        assert_eq!(front.taxonomies["tags"], vec!["党史".to_string()]);
        let s = split("a.md", "+++\ndate = 2022-01-18T09:30:00\n+++\n").unwrap();
        let front: PageFront = parse("a.md", &s).unwrap();
        assert_eq!(front.date.unwrap().to_string(), "2022-01-18T09:30:00");
    }
}
