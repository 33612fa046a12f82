//! What a link in Markdown points at: a content file (`@/study/x.md`, or a relative `x.md` next to
//! the page), a path of the built site (`/study/`, `photo.jpg` beside a bundle's `index.md`), or
//! something outside the site that is left alone (`https://…`, `mailto:`).

use percent_encoding::percent_decode_str;

/// Where a link goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A file under `content/`, by its path there ("study/x.md"), and the `#fragment` if any.
    Content {
        /// Path relative to `content/`.
        file: String,
        /// The fragment after `#`, as written.
        fragment: Option<String>,
    },
    /// A path of the built site ("/news/x/photo.jpg"), percent-decoded, without query or fragment.
    Site(String),
    /// Another scheme, a protocol-relative URL, or nothing but a query: not checked.
    Elsewhere,
}

/// Classifies `url`, written in the page whose file is `page_file` (relative to `content/`) and
/// whose site path is `page_path` ("/news/x/").
pub fn classify(url: &str, page_file: &str, page_path: &str) -> Target {
    if let Some(rest) = url.strip_prefix("@/") {
        let (file, fragment) = split_fragment(rest);
        return Target::Content {
            file: file.to_string(),
            fragment: fragment.map(str::to_string),
        };
    }
    if has_scheme(url) || url.starts_with("//") {
        return Target::Elsewhere;
    }
    let (before_fragment, fragment) = split_fragment(url);
    let path = before_fragment.split('?').next().unwrap_or("");
    if path.is_empty() {
        return Target::Elsewhere;
    }
    let decoded = percent_decode_str(path).decode_utf8_lossy();
    if !decoded.starts_with('/') && decoded.to_ascii_lowercase().ends_with(".md") {
        let folder = page_file.rsplit_once('/').map_or("", |(folder, _)| folder);
        return Target::Content {
            file: normalize(&format!("{folder}/{decoded}")).trim_start_matches('/').to_string(),
            fragment: fragment.map(str::to_string),
        };
    }
    if decoded.starts_with('/') {
        Target::Site(normalize(&decoded))
    } else {
        // A browser resolves it against the page's own address, a folder ("/news/x/").
        let base = page_path.rsplit_once('/').map_or("", |(folder, _)| folder);
        Target::Site(normalize(&format!("{base}/{decoded}")))
    }
}

fn split_fragment(url: &str) -> (&str, Option<&str>) {
    match url.split_once('#') {
        Some((before, fragment)) => (before, Some(fragment)),
        None => (url, None),
    }
}

/// `mailto:`, `tel:`, `javascript:` and the like: letters, digits, `+ - .`, then a colon before
/// any slash.
fn has_scheme(url: &str) -> bool {
    let Some(colon) = url.find(':') else { return false };
    let scheme = &url[..colon];
    !scheme.is_empty()
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Resolves `.` and `..` in an absolute path, never above the root; a trailing slash is kept.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    let mut out = format!("/{}", parts.join("/"));
    if path.ends_with('/') && out.len() > 1 {
        out.push('/');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(path: &str) -> Target {
        Target::Site(path.to_string())
    }

    #[test]
    fn content_links_are_relative_to_the_file() {
        let content = |file: &str, fragment: Option<&str>| Target::Content {
            file: file.to_string(),
            fragment: fragment.map(str::to_string),
        };
        assert_eq!(
            classify("@/study/a.md#一", "news/x.md", "/news/x/"),
            content("study/a.md", Some("一"))
        );
        assert_eq!(classify("../study/a.md", "news/x.md", "/news/x/"), content("study/a.md", None));
        assert_eq!(
            classify("b.md#二", "news/x/index.md", "/news/x/"),
            content("news/x/b.md", Some("二"))
        );
        assert_eq!(classify("%E5%AD%A6.md", "news/x.md", "/news/x/"), content("news/学.md", None));
    }

    #[test]
    fn other_local_links_are_site_paths() {
        assert_eq!(classify("/study/", "news/x.md", "/news/x/"), site("/study/"));
        assert_eq!(classify("photo.jpg", "news/x/index.md", "/news/x/"), site("/news/x/photo.jpg"));
        assert_eq!(
            classify("../../files/a%20b.pdf?v=2#p3", "news/x.md", "/news/x/"),
            site("/files/a b.pdf")
        );
        assert_eq!(classify("../../../../up.png", "a.md", "/a/"), site("/up.png"));
    }

    #[test]
    fn outside_links_are_left_alone() {
        for url in [
            "mailto:a@b.cn",
            "tel:12345",
            "https://x.cn/",
            "//cdn.example/x.js",
            "?q=1",
            "data:image/png;base64,AA",
        ] {
            assert_eq!(classify(url, "news/x.md", "/news/x/"), Target::Elsewhere, "{url}");
        }
    }
}
