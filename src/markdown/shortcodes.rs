//! Zola-style shortcodes in Markdown: `{{ name(key="value") }}` and
//! `{% name(key="value") %}body{% end %}`. Calls are cut out before Markdown parsing and replaced
//! by placeholders; their HTML goes back in after rendering, so theme HTML is never sanitized.

use serde_json::{Map, Value};

/// One shortcode call found in a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// Template name without extension (`figure` → `shortcodes/figure.html`).
    pub name: String,
    /// Keyword arguments.
    pub args: Map<String, Value>,
    /// Markdown between `{% name() %}` and `{% end %}`.
    pub body: Option<String>,
    /// Byte offset of the call in the body, for messages.
    pub offset: usize,
}

/// A shortcode syntax problem at a byte offset of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte offset in the body.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// The placeholder standing for call `n`; letters and digits only, so Markdown leaves it alone.
pub fn placeholder(n: usize) -> String {
    format!("DJSHORTCODE{n}X")
}

/// Replaces every call whose name `is_known` accepts by a placeholder. Text that merely looks like a
/// call to an unknown name is an error, so a typo in a shortcode name does not slip through.
pub fn extract(text: &str, is_known: &dyn Fn(&str) -> bool) -> Result<Extracted, Vec<SyntaxError>> {
    let mut out = String::with_capacity(text.len());
    let mut calls = Vec::new();
    let mut shifts = Vec::new();
    let mut errors = Vec::new();
    let mut rest_start = 0;
    let mut search_from = 0;
    while let Some(found) = text[search_from..].find(['{']).map(|i| search_from + i) {
        let tail = &text[found..];
        // `{{/* x() */}}` is the escape for writing a shortcode literally.
        if let Some(inner) = tail.strip_prefix("{{/*").or_else(|| tail.strip_prefix("{%/*"))
            && let Some(end) = inner.find("*/}}").or_else(|| inner.find("*/%}"))
        {
            out.push_str(&text[rest_start..found]);
            let new_start = out.len();
            out.push_str(&tail[..2]);
            out.push_str(&inner[..end]);
            out.push_str(&inner[end + 2..end + 4]);
            let consumed = 4 + end + 4;
            shifts.push(Shift {
                new: new_start..out.len(),
                old: found..found + consumed,
            });
            rest_start = found + consumed;
            search_from = rest_start;
            continue;
        }
        let inline = tail.starts_with("{{");
        let block = tail.starts_with("{%");
        if !inline && !block {
            search_from = found + 1;
            continue;
        }
        let Some((name, args_text, after)) = parse_head(&tail[2..], if inline { "}}" } else { "%}" }) else {
            search_from = found + 2;
            continue;
        };
        if !is_known(name) {
            if name != "end" {
                errors.push(SyntaxError {
                    offset: found,
                    message: format!("unknown shortcode `{name}`: there is no templates/shortcodes/{name}.html"),
                });
            }
            search_from = found + 2;
            continue;
        }
        let args = match parse_args(args_text) {
            Ok(args) => args,
            Err(message) => {
                errors.push(SyntaxError {
                    offset: found,
                    message: format!("in shortcode `{name}`: {message}"),
                });
                search_from = found + 2;
                continue;
            }
        };
        let head_len = 2 + after;
        let (body, consumed) = if block {
            let body_start = found + head_len;
            match find_end(&text[body_start..]) {
                Some((body_len, end_len)) => (
                    Some(text[body_start..body_start + body_len].to_string()),
                    head_len + body_len + end_len,
                ),
                None => {
                    errors.push(SyntaxError {
                        offset: found,
                        message: format!("shortcode `{name}` opened with {{% … %}} has no {{% end %}}"),
                    });
                    search_from = found + 2;
                    continue;
                }
            }
        } else {
            (None, head_len)
        };
        out.push_str(&text[rest_start..found]);
        let new_start = out.len();
        out.push_str(&placeholder(calls.len()));
        if block {
            // A block call keeps its line breaks, so it stays a paragraph of its own.
            let lines = text[found..found + consumed].matches('\n').count();
            out.extend(std::iter::repeat_n('\n', lines));
        }
        shifts.push(Shift {
            new: new_start..out.len(),
            old: found..found + consumed,
        });
        calls.push(Call {
            name: name.to_string(),
            args,
            body,
            offset: found,
        });
        rest_start = found + consumed;
        search_from = rest_start;
    }
    out.push_str(&text[rest_start..]);
    if errors.is_empty() {
        Ok(Extracted { text: out, calls, shifts })
    } else {
        Err(errors)
    }
}

/// A stretch of the text that extraction replaced: `new` in the output stands for `old` in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shift {
    /// Byte range in the extracted text.
    pub new: std::ops::Range<usize>,
    /// Byte range in the original text.
    pub old: std::ops::Range<usize>,
}

/// The text with placeholders, the calls, and where the text moved.
#[derive(Debug, Clone, PartialEq)]
pub struct Extracted {
    /// Markdown with placeholders instead of calls.
    pub text: String,
    /// The calls, in order.
    pub calls: Vec<Call>,
    /// Replaced stretches, in order.
    pub shifts: Vec<Shift>,
}

