//! `dangjian new SECTION TITLE`: a new draft page in a section, started from an archetype.
//!
//! The archetype is the first of `archetypes/<section>.md` in the site, the same file in the theme
//! (`themes/<theme>/archetypes/`, or the embedded default theme), then `archetypes/default.md` in
//! the site and in the theme. It is a Markdown file whose front matter and body may hold the
//! placeholders `{{ title }}`, `{{ date }}` (today), `{{ date_next_month }}` (a month later, for a
//! notice's `expires`), `{{ section }}`, `{{ branch }}` and `{{ meeting }}`, filled in by plain
//! replacement (why: docs/decisions/0011-screen-and-archetypes.md). A default archetype also gets,
//! left blank, the `[taxonomies]` and `[extra]` keys the section's newest page uses; without any
//! archetype those keys are the whole front matter, so a section's habits carry over to its next
//! page.
//!
//! Whatever the archetype says, the page is a draft, dated today unless the archetype sets a
//! date, with a blank `[review]` when review is required and the branch and `[meeting]` of
//! `--branch`/`--meeting`. The result is checked with the real front matter parser before it is
//! written, and an existing file is never replaced.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::config::Config;
use crate::content::front_matter::{self, Format, PageFront};
use crate::content::slug::slugify;
use crate::diagnostic::Diagnostic;

/// What `--meeting` and `--branch` ask of a new page.
#[derive(Debug, Clone, Default)]
pub struct NewOptions {
    /// The kind of meeting the page reports (`--meeting 党课`), for the organization-life ledger.
    pub meeting: Option<String>,
    /// The branch the page is about, by its slug or name in data/branches.toml (`--branch SLUG`).
    pub branch: Option<String>,
}

/// Rule id of problems with an archetype that are not front matter errors.
pub const RULE: &str = "archetype";

/// The names a placeholder may have, as the hint lists them.
const PLACEHOLDERS: &str = "{{ title }}, {{ date }}, {{ date_next_month }}, {{ section }}, {{ branch }}, {{ meeting }}";

/// Creates the page and returns its path.
pub fn new_page(site_dir: &Path, section: &str, title: &str, today: NaiveDate) -> Result<PathBuf, String> {
    new_page_with(site_dir, section, title, today, &NewOptions::default())
}

