//! Branches and the organization-life ledger (三会一课台账), issue 7.
//!
//! - The example site's ledger (`ledger.json`, the CSV, the HTML table) agrees with a count made
//!   here independently from the front matter of its news pages, read with the toml crate.
//! - Mistakes in meeting records, branch names and `data/branches.toml` are reported with file and
//!   line (exact messages, on tests/fixtures/ledger and copies of it).
//! - "Required" over a partial year (the build date, a branch founded mid-year), the home page's
//!   quarter, the branch pages and `dangjian new … --meeting --branch`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use common::{Site, dangjian, files_with_extension, read_text, repo};
use dangjian::site::{BuildError, BuildOptions};

/// The default frequencies of the kinds, in the ledger's order: months per period.
const KINDS: [(&str, u32); 7] = [
    ("支部党员大会", 3),
    ("支委会", 1),
    ("党小组会", 1),
    ("党课", 3),
    ("主题党日", 1),
    ("组织生活会", 12),
    ("民主评议党员", 12),
];

/// What one branch did of one kind in one year, counted here.
#[derive(Debug, Default, Clone, PartialEq)]
struct Tally {
    held: usize,
    attendees: u64,
    absent: u64,
    pages: BTreeSet<String>,
}

struct Branch {
    name: String,
    slug: String,
    founded: Option<NaiveDate>,
}

fn example_branches() -> Vec<Branch> {
    let text = fs::read_to_string(repo().join("site/data/branches.toml")).unwrap();
    let file: toml::Table = toml::from_str(&text).unwrap();
    file["branch"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| Branch {
            name: b["name"].as_str().unwrap().to_string(),
            slug: b["slug"].as_str().unwrap().to_string(),
            founded: b
                .get("founded")
                .map(|d| NaiveDate::parse_from_str(&d.to_string(), "%Y-%m-%d").unwrap()),
        })
        .collect()
}

/// (year, branch name, kind) → tally, from every published news page with a `[meeting]`.
fn count_meetings(content: &Path) -> BTreeMap<(i32, String, String), Tally> {
    let mut tallies: BTreeMap<(i32, String, String), Tally> = BTreeMap::new();
    for file in files_with_extension(content, "md") {
        let text = read_text(&file);
        let Some(rest) = text.strip_prefix("+++\n") else {
            assert!(
                !text.contains("\nmeeting:"),
                "{}: the count reads TOML front matter only",
                file.display()
            );
            continue;
        };
        let front: toml::Table = toml::from_str(&rest[..rest.find("\n+++").unwrap()]).unwrap();
        let Some(meeting) = front.get("meeting") else { continue };
        if front.get("draft").and_then(toml::Value::as_bool) == Some(true) {
            continue;
        }
        let date = meeting
            .get("date")
            .or_else(|| front.get("date"))
            .map(|d| NaiveDate::parse_from_str(&d.to_string()[..10], "%Y-%m-%d").unwrap())
            .unwrap_or_else(|| panic!("{}: a meeting without a date", file.display()));
        let branches = front["taxonomies"]["branches"].as_array().unwrap();
        assert_eq!(branches.len(), 1, "{}", file.display());
        let branch = branches[0].as_str().unwrap().trim().to_string();
        let kinds: Vec<String> = match &meeting["kind"] {
            toml::Value::String(kind) => vec![kind.clone()],
            toml::Value::Array(kinds) => kinds.iter().map(|k| k.as_str().unwrap().to_string()).collect(),
            other => panic!("{}: kind {other}", file.display()),
        };
        let page = format!("/news/{}/", file.file_stem().unwrap().to_string_lossy());
        for kind in kinds {
            let tally = tallies.entry((date.year(), branch.clone(), kind)).or_default();
            tally.held += 1;
            tally.attendees += meeting["attendees"].as_integer().unwrap() as u64;
            tally.absent += meeting.get("absent").map_or(0, |a| a.as_integer().unwrap()) as u64;
            tally.pages.insert(page.clone());
        }
    }
    tallies
}