impl Extracted {
    /// The text unchanged (no shortcodes).
    pub fn unchanged(text: &str) -> Extracted {
        Extracted {
            text: text.to_string(),
            calls: Vec::new(),
            shifts: Vec::new(),
        }
    }

    /// The byte offset in the original text of byte `offset` of the extracted text, so messages
    /// point at the user's file even after a call was replaced.
    pub fn original_offset(&self, offset: usize) -> usize {
        let mut delta: isize = 0;
        for shift in &self.shifts {
            if offset < shift.new.start {
                break;
            }
            if offset < shift.new.end {
                return shift.old.start;
            }
            delta = shift.old.end as isize - shift.new.end as isize;
        }
        (offset as isize + delta).max(0) as usize
    }
}

/// Parses ` name(args) }}` (after the opening braces); returns name, argument text and the length
/// consumed including the closing delimiter.
fn parse_head<'a>(text: &'a str, close: &str) -> Option<(&'a str, &'a str, usize)> {
    let trimmed = text.trim_start_matches([' ', '\t']);
    let lead = text.len() - trimmed.len();
    let name_len = trimmed.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
    let name = &trimmed[..name_len];
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let after_name = &trimmed[name_len..];
    if name == "end" {
        let rest = after_name.trim_start();
        return rest.starts_with(close).then_some((name, "", 0));
    }
    let args_start = after_name.strip_prefix('(')?;
    let close_paren = matching_paren(args_start)?;
    let args = &args_start[..close_paren];
    let after_args = &args_start[close_paren + 1..];
    let rest = after_args.trim_start_matches([' ', '\t']);
    if !rest.starts_with(close) {
        return None;
    }
    let consumed = lead + name_len + 1 + close_paren + 1 + (after_args.len() - rest.len()) + close.len();
    Some((name, args, consumed))
}

/// Index of the `)` closing the argument list, skipping parentheses inside strings. Gives up after
/// a few lines, so text that merely opens a parenthesis is not scanned to the end of the page.
fn matching_paren(text: &str) -> Option<usize> {
    const MAX_LINES: usize = 20;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut lines = 0;
    for (i, c) in text.char_indices() {
        if c == '\n' {
            lines += 1;
            if lines > MAX_LINES {
                return None;
            }
        }
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '"' | '\'' | '`' => quote = Some(c),
                ')' => return Some(i),
                _ => {}
            },
        }
    }
    None
}

/// Finds `{% end %}`: returns the body length and the length of the end tag.
fn find_end(text: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(i) = text[from..].find("{%").map(|i| from + i) {
        let inner = text[i + 2..].trim_start_matches([' ', '\t']);
        if let Some(rest) = inner.strip_prefix("end") {
            let rest_trimmed = rest.trim_start_matches([' ', '\t']);
            if let Some(after) = rest_trimmed.strip_prefix("%}") {
                let end_len = text.len() - i - after.len();
                return Some((i, end_len));
            }
        }
        from = i + 2;
    }
    None
}

