//! Site settings from `config.toml`, parsed strictly: an unknown key is an error naming it.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostic::{self, Diagnostic};

/// How non-ASCII file names and taxonomy terms become URL slugs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SlugStyle {
    /// Toneless pinyin joined by hyphens: 学习心得 → xue-xi-xin-de.
    #[default]
    Pinyin,
    /// Keep Chinese characters, only tidy spaces and punctuation.
    Keep,
}

/// A taxonomy declared in config (`tags`, `branches`, …).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TaxonomyConfig {
    /// The name used in front matter (`[taxonomies] tags = [...]`) and in URLs.
    pub name: String,
    /// The title shown to readers (标签, 党支部); defaults to the name.
    #[serde(default)]
    pub title: Option<String>,
    /// Pages per term page; no pagination when absent.
    #[serde(default)]
    pub paginate_by: Option<usize>,
    /// Whether each term gets an Atom feed.
    #[serde(default)]
    pub feed: bool,
}

/// Markdown rendering settings.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct MarkdownConfig {
    /// Highlight fenced code blocks with CSS classes.
    pub highlight_code: bool,
}

impl Default for MarkdownConfig {
    fn default() -> Self {
        MarkdownConfig { highlight_code: true }
    }
}

/// `[images]`: what happens to photos when the site is published.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ImagesConfig {
    /// Remove GPS position, camera and other metadata (EXIF, XMP, IPTC) from every published JPEG,
    /// PNG and WebP; the colour profile and the orientation are kept. On unless set to false.
    pub strip_metadata: bool,
}

impl Default for ImagesConfig {
    fn default() -> Self {
        ImagesConfig { strip_metadata: true }
    }
}

/// `[review]`: the 三审三校 sign-off.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReviewConfig {
    /// A page is published only when its front matter names its 初审 (`first`), 复审 (`second`)
    /// and 终审 (`final`) reviewers under `[review]`; the preview shows the others with a banner.
    pub required: bool,
}

/// The whole `config.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Absolute URL the site is served from, possibly with a sub-path.
    pub base_url: String,
    /// Site title.
    #[serde(default)]
    pub title: String,
    /// Site description, used in feeds and meta tags.
    #[serde(default)]
    pub description: String,
    /// HTML language code.
    #[serde(default = "default_language")]
    pub language_code: String,
    /// Theme folder name: `<site>/themes/<name>`, else the embedded `default`.
    #[serde(default = "default_theme")]
    pub theme: String,
    /// How slugs are made from Chinese names.
    #[serde(default)]
    pub slugify: SlugStyle,
    /// Whether the site-wide Atom feed is written.
    #[serde(default = "default_true")]
    pub generate_feeds: bool,
    /// How many entries a feed holds.
    #[serde(default = "default_feed_limit")]
    pub feed_limit: usize,
    /// Raw HTML in Markdown is kept as written instead of sanitized. Only for fully trusted authors.
    #[serde(default)]
    pub trusted_html: bool,
    /// Links inside the site are written relative to each page, so the built folder works when
    /// opened from disk (`file://`) or served under any path.
    #[serde(default)]
    pub relative_urls: bool,
    /// Whether robots.txt lets crawlers in (intranet default: no).
    #[serde(default)]
    pub allow_robots: bool,
    /// Writes the full-text search index and the `/search/` page (default: yes).
    #[serde(default = "default_true")]
    pub build_search_index: bool,
    /// Declared taxonomies.
    #[serde(default)]
    pub taxonomies: Vec<TaxonomyConfig>,
    /// Markdown settings.
    #[serde(default)]
    pub markdown: MarkdownConfig,
    /// Photo metadata settings.
    #[serde(default)]
    pub images: ImagesConfig,
    /// Review (三审三校) settings.
    #[serde(default)]
    pub review: ReviewConfig,
    /// The organization-life ledger (三会一课台账): how often each kind of meeting is required.
    /// Used when the site has data/branches.toml.
    #[serde(default)]
    pub ledger: crate::ledger::LedgerConfig,
    /// The lobby screen (大屏, `/screen/`): how long slides stay, how often it reloads, what it shows.
    #[serde(default)]
    pub screen: crate::screen::ScreenConfig,
    /// Free-form settings for themes.
    #[serde(default)]
    pub extra: toml::Table,
}

fn default_language() -> String {
    "zh-CN".to_string()
}
fn default_theme() -> String {
    "default".to_string()
}
fn default_true() -> bool {
    true
}
fn default_feed_limit() -> usize {
    20
}

impl Config {
    /// Reads and validates `<site>/config.toml`.
    pub fn load(site_dir: &Path) -> Result<Config, Diagnostic> {
        let path = site_dir.join("config.toml");
        let bytes = std::fs::read(&path).map_err(|e| {
            Diagnostic::error("config", "config.toml", 0, 0, format!("cannot read config.toml: {e}"))
                .with_hint("run `dangjian init DIR` to create a new site, or pass --site DIR")
        })?;
        let text = crate::content::decode::decode_text(&bytes)
            .map_err(|_| Diagnostic::error("encoding", "config.toml", 0, 0, "config.toml is neither UTF-8 nor GB18030 text"))?;
        Config::parse(&text.text)
    }

    /// Parses config text; errors point at the line in `config.toml`.
    pub fn parse(text: &str) -> Result<Config, Diagnostic> {
        let mut config: Config = toml::from_str(text).map_err(|e| toml_diagnostic("config", "config.toml", text, 0, &e))?;
        config.validate(text)?;
        config.base_url = config.base_url.trim_end_matches('/').to_string();
        Ok(config)
    }

