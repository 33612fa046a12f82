//! 廉政知识测试 and 警示教育案例 (issue 8): quizzes written in TOML and YAML front matter and in
//! data files render every question with its options, answer and explanation; cases render their
//! parts in one layout; every mistake in a quiz or case is reported with its file and line (exact
//! messages, on tests/fixtures/quiz_errors); and in headless chromium (tests/browser/quiz.mjs) a
//! quiz answered by keyboard scores N/M, explains each answer, resets, reads without JavaScript and
//! passes axe-core, as do the case pages.

mod common;

use std::fs;

use common::{Site, count, dangjian, fixture, read_text, run_browser_script_with};
use serde_json::{Value, json};

fn built_quiz_site() -> Site {
    let site = Site::copy("quiz");
    let run = site.build(&[]);
    run.expect_code(0, "build the quiz fixture");
    assert_eq!(run.stderr, "", "the quiz fixture builds without warnings");
    site
}

/// The attribute values `name="…"` in `html`, in order.
fn attributes<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let needle = format!(" {name}=\"");
    html.split(needle.as_str())
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect()
}

/// The text between `start` and the next `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html.find(start).unwrap_or_else(|| panic!("no {start:?} in the page")) + start.len();
    &html[from..from + html[from..].find(end).unwrap_or_else(|| panic!("no {end:?} after {start:?}"))]
}

#[test]
fn quizzes_render_every_question_with_its_answer() {
    let site = built_quiz_site();
    let html = site.output("integrity/ce-shi/index.html");
    assert_eq!(count(&html, "<section class=\"quiz\" id=\"dj-quiz\" data-quiz "), 1);
    assert_eq!(count(&html, " data-question "), 5);
    assert_eq!(attributes(&html, "data-kind"), ["single", "multiple", "judge", "single", "judge"]);
    // Letters in the answers are normalised ("A、B、D", "a"); 判断 answers are 对 or 错.
    assert_eq!(attributes(&html, "data-key"), ["B", "ABD", "错", "A", "对"]);
    assert_eq!(count(&html, "type=\"radio\""), 4 + 2 + 4 + 2);
    assert_eq!(count(&html, "type=\"checkbox\""), 4);
    // The letter an author typed in front of an option ("A．") is not shown twice.
    assert!(html.contains("<span class=\"quiz-option-text\"><span class=\"quiz-key\">A.</span> 先收下，以后找机会回礼</span>"));
    assert!(!html.contains("A．先收下"));
    // Without JavaScript: each answer and explanation in a closed <details>, the buttons hidden.
    assert_eq!(count(&html, "<details class=\"quiz-answer\" data-quiz-answer>"), 5);
    assert_eq!(count(&html, "<details class=\"quiz-answer\" data-quiz-answer open"), 0);
    assert!(html.contains("<p class=\"quiz-answer-key\"><strong>正确答案：</strong>A、B、D</p>"));
    assert!(html.contains("<p class=\"quiz-answer-key\"><strong>正确答案：</strong>错误</p>"));
    // A multi-line explanation is one paragraph per line.
    assert!(html.contains("<p><strong>解析：</strong>宴请和购物卡都可能影响公正执行公务。</p>\n<p>通风报信同时违反工作纪律。</p>"));
    assert!(html.contains("<div class=\"quiz-actions\" data-quiz-actions hidden>"));
    assert!(html.contains("data-quiz-submit>提交答卷</button>"));
    assert!(html.contains("<p class=\"quiz-score\" data-quiz-score role=\"status\" tabindex=\"-1\"></p>"));
    assert!(html.contains("本测试共 5 题（单选题 2 题，多选题 1 题，判断题 2 题）"));
    // The stylesheet on integrity pages, the script only where there is a quiz.
    assert!(html.contains("<link rel=\"stylesheet\" href=\"http://quiz.test/css/integrity.css\">"));
    assert!(html.contains("<script src=\"http://quiz.test/js/quiz.js\" defer></script>"));
    assert!(!site.output("integrity/an-li/index.html").contains("quiz.js"));
    let script = site.output("js/quiz.js");
    assert!(script.contains("data-quiz-score") && !script.contains("fetch(") && !script.contains("XMLHttpRequest"));

    let yaml = site.output("integrity/yaml-ce-shi/index.html");
    assert_eq!(attributes(&yaml, "data-kind"), ["multiple", "judge"]);
    assert_eq!(attributes(&yaml, "data-key"), ["AB", "错"]);
    assert!(yaml.contains("本测试共 2 题（多选题 1 题，判断题 1 题）"));
}

