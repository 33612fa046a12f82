//! Warning-education cases (警示教育案例): what happened, the provision it violated, how it was
//! dealt with and the lesson, written in front matter so every case page has the same layout.
//!
//! ```toml
//! [case]
//! facts = """……"""             # 基本案情, one paragraph per line
//! rule = "违反……的规定"          # 违反的规定
//! outcome = "……"                # 处理结果 (optional)
//! lesson = ["……", "……"]         # 警示启示: text, or a list of points
//! ```
//!
//! A bulletin of several cases uses `[[case]]` tables, each with a `title`.

use serde::Serialize;
use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::integrity::lines::Lines;
use crate::integrity::{paragraphs, unknown_key_hint};

/// Rule id of problems with cases.
pub const RULE: &str = "case";

const KEYS: [&str; 5] = ["title", "facts", "rule", "outcome", "lesson"];

/// A checked case, as templates see it (an item of `page.case`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case {
    /// 1-based position on the page.
    pub number: usize,
    /// Its heading; required when a page has several cases.
    pub title: Option<String>,
    /// 基本案情, by paragraph.
    pub facts: Vec<String>,
    /// 违反的规定, by paragraph.
    pub rule: Vec<String>,
    /// 处理结果, by paragraph; empty when not written.
    pub outcome: Vec<String>,
    /// 警示启示, by paragraph or point.
    pub lesson: Vec<String>,
}

