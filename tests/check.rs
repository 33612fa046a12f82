//! `dangjian check`: every problem of a site, grouped by file, as text or JSON, without writing
//! anything; and the `anchor` rule, which `build` applies too.

mod common;

use common::{Site, dangjian};

fn site_with_problems() -> Site {
    let site = Site::copy("errors");
    site.write(
        "content/news/anchors.md",
        "+++\ntitle = \"锚点\"\ndate = 2024-05-20\n+++\n\n## 二、基本要求\n\n见[要求](#二基本要求)和[不存在](#不存在)。\n\n另见[会议](@/news/ok.md#没有这节)。\n",
    );
    let (gbk, _, _) = encoding_rs::GBK.encode("+++\ntitle = \"旧文件\"\ndate = 2024-05-21\n+++\n\n正文。\n");
    site.write("content/news/gbk.md", gbk.as_ref());
    site
}

const EXPECTED: &str = "content/news/anchors.md:8:15: error[anchor]: `#不存在` names no heading or id `不存在` in content/news/anchors.md
  = hint: heading ids keep Chinese characters and drop punctuation: `## 二、基本要求` is #二基本要求
content/news/anchors.md:10:3: error[anchor]: `@/news/ok.md#没有这节` names no heading or id `没有这节` in content/news/ok.md
  = hint: heading ids keep Chinese characters and drop punctuation: `## 二、基本要求` is #二基本要求

content/news/gbk.md: warning[encoding]: the file is not UTF-8; it was read as GB18030/GBK
  = hint: save it as UTF-8 so every tool reads it the same way

2 error(s), 1 warning(s) in 2 file(s)
";

#[test]
fn check_reports_every_problem_grouped_by_file() {
    let site = site_with_problems();
    let run = dangjian(["check", "--site", site.site.to_str().unwrap()]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(run.stdout, EXPECTED);
    assert!(!site.site.join("public").exists(), "check must not write the site");
}

#[test]
fn check_as_json() {
    let site = site_with_problems();
    let run = dangjian(["check", "--site", site.site.to_str().unwrap(), "--format", "json"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    let found: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON output");
    assert_eq!(found.as_array().map(Vec::len), Some(3));
    assert_eq!(
        found[0],
        serde_json::json!({
            "file": "content/news/anchors.md", "line": 8, "column": 15, "severity": "error", "rule": "anchor",
            "message": "`#不存在` names no heading or id `不存在` in content/news/anchors.md",
            "suggestion": "heading ids keep Chinese characters and drop punctuation: `## 二、基本要求` is #二基本要求"
        })
    );
    assert_eq!(found[2]["severity"], "warning");
    assert_eq!(found[2]["line"], 0);
}

#[test]
fn build_fails_on_a_broken_anchor_and_check_passes_a_clean_site() {
    let site = site_with_problems();
    let run = site.build(&[]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("error[anchor]"), "{}", run.stderr);
    let clean = Site::copy("errors");
    let run = dangjian(["check", "--site", clean.site.to_str().unwrap()]);
    assert_eq!((run.code, run.stdout.as_str()), (Some(0), "no problems found\n"));
}

#[test]
fn anchors_may_name_ids_the_theme_adds() {
    let site = Site::copy("errors");
    site.write(
        "templates/page.html",
        "<h1>{{ page.title }}</h1>\n<section id=\"gallery\">{{ page.content | safe }}</section>\n",
    );
    site.write(
        "content/news/link.md",
        "+++\ntitle = \"链接\"\ndate = 2024-05-20\n+++\n\n见[照片](@/news/ok.md#gallery)。\n",
    );
    let run = dangjian(["check", "--site", site.site.to_str().unwrap()]);
    assert_eq!((run.code, run.stdout.as_str()), (Some(0), "no problems found\n"), "{}", run.stderr);
}

/// Rule `link` beyond `@/`: relative `.md` links, site paths, images and attachments, checked
/// against what the site will have; links that are fine are rewritten or left alone.
#[test]
fn links_to_missing_pages_images_and_files_are_errors_and_good_ones_work() {
    let site = Site::copy("basic");
    site.write(
        "content/news/links.md",
        "+++\ntitle = \"链接\"\ndate = 2024-05-20\n+++\n\n\
         见[相对](../study/nope.md)、[站内](/study/nope/)、[附件](/files/nope.pdf)。\n\n\
         ![缺图](missing.jpg)\n\n\
         好的：[规章](../study/rules.md)、[栏目](/news/)、[栏目无斜杠](/study)、[文件](/files/hello.txt)、\
         [邮件](mailto:dangban@example.cn)、[查询](?q=1)。\n",
    );
    let bundle = std::fs::read_to_string(site.site.join("content/news/2024-03-01-activity/index.md")).unwrap();
    site.write(
        "content/news/2024-03-01-activity/index.md",
        format!("{bundle}\n![合影](photo.jpg) [报告](report.pdf) [上一级的稿件](../links.md)\n"),
    );
    let run = dangjian(["check", "--site", site.site.to_str().unwrap()]);
    assert_eq!(run.code, Some(1), "{run:?}");
    let links: Vec<&str> = run.stdout.lines().filter(|l| l.contains("error[link]")).collect();
    assert_eq!(
        links,
        [
            "content/news/links.md:6:2: error[link]: `../study/nope.md` links to content/study/nope.md, which does not exist",
            "content/news/links.md:6:25: error[link]: `/study/nope/` points to /study/nope/, which the site does not have",
            "content/news/links.md:6:44: error[link]: `/files/nope.pdf` points to /files/nope.pdf, which the site does not have",
            "content/news/links.md:8:1: error[link]: `missing.jpg` points to /news/links/missing.jpg, which the site does not have",
        ]
    );
    // Without the broken links the site builds, and a relative .md link becomes the page's URL.
    site.write(
        "content/news/links.md",
        "+++\ntitle = \"链接\"\ndate = 2024-05-20\n+++\n\n好的：[规章](../study/rules.md)、[栏目](/news/)、[文件](/files/hello.txt)。\n",
    );
    site.build(&[]).expect_code(0, "build with good links");
    let page = site.output("news/links/index.html");
    assert!(site.out.join("study/rules/index.html").exists(), "the linked page exists");
    assert!(
        page.contains("/study/rules/\""),
        "the .md link is rewritten to the page's address: {page}"
    );
}