/// Parses `key="v", n=3, ok=true, list=["a", 1]`.
pub fn parse_args(text: &str) -> Result<Map<String, Value>, String> {
    let mut args = Map::new();
    let mut chars = text.char_indices().peekable();
    loop {
        skip_space(&mut chars);
        let Some(&(start, c)) = chars.peek() else { break };
        if !(c.is_ascii_alphabetic() || c == '_') {
            return Err(format!("expected an argument name, found `{c}`"));
        }
        let mut end = start;
        while let Some(&(i, c)) = chars.peek() {
            if c.is_ascii_alphanumeric() || c == '_' {
                end = i + c.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        let key = text[start..end].to_string();
        skip_space(&mut chars);
        if chars.next().map(|(_, c)| c) != Some('=') {
            return Err(format!("argument `{key}` needs a value: write {key}=\"…\""));
        }
        skip_space(&mut chars);
        let value = parse_value(text, &mut chars)?;
        args.insert(key, value);
        skip_space(&mut chars);
        match chars.next() {
            None => break,
            Some((_, ',')) => continue,
            Some((_, c)) => return Err(format!("expected `,` between arguments, found `{c}`")),
        }
    }
    Ok(args)
}

type Chars<'a> = std::iter::Peekable<std::str::CharIndices<'a>>;

fn skip_space(chars: &mut Chars<'_>) {
    while chars.peek().is_some_and(|(_, c)| c.is_whitespace()) {
        chars.next();
    }
}

fn parse_value(text: &str, chars: &mut Chars<'_>) -> Result<Value, String> {
    match chars.peek().copied() {
        Some((_, q @ ('"' | '\'' | '`'))) => {
            chars.next();
            let mut value = String::new();
            loop {
                match chars.next() {
                    None => return Err("a text value is missing its closing quote".to_string()),
                    Some((_, '\\')) => {
                        if let Some((_, c)) = chars.next() {
                            value.push(c);
                        }
                    }
                    Some((_, c)) if c == q => return Ok(Value::String(value)),
                    Some((_, c)) => value.push(c),
                }
            }
        }
        Some((_, '[')) => {
            chars.next();
            let mut items = Vec::new();
            loop {
                skip_space(chars);
                if chars.peek().is_some_and(|(_, c)| *c == ']') {
                    chars.next();
                    return Ok(Value::Array(items));
                }
                items.push(parse_value(text, chars)?);
                skip_space(chars);
                match chars.next() {
                    Some((_, ',')) => continue,
                    Some((_, ']')) => return Ok(Value::Array(items)),
                    _ => return Err("a list needs `,` between items and a closing `]`".to_string()),
                }
            }
        }
        Some((start, _)) => {
            let mut end = start;
            while let Some(&(i, c)) = chars.peek() {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '+' {
                    end = i + c.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let word = &text[start..end];
            match word {
                "true" => Ok(Value::Bool(true)),
                "false" => Ok(Value::Bool(false)),
                _ => {
                    if let Ok(n) = word.parse::<i64>() {
                        Ok(Value::from(n))
                    } else if let Ok(f) = word.parse::<f64>() {
                        Ok(Value::from(f))
                    } else {
                        Err(format!("`{word}` is not a value: put text in quotes"))
                    }
                }
            }
        }
        None => Err("an argument has no value".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(name: &str) -> bool {
        matches!(name, "figure" | "note")
    }

    #[test]
    fn inline_and_block_calls() {
        let text =
            "前文 {{ figure(src=\"a.jpg\", caption='图一', width=3) }} 后文\n\n{% note(title=\"要点\") %}\n**重点**内容\n{% end %}\n";
        let Extracted { text: out, calls, .. } = extract(text, &known).unwrap();
        assert_eq!(out, "前文 DJSHORTCODE0X 后文\n\nDJSHORTCODE1X\n\n\n");
        assert_eq!(out.lines().count(), text.lines().count());
        assert_eq!(calls[0].name, "figure");
        assert_eq!(calls[0].args["src"], "a.jpg");
        assert_eq!(calls[0].args["caption"], "图一");
        assert_eq!(calls[0].args["width"], 3);
        assert_eq!(calls[1].body.as_deref(), Some("\n**重点**内容\n"));
    }

    #[test]
    fn escaped_calls_stay_literal() {
        let Extracted { text: out, calls, .. } = extract("写法：{{/* figure(src=\"a\") */}}", &known).unwrap();
        assert_eq!(out, "写法：{{ figure(src=\"a\") }}");
        assert!(calls.is_empty());
    }

    #[test]
    fn unknown_names_and_bad_args_are_errors() {
        let errors = extract("x {{ figur(src=\"a\") }}", &known).unwrap_err();
        assert!(errors[0].message.contains("unknown shortcode `figur`"));
        assert_eq!(errors[0].offset, 2);
        let errors = extract("{{ figure(src=a b) }}", &known).unwrap_err();
        assert!(errors[0].message.contains("`a`"), "{:?}", errors);
        let errors = extract("{% note() %} 没有结束", &known).unwrap_err();
        assert!(errors[0].message.contains("{% end %}"));
    }

    #[test]
    fn plain_braces_are_text() {
        let Extracted { text: out, calls, .. } = extract("集合 {a, b} 与 {{ 不是调用 }}", &known).unwrap();
        assert_eq!(out, "集合 {a, b} 与 {{ 不是调用 }}");
        assert!(calls.is_empty());
    }

    #[test]
    fn unclosed_calls_are_not_scanned_quadratically() {
        let text = format!("{{{{ figure({}", "\n".repeat(200_000));
        let Extracted { text: out, calls, .. } = extract(&text, &known).unwrap();
        assert_eq!(out, text);
        assert!(calls.is_empty());
        let many = "{{ figure(src=\"a\"\n".repeat(50_000);
        assert!(extract(&many, &known).is_ok());
    }

    #[test]
    fn offsets_map_back_to_the_original_text() {
        let text = "前 {{ figure(src=\"a.jpg\",\n alt=\"合影\") }} 见[x](@/a.md)\n{{/* figure() */}} 尾";
        let extracted = extract(text, &known).unwrap();
        let link = extracted.text.find("见").unwrap();
        assert_eq!(extracted.original_offset(link), text.find("见").unwrap());
        let tail = extracted.text.find("尾").unwrap();
        assert_eq!(extracted.original_offset(tail), text.find("尾").unwrap());
        let inside = extracted.text.find("DJSHORTCODE0X").unwrap() + 3;
        assert_eq!(extracted.original_offset(inside), text.find("{{ figure").unwrap());
        assert_eq!(extracted.original_offset(0), 0);
    }

    #[test]
    fn list_arguments() {
        let args = parse_args("items=[\"a\", 2, true], n=-1.5").unwrap();
        assert_eq!(args["items"], serde_json::json!(["a", 2, true]));
        assert_eq!(args["n"], serde_json::json!(-1.5));
    }
}