/// Periods of `months` months in `year` that have begun by `today` and did not end before `founded`.
fn required(year: i32, months: u32, founded: Option<NaiveDate>, today: NaiveDate) -> usize {
    (0..12 / months)
        .filter(|i| {
            let start = NaiveDate::from_ymd_opt(year, i * months + 1, 1).unwrap();
            let end = if (i + 1) * months == 12 {
                NaiveDate::from_ymd_opt(year, 12, 31).unwrap()
            } else {
                NaiveDate::from_ymd_opt(year, (i + 1) * months + 1, 1).unwrap().pred_opt().unwrap()
            };
            start <= today && founded.is_none_or(|f| end >= f)
        })
        .count()
}

fn build_example() -> Site {
    let site = Site::copy_from(&repo().join("site"));
    site.build(&[]).expect_code(0, "build the example site");
    site
}

#[test]
fn example_ledger_agrees_with_an_independent_count() {
    let config = fs::read_to_string(repo().join("site/config.toml")).unwrap();
    assert!(!config.contains("\n[ledger]"), "the count below assumes the default frequencies");
    let today = chrono::Local::now().date_naive();
    let branches = example_branches();
    let tallies = count_meetings(&repo().join("site/content"));
    let years: BTreeSet<i32> = tallies.keys().map(|(y, _, _)| *y).collect();
    assert!(years.contains(&2025), "the example site has a year of meetings");
    let branches_with_meetings: BTreeSet<&String> = tallies.keys().filter(|(y, _, _)| *y == 2025).map(|(_, b, _)| b).collect();
    assert!(
        branches_with_meetings.len() >= 4,
        "meetings of at least four branches: {branches_with_meetings:?}"
    );

    let site = build_example();
    let json: serde_json::Value = serde_json::from_str(&site.output("ledger/ledger.json")).unwrap();
    let json_years: BTreeSet<i32> = json["years"].as_object().unwrap().keys().map(|y| y.parse().unwrap()).collect();
    assert_eq!(json_years, years);
    let mut shortfalls = 0;
    for &year in &years {
        let csv = fs::read(site.out.join(format!("ledger/ledger-{year}.csv"))).unwrap();
        assert!(csv.starts_with(b"\xEF\xBB\xBF"), "the CSV starts with a byte order mark for Excel");
        let csv = String::from_utf8(csv[3..].to_vec()).unwrap();
        let mut lines = csv.lines();
        assert_eq!(
            lines.next(),
            Some("年度,党支部,会议类型,要求,应开次数,已开次数,缺开次数,待开次数,出席人次,缺席人次,出席率,会议日期")
        );
        let rows: BTreeMap<(String, String), Vec<String>> = lines
            .map(|line| {
                let cells: Vec<String> = line.split(',').map(str::to_string).collect();
                ((cells[1].clone(), cells[2].clone()), cells)
            })
            .collect();
        assert_eq!(rows.len(), branches.len() * KINDS.len(), "a row per branch and kind in {year}");
        let year_json = &json["years"][year.to_string()];
        assert_eq!(year_json.as_object().unwrap().len(), branches.len());
        for branch in &branches {
            let cells = year_json[&branch.slug]
                .as_object()
                .unwrap_or_else(|| panic!("{year}: no {}", branch.slug));
            assert_eq!(cells.len(), KINDS.len(), "{year} {}: every kind", branch.slug);
            for (kind, months) in KINDS {
                let what = format!("{year} {} {kind}", branch.name);
                let tally = tallies
                    .get(&(year, branch.name.clone(), kind.to_string()))
                    .cloned()
                    .unwrap_or_default();
                let want_required = required(year, months, branch.founded, today);
                let cell = &cells[kind];
                assert_eq!(
                    cell.as_object().unwrap().keys().collect::<Vec<_>>(),
                    ["attendance", "held", "required"]
                );
                assert_eq!(cell["held"], tally.held, "{what}: held");
                assert_eq!(cell["required"], want_required, "{what}: required");
                let total = tally.attendees + tally.absent;
                match cell["attendance"].as_f64() {
                    None => assert_eq!(total, 0, "{what}: attendance is null only without meetings"),
                    Some(rate) => assert!(
                        (rate - tally.attendees as f64 / total as f64).abs() < 1e-4,
                        "{what}: attendance {rate}"
                    ),
                }
                let row = &rows[&(branch.name.clone(), kind.to_string())];
                assert_eq!(row[4], want_required.to_string(), "{what}: CSV 应开");
                assert_eq!(row[5], tally.held.to_string(), "{what}: CSV 已开");
                assert_eq!(row[8], tally.attendees.to_string(), "{what}: CSV 出席人次");
                assert_eq!(row[9], tally.absent.to_string(), "{what}: CSV 缺席人次");
                shortfalls += row[6].parse::<usize>().unwrap();
            }
        }
    }
    assert!(shortfalls > 0, "the example site shows some shortfalls");

    // The HTML table: /ledger/ is the latest year; every meeting page of that year is linked.
    let latest = *years.last().unwrap();
    let page = site.output(&format!("ledger/{latest}/index.html"));
    let main = |html: &str| html[html.find("<main").unwrap()..html.find("</main>").unwrap()].to_string();
    let landing = site.output("ledger/index.html");
    assert_eq!(
        main(&landing).replace("<li aria-current=\"page\">组织生活台账</li>", ""),
        main(&page).replace(
            &format!(
                "<li><a href=\"http://dangjian.sthjj.intranet/ledger/\">组织生活台账</a></li>\n<li aria-current=\"page\">{latest}年度</li>"
            ),
            ""
        ),
        "/ledger/ shows the latest year"
    );
    for ((year, _, _), tally) in &tallies {
        for path in tally.pages.iter().filter(|_| *year == latest) {
            assert!(
                page.contains(&format!("href=\"http://dangjian.sthjj.intranet{path}\"")),
                "{path} is linked from the ledger"
            );
        }
    }
    assert!(page.contains("<caption id=\"dj-ledger-caption\">"), "the table has a caption");
    assert!(page.contains("<th scope=\"rowgroup\""), "branch names head their rows");
    // One row, spot-checked: the air branch missed its third-quarter Party lecture (党课).
    let air = &page[page.find(">大气环境党支部</a>").unwrap()..];
    let lecture = &air[air.find("<th scope=\"row\">党课</th>").unwrap()..];
    let lecture = &lecture[..lecture.find("</tr>").unwrap()];
    let tally = &tallies[&(2025, "大气环境党支部".to_string(), "党课".to_string())];
    assert_eq!(tally.held, 3);
    assert!(lecture.contains("<td class=\"ledger-count\">3 / 4</td>"), "{lecture}");
    assert!(
        lecture.contains("<span class=\"ledger-mark\" aria-hidden=\"true\">✗</span>缺1次"),
        "{lecture}"
    );
    assert!(lecture.contains("<li class=\"ledger-missed\"><span class=\"ledger-mark\" aria-hidden=\"true\">✗</span>缺</li>"));

    // Every branch of the file has its page, with its record; the sitemap lists the ledger.
    for branch in &branches {
        let html = site.output(&format!("branches/{}/index.html", branch.slug));
        assert!(html.contains("<h2 id=\"dj-branch-profile\">支部概况</h2>"), "{}", branch.slug);
        assert!(
            html.contains(&format!("<caption id=\"dj-branch-ledger-caption\">{}{latest}年度", branch.name)),
            "{}",
            branch.slug
        );
    }
    let sitemap = site.output("sitemap.xml");
    assert!(sitemap.contains("<loc>http://dangjian.sthjj.intranet/ledger/</loc>"));
    assert!(sitemap.contains(&format!("<loc>http://dangjian.sthjj.intranet/ledger/{latest}/</loc>")));
    assert!(
        site.output("index.html").contains("<h2 id=\"dj-home-ledger\">"),
        "the home page has the ledger panel"
    );
}

