//! Machine-readable outputs written without templates: Atom feeds, sitemap.xml, robots.txt and
//! the redirect pages of aliases. Generated here so they are always well-formed XML.

use crate::config::Config;
use crate::content::Page;
use crate::content::date::PageDate;

/// Escapes text for XML content and attributes.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 forbids never reach a feed reader.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            _ => out.push(c),
        }
    }
    out
}

/// Percent-encodes the non-ASCII characters and spaces of a URL (Chinese slugs with `slugify = "keep"`).
pub fn encode_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for byte in url.bytes() {
        if byte.is_ascii_graphic() {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// One entry of a feed: a page, with what a list adds to it.
pub struct FeedEntry<'a> {
    /// The page.
    pub page: &'a Page,
    /// The entry's summary instead of the page's own (plain text).
    pub summary: Option<String>,
    /// An Atom `<category>` term, e.g. 必学.
    pub category: Option<&'a str>,
}

impl<'a> FeedEntry<'a> {
    /// The page as it is.
    pub fn page(page: &'a Page) -> FeedEntry<'a> {
        FeedEntry {
            page,
            summary: None,
            category: None,
        }
    }
}

/// An Atom feed of `pages` (newest first, already limited), titled `title`, found at `feed_path`.
pub fn atom(config: &Config, title: &str, site_path: &str, feed_path: &str, pages: &[&Page]) -> String {
    let entries: Vec<FeedEntry<'_>> = pages.iter().map(|p| FeedEntry::page(p)).collect();
    atom_entries(config, title, site_path, feed_path, &entries)
}

/// An Atom feed of `entries` (in the order given, already limited).
pub fn atom_entries(config: &Config, title: &str, site_path: &str, feed_path: &str, entries: &[FeedEntry<'_>]) -> String {
    let updated = entries
        .iter()
        .map(|e| e.page)
        .filter_map(|p| p.front.updated.or(p.date))
        .max()
        .map_or_else(|| "1970-01-01T00:00:00+08:00".to_string(), |d| d.rfc3339());
    let mut xml = String::with_capacity(1024 + entries.len() * 1024);
    xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"");
    xml.push_str(&xml_escape(&config.language_code));
    xml.push_str("\">\n");
    push_element(&mut xml, "  ", "title", title);
    if !config.description.is_empty() {
        push_element(&mut xml, "  ", "subtitle", &config.description);
    }
    xml.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        xml_escape(&encode_url(&config.permalink(feed_path)))
    ));
    xml.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        xml_escape(&encode_url(&config.permalink(site_path)))
    ));
    push_element(&mut xml, "  ", "id", &encode_url(&config.permalink(feed_path)));
    push_element(&mut xml, "  ", "updated", &updated);
    xml.push_str("  <generator>dangjian</generator>\n");
    for entry in entries {
        let page = entry.page;
        let url = encode_url(&config.permalink(&page.path));
        let published = page.date.as_ref().map(PageDate::rfc3339);
        let entry_updated = page
            .front
            .updated
            .as_ref()
            .map(PageDate::rfc3339)
            .or_else(|| published.clone())
            .unwrap_or_else(|| updated.clone());
        xml.push_str("  <entry>\n");
        push_element(&mut xml, "    ", "title", &page.title);
        xml.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            xml_escape(&url)
        ));
        push_element(&mut xml, "    ", "id", &url);
        if let Some(published) = &published {
            push_element(&mut xml, "    ", "published", published);
        }
        push_element(&mut xml, "    ", "updated", &entry_updated);
        xml.push_str("    <author><name>");
        let author = page.front.extra.get("author").and_then(|v| v.as_str()).unwrap_or(&config.title);
        xml.push_str(&xml_escape(author));
        xml.push_str("</name></author>\n");
        if let Some(category) = entry.category {
            xml.push_str(&format!("    <category term=\"{}\"/>\n", xml_escape(category)));
        }
        if let Some(summary) = &entry.summary {
            push_element(&mut xml, "    ", "summary", summary);
        } else if let Some(summary) = page.rendered.summary.as_deref().or(page.front.description.as_deref()) {
            xml.push_str("    <summary type=\"html\">");
            xml.push_str(&xml_escape(summary));
            xml.push_str("</summary>\n");
        }
        xml.push_str("    <content type=\"html\">");
        xml.push_str(&xml_escape(&page.rendered.html));
        xml.push_str("</content>\n  </entry>\n");
    }
    xml.push_str("</feed>\n");
    xml
}