/// [`new_page`] with the branch and the `[meeting]` table filled in from `options`.
pub fn new_page_with(site_dir: &Path, section: &str, title: &str, today: NaiveDate, options: &NewOptions) -> Result<PathBuf, String> {
    let config = Config::load(site_dir).map_err(|d| d.to_string())?;
    let section = section.trim_matches('/');
    let section_dir = crate::files::confined(&site_dir.join("content"), section)
        .filter(|dir| dir.join("_index.md").is_file())
        .ok_or_else(|| format!("there is no section `{section}` (content/{section}/_index.md)"))?;
    let slug = slugify(title, config.slugify);
    if slug.is_empty() {
        return Err("the title gives an empty file name; use a title with letters or characters".to_string());
    }
    let path = section_dir.join(format!("{slug}.md"));
    if path.exists() {
        return Err(format!("{} already exists; choose another title", path.display()));
    }
    // The branch and the meeting are checked against data/branches.toml first: the archetype's
    // {{ branch }} is the branch's name, however --branch wrote it.
    let mut asked = toml::Table::new();
    let mut note = "";
    if options.meeting.is_some() || options.branch.is_some() {
        let (meeting, branch) = (options.meeting.as_deref(), options.branch.as_deref());
        note = crate::ledger::scaffold::fill_new_page(site_dir, &config, &mut asked, meeting, branch)?;
    }
    let values = Values {
        title,
        date: today.to_string(),
        // A notice's `expires`, to be corrected by its author: a month is the usual validity.
        date_next_month: today.checked_add_months(chrono::Months::new(1)).unwrap_or(today).to_string(),
        section,
        branch: asked
            .get("taxonomies")
            .and_then(|t| t.get(crate::ledger::TAXONOMY))
            .and_then(|b| b.get(0))
            .and_then(toml::Value::as_str)
            .unwrap_or(""),
        meeting: asked
            .get("meeting")
            .and_then(|m| m.get("kind"))
            .and_then(toml::Value::as_str)
            .unwrap_or(""),
    };

    let archetype = find_archetype(site_dir, &config, section);
    let (mut front, body) = match &archetype {
        Some(archetype) => archetype.fill(&values).map_err(|d| d.to_string())?,
        None => (toml::Table::new(), String::new()),
    };
    if archetype.as_ref().is_none_or(|a| a.is_default)
        && let Some(example) = newest_front_matter(&section_dir)
    {
        add_blank_keys(&mut front, &example);
    }
    let mut front = with_title_date_draft(front, title, today);
    if config.review.required && !front.contains_key("review") {
        // Blank names show the reviewers what to fill in; the page is held back until they do.
        let review: toml::Table = ["first", "second", "final"]
            .into_iter()
            .map(|k| (k.to_string(), toml::Value::String(String::new())))
            .collect();
        front.insert("review".into(), toml::Value::Table(review));
    }
    apply_asked(&mut front, asked);
    let body = page_body(&body, config.review.required);
    let text = format!("+++\n{}+++\n\n{body}{note}", toml::to_string(&front).map_err(|e| e.to_string())?);
    // The archetype was checked before it was filled in; this catches what the filling did.
    if let Err(problem) = check_front(&path.display().to_string(), &text) {
        let from = archetype.map_or(String::new(), |a| format!(" made from {}", a.file));
        return Err(format!("the new page{from} would not build: {problem}"));
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    file.write_all(text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// The body of the new page: the archetype's, else a line saying what to do; with review
/// required, a reminder of the reviewers' names.
fn page_body(archetype_body: &str, review_required: bool) -> String {
    const REVIEW: &str = "在 [review] 中填写初审（first）、复审（second）、终审（final）人员姓名";
    let body = archetype_body.trim_matches('\n');
    match (body.trim().is_empty(), review_required) {
        (true, false) => "在这里写正文。写完后删除上面的 `draft = true`，稿件才会发布。\n".to_string(),
        (true, true) => format!("在这里写正文。写完后删除上面的 `draft = true`，并{REVIEW}，稿件才会发布。\n"),
        (false, false) => format!("{}\n", body.trim_end()),
        (false, true) => format!("{}\n\n发布前请{REVIEW}。\n", body.trim_end()),
    }
}

/// What the placeholders stand for.
struct Values<'a> {
    title: &'a str,
    date: String,
    date_next_month: String,
    section: &'a str,
    branch: &'a str,
    meeting: &'a str,
}

impl Values<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        match name {
            "title" => Some(self.title),
            "date" => Some(&self.date),
            "date_next_month" => Some(&self.date_next_month),
            "section" => Some(self.section),
            "branch" => Some(self.branch),
            "meeting" => Some(self.meeting),
            _ => None,
        }
    }
}

/// An archetype file and where it was found.
#[derive(Debug, Clone)]
struct Archetype {
    /// The file as messages name it: `archetypes/news.md`, `themes/default/archetypes/default.md`.
    file: String,
    /// Its text.
    text: String,
    /// `default.md` rather than the section's own archetype.
    is_default: bool,
}

/// The section's archetype in the site, then in the theme; then `default.md` in each.
fn find_archetype(site_dir: &Path, config: &Config, section: &str) -> Option<Archetype> {
    let local_theme = site_dir.join("themes").join(&config.theme);
    let theme_display = format!("themes/{}/archetypes", config.theme);
    let read_site = |relative: &str| -> Option<String> {
        let path = crate::files::confined(&site_dir.join("archetypes"), relative)?;
        std::fs::read(path).ok().and_then(|bytes| decode(&bytes))
    };
    let read_theme = |relative: &str| -> Option<String> {
        if local_theme.is_dir() {
            let path = crate::files::confined(&local_theme.join("archetypes"), relative)?;
            std::fs::read(path).ok().and_then(|bytes| decode(&bytes))
        } else if config.theme == "default" {
            crate::embedded::DefaultTheme::get(&format!("archetypes/{relative}")).and_then(|file| decode(&file.data))
        } else {
            None
        }
    };
    let own = format!("{section}.md");
    let candidates = [
        (own.as_str(), "archetypes".to_string(), false, true),
        (own.as_str(), theme_display.clone(), false, false),
        ("default.md", "archetypes".to_string(), true, true),
        ("default.md", theme_display, true, false),
    ];
    candidates.into_iter().find_map(|(name, dir, is_default, in_site)| {
        let text = if in_site { read_site(name) } else { read_theme(name) }?;
        Some(Archetype {
            file: format!("{dir}/{name}"),
            text,
            is_default,
        })
    })
}

