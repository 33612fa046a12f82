//! `relative_urls = true`: every link of a page to the site itself is rewritten relative to the
//! page's own file, with `index.html` spelled out, so the built folder works from `file://`, from
//! a USB stick copied onto a PC, or under any path of any host.

/// Attributes whose values are URLs.
const URL_ATTRIBUTES: [&str; 4] = ["href=", "src=", "action=", "poster="];

/// Rewrites the URLs in `html` (the page written to `file`, e.g. "study/x/index.html") that point
/// into the site: absolute ones starting with `base` ("http://host/sub/") and site-absolute ones
/// starting with `base_path` + "/" ("/sub/…").
pub fn relativize(html: &str, file: &str, base: &str, base_path: &str) -> String {
    let depth = file.matches('/').count();
    let up = if depth == 0 { "./".to_string() } else { "../".repeat(depth) };
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let mut rest = html;
    while let Some((at, attribute_len)) = next_attribute(rest) {
        let value_start = at + attribute_len;
        let quote = rest[value_start..].chars().next();
        let Some(quote @ ('"' | '\'')) = quote else {
            out.push_str(&rest[..value_start]);
            rest = &rest[value_start..];
            continue;
        };
        let inner_start = value_start + 1;
        let Some(inner_len) = rest[inner_start..].find(quote) else { break };
        let value = &rest[inner_start..inner_start + inner_len];
        out.push_str(&rest[..inner_start]);
        match site_target(value, base, base_path) {
            Some(target) => {
                out.push_str(&up);
                out.push_str(&with_index(target));
            }
            None => out.push_str(value),
        }
        rest = &rest[inner_start + inner_len..];
    }
    out.push_str(rest);
    // Redirect pages name their target in `<meta http-equiv="refresh" content="0; url=…">`.
    if out.contains("http-equiv=\"refresh\"") {
        out = rewrite_refresh(&out, &up, base, base_path);
    }
    out
}

/// The next URL attribute (preceded by whitespace) and the length of its name with `=`.
fn next_attribute(text: &str) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    for attribute in URL_ATTRIBUTES {
        let mut from = 0;
        while let Some(i) = text[from..].find(attribute).map(|i| from + i) {
            if text[..i].ends_with([' ', '\n', '\t']) {
                if best.is_none_or(|(b, _)| i < b) {
                    best = Some((i, attribute.len()));
                }
                break;
            }
            from = i + attribute.len();
        }
    }
    best
}

/// The site path (without the leading slash) a URL points to, if it points into the site.
fn site_target<'a>(value: &'a str, base: &str, base_path: &str) -> Option<&'a str> {
    if let Some(rest) = value.strip_prefix(base) {
        return Some(rest);
    }
    if value.starts_with("//") {
        return None;
    }
    let prefix = format!("{base_path}/");
    value.strip_prefix(prefix.as_str())
}

/// `study/` → `study/index.html`, keeping any `?query` or `#fragment`.
fn with_index(target: &str) -> String {
    let split = target.find(['?', '#']).unwrap_or(target.len());
    let (path, suffix) = target.split_at(split);
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html{suffix}")
    } else {
        target.to_string()
    }
}

fn rewrite_refresh(html: &str, up: &str, base: &str, base_path: &str) -> String {
    const MARKER: &str = "content=\"0; url=";
    let Some(at) = html.find(MARKER) else { return html.to_string() };
    let start = at + MARKER.len();
    let Some(len) = html[start..].find('"') else {
        return html.to_string();
    };
    match site_target(&html[start..start + len], base, base_path) {
        Some(target) => format!("{}{up}{}{}", &html[..start], with_index(target), &html[start + len..]),
        None => html.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_become_relative_with_index_html() {
        let html = r##"<a href="http://h/sub/study/">学习</a><img src="http://h/sub/news/x/a.jpg" alt=""><a href="/sub/#top">顶</a><a href="https://other.cn/">外</a><a href="#toc">目录</a>"##;
        let out = relativize(html, "news/x/index.html", "http://h/sub/", "/sub");
        assert_eq!(
            out,
            r##"<a href="../../study/index.html">学习</a><img src="../../news/x/a.jpg" alt=""><a href="../../index.html#top">顶</a><a href="https://other.cn/">外</a><a href="#toc">目录</a>"##
        );
    }

    #[test]
    fn root_files_and_redirects() {
        assert_eq!(
            relativize(r#"<link href="http://h/css/a.css">"#, "index.html", "http://h/", ""),
            r#"<link href="./css/a.css">"#
        );
        let redirect = "<meta http-equiv=\"refresh\" content=\"0; url=http://h/study/\">";
        assert_eq!(
            relativize(redirect, "old/index.html", "http://h/", ""),
            "<meta http-equiv=\"refresh\" content=\"0; url=../study/index.html\">"
        );
    }

    #[test]
    fn text_that_only_looks_like_an_attribute_is_kept() {
        let html = "<p>写法 xhref=\"http://h/a/\"</p>";
        assert_eq!(relativize(html, "index.html", "http://h/", ""), html);
    }
}
