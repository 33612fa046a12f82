//! The text a page is found by, and the one normalisation the index and the browser share: each
//! character maps to exactly one character (NFKC where that gives one character, then lower case),
//! so full-width and half-width forms and letter case never decide whether a page is found.

use unicode_normalization::UnicodeNormalization;

/// Put in front of every run of Latin letters and digits in the indexed text: a query word is
/// looked up with the mark in front, so Latin words match from their first letter (by prefix),
/// never from the middle of a word. Queries cannot contain it.
pub const WORD_MARK: char = '\u{1}';

/// Separates the title, description, blocks of the body and tags: a match never spans two of
/// them, because query terms are split at whitespace.
pub const BLOCK_BREAK: char = '\n';

/// True for characters of Latin-script words and numbers (everything alphanumeric below the CJK
/// blocks), which are matched as words by prefix rather than as substrings.
pub fn is_word_char(c: char) -> bool {
    (c as u32) < 0x2E80 && c.is_alphanumeric()
}

/// A character's searchable form, and whether that form is a word character. The browser's script
/// applies the same rule (`normalize("NFKC")` when that gives one character, then `toLowerCase()`
/// likewise).
fn searchable(c: char) -> (char, bool) {
    // Fast paths for most of a Chinese page: ASCII, and the CJK ideographs and punctuation that
    // NFKC leaves alone (U+3000, U+3036 and U+3038–303A do change, so they take the table).
    if c.is_ascii() {
        let lower = c.to_ascii_lowercase();
        return (lower, lower.is_ascii_alphanumeric());
    }
    if matches!(c as u32, 0x4E00..=0x9FFF | 0x3001..=0x3035) {
        return (c, false);
    }
    match FoldTable::get().lookup(c) {
        Some(folded) => folded,
        None => {
            let folded = fold(c);
            (folded, is_word_char(folded))
        }
    }
}

/// NFKC when that gives one character, then lower case when that gives one character.
fn fold(c: char) -> char {
    let mut nfkc = c.nfkc();
    let folded = match (nfkc.next(), nfkc.next()) {
        (Some(one), None) => one,
        _ => c,
    };
    let mut lower = folded.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(one), None) => one,
        _ => folded,
    }
}

/// The searchable forms of the characters a Chinese page mixes with its ideographs: Latin
/// letters with accents, general punctuation (“”—…), CJK symbols and the full-width forms
/// (，：；（）！？). Folding one of them takes a normalization and a case mapping each time, which
/// made the search text a third of the index's cost; the table is computed once per process, in
/// well under a millisecond.
struct FoldTable {
    /// U+0080 up to [`FoldTable::LOW_END`], then U+FF00 to U+FFEF.
    entries: Vec<(char, bool)>,
}

impl FoldTable {
    const LOW_END: u32 = 0x3400;
    const WIDE: std::ops::Range<u32> = 0xFF00..0xFFF0;

    fn get() -> &'static FoldTable {
        static TABLE: std::sync::LazyLock<FoldTable> = std::sync::LazyLock::new(|| FoldTable {
            entries: (0x80..FoldTable::LOW_END)
                .chain(FoldTable::WIDE)
                .map(|code| {
                    // Surrogate code points are no characters; they are never looked up.
                    let c = char::from_u32(code).unwrap_or('\u{fffd}');
                    let folded = fold(c);
                    (folded, is_word_char(folded))
                })
                .collect(),
        });
        &TABLE
    }

    fn lookup(&self, c: char) -> Option<(char, bool)> {
        let code = c as u32;
        let index = if (0x80..Self::LOW_END).contains(&code) {
            code - 0x80
        } else if Self::WIDE.contains(&code) {
            (Self::LOW_END - 0x80) + (code - Self::WIDE.start)
        } else {
            return None;
        };
        self.entries.get(index as usize).copied()
    }
}

/// Whitespace of any width ends a block or a query term.
fn is_space(c: char) -> bool {
    if c.is_ascii() {
        return matches!(c, ' ' | '\t' | '\n' | '\x0B' | '\x0C' | '\r' | WORD_MARK);
    }
    c.is_whitespace()
}

/// `text` with each whitespace run as one space, or one [`BLOCK_BREAK`] when the run holds one,
/// and none at the start or the end: the one whitespace rule of the index and of the text that
/// results quote.
pub fn collapsed(text: &str) -> impl Iterator<Item = char> + '_ {
    let mut pending: Option<char> = None;
    let mut started = false;
    text.chars()
        .flat_map(move |c| {
            if is_space(c) {
                let block = c == BLOCK_BREAK || pending == Some(BLOCK_BREAK);
                pending = Some(if block { BLOCK_BREAK } else { ' ' });
                return [None, None];
            }
            let space = pending.take().filter(|_| started);
            started = true;
            [space, Some(c)]
        })
        .flatten()
}