fn decode(bytes: &[u8]) -> Option<String> {
    crate::content::decode::decode_text(bytes).ok().map(|d| d.text)
}

impl Archetype {
    /// The front matter and body with the placeholders filled in, the front matter checked as a
    /// page's would be. Errors point at the archetype's lines.
    fn fill(&self, values: &Values<'_>) -> Result<(toml::Table, String), Diagnostic> {
        let text = self.text.replace("\r\n", "\n");
        let split = front_matter::split(&self.file, &text)?;
        if split.format == Some(Format::Yaml) {
            return Err(Diagnostic::error(
                RULE,
                &self.file,
                1,
                1,
                "an archetype's front matter must be TOML between `+++` lines",
            )
            .with_hint("write the front matter between two lines `+++`, as key = \"value\""));
        }
        // The parts are slices of `text` (but for the empty front matter of a file without one):
        // their offsets place a placeholder's line in the file.
        let offset_of = |part: &str| (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize).min(text.len());
        let front_start = if split.format.is_some() { offset_of(split.front) } else { 0 };
        let body_start = offset_of(split.body);
        let front = replace_placeholders(&self.file, &text, front_start, split.front, values, toml_escape)?;
        let body = replace_placeholders(&self.file, &text, body_start, split.body, values, str::to_string)?;
        let filled = front_matter::Split {
            front: &front,
            ..split.clone()
        };
        front_matter::parse::<PageFront>(&self.file, &filled)?;
        let table: toml::Table = toml::from_str(&front)
            .map_err(|e| crate::config::toml_diagnostic("front-matter", &self.file, &front, split.front_line_offset, &e))?;
        Ok((table, body))
    }
}

/// `part` (which starts at byte `start` of the archetype `text`) with every `{{ name }}` replaced by
/// `escape` of its value. Other `{{ … }}`, such as shortcode calls, are left as they are.
fn replace_placeholders(
    file: &str,
    text: &str,
    start: usize,
    part: &str,
    values: &Values<'_>,
    escape: fn(&str) -> String,
) -> Result<String, Diagnostic> {
    let mut out = String::with_capacity(part.len());
    let mut rest = part;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            out.push_str(&rest[open..]);
            return Ok(out);
        };
        let name = after[..close].trim();
        let is_name = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !is_name {
            out.push_str(&rest[open..open + 2 + close + 2]);
        } else if let Some(value) = values.get(name) {
            out.push_str(&escape(value));
        } else {
            let offset = start + (part.len() - rest.len()) + open;
            let (line, column) = crate::diagnostic::line_col(text, offset);
            return Err(
                Diagnostic::error(RULE, file, line, column, format!("unknown placeholder `{{{{ {name} }}}}`"))
                    .with_hint(format!("an archetype can use {PLACEHOLDERS}")),
            );
        }
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Text as it may stand between the double quotes of a TOML string.
fn toml_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// `front` with `title`, `date` (when the archetype has none) and `draft = true` first.
fn with_title_date_draft(front: toml::Table, title: &str, today: NaiveDate) -> toml::Table {
    let mut out = toml::Table::new();
    let mut front = front;
    let title = front.remove("title").unwrap_or_else(|| toml::Value::String(title.to_string()));
    out.insert("title".into(), title);
    let date = front.remove("date").unwrap_or_else(|| toml::Value::Datetime(toml_date(today)));
    out.insert("date".into(), date);
    front.remove("draft");
    out.insert("draft".into(), toml::Value::Boolean(true));
    out.extend(front);
    out
}