#[test]
fn quizzes_from_data_files() {
    let site = built_quiz_site();
    let toml = site.output("integrity/shu-ju-wen-jian/index.html");
    assert_eq!(attributes(&toml, "data-kind"), ["single", "judge"]);
    assert_eq!(attributes(&toml, "data-key"), ["C", "错"]);
    assert!(toml.contains("党员受到严重警告处分，多长时间内不得在党内提升职务？"));
    // `data/` in front of the name is allowed; a full-width Ｂ is the letter B.
    let yaml = site.output("integrity/yaml-shu-ju/index.html");
    assert_eq!(attributes(&yaml, "data-key"), ["B"]);
    assert!(yaml.contains("<span class=\"quiz-option-text\"><span class=\"quiz-key\">B.</span> 党员领导干部</span>"));
    // Data files are read, not published.
    assert!(!site.out.join("data").exists() && !site.out.join("quizzes").exists());
}

#[test]
fn cases_have_one_layout() {
    let site = built_quiz_site();
    let html = site.output("integrity/an-li/index.html");
    let case = between(&html, "<section class=\"case\" id=\"dj-case-1\" data-case", "</section>");
    let parts: Vec<&str> = case.split("<h3>").skip(1).filter_map(|p| p.split("</h3>").next()).collect();
    assert_eq!(parts, ["基本案情", "违反的规定", "处理结果", "警示启示"]);
    assert!(case.contains("<h2 class=\"case-title\" id=\"dj-case-1-title\">案情摘要</h2>"));
    assert!(case.contains("<p>王某，某县执法大队原大队长。</p>\n<p>2023年至2024年，王某多次收受辖区企业所送礼品。</p>"));
    assert!(case.contains("<p>对管理服务对象的“心意”要坚决拒绝；</p>\n<p>节日前后要加强廉洁提醒。</p>"));
    // The case comes before the page's own text.
    assert!(html.find("data-case").unwrap() < html.find("<h2 id=\"案例剖析\"").expect("the body's heading"));

    let html = site.output("integrity/tong-bao/index.html");
    assert_eq!(count(&html, " data-case "), 2);
    assert!(html.contains("<span class=\"case-number\">案例1：</span>某分局干部陈某违规接受宴请问题</h2>"));
    assert!(html.contains("<span class=\"case-number\">案例2：</span>某分局原局长周某插手干预执法问题</h2>"));
    // The second case has no outcome: its part is left out, not shown empty.
    let second = between(&html, "id=\"dj-case-2\"", "</section>");
    assert!(!second.contains("处理结果") && second.contains("<p>周某多次打招呼。</p>\n<p>要求下属从轻处理。</p>"));
}

#[test]
fn relative_urls_reach_the_script_and_stylesheet() {
    let site = Site::copy("quiz");
    let config = site.site.join("config.toml");
    fs::write(&config, format!("relative_urls = true\n{}", read_text(&config))).unwrap();
    site.build(&[]).expect_code(0, "build with relative_urls");
    let html = site.output("integrity/ce-shi/index.html");
    assert!(
        html.contains("<link rel=\"stylesheet\" href=\"../../css/integrity.css\">"),
        "{html}"
    );
    assert!(html.contains("<script src=\"../../js/quiz.js\" defer></script>"));
}