/// [`collapsed`] `text`, appended to `out` a run of non-space characters at a time: the page
/// texts of the index are made this way, a third of a build's characters.
pub fn collapse_into(text: &str, out: &mut String) {
    let mut pending: Option<char> = None;
    let mut started = false;
    let mut run_start: Option<usize> = None;
    for (at, c) in text.char_indices() {
        if is_space(c) {
            if let Some(start) = run_start.take() {
                out.push_str(&text[start..at]);
            }
            let block = c == BLOCK_BREAK || pending == Some(BLOCK_BREAK);
            pending = Some(if block { BLOCK_BREAK } else { ' ' });
        } else if run_start.is_none() {
            if let Some(separator) = pending.take().filter(|_| started) {
                out.push(separator);
            }
            started = true;
            run_start = Some(at);
        }
    }
    if let Some(start) = run_start {
        out.push_str(&text[start..]);
    }
}

/// The normalized characters of `text` with [`WORD_MARK`] before each Latin word, whitespace
/// [`collapsed`].
pub fn indexed_chars(text: &str, out: &mut Vec<char>) {
    mark_words(collapsed(text), |c| out.push(c));
}

/// [`indexed_chars`] of text that is already [`collapsed`], as UTF-16 code units: what the gram
/// tables read.
pub fn indexed_units_of_collapsed(text: &str, out: &mut Vec<u16>) {
    let mut buffer = [0u16; 2];
    mark_words(text.chars(), |c| out.extend_from_slice(c.encode_utf16(&mut buffer)));
}

/// Normalizes each character and puts [`WORD_MARK`] before each Latin word.
fn mark_words(chars: impl Iterator<Item = char>, mut push: impl FnMut(char)) {
    let mut previous_word = false;
    for c in chars {
        if c == ' ' || c == BLOCK_BREAK {
            push(c);
            previous_word = false;
            continue;
        }
        let (c, word) = searchable(c);
        if word && !previous_word {
            push(WORD_MARK);
        }
        previous_word = word;
        push(c);
    }
}

/// The searchable terms of a query: split at whitespace, normalized, marked like the index.
pub fn query_terms(query: &str) -> Vec<Vec<char>> {
    query
        .split(|c: char| is_space(c))
        .filter(|t| !t.is_empty())
        .map(|term| {
            let mut chars = Vec::new();
            indexed_chars(term, &mut chars);
            chars
        })
        .collect()
}

/// The text of rendered HTML: tags removed, entities decoded, a [`BLOCK_BREAK`] where a block
/// element starts or ends, script and style contents dropped.
pub fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        push_text(&rest[..open], &mut out);
        let tag_and_more = &rest[open..];
        let Some(close) = tag_and_more.find('>') else {
            rest = "";
            break;
        };
        let tag = &tag_and_more[1..close];
        let mut lower = [0u8; 12];
        let name = tag_name(tag, &mut lower);
        rest = &tag_and_more[close + 1..];
        if !tag.starts_with('/') && (name == "script" || name == "style") {
            let end = format!("</{name}");
            rest = rest.find(&end).map_or("", |i| &rest[i..]);
            continue;
        }
        if is_block(name) && !out.ends_with(BLOCK_BREAK) && !out.is_empty() {
            out.push(BLOCK_BREAK);
        }
    }
    push_text(rest, &mut out);
    out.trim_end().to_string()
}

/// The element name of a tag's inside (`p class="x"`, `/li`), lower-cased into `buffer`; names
/// longer than the buffer are none the text cares about, and come back empty.
fn tag_name<'b>(tag: &str, buffer: &'b mut [u8; 12]) -> &'b str {
    let bare = tag.trim_start_matches('/').as_bytes();
    let length = bare.iter().take_while(|b| b.is_ascii_alphanumeric()).count();
    if length > buffer.len() {
        return "";
    }
    for (to, from) in buffer.iter_mut().zip(&bare[..length]) {
        *to = from.to_ascii_lowercase();
    }
    // ASCII letters and digits are UTF-8.
    std::str::from_utf8(&buffer[..length]).unwrap_or_default()
}

