//! Integration tests of successful builds: the real binary on the fixture sites in
//! tests/fixtures/ (tiny templates that print exactly what is asserted), on odd inputs generated
//! at run time, on the example site and on a site made by `dangjian init`.

mod common;

use std::fs;
use std::path::Path;

use common::{Site, build, check_well_formed_xml, count, dangjian, files, fixture, read_text, repo, snapshot};

/// Builds a committed fixture (read only) into a fresh temporary folder.
fn build_fixture(name: &str, extra: &[&str]) -> (tempfile::TempDir, std::path::PathBuf, common::Run) {
    let tmp = tempfile::Builder::new().prefix("dangjian-test-").tempdir().expect("temp dir");
    let out = tmp.path().join("public");
    let run = build(&fixture(name), &out, extra);
    (tmp, out, run)
}

fn out_text(out: &Path, relative: &str) -> String {
    read_text(&out.join(relative))
}

#[test]
fn basic_fixture_builds_sections_pagination_bundles_slugs_aliases_taxonomies_feeds_and_links() {
    let (_tmp, out, run) = build_fixture("basic", &[]);
    run.expect_code(0, "build tests/fixtures/basic");
    assert_eq!(run.stderr, "", "a clean site builds without diagnostics");
    assert!(
        run.stdout.starts_with("built 7 pages and 3 sections into "),
        "summary line: {}",
        run.stdout
    );

    let built = files(&out);
    for expected in [
        "index.html",
        "news/index.html",
        "news/page/1/index.html",
        "news/page/2/index.html",
        "news/page/3/index.html",
        "news/alpha/index.html",
        "news/xue-xi-xin-de-ti-hui/index.html",
        "news/my-slug/index.html",
        "news/yaml-page/index.html",
        "news/activity/index.html",
        "news/activity/photo.jpg",
        "news/activity/report.pdf",
        "old/notice/index.html",
        "study/index.html",
        "study/links/index.html",
        "study/rules/index.html",
        "tags/index.html",
        "tags/party/index.html",
        "tags/zhu-ti-dang-ri/index.html",
        "sitemap.xml",
        "atom.xml",
        "robots.txt",
        "404.html",
        "files/hello.txt",
    ] {
        assert!(built.iter().any(|f| f == expected), "missing output {expected}; built: {built:#?}");
    }
    for unexpected in [
        "news/page/4/index.html",
        "news/custom/index.html",
        "news/2024-01-15-alpha/index.html",
    ] {
        assert!(!built.iter().any(|f| f == unexpected), "unexpected output {unexpected}");
    }

    // Section sorted by date (newest first), 2 per page: 5 pages → 3 pagers, /page/1/ redirects.
    assert_eq!(
        out_text(&out, "news/index.html"),
        "section|支部动态|http://test.local/news/|pager 1/3|yaml-page,my-slug,\n"
    );
    assert_eq!(
        out_text(&out, "news/page/2/index.html"),
        "section|支部动态|http://test.local/news/|pager 2/3|activity,xue-xi-xin-de-ti-hui,\n"
    );
    assert_eq!(
        out_text(&out, "news/page/3/index.html"),
        "section|支部动态|http://test.local/news/|pager 3/3|alpha,\n"
    );
    let page1 = out_text(&out, "news/page/1/index.html");
    assert!(
        page1.contains(r#"<meta http-equiv="refresh" content="0; url=http://test.local/news/">"#),
        "/news/page/1/ redirects to /news/: {page1}"
    );

    // Date-prefixed file name: date and slug from the name.
    assert_eq!(
        out_text(&out, "news/alpha/index.html"),
        "page|第一支部主题党日|2024-01-15|alpha|http://test.local/news/alpha/||主题党日,Party,\n<p>正文 alpha。</p>\n\n"
    );
    // Chinese file name → toneless pinyin slug.
    assert!(
        out_text(&out, "news/xue-xi-xin-de-ti-hui/index.html")
            .starts_with("page|学习心得体会|2024-02-10|xue-xi-xin-de-ti-hui|http://test.local/news/xue-xi-xin-de-ti-hui/|")
    );
    // Front matter slug.
    assert!(out_text(&out, "news/my-slug/index.html").starts_with("page|自定义网址|2024-04-20|my-slug|http://test.local/news/my-slug/|"));
    // YAML front matter.
    assert_eq!(
        out_text(&out, "news/yaml-page/index.html"),
        "page|YAML 写法的稿件|2024-05-05|yaml-page|http://test.local/news/yaml-page/||Party,\n<p>YAML <strong>正文</strong>。</p>\n\n"
    );

    // Page bundle: date and slug from the folder name, files copied next to the page, unchanged.
    assert!(out_text(&out, "news/activity/index.html").starts_with(
        "page|红色教育活动|2024-03-01|activity|http://test.local/news/activity/|/news/activity/photo.jpg,/news/activity/report.pdf,|"
    ));
    let bundle = fixture("basic").join("content/news/2024-03-01-activity");
    for name in ["photo.jpg", "report.pdf"] {
        assert_eq!(
            fs::read(out.join("news/activity").join(name)).expect("copied attachment"),
            fs::read(bundle.join(name)).expect("fixture attachment"),
            "{name} is copied byte for byte"
        );
    }

    // Alias: a redirect page at the old URL.
    let alias = out_text(&out, "old/notice/index.html");
    assert!(
        alias.contains(r#"<meta http-equiv="refresh" content="0; url=http://test.local/news/my-slug/">"#)
            && alias.contains(r#"<link rel="canonical" href="http://test.local/news/my-slug/">"#),
        "alias redirect page: {alias}"
    );

    // Taxonomy: list and one page per term (slug from pinyin), pages newest first.
    assert_eq!(
        out_text(&out, "tags/index.html"),
        "taxonomy|tags|Party=party:2;主题党日=zhu-ti-dang-ri:2;\n"
    );
    assert_eq!(out_text(&out, "tags/party/index.html"), "term|tags|Party|yaml-page,alpha,\n");
    assert_eq!(
        out_text(&out, "tags/zhu-ti-dang-ri/index.html"),
        "term|tags|主题党日|xue-xi-xin-de-ti-hui,alpha,\n"
    );

    // @/ links resolved to absolute URLs, with the #anchor kept.
    let links = out_text(&out, "study/links/index.html");
    for expected in [
        r#"<a href="http://test.local/news/xue-xi-xin-de-ti-hui/">心得</a>"#,
        r#"<a href="http://test.local/news/activity/#photos">活动记录</a>"#,
        r#"<a href="http://test.local/study/">本栏目</a>"#,
    ] {
        assert!(links.contains(expected), "expected {expected} in study/links/index.html:\n{links}");
    }
    assert!(!links.contains("@/"), "no unresolved @/ link left:\n{links}");

    // sitemap.xml: absolute URL of every page, section and taxonomy page, nothing else.
    let sitemap = out_text(&out, "sitemap.xml");
    check_well_formed_xml(&sitemap).unwrap_or_else(|e| panic!("sitemap.xml is not well-formed: {e}\n{sitemap}"));
    let locs: Vec<&str> = sitemap
        .split("<loc>")
        .skip(1)
        .map(|s| s.split("</loc>").next().expect("closed loc"))
        .collect();
    let expected_locs = [
        "http://test.local/",
        "http://test.local/news/",
        "http://test.local/news/activity/",
        "http://test.local/news/alpha/",
        "http://test.local/news/my-slug/",
        "http://test.local/news/xue-xi-xin-de-ti-hui/",
        "http://test.local/news/yaml-page/",
        "http://test.local/study/",
        "http://test.local/study/links/",
        "http://test.local/study/rules/",
        "http://test.local/tags/",
        "http://test.local/tags/party/",
        "http://test.local/tags/zhu-ti-dang-ri/",
    ];
    assert_eq!(locs, expected_locs, "sitemap locations");

    // atom.xml: well-formed, one entry per page up to feed_limit = 5, newest first.
    let atom = out_text(&out, "atom.xml");
    assert!(atom.starts_with("<?xml"), "atom.xml starts with an XML declaration");
    check_well_formed_xml(&atom).unwrap_or_else(|e| panic!("atom.xml is not well-formed: {e}\n{atom}"));
    assert_eq!(count(&atom, "<entry>"), 5, "7 pages, feed_limit = 5");
    assert_eq!(count(&atom, "</entry>"), 5);
    let ids: Vec<&str> = atom
        .split("<entry>")
        .skip(1)
        .map(|e| e.split("<id>").nth(1).and_then(|s| s.split("</id>").next()).expect("entry id"))
        .collect();
    assert_eq!(
        ids,
        [
            "http://test.local/study/links/",
            "http://test.local/news/yaml-page/",
            "http://test.local/news/my-slug/",
            "http://test.local/news/activity/",
            "http://test.local/news/xue-xi-xin-de-ti-hui/",
        ]
    );

    let robots = out_text(&out, "robots.txt");
    assert!(
        robots.lines().any(|l| l == "Disallow: /"),
        "robots.txt keeps crawlers out: {robots}"
    );
    assert_eq!(out_text(&out, "404.html"), "not found|404\n");
    assert_eq!(out_text(&out, "files/hello.txt"), "hello from static\n");
}

#[test]
fn drafts_are_left_out_unless_drafts_flag_and_future_pages_are_scheduled() {
    let (_tmp, out, run) = build_fixture("drafts", &[]);
    run.expect_code(0, "build without --drafts");
    assert_eq!(run.stderr, "");
    assert!(
        run.stdout.starts_with("built 1 pages and 2 sections into ") && run.stdout.contains("1 drafts and 1 scheduled pages left out"),
        "summary line: {}",
        run.stdout
    );
    assert_eq!(out_text(&out, "news/index.html"), "section|支部动态|published,\n");
    assert!(out.join("news/published/index.html").is_file());
    assert!(!out.join("news/draft").exists(), "draft left out");
    assert!(!out.join("news/scheduled").exists(), "page dated 2999-01-01 left out");
    let sitemap = out_text(&out, "sitemap.xml");
    assert!(
        !sitemap.contains("/news/draft/") && !sitemap.contains("/news/scheduled/"),
        "{sitemap}"
    );
    let atom = out_text(&out, "atom.xml");
    assert_eq!(count(&atom, "<entry>"), 1, "{atom}");

    let (_tmp2, out, run) = build_fixture("drafts", &["--drafts"]);
    run.expect_code(0, "build with --drafts");
    assert_eq!(run.stderr, "");
    assert!(
        run.stdout.starts_with("built 2 pages and 2 sections into ") && run.stdout.contains("0 drafts and 1 scheduled pages left out"),
        "summary line: {}",
        run.stdout
    );
    assert_eq!(out_text(&out, "news/index.html"), "section|支部动态|draft,published,\n");
    assert_eq!(out_text(&out, "news/draft/index.html"), "page|尚在审核的稿件|true|2024-05-21\n");
    assert!(!out.join("news/scheduled").exists(), "--drafts does not publish scheduled pages");
}

/// `+++\ntitle = "党建学习"\ndate = 2024-02-03\n+++\n\n三会一课制度。\n` encoded as GBK.
const GBK_PAGE: &[u8] = b"+++\ntitle = \"\xb5\xb3\xbd\xa8\xd1\xa7\xcf\xb0\"\ndate = 2024-02-03\n+++\n\n\xc8\xfd\xbb\xe1\xd2\xbb\xbf\xce\xd6\xc6\xb6\xc8\xa1\xa3\n";

#[test]
fn odd_inputs_bom_crlf_gbk_empty_huge_deeply_nested_and_script_injection_build_correctly() {
    let site = Site::copy("odd");
    site.write(
        "content/odd/bom.md",
        [
            &b"\xEF\xBB\xBF"[..],
            "+++\ntitle = \"带BOM的稿件\"\ndate = 2024-02-01\n+++\n\n# BOM 标题\n\nBOM 正文。\n".as_bytes(),
        ]
        .concat(),
    );
    site.write(
        "content/odd/crlf.md",
        "+++\r\ntitle = \"CRLF稿件\"\r\ndate = 2024-02-02\r\n+++\r\n\r\n第一段。\r\n\r\n- 项目一\r\n- 项目二\r\n",
    );
    site.write("content/odd/gbk.md", GBK_PAGE);
    site.write("content/odd/empty.md", "");
    let paragraph = format!("{}\n\n", "两学一做学习教育常态化制度化。".repeat(20));
    let huge = format!(
        "+++\ntitle = \"超长稿件\"\n+++\n\n{}END-OF-HUGE-PAGE\n",
        paragraph.repeat(2 * 1024 * 1024 / paragraph.len() + 1)
    );
    assert!(huge.len() > 2 * 1024 * 1024);
    site.write("content/odd/huge.md", &huge);
    site.write(
        "content/odd/quotes.md",
        format!("+++\ntitle = \"深层引用\"\n+++\n\n{}最深处的引用\n", "> ".repeat(10_000)),
    );
    site.write(
        "content/odd/lists.md",
        format!("+++\ntitle = \"深层列表\"\n+++\n\n{}最深处的列表\n", "- ".repeat(10_000)),
    );
    let injection = r#"+++
title = "注入测试"
+++

**正常加粗**和[正常链接](https://example.org/ok)。

<script>alert("xss")</script>

<img src="x.png" onerror="alert(1)">

[点我](javascript:alert(1))

<iframe src="http://evil.example/"></iframe>

<a href="javascript:alert(2)">原始链接</a>
"#;
    site.write("content/odd/inject.md", injection);

    let run = site.build(&[]);
    run.expect_code(0, "odd inputs build");
    assert_eq!(
        run.stderr,
        "content/odd/gbk.md: warning[encoding]: the file is not UTF-8; it was read as GB18030/GBK\n  = hint: save it as UTF-8 so every tool reads it the same way\n\
         content/odd/inject.md:9:1: warning[alt-text]: `<img>` has no alt attribute, so screen readers cannot say what it shows\n  = hint: add alt=\"…\" describing the picture, or alt=\"\" if it is only decoration\n\
         0 error(s), 2 warning(s)\n",
        "the GBK file and the image without alt text are warned about"
    );

    // UTF-8 BOM: front matter recognised, heading parsed.
    assert_eq!(
        site.output("odd/bom/index.html"),
        "page|带BOM的稿件|2024-02-01|6\n<h1 id=\"bom-标题\">BOM 标题</h1>\n<p>BOM 正文。</p>\n\n"
    );
    // CRLF: front matter and body parse, no stray \r.
    assert_eq!(
        site.output("odd/crlf/index.html"),
        "page|CRLF稿件|2024-02-02|9\n<p>第一段。</p>\n<ul>\n<li>项目一</li>\n<li>项目二</li>\n</ul>\n\n"
    );
    // GBK: read correctly, never mojibake.
    assert_eq!(
        site.output("odd/gbk/index.html"),
        "page|党建学习|2024-02-03|6\n<p>三会一课制度。</p>\n\n"
    );
    // Empty file: a page titled by its file name with no body.
    assert_eq!(site.output("odd/empty/index.html"), "page|empty||0\n\n");
    // 2 MB page: all of it rendered.
    let huge_html = site.output("odd/huge/index.html");
    assert!(huge_html.len() > 2 * 1024 * 1024, "huge page output is {} bytes", huge_html.len());
    assert!(huge_html.ends_with("<p>END-OF-HUGE-PAGE</p>\n\n"), "huge page rendered to its end");
    // 10,000 nested block quotes: all levels, innermost text kept.
    let quotes = site.output("odd/quotes/index.html");
    assert_eq!(count(&quotes, "<blockquote>"), 10_000);
    assert_eq!(count(&quotes, "</blockquote>"), 10_000);
    assert!(quotes.contains("最深处的引用"));
    // 10,000 nested list markers: comrak caps list nesting (as cmark does); the rest is text, and
    // nothing is lost or left unbalanced.
    let lists = site.output("odd/lists/index.html");
    assert!(count(&lists, "<ul>") >= 50, "lists are nested");
    assert_eq!(count(&lists, "<ul>"), count(&lists, "</ul>"));
    assert_eq!(count(&lists, "<li>"), count(&lists, "</li>"));
    assert!(lists.contains("最深处的列表"));

    // Script injection removed, normal Markdown kept.
    let inject = site.output("odd/inject/index.html");
    assert!(inject.contains("<strong>正常加粗</strong>"), "{inject}");
    assert!(inject.contains(r#"<a href="https://example.org/ok">正常链接</a>"#), "{inject}");
    assert!(
        inject.contains("<img src=\"x.png\">"),
        "the image stays, without its handler: {inject}"
    );
    assert!(inject.contains("点我") && inject.contains("原始链接"), "link texts stay: {inject}");
    for forbidden in ["<script", "alert(", "onerror", "javascript:", "<iframe", "evil.example"] {
        assert!(!inject.contains(forbidden), "`{forbidden}` must be removed:\n{inject}");
    }

    // CRLF files report the right line numbers.
    site.write(
        "content/odd/crlf-broken.md",
        "+++\r\ntitle = \"CRLF错误\"\r\n+++\r\n\r\n第一段。\r\n\r\n见[不存在的稿件](@/odd/nope.md)。\r\n",
    );
    let run = site.build(&[]);
    run.expect_code(1, "CRLF page with a broken link");
    assert_eq!(
        run.stderr,
        format!(
            "content/odd/crlf-broken.md:7:2: error[link]: `@/odd/nope.md` links to content/odd/nope.md, which does not exist\n  = hint: paths after @/ start in content/, e.g. @/study/some-page.md; check the spelling of the file name\ncontent/odd/gbk.md: warning[encoding]: the file is not UTF-8; it was read as GB18030/GBK\n  = hint: save it as UTF-8 so every tool reads it the same way\ncontent/odd/inject.md:9:1: warning[alt-text]: `<img>` has no alt attribute, so screen readers cannot say what it shows\n  = hint: add alt=\"…\" describing the picture, or alt=\"\" if it is only decoration\n1 error(s), 2 warning(s)\nbuild failed; the previous output in {} is unchanged\n",
            site.out.display()
        )
    );
    site.remove("content/odd/crlf-broken.md");

    // trusted_html = true keeps raw HTML as written.
    let config = read_text(&site.site.join("config.toml"));
    site.write("config.toml", format!("{config}trusted_html = true\n"));
    let run = site.build(&[]);
    run.expect_code(0, "trusted_html build");
    let inject = site.output("odd/inject/index.html");
    for kept in [
        "<script>alert(\"xss\")</script>",
        "<img src=\"x.png\" onerror=\"alert(1)\">",
        "<iframe src=\"http://evil.example/\"></iframe>",
        "<strong>正常加粗</strong>",
    ] {
        assert!(inject.contains(kept), "trusted_html keeps `{kept}`:\n{inject}");
    }
}

#[test]
fn base_url_with_sub_path_puts_every_link_under_it() {
    let (_tmp, out, run) = build_fixture("basic", &["--base-url", "http://host.local/party/"]);
    run.expect_code(0, "build with --base-url");
    assert!(
        out_text(&out, "news/alpha/index.html").starts_with("page|第一支部主题党日|2024-01-15|alpha|http://host.local/party/news/alpha/|"),
        "permalink under the sub-path"
    );
    let sitemap = out_text(&out, "sitemap.xml");
    assert!(sitemap.contains("<loc>http://host.local/party/news/alpha/</loc>"), "{sitemap}");
    assert!(sitemap.contains("<loc>http://host.local/party/</loc>"), "{sitemap}");
    let locs = count(&sitemap, "<loc>");
    assert_eq!(locs, 13);
    assert_eq!(
        count(&sitemap, "<loc>http://host.local/party/"),
        locs,
        "every loc under the sub-path:\n{sitemap}"
    );
    let links = out_text(&out, "study/links/index.html");
    assert!(links.contains(r#"href="http://host.local/party/news/activity/#photos""#), "{links}");
    assert!(out_text(&out, "news/index.html").contains("http://host.local/party/news/"));
    assert!(out_text(&out, "old/notice/index.html").contains(r#"url=http://host.local/party/news/my-slug/""#));
    let atom = out_text(&out, "atom.xml");
    assert!(atom.contains(r#"<link rel="self" type="application/atom+xml" href="http://host.local/party/atom.xml"/>"#));
    for (path, bytes) in snapshot(&out) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("test.local"), "{path} still names config's base_url:\n{text}");
    }

    // The example site with the default theme: every link, script, stylesheet and form target.
    let tmp = tempfile::Builder::new().prefix("dangjian-test-").tempdir().expect("temp dir");
    let out = tmp.path().join("public");
    build(&repo().join("site"), &out, &["--base-url", "http://host.local/party/"]).expect_code(0, "example site with --base-url");
    let mut checked = 0;
    for (path, bytes) in snapshot(&out) {
        if !path.ends_with(".html") && !path.ends_with(".xml") {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes);
        for attribute in ["href=\"", "src=\"", "action=\""] {
            for value in text.split(attribute).skip(1).map(|v| v.split('"').next().unwrap_or_default()) {
                if value.starts_with('#') || value.starts_with("mailto:") || value.starts_with("tel:") {
                    continue;
                }
                checked += 1;
                assert!(
                    value.starts_with("http://host.local/party/"),
                    "{path}: `{attribute}{value}\"` is not under http://host.local/party/"
                );
            }
        }
    }
    assert!(checked > 100, "only {checked} links checked");
}

/// A Markdown link to a site path (`/news/`) is written from the site's root, which under a
/// sub-path is the sub-path; relative links and other hosts are left as written.
#[test]
fn site_paths_in_markdown_follow_the_base_url() {
    let site = Site::copy("basic");
    site.write(
        "content/news/paths.md",
        "+++\ntitle = \"站内路径\"\ndate = 2024-04-21\n+++\n\n[动态](/news/?page=1#top)、[图](../alpha/)、[外站](http://example.intranet/x/)\n",
    );
    site.build(&["--base-url", "http://host.local/party/"])
        .expect_code(0, "build under a sub-path");
    let html = site.output("news/paths/index.html");
    for href in [
        r#"href="http://host.local/party/news/?page=1#top""#,
        r#"href="../alpha/""#,
        r#"href="http://example.intranet/x/""#,
    ] {
        assert!(html.contains(href), "{href} not in\n{html}");
    }
}

#[test]
fn failed_build_leaves_previous_output_byte_identical_and_no_temporary_folder() {
    let site = Site::copy("basic");
    site.build(&[]).expect_code(0, "first build");
    let before = snapshot(&site.out);
    assert!(before.len() > 20);

    site.write(
        "content/news/custom.md",
        "+++\ntitle = \"自定义网址\"\ndate = 2024-04-20\nslug = \"my-slug\n+++\n\n改坏了。\n",
    );
    let run = site.build(&[]);
    run.expect_code(1, "build with a broken page");
    assert!(
        run.stderr.ends_with(&format!(
            "build failed; the previous output in {} is unchanged\n",
            site.out.display()
        )),
        "{}",
        run.stderr
    );
    let after = snapshot(&site.out);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "same files and folders after the failed build"
    );
    for (path, bytes) in &before {
        assert!(after[path] == *bytes, "{path} changed after the failed build");
    }
    let leftovers: Vec<String> = fs::read_dir(site.tmp.path())
        .expect("read temp dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".public.tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary folders left next to the output: {leftovers:?}");
}

#[test]
fn init_creates_a_site_that_builds_and_refuses_a_non_empty_folder() {
    let tmp = tempfile::Builder::new().prefix("dangjian-test-").tempdir().expect("temp dir");
    let new = tmp.path().join("new");
    let run = dangjian([std::ffi::OsStr::new("init"), new.as_os_str()]);
    run.expect_code(0, "init into a new folder");
    assert!(new.join("config.toml").is_file() && new.join("content/_index.md").is_file());
    assert!(!new.join("public").exists(), "init does not copy a build output");

    let out = tmp.path().join("out");
    let run = build(&new, &out, &[]);
    run.expect_code(0, "build the new site");
    let pages: usize = run
        .stdout
        .strip_prefix("built ")
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no page count in {:?}", run.stdout));
    assert!(pages >= 36, "the new site has {pages} pages");
    assert!(out.join("index.html").is_file());

    let full = tmp.path().join("full");
    fs::create_dir(&full).expect("mkdir");
    fs::write(full.join("notes.txt"), "我的笔记\n").expect("write");
    let run = dangjian([std::ffi::OsStr::new("init"), full.as_os_str()]);
    run.expect_code(1, "init into a non-empty folder");
    assert!(run.stderr.contains("is not empty"), "{}", run.stderr);
    assert_eq!(files(&full), ["notes.txt"], "nothing written into the non-empty folder");
    assert_eq!(read_text(&full.join("notes.txt")), "我的笔记\n");
}

#[test]
fn example_site_builds_without_warnings() {
    let tmp = tempfile::Builder::new().prefix("dangjian-test-").tempdir().expect("temp dir");
    let out = tmp.path().join("public");
    let run = build(&repo().join("site"), &out, &[]);
    run.expect_code(0, "build site/");
    assert_eq!(run.stderr, "", "the example site has no warnings");
    assert!(run.stdout.starts_with("built "), "{}", run.stdout);
    assert!(out.join("index.html").is_file() && out.join("sitemap.xml").is_file());
}
