//! Topics (专题, issue 8): the terms of the `topics` taxonomy are landing pages with the banner and
//! introduction of data/topics.toml and the topic's pages from every section, newest first,
//! paginated; `/topics/` shows the topics as cards in the file's order; mistakes in the file and
//! pages naming topics it lacks are reported at their file and line.

mod common;

use common::{Site, fragments, html_text};

/// Every `<open…>…</close>` fragment of `html` whose opening tag starts with `open`, as text.
fn texts(html: &str, open: &str, close: &str) -> Vec<String> {
    fragments(html, open, close).into_iter().map(html_text).collect()
}

fn built() -> Site {
    let site = Site::copy("topics");
    let run = site.build(&[]);
    run.expect_code(0, "build the topics fixture");
    assert_eq!(run.stderr, "", "no warnings");
    site
}

#[test]
fn topics_list_shows_cards_in_the_order_of_the_file() {
    let site = built();
    let html = site.output("topics/index.html");
    assert_eq!(
        texts(&html, "<li class=\"topic-card\">", "</li>"),
        ["乙专题 没有横幅的专题。 共 1 篇", "甲专题 甲专题的一句话简介。 共 4 篇"]
    );
    assert!(html.contains(
        "<img class=\"topic-card-image\" src=\"http://test.local/images/topics/jia.svg\" alt=\"\" width=\"720\" height=\"240\">"
    ));
    assert_eq!(html.matches("topic-card-image").count(), 1, "乙专题 has no banner");
    assert!(
        html.contains("<a href=\"http://test.local/topics/yi-zhuan-ti/\">乙专题</a>"),
        "a slug from the name"
    );
}

#[test]
fn a_topic_page_has_its_banner_introduction_and_pages_from_every_section() {
    let site = built();
    let first = site.output("topics/jia/index.html");
    assert!(first.contains("<img class=\"home-banner-image\" src=\"http://test.local/images/topics/jia.svg\" alt=\"红色横幅\">"));
    assert!(first.contains("<h1 class=\"home-banner-title\">甲专题</h1>"));
    assert!(first.contains("<meta name=\"description\" content=\"甲专题的一句话简介。\">"));
    assert_eq!(
        texts(&first, "<div class=\"topic-intro", "</div>"),
        ["第一段介绍，写在两行里。 第二段介绍。"]
    );
    // Newest first across sections, two per page, each with its section.
    assert_eq!(
        texts(&first, "<li class=\"entry\">", "</li>"),
        [
            "甲专题最新动态 支部动态2026年6月1日 支部动态，用 YAML 写开头。",
            "甲乙两个专题的学习材料 学习资料2026年5月1日 学习材料。",
        ]
    );
    assert!(first.contains("专题文章<span class=\"term-count\">（共 4 篇，第 1 页）</span>"));
    let second = site.output("topics/jia/page/2/index.html");
    assert_eq!(
        texts(&second, "<li class=\"entry\">", "</li>"),
        [
            "甲专题支部动态 支部动态2026年4月1日 支部动态。",
            "甲专题学习材料一 学习资料2026年3月1日 学习材料。",
        ]
    );
    assert!(!second.contains("topic-intro"), "the introduction is on the first page only");
    // A topic without a banner.
    let plain = site.output("topics/yi-zhuan-ti/index.html");
    assert!(plain.contains("<div class=\"home-banner topic-banner topic-banner-plain\">"));
    assert!(!plain.contains("<img class=\"home-banner-image\""));
    // The feed, and the pages' links to their topics.
    let feed = site.output("topics/jia/atom.xml");
    common::check_well_formed_xml(&feed).unwrap();
    assert_eq!(feed.matches("<entry>").count(), 4);
    let page = site.output("study/s2/index.html");
    assert!(page.contains(
        "<p><span class=\"terms-label\">所属专题：</span><a class=\"term\" href=\"http://test.local/topics/jia/\">甲专题</a><a class=\"term\" href=\"http://test.local/topics/yi-zhuan-ti/\">乙专题</a></p>"
    ));
}

#[test]
fn mistakes_in_topics_are_reported_at_their_line() {
    let site = Site::copy("topics");
    let data = common::read_text(&site.site.join("data/topics.toml"));
    site.write(
        "data/topics.toml",
        format!("{data}\n[[topic]]\nname = \"丙专题\"\nimage = \"/images/topics/none.svg\"\n"),
    );
    site.write(
        "content/study/s3.md",
        "+++\ntitle = \"写错专题名称的材料\"\ndate = 2026-02-01\n[taxonomies]\ntopics = [\"甲专提\"]\n+++\n\n正文。\n",
    );
    let run = site.build(&[]);
    run.expect_code(1, "a missing banner is an error");
    assert_eq!(
        run.stderr,
        format!(
            "content/study/s3.md:5:12: warning[topic]: topic `甲专提` is not in data/topics.toml: its page has no banner or introduction\n  = hint: did you mean `甲专题`? Otherwise add the topic to data/topics.toml\n\
             data/topics.toml:20: warning[topic]: no page names the topic `丙专题`, so it gets no page\n  = hint: add it under [taxonomies] topics of the pages that belong to it, or remove it from the file\n\
             data/topics.toml:21: error[topic]: image `/images/topics/none.svg` is not a file under static/\n  = hint: put the banner in the site's static/ folder and write its path from there, like /images/topics/banner.jpg\n\
             1 error(s), 2 warning(s)\nbuild failed; the previous output in {} is unchanged\n",
            site.out.display()
        )
    );

    site.write("data/topics.toml", "[[topic]]\nname = \"甲专题\"\nintroduction = \"介绍\"\n");
    let run = site.build(&[]);
    run.expect_code(1, "an unknown key");
    assert!(
        run.stderr
            .starts_with("data/topics.toml:3:1: error[topic]: unknown field `introduction`, expected one of"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_topics_file_without_the_taxonomy_is_a_warning() {
    let site = Site::copy("topics");
    site.write("config.toml", "base_url = \"http://test.local\"\ntitle = \"专题测试\"\n");
    for page in ["study/s1.md", "study/s2.md", "news/n1.md", "news/n2.md"] {
        site.remove(&format!("content/{page}"));
    }
    let run = site.build(&[]);
    run.expect_code(0, "the file is not used");
    assert_eq!(
        run.stderr,
        "data/topics.toml: warning[topic]: config.toml declares no `topics` taxonomy, so this file is not used\n  = hint: add { name = \"topics\", title = \"专题\" } to taxonomies in config.toml\n0 error(s), 1 warning(s)\n"
    );
}
