//! Code highlighting with syntect, as CSS classes (never inline styles), and the matching
//! stylesheet. The syntax set is loaded on first use, so sites without code never pay for it.

use std::sync::OnceLock;

use syntect::highlighting::{Color, ThemeSet};
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
    let mut themes = ThemeSet::load_defaults();
    // InspiredGitHub is a light theme, but several of its colours (comments, strings) are below
    // WCAG's 4.5:1 on its own background; they are darkened until they reach it.
    match themes.themes.remove("InspiredGitHub") {
        Some(mut theme) => {
            let background = theme.settings.background.unwrap_or(WHITE);
            let readable = |color: &mut Option<Color>, on: Color| {
                if let Some(c) = color {
                    *c = with_contrast(*c, on, MIN_CONTRAST);
                }
            };
            readable(&mut theme.settings.foreground, background);
            for item in &mut theme.scopes {
                let on = item.style.background.unwrap_or(background);
                readable(&mut item.style.foreground, on);
            }
            css_for_theme_with_class_style(&theme, CLASS_STYLE).unwrap_or_default()
        }
        None => String::new(),
    }
}

/// WCAG 2.1 AA contrast for normal text, with a little margin for rounding.
const MIN_CONTRAST: f64 = 4.6;
const WHITE: Color = Color {
    r: 255,
    g: 255,
    b: 255,
    a: 255,
};

/// WCAG relative luminance.
fn luminance(c: Color) -> f64 {
    let channel = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.03928 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)
}

/// WCAG contrast ratio of two colours.
pub fn contrast(a: Color, b: Color) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// `color` darkened (on a light background) or lightened (on a dark one) just enough to reach
/// `ratio` against `background`, keeping its hue.
fn with_contrast(color: Color, background: Color, ratio: f64) -> Color {
    let dark_background = luminance(background) < 0.5;
    let mut c = color;
    for _ in 0..64 {
        if contrast(c, background) >= ratio {
            break;
        }
        let step = |v: u8| {
            if dark_background {
                v.saturating_add(((255 - v) / 8).max(1))
            } else {
                (f64::from(v) * 0.92) as u8
            }
        };
        c = Color {
            r: step(c.r),
            g: step(c.g),
            b: step(c.b),
            a: c.a,
        };
    }
    c
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

    /// Every text colour of the generated stylesheet reaches 4.5:1 on its rule's background (the
    /// theme's white where the rule sets none).
    #[test]
    fn stylesheet_colours_have_enough_contrast() {
        let hex = |text: &str| {
            let v = |i: usize| u8::from_str_radix(&text[i..i + 2], 16).unwrap();
            Color {
                r: v(0),
                g: v(2),
                b: v(4),
                a: 255,
            }
        };
        let css = stylesheet();
        let mut checked = 0;
        for rule in css.split('}') {
            let find = |property: &str| {
                rule.lines()
                    .find_map(|l| l.trim().strip_prefix(property))
                    .map(|v| hex(v.trim_start_matches('#')))
            };
            let Some(foreground) = find("color: #") else { continue };
            let background = find("background-color: #").unwrap_or(WHITE);
            let ratio = contrast(foreground, background);
            assert!(ratio >= 4.5, "{:.2}:1 in rule {rule}", ratio);
            checked += 1;
        }
        assert!(checked > 10, "only {checked} colours found in:\n{css}");
    }
}