/// Appends a text node; whitespace that only separates blocks is dropped.
fn push_text(text: &str, out: &mut String) {
    if out.is_empty() || out.ends_with(BLOCK_BREAK) {
        decode_entities(text.trim_start(), out);
    } else {
        decode_entities(text, out);
    }
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "br"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "blockquote"
            | "pre"
            | "table"
            | "tr"
            | "td"
            | "th"
            | "figure"
            | "figcaption"
            | "section"
            | "hr"
            | "details"
            | "summary"
    )
}

/// Appends `text` with character references decoded (Markdown output uses few of them).
fn decode_entities(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let decoded = after.find(';').filter(|&end| end <= 10).and_then(|end| {
            let name = &after[..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => {
                    let number = name.strip_prefix('#')?;
                    let code = match number.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => number.parse().ok()?,
                    };
                    char::from_u32(code)
                }
            }?;
            Some((c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn indexed(text: &str) -> String {
        let mut chars = Vec::new();
        indexed_chars(text, &mut chars);
        chars.into_iter().collect()
    }

    #[test]
    fn full_width_and_case_fold_to_one_form() {
        assert_eq!(indexed("ＡＢＣ党建１２３"), "\u{1}abc党建\u{1}123");
        assert_eq!(searchable('Ｄ').0, 'd');
        // Characters whose NFKC form is longer stay as they are, so positions never shift.
        assert_eq!(searchable('㈠').0, '㈠');
        // The fast paths agree with the general rule.
        for c in ['〸', '　', '、', '中', 'Q', '丽', '⼀', 'ﬁ'] {
            let slow = {
                let mut nfkc = c.nfkc();
                let folded = match (nfkc.next(), nfkc.next()) {
                    (Some(one), None) => one,
                    _ => c,
                };
                folded
                    .to_lowercase()
                    .next()
                    .filter(|_| folded.to_lowercase().count() == 1)
                    .unwrap_or(folded)
            };
            assert_eq!(searchable(c).0, slow, "{c}");
        }
    }

    #[test]
    fn the_fold_table_and_fast_paths_agree_with_the_rule_everywhere() {
        let chars = (0..=0xFFFF_u32)
            .chain(0x1_0000..0x1_0400)
            .chain(0x2_0000..0x2_0100)
            .filter_map(char::from_u32);
        for c in chars {
            let folded = fold(c);
            assert_eq!(searchable(c), (folded, is_word_char(folded)), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn units_of_collapsed_text_are_its_indexed_chars() {
        let text: String = collapsed("“学习强国”ＡＰＰ，第１课……\n\n下一段 Ünïcode").collect();
        let mut units = Vec::new();
        indexed_units_of_collapsed(&text, &mut units);
        let mut chars = Vec::new();
        indexed_chars(&text, &mut chars);
        assert_eq!(String::from_utf16(&units).unwrap(), chars.into_iter().collect::<String>());
        assert_eq!(indexed(&text), "“学习强国”\u{1}app,第\u{1}1课……\n下一段 \u{1}ünïcode");
    }

    #[test]
    fn collapsing_into_a_string_is_the_collapsed_text() {
        let samples = [
            "",
            "   ",
            "\n\n",
            "a",
            " 学习 \u{3000}强国\n\n \t下一段 ",
            "\u{1}word\u{1}\u{a0}next\r\nline\u{2028}end\n",
            "标题\n描述 \n 正文",
        ];
        for text in samples {
            let mut out = String::new();
            collapse_into(text, &mut out);
            assert_eq!(out, collapsed(text).collect::<String>(), "{text:?}");
        }
        for c in (0..0x1_0000).filter_map(char::from_u32) {
            assert_eq!(is_space(c), c.is_whitespace() || c == WORD_MARK, "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn words_are_marked_and_spaces_collapse() {
        assert_eq!(indexed("学习强国 APP  登录\n\n下一段"), "学习强国 \u{1}app 登录\n下一段");
        assert_eq!(
            query_terms("  三会一课　Dang "),
            vec!["三会一课".chars().collect::<Vec<_>>(), "\u{1}dang".chars().collect()]
        );
    }

    #[test]
    fn html_text_keeps_blocks_apart() {
        let html = "<h2 id=\"a\">一、基本情况</h2>\n<p><strong>健全</strong>机制&amp;制度<br>第二行</p><script>var x=1;</script><ul><li>甲</li><li>乙</li></ul>";
        assert_eq!(html_text(html), "一、基本情况\n健全机制&制度\n第二行\n甲\n乙");
        assert_eq!(html_text("a &lt;b&gt; &#x4E2D;&#25991; & c"), "a <b> 中文 & c");
    }
}