fn push_element(xml: &mut String, indent: &str, name: &str, text: &str) {
    xml.push_str(indent);
    xml.push('<');
    xml.push_str(name);
    xml.push('>');
    xml.push_str(&xml_escape(text));
    xml.push_str("</");
    xml.push_str(name);
    xml.push_str(">\n");
}

/// One URL of the sitemap.
pub struct SitemapEntry {
    /// Site path.
    pub path: String,
    /// Last change, if known.
    pub lastmod: Option<PageDate>,
}

/// `sitemap.xml` with absolute URLs, sorted by path.
pub fn sitemap(config: &Config, mut entries: Vec<SitemapEntry>) -> String {
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    entries.dedup_by(|a, b| a.path == b.path);
    let mut xml =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for entry in entries {
        xml.push_str("  <url>\n    <loc>");
        xml.push_str(&xml_escape(&encode_url(&config.permalink(&entry.path))));
        xml.push_str("</loc>\n");
        if let Some(lastmod) = entry.lastmod {
            xml.push_str(&format!("    <lastmod>{}</lastmod>\n", lastmod.day().format("%Y-%m-%d")));
        }
        xml.push_str("  </url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

/// `robots.txt`: intranet sites keep crawlers out unless `allow_robots = true`.
pub fn robots(config: &Config) -> String {
    if config.allow_robots {
        format!(
            "User-agent: *\nAllow: /\nSitemap: {}\n",
            encode_url(&config.permalink("/sitemap.xml"))
        )
    } else {
        "User-agent: *\nDisallow: /\n".to_string()
    }
}

/// A page that sends the reader to `target` (an absolute URL): for aliases and `/page/1/`.
pub fn redirect(target: &str, language: &str) -> String {
    let target = xml_escape(&encode_url(target));
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>页面已迁移</title>\n<link rel=\"canonical\" href=\"{target}\">\n<meta http-equiv=\"refresh\" content=\"0; url={target}\">\n</head>\n<body>\n<p>页面已迁移至 <a href=\"{target}\">{target}</a>。</p>\n</body>\n</html>\n",
        lang = xml_escape(language)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_encodes() {
        assert_eq!(xml_escape("a<b>&\"'\u{1}"), "a&lt;b&gt;&amp;&quot;&apos;");
        assert_eq!(encode_url("http://h/学习/"), "http://h/%E5%AD%A6%E4%B9%A0/");
    }

    #[test]
    fn robots_default_keeps_crawlers_out() {
        let config = Config::parse("base_url = \"http://h\"").unwrap();
        assert_eq!(robots(&config), "User-agent: *\nDisallow: /\n");
    }

    #[test]
    fn sitemap_is_sorted_and_absolute() {
        let config = Config::parse("base_url = \"http://h/sub\"").unwrap();
        let xml = sitemap(
            &config,
            vec![
                SitemapEntry {
                    path: "/b/".into(),
                    lastmod: None,
                },
                SitemapEntry {
                    path: "/a/".into(),
                    lastmod: PageDate::parse("2022-01-18"),
                },
            ],
        );
        assert!(xml.contains("<loc>http://h/sub/a/</loc>\n    <lastmod>2022-01-18</lastmod>"));
        assert!(xml.find("/a/").unwrap() < xml.find("/b/").unwrap());
    }
}
