//! Code highlighting with syntect, as CSS classes (never inline styles), and the matching
//! stylesheet. The syntax set is loaded on first use, so sites without code never pay for it.

use std::sync::OnceLock;

use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// Class prefix, so highlighting classes never collide with a theme's own.
const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// Highlights code blocks; one per build, shared by all threads.
#[derive(Default)]
pub struct Highlighter {
    syntaxes: OnceLock<SyntaxSet>,
}

impl std::fmt::Debug for Highlighter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Highlighter")
            .field("loaded", &self.syntaxes.get().is_some())
            .finish()
    }
}

impl Highlighter {
    fn syntaxes(&self) -> &SyntaxSet {
        self.syntaxes.get_or_init(SyntaxSet::load_defaults_newlines)
    }

    /// The `<pre><code>` HTML of `code` in language `lang` (a fence's info string); unknown languages
    /// are escaped plain text.
    pub fn highlight(&self, code: &str, lang: &str) -> String {
        let lang = lang.split([' ', ',', '{']).next().unwrap_or_default().trim();
        let mut html = String::with_capacity(code.len() * 2);
        let lang_attr = html_escape(lang);
        if lang.is_empty() {
            html.push_str("<pre class=\"code\"><code>");
            html.push_str(&html_escape(code));
            html.push_str("</code></pre>\n");
            return html;
        }
        let syntaxes = self.syntaxes();
        let syntax = syntaxes.find_syntax_by_token(lang);
        html.push_str(&format!(
            "<pre class=\"code\" data-lang=\"{lang_attr}\"><code class=\"language-{lang_attr}\">"
        ));
        match syntax {
            Some(syntax) => {
                let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes, CLASS_STYLE);
                let mut ok = true;
                for line in LinesWithEndings::from(code) {
                    if generator.parse_html_for_line_which_includes_newline(line).is_err() {
                        ok = false;
                        break;
                    }
                }
                if ok {
                    html.push_str(&generator.finalize());
                } else {
                    html.push_str(&html_escape(code));
                }
            }
            None => html.push_str(&html_escape(code)),
        }
        html.push_str("</code></pre>\n");
        html
    }
}

/// The stylesheet for the highlighting classes (written to /css/syntax.css).
pub fn stylesheet() -> String {
    let themes = ThemeSet::load_defaults();
    // InspiredGitHub is a light theme that keeps contrast on a white page.
    match themes.themes.get("InspiredGitHub") {
        Some(theme) => css_for_theme_with_class_style(theme, CLASS_STYLE).unwrap_or_default(),
        None => String::new(),
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_with_classes_not_styles() {
        let html = Highlighter::default().highlight("fn main() {}\n", "rust");
        assert!(
            html.starts_with("<pre class=\"code\" data-lang=\"rust\"><code class=\"language-rust\">"),
            "{html}"
        );
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(!html.contains("style="), "{html}");
    }

    #[test]
    fn unknown_language_is_escaped_text() {
        let html = Highlighter::default().highlight("<b>x</b>", "nosuchlang");
        assert!(html.contains("&lt;b&gt;x&lt;/b&gt;"));
    }

    #[test]
    fn stylesheet_uses_prefixed_classes() {
        let css = stylesheet();
        assert!(css.contains(".hl-"), "{css}");
    }
}
