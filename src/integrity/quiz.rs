//! Integrity knowledge quizzes (廉政知识测试): the questions as written in front matter or a data
//! file, checked into the shape templates render.
//!
//! ```toml
//! [[quiz.questions]]
//! kind = "单选"                 # 单选, 多选 or 判断 (single, multiple, judge)
//! question = "……"
//! options = ["……", "……", "……", "……"]
//! answer = "B"                  # 多选: "ACD"; 判断: "对" or "错"
//! explanation = "……"
//! ```
//!
//! Every problem of every question is reported (rule `quiz`), at the line of the value.

use serde::Serialize;
use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::integrity::answers::{choice_answer, choices, judge_answer, text_of};
use crate::integrity::lines::{Lines, Path};
use crate::integrity::{paragraphs, unknown_key_hint};

/// Rule id of problems with quizzes.
pub const RULE: &str = "quiz";

/// The keys a question may have.
const KEYS: [&str; 5] = ["kind", "question", "options", "answer", "explanation"];

/// The kinds of question, as `kind` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// 单选题: one right option.
    Single,
    /// 多选题: two or more right options.
    Multiple,
    /// 判断题: a statement that is right (对) or wrong (错).
    Judge,
}

impl Kind {
    /// The kind `name` stands for: 单选, 单选题, single… (spaces ignored).
    pub fn from_name(name: &str) -> Option<Kind> {
        match name.trim().to_lowercase().as_str() {
            "单选" | "单选题" | "单项选择" | "单项选择题" | "single" => Some(Kind::Single),
            "多选" | "多选题" | "多项选择" | "多项选择题" | "multiple" => Some(Kind::Multiple),
            "判断" | "判断题" | "是非题" | "judge" => Some(Kind::Judge),
            _ => None,
        }
    }

    /// The heading readers see: 单选题, 多选题, 判断题.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Single => "单选题",
            Kind::Multiple => "多选题",
            Kind::Judge => "判断题",
        }
    }

    /// The name used in messages: single choice (单选)…
    pub(crate) fn described(self) -> &'static str {
        match self {
            Kind::Single => "single choice (单选)",
            Kind::Multiple => "multiple choice (多选)",
            Kind::Judge => "true/false (判断)",
        }
    }
}

/// A checked quiz, as templates see it (`page.quiz`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quiz {
    /// The questions, in the order written.
    pub questions: Vec<Question>,
    /// Number of questions.
    pub total: usize,
    /// Number of single-choice questions.
    pub single: usize,
    /// Number of multiple-choice questions.
    pub multiple: usize,
    /// Number of true/false questions.
    pub judge: usize,
}

/// One checked question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Question {
    /// 1-based position in the quiz.
    pub number: usize,
    /// single, multiple or judge.
    pub kind: Kind,
    /// 单选题, 多选题 or 判断题.
    pub kind_label: &'static str,
    /// The question text.
    pub question: String,
    /// The options: A, B, C… for choice questions; 对 (正确) and 错 (错误) for true/false ones.
    pub options: Vec<Choice>,
    /// The keys of the right options run together, as the page script compares them: "B",
    /// "ACD", "对".
    pub key: String,
    /// The right answer as readers see it: "B", "A、C、D", "正确", "错误".
    pub answer: String,
    /// The explanation, one paragraph per line; empty when none was written.
    pub explanation: Vec<String>,
}

/// An option of a question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    /// The option's letter (A, B…), or 对 / 错 for true/false questions.
    pub key: String,
    /// Its text, without a letter the author typed in front ("A．" is dropped).
    pub text: String,
    /// Whether it is (part of) the right answer.
    pub correct: bool,
}

/// Where a quiz is written: its file, the lines of its text, the path of the quiz table in it
/// (`["quiz"]` in front matter, `[]` in a data file) and whether hints show YAML.
pub struct Place<'a> {
    /// The file, relative to the site.
    pub file: &'a str,
    /// Its lines.
    pub lines: &'a Lines<'a>,
    /// The path of the quiz table.
    pub table: Path<'a>,
    /// Hints write `key: value` instead of `key = "value"`.
    pub yaml: bool,
}

