//! The lobby screen (大屏) at `/screen/`: one full-screen page of slides that rotate on their own —
//! current notices, the latest news with a photo, quotes from `data/quotes.toml` between them and
//! this quarter's ledger status — for a display in the bureau's lobby. The page reloads itself now
//! and then (themes/default/static/js/screen.js), so it shows what was published since.
//!
//! Which slides there are, and in which order, is decided here and handed to `screen.html` as
//! `screen.slides`; the theme only draws them.

pub mod quotes;

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Value, json};

use crate::content::Library;
use crate::content::front_matter::SortBy;
use crate::diagnostic::Diagnostic;
use crate::output::Body;
use crate::render::RenderInput;
use quotes::Quote;

/// The template of the screen; the screen is planned only when the theme has it.
pub const TEMPLATE: &str = "screen.html";

/// The site path of the screen.
pub const PATH: &str = "/screen/";

/// `[screen]` in config.toml.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScreenConfig {
    /// Whether `/screen/` is written (default: yes, when the theme has `screen.html`).
    pub enabled: bool,
    /// How long each slide stays, in seconds (5–600).
    #[serde(deserialize_with = "slide_seconds")]
    pub slide_seconds: u32,
    /// How often the screen reloads itself to show new content, in minutes (1–1440).
    #[serde(deserialize_with = "reload_minutes")]
    pub reload_minutes: u32,
    /// How many of the latest news pages get a slide (0–20).
    #[serde(deserialize_with = "news_count")]
    pub news: usize,
    /// How many current notices the notices slide lists (0–10; 0: no notices slide).
    #[serde(deserialize_with = "notices_count")]
    pub notices: usize,
    /// The section whose pages are the news (default `news`, content/news/).
    pub news_section: Option<String>,
    /// The section whose pages are the notices (default `notices`, content/notices/).
    pub notices_section: Option<String>,
}

impl Default for ScreenConfig {
    fn default() -> Self {
        ScreenConfig {
            enabled: true,
            slide_seconds: 15,
            reload_minutes: 10,
            news: 6,
            notices: 5,
            news_section: None,
            notices_section: None,
        }
    }
}

/// A whole number in `min..=max`; the error names the key and the range, and toml places it at
/// the value in config.toml.
fn bounded<'de, D: Deserializer<'de>>(deserializer: D, key: &str, min: u64, max: u64, unit: &str) -> Result<u64, D::Error> {
    let value = i64::deserialize(deserializer)?;
    match u64::try_from(value) {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(serde::de::Error::custom(format!(
            "[screen] {key} = {value} is out of range: use {min} to {max}{unit}"
        ))),
    }
}

fn slide_seconds<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    // The range fits u32, so the conversion cannot fail.
    bounded(d, "slide_seconds", 5, 600, " (seconds each slide is shown)").map(|n| n as u32)
}

fn reload_minutes<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    bounded(d, "reload_minutes", 1, 1440, " (minutes between reloads)").map(|n| n as u32)
}

fn news_count<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    bounded(d, "news", 0, 20, " (news slides)").map(|n| n as usize)
}

fn notices_count<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    bounded(d, "notices", 0, 10, " (notices on the notices slide)").map(|n| n as usize)
}

/// What rendering the screen needs beyond the site: the quotes, read and checked while planning.
#[derive(Debug, Clone)]
pub struct ScreenJob {
    quotes: Arc<Vec<Quote>>,
}

/// Reads `data/quotes.toml` (checked whenever it exists) and, when the screen is enabled and the
/// theme has `screen.html`, the job that renders `/screen/`.
pub fn plan(
    library: &Library,
    config: &crate::config::Config,
    site_dir: &Path,
    has_template: bool,
) -> (Option<ScreenJob>, Vec<Diagnostic>) {
    let (quotes, mut diagnostics) = quotes::load(site_dir);
    let screen = &config.screen;
    for (key, section) in [("news_section", &screen.news_section), ("notices_section", &screen.notices_section)] {
        let Some(name) = section else { continue };
        if library.section(&section_file(name)).is_none() {
            let text = std::fs::read_to_string(site_dir.join("config.toml")).unwrap_or_default();
            let line = crate::content::front_matter::key_line_in_table(&text, "screen", key).unwrap_or(0);
            diagnostics.push(
                Diagnostic::error(
                    "config",
                    "config.toml",
                    line,
                    0,
                    format!(
                        "[screen] {key} = \"{name}\" is not a section: there is no content/{}",
                        section_file(name)
                    ),
                )
                .with_hint("name a folder under content/ that has an _index.md, e.g. \"news\""),
            );
        }
    }
    let job = (screen.enabled && has_template).then(|| ScreenJob { quotes: Arc::new(quotes) });
    (job, diagnostics)
}

/// `news` → `news/_index.md`, the relative path of the section.
fn section_file(name: &str) -> String {
    format!("{}/_index.md", name.trim_matches('/'))
}

/// One slide as `screen.html` sees it: `kind` is `notices`, `news`, `quote`, `ledger`.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum Slide<'a> {
    /// The current notices, newest first.
    Notices {
        title: &'a str,
        permalink: String,
        pages: Vec<&'a Value>,
    },
    /// A news page with its first photo, if it has one.
    News { page: &'a Value, photo: Option<Value> },
    /// A quote.
    Quote { text: &'a str, source: &'a str },
    /// This quarter of the organization-life ledger (`get_ledger_status()` in the template).
    Ledger,
}

