//! `data/quotes.toml`: the slogans and short quotes the lobby screen shows between the news,
//! checked with the line of each problem. The file is optional.
//!
//! ```toml
//! [[quotes]]
//! text = "清廉守初心，实干护碧水"   # the words on the screen
//! source = "局机关廉洁文化标语"      # optional, shown under them
//! ```
//!
//! Every problem of every entry is reported in one run: keys and values are read with their
//! spans and checked here by hand rather than by serde, which stops at the first wrong entry.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::diagnostic::{Diagnostic, line_col};

/// The file, relative to the site folder.
pub const FILE: &str = "data/quotes.toml";

/// Rule id of problems in the file.
pub const RULE: &str = "quotes";

/// A quote longer than this does not fit the screen at the size read from three metres.
pub const LONGEST: usize = 60;

/// One quote as the screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quote {
    /// The words.
    pub text: String,
    /// Where they come from; empty when not given.
    pub source: String,
}

/// A table as written: every key and value with its place in the file.
type Entry = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

#[derive(Deserialize)]
struct EntriesOnly {
    quotes: Option<Vec<Spanned<Entry>>>,
}

/// Reads and checks `<site>/data/quotes.toml`: no quotes and no problems when it does not exist.
/// With problems, the quotes that are sound are kept.
pub fn load(site_dir: &Path) -> (Vec<Quote>, Vec<Diagnostic>) {
    let path = site_dir.join(FILE);
    if !path.is_file() {
        return (Vec::new(), Vec::new());
    }
    match std::fs::read(&path).map(|bytes| crate::content::decode::decode_text(&bytes)) {
        Ok(Ok(decoded)) => parse(&decoded.text),
        Ok(Err(_)) => (
            Vec::new(),
            vec![
                Diagnostic::error(RULE, FILE, 0, 0, "data/quotes.toml is neither UTF-8 nor GB18030 text")
                    .with_hint("open it in a text editor and save it with the encoding UTF-8"),
            ],
        ),
        Err(e) => (
            Vec::new(),
            vec![Diagnostic::error(RULE, FILE, 0, 0, format!("cannot read the file: {e}"))],
        ),
    }
}

/// Parses the text of `data/quotes.toml`.
pub fn parse(text: &str) -> (Vec<Quote>, Vec<Diagnostic>) {
    let error = |span: std::ops::Range<usize>, message: String, hint: &str| {
        let (line, column) = line_col(text, span.start);
        Diagnostic::error(RULE, FILE, line, column, message).with_hint(hint.to_string())
    };
    let top: Entry = match toml::from_str(text) {
        Ok(top) => top,
        Err(e) => return (Vec::new(), vec![crate::config::toml_diagnostic(RULE, FILE, text, 0, &e)]),
    };
    let mut diagnostics = Vec::new();
    for (key, value) in &top {
        if key.get_ref() != "quotes" {
            diagnostics.push(error(
                key.span(),
                format!("unknown key `{}`", key.get_ref()),
                "the file holds only quotes, each under a line [[quotes]] with text = \"…\" and, optionally, source = \"…\"",
            ));
        } else if !value
            .get_ref()
            .as_array()
            .is_some_and(|items| items.iter().all(toml::Value::is_table))
        {
            diagnostics.push(error(
                value.span(),
                "`quotes` must be a list of tables".to_string(),
                "write each quote under its own line [[quotes]]",
            ));
            return (Vec::new(), diagnostics);
        }
    }
    // The shape is known to be right now, so this reading cannot fail on it.
    let entries = match toml::from_str::<EntriesOnly>(text) {
        Ok(file) => file.quotes.unwrap_or_default(),
        Err(e) => {
            diagnostics.push(crate::config::toml_diagnostic(RULE, FILE, text, 0, &e));
            return (Vec::new(), diagnostics);
        }
    };
    let headers: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == "[[quotes]]")
        .map(|(i, _)| i + 1)
        .collect();
    let mut quotes = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let number = i + 1;
        let mut text_value = None;
        let mut source = String::new();
        let mut sound = true;
        for (key, value) in entry.get_ref() {
            let name = key.get_ref().as_str();
            match (name, value.get_ref()) {
                ("text", toml::Value::String(s)) => text_value = Some((s.trim().to_string(), value.span())),
                ("source", toml::Value::String(s)) => source = s.trim().to_string(),
                ("text" | "source", other) => {
                    sound = false;
                    diagnostics.push(error(
                        value.span(),
                        format!("quote {number}: `{name}` must be text in quotes, not {}", type_name(other)),
                        "write it like text = \"清廉守初心，实干护碧水\"",
                    ));
                }
                (unknown, _) => {
                    sound = false;
                    let hint = match closest_key(unknown) {
                        Some(known) => format!("did you mean `{known}`? A quote has `text` and, optionally, `source`"),
                        None => "a quote has `text` and, optionally, `source`; remove this key".to_string(),
                    };
                    diagnostics.push(error(key.span(), format!("quote {number}: unknown key `{unknown}`"), &hint));
                }
            }
        }
        match text_value {
            Some((words, span)) if words.is_empty() => diagnostics.push(error(
                span,
                format!("quote {number} has an empty `text`"),
                "write the words to show, or remove this [[quotes]] entry",
            )),
            Some((words, span)) => {
                let length = words.chars().count();
                if length > LONGEST {
                    let (line, column) = line_col(text, span.start);
                    diagnostics.push(
                        Diagnostic::warning(
                            RULE,
                            FILE,
                            line,
                            column,
                            format!("quote {number} is {length} characters long; the screen shows at most {LONGEST} at a size read from three metres"),
                        )
                        .with_hint("shorten it, or split it into two quotes"),
                    );
                }
                if sound {
                    quotes.push(Quote { text: words, source });
                }
            }
            None if sound => {
                // The entry's `[[quotes]]` line; a table written inline has no such line.
                let line = headers.get(i).copied().unwrap_or_else(|| line_col(text, entry.span().start).0);
                diagnostics.push(
                    Diagnostic::error(RULE, FILE, line, 0, format!("quote {number} has no `text`"))
                        .with_hint("add text = \"…\", the words shown on the screen"),
                );
            }
            None => {}
        }
    }
    (quotes, diagnostics)
}

