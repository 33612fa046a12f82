//! `dangjian new SECTION TITLE` with archetypes (issue 8), on tests/fixtures/new_archetypes:
//!
//! - where the archetype comes from: the site's `archetypes/<section>.md`, the theme's, then
//!   `default.md` in the site and in the theme (the embedded default theme has one), then none;
//! - placeholders, `--branch`/`--meeting`, the `[review]` block, refusing to overwrite;
//! - a broken archetype is an error at its file and line, and nothing is written;
//! - the example site's archetypes make pages that build, and `init` copies them.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{Run, Site, dangjian, read_text, repo};

fn new(site: &Site, args: &[&str]) -> Run {
    let site_arg = site.site.to_string_lossy().into_owned();
    let mut all = vec!["new"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--site", &site_arg]);
    dangjian(all)
}

/// Runs `new` and returns the text of the page it says it created.
fn created(site: &Site, args: &[&str]) -> String {
    let run = new(site, args);
    run.expect_code(0, &format!("new {args:?}"));
    read_text(&created_path(&run))
}

fn created_path(run: &Run) -> PathBuf {
    let rest = run.stdout.strip_prefix("created ").unwrap_or_else(|| panic!("{}", run.stdout));
    PathBuf::from(rest.split(" (a draft").next().unwrap())
}

fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

#[test]
fn a_site_archetype_fills_its_placeholders() {
    let site = Site::copy("new_archetypes");
    let run = new(&site, &["study", "学习“两会”精神"]);
    run.expect_code(0, "new study");
    let path = site.site.join("content/study/xue-xi-liang-hui-jing-shen.md");
    assert_eq!(
        run.stdout,
        format!("created {} (a draft: remove `draft = true` to publish it)\n", path.display())
    );
    assert_eq!(
        read_text(&path),
        format!(
            "+++\ntitle = \"学习“两会”精神\"\ndate = {}\ndraft = true\ndescription = \"学习“两会”精神：学习要点\"\nsource = \"\"\n\n[taxonomies]\ntags = [\"理论学习\"]\n\n[study]\nrequired = true\n+++\n\n# 学习“两会”精神\n\n（study 栏目的学习资料，请写明出处。）\n\n{{{{ figure(src=\"tu.jpg\", alt=\"示意图\") }}}}\n",
            today()
        )
    );
    // A title with TOML's own quote and backslash stays one string.
    let text = created(&site, &["study", "“三会一课\"制度\\要点"]);
    assert!(text.starts_with("+++\ntitle = '“三会一课\"制度\\要点'\n"), "{text}");
}

#[test]
fn the_archetype_is_the_sites_then_the_themes_then_a_default() {
    let site = Site::copy("new_archetypes");
    let config = read_text(&site.site.join("config.toml"));
    site.write("config.toml", format!("theme = \"mine\"\n{config}"));
    let archetype = |marker: &str| format!("+++\ntitle = \"{{{{ title }}}}\"\ndescription = \"{marker}\"\n+++\n\n{marker}正文\n");
    site.write("archetypes/news.md", archetype("站点栏目"));
    site.write("themes/mine/archetypes/news.md", archetype("主题栏目"));
    site.write("archetypes/default.md", archetype("站点默认"));
    site.write("themes/mine/archetypes/default.md", archetype("主题默认"));
    let description = |text: &str| text.lines().find(|l| l.starts_with("description")).map(str::to_string);

    let text = created(&site, &["news", "甲"]);
    assert_eq!(description(&text).as_deref(), Some("description = \"站点栏目\""), "{text}");
    // The section's own archetype is used as it is: no keys from the section's pages.
    assert!(!text.contains("[taxonomies]"), "{text}");

    site.remove("archetypes/news.md");
    let text = created(&site, &["news", "乙"]);
    assert_eq!(description(&text).as_deref(), Some("description = \"主题栏目\""), "{text}");

    // A default archetype gets the keys of the section's newest page, blank.
    site.remove("themes/mine/archetypes/news.md");
    assert_eq!(
        created(&site, &["news", "丙"]),
        format!(
            "+++\ntitle = \"丙\"\ndate = {}\ndraft = true\ndescription = \"站点默认\"\n\n[taxonomies]\nbranches = []\ntags = []\n\n[extra]\nauthor = \"\"\n+++\n\n站点默认正文\n",
            today()
        )
    );

    site.remove("archetypes/default.md");
    let text = created(&site, &["news", "丁"]);
    assert_eq!(description(&text).as_deref(), Some("description = \"主题默认\""), "{text}");
    assert!(text.contains("[extra]\nauthor = \"\"\n"), "{text}");

    // No archetype at all: the newest page's keys, blank, as before archetypes existed.
    site.remove("themes/mine/archetypes/default.md");
    assert_eq!(
        created(&site, &["news", "戊"]),
        format!(
            "+++\ntitle = \"戊\"\ndate = {}\ndraft = true\n\n[taxonomies]\nbranches = []\ntags = []\n\n[extra]\nauthor = \"\"\n+++\n\n在这里写正文。写完后删除上面的 `draft = true`，稿件才会发布。\n",
            today()
        )
    );
}

#[test]
fn the_embedded_default_theme_has_a_default_archetype() {
    let file = dangjian::embedded::DefaultTheme::get("archetypes/default.md").expect("themes/default/archetypes/default.md is embedded");
    assert_eq!(
        std::str::from_utf8(&file.data).unwrap(),
        read_text(&repo().join("themes/default/archetypes/default.md"))
    );
    let site = Site::copy("new_archetypes");
    assert_eq!(
        created(&site, &["news", "支部活动"]),
        format!(
            "+++\ntitle = \"支部活动\"\ndate = {}\ndraft = true\n\n[taxonomies]\nbranches = []\ntags = []\n\n[extra]\nauthor = \"\"\n+++\n\n在这里写正文。写完后删除上面的 `draft = true`，稿件才会发布。\n",
            today()
        )
    );
}

#[test]
fn branch_and_meeting_fill_the_archetype() {
    let site = Site::copy("new_archetypes");
    site.write(
        "archetypes/news.md",
        "+++\ntitle = \"{{ title }}\"\n[taxonomies]\nbranches = [\"{{ branch }}\"]\ntags = [\"{{ meeting }}\"]\n[meeting]\nkind = \"主题党日\"\ntopic = \"{{ title }}\"\n+++\n\n{{ branch }}召开{{ meeting }}。\n",
    );
    assert_eq!(
        created(&site, &["news", "讲党课", "--meeting", "党课", "--branch", "di-yi"]),
        format!(
            "+++\ntitle = \"讲党课\"\ndate = {}\ndraft = true\n\n[taxonomies]\nbranches = [\"第一党支部\"]\ntags = [\"党课\"]\n\n[meeting]\nkind = \"党课\"\nattendees = 0\nabsent = 0\ntopic = \"讲党课\"\n+++\n\n第一党支部召开党课。\n\n会议记录：请在上面的 [meeting] 中填写出席人数（attendees）、缺席人数（absent，含请假）和会议主题（topic）；会议日期默认为稿件日期，另有日期时写 date = 2025-03-18。\n",
            today()
        )
    );
    // A wrong branch is refused before anything is written.
    let run = new(&site, &["news", "讲党课二", "--branch", "di-san"]);
    run.expect_code(1, "unknown branch");
    assert!(
        run.stderr.starts_with("error: there is no branch `di-san` in data/branches.toml"),
        "{}",
        run.stderr
    );
    assert!(!site.site.join("content/news/jiang-dang-ke-er.md").exists());
}

#[test]
fn a_broken_archetype_is_an_error_at_its_line_and_nothing_is_written() {
    let site = Site::copy("new_archetypes");
    let cases = [
        (
            "+++\ntitle = \"{{ title }}\"\ndate = {{ date }}\nweight = \"{{ title }}\"\n+++\n",
            "error: archetypes/study.md:4:1: error[front-matter]: `weight`: invalid type: string \"甲\", expected i64\n  = hint: check the value's type: text needs quotes, lists are written [\"a\", \"b\"], dates 2022-01-18\n",
        ),
        (
            "+++\ntitle = \"{{ title }}\"\n+++\n\n报送单位：{{ unit }}\n",
            "error: archetypes/study.md:5:6: error[archetype]: unknown placeholder `{{ unit }}`\n  = hint: an archetype can use {{ title }}, {{ date }}, {{ date_next_month }}, {{ section }}, {{ branch }}, {{ meeting }}\n",
        ),
        (
            "---\ntitle: \"{{ title }}\"\n---\n",
            "error: archetypes/study.md:1:1: error[archetype]: an archetype's front matter must be TOML between `+++` lines\n  = hint: write the front matter between two lines `+++`, as key = \"value\"\n",
        ),
        (
            "+++\ntitle = \"{{ title }}\"\n\n正文\n",
            "error: archetypes/study.md:1:1: error[front-matter]: front matter opened with `+++` on line 1 is never closed\n  = hint: add a line with only `+++` after the last front matter line\n",
        ),
    ];
    for (archetype, expected) in cases {
        site.write("archetypes/study.md", archetype);
        let run = new(&site, &["study", "甲"]);
        run.expect_code(1, archetype);
        assert_eq!(run.stderr, expected, "{archetype}");
        assert!(
            !site.site.join("content/study/jia.md").exists(),
            "nothing is written for {archetype}"
        );
    }
    // An unquoted text placeholder breaks the TOML on its line.
    site.write("archetypes/study.md", "+++\ndate = {{ date }}\ntitle = {{ title }}\n+++\n");
    let run = new(&site, &["study", "甲"]);
    run.expect_code(1, "unquoted title");
    assert!(run.stderr.starts_with("error: archetypes/study.md:3:"), "{}", run.stderr);
}

#[test]
fn an_existing_page_is_never_replaced() {
    let site = Site::copy("new_archetypes");
    let path = created_path(new(&site, &["study", "学习体会"]).expect_code(0, "first"));
    let first = read_text(&path);
    site.write("archetypes/study.md", "+++\ntitle = \"{{ title }}\"\n+++\n\n另一种写法\n");
    let run = new(&site, &["study", "学习体会"]);
    run.expect_code(1, "second");
    assert_eq!(
        run.stderr,
        format!("error: {} already exists; choose another title\n", path.display())
    );
    assert_eq!(read_text(&path), first);
}

#[test]
fn review_block_when_review_is_required() {
    let site = Site::copy("new_archetypes");
    let config = read_text(&site.site.join("config.toml"));
    site.write("config.toml", format!("{config}\n[review]\nrequired = true\n"));
    let text = created(&site, &["study", "党章学习"]);
    assert!(
        text.contains("[study]\nrequired = true\n\n[review]\nfirst = \"\"\nsecond = \"\"\nfinal = \"\"\n+++\n"),
        "{text}"
    );
    assert!(
        text.ends_with("示意图\") }}\n\n发布前请在 [review] 中填写初审（first）、复审（second）、终审（final）人员姓名。\n"),
        "{text}"
    );
    // An archetype that names its reviewers keeps them.
    site.write(
        "archetypes/study.md",
        "+++\ntitle = \"{{ title }}\"\n[review]\nfirst = \"王红\"\n+++\n",
    );
    let text = created(&site, &["study", "党规学习"]);
    assert!(text.contains("[review]\nfirst = \"王红\"\n+++\n"), "{text}");
    assert_eq!(text.matches("[review]").count(), 2, "the block and the reminder: {text}");
}

#[test]
fn the_example_sites_archetypes_make_pages_that_build() {
    let site = Site::copy_from(&repo().join("site"));
    let mut made = Vec::new();
    for (section, title) in [
        ("news", "水生态环境党支部开展巡河护河主题党日活动"),
        ("study", "学习贯彻党章专题辅导"),
        ("integrity", "节前廉洁提醒"),
        ("notices", "关于开展党员志愿服务的通知"),
    ] {
        let text = created(&site, &[section, title]);
        assert!(
            text.starts_with(&format!("+++\ntitle = \"{title}\"\ndate = {}\ndraft = true\n", today())),
            "{text}"
        );
        made.push((section, title, text));
    }
    let notice = &made[3].2;
    let month_later = today().checked_add_months(chrono::Months::new(1)).unwrap();
    assert!(notice.contains(&format!("expires = {month_later}\n")), "{notice}");
    assert!(made[1].2.contains("[study]\nrequired = true\n"), "{}", made[1].2);
    // Published with --drafts, every new page builds.
    let run = site.build(&["--drafts"]);
    run.expect_code(0, "build the example site with the new drafts");
    let built = site.output("news/shui-sheng-tai-huan-jing-dang-zhi-bu-kai-zhan-xun-he-hu-he-zhu-ti-dang-ri-huo-dong/index.html");
    assert!(built.contains("水生态环境党支部开展巡河护河主题党日活动"));
}

#[test]
fn init_copies_the_archetypes_and_the_quotes() {
    let tmp = tempfile::Builder::new().prefix("dangjian-test-").tempdir().unwrap();
    let dir = tmp.path().join("new-site");
    dangjian([std::ffi::OsStr::new("init"), dir.as_os_str()]).expect_code(0, "init");
    let files = |root: &Path| -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(root.join("archetypes"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(files(&dir), ["integrity.md", "news.md", "notices.md", "study.md"]);
    assert_eq!(files(&dir), files(&repo().join("site")));
    for name in files(&dir) {
        let relative = format!("archetypes/{name}");
        assert_eq!(read_text(&dir.join(&relative)), read_text(&repo().join("site").join(&relative)));
    }
    assert_eq!(
        read_text(&dir.join("data/quotes.toml")),
        read_text(&repo().join("site/data/quotes.toml"))
    );
}