const COUNT_HINT: &str =
    "  = hint: write how many members attended (attendees = 21) and how many were absent, on leave included (absent = 2)\n";
const KINDS_LIST: &str = "支部党员大会, 支委会, 党小组会, 党课, 主题党日, 组织生活会, 民主评议党员";

#[test]
fn meeting_and_branch_errors_name_the_file_and_line() {
    let site = Site::copy("ledger");
    let expected = format!(
        "content/news/bad-branch.md:6:14: error[branch]: `第一支部` is not a branch in data/branches.toml
  = hint: did you mean `第一党支部`? Otherwise add the branch to data/branches.toml
content/news/bad-counts.md:8: error[meeting]: attendees (9) and absent (3) add up to 12, but `第一党支部` has 10 members
  = hint: correct the counts, or the branch's `members` in data/branches.toml (line 2)
content/news/bad-field.md:8:1: error[front-matter]: unknown field `attendee`, expected one of `kind`, `date`, `attendees`, `absent`, `topic`
  = hint: did you mean `attendees`? Free-form values go under [extra]
content/news/bad-kind.md:7: error[meeting]: `支部大会` is not a kind of meeting
  = hint: did you mean `支部党员大会`? The kinds are {KINDS_LIST}
content/news/bad-negative.md:8: error[meeting]: `attendees` is -2, but a count cannot be negative
{COUNT_HINT}content/news/bad-no-attendees.md:7: error[meeting]: the meeting does not record its `attendees`
{COUNT_HINT}content/news/bad-no-branch.md:5: error[meeting]: the meeting names no branch
  = hint: name the branch that held it under [taxonomies]: branches = [\"…\"]
content/news/bad-no-date.md:5: error[meeting]: the meeting has no date, and neither has the page
  = hint: add the day it was held: date = 2025-03-18 under [meeting] or at the top of the front matter
content/news/bad-two-branches.md:7: error[meeting]: the meeting names 2 branches (`第一党支部`, `第二党支部`); a meeting is held by one branch
  = hint: keep the branch that held it; for a joint activity, each branch reports its own meeting on a page of its own
content/news/bad-yaml-kind.md:8: error[meeting]: `主題党日` is not a kind of meeting
  = hint: did you mean `主题党日`? The kinds are {KINDS_LIST}
10 error(s), 0 warning(s)
"
    );
    assert_eq!(site.failed_build(), expected);
    // `check` reports the same problems, and the controls in the fixture none.
    site.check_fails(
        "content/news/bad-branch.md:6:14: error[branch]:",
        "\n10 error(s), 0 warning(s) in 10 file(s)\n",
    );
}

#[test]
fn errors_in_the_branches_file_name_its_line() {
    let cases: [(&str, &str, &str); 5] = [
        (
            "bad TOML",
            "[[branch]]\nname = \"第一党支部\nmembers = 10\n",
            "data/branches.toml:2:14: error[branch]: invalid basic string, expected `\"`\n  = hint: check the TOML syntax on this line: strings need quotes, dates are written 2022-01-18\n",
        ),
        (
            "missing name",
            "[[branch]]\nname = \"第一党支部\"\nslug = \"di-yi\"\nmembers = 10\n\n[[branch]]\nslug = \"di-er\"\nsecretary = \"李强\"\n",
            "data/branches.toml:6: error[branch]: branch 2 has no `name`\n  = hint: add name = \"…\", the name its pages write under [taxonomies] branches\n",
        ),
        (
            "duplicate slug",
            "[[branch]]\nname = \"第一党支部\"\nslug = \"di-yi\"\nmembers = 10\n\n[[branch]]\nname = \"第二党支部\"\nslug = \"di-yi\"\n",
            "data/branches.toml:8: error[branch]: slug `di-yi` of `第二党支部` is also the slug of `第一党支部` (line 2)\n  = hint: give each branch its own slug: it is the address of the branch's page, /branches/<slug>/\n",
        ),
        (
            "unknown key",
            "[[branch]]\nname = \"第一党支部\"\nmember = 10\n",
            "data/branches.toml:3:1: error[branch]: unknown field `member`, expected one of `name`, `slug`, `secretary`, `members`, `founded`, `description`, `photo`, `photo_alt`\n  = hint: did you mean `members`? Otherwise remove the key\n",
        ),
        (
            "photo missing",
            "[[branch]]\nname = \"第一党支部\"\nslug = \"di-yi\"\nphoto = \"/images/di-yi.jpg\"\n",
            "data/branches.toml:4: error[branch]: photo `/images/di-yi.jpg` is not a file under static/\n  = hint: put the photo in the site's static/ folder and write its path from there, like /images/branch.jpg\n",
        ),
    ];
    let mut failures = Vec::new();
    for (name, text, want) in cases {
        let site = controls();
        site.write("data/branches.toml", text);
        let stderr = site.failed_build();
        // Only the file's own problem is compared: the pages may then name branches it lost.
        let lines: Vec<&str> = stderr.split_inclusive('\n').collect();
        let at = lines.iter().position(|l| l.starts_with("data/branches.toml")).unwrap_or(0);
        let own = lines[at..].iter().take(2).copied().collect::<String>();
        if own != want {
            failures.push(format!("{name}:\n--- expected:\n{want}--- actual:\n{stderr}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_meeting_needs_the_branches_file() {
    let site = Site::copy("ledger");
    fs::remove_dir_all(site.site.join("content/news")).unwrap();
    fs::remove_file(site.site.join("data/branches.toml")).unwrap();
    site.write("content/news/_index.md", "+++\ntitle = \"动态\"\n+++\n");
    site.write(
        "content/news/a.md",
        "+++\ntitle = \"党课\"\ndate = 2025-03-01\n[taxonomies]\nbranches = [\"第一党支部\"]\n\n[meeting]\nkind = \"党课\"\nattendees = 3\n+++\n",
    );
    assert_eq!(
        site.failed_build(),
        "content/news/a.md:7: error[meeting]: the page records a meeting, but the site has no data/branches.toml
  = hint: list the branches in data/branches.toml ([[branch]] with name, slug and members): meetings are counted per branch
1 error(s), 0 warning(s)
"
    );
    // Without the file and without meetings, branches are a plain taxonomy and there is no ledger.
    site.remove("content/news/a.md");
    site.write(
        "content/news/b.md",
        "+++\ntitle = \"动态\"\n[taxonomies]\nbranches = [\"任意支部\"]\n+++\n",
    );
    site.build(&[]).expect_code(0, "a site without data/branches.toml");
    assert!(!site.out.join("ledger").exists());
    assert!(site.out.join("branches/ren-yi-zhi-bu/index.html").is_file());
    assert!(!site.output("index.html").contains("dj-home-ledger"));
}

/// The fixture without its broken pages (`bad-*.md`).
fn controls() -> Site {
    let site = Site::copy("ledger");
    for entry in fs::read_dir(site.site.join("content/news")).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap().to_string_lossy().starts_with("bad-") {
            fs::remove_file(path).unwrap();
        }
    }
    site
}

/// [`controls`], built as if on `today`.
fn controls_built_on(today: NaiveDate) -> Site {
    let site = controls();
    let options = BuildOptions {
        site_dir: site.site.clone(),
        base_url: None,
        drafts: false,
        now: today.and_hms_opt(12, 0, 0).unwrap(),
        include_unreviewed: false,
    };
    match dangjian::site::build(&options, &site.out) {
        Ok(_) => site,
        Err(BuildError::Content(found)) => panic!("{}", dangjian::site::report(&found)),
        Err(BuildError::Io(e)) => panic!("{e}"),
    }
}

fn csv_rows(site: &Site, year: i32) -> BTreeMap<(String, String), String> {
    let csv = site.output(&format!("ledger/ledger-{year}.csv"));
    csv.trim_start_matches('\u{feff}')
        .lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            ((cells[1].to_string(), cells[2].to_string()), cells[3..].join(","))
        })
        .collect()
}

#[test]
fn required_counts_the_periods_begun_since_the_branch_was_founded() {
    let site = controls_built_on(NaiveDate::from_ymd_opt(2025, 8, 15).unwrap());
    let rows = csv_rows(&site, 2025);
    let row = |branch: &str, kind: &str| rows[&(branch.to_string(), kind.to_string())].as_str();
    // 要求,应开,已开,缺开,待开,出席人次,缺席人次,出席率,会议日期. August has begun and is pending.
    assert_eq!(row("第一党支部", "支委会"), "每月,8,1,6,1,5,0,100.0%,2025-01-10");
    assert_eq!(row("第一党支部", "主题党日"), "每月,8,1,6,1,8,2,80.0%,2025-02-21");
    // The config makes 党小组会 quarterly and 民主评议党员 not required.
    assert_eq!(row("第一党支部", "党小组会"), "每季度,3,1,2,0,9,1,90.0%,2025-07-15");
    assert!(
        !rows.contains_key(&("第一党支部".to_string(), "民主评议党员".to_string())),
        "not required, not held: not shown"
    );
    // One sitting, two kinds.
    assert_eq!(row("第一党支部", "支部党员大会"), "每季度,3,1,1,1,9,1,90.0%,2025-03-20");
    assert_eq!(row("第一党支部", "党课"), "每季度,3,1,1,1,9,1,90.0%,2025-03-20");
    // Founded on 2025-05-10: May counts, April does not; the second quarter counts.
    assert_eq!(row("第二党支部", "支委会"), "每月,4,0,3,1,0,0,,");
    assert_eq!(row("第二党支部", "支部党员大会"), "每季度,2,1,0,1,6,0,100.0%,2025-06-18");
    // The year is not over: the yearly meeting is pending, not missed.
    assert_eq!(row("离退休党支部", "组织生活会"), "每年,1,0,0,1,0,0,,");
    // A page dated after the build date is not published, so its meeting is not counted yet.
    assert_eq!(row("第一党支部", "组织生活会"), "每年,1,0,0,1,0,0,,");

    let json: serde_json::Value = serde_json::from_str(&site.output("ledger/ledger.json")).unwrap();
    assert_eq!(json["years"].as_object().unwrap().keys().collect::<Vec<_>>(), ["2024", "2025"]);
    assert_eq!(
        json["years"]["2024"]["li-tui-xiu"]["党课"],
        serde_json::json!({"held": 1, "required": 4, "attendance": 0.8333})
    );
    // Not required and not held that year: not shown.
    assert!(json["years"]["2024"]["di-yi"].get("民主评议党员").is_none());
    assert_eq!(json["years"]["2024"]["di-er"]["支委会"]["required"], 0, "founded after 2024");

    let html = site.output("ledger/2025/index.html");
    assert!(html.contains("<span class=\"ledger-mark\" aria-hidden=\"true\">○</span>8月待开</li>"));
    assert!(html.contains("<span class=\"ledger-mark\" aria-hidden=\"true\">—</span>4月<span class=\"visually-hidden\">不计</span></li>"));
    assert!(html.contains("统计截至2025年8月15日"), "the year is not over");
    assert!(site.output("ledger/2024/index.html").contains("统计全年"));
    assert!(
        site.output("ledger/index.html")
            .contains("<h1 class=\"section-title\">2025年度组织生活台账</h1>")
    );

    // The home page: this quarter per branch.
    let home = site.output("index.html");
    let panel = &home[home.find("<section class=\"home-panel home-ledger\"").unwrap()..];
    let panel = &panel[..panel.find("</section>").unwrap()];
    assert!(
        panel.contains("<caption>2025年第三季度各党支部“三会一课”和主题党日开展情况</caption>"),
        "{panel}"
    );
    let first = &panel[panel.find(">第一党支部</a>").unwrap()..];
    let first = &first[..first.find("</tr>").unwrap()];
    // July missed (支委会, 主题党日); August and the third quarter pending; 党小组会 held.
    assert!(first.contains("<td class=\"ledger-count\">1 / 7</td>"), "{first}");
    assert!(first.contains("缺2次"), "{first}");
    assert!(first.contains("（缺：支委会1次、主题党日1次）"), "{first}");
    assert!(
        first.contains("（待开：支部党员大会1次、支委会1次、党课1次、主题党日1次）"),
        "{first}"
    );

    // A branch page: record, ledger row and meetings; a term without meetings still has its page.
    let branch = site.output("branches/di-yi/index.html");
    assert!(branch.contains("<div><dt>支部书记</dt><dd>王红</dd></div>"));
    assert!(branch.contains("<div><dt>党员人数</dt><dd>10名</dd></div>"));
    assert!(
        branch.contains("会议记录（共 4 次，按时间倒序）"),
        "the scheduled page is not counted"
    );
    assert!(branch.contains("<td>支部党员大会、党课</td>"));
    assert!(site.out.join("branches/li-tui-xiu/index.html").is_file());
    // The branch term's address comes from data/branches.toml, and news pages link to it.
    let news = site.output("news/dang-yuan-da-hui/index.html");
    assert!(
        news.contains("href=\"http://ledger.test/branches/di-yi/\""),
        "a news page links to its branch's page"
    );
}

#[test]
fn new_page_fills_in_the_meeting_and_the_branch() {
    let site = controls();
    let new = |args: &[&str]| {
        let mut all = vec!["new", "news"];
        all.extend_from_slice(args);
        let site_arg = site.site.to_string_lossy().into_owned();
        all.extend_from_slice(&["--site", &site_arg]);
        dangjian(all)
    };
    let run = new(&["第一党支部讲党课", "--meeting", "党课", "--branch", "di-yi"]);
    run.expect_code(0, "new with --meeting and --branch");
    let text = read_text(&site.site.join("content/news/di-yi-dang-zhi-bu-jiang-dang-ke.md"));
    let today = chrono::Local::now().date_naive();
    assert_eq!(
        text,
        format!(
            "+++\ntitle = \"第一党支部讲党课\"\ndate = {today}\ndraft = true\n\n[taxonomies]\nbranches = [\"第一党支部\"]\n\n[meeting]\nkind = \"党课\"\nattendees = 0\nabsent = 0\ntopic = \"\"\n+++\n\n在这里写正文。写完后删除上面的 `draft = true`，稿件才会发布。\n\n会议记录：请在上面的 [meeting] 中填写出席人数（attendees）、缺席人数（absent，含请假）和会议主题（topic）；会议日期默认为稿件日期，另有日期时写 date = 2025-03-18。\n"
        )
    );
    // The draft is not checked; with --drafts its blank count is the reminder.
    site.build(&[]).expect_code(0, "a draft with a blank meeting");
    let run = site.build(&["--drafts"]);
    assert!(
        run.stderr
            .contains("di-yi-dang-zhi-bu-jiang-dang-ke.md:11: error[meeting]: `attendees` is 0: a meeting needs at least one attendee"),
        "{}",
        run.stderr
    );
    let errors = [
        (
            vec!["甲", "--meeting", "党员大会", "--branch", "di-yi"],
            format!("error: `党员大会` is not a kind of meeting; did you mean `支部党员大会`? The kinds are {KINDS_LIST}\n"),
        ),
        (
            vec!["乙", "--meeting", "党课", "--branch", "diyi"],
            "error: there is no branch `diyi` in data/branches.toml; did you mean `di-yi`? The branches are: di-yi (第一党支部), di-er (第二党支部), li-tui-xiu (离退休党支部)\n".to_string(),
        ),
        (
            vec!["丙", "--meeting", "党课"],
            "error: a meeting is held by a branch: add --branch SLUG, one of: di-yi (第一党支部), di-er (第二党支部), li-tui-xiu (离退休党支部)\n".to_string(),
        ),
    ];
    let pages = || fs::read_dir(site.site.join("content/news")).unwrap().count();
    let before = pages();
    for (args, want) in errors {
        let run = new(&args);
        run.expect_code(1, &format!("new {args:?}"));
        assert_eq!(run.stderr, want);
    }
    assert_eq!(pages(), before, "nothing is written when an argument is wrong");
    // A branch by its name works too, without a meeting.
    new(&["联合参观", "--branch", "第二党支部"]).expect_code(0, "new with --branch only");
    let text = read_text(&site.site.join("content/news/lian-he-can-guan.md"));
    assert!(text.contains("[taxonomies]\nbranches = [\"第二党支部\"]\n+++\n"), "{text}");
}
