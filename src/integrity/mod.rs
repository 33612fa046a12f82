//! 廉政教育 page kinds: integrity knowledge quizzes (廉政知识测试) and warning-education cases
//! (警示教育案例).
//!
//! Front matter keeps both as written (`[quiz]` or `quiz = "quizzes/x.toml"`, `[case]` or
//! `[[case]]`); [`resolve`] checks them where the other content rules run, reading quiz data files
//! under `data/`, and replaces them with the checked shapes templates see as `page.quiz` and
//! `page.case`. Problems name the line of the user's file (rules `quiz` and `case`), all of them.
//! The format is described for authors in docs/integrity.md; why it looks this way in
//! docs/decisions/0010-quiz-and-cases.md.

mod answers;
pub mod case;
pub mod lines;
pub mod quiz;

use std::path::Path;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::content::Library;
use crate::content::front_matter::{Format, split};
use crate::diagnostic::Diagnostic;
use crate::integrity::lines::Lines;

pub use case::Case;
pub use quiz::{Choice, Question, Quiz};

/// The folder quiz data files are named from.
pub const DATA_DIR: &str = "data";

/// `quiz` of a page: as written until [`resolve`] has checked it.
#[derive(Debug, Clone, PartialEq)]
pub enum QuizFront {
    /// As written: a table of questions, or the name of a file under `data/`.
    Written(Value),
    /// Checked.
    Ready(Quiz),
}

/// `case` of a page: as written until [`resolve`] has checked it.
#[derive(Debug, Clone, PartialEq)]
pub enum CaseFront {
    /// As written: one table, or a list of them.
    Written(Value),
    /// Checked: one case or several.
    Ready(Vec<Case>),
}

impl<'de> Deserialize<'de> for QuizFront {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(QuizFront::Written)
    }
}

impl<'de> Deserialize<'de> for CaseFront {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(CaseFront::Written)
    }
}

/// Templates see the checked quiz ([`Quiz`]); an unchecked one is `null`, as it never reaches a
/// built page (a site with quiz errors is not built).
impl Serialize for QuizFront {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            QuizFront::Ready(quiz) => quiz.serialize(serializer),
            QuizFront::Written(_) => serializer.serialize_none(),
        }
    }
}

/// Templates see a list of checked cases (one for `[case]`); an unchecked one is `null`.
impl Serialize for CaseFront {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            CaseFront::Ready(cases) => cases.serialize(serializer),
            CaseFront::Written(_) => serializer.serialize_none(),
        }
    }
}

