//! The lobby screen (大屏) at `/screen/`, issue 8, on tests/fixtures/screen:
//!
//! - the slides, in order: the current notices (an expired one left out), the latest news (the
//!   oldest left out) with their photos, a quote after each, this quarter's ledger; settings of
//!   `[screen]` reach the page; nothing is loaded from another host; sub-path and relative URLs;
//! - mistakes in `data/quotes.toml` and in `[screen]` are reported with file, line and exact message;
//! - in headless chromium (tests/browser/screen.mjs): rotation, pause on hover, focus, button and
//!   Space, ←/→, reduced motion, reading without JavaScript, self-reload only when the page is
//!   reachable, axe-core, type size at 1920×1080, served, under a sub-path and from file://.

mod common;

use std::time::Duration;

use common::{Site, dangjian, read_text, run_browser_script_with};

/// The fixture with a meeting held today, so the ledger slide has this quarter's counts; that
/// page is also the newest news.
fn screen_site() -> Site {
    let site = Site::copy("screen");
    let today = chrono::Local::now().date_naive();
    site.write(
        "content/news/dang-ke.md",
        format!(
            "+++\ntitle = \"第一党支部召开党员大会并讲党课\"\ndate = {today}\n[taxonomies]\nbranches = [\"第一党支部\"]\n[meeting]\nkind = [\"支部党员大会\", \"党课\"]\nattendees = 11\nabsent = 1\ntopic = \"学习党章\"\n+++\n\n今天，第一党支部召开党员大会，书记讲党课。\n"
        ),
    );
    site
}

/// The values of attribute `name` in `html`, in document order.
fn attribute_values<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let marker = format!(" {name}=\"");
    html.split(marker.as_str())
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect()
}

/// The HTML of the slide with `data-slide` number `n` (1-based).
fn slide(html: &str, n: usize) -> &str {
    let start = html.find(&format!("id=\"dj-slide-{n}\"")).unwrap_or_else(|| panic!("no slide {n}"));
    let end = html[start..].find("</section>").unwrap() + start;
    &html[start..end]
}

const ORDER: [&str; 7] = ["notices", "news", "quote", "news", "quote", "news", "ledger"];

#[test]
fn slides_in_order_with_notices_news_photos_quotes_and_the_ledger() {
    let site = screen_site();
    let run = site.build(&[]);
    run.expect_code(0, "build the screen fixture");
    assert_eq!(run.stderr, "", "no warnings");
    let html = site.output("screen/index.html");
    assert_eq!(attribute_values(&html, "data-slide"), ORDER);
    // Without JavaScript every slide is shown, so none is hidden from assistive technology.
    let slide_tags: Vec<&str> = html
        .split("<section ")
        .skip(1)
        .map(|rest| &rest[..rest.find('>').unwrap()])
        .collect();
    assert_eq!(slide_tags.len(), 7);
    assert!(
        slide_tags.iter().all(|tag| tag.ends_with("aria-hidden=\"false\"")),
        "{slide_tags:#?}"
    );
    assert!(
        html.contains("<body class=\"screen\" data-slide-seconds=\"8\" data-reload-minutes=\"10\">"),
        "{html}"
    );

    // The two newest notices that are still in force; the expired one and the third are left out.
    let notices = slide(&html, 1);
    assert_eq!(
        attribute_values(notices, "href"),
        [
            "http://screen.test/notices/",
            "http://screen.test/notices/lun-xun/",
            "http://screen.test/notices/xin-fang/"
        ]
    );
    // The three newest news, newest first, each with its first photo: the gallery's with its
    // caption as alt text, the bundle's first image as decoration, none for a page without.
    assert!(slide(&html, 2).contains("<a href=\"http://screen.test/news/dang-ke/\">第一党支部召开党员大会并讲党课</a>"));
    assert!(!slide(&html, 2).contains("<img"));
    let photo = slide(&html, 4);
    assert!(photo.contains("<a href=\"http://screen.test/news/jing-tan/\">第一党支部开展净滩志愿服务</a>"));
    assert!(photo.contains("<img src=\"http://screen.test/news/jing-tan/photo.jpg\" alt=\"党员志愿者在河滩清理垃圾\">"));
    assert!(photo.contains("<p class=\"screen-summary\">党员志愿者在河滩清理垃圾约一吨。</p>"));
    let image = slide(&html, 6);
    assert!(image.contains("<img src=\"http://screen.test/news/jiang-tang/hui-chang.jpg\" alt=\"\">"));
    assert!(
        !html.contains("zhi-wei-hui") && !html.contains("jiu-gao"),
        "only the three newest news"
    );
    // The quotes, in the order of the file.
    assert!(
        slide(&html, 3).contains("<blockquote><p>清廉守底线，执法有温度</p></blockquote>\n<figcaption>—— 测试局廉洁文化标语</figcaption>")
    );
    assert!(slide(&html, 5).contains("<blockquote><p>一河清水映初心</p></blockquote>") && !slide(&html, 5).contains("figcaption"));
    // This quarter: the branch held its members' meeting and its Party lecture.
    let ledger = slide(&html, 7);
    assert!(ledger.contains("<th scope=\"row\">第一党支部</th>"), "{ledger}");
    assert!(
        ledger.contains("<a href=\"http://screen.test/ledger/\">组织生活台账</a>"),
        "{ledger}"
    );

    // Its own stylesheet and script, both in the output; no other host.
    assert!(html.contains("<link rel=\"stylesheet\" href=\"http://screen.test/css/screen.css\">"));
    assert!(html.contains("<script src=\"http://screen.test/js/screen.js\"></script>"));
    assert!(site.out.join("css/screen.css").is_file() && site.out.join("js/screen.js").is_file());
    for url in attribute_values(&html, "href").into_iter().chain(attribute_values(&html, "src")) {
        assert!(url.starts_with("http://screen.test/"), "{url} is not on the site");
    }
    // A display page, not a page for readers: not in the sitemap, not for search engines.
    assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));
    assert!(!site.output("sitemap.xml").contains("/screen/"));
}