#[test]
fn malformed_quizzes_and_cases_name_file_and_line() {
    let site = Site::copy("quiz_errors");
    let expected = r#"content/integrity/answer-not-an-option.md:16: error[quiz]: question 2: answer `E` is not an option; the question has 4 options, A to D
  = hint: write the letters of the right options (A to D): answer = "B"
content/integrity/case-missing-parts.md:4: error[case]: the case has no `lesson`
  = hint: write what readers should learn from it (警示启示): lesson = "……"
content/integrity/case-missing-parts.md:4: error[case]: the case has no `rule`
  = hint: name the provision that was violated (违反的规定): rule = "违反《中国共产党纪律处分条例》关于廉洁纪律的规定"
content/integrity/case-unknown-key.md:4: error[case]: the case has no `lesson`
  = hint: write what readers should learn from it (警示启示): lesson: ……
content/integrity/case-unknown-key.md:7: error[case]: `lessons` is not a key of a case
  = hint: did you mean `lesson`? A case has title, facts, rule, outcome and lesson
content/integrity/empty-option.md:7: error[quiz]: question 1: option B is empty
  = hint: write the text of every option, or remove the empty one
content/integrity/judge-with-options.md:7: error[quiz]: question 1 is true/false (判断) but has `options`
  = hint: remove `options`: readers answer a true/false question with 正确 or 错误 (answer = "对")
content/integrity/missing-file.md:4: error[quiz]: the quiz file data/quizzes/2025-q9.toml does not exist
  = hint: name a TOML or YAML file under data/: quiz = "quizzes/2025-q4.toml"
content/integrity/no-questions.md:4: error[quiz]: the quiz has no questions
  = hint: add the questions as [[quiz.questions]] tables, each with kind, question, options, answer and explanation; see docs/integrity.md
content/integrity/not-a-quiz.md:4: error[quiz]: the quiz is neither a table of questions nor the name of a file under data/
  = hint: write the questions as [[quiz.questions]] tables, or name a file: quiz = "quizzes/2025-q4.toml"
content/integrity/single-with-several.md:8: error[quiz]: question 1 is single choice (单选) but its answer `AC` names 2 options
  = hint: a single-choice question has one right option; if several are right, write kind = "多选"
content/integrity/yaml-mistakes.md:8: error[quiz]: question 1: `不对` is not an answer to a true/false question
  = hint: write answer: 对 or answer: 错
content/integrity/yaml-mistakes.md:10: error[quiz]: question 2 has no `answer`
  = hint: write the right answer: answer: B
content/integrity/yaml-mistakes.md:10: error[quiz]: question 2: `选择题` is not a kind of question
  = hint: the kinds are 单选, 多选 and 判断 (single, multiple and judge work too): kind: 单选
content/integrity/yaml-mistakes.md:13: error[quiz]: question 2: `anwser` is not a key of a question
  = hint: did you mean `answer`? A question has kind, question, options, answer and explanation
data/quizzes/bad.toml:13: error[quiz]: question 2: answer `C` is not an option; the question has 2 options, A to B
  = hint: write the letters of the right options (A to B): answer = "B"
data/quizzes/bad.toml:20: error[quiz]: question 3 is multiple choice (多选) but its answer `B` names one option
  = hint: a multiple-choice question has two or more right options; if only one is right, write kind = "单选"
data/quizzes/bad.yaml:3: error[quiz]: question 1 has no `answer`
  = hint: write the right answer: answer: B
data/quizzes/syntax.toml:3:19: error[quiz]: invalid basic string, expected `"`
  = hint: check the TOML syntax on this line: strings need quotes, dates are written 2022-01-18
19 error(s), 0 warning(s)
"#;
    assert_eq!(site.failed_build(), expected);
    // `check` reports the same problems.
    site.check_fails(
        "content/integrity/answer-not-an-option.md:16: error[quiz]:",
        "\n19 error(s), 0 warning(s) in 13 file(s)\n",
    );
}

#[test]
fn a_question_without_explanation_is_a_warning() {
    let site = Site::copy("quiz");
    let page = site.site.join("content/integrity/ce-shi.md");
    let text = read_text(&page).replace("explanation = \"这是执法岗位的基本廉洁要求。\"\n", "");
    fs::write(&page, text).unwrap();
    let run = site.build(&[]);
    run.expect_code(0, "a missing explanation does not stop the build");
    assert_eq!(
        run.stderr,
        "content/integrity/ce-shi.md:41: warning[quiz]: question 5 has no `explanation`\n  = hint: readers see the explanation once they answer: explanation = \"依据……规定，……\"\n0 error(s), 1 warning(s)\n"
    );
    let html = site.output("integrity/ce-shi/index.html");
    let last = between(&html, "id=\"dj-quiz-5\"", "</details>");
    assert!(last.contains("<strong>正确答案：</strong>正确</p>") && !last.contains("<strong>解析：</strong>"));
}