/// The texts readers will see in a quiz or case written in front matter, with their keys, for
/// the content rules (wrong formulations, personal data); a data file's texts are not included.
pub fn front_texts(quiz: Option<&QuizFront>, case: Option<&CaseFront>) -> Vec<(&'static str, String)> {
    fn walk(key: &'static str, value: &Value, out: &mut Vec<(&'static str, String)>) {
        match value {
            Value::String(text) => out.push((key, text.clone())),
            Value::Array(items) => items.iter().for_each(|item| walk(key, item, out)),
            Value::Object(map) => {
                for (k, v) in map {
                    let key = match k.as_str() {
                        // The list of questions holds the texts, under their own keys.
                        "questions" => key,
                        "question" => "question",
                        "options" => "options",
                        "explanation" => "explanation",
                        "title" => "title",
                        "facts" => "facts",
                        "rule" => "rule",
                        "outcome" => "outcome",
                        "lesson" => "lesson",
                        _ => continue,
                    };
                    walk(key, v, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Some(QuizFront::Written(value @ (Value::Object(_) | Value::Array(_)))) = quiz {
        walk("quiz", value, &mut out);
    }
    if let Some(CaseFront::Written(value)) = case {
        walk("case", value, &mut out);
    }
    out
}

/// The texts a checked case and quiz show readers, in page order: the cases (shown above the
/// body) and the quiz (below it), for search.
pub fn reader_texts<'a>(quiz: Option<&'a QuizFront>, case: Option<&'a CaseFront>) -> (Vec<&'a str>, Vec<&'a str>) {
    let mut above = Vec::new();
    if let Some(CaseFront::Ready(cases)) = case {
        for case in cases {
            above.extend(case.title.as_deref());
            for part in [&case.facts, &case.rule, &case.outcome, &case.lesson] {
                above.extend(part.iter().map(String::as_str));
            }
        }
    }
    let mut below = Vec::new();
    if let Some(QuizFront::Ready(quiz)) = quiz {
        for question in &quiz.questions {
            below.push(question.question.as_str());
            below.extend(question.options.iter().map(|o| o.text.as_str()));
            below.extend(question.explanation.iter().map(String::as_str));
        }
    }
    (above, below)
}

/// Checks the quiz and case of every page of `library`, reading quiz data files, and returns the
/// library with them checked; problems are added to `diagnostics`.
pub fn resolve(site_dir: &Path, mut library: Library, diagnostics: &mut Vec<Diagnostic>) -> Library {
    for page in &mut library.pages {
        if page.front.quiz.is_none() && page.front.case.is_none() {
            continue;
        }
        let front = FrontText::read(site_dir, &page.file);
        let lines = Lines::new(&front.text, front.offset, front.yaml);
        if let Some(QuizFront::Written(value)) = &page.front.quiz {
            let checked = match value {
                Value::String(name) => quiz_file(site_dir, &page.file, name, &lines, front.yaml, diagnostics),
                other => {
                    let place = quiz::Place {
                        file: &page.file,
                        lines: &lines,
                        table: &["quiz"],
                        yaml: front.yaml,
                    };
                    quiz::parse(other, &place, diagnostics)
                }
            };
            if let Some(quiz) = checked {
                page.front.quiz = Some(QuizFront::Ready(quiz));
            }
        }
        if let Some(CaseFront::Written(value)) = &page.front.case
            && let Some(cases) = case::parse(value, &page.file, &lines, front.yaml, diagnostics)
        {
            page.front.case = Some(CaseFront::Ready(cases));
        }
    }
    library
}

/// The quiz of data file `name` (`quizzes/2025-q4.toml`, under `data/`), named by the page `file`.
fn quiz_file(
    site_dir: &Path,
    file: &str,
    name: &str,
    front: &Lines<'_>,
    front_yaml: bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Quiz> {
    let line = front.nearest(&["quiz"]);
    let error = |message: String, hint: &str| Diagnostic::error(quiz::RULE, file, line, 0, message).with_hint(hint.to_string());
    let example = if front_yaml {
        "name a TOML or YAML file under data/: quiz: quizzes/2025-q4.toml"
    } else {
        "name a TOML or YAML file under data/: quiz = \"quizzes/2025-q4.toml\""
    };
    let written = name.trim();
    // Authors often write the folder too: data/quizzes/x.toml.
    let relative = written.strip_prefix("data/").unwrap_or(written);
    let yaml = match relative.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()) {
        Some(ext) if ext == "toml" => false,
        Some(ext) if ext == "yaml" || ext == "yml" => true,
        _ => {
            diagnostics.push(error(format!("the quiz file `{written}` is not a .toml or .yaml file"), example));
            return None;
        }
    };
    let Some(path) = crate::files::confined(&site_dir.join(DATA_DIR), relative) else {
        diagnostics.push(error(format!("the quiz file `{written}` is outside data/"), example));
        return None;
    };
    let shown = format!("{DATA_DIR}/{relative}");
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            diagnostics.push(error(format!("the quiz file {shown} does not exist"), example));
            return None;
        }
        Err(e) => {
            diagnostics.push(error(format!("the quiz file {shown} cannot be read: {e}"), example));
            return None;
        }
    };
    let Ok(decoded) = crate::content::decode::decode_text(&bytes) else {
        diagnostics.push(error(
            format!("the quiz file {shown} is not text"),
            "save it as UTF-8 text (记事本: 另存为 → 编码 UTF-8)",
        ));
        return None;
    };
    let text = decoded.text;
    let value = if yaml {
        match serde_yaml_ng::from_str::<Value>(&text) {
            Ok(value) => value,
            Err(e) => {
                let line = e.location().map_or(0, |l| l.line());
                let message = e.to_string();
                let message = message.split(" at line ").next().unwrap_or(&message).to_string();
                diagnostics.push(
                    Diagnostic::error(quiz::RULE, shown, line, 0, message)
                        .with_hint("check the YAML syntax on this line: `key: value`, lists as `- item`"),
                );
                return None;
            }
        }
    } else {
        match toml::from_str::<toml::Table>(&text) {
            Ok(table) => crate::content::front_matter::toml_to_json(toml::Value::Table(table)),
            Err(e) => {
                diagnostics.push(crate::config::toml_diagnostic(quiz::RULE, &shown, &text, 0, &e));
                return None;
            }
        }
    };
    let lines = Lines::new(&text, 0, yaml);
    let place = quiz::Place {
        file: &shown,
        lines: &lines,
        table: &[],
        yaml,
    };
    quiz::parse(&value, &place, diagnostics)
}

/// The front matter of a page read again, for the lines of its values.
struct FrontText {
    text: String,
    /// Lines before the front matter text.
    offset: usize,
    yaml: bool,
}

impl FrontText {
    fn read(site_dir: &Path, file: &str) -> FrontText {
        let text = std::fs::read(site_dir.join(file))
            .ok()
            .and_then(|bytes| crate::content::decode::decode_text(&bytes).ok())
            .map(|decoded| decoded.text)
            .unwrap_or_default();
        // The page was parsed once already, so this does not fail; lines are 0 ("the file") if it does.
        match split(file, &text) {
            Ok(s) => FrontText {
                yaml: s.format == Some(Format::Yaml),
                offset: s.front_line_offset,
                text: s.front.to_string(),
            },
            Err(_) => FrontText {
                text: String::new(),
                offset: 0,
                yaml: false,
            },
        }
    }
}

/// A text or a list of texts as paragraphs: one per non-empty line of a text, one per item of a
/// list; surrounding spaces (full-width ones too) dropped.
pub(crate) fn paragraphs(value: &Value) -> Vec<String> {
    let text = |value: &Value| match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let lines: Vec<String> = match value {
        Value::Array(items) => items.iter().filter_map(text).collect(),
        other => text(other).map(|t| t.lines().map(str::to_string).collect()).unwrap_or_default(),
    };
    lines
        .iter()
        .map(|line| line.trim_matches(|c: char| c.is_whitespace()).to_string())
        .filter(|line| !line.is_empty())
        .collect()
}

/// The hint for an unknown key: the closest known one, and all of them.
pub(crate) fn unknown_key_hint(key: &str, keys: &[&str], what: &str) -> String {
    let (last, rest) = keys.split_last().unwrap_or((&"", &[]));
    let all = format!("A {what} has {} and {last}", rest.join(", "));
    match crate::ledger::closest_name(key, keys.iter().copied()) {
        Some(closest) => format!("did you mean `{closest}`? {all}"),
        None => all,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paragraphs_of_text_and_lists() {
        assert_eq!(paragraphs(&json!("　一。\n\n 二。 \n")), ["一。", "二。"]);
        assert_eq!(paragraphs(&json!(["一", " ", "二"])), ["一", "二"]);
        assert!(paragraphs(&Value::Null).is_empty());
    }

    #[test]
    fn hints_suggest_close_keys() {
        let keys = ["kind", "question", "options", "answer", "explanation"];
        assert_eq!(
            unknown_key_hint("anwser", &keys, "question"),
            "did you mean `answer`? A question has kind, question, options, answer and explanation"
        );
        assert_eq!(
            unknown_key_hint("题目", &keys, "question"),
            "A question has kind, question, options, answer and explanation"
        );
    }

    #[test]
    fn front_texts_for_the_content_rules() {
        let quiz = QuizFront::Written(json!({"questions": [{"kind": "单选", "question": "问", "options": ["甲", "乙"], "answer": "A"}]}));
        let case = CaseFront::Written(json!({"facts": "事", "lesson": ["一", "二"]}));
        let texts = front_texts(Some(&quiz), Some(&case));
        let mut keys: Vec<(&str, &str)> = texts.iter().map(|(k, t)| (*k, t.as_str())).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                ("facts", "事"),
                ("lesson", "一"),
                ("lesson", "二"),
                ("options", "乙"),
                ("options", "甲"),
                ("question", "问")
            ]
        );
        assert!(front_texts(Some(&QuizFront::Written(json!("quizzes/a.toml"))), None).is_empty());
    }

    #[test]
    fn templates_see_checked_values_only() {
        assert_eq!(
            serde_json::to_value(QuizFront::Written(json!({"questions": []}))).unwrap(),
            Value::Null
        );
        let case = Case {
            number: 1,
            title: None,
            facts: vec!["事".into()],
            rule: vec!["规".into()],
            outcome: vec![],
            lesson: vec!["训".into()],
        };
        let value = serde_json::to_value(CaseFront::Ready(vec![case])).unwrap();
        assert_eq!(value[0]["facts"], json!(["事"]));
    }
}
