//! Notices (通知公告, issue 8): a page with `expires = DATE` is expired once that day is over (or,
//! with a time, once it has passed). Expired pages leave the home page, section lists and their
//! pagination, term pages and every feed, but are still built, reachable by their address and
//! marked 已过期; the build summary says how many expired; `page.expired` tells templates.
//!
//! Builds tests/fixtures/notices with fixed build dates, through the library.

mod common;

use common::{Site, build_on};

/// Titles of the links of the lists (`class="entry-list"` / `latest-list`) on an HTML page.
fn listed(html: &str, list_class: &str) -> Vec<String> {
    let Some(start) = html.find(&format!("<ul class=\"{list_class}\">")) else {
        return Vec::new();
    };
    let list = &html[start..start + html[start..].find("</ul>").unwrap()];
    list.split("<a href=\"")
        .skip(1)
        .map(|a| a[a.find('>').unwrap() + 1..a.find("</a>").unwrap()].to_string())
        .collect()
}

/// Entry titles of an Atom feed.
fn feed_titles(xml: &str) -> Vec<String> {
    common::check_well_formed_xml(xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let doc = roxmltree::Document::parse(xml).unwrap();
    doc.root_element()
        .children()
        .filter(|n| n.has_tag_name("entry"))
        .map(|e| e.children().find(|n| n.has_tag_name("title")).unwrap().text().unwrap().to_string())
        .collect()
}

#[test]
fn expired_notices_leave_lists_and_feeds_but_stay_reachable() {
    let site = Site::copy("notices");
    let summary = build_on(&site, (2026, 11, 27));
    assert_eq!(
        summary.counts.expired, 2,
        "the one that ended in March and the one that ended at nine this morning"
    );
    let line = summary.line();
    assert!(line.starts_with("built 5 pages and 2 sections into "), "{line}");
    assert!(
        line.contains(" files, 0 drafts and 0 scheduled pages left out; 2 expired notices kept off the lists) in "),
        "{line}"
    );

    // Lists, pagination, the home page and feeds show the three current notices only.
    assert_eq!(
        listed(&site.output("notices/index.html"), "entry-list"),
        ["年底到期的通知", "今天到期的通知"]
    );
    assert_eq!(listed(&site.output("notices/page/2/index.html"), "entry-list"), ["长期有效的公告"]);
    assert!(!site.out.join("notices/page/3").exists());
    assert_eq!(
        listed(&site.output("index.html"), "latest-list"),
        ["年底到期的通知", "今天到期的通知", "长期有效的公告"]
    );
    assert_eq!(
        feed_titles(&site.output("notices/atom.xml")),
        ["年底到期的通知", "今天到期的通知", "长期有效的公告"]
    );
    assert_eq!(
        feed_titles(&site.output("atom.xml")),
        ["年底到期的通知", "今天到期的通知", "长期有效的公告"]
    );
    // The expired page's tag still has its page (the page links to it), without the expired page.
    assert_eq!(listed(&site.output("tags/dang-fei/index.html"), "entry-list"), ["年底到期的通知"]);
    assert_eq!(feed_titles(&site.output("tags/dang-fei/atom.xml")), ["年底到期的通知"]);
    assert!(
        site.output("tags/index.html")
            .contains("党费</a> <span class=\"term-count\">（1 篇）</span>")
    );

    // Still built and reachable, and it says so.
    let old = site.output("notices/old/index.html");
    assert!(old.contains("<title>【已过期】三月底到期的通知 - 通知测试</title>"), "{old}");
    assert!(
        old.contains("<p class=\"expired-note\"><strong class=\"expired-mark\">已过期</strong>本文有效期至<time datetime=\"2026-03-31\">2026年3月31日</time>，现已过期，内容仅供查阅。</p>"),
        "{old}"
    );
    assert!(old.contains("<a class=\"term\" href=\"http://test.local/tags/dang-fei/\">党费</a>"));
    assert!(
        !old.contains("class=\"prev-next\""),
        "an expired notice is in no list, so it has no neighbours"
    );
    assert!(site.output("sitemap.xml").contains("<loc>http://test.local/notices/old/</loc>"));
    assert!(site.out.join("notices/timed/index.html").is_file());

    // Current notices say until when they hold, on the page and in lists.
    let current = site.output("notices/current/index.html");
    assert!(current.contains("<span class=\"meta-item\">有效期至：<time datetime=\"2026-12-31\">2026年12月31日</time></span>"));
    assert!(!current.contains("expired-note"));
    assert!(
        site.output("notices/index.html")
            .contains("<span class=\"entry-expires\">有效期至<time datetime=\"2026-12-31\">2026年12月31日</time></span>")
    );
    // Its older neighbour is the next current notice, not the expired one dated between them.
    assert!(current.contains("rel=\"prev\">今天到期的通知</a>"), "{current}");
}

#[test]
fn a_notice_without_a_time_holds_for_all_of_its_last_day() {
    let site = Site::copy("notices");
    assert_eq!(build_on(&site, (2026, 11, 28)).counts.expired, 3);
    assert_eq!(
        listed(&site.output("notices/index.html"), "entry-list"),
        ["年底到期的通知", "长期有效的公告"]
    );
    assert!(
        site.output("notices/last-day/index.html")
            .contains("<strong class=\"expired-mark\">已过期</strong>")
    );
}

#[test]
fn the_summary_says_nothing_about_expiry_when_nothing_expired() {
    let site = Site::copy("notices");
    let summary = build_on(&site, (2026, 1, 10));
    assert_eq!(summary.counts.expired, 0);
    let line = summary.line();
    assert!(line.starts_with("built 1 pages and 2 sections into "), "{line}");
    assert!(line.contains(" files, 0 drafts and 4 scheduled pages left out) in "), "{line}");
}

#[test]
fn templates_see_whether_a_page_expired() {
    let site = Site::copy("notices");
    site.write("templates/page.html", "{{ page.title }}|{{ page.expires }}|{{ page.expired }}");
    build_on(&site, (2026, 11, 27));
    assert_eq!(site.output("notices/old/index.html"), "三月底到期的通知|2026-03-31|true");
    assert_eq!(
        site.output("notices/timed/index.html"),
        "今天上午九点截止的通知|2026-11-27T09:00:00|true"
    );
    assert_eq!(site.output("notices/last-day/index.html"), "今天到期的通知|2026-11-27|false");
    assert_eq!(site.output("notices/permanent/index.html"), "长期有效的公告||false");
}

#[test]
fn an_expiry_before_the_notice_date_is_a_warning_and_a_wrong_date_an_error() {
    let site = Site::copy("notices");
    site.write(
        "content/notices/typo.md",
        "+++\ntitle = \"有效期写错年份\"\ndate = 2020-11-10\nexpires = 2019-12-31\n+++\n\n正文。\n",
    );
    let run = site.build(&[]);
    run.expect_code(0, "a warning does not stop the build");
    assert_eq!(
        run.stderr,
        "content/notices/typo.md:4:1: warning[expires]: the page expires on 2019-12-31, before its own date 2020-11-10, so no list ever shows it\n  = hint: check the year and month of `expires`\n0 error(s), 1 warning(s)\n"
    );
    site.write(
        "content/notices/bad.md",
        "+++\ntitle = \"有效期不是日期\"\nexpires = \"年底\"\n+++\n\n正文。\n",
    );
    let run = site.build(&[]);
    run.expect_code(1, "expires is not a date");
    assert!(
        run.stderr.starts_with(
            "content/notices/bad.md:3:1: error[front-matter]: `expires`: `年底` is not a date; write it like 2022-01-18 or 2022-01-18T09:30:00\n"
        ),
        "{}",
        run.stderr
    );
}
