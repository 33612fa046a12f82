//! The study plan (学习计划, issue 8): study materials with `[study] due, required` are listed on
//! `/study/plan/` by the month they are due, in an Atom feed, on the home page (本月应学) and in
//! each material's metadata block; mistakes are reported at their file and line.
//!
//! Builds tests/fixtures/study_plan with a fixed build date, through the library (`now` cannot be
//! set on the command line), and copies of it with mistakes through the binary.

mod common;

use common::{Site, build_on, fragments, html_text as text};

/// The plan page as (class of the month, its heading, the text of each material).
fn plan_months(html: &str) -> Vec<(String, String, Vec<String>)> {
    fragments(html, "<section class=\"plan-month", "</section>")
        .into_iter()
        .map(|month| {
            let class = month["<section class=\"".len()..].split('"').next().unwrap().to_string();
            let heading = text(fragments(month, "<h2", "</h2>")[0]);
            let entries = fragments(month, "<li class=\"plan-entry", "</li>").into_iter().map(text).collect();
            (class, heading, entries)
        })
        .collect()
}

#[test]
fn the_plan_lists_materials_by_the_month_they_are_due() {
    let site = Site::copy("study_plan");
    build_on(&site, (2026, 11, 27));
    let html = site.output("study/plan/index.html");
    assert_eq!(
        plan_months(&html),
        [
            (
                "plan-month plan-past".to_string(),
                "2026年1月已截止".to_string(),
                vec![
                    "一月选学材料 选学完成时限：2026年1月15日（已到期）局机关党委".to_string(),
                    "一月必学材料 必学完成时限：2026年1月31日（已到期）清环党〔2026〕1号".to_string(),
                ]
            ),
            (
                "plan-month plan-current".to_string(),
                "2026年11月本月".to_string(),
                vec![
                    "十一月初的必学辅导 必学完成时限：2026年11月3日（已到期）".to_string(),
                    "十一月必学材料 必学完成时限：2026年11月30日".to_string(),
                ]
            ),
            (
                "plan-month".to_string(),
                "2027年2月".to_string(),
                vec!["明年二月必学材料 必学完成时限：2027年2月1日".to_string()]
            ),
            (
                "plan-month plan-ongoing".to_string(),
                "长期学习".to_string(),
                vec!["长期选学材料 选学".to_string()]
            ),
        ]
    );
    assert!(
        html.contains("共 6 篇，其中必学 4 篇、选学 2 篇。统计截至<time datetime=\"2026-11-27\">2026年11月27日</time>。"),
        "{html}"
    );
    assert!(!html.contains("不在计划中的材料"), "a page without [study] is not in the plan");
    assert!(html.contains("<a class=\"plan-jump\" href=\"#plan-2026-11\">跳到本月及以后</a>"));
    assert!(
        html.contains("<li aria-current=\"page\">学习计划</li>"),
        "breadcrumbs end with the plan"
    );
    assert!(html.contains(
        "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"学习计划 - 学习计划测试\" href=\"http://test.local/study/plan/atom.xml\">"
    ));
    // The section of the plan links to it; the sitemap lists it.
    assert!(
        site.output("study/index.html")
            .contains("<a href=\"http://test.local/study/plan/\">学习计划</a>：按月查看")
    );
    assert!(!site.output("news/index.html").contains("section-plan-link"));
    assert!(site.output("sitemap.xml").contains("<loc>http://test.local/study/plan/</loc>"));

    // A month later November is past and nothing is due in December.
    build_on(&site, (2026, 12, 5));
    let months = plan_months(&site.output("study/plan/index.html"));
    assert_eq!(months[1].0, "plan-month plan-past");
    assert_eq!(months[1].1, "2026年11月已截止");
    assert!(
        site.output("study/plan/index.html")
            .contains("href=\"#plan-2027-02\">跳到本月及以后</a>")
    );
    let home = site.output("index.html");
    assert!(home.contains("<p class=\"empty\">2026年12月没有到期的学习材料。</p>"), "{home}");
}

#[test]
fn the_home_page_shows_what_is_due_this_month() {
    let site = Site::copy("study_plan");
    build_on(&site, (2026, 11, 27));
    let home = site.output("index.html");
    let panel = fragments(&home, "<section class=\"home-plan\"", "</section>");
    assert_eq!(panel.len(), 1, "{home}");
    assert_eq!(
        text(panel[0]),
        "本月应学 查看学习计划 » 2026年11月应完成学习 2 篇，其中必学 2 篇。 \
         十一月初的必学辅导 必学 2026年11月3日前 十一月必学材料 必学 2026年11月30日前"
    );
    assert!(panel[0].contains("<a href=\"http://test.local/study/sub/f/\">十一月初的必学辅导</a>"));
}

#[test]
fn study_pages_show_source_document_number_issuer_and_their_plan_entry() {
    let site = Site::copy("study_plan");
    build_on(&site, (2026, 11, 27));
    let info = |page: &str| {
        let html = site.output(page);
        fragments(&html, "<dl class=\"doc-info\">", "</dl>")
            .into_iter()
            .map(text)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        info("study/a/index.html"),
        ["发文机关中共清河市生态环境局委员会 文号清环党〔2026〕1号 出处局党委办公室 学习要求必学，2026年1月31日前完成（查看学习计划）"]
    );
    assert_eq!(info("study/e/index.html"), ["学习要求选学，长期学习，不设完成时限（查看学习计划）"]);
    assert_eq!(info("study/no-plan/index.html"), ["发文机关机关第一党支部"]);
    assert!(
        site.output("study/a/index.html")
            .contains("（<a href=\"http://test.local/study/plan/\">查看学习计划</a>）")
    );
}

