//! The text a reader sees in a Markdown body, for the content rules: link targets, bare URLs and
//! HTML tags left out, code left out or kept, with a map from each byte back to the body so a
//! finding is reported at the line and column the author typed it.
//!
//! This is a light scan, not a Markdown parser: the rules run on every page of every build, and
//! what they need is the prose. It knows fenced code blocks, code spans, links and images, link
//! reference definitions, autolinks, bare URLs, HTML tags and comments, backslash escapes and
//! emphasis markers. Indented code blocks are read as prose (Chinese text is indented with
//! full-width spaces, and list continuations with four spaces are far more common than code).

use crate::content::slug::is_han;

/// Visible text and where each of its bytes came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visible {
    /// The text, with left-out parts dropped or replaced by one space.
    pub text: String,
    /// Where each stretch copied unchanged starts: (offset in `text`, offset in the body), in
    /// order, ending with (text length, body length).
    segments: Vec<(u32, u32)>,
}

impl Visible {
    /// The byte offset in the body of byte `index` of [`Visible::text`].
    pub fn source_offset(&self, index: usize) -> usize {
        let at = self.segments.partition_point(|&(t, _)| t as usize <= index).saturating_sub(1);
        self.segments
            .get(at)
            .map_or(0, |&(t, s)| s as usize + index.saturating_sub(t as usize))
    }
}

/// What happens to a stretch of the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cut {
    /// Left out without a trace: markup between words (`**`, `[`, `](url)`), so a phrase that
    /// markup splits is still one phrase.
    Drop,
    /// Replaced by one space: URLs, block tags, which end a phrase.
    Space,
    /// Code: replaced by one space, or kept as text.
    Code,
}

/// The prose of `body` (code left out) and its published text (code kept), the second only
/// when the body has code. Cheaper than two calls of [`visible`].
pub fn prose_and_published(body: &str) -> (Visible, Option<Visible>) {
    let cuts = cuts(body);
    let prose = assemble(body, &cuts, false);
    let published = cuts.iter().any(|c| c.2 == Cut::Code).then(|| assemble(body, &cuts, true));
    (prose, published)
}

/// The visible text of `body`. With `keep_code`, code blocks and code spans count as text (they
/// are published as written, so personal data in them is published too).
pub fn visible(body: &str, keep_code: bool) -> Visible {
    assemble(body, &cuts(body), keep_code)
}

/// Every stretch of `body` that is not prose.
fn cuts(body: &str) -> Vec<(usize, usize, Cut)> {
    let mut cuts = Vec::new();
    cut_comments(body, &mut cuts);
    let mut fence: Option<(u8, usize)> = None;
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.strip_suffix('\n').unwrap_or(line);
        let indent = content.len() - content.trim_start_matches(' ').len();
        let trimmed = &content[indent..];
        let whole = (start, start + content.len(), Cut::Space);
        if let Some((ch, len)) = fence {
            if indent <= 3 && fence_run(trimmed).is_some_and(|(c, n, rest)| c == ch && n >= len && rest.trim().is_empty()) {
                fence = None;
                cuts.push(whole);
            } else {
                cuts.push((start, start + content.len(), Cut::Code));
            }
            continue;
        }
        if indent <= 3
            && let Some((ch, len, _)) = fence_run(trimmed)
        {
            fence = Some((ch, len));
            cuts.push(whole);
            continue;
        }
        if indent <= 3 && trimmed.starts_with('[') && trimmed.contains("]:") && !trimmed.starts_with("[^") {
            // A link reference definition shows nothing.
            cuts.push(whole);
            continue;
        }
        cut_inline(content, start, &mut cuts);
    }
    cuts.sort_unstable_by_key(|&(start, end, _)| (start, std::cmp::Reverse(end)));
    cuts
}

/// A line opening or closing a fenced code block: its fence character, length, and the rest.
fn fence_run(trimmed: &str) -> Option<(u8, usize, &str)> {
    let first = *trimmed.as_bytes().first()?;
    if first != b'`' && first != b'~' {
        return None;
    }
    let len = trimmed.bytes().take_while(|&b| b == first).count();
    let rest = &trimmed[len..];
    // A backtick fence's info string cannot hold a backtick.
    (len >= 3 && !(first == b'`' && rest.contains('`'))).then_some((first, len, rest))
}

fn cut_comments(body: &str, cuts: &mut Vec<(usize, usize, Cut)>) {
    let mut from = 0;
    while let Some(at) = body[from..].find("<!--") {
        let start = from + at;
        let end = body[start + 4..].find("-->").map_or(body.len(), |e| start + 4 + e + 3);
        cuts.push((start, end, Cut::Space));
        from = end;
    }
}

