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
    // Every published page of the sections is in the sitemap, expired notices included (they are
    // still reachable), and so is the study plan.
    assert!(locs.contains(&"http://dangjian.sthjj.intranet/study/plan/"));
    for section in ["study", "integrity", "news", "notices"] {
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
    // The taxonomies exist.
    assert!(public.join("tags/index.html").is_file());
    assert!(public.join("branches/index.html").is_file());
    assert!(public.join("topics/index.html").is_file());
    // A table made it through Markdown.
    let tables = common::files_with_extension(&public, "html")
        .iter()
        .filter(|p| std::fs::read_to_string(p).unwrap().contains("<table>"))
        .count();
    assert!(tables > 0);
}

/// The front matter of every Markdown file under `dir`, as TOML (the example site writes TOML).
fn fronts(dir: &Path) -> Vec<(PathBuf, toml::Table)> {
    common::files_with_extension(dir, "md")
        .into_iter()
        .filter_map(|file| {
            let text = std::fs::read_to_string(&file).unwrap();
            let rest = text.strip_prefix("+++\n")?;
            let front: toml::Table = toml::from_str(&rest[..rest.find("\n+++").unwrap()]).unwrap();
            Some((file, front))
        })
        .collect()
}

#[test]
fn example_site_uses_the_study_plan_topics_and_notices() {
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    build_example(&public);
    let today = chrono::Local::now().date_naive();
    let day = |v: &toml::Value| chrono::NaiveDate::parse_from_str(&v.to_string()[..10], "%Y-%m-%d").unwrap();

    // Study materials with source, document number and issuer; a plan over several months of two years.
    let study = fronts(&repo().join("site/content/study"));
    let published = |front: &toml::Table| front.get("draft").and_then(toml::Value::as_bool) != Some(true);
    let planned: Vec<&toml::Table> = study
        .iter()
        .map(|(_, f)| f)
        .filter(|f| published(f) && f.contains_key("study"))
        .collect();
    assert!(planned.len() >= 12, "only {} materials in the plan", planned.len());
    for key in ["source", "doc_no", "issuer"] {
        assert!(study.iter().any(|(_, f)| f.contains_key(key)), "no study page has `{key}`");
    }
    let months: std::collections::BTreeSet<String> = planned
        .iter()
        .filter_map(|f| f["study"].get("due"))
        .map(|due| day(due).format("%Y-%m").to_string())
        .collect();
    assert!(
        months.len() >= 6 && months.iter().any(|m| m.starts_with("2026")) && months.iter().any(|m| m.starts_with("2027")),
        "{months:?}"
    );
    assert!(
        planned
            .iter()
            .any(|f| f["study"].get("required").and_then(toml::Value::as_bool) == Some(false))
    );
    let plan = std::fs::read_to_string(public.join("study/plan/index.html")).unwrap();
    assert_eq!(plan.matches("<li class=\"plan-entry").count(), planned.len());
    for month in &months {
        assert!(
            plan.contains(&format!("id=\"plan-{month}\"")),
            "month {month} missing from the plan"
        );
    }

    // Five topics, each with a banner under static/ and a landing page; /topics/ shows them all.
    let topics: toml::Table = toml::from_str(&std::fs::read_to_string(repo().join("site/data/topics.toml")).unwrap()).unwrap();
    let topics = topics["topic"].as_array().unwrap();
    assert!((4..=6).contains(&topics.len()), "{} topics", topics.len());
    let list = std::fs::read_to_string(public.join("topics/index.html")).unwrap();
    for topic in topics {
        let image = topic["image"].as_str().unwrap();
        let size = std::fs::metadata(repo().join("site/static").join(&image[1..])).unwrap().len();
        assert!(size < 60_000, "{image} is {size} bytes");
        let slug = topic["slug"].as_str().unwrap();
        assert!(public.join(format!("topics/{slug}/index.html")).is_file(), "no page for {slug}");
        assert!(list.contains(&format!("/topics/{slug}/\">{}</a>", topic["name"].as_str().unwrap())));
    }

    // Notices: the list shows exactly those not expired today; expired ones are still built.
    let notices = fronts(&repo().join("site/content/notices"));
    let expired = |front: &toml::Table| front.get("expires").is_some_and(|e| day(e) < today);
    let list = std::fs::read_to_string(public.join("notices/index.html")).unwrap();
    let mut current = 0;
    for (file, front) in notices.iter().filter(|(f, _)| !f.ends_with("_index.md")) {
        let title = front["title"].as_str().unwrap();
        assert_eq!(list.contains(&format!(">{title}</a>")), !expired(front), "{}", file.display());
        current += usize::from(!expired(front));
        let stem = file.file_stem().unwrap().to_string_lossy();
        let page = std::fs::read_to_string(public.join(format!("notices/{}/index.html", &stem[11..]))).unwrap();
        assert_eq!(
            page.contains("<strong class=\"expired-mark\">已过期</strong>"),
            expired(front),
            "{stem}"
        );
    }
    assert!(current >= 2, "the example keeps current notices (one of them for years)");
    assert!(notices.iter().any(|(_, f)| {
        f.get("expires")
            .is_some_and(|e| day(e) < chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap())
    }));
}
