//! Rule `alt-text`: pictures without a text for readers who cannot see them. The Markdown stage
//! finds `![](x.jpg)` and uses [`img_tags_without_alt`] for raw HTML; [`photos_without_alt`]
//! covers the photo gallery of the default theme, `[extra] photos = [{ src, caption }]` in front
//! matter, where a photo without a caption reaches screen readers only as "标题 照片 3".

use serde_json::Value;

use crate::diagnostic::Diagnostic;

/// A warning for each gallery photo of a page without a caption or alt text. `front_text` is the
/// front matter as written and `front_line_offset` the lines before it in `file`, to place them.
pub fn photos_without_alt(
    file: &str,
    extra: &serde_json::Map<String, Value>,
    front_text: &str,
    front_line_offset: usize,
) -> Vec<Diagnostic> {
    let Some(Value::Array(photos)) = extra.get("photos") else {
        return Vec::new();
    };
    let has_text = |photo: &Value, key: &str| photo.get(key).and_then(Value::as_str).is_some_and(|t| !t.trim().is_empty());
    photos
        .iter()
        .filter_map(|photo| {
            let src = photo.get("src")?.as_str()?;
            if has_text(photo, "caption") || has_text(photo, "alt") {
                return None;
            }
            let (line, column) = photo_position(front_text, src).map_or((0, 0), |(l, c)| (l + front_line_offset, c));
            Some(
                Diagnostic::warning(
                    "alt-text",
                    file,
                    line,
                    column,
                    format!("gallery photo `{src}` has no caption, so screen readers cannot say what it shows"),
                )
                .with_hint(format!(
                    "describe the photo: {{ src = \"{src}\", caption = \"党员志愿者在河滩清理垃圾\" }} (or alt = \"…\" to describe it without a caption)"
                )),
            )
        })
        .collect()
}

/// The 1-based line and column (in characters) of the `src` key that names `src`: the first line
/// after `photos` that holds both.
fn photo_position(front_text: &str, src: &str) -> Option<(usize, usize)> {
    let start = front_text.lines().position(|line| line.contains("photos"))?;
    front_text.lines().enumerate().skip(start).find_map(|(i, line)| {
        let value_at = line.find(src)?;
        let key_at = line[..value_at].rfind("src")?;
        Some((i + 1, line[..key_at].chars().count() + 1))
    })
}

/// Byte offsets of the `<img>` tags in `html` that have no `alt` attribute (`alt=""`, which marks
/// a decorative picture, counts as one).
pub fn img_tags_without_alt(html: &str) -> Vec<usize> {
    let bytes = html.as_bytes();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = find_ignore_case(&bytes[from..], b"<img").map(|i| from + i) {
        from = at + 4;
        let rest = &bytes[from..];
        if rest.first().is_some_and(|&b| b.is_ascii_whitespace() || b == b'/' || b == b'>') && !has_attribute(rest, b"alt") {
            found.push(at);
        }
    }
    found
}

fn find_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle))
}

/// Whether the attributes of a tag (the text after its name) include `name`.
fn has_attribute(attributes: &[u8], name: &[u8]) -> bool {
    let mut at = 0;
    let skip_space = |at: &mut usize| {
        while attributes.get(*at).is_some_and(|b| b.is_ascii_whitespace() || *b == b'/') {
            *at += 1;
        }
    };
    loop {
        skip_space(&mut at);
        let start = at;
        while attributes
            .get(at)
            .is_some_and(|b| !b.is_ascii_whitespace() && !matches!(b, b'=' | b'>' | b'/'))
        {
            at += 1;
        }
        if at == start {
            // `>` or the end of the text: the tag is over.
            return false;
        }
        if attributes[start..at].eq_ignore_ascii_case(name) {
            return true;
        }
        while attributes.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        if attributes.get(at) != Some(&b'=') {
            continue;
        }
        at += 1;
        while attributes.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        match attributes.get(at) {
            Some(&quote @ (b'"' | b'\'')) => {
                at += 1;
                at += attributes[at..]
                    .iter()
                    .position(|&b| b == quote)
                    .map_or(attributes.len() - at, |i| i + 1);
            }
            _ => {
                while attributes.get(at).is_some_and(|b| !b.is_ascii_whitespace() && *b != b'>') {
                    at += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn img_tags_without_alt_are_found() {
        assert_eq!(img_tags_without_alt("<p><img src=\"a.jpg\"></p>"), vec![3]);
        assert_eq!(img_tags_without_alt("<IMG SRC=a.jpg/>"), vec![0]);
        assert!(img_tags_without_alt("<img src=\"a.jpg\" alt=\"会场\">").is_empty());
        assert!(img_tags_without_alt("<img alt src=x>").is_empty());
        assert!(img_tags_without_alt("<img src=x ALT=''>").is_empty());
        // `alt` inside another attribute's value is not an alt attribute.
        assert_eq!(img_tags_without_alt("<img title=\"alt=\" src=x>"), vec![0]);
        assert_eq!(img_tags_without_alt("<imgx> <img\nsrc=x data-alt=\"y\">"), vec![7]);
        // An unfinished tag is not an image.
        assert!(img_tags_without_alt("<img").is_empty());
    }

    fn extra(json: Value) -> serde_json::Map<String, Value> {
        json.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn photos_without_caption_are_found_at_their_line() {
        let front = "title = \"x\"\n[extra]\nphotos = [\n  { src = \"a.jpg\", caption = \"合影\" },\n  { src = \"b.jpg\" },\n  { src = \"c.jpg\", alt = \"会场\" },\n]\n";
        let extra = extra(serde_json::json!({"photos": [
            {"src": "a.jpg", "caption": "合影"}, {"src": "b.jpg"}, {"src": "c.jpg", "alt": "会场"}
        ]}));
        let found = photos_without_alt("content/news/x/index.md", &extra, front, 1);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].line, found[0].column), (6, 5));
        assert!(found[0].message.contains("`b.jpg`"), "{}", found[0].message);
    }

    #[test]
    fn yaml_galleries_and_blank_captions() {
        let front = "title: x\nextra:\n  photos:\n    - src: a.jpg\n      caption: \"  \"\n";
        let extra = extra(serde_json::json!({"photos": [{"src": "a.jpg", "caption": "  "}]}));
        let found = photos_without_alt("a.md", &extra, front, 1);
        assert_eq!((found[0].line, found[0].column), (5, 7));
        assert!(photos_without_alt("a.md", &Default::default(), front, 1).is_empty());
    }
}