#[test]
fn settings_sub_paths_and_relative_urls() {
    let site = screen_site();
    let config = read_text(&site.site.join("config.toml"));
    site.write(
        "config.toml",
        config.replace(
            "slide_seconds = 8\nnews = 3\nnotices = 2\n",
            "news = 1\nnotices = 0\nreload_minutes = 30\n",
        ),
    );
    site.remove("data/quotes.toml");
    site.build(&["--base-url", "http://127.0.0.1:8080/dangjian/"])
        .expect_code(0, "build under a sub-path");
    let html = site.output("screen/index.html");
    assert_eq!(attribute_values(&html, "data-slide"), ["news", "ledger"]);
    assert!(
        html.contains("data-slide-seconds=\"15\" data-reload-minutes=\"30\""),
        "defaults and settings"
    );
    assert!(html.contains("href=\"http://127.0.0.1:8080/dangjian/css/screen.css\""));
    assert!(html.contains("<a href=\"http://127.0.0.1:8080/dangjian/news/dang-ke/\">"));

    site.write("config.toml", format!("relative_urls = true\n{config}"));
    site.build(&[]).expect_code(0, "build with relative URLs");
    let html = site.output("screen/index.html");
    assert!(html.contains("<link rel=\"stylesheet\" href=\"../css/screen.css\">"), "{html}");
    assert!(html.contains("<script src=\"../js/screen.js\"></script>"));
    assert!(html.contains("<img src=\"../news/jing-tan/photo.jpg\""));

    site.write("config.toml", format!("{config}enabled = false\n"));
    site.build(&[]).expect_code(0, "build without the screen");
    assert!(!site.out.join("screen").exists());
}

#[test]
fn an_empty_site_still_has_one_slide() {
    let site = Site::copy("screen");
    for file in [
        "content/news/jiu-gao.md",
        "content/news/zhi-wei-hui.md",
        "data/quotes.toml",
        "data/branches.toml",
    ] {
        site.remove(file);
    }
    std::fs::remove_dir_all(site.site.join("content/news/jing-tan")).unwrap();
    std::fs::remove_dir_all(site.site.join("content/news/jiang-tang")).unwrap();
    std::fs::remove_dir_all(site.site.join("content/notices")).unwrap();
    site.build(&[]).expect_code(0, "build");
    let html = site.output("screen/index.html");
    assert_eq!(attribute_values(&html, "data-slide"), ["empty"]);
    assert!(html.contains("第 1 张，共 1 张"));
}