/// Cuts code spans, links, tags, URLs and markup out of one line (`line` starts at `base`).
fn cut_inline(line: &str, base: usize, cuts: &mut Vec<(usize, usize, Cut)>) {
    let bytes = line.as_bytes();
    let mut open_brackets: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\\' if bytes.get(i + 1).is_some_and(u8::is_ascii_punctuation) => {
                cuts.push((base + i, base + i + 1, Cut::Drop));
                i += 2;
            }
            b'`' => {
                let run = bytes[i..].iter().take_while(|&&c| c == b'`').count();
                match find_backtick_run(&bytes[i + run..], run) {
                    Some(close) => {
                        let end = i + run + close + run;
                        cuts.push((base + i, base + end, Cut::Code));
                        i = end;
                    }
                    None => i += run,
                }
            }
            b'<' => match tag_end(&line[i..]) {
                Some((len, cut)) => {
                    cuts.push((base + i, base + i + len, cut));
                    i += len;
                }
                None => i += 1,
            },
            b'!' if bytes.get(i + 1) == Some(&b'[') => {
                cuts.push((base + i, base + i + 1, Cut::Drop));
                i += 1;
            }
            b'[' => {
                open_brackets.push(i);
                i += 1;
            }
            b']' if bytes.get(i + 1) == Some(&b'(') => {
                let close = matching_paren(&bytes[i + 1..]);
                match (open_brackets.pop(), close) {
                    (Some(open), Some(close)) => {
                        cuts.push((base + open, base + open + 1, Cut::Drop));
                        cuts.push((base + i, base + i + 1 + close + 1, Cut::Drop));
                        i += 1 + close + 1;
                    }
                    _ => i += 1,
                }
            }
            b'*' | b'_' | b'~' => {
                let run = bytes[i..].iter().take_while(|&&c| c == b).count();
                // Only between Chinese characters: in ASCII text `*` and `_` are often literal.
                let before = line[..i].chars().next_back();
                let after = line[i + run..].chars().next();
                if before.is_some_and(|c| !c.is_ascii()) || after.is_some_and(|c| !c.is_ascii()) {
                    cuts.push((base + i, base + i + run, Cut::Drop));
                }
                i += run;
            }
            b'h' | b'w' | b'f' if starts_url(&line[i..]) && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) => {
                let len = line[i..]
                    .char_indices()
                    .find(|&(_, c)| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`') || !c.is_ascii())
                    .map_or(line.len() - i, |(n, _)| n);
                cuts.push((base + i, base + i + len, Cut::Space));
                i += len;
            }
            _ => i += 1,
        }
    }
}

fn starts_url(text: &str) -> bool {
    ["http://", "https://", "ftp://", "www."]
        .iter()
        .any(|p| text.get(..p.len()).is_some_and(|head| head.eq_ignore_ascii_case(p)))
}

/// The index (after an opening run of `run` backticks) where the matching closing run starts.
fn find_backtick_run(bytes: &[u8], run: usize) -> Option<usize> {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'`' {
            let n = bytes[i..].iter().take_while(|&&c| c == b'`').count();
            if n == run {
                return Some(i);
            }
            i += n;
        } else {
            i += 1;
        }
    }
    None
}

/// The index of the `)` closing the `(` at `bytes[0]`.
fn matching_paren(bytes: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Length of an HTML tag or autolink at the start of `text`, and whether it ends a phrase.
fn tag_end(text: &str) -> Option<(usize, Cut)> {
    let after = &text[1..];
    let name: String = after
        .trim_start_matches('/')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '-'))
        .collect();
    if name.is_empty() || !after.trim_start_matches('/').starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let len = text.find('>')? + 1;
    if name.contains(':') {
        return Some((len, Cut::Space)); // <https://…>, <mailto:…>
    }
    let inline = matches!(
        name.to_ascii_lowercase().as_str(),
        "a" | "b" | "strong" | "i" | "em" | "u" | "s" | "del" | "ins" | "mark" | "span" | "font" | "sub" | "sup" | "small" | "abbr"
    );
    Some((len, if inline { Cut::Drop } else { Cut::Space }))
}

/// Builds the visible text from the body and its cuts (sorted); a line break between two
/// Chinese characters is dropped, because a browser joins the lines of a paragraph.
fn assemble(body: &str, cuts: &[(usize, usize, Cut)], keep_code: bool) -> Visible {
    let mut out = Visible {
        text: String::with_capacity(body.len()),
        segments: Vec::new(),
    };
    let mut pos = 0;
    for &(start, end, cut) in cuts {
        if end <= pos || (keep_code && cut == Cut::Code) {
            continue; // inside a cut already applied, or kept
        }
        let start = start.max(pos);
        out.copy(body, pos, start);
        if cut != Cut::Drop && !out.text.ends_with(' ') {
            out.mark(start);
            out.text.push(' ');
        }
        pos = end;
    }
    out.copy(body, pos, body.len());
    out.segments.push((out.text.len() as u32, body.len() as u32));
    out
}

