//! The example site in `site/` builds, and its machine-readable outputs parse: sitemap.xml lists
//! every page with absolute URLs, every Atom feed is well-formed Atom with entries.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn build_example(output: &Path) {
    let result = Command::new(env!("CARGO_BIN_EXE_dangjian"))
        .args(["build", "--site"])
        .arg(repo().join("site"))
        .arg("--output")
        .arg(output)
        .output()
        .expect("run dangjian");
    assert!(
        result.status.success(),
        "build failed:\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
}

#[test]
fn sitemap_and_feeds_parse() {
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    build_example(&public);

    let sitemap = std::fs::read_to_string(public.join("sitemap.xml")).unwrap();
    let doc = roxmltree::Document::parse(&sitemap).expect("sitemap.xml is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "urlset");
    assert_eq!(root.tag_name().namespace(), Some("http://www.sitemaps.org/schemas/sitemap/0.9"));
    let locs: Vec<&str> = root
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text())
        .collect();
    assert!(locs.len() >= 40, "only {} URLs in the sitemap", locs.len());
    for loc in &locs {
        assert!(loc.starts_with("http://dangjian.sthjj.intranet/"), "not absolute: {loc}");
    }
    // Every published page of the three sections is in the sitemap.
    for section in ["study", "integrity", "news"] {
        for page in std::fs::read_dir(public.join(section)).unwrap() {
            let page = page.unwrap();
            let name = page.file_name().to_string_lossy().into_owned();
            if page.path().join("index.html").is_file() && name != "page" {
                let url = format!("http://dangjian.sthjj.intranet/{section}/{name}/");
                assert!(locs.contains(&url.as_str()), "{url} missing from sitemap");
            }
        }
    }

    let feeds = common::files_with_extension(&public, "xml")
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "atom.xml"))
        .collect::<Vec<_>>();
    assert!(feeds.len() >= 4, "expected the site feed and section feeds, found {feeds:?}");
    for feed in feeds {
        let text = std::fs::read_to_string(&feed).unwrap();
        let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{} is not well-formed: {e}", feed.display()));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "feed", "{}", feed.display());
        assert_eq!(root.tag_name().namespace(), Some("http://www.w3.org/2005/Atom"));
        for required in ["title", "id", "updated"] {
            assert!(
                root.children().any(|n| n.has_tag_name(required)),
                "{} lacks <{required}>",
                feed.display()
            );
        }
        let entries: Vec<_> = root.children().filter(|n| n.has_tag_name("entry")).collect();
        assert!(!entries.is_empty(), "{} has no entries", feed.display());
        for entry in entries {
            for required in ["title", "id", "updated", "link", "content"] {
                assert!(
                    entry.children().any(|n| n.has_tag_name(required)),
                    "an entry of {} lacks <{required}>",
                    feed.display()
                );
            }
            let href = entry
                .children()
                .find(|n| n.has_tag_name("link"))
                .and_then(|n| n.attribute("href"))
                .unwrap();
            assert!(href.starts_with("http://dangjian.sthjj.intranet/"), "{href}");
        }
    }
}

#[test]
fn example_site_has_the_promised_content() {
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    build_example(&public);
    for section in ["study", "integrity", "news"] {
        let pages = std::fs::read_dir(public.join(section))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().join("index.html").is_file())
            .filter(|e| e.as_ref().unwrap().file_name() != "page")
            .count();
        assert!(pages >= 12, "{section} has only {pages} pages");
    }
    // A page bundle with a photo and a PDF attachment, copied next to the page.
    let bundle = public.join("news/qinghe-jingtan-zhiyuan");
    assert!(bundle.join("photo.jpg").is_file());
    assert!(bundle.join("huodong-fangan.pdf").is_file());
    // Chinese file names become pinyin slugs.
    assert!(public.join("study/xue-xi-xin-de-ti-hui/index.html").is_file());
    // Both taxonomies exist.
    assert!(public.join("tags/index.html").is_file());
    assert!(public.join("branches/index.html").is_file());
    // A table made it through Markdown.
    let tables = common::files_with_extension(&public, "html")
        .iter()
        .filter(|p| std::fs::read_to_string(p).unwrap().contains("<table>"))
        .count();
    assert!(tables > 0);
}