impl Place<'_> {
    fn error(&self, line: usize, message: String, hint: String) -> Diagnostic {
        Diagnostic::error(RULE, self.file, line, 0, message).with_hint(hint)
    }

    /// `key = "value"` or `key: value`, for hints.
    pub(crate) fn example(&self, key: &str, value: &str) -> String {
        if self.yaml {
            format!("{key}: {value}")
        } else {
            format!("{key} = \"{value}\"")
        }
    }

    fn questions_header(&self) -> String {
        if self.yaml {
            "a list under `questions:`".to_string()
        } else if self.table.is_empty() {
            "[[questions]] tables".to_string()
        } else {
            format!("[[{}.questions]] tables", self.table.join("."))
        }
    }
}

/// Checks the quiz `value` (a table with `questions`, or a list of questions); `None` when it has
/// problems, which are added to `diagnostics`.
pub fn parse(value: &Value, place: &Place<'_>, diagnostics: &mut Vec<Diagnostic>) -> Option<Quiz> {
    let found_before = diagnostics.iter().filter(|d| d.is_error()).count();
    let questions_path: Vec<&str> = place.table.iter().copied().chain(["questions"]).collect();
    let (items, path): (&[Value], Vec<&str>) = match value {
        // `[[quiz]]` instead of `[[quiz.questions]]`: the tables are the questions all the same.
        Value::Array(items) => (items, place.table.to_vec()),
        Value::Object(map) => {
            for key in map.keys().filter(|k| *k != "questions") {
                let mut key_path = place.table.to_vec();
                key_path.push(key);
                diagnostics.push(place.error(
                    place.lines.nearest(&key_path),
                    format!("`{key}` is not a key of a quiz"),
                    format!(
                        "a quiz holds only its questions, as {}; see docs/integrity.md",
                        place.questions_header()
                    ),
                ));
            }
            match map.get("questions") {
                Some(Value::Array(items)) => (items.as_slice(), questions_path.clone()),
                None | Some(Value::Null) => (&[][..], questions_path.clone()),
                Some(_) => {
                    diagnostics.push(place.error(
                        place.lines.nearest(&questions_path),
                        "`questions` is not a list of questions".to_string(),
                        format!("write each question as one of {}", place.questions_header()),
                    ));
                    return None;
                }
            }
        }
        Value::Null => (&[][..], questions_path.clone()),
        _ => {
            diagnostics.push(place.error(
                place.lines.nearest(place.table),
                "the quiz is neither a table of questions nor the name of a file under data/".to_string(),
                format!(
                    "write the questions as {}, or name a file: {}",
                    place.questions_header(),
                    place.example("quiz", "quizzes/2025-q4.toml")
                ),
            ));
            return None;
        }
    };
    if items.is_empty() {
        diagnostics.push(place.error(
            place.lines.nearest(&path),
            "the quiz has no questions".to_string(),
            format!(
                "add the questions as {}, each with kind, question, options, answer and explanation; see docs/integrity.md",
                place.questions_header()
            ),
        ));
        return None;
    }
    let questions: Vec<Option<Question>> = items
        .iter()
        .enumerate()
        .map(|(index, item)| question(item, index, &path, place, diagnostics))
        .collect();
    if diagnostics.iter().filter(|d| d.is_error()).count() > found_before {
        return None;
    }
    let questions: Vec<Question> = questions.into_iter().flatten().collect();
    let count = |kind: Kind| questions.iter().filter(|q| q.kind == kind).count();
    Some(Quiz {
        total: questions.len(),
        single: count(Kind::Single),
        multiple: count(Kind::Multiple),
        judge: count(Kind::Judge),
        questions,
    })
}