/// The quiz of the fixture page as written, read here with the toml crate: for each question its
/// kind, number of options and the indices of the right ones.
fn fixture_answers(file: &str) -> Vec<Value> {
    let text = read_text(&fixture("quiz").join(file));
    let front = text
        .strip_prefix("+++\n")
        .and_then(|rest| rest.split("\n+++").next())
        .expect("TOML front matter");
    let front: toml::Table = toml::from_str(front).expect("front matter parses");
    front["quiz"]["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .map(|q| {
            let answer = q["answer"].as_str().expect("answer");
            match q["kind"].as_str().expect("kind") {
                "判断" => json!({"kind": "judge", "options": 2, "right": [if answer == "对" { 0 } else { 1 }]}),
                kind => {
                    let right: Vec<usize> = answer
                        .chars()
                        .filter(char::is_ascii_alphabetic)
                        .map(|c| c.to_ascii_uppercase() as usize - 'A' as usize)
                        .collect();
                    let kind = if kind == "多选" { "multiple" } else { "single" };
                    json!({"kind": kind, "options": q["options"].as_array().expect("options").len(), "right": right})
                }
            }
        })
        .collect()
}

#[test]
fn quiz_works_in_a_browser() {
    let site = Site::copy("quiz");
    let questions = fixture_answers("content/integrity/ce-shi.md");
    assert_eq!(questions.len(), 5);
    let spec = json!({
        "site": site.site,
        "quiz": "/integrity/ce-shi/",
        "cases": ["/integrity/an-li/", "/integrity/tong-bao/"],
        "questions": questions,
    });
    let file = site.tmp.path().join("quiz.json");
    fs::write(&file, spec.to_string()).unwrap();
    run_browser_script_with(
        "quiz.mjs",
        &[file.as_os_str()],
        &["playwright-core", "axe-core"],
        std::time::Duration::from_secs(300),
    );
}

/// The search index holds what a case and a quiz show readers: case facts above the body, quiz
/// questions, options and explanations below it.
#[test]
fn cases_and_quizzes_are_searchable() {
    let site = built_quiz_site();
    // Each file is `DJSearch.docs(group,[{"path":…,"text":…},…]);`.
    let records: Vec<Value> = common::files_with_extension(&site.out.join("search/d"), "js")
        .iter()
        .flat_map(|path| {
            let script = read_text(path);
            let args = script.trim_end().strip_prefix("DJSearch.docs(").and_then(|s| s.strip_suffix(");"));
            let call: Value = serde_json::from_str(&format!("[{}]", args.expect("a records script"))).expect("records as JSON");
            call[1].as_array().expect("a list of records").clone()
        })
        .collect();
    let record = |page: &str| {
        let record = records.iter().find(|r| r["path"] == page);
        record
            .and_then(|r| r["text"].as_str())
            .unwrap_or_else(|| panic!("no search record for {page}"))
            .to_string()
    };
    let case = record("/integrity/an-li/");
    let facts = case.find("多次收受辖区企业所送礼品").expect("case facts are indexed");
    let body = case.find("正文继续分析案件").expect("the body is indexed");
    assert!(facts < body, "the case comes before the body, as on the page: {case}");
    assert!(case.contains("节日前后要加强廉洁提醒"), "{case}");
    let quiz = record("/integrity/ce-shi/");
    for text in ["按规定及时登记上交", "无法当面拒收或退回的礼品", "在执法检查前向企业通风报信"] {
        assert!(quiz.contains(text), "{text} not in {quiz}");
    }
}

/// Wrong formulations and personal data in a quiz or case written in front matter are found,
/// at their own line, like those in the body.
#[test]
fn content_rules_read_quiz_and_case_text() {
    let site = Site::copy("quiz");
    site.write(
        "content/integrity/lian-xi.md",
        "+++\ntitle = \"练习\"\ndate = 2025-10-01\n\n[case]\nfacts = \"某干部\"\nrule = \"违反规定\"\nlesson = \"举报电话13812345678\"\n\n[[quiz.questions]]\nkind = \"判断\"\nquestion = \"一\"\nanswer = \"对\"\nexplanation = \"二\"\n\n[[quiz.questions]]\nkind = \"判断\"\nquestion = \"请拨打13912345678咨询\"\nanswer = \"错\"\nexplanation = \"三\"\n+++\n正文\n",
    );
    let run = dangjian(["check", "--format", "json", "--site", site.site.to_str().expect("UTF-8 temp path")]);
    run.expect_code(1, "check finds the phone numbers");
    let found: Vec<Value> = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    let places: Vec<String> = found
        .iter()
        .filter(|d| d["rule"] == "privacy-phone")
        .map(|d| format!("{}:{}:{}", d["file"].as_str().unwrap_or_default(), d["line"], d["column"]))
        .collect();
    assert_eq!(
        places,
        ["content/integrity/lian-xi.md:8:15", "content/integrity/lian-xi.md:18:16"],
        "{}",
        run.stdout
    );
}