    fn validate(&self, text: &str) -> Result<(), Diagnostic> {
        let line_of = |key: &str| text.lines().position(|l| l.trim_start().starts_with(key)).map_or(0, |i| i + 1);
        if !(self.base_url.starts_with("http://") || self.base_url.starts_with("https://") || self.base_url.starts_with('/')) {
            return Err(Diagnostic::error(
                "config",
                "config.toml",
                line_of("base_url"),
                1,
                format!("base_url `{}` is not an absolute URL", self.base_url),
            )
            .with_hint("write it like base_url = \"http://dangjian.example.intranet\" (a sub-path such as /party/ is allowed)"));
        }
        let mut seen = std::collections::HashSet::new();
        for taxonomy in &self.taxonomies {
            let valid = !taxonomy.name.is_empty() && taxonomy.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !valid || !seen.insert(taxonomy.name.as_str()) {
                return Err(Diagnostic::error(
                    "config",
                    "config.toml",
                    line_of("taxonomies").max(line_of(&format!("{{ name = \"{}\"", taxonomy.name))),
                    1,
                    format!("taxonomy name `{}` is empty, repeated or not ASCII", taxonomy.name),
                )
                .with_hint("taxonomy names appear in URLs: use ASCII letters, digits, - and _, each once"));
            }
            if taxonomy.paginate_by == Some(0) {
                return Err(Diagnostic::error(
                    "config",
                    "config.toml",
                    line_of("taxonomies"),
                    1,
                    format!("taxonomy `{}` has paginate_by = 0", taxonomy.name),
                )
                .with_hint("use a positive number, or leave paginate_by out"));
            }
        }
        Ok(())
    }

    /// The path part of base_url without a trailing slash ("" or "/party").
    pub fn base_path(&self) -> &str {
        let rest = self
            .base_url
            .strip_prefix("http://")
            .or_else(|| self.base_url.strip_prefix("https://"))
            .map(|r| r.find('/').map_or("", |i| &r[i..]))
            .unwrap_or(&self.base_url);
        rest.trim_end_matches('/')
    }

    /// The absolute URL of a site path such as "/study/x/".
    pub fn permalink(&self, path: &str) -> String {
        let origin_end = self.base_url.len() - self.base_path().len();
        let origin = &self.base_url[..origin_end];
        format!("{origin}{}{path}", self.base_path())
    }

    /// The config as templates see it (`config.title`, `config.extra.menu`, …), TOML dates as text.
    pub fn template_value(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        value["extra"] = crate::content::front_matter::toml_to_json(toml::Value::Table(self.extra.clone()));
        value
    }

    /// The taxonomy declared under `name`.
    pub fn taxonomy(&self, name: &str) -> Option<&TaxonomyConfig> {
        self.taxonomies.iter().find(|t| t.name == name)
    }
}

/// Turns a toml error into a diagnostic at the right line of `file`; `line_offset` is the number of
/// lines before `text` in the file (front matter starts after the `+++` line).
pub fn toml_diagnostic(rule: &'static str, file: &str, text: &str, line_offset: usize, error: &toml::de::Error) -> Diagnostic {
    let (line, column) = error.span().map_or((1, 1), |span| diagnostic::line_col(text, span.start));
    let message = error.message().trim().to_string();
    let hint = match unknown_field_suggestion(&message) {
        Some(suggestion) => format!("did you mean `{suggestion}`? Otherwise remove the key"),
        None if message.contains("unknown field") => "remove the key or check its spelling against the documentation".to_string(),
        None if message.contains("duplicate key") => "this key is set twice; keep one of them".to_string(),
        None => "check the TOML syntax on this line: strings need quotes, dates are written 2022-01-18".to_string(),
    };
    Diagnostic::error(rule, file, line + line_offset, column, message).with_hint(hint)
}

/// For serde's "unknown field `feed_limt`, expected one of `a`, `b`…": the expected name closest to
/// the unknown one, if it is close enough to be a typo.
pub fn unknown_field_suggestion(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (unknown, expected) = rest.split_once('`')?;
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|candidate| (strsim::damerau_levenshtein(unknown, candidate), candidate))
        .filter(|(distance, candidate)| *distance <= 2.max(candidate.len() / 4))
        .min()
        .map(|(_, candidate)| candidate.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_names_key_and_line() {
        let err = Config::parse("base_url = \"http://a\"\ntitle = \"x\"\ntitel = \"y\"\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("titel"), "{}", err.message);
    }

    #[test]
    fn typos_get_a_suggestion() {
        let err = Config::parse("base_url = \"http://a\"\nfeed_limt = 3\n").unwrap_err();
        assert_eq!(err.hint.as_deref(), Some("did you mean `feed_limit`? Otherwise remove the key"));
        let err = Config::parse("base_url = \"http://a\"\nzzzzzz = 3\n").unwrap_err();
        assert_eq!(
            err.hint.as_deref(),
            Some("remove the key or check its spelling against the documentation")
        );
    }

    #[test]
    fn sub_path_permalinks() {
        let config = Config::parse("base_url = \"http://host.local/party/\"").unwrap();
        assert_eq!(config.base_path(), "/party");
        assert_eq!(config.permalink("/study/"), "http://host.local/party/study/");
        let root = Config::parse("base_url = \"http://host.local\"").unwrap();
        assert_eq!(root.base_path(), "");
        assert_eq!(root.permalink("/"), "http://host.local/");
    }
}