/// How a value's type is named in messages.
fn type_name(value: &toml::Value) -> &'static str {
    match value {
        toml::Value::String(_) => "text",
        toml::Value::Integer(_) => "a whole number",
        toml::Value::Float(_) => "a number",
        toml::Value::Boolean(_) => "true or false",
        toml::Value::Datetime(_) => "a date",
        toml::Value::Array(_) => "a list",
        toml::Value::Table(_) => "a table",
    }
}

/// The key of a quote that `unknown` is a typo of, if it is close enough.
fn closest_key(unknown: &str) -> Option<&'static str> {
    ["text", "source"]
        .into_iter()
        .map(|known| (strsim::damerau_levenshtein(unknown, known), known))
        .filter(|(distance, _)| *distance <= 2)
        .min()
        .map(|(_, known)| known)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(text: &str) -> Vec<String> {
        parse(text).1.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn quotes_in_order_with_optional_source() {
        let (quotes, problems) = parse("[[quotes]]\ntext = \" 一 \"\nsource = \"甲\"\n\n[[quotes]]\ntext = \"二\"\n");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            quotes,
            vec![
                Quote {
                    text: "一".into(),
                    source: "甲".into()
                },
                Quote {
                    text: "二".into(),
                    source: String::new()
                }
            ]
        );
        assert_eq!(parse(""), (Vec::new(), Vec::new()));
    }

    #[test]
    fn every_entry_is_checked_at_its_line() {
        let text = "[[quotes]]\ntext = \"好\"\nsoruce = \"甲\"\n\n[[quotes]]\ntext = \"  \"\n\n[[quotes]]\nsource = 3\n\n[[quotes]]\nsource = \"乙\"\n";
        assert_eq!(
            messages(text),
            vec![
                "data/quotes.toml:3:1: error[quotes]: quote 1: unknown key `soruce`\n  = hint: did you mean `source`? A quote has `text` and, optionally, `source`",
                "data/quotes.toml:6:8: error[quotes]: quote 2 has an empty `text`\n  = hint: write the words to show, or remove this [[quotes]] entry",
                "data/quotes.toml:9:10: error[quotes]: quote 3: `source` must be text in quotes, not a whole number\n  = hint: write it like text = \"清廉守初心，实干护碧水\"",
                "data/quotes.toml:11: error[quotes]: quote 4 has no `text`\n  = hint: add text = \"…\", the words shown on the screen",
            ]
        );
        // Only sound quotes reach the screen: quote 1 has an unknown key, the others no text.
        assert_eq!(parse(text).0.len(), 0);
    }

    #[test]
    fn wrong_shapes_and_syntax() {
        assert_eq!(
            messages("quote = \"x\"\n"),
            vec![
                "data/quotes.toml:1:1: error[quotes]: unknown key `quote`\n  = hint: the file holds only quotes, each under a line [[quotes]] with text = \"…\" and, optionally, source = \"…\""
            ]
        );
        assert_eq!(
            messages("quotes = [\"x\"]\n"),
            vec![
                "data/quotes.toml:1:10: error[quotes]: `quotes` must be a list of tables\n  = hint: write each quote under its own line [[quotes]]"
            ]
        );
        let (quotes, problems) = parse("[[quotes]]\n\n[[quotes]]\ntext = \"甲\"\n");
        assert_eq!(quotes.len(), 1);
        assert_eq!(
            problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
            vec!["data/quotes.toml:1: error[quotes]: quote 1 has no `text`\n  = hint: add text = \"…\", the words shown on the screen"]
        );
        let syntax = messages("[[quotes]]\ntext = 清廉\n");
        assert_eq!(syntax.len(), 1);
        assert!(syntax[0].starts_with("data/quotes.toml:2:8: error[quotes]: "), "{syntax:?}");
    }

    #[test]
    fn long_quotes_are_a_warning() {
        let long = "廉".repeat(LONGEST + 1);
        let (quotes, problems) = parse(&format!("[[quotes]]\ntext = \"{long}\"\n"));
        assert_eq!(quotes.len(), 1);
        assert_eq!(
            problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
            vec![format!(
                "data/quotes.toml:2:8: warning[quotes]: quote 1 is 61 characters long; the screen shows at most 60 at a size read from three metres\n  = hint: shorten it, or split it into two quotes"
            )]
        );
    }
}