#[test]
fn the_plan_feed_is_atom_with_every_material() {
    let site = Site::copy("study_plan");
    build_on(&site, (2026, 11, 27));
    let xml = site.output("study/plan/atom.xml");
    common::check_well_formed_xml(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let feed = doc.root_element();
    assert_eq!(feed.tag_name().namespace(), Some("http://www.w3.org/2005/Atom"));
    let child = |node: roxmltree::Node<'_, '_>, name: &str| {
        node.children()
            .find(|n| n.has_tag_name(name))
            .and_then(|n| n.text())
            .map(str::to_string)
    };
    assert_eq!(child(feed, "title").as_deref(), Some("学习计划 - 学习计划测试"));
    assert_eq!(child(feed, "id").as_deref(), Some("http://test.local/study/plan/atom.xml"));
    let entries: Vec<(String, String, String)> = feed
        .children()
        .filter(|n| n.has_tag_name("entry"))
        .map(|entry| {
            let category = entry
                .children()
                .find(|n| n.has_tag_name("category"))
                .and_then(|n| n.attribute("term"))
                .unwrap();
            (
                child(entry, "title").unwrap(),
                category.to_string(),
                child(entry, "summary").unwrap(),
            )
        })
        .collect();
    let entry = |title: &str, category: &str, summary: &str| (title.to_string(), category.to_string(), summary.to_string());
    // Latest due date first, materials without one last.
    assert_eq!(
        entries,
        [
            entry("明年二月必学材料", "必学", "必学：2027年2月1日前完成学习。"),
            entry("十一月必学材料", "必学", "必学：2026年11月30日前完成学习。"),
            entry("十一月初的必学辅导", "必学", "必学：2026年11月3日前完成学习。"),
            entry("一月必学材料", "必学", "必学：2026年1月31日前完成学习。"),
            entry("一月选学材料", "选学", "选学：2026年1月15日前完成学习。"),
            entry("长期选学材料", "选学", "选学：长期学习，不设完成时限。"),
        ]
    );
}

#[test]
fn the_plan_template_can_be_replaced_by_the_site() {
    let site = Site::copy("study_plan");
    site.write(
        "templates/study_plan.html",
        "{% for m in plan.months %}{{ m.key }}{% if m.past %}(past){% endif %}:{% for e in m.entries %}{{ e.page.slug }}{{ e.label }}{% if e.overdue %}!{% endif %},{% endfor %};{% endfor %}ongoing:{% for e in plan.ongoing %}{{ e.page.slug }},{% endfor %}",
    );
    build_on(&site, (2026, 11, 27));
    assert_eq!(
        site.output("study/plan/index.html"),
        "2026-01(past):b选学!,a必学!,;2026-11:f必学!,c必学,;2027-02:d必学,;ongoing:e,"
    );
}

#[test]
fn mistakes_in_study_tables_are_reported_at_their_line() {
    let site = Site::copy("study_plan");
    site.write(
        "content/news/y.md",
        "+++\ntitle = \"误加学习计划的动态\"\ndate = 2026-11-03\n[study]\ndue = 2026-12-31\n+++\n\n正文。\n",
    );
    site.write(
        "content/study/late.md",
        "+++\ntitle = \"完成时限早于发布日期\"\ndate = 2026-11-20\n[study]\nrequired = true\ndue = 2026-10-31\n+++\n\n正文。\n",
    );
    site.write(
        "content/study/bad.md",
        "+++\ntitle = \"时限写错\"\n[study]\ndue = \"下月底\"\n+++\n\n正文。\n",
    );
    let run = site.build(&[]);
    run.expect_code(1, "[study] mistakes");
    assert_eq!(
        run.stderr,
        format!(
            "content/news/y.md:4:1: error[study]: `[study]` puts a page in the study plan of content/study/, but this page is in content/news/\n  = hint: the study plan lists the materials of one section: move the page into content/study/, or remove its [study] table\n\
             content/study/bad.md:4:1: error[front-matter]: `study.due`: `下月底` is not a date; write it like 2022-01-18 or 2022-01-18T09:30:00\n  = hint: check the value's type: text needs quotes, lists are written [\"a\", \"b\"], dates 2022-01-18\n\
             content/study/late.md:6:1: warning[study]: the material is due on 2026-10-31, before its own date 2026-11-20\n  = hint: check the year and month of `due` under [study]\n\
             2 error(s), 1 warning(s)\nbuild failed; the previous output in {} is unchanged\n",
            site.out.display()
        )
    );
}

#[test]
fn a_site_without_study_tables_has_no_plan() {
    let site = Site::copy("study_plan");
    for page in ["a", "b", "c", "d", "e", "sub/f"] {
        site.remove(&format!("content/study/{page}.md"));
    }
    build_on(&site, (2026, 11, 27));
    assert!(!site.out.join("study/plan").exists());
    assert!(!site.output("index.html").contains("本月应学"));
    assert!(!site.output("study/index.html").contains("section-plan-link"));
}