/// The slides in their order: the notices; then the news, each followed by a quote while quotes
/// last (the rest of either list after them); then the ledger.
fn slides<'a>(input: &'a RenderInput<'_>, quotes: &'a [Quote]) -> Vec<Slide<'a>> {
    let values = input.values;
    let (library, config) = (&values.library, &values.config);
    let screen = &config.screen;
    let mut slides = Vec::new();
    let notices_section = library.section(&section_file(screen.notices_section.as_deref().unwrap_or("notices")));
    if let Some(section) = notices_section.filter(|_| screen.notices > 0) {
        // A notice past its `expires` day stays on the site, but a lobby shows only what is still
        // in force (section lists leave such pages out already; a transparent subsection may not).
        let pages: Vec<&Value> = section
            .pages
            .iter()
            .filter(|&&i| !library.pages[i].expired)
            .take(screen.notices)
            .map(|&i| values.list_value(i))
            .collect();
        if !pages.is_empty() {
            slides.push(Slide::Notices {
                title: &section.title,
                permalink: config.permalink(&section.path),
                pages,
            });
        }
    }
    let news_section = library.section(&section_file(screen.news_section.as_deref().unwrap_or("news")));
    let mut news: Vec<usize> = news_section.map(|s| s.pages.clone()).unwrap_or_default();
    crate::content::sort_pages(&mut news, &library.pages, SortBy::Date);
    let mut news = news.into_iter().take(screen.news).map(|i| {
        let page = values.list_value(i);
        Slide::News {
            page,
            photo: photo(page, config),
        }
    });
    let mut quotes = quotes.iter().map(|q| Slide::Quote {
        text: &q.text,
        source: &q.source,
    });
    loop {
        let (a, b) = (news.next(), quotes.next());
        if a.is_none() && b.is_none() {
            break;
        }
        slides.extend(a);
        slides.extend(b);
    }
    if values.ledger.is_some() {
        slides.push(Slide::Ledger);
    }
    slides
}

/// The first photo of a news page: the first of the theme's gallery (`[extra] photos`, with its
/// alt text, else its caption as alt text), else the first image of the bundle (shown as
/// decoration: the slide's title says what it is about).
fn photo(page: &Value, config: &crate::config::Config) -> Option<Value> {
    let images = page["images"].as_array().map(Vec::as_slice).unwrap_or_default();
    let gallery = page["extra"]["photos"].as_array().map(Vec::as_slice).unwrap_or_default();
    for entry in gallery {
        let Some(src) = entry["src"].as_str() else { continue };
        let url = if src.starts_with('/') {
            Some(config.permalink(src))
        } else {
            images
                .iter()
                .find(|image| image["name"].as_str() == Some(src))
                .and_then(|image| image["permalink"].as_str())
                .map(str::to_string)
        };
        if let Some(url) = url {
            // The caption stands in for missing alt text, and then is not shown twice.
            let (alt, caption) = match entry["alt"].as_str() {
                Some(alt) => (alt, entry["caption"].clone()),
                None => (entry["caption"].as_str().unwrap_or(""), Value::Null),
            };
            return Some(json!({ "src": url, "alt": alt, "caption": caption }));
        }
    }
    images
        .first()
        .map(|image| json!({ "src": image["permalink"], "alt": "", "caption": Value::Null }))
}

/// Renders `/screen/`.
pub fn render(input: &RenderInput<'_>, job: &ScreenJob) -> Result<Body, Diagnostic> {
    let screen = &input.values.config.screen;
    let slides = slides(input, &job.quotes);
    let mut context = input.context(PATH);
    context.insert(
        "screen",
        &json!({
            "slide_seconds": screen.slide_seconds,
            "reload_minutes": screen.reload_minutes,
            "slides": slides,
        }),
    );
    let html = input.templates.render(TEMPLATE, context, "the lobby screen (大屏)")?;
    Ok(Body::Bytes(html.into_bytes()))
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    fn error(screen: &str) -> String {
        Config::parse(&format!("base_url = \"http://h\"\n[screen]\n{screen}\n"))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn defaults_and_settings() {
        let config = Config::parse("base_url = \"http://h\"\n").unwrap();
        assert!(config.screen.enabled);
        assert_eq!(
            (config.screen.slide_seconds, config.screen.reload_minutes, config.screen.news),
            (15, 10, 6)
        );
        let config = Config::parse("base_url = \"http://h\"\n[screen]\nslide_seconds = 20\nnews = 0\nenabled = false\n").unwrap();
        assert_eq!(
            (config.screen.slide_seconds, config.screen.news, config.screen.enabled),
            (20, 0, false)
        );
    }

    #[test]
    fn out_of_range_and_unknown_settings_name_the_line() {
        assert!(
            error("slide_seconds = 2").starts_with(
                "config.toml:3:17: error[config]: [screen] slide_seconds = 2 is out of range: use 5 to 600 (seconds each slide is shown)"
            ),
            "{}",
            error("slide_seconds = 2")
        );
        assert!(error("reload_minutes = -1").starts_with("config.toml:3:18: error[config]: [screen] reload_minutes = -1 is out of range"));
        let typo = error("slide_second = 10");
        assert!(
            typo.starts_with("config.toml:3:1: error[config]: unknown field `slide_second`"),
            "{typo}"
        );
        assert!(
            typo.ends_with("hint: did you mean `slide_seconds`? Otherwise remove the key"),
            "{typo}"
        );
        assert!(error("news = \"6\"").starts_with("config.toml:3:8: error[config]: invalid type: string \"6\""));
    }
}
