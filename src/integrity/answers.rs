//! The options and answers of quiz questions as authors write them: option lists (with a letter
//! copied from a paper quiz dropped), letters in any of the usual spellings ("B", "A、C、D", "ａｂ")
//! and 对/错 for true/false questions.

use serde_json::Value;

use crate::integrity::quiz::{Choice, Kind, Place};

/// The options of a choice question, or `None` with their problems reported.
pub(crate) fn choices(value: &Value, number: usize, line: usize, error: &mut impl FnMut(usize, String, String)) -> Option<Vec<Choice>> {
    let list_hint = "list the options in order, without letters: options = [\"……\", \"……\", \"……\", \"……\"]".to_string();
    let Value::Array(items) = value else {
        error(line, format!("question {number}: `options` is not a list"), list_hint);
        return None;
    };
    if items.len() < 2 {
        error(
            line,
            format!(
                "question {number} has {} option(s); a choice question needs at least 2",
                items.len()
            ),
            list_hint,
        );
        return None;
    }
    if items.len() > 26 {
        error(
            line,
            format!("question {number} has {} options; at most 26 (A to Z) can be lettered", items.len()),
            "split the question, or keep the options that matter".to_string(),
        );
        return None;
    }
    let mut choices = Vec::new();
    let mut fine = true;
    for (i, item) in items.iter().enumerate() {
        let letter = letter(i);
        let text = text_of(item).map(|t| strip_letter(t.trim(), letter).to_string());
        match text {
            Some(text) if !text.is_empty() => {
                if let Some(same) = choices.iter().find(|c: &&Choice| c.text == text) {
                    error(
                        line,
                        format!("question {number}: options {} and {letter} are the same (`{text}`)", same.key),
                        "each option needs a text of its own; remove the repeated one".to_string(),
                    );
                    fine = false;
                }
                choices.push(Choice {
                    key: letter.to_string(),
                    text,
                    correct: false,
                });
            }
            _ => {
                error(
                    line,
                    format!("question {number}: option {letter} is empty"),
                    "write the text of every option, or remove the empty one".to_string(),
                );
                fine = false;
            }
        }
    }
    fine.then_some(choices)
}

/// The right options of a choice question, by index, or `None` with the problem reported.
pub(crate) fn choice_answer(
    value: &Value,
    kind: Kind,
    options: usize,
    number: usize,
    line: usize,
    place: &Place<'_>,
    error: &mut impl FnMut(usize, String, String),
) -> Option<Vec<usize>> {
    let written = match value {
        Value::Array(items) => items.iter().filter_map(text_of).collect::<Vec<_>>().concat(),
        other => text_of(other).unwrap_or_default(),
    };
    let last = letter(options - 1);
    let example = if kind == Kind::Multiple { "ACD" } else { "B" };
    let Some(mut picked) = letters(&written) else {
        error(
            line,
            format!("question {number}: the answer `{}` is not option letters", written.trim()),
            format!(
                "write the letters of the right options (A to {last}): {}",
                place.example("answer", example)
            ),
        );
        return None;
    };
    if picked.is_empty() {
        error(
            line,
            format!("question {number} has an empty `answer`"),
            format!(
                "write the letters of the right options (A to {last}): {}",
                place.example("answer", example)
            ),
        );
        return None;
    }
    if let Some(&outside) = picked.iter().find(|&&i| i >= options) {
        error(
            line,
            format!(
                "question {number}: answer `{}` is not an option; the question has {options} options, A to {last}",
                letter(outside)
            ),
            format!(
                "write the letters of the right options (A to {last}): {}",
                place.example("answer", example)
            ),
        );
        return None;
    }
    picked.sort_unstable();
    picked.dedup();
    let shown: String = picked.iter().map(|&i| letter(i)).collect();
    match (kind, picked.len()) {
        (Kind::Single, n) if n > 1 => {
            error(
                line,
                format!(
                    "question {number} is {} but its answer `{shown}` names {n} options",
                    kind.described()
                ),
                format!(
                    "a single-choice question has one right option; if several are right, write {}",
                    place.example("kind", "多选")
                ),
            );
            None
        }
        (Kind::Multiple, 1) => {
            error(
                line,
                format!(
                    "question {number} is {} but its answer `{shown}` names one option",
                    kind.described()
                ),
                format!(
                    "a multiple-choice question has two or more right options; if only one is right, write {}",
                    place.example("kind", "单选")
                ),
            );
            None
        }
        _ => Some(picked),
    }
}

/// Indices of the letters in `answer` ("B", "ACD", "A、C、D", "a,c"); `None` if it holds anything
/// but letters and separators.
fn letters(answer: &str) -> Option<Vec<usize>> {
    let mut picked = Vec::new();
    for c in answer.chars() {
        if c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；' | '.' | '．' | '/' | '／') {
            continue;
        }
        // Full-width letters (Ａ, ｂ) as typed with a Chinese input method.
        let c = match c {
            'Ａ'..='Ｚ' | 'ａ'..='ｚ' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        };
        let c = c.to_ascii_uppercase();
        if !c.is_ascii_uppercase() {
            return None;
        }
        picked.push(c as usize - 'A' as usize);
    }
    Some(picked)
}

/// The answer of a true/false question: 对 (true) or 错 (false) in the usual spellings.
pub(crate) fn judge_answer(value: &Value) -> Option<bool> {
    if let Value::Bool(b) = value {
        return Some(*b);
    }
    match text_of(value)?.trim().to_lowercase().as_str() {
        "对" | "正确" | "√" | "✓" | "✔" | "true" => Some(true),
        "错" | "错误" | "×" | "✗" | "✘" | "x" | "false" => Some(false),
        _ => None,
    }
}

/// The letter of option `index`: A for 0.
fn letter(index: usize) -> char {
    // At most 26 options get here, so the letter is within A to Z.
    char::from(b'A' + (index % 26) as u8)
}

/// `text` without a leading "A．", "A、", "(A)" or "A " naming `letter`, which authors often copy
/// from a paper quiz.
fn strip_letter(text: &str, letter: char) -> &str {
    let full_width = char::from_u32(letter as u32 + 0xFEE0).unwrap_or(letter);
    for open in ["", "(", "（"] {
        let Some(rest) = text.strip_prefix(open) else { continue };
        let Some(rest) = rest.strip_prefix(letter).or_else(|| rest.strip_prefix(full_width)) else {
            continue;
        };
        let closers: &[char] = if open.is_empty() {
            &['.', '．', '、', ':', '：', ')', '）', ' ', '　']
        } else {
            &[')', '）']
        };
        if let Some(rest) = rest.strip_prefix(closers) {
            return rest.trim_start_matches([' ', '　']);
        }
    }
    text
}

/// A text value; numbers count as text (an option may be written `5`).
pub(crate) fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_and_prefixes() {
        assert_eq!(letters("A、C、D"), Some(vec![0, 2, 3]));
        assert_eq!(letters("ａｂ"), Some(vec![0, 1]));
        assert_eq!(letters("A和B"), None);
        assert_eq!(strip_letter("Ａ．甲", 'A'), "甲");
        assert_eq!(strip_letter("B 乙", 'B'), "乙");
        assert_eq!(strip_letter("B、乙", 'A'), "B、乙");
        assert_eq!(strip_letter("(C) 丙", 'C'), "丙");
    }
}
