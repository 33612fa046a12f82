//! `dangjian new SECTION TITLE`: a new page in a section, with the front matter the section's
//! pages use (the keys of its newest page, values left blank), marked as a draft.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::config::Config;
use crate::content::slug::slugify;

/// What `--meeting` and `--branch` ask of a new page.
#[derive(Debug, Clone, Default)]
pub struct NewOptions {
    /// The kind of meeting the page reports (`--meeting 党课`), for the organization-life ledger.
    pub meeting: Option<String>,
    /// The branch the page is about, by its slug or name in data/branches.toml (`--branch SLUG`).
    pub branch: Option<String>,
}

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
    let mut front = toml::Table::new();
    front.insert("title".into(), toml::Value::String(title.to_string()));
    front.insert("date".into(), toml::Value::Datetime(toml_date(today)));
    front.insert("draft".into(), toml::Value::Boolean(true));
    if let Some(example) = newest_front_matter(&section_dir) {
        for table in ["taxonomies", "extra"] {
            if let Some(toml::Value::Table(keys)) = example.get(table) {
                let blank: toml::Table = keys.iter().map(|(k, v)| (k.clone(), blank_like(v))).collect();
                front.insert(table.into(), toml::Value::Table(blank));
            }
        }
    }
    let mut publish = "写完后删除上面的 `draft = true`";
    if config.review.required {
        // Blank names show the reviewers what to fill in; the page is held back until they do.
        let blank = |_| toml::Value::String(String::new());
        let review: toml::Table = ["first", "second", "final"]
            .into_iter()
            .map(|k| (k.to_string(), blank(k)))
            .collect();
        front.insert("review".into(), toml::Value::Table(review));
        publish = "写完后删除上面的 `draft = true`，并在 [review] 中填写初审（first）、复审（second）、终审（final）人员姓名";
    }
    let mut note = "";
    if options.meeting.is_some() || options.branch.is_some() {
        let (meeting, branch) = (options.meeting.as_deref(), options.branch.as_deref());
        note = crate::ledger::scaffold::fill_new_page(site_dir, &config, &mut front, meeting, branch)?;
    }
    let text = format!(
        "+++\n{}+++\n\n在这里写正文。{publish}，稿件才会发布。\n{note}",
        toml::to_string(&front).map_err(|e| e.to_string())?
    );
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
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

/// The TOML front matter of the section's newest page (by file name, which starts with the date
/// for dated files; else the last one).
fn newest_front_matter(section_dir: &Path) -> Option<toml::Table> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(section_dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .map(|p| if p.is_dir() { p.join("index.md") } else { p })
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "md") && !p.ends_with("_index.md"))
        .collect();
    files.sort();
    files.iter().rev().find_map(|file| {
        let bytes = std::fs::read(file).ok()?;
        let text = crate::content::decode::decode_text(&bytes).ok()?.text;
        let split = crate::content::front_matter::split("", &text).ok()?;
        toml::from_str(split.front).ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_page_copies_the_sections_fields_blank() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path();
        std::fs::write(
            site.join("config.toml"),
            "base_url = \"http://h\"\ntaxonomies = [{ name = \"tags\" }]\n",
        )
        .unwrap();
        std::fs::create_dir_all(site.join("content/study")).unwrap();
        std::fs::write(site.join("content/study/_index.md"), "+++\ntitle = \"学习\"\n+++\n").unwrap();
        std::fs::write(
            site.join("content/study/a.md"),
            "+++\ntitle = \"旧\"\n[taxonomies]\ntags = [\"党史\"]\n[extra]\nsource = \"人民日报\"\n+++\n正文\n",
        )
        .unwrap();
        let today = NaiveDate::from_ymd_opt(2024, 5, 20).unwrap();
        let path = new_page(site, "study", "银行党课", today).unwrap();
        assert_eq!(path, site.join("content/study/yin-hang-dang-ke.md"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("+++\ntitle = \"银行党课\"\ndate = 2024-05-20\ndraft = true\n"),
            "{text}"
        );
        assert!(text.contains("[taxonomies]\ntags = []\n"), "{text}");
        assert!(text.contains("[extra]\nsource = \"\"\n"), "{text}");
        assert!(new_page(site, "study", "银行党课", today).unwrap_err().contains("already exists"));
        assert!(new_page(site, "nosuch", "x", today).unwrap_err().contains("no section"));
        assert!(new_page(site, "../..", "x", today).is_err());
        assert!(!text.contains("[review]"), "{text}");
    }

    #[test]
    fn new_page_has_blank_review_when_review_is_required() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path();
        std::fs::write(site.join("config.toml"), "base_url = \"http://h\"\n[review]\nrequired = true\n").unwrap();
        std::fs::create_dir_all(site.join("content/news")).unwrap();
        std::fs::write(site.join("content/news/_index.md"), "+++\ntitle = \"动态\"\n+++\n").unwrap();
        let path = new_page(site, "news", "支部活动", NaiveDate::from_ymd_opt(2024, 5, 20).unwrap()).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("[review]\nfirst = \"\"\nsecond = \"\"\nfinal = \"\"\n+++\n"),
            "{text}"
        );
        assert!(text.contains("初审（first）"), "{text}");
    }
}