/// One question, or `None` with its problems added.
fn question(item: &Value, index: usize, path: &[&str], place: &Place<'_>, diagnostics: &mut Vec<Diagnostic>) -> Option<Question> {
    let number = index + 1;
    let lines = place.lines;
    let item_line = lines.item_or_parent(path, index);
    let key_line = |key: &str| lines.item_key_or_item(path, index, key);
    let Value::Object(map) = item else {
        diagnostics.push(place.error(
            item_line,
            format!("question {number} is not a table of kind, question, options, answer and explanation"),
            format!("write each question as one of {}", place.questions_header()),
        ));
        return None;
    };
    let found_before = diagnostics.len();
    let mut error = |line: usize, message: String, hint: String| diagnostics.push(place.error(line, message, hint));
    for key in map.keys().filter(|k| !KEYS.contains(&k.as_str())) {
        error(
            key_line(key),
            format!("question {number}: `{key}` is not a key of a question"),
            unknown_key_hint(key, &KEYS, "question"),
        );
    }
    let kind_hint = format!(
        "the kinds are 单选, 多选 and 判断 (single, multiple and judge work too): {}",
        place.example("kind", "单选")
    );
    let kind = match map.get("kind") {
        None | Some(Value::Null) => {
            error(item_line, format!("question {number} has no `kind`"), kind_hint);
            None
        }
        Some(value) => {
            let written = text_of(value).unwrap_or_default();
            let kind = Kind::from_name(&written);
            if kind.is_none() {
                error(
                    key_line("kind"),
                    format!("question {number}: `{}` is not a kind of question", written.trim()),
                    kind_hint,
                );
            }
            kind
        }
    };
    let text = match map.get("question").and_then(text_of).map(|t| t.trim().to_string()) {
        Some(text) if !text.is_empty() => Some(text),
        _ => {
            error(
                if map.contains_key("question") {
                    key_line("question")
                } else {
                    item_line
                },
                format!("question {number} has no `question` text"),
                format!("write what is asked: {}", place.example("question", "……")),
            );
            None
        }
    };
    let options = match (kind, map.get("options")) {
        (Some(Kind::Judge), Some(Value::Null) | None) => Some(vec![
            Choice {
                key: "对".to_string(),
                text: "正确".to_string(),
                correct: false,
            },
            Choice {
                key: "错".to_string(),
                text: "错误".to_string(),
                correct: false,
            },
        ]),
        (Some(Kind::Judge), Some(_)) => {
            error(
                key_line("options"),
                format!("question {number} is true/false (判断) but has `options`"),
                format!(
                    "remove `options`: readers answer a true/false question with 正确 or 错误 ({})",
                    place.example("answer", "对")
                ),
            );
            None
        }
        // Whether options are needed depends on the kind, whose problem is reported already.
        (None, None | Some(Value::Null)) => None,
        (_, None | Some(Value::Null)) => {
            error(
                item_line,
                format!("question {number} has no `options`"),
                "list the options in order, without letters: options = [\"……\", \"……\", \"……\", \"……\"]".to_string(),
            );
            None
        }
        (_, Some(value)) => choices(value, number, key_line("options"), &mut error),
    };
    let answer_line = key_line("answer");
    let answer = match (kind, &options, map.get("answer")) {
        (_, _, None | Some(Value::Null)) => {
            let example = match kind {
                Some(Kind::Judge) => place.example("answer", "对"),
                Some(Kind::Multiple) => place.example("answer", "ACD"),
                _ => place.example("answer", "B"),
            };
            error(
                item_line,
                format!("question {number} has no `answer`"),
                format!("write the right answer: {example}"),
            );
            None
        }
        (Some(Kind::Judge), _, Some(value)) => match judge_answer(value) {
            Some(right) => Some(vec![usize::from(!right)]),
            None => {
                error(
                    answer_line,
                    format!(
                        "question {number}: `{}` is not an answer to a true/false question",
                        text_of(value).unwrap_or_default().trim()
                    ),
                    format!("write {} or {}", place.example("answer", "对"), place.example("answer", "错")),
                );
                None
            }
        },
        (Some(kind), Some(options), Some(value)) => choice_answer(value, kind, options.len(), number, answer_line, place, &mut error),
        // Without a kind or usable options the answer cannot be checked; that problem is reported.
        _ => None,
    };
    if diagnostics.len() > found_before {
        return None;
    }
    let explanation = map.get("explanation").map(paragraphs).unwrap_or_default();
    if explanation.is_empty() {
        diagnostics.push(
            Diagnostic::warning(RULE, place.file, item_line, 0, format!("question {number} has no `explanation`")).with_hint(format!(
                "readers see the explanation once they answer: {}",
                place.example("explanation", "依据……规定，……")
            )),
        );
    }
    let (kind, mut options, answer) = (kind?, options?, answer?);
    for &right in &answer {
        options[right].correct = true;
    }
    let right: Vec<&str> = options.iter().filter(|o| o.correct).map(|o| o.key.as_str()).collect();
    Some(Question {
        number,
        kind,
        kind_label: kind.label(),
        question: text?,
        key: right.concat(),
        answer: if kind == Kind::Judge {
            options.iter().filter(|o| o.correct).map(|o| o.text.clone()).collect()
        } else {
            right.join("、")
        },
        options,
        explanation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(value: Value, text: &str) -> (Option<Quiz>, Vec<String>) {
        let lines = Lines::new(text, 1, false);
        let place = Place {
            file: "content/integrity/q.md",
            lines: &lines,
            table: &["quiz"],
            yaml: false,
        };
        let mut diagnostics = Vec::new();
        let quiz = parse(&value, &place, &mut diagnostics);
        (quiz, diagnostics.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn kinds_answers_and_options() {
        let value = json!({"questions": [
            {"kind": "单选", "question": "问一", "options": ["A．甲", "（B）乙", "丙"], "answer": "ｂ", "explanation": "因为\n所以"},
            {"kind": "multiple", "question": "问二", "options": ["甲", "乙", "丙", "丁"], "answer": "D、a", "explanation": "说明"},
            {"kind": "判断题", "question": "问三", "answer": false, "explanation": "说明"},
            {"kind": "多选", "question": "问四", "options": ["A股", "B", "C"], "answer": ["A", "C"], "explanation": "说明"},
        ]});
        let (quiz, problems) = check(value, "");
        assert_eq!(problems, Vec::<String>::new());
        let quiz = quiz.unwrap();
        assert_eq!((quiz.total, quiz.single, quiz.multiple, quiz.judge), (4, 1, 2, 1));
        let q = &quiz.questions;
        assert_eq!(q[0].options.iter().map(|o| o.text.as_str()).collect::<Vec<_>>(), ["甲", "乙", "丙"]);
        assert_eq!((q[0].key.as_str(), q[0].answer.as_str()), ("B", "B"));
        assert_eq!(q[0].explanation, ["因为", "所以"]);
        assert_eq!((q[1].key.as_str(), q[1].answer.as_str()), ("AD", "A、D"));
        assert_eq!((q[2].key.as_str(), q[2].answer.as_str()), ("错", "错误"));
        assert_eq!(
            q[2].options.iter().map(|o| (o.key.as_str(), o.correct)).collect::<Vec<_>>(),
            [("对", false), ("错", true)]
        );
        // "A股" is an option about shares, not a letter typed in front of one.
        assert_eq!(q[3].options[0].text, "A股");
        assert_eq!(q[3].kind_label, "多选题");
        assert_eq!(serde_json::to_value(q[3].kind).unwrap(), json!("multiple"));
    }

    #[test]
    fn every_problem_is_reported_at_its_line() {
        let text = "[[quiz.questions]]
kind = \"单选\"
question = \"一\"
options = [\"甲\", \"乙\"]
answer = \"AB\"
[[quiz.questions]]
kind = \"判断\"
question = \"二\"
options = [\"对\", \"错\"]
answer = \"是\"
[[quiz.questions]]
kind = \"选择\"
question = \"\"
anwser = \"C\"
[[quiz.questions]]
kind = \"多选\"
question = \"四\"
options = [\"甲\", \"\", \"甲\"]
answer = \"E\"
";
        let value = json!({"questions": [
            {"kind": "单选", "question": "一", "options": ["甲", "乙"], "answer": "AB"},
            {"kind": "判断", "question": "二", "options": ["对", "错"], "answer": "是"},
            {"kind": "选择", "question": "", "anwser": "C"},
            {"kind": "多选", "question": "四", "options": ["甲", "", "甲"], "answer": "E"},
        ]});
        let (quiz, problems) = check(value, text);
        assert!(quiz.is_none());
        let messages: Vec<&str> = problems.iter().map(|p| p.lines().next().unwrap()).collect();
        assert_eq!(
            messages,
            [
                "content/integrity/q.md:6: error[quiz]: question 1 is single choice (单选) but its answer `AB` names 2 options",
                "content/integrity/q.md:10: error[quiz]: question 2 is true/false (判断) but has `options`",
                "content/integrity/q.md:11: error[quiz]: question 2: `是` is not an answer to a true/false question",
                "content/integrity/q.md:15: error[quiz]: question 3: `anwser` is not a key of a question",
                "content/integrity/q.md:13: error[quiz]: question 3: `选择` is not a kind of question",
                "content/integrity/q.md:14: error[quiz]: question 3 has no `question` text",
                "content/integrity/q.md:12: error[quiz]: question 3 has no `answer`",
                "content/integrity/q.md:19: error[quiz]: question 4: option B is empty",
                "content/integrity/q.md:19: error[quiz]: question 4: options A and C are the same (`甲`)",
            ]
        );
        assert!(
            problems[3].ends_with("= hint: did you mean `answer`? A question has kind, question, options, answer and explanation"),
            "{}",
            problems[3]
        );
    }

    #[test]
    fn answers_must_fit_the_options() {
        let one = |kind: &str, options: Value, answer: Value| {
            let value = json!({"questions": [{"kind": kind, "question": "问", "options": options, "answer": answer, "explanation": "解"}]});
            check(value, "")
                .1
                .into_iter()
                .map(|p| p.lines().next().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        let abcd = json!(["甲", "乙", "丙", "丁"]);
        assert_eq!(
            one("单选", abcd.clone(), json!("E")),
            ["content/integrity/q.md: error[quiz]: question 1: answer `E` is not an option; the question has 4 options, A to D"]
        );
        assert_eq!(
            one("多选", abcd.clone(), json!("C")),
            ["content/integrity/q.md: error[quiz]: question 1 is multiple choice (多选) but its answer `C` names one option"]
        );
        assert_eq!(
            one("单选", abcd.clone(), json!("乙")),
            ["content/integrity/q.md: error[quiz]: question 1: the answer `乙` is not option letters"]
        );
        assert_eq!(
            one("单选", json!(["甲"]), json!("A")),
            ["content/integrity/q.md: error[quiz]: question 1 has 1 option(s); a choice question needs at least 2"]
        );
        assert_eq!(one("单选", abcd.clone(), json!(" c ")), Vec::<String>::new());
        assert_eq!(one("多选", abcd, json!("A,B；d")), Vec::<String>::new());
    }

    #[test]
    fn no_questions_and_missing_explanations() {
        let (quiz, problems) = check(json!({}), "[quiz]\n");
        assert!(quiz.is_none());
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].starts_with("content/integrity/q.md:2: error[quiz]: the quiz has no questions\n"),
            "{}",
            problems[0]
        );
        let (quiz, problems) = check(json!({"questions": [{"kind": "判断", "question": "问", "answer": "√"}]}), "");
        assert_eq!(quiz.unwrap().questions[0].key, "对");
        assert_eq!(
            problems,
            [
                "content/integrity/q.md: warning[quiz]: question 1 has no `explanation`\n  = hint: readers see the explanation once they answer: explanation = \"依据……规定，……\""
            ]
        );
        let (_, problems) = check(json!({"questions": [], "title": "x"}), "");
        assert_eq!(problems.len(), 2, "{problems:?}");
    }
}