/// The branch and the meeting of `--branch`/`--meeting`: the branch replaces the page's branches;
/// the archetype's `[meeting]` keeps what it says beyond the kind.
fn apply_asked(front: &mut toml::Table, asked: toml::Table) {
    for (key, value) in asked {
        match (key.as_str(), value) {
            ("taxonomies", toml::Value::Table(terms)) => {
                let taxonomies = front.entry("taxonomies").or_insert_with(|| toml::Value::Table(toml::Table::new()));
                if let toml::Value::Table(taxonomies) = taxonomies {
                    taxonomies.extend(terms);
                }
            }
            ("meeting", toml::Value::Table(mut meeting)) => {
                if let Some(toml::Value::Table(own)) = front.remove("meeting") {
                    for (k, v) in own {
                        if k != "kind" {
                            meeting.insert(k, v);
                        }
                    }
                }
                front.insert("meeting".into(), toml::Value::Table(meeting));
            }
            (key, value) => {
                front.insert(key.to_string(), value);
            }
        }
    }
}

/// Checks the new page's front matter as `build` will.
fn check_front(file: &str, text: &str) -> Result<(), Diagnostic> {
    let split = front_matter::split(file, text)?;
    front_matter::parse::<PageFront>(file, &split).map(|_| ())
}

fn toml_date(day: NaiveDate) -> toml::value::Datetime {
    use chrono::Datelike;
    toml::value::Datetime {
        date: Some(toml::value::Date {
            year: day.year() as u16,
            month: day.month() as u8,
            day: day.day() as u8,
        }),
        time: None,
        offset: None,
    }
}

/// Adds, left blank, the `[taxonomies]` and `[extra]` keys of `example` that `front` lacks.
fn add_blank_keys(front: &mut toml::Table, example: &toml::Table) {
    for table in ["taxonomies", "extra"] {
        let Some(toml::Value::Table(keys)) = example.get(table) else {
            continue;
        };
        let entry = front.entry(table).or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if let toml::Value::Table(own) = entry {
            for (k, v) in keys {
                if !own.contains_key(k) {
                    own.insert(k.clone(), blank_like(v));
                }
            }
        }
    }
}

/// An empty value of the same kind: the new page shows which fields to fill in.
fn blank_like(value: &toml::Value) -> toml::Value {
    match value {
        toml::Value::Array(_) => toml::Value::Array(Vec::new()),
        toml::Value::Table(table) => toml::Value::Table(table.iter().map(|(k, v)| (k.clone(), blank_like(v))).collect()),
        toml::Value::Integer(_) => toml::Value::Integer(0),
        toml::Value::Boolean(b) => toml::Value::Boolean(*b),
        _ => toml::Value::String(String::new()),
    }
}

