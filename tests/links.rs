//! A link crawler over the built example site: every internal link, image, stylesheet and script
//! points at a file of the build (and every `#fragment` at an id of its page), with a root
//! base_url, a sub-path base_url, and `relative_urls = true` opened as files.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const HOST: &str = "http://dangjian.sthjj.intranet";

fn build(site: &Path, output: &Path, extra: &[&str]) {
    let result = Command::new(env!("CARGO_BIN_EXE_dangjian"))
        .arg("build")
        .arg("--site")
        .arg(site)
        .arg("--output")
        .arg(output)
        .args(extra)
        .output()
        .unwrap();
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
}

/// The values of href, src and action attributes.
fn urls(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in [" href=\"", " src=\"", " action=\""] {
        let mut rest = html;
        while let Some(at) = rest.find(attribute) {
            let value = &rest[at + attribute.len()..];
            let end = value.find('"').unwrap_or(value.len());
            found.push(value[..end].replace("&amp;", "&"));
            rest = &value[end..];
        }
    }
    found
}

/// Where a link leads inside `root`, or `None` when it leaves the site.
enum Target {
    External,
    File(PathBuf, Option<String>),
}

fn resolve(url: &str, page: &Path, root: &Path, base: &str) -> Target {
    if url.starts_with("mailto:") || url.starts_with("tel:") || url.starts_with("data:") {
        return Target::External;
    }
    let (path, fragment) = match url.split_once('#') {
        Some((p, f)) => (p, Some(f.to_string())),
        None => (url, None),
    };
    let path = path.split('?').next().unwrap_or_default();
    let decoded = percent_decode(path);
    let file = if path.is_empty() {
        page.to_path_buf()
    } else if let Some(rest) = decoded.strip_prefix(base) {
        root.join(rest.trim_start_matches('/'))
    } else if decoded.starts_with("http://") || decoded.starts_with("https://") || decoded.starts_with("//") {
        return Target::External;
    } else if decoded.starts_with('/') {
        panic!(
            "site-absolute link `{url}` in {} does not start with the base `{base}`",
            page.display()
        );
    } else {
        page.parent().unwrap().join(&decoded)
    };
    let file = if decoded.ends_with('/') || file.is_dir() {
        file.join("index.html")
    } else {
        file
    };
    Target::File(normalize(&file), fragment.map(|f| percent_decode(&f)))
}

fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(byte) = u8::from_str_radix(&text[i + 1..i + 3], 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Crawls every page under `root`; returns the broken links. Panics if it found too few internal
/// links to mean anything (a crawler that checks nothing must not pass).
fn crawl(root: &Path, base: &str) -> Vec<String> {
    let mut broken = Vec::new();
    let mut checked = 0;
    let mut pages: HashMap<PathBuf, String> = HashMap::new();
    let files = common::files_with_extension(root, "html");
    for file in &files {
        pages.insert(normalize(file), std::fs::read_to_string(file).unwrap());
    }
    for file in &files {
        let html = &pages[&normalize(file)];
        for url in urls(html) {
            match resolve(&url, file, root, base) {
                Target::External => {}
                Target::File(target, fragment) => {
                    checked += 1;
                    if !target.is_file() {
                        broken.push(format!("{}: {url} → missing {}", file.display(), target.display()));
                        continue;
                    }
                    if let (Some(fragment), Some(target_html)) = (fragment, pages.get(&target)) {
                        let ids = [format!("id=\"{fragment}\""), format!("name=\"{fragment}\"")];
                        if !fragment.is_empty() && fragment != "top" && !ids.iter().any(|id| target_html.contains(id.as_str())) {
                            broken.push(format!("{}: {url} → no id `{fragment}` in {}", file.display(), target.display()));
                        }
                    }
                }
            }
        }
    }
    assert!(checked > 1000, "only {checked} internal links found under {}", root.display());
    broken
}

fn example_site() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("site")
}

#[test]
fn no_broken_links_with_a_root_base_url() {
    let out = tempfile::tempdir().unwrap();
    build(&example_site(), out.path(), &[]);
    let broken = crawl(out.path(), HOST);
    assert!(broken.is_empty(), "{} broken links:\n{}", broken.len(), broken.join("\n"));
}

#[test]
fn no_broken_links_under_a_sub_path() {
    let out = tempfile::tempdir().unwrap();
    let base = format!("{HOST}/dangjian/");
    build(&example_site(), out.path(), &["--base-url", &base]);
    let broken = crawl(out.path(), &base);
    assert!(broken.is_empty(), "{} broken links:\n{}", broken.len(), broken.join("\n"));
    let home = std::fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(
        home.contains(&format!("href=\"{base}css/site.css\"")),
        "stylesheet not under the sub-path"
    );
    let sitemap = std::fs::read_to_string(out.path().join("sitemap.xml")).unwrap();
    assert!(sitemap.contains(&format!("<loc>{base}study/</loc>")));
    let feed = std::fs::read_to_string(out.path().join("study/atom.xml")).unwrap();
    assert!(feed.contains(&format!("href=\"{base}study/")));
    let pager = std::fs::read_to_string(out.path().join("study/index.html")).unwrap();
    assert!(pager.contains(&format!("{base}study/page/2/")), "pagination not under the sub-path");
}

#[test]
fn relative_urls_work_from_disk() {
    let work = tempfile::tempdir().unwrap();
    let site = work.path().join("site");
    common::copy_dir(&example_site(), &site);
    let config = std::fs::read_to_string(site.join("config.toml")).unwrap();
    assert!(
        config.contains("relative_urls = false"),
        "the example config should show the setting"
    );
    std::fs::write(
        site.join("config.toml"),
        config.replace("relative_urls = false", "relative_urls = true"),
    )
    .unwrap();
    let out = work.path().join("out");
    build(&site, &out, &[]);
    // The 404 page keeps absolute links: a server shows it at any address.
    for file in common::files_with_extension(&out, "html")
        .into_iter()
        .filter(|f| !f.ends_with("404.html"))
    {
        let html = std::fs::read_to_string(&file).unwrap();
        for url in urls(&html) {
            assert!(
                !(url.starts_with(HOST) || url.starts_with('/') && !url.starts_with("//")),
                "{}: `{url}` is not relative",
                file.display()
            );
        }
    }
    // Resolved as a browser resolves them from file://: relative to each file, index.html spelled out.
    let broken = crawl(&out, "file:///never/");
    assert!(broken.is_empty(), "{} broken links:\n{}", broken.len(), broken.join("\n"));
}