/// Checks the `case` value of a page's front matter (a table, or a list of tables); `None` when
/// it has problems, which are added to `diagnostics`.
pub fn parse(value: &Value, file: &str, lines: &Lines<'_>, yaml: bool, diagnostics: &mut Vec<Diagnostic>) -> Option<Vec<Case>> {
    let found_before = diagnostics.len();
    let example = |key: &str, value: &str| {
        if yaml {
            format!("{key}: {value}")
        } else {
            format!("{key} = \"{value}\"")
        }
    };
    let table_hint = if yaml {
        "write the case under `case:` with facts, rule, outcome and lesson".to_string()
    } else {
        "write the case as a [case] table with facts, rule, outcome and lesson".to_string()
    };
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        Value::Object(_) => vec![value],
        _ => Vec::new(),
    };
    if items.is_empty() {
        diagnostics
            .push(Diagnostic::error(RULE, file, lines.nearest(&["case"]), 0, "`case` holds no case".to_string()).with_hint(table_hint));
        return None;
    }
    let several = items.len() > 1;
    let mut cases = Vec::new();
    for (index, item) in items.into_iter().enumerate() {
        let number = index + 1;
        // `[[case]]` items, or the one `[case]` table.
        let in_list = matches!(value, Value::Array(_));
        let item_line = if in_list {
            lines.item_or_parent(&["case"], index)
        } else {
            lines.nearest(&["case"])
        };
        let key_line = |key: &str| {
            if in_list {
                lines.item_key_or_item(&["case"], index, key)
            } else {
                lines.of(&["case", key]).unwrap_or(item_line)
            }
        };
        let name = if several {
            format!("case {number}")
        } else {
            "the case".to_string()
        };
        let mut error =
            |line: usize, message: String, hint: String| diagnostics.push(Diagnostic::error(RULE, file, line, 0, message).with_hint(hint));
        let Value::Object(map) = item else {
            error(item_line, format!("{name} is not a table"), table_hint.clone());
            continue;
        };
        for key in map.keys().filter(|k| !KEYS.contains(&k.as_str())) {
            error(
                key_line(key),
                format!("`{key}` is not a key of a case"),
                unknown_key_hint(key, &KEYS, "case"),
            );
        }
        let mut field = |key: &str, required: bool, hint: String| -> Vec<String> {
            let value = map.get(key).unwrap_or(&Value::Null);
            let text_or_list = matches!(value, Value::Null | Value::String(_) | Value::Number(_))
                || value
                    .as_array()
                    .is_some_and(|items| items.iter().all(|i| i.is_string() || i.is_number()));
            if !text_or_list {
                error(
                    key_line(key),
                    format!("`{key}` of {name} is neither text nor a list of texts"),
                    hint,
                );
                return Vec::new();
            }
            let found = paragraphs(value);
            if found.is_empty() && required {
                let line = if map.contains_key(key) { key_line(key) } else { item_line };
                error(line, format!("{name} has no `{key}`"), hint);
            }
            found
        };
        let title = field(
            "title",
            several,
            format!("when a page has several cases, each needs a title: {}", example("title", "……问题")),
        );
        let facts = field(
            "facts",
            true,
            format!(
                "describe what happened (基本案情), one paragraph per line: {}",
                example("facts", "……")
            ),
        );
        let rule = field(
            "rule",
            true,
            format!(
                "name the provision that was violated (违反的规定): {}",
                example("rule", "违反《中国共产党纪律处分条例》关于廉洁纪律的规定")
            ),
        );
        let outcome = field(
            "outcome",
            false,
            format!("write how it was dealt with (处理结果): {}", example("outcome", "给予党内警告处分")),
        );
        let lesson = field(
            "lesson",
            true,
            format!("write what readers should learn from it (警示启示): {}", example("lesson", "……")),
        );
        cases.push(Case {
            number,
            title: (!title.is_empty()).then(|| title.join(" ")),
            facts,
            rule,
            outcome,
            lesson,
        });
    }
    (diagnostics.len() == found_before).then_some(cases)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(value: Value, text: &str) -> (Option<Vec<Case>>, Vec<String>) {
        let lines = Lines::new(text, 1, false);
        let mut diagnostics = Vec::new();
        let cases = parse(&value, "content/integrity/c.md", &lines, false, &mut diagnostics);
        (
            cases,
            diagnostics
                .iter()
                .map(|d| d.to_string().lines().next().unwrap().to_string())
                .collect(),
        )
    }

    #[test]
    fn one_case_by_paragraph() {
        let value = json!({"facts": "第一段。\n\n第二段。", "rule": "违反规定", "lesson": ["要这样；", "要那样。"]});
        let (cases, problems) = check(value, "");
        assert_eq!(problems, Vec::<String>::new());
        let case = &cases.unwrap()[0];
        assert_eq!(case.facts, ["第一段。", "第二段。"]);
        assert_eq!(case.lesson, ["要这样；", "要那样。"]);
        assert!(case.outcome.is_empty() && case.title.is_none());
    }

    #[test]
    fn problems_name_their_lines() {
        let text = "title = \"通报\"\n[case]\nfacts = \"\"\nrule = 3\nlessons = \"x\"\n";
        let value = json!({"facts": "", "rule": {"a": 1}, "lessons": "x"});
        let (cases, problems) = check(value, text);
        assert!(cases.is_none());
        assert_eq!(
            problems,
            [
                "content/integrity/c.md:6: error[case]: `lessons` is not a key of a case",
                "content/integrity/c.md:4: error[case]: the case has no `facts`",
                "content/integrity/c.md:5: error[case]: `rule` of the case is neither text nor a list of texts",
                "content/integrity/c.md:3: error[case]: the case has no `lesson`",
            ]
        );
    }

    #[test]
    fn several_cases_need_titles() {
        let text = "[[case]]\ntitle = \"一\"\nfacts = \"a\"\nrule = \"b\"\nlesson = \"c\"\n[[case]]\nfacts = \"a\"\nrule = \"b\"\n";
        let value = json!([
            {"title": "一", "facts": "a", "rule": "b", "lesson": "c"},
            {"facts": "a", "rule": "b"},
        ]);
        let (_, problems) = check(value, text);
        assert_eq!(
            problems,
            [
                "content/integrity/c.md:7: error[case]: case 2 has no `title`",
                "content/integrity/c.md:7: error[case]: case 2 has no `lesson`",
            ]
        );
    }
}