/// The TOML front matter of the section's newest published page: the latest `date`, then the last
/// file name. Drafts are left out: a page just started from an archetype is no example of the
/// section's habits.
fn newest_front_matter(section_dir: &Path) -> Option<toml::Table> {
    let files = std::fs::read_dir(section_dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .map(|p| if p.is_dir() { p.join("index.md") } else { p })
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "md") && !p.ends_with("_index.md"));
    files
        .filter_map(|file| {
            let bytes = std::fs::read(&file).ok()?;
            let text = crate::content::decode::decode_text(&bytes).ok()?.text;
            let split = crate::content::front_matter::split("", &text).ok()?;
            let front: toml::Table = toml::from_str(split.front).ok()?;
            if front.get("draft").and_then(toml::Value::as_bool) == Some(true) {
                return None;
            }
            // ISO dates order as text; a page without one comes before every dated page.
            let date = front.get("date").map(ToString::to_string).unwrap_or_default();
            Some(((date, file), front))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, front)| front)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A site whose theme is a local folder without archetypes, so only the site's count.
    fn site(config: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path();
        std::fs::write(
            site.join("config.toml"),
            format!("base_url = \"http://h\"\ntheme = \"plain\"\n{config}"),
        )
        .unwrap();
        std::fs::create_dir_all(site.join("themes/plain/templates")).unwrap();
        std::fs::create_dir_all(site.join("content/study")).unwrap();
        std::fs::write(site.join("content/study/_index.md"), "+++\ntitle = \"学习\"\n+++\n").unwrap();
        dir
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 5, 20).unwrap()
    }

    #[test]
    fn new_page_copies_the_sections_fields_blank() {
        let dir = site("taxonomies = [{ name = \"tags\" }]\n");
        let site = dir.path();
        std::fs::write(
            site.join("content/study/a.md"),
            "+++\ntitle = \"旧\"\n[taxonomies]\ntags = [\"党史\"]\n[extra]\nsource = \"人民日报\"\n+++\n正文\n",
        )
        .unwrap();
        let path = new_page(site, "study", "银行党课", day()).unwrap();
        assert_eq!(path, site.join("content/study/yin-hang-dang-ke.md"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("+++\ntitle = \"银行党课\"\ndate = 2024-05-20\ndraft = true\n"),
            "{text}"
        );
        assert!(text.contains("[taxonomies]\ntags = []\n"), "{text}");
        assert!(text.contains("[extra]\nsource = \"\"\n"), "{text}");
        assert!(new_page(site, "study", "银行党课", day()).unwrap_err().contains("already exists"));
        assert!(new_page(site, "nosuch", "x", day()).unwrap_err().contains("no section"));
        assert!(new_page(site, "../..", "x", day()).is_err());
        assert!(!text.contains("[review]"), "{text}");
    }

    #[test]
    fn new_page_has_blank_review_when_review_is_required() {
        let dir = site("[review]\nrequired = true\n");
        let path = new_page(dir.path(), "study", "支部活动", day()).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("[review]\nfirst = \"\"\nsecond = \"\"\nfinal = \"\"\n+++\n"),
            "{text}"
        );
        assert!(text.contains("初审（first）"), "{text}");
    }

    #[test]
    fn placeholders_are_filled_and_escaped() {
        let dir = site("");
        std::fs::create_dir_all(dir.path().join("archetypes")).unwrap();
        std::fs::write(
            dir.path().join("archetypes/study.md"),
            "+++\ntitle = \"{{ title }}\"\ndescription = \"{{title}}（{{ section }}）\"\n+++\n\n# {{ title }}\n\n{{ figure(src=\"a.jpg\") }}\n",
        )
        .unwrap();
        let path = new_page(dir.path(), "study", "学习“两会”精神\\体会", day()).unwrap();
        assert_eq!(
            std::fs::read_to_string(path).unwrap(),
            "+++\ntitle = '学习“两会”精神\\体会'\ndate = 2024-05-20\ndraft = true\ndescription = '学习“两会”精神\\体会（study）'\n+++\n\n# 学习“两会”精神\\体会\n\n{{ figure(src=\"a.jpg\") }}\n"
        );
    }

    #[test]
    fn unknown_placeholders_and_bad_front_matter_name_the_archetype_line() {
        let dir = site("");
        std::fs::create_dir_all(dir.path().join("archetypes")).unwrap();
        let archetype = dir.path().join("archetypes/study.md");
        std::fs::write(&archetype, "+++\ntitle = \"{{ title }}\"\nauthor = \"{{ autor }}\"\n+++\n").unwrap();
        assert_eq!(
            new_page(dir.path(), "study", "甲", day()).unwrap_err(),
            "archetypes/study.md:3:11: error[archetype]: unknown placeholder `{{ autor }}`\n  = hint: an archetype can use {{ title }}, {{ date }}, {{ date_next_month }}, {{ section }}, {{ branch }}, {{ meeting }}"
        );
        std::fs::write(&archetype, "---\ntitle: x\n---\n").unwrap();
        assert!(
            new_page(dir.path(), "study", "甲", day())
                .unwrap_err()
                .starts_with("archetypes/study.md:1:1: error[archetype]: an archetype's front matter must be TOML"),
        );
        assert!(!dir.path().join("content/study/jia.md").exists(), "nothing is written");
    }

    #[test]
    fn escaping_for_toml_strings() {
        assert_eq!(toml_escape("a\"b\\c\nd\u{1}"), "a\\\"b\\\\c\\nd\\u0001");
    }
}