impl Visible {
    /// Notes that the text now continues from `source`, unless it does already.
    fn mark(&mut self, source: usize) {
        let here = self.text.len();
        let continues = self.segments.last().is_some_and(|&(t, s)| here - t as usize == source - s as usize);
        if !continues {
            self.segments.push((here as u32, source as u32));
        }
    }

    /// Copies `body[from..to]`, joining lines between Chinese characters.
    fn copy(&mut self, body: &str, from: usize, to: usize) {
        let mut at = from;
        while at < to {
            let line_end = body[at..to].find('\n').map_or(to, |i| at + i);
            self.mark(at);
            self.text.push_str(&body[at..line_end]);
            if line_end == to {
                break;
            }
            let join = self.text.chars().next_back().is_some_and(is_han) && body[line_end + 1..to].chars().next().is_some_and(is_han);
            if !join {
                self.text.push('\n');
            }
            at = line_end + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(body: &str) -> String {
        visible(body, false).text
    }

    #[test]
    fn markup_inside_a_phrase_is_dropped() {
        assert_eq!(seen("党的二十大**会议**精神"), "党的二十大会议精神");
        assert_eq!(seen("党的二十大[会议精神](https://x.cn/a)。"), "党的二十大会议精神。");
        assert_eq!(seen("学习\n精神"), "学习精神");
        assert_eq!(seen("ab\ncd"), "ab\ncd");
        assert_eq!(seen("a<strong>政府</strong>报告"), "a政府报告");
    }

    #[test]
    fn code_urls_and_tags_end_a_phrase() {
        assert_eq!(seen("政府`x`报告"), "政府 报告");
        assert_eq!(seen("见 https://x.cn/政府报告 后"), "见 政府报告 后");
        assert_eq!(seen("a<br>b<!-- 政府报告 -->c"), "a b c");
        assert_eq!(seen("```\n政府报告\n```\n正文"), " \n \n \n正文");
        assert_eq!(seen("[x]: https://x.cn\n正文"), " \n正文");
        assert_eq!(seen("a\\*b"), "a*b");
    }

    #[test]
    fn code_is_kept_when_asked_and_offsets_map_back() {
        let body = "电话 `13812345678`\n```\n110101\n```\n";
        let v = visible(body, true);
        assert_eq!(v.text, "电话 `13812345678`\n \n110101\n \n");
        let at = v.text.find("138").unwrap();
        assert_eq!(v.source_offset(at), body.find("138").unwrap());
        let body = "党的二十大**会议**精神";
        let v = visible(body, false);
        let at = v.text.find("会议").unwrap();
        assert_eq!(&body[v.source_offset(at)..v.source_offset(at) + 6], "会议");
        assert_eq!(v.source_offset(v.text.len()), body.len());
    }

    #[test]
    fn odd_markdown_never_panics_and_maps_inside_the_body() {
        for body in [
            "",
            "\n",
            "`",
            "``x",
            "[",
            "](",
            "]()",
            "[a](b",
            "![",
            "<",
            "<a",
            "<!--",
            "<!-- x",
            "\\",
            "\\汉",
            "*汉*",
            "~~",
            "http://",
            "www.汉",
            "```",
            "~~~\n汉",
            "    ```\n",
            "[x]: ",
            "汉\n\n汉",
            "汉\n汉\n",
            "<https://x>汉",
            "a](b)汉)",
            "[汉](<x>)",
            "((()))",
            "\u{3000}汉",
            "𠀀\n𠀀",
            "x\r\ny",
        ] {
            for keep_code in [false, true] {
                let v = visible(body, keep_code);
                for i in 0..=v.text.len() {
                    assert!(v.source_offset(i) <= body.len(), "{body:?} at {i}");
                }
            }
        }
    }

    #[test]
    fn joined_lines_map_back_and_both_texts_come_from_one_scan() {
        let body = "深入学习二十大会议\n精神 `代码` 末尾";
        let (prose, published) = prose_and_published(body);
        assert_eq!(prose.text, "深入学习二十大会议精神  末尾");
        let at = prose.text.find("精神").unwrap();
        assert_eq!(prose.source_offset(at), body.find("精神").unwrap());
        let at = prose.text.find("末尾").unwrap();
        assert_eq!(prose.source_offset(at), body.find("末尾").unwrap());
        assert_eq!(published.map(|p| p.text), Some("深入学习二十大会议精神 `代码` 末尾".to_string()));
        assert_eq!(prose_and_published("没有代码").1, None);
    }
}