#[test]
fn quote_mistakes_are_reported_with_file_and_line() {
    let site = screen_site();
    site.write(
        "data/quotes.toml",
        "# 大屏标语\n[[quotes]]\ntext = \"清廉守底线\"\nsorce = \"甲\"\n\n[[quotes]]\ntext = \"\"\n\n[[quotes]]\ntext = 3\n\n[[quotes]]\nsource = \"乙\"\n",
    );
    let run = site.build(&[]);
    run.expect_code(1, "bad quotes");
    assert_eq!(
        run.stderr,
        "data/quotes.toml:4:1: error[quotes]: quote 1: unknown key `sorce`\n  = hint: did you mean `source`? A quote has `text` and, optionally, `source`\n\
         data/quotes.toml:7:8: error[quotes]: quote 2 has an empty `text`\n  = hint: write the words to show, or remove this [[quotes]] entry\n\
         data/quotes.toml:10:8: error[quotes]: quote 3: `text` must be text in quotes, not a whole number\n  = hint: write it like text = \"清廉守初心，实干护碧水\"\n\
         data/quotes.toml:12: error[quotes]: quote 4 has no `text`\n  = hint: add text = \"…\", the words shown on the screen\n\
         4 error(s), 0 warning(s)\nbuild failed; the previous output in {} is unchanged\n"
            .replace("{}", &site.out.display().to_string())
    );
    // `check` reports them the same way.
    let run = dangjian(["check", "--site", site.site.to_str().unwrap()]);
    run.expect_code(1, "check bad quotes");
    assert!(
        run.stdout
            .starts_with("data/quotes.toml:4:1: error[quotes]: quote 1: unknown key `sorce`"),
        "{}",
        run.stdout
    );

    site.write("data/quotes.toml", "[[quotes]]\ntext = \"未闭合\n");
    let run = site.build(&[]);
    run.expect_code(1, "broken TOML");
    assert!(
        run.stderr
            .starts_with("data/quotes.toml:2:12: error[quotes]: invalid basic string, expected `\"`\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn screen_settings_mistakes_are_reported_with_line() {
    let site = screen_site();
    let config = read_text(&site.site.join("config.toml"));
    let line_of = |text: &str, key: &str| text.lines().position(|l| l.starts_with(key)).unwrap() + 1;
    let cases = [
        (
            "slide_seconds = 8",
            "slide_seconds = 2",
            "config.toml:{line}:17: error[config]: [screen] slide_seconds = 2 is out of range: use 5 to 600 (seconds each slide is shown)",
        ),
        (
            "news = 3",
            "news = 30",
            "config.toml:{line}:8: error[config]: [screen] news = 30 is out of range: use 0 to 20 (news slides)",
        ),
        (
            "notices = 2",
            "notice = 2",
            "config.toml:{line}:1: error[config]: unknown field `notice`, expected one of `enabled`, `slide_seconds`, `reload_minutes`, `news`, `notices`, `news_section`, `notices_section`\n  = hint: did you mean `notices`? Otherwise remove the key",
        ),
        (
            "notices = 2",
            "news_section = \"xinwen\"",
            "config.toml:{line}: error[config]: [screen] news_section = \"xinwen\" is not a section: there is no content/xinwen/_index.md\n  = hint: name a folder under content/ that has an _index.md, e.g. \"news\"",
        ),
    ];
    for (from, to, expected) in cases {
        let changed = config.replace(from, to);
        site.write("config.toml", &changed);
        let run = site.build(&[]);
        run.expect_code(1, to);
        let expected = expected.replace("{line}", &line_of(&changed, to).to_string());
        assert!(
            run.stderr.starts_with(&format!("{expected}\n")),
            "{to}:\n{}\nexpected:\n{expected}",
            run.stderr
        );
    }
}

#[test]
fn the_screen_rotates_pauses_and_reloads_in_chromium() {
    let site = screen_site();
    let cases = site.tmp.path().join("screen-cases.json");
    std::fs::write(
        &cases,
        serde_json::json!({
            "site": site.site,
            "slides": ORDER,
            "seconds": 8,
            "reload_minutes": 10,
        })
        .to_string(),
    )
    .unwrap();
    run_browser_script_with(
        "screen.mjs",
        &[cases.as_os_str()],
        &["playwright-core", "axe-core"],
        Duration::from_secs(300),
    );
}
