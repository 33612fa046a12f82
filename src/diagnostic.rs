//! One diagnostic type for every problem a user can cause, and one formatter for it.
//!
//! The terminal, the browser overlay and `check --format json` all show the same
//! `path:line:col: error[rule]: message` line followed by a hint.

use std::fmt;
use std::path::PathBuf;

/// How bad a finding is: errors stop a build, warnings are reported only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Reported, the build goes on.
    Warning,
    /// Stops the build (after all errors have been collected).
    Error,
}

/// A problem found in the user's site, located in one of the user's files.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable rule id (`front-matter`, `link`, `template`, …): part of the interface.
    pub rule: &'static str,
    /// The file, relative to the site folder where possible.
    pub file: PathBuf,
    /// 1-based line in the user's file; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based column (in characters); 0 when unknown.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error about `file` at `line`:`column`.
    pub fn error(rule: &'static str, file: impl Into<PathBuf>, line: usize, column: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            rule,
            file: file.into(),
            line,
            column,
            message: message.into(),
            hint: None,
        }
    }

    /// A warning about `file` at `line`:`column`.
    pub fn warning(rule: &'static str, file: impl Into<PathBuf>, line: usize, column: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(rule, file, line, column, message)
        }
    }

    /// The same diagnostic with a hint saying what to do.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        // Forward slashes everywhere so messages are the same on every platform.
        let file = self.file.to_string_lossy().replace('\\', "/");
        write!(f, "{file}")?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        write!(f, ": {severity}[{}]: {}", self.rule, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  = hint: {hint}")?;
        }
        Ok(())
    }
}

/// All diagnostics of a run, in a stable order (by file, then line).
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| (&a.file, a.line, a.column, &a.message).cmp(&(&b.file, b.line, b.column, &b.message)));
}

/// Formats a list of diagnostics for the terminal, with a closing count.
pub fn format_report(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        out.push_str(&d.to_string());
        out.push('\n');
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    if errors > 0 || warnings > 0 {
        out.push_str(&format!("{errors} error(s), {warnings} warning(s)\n"));
    }
    out
}

/// The report of `dangjian check`: diagnostics grouped by file (a blank line between files) and
/// a closing count.
pub fn format_grouped(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    let mut last_file = None;
    for d in diagnostics {
        if last_file.is_some() && last_file != Some(&d.file) {
            out.push('\n');
        }
        last_file = Some(&d.file);
        out.push_str(&d.to_string());
        out.push('\n');
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let files = diagnostics.iter().map(|d| &d.file).collect::<std::collections::BTreeSet<_>>().len();
    if diagnostics.is_empty() {
        out.push_str("no problems found\n");
    } else {
        out.push_str(&format!(
            "\n{errors} error(s), {} warning(s) in {files} file(s)\n",
            diagnostics.len() - errors
        ));
    }
    out
}

/// The report of `dangjian check --format json`: an array of
/// `{"file", "line", "column", "severity", "rule", "message", "suggestion"}`.
pub fn to_json(diagnostics: &[Diagnostic]) -> String {
    let items: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| {
            serde_json::json!({
                "file": d.file.to_string_lossy().replace('\\', "/"),
                "line": d.line,
                "column": d.column,
                "severity": d.severity,
                "rule": d.rule,
                "message": d.message,
                "suggestion": d.hint,
            })
        })
        .collect();
    serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_string())
}

/// The 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    // Step back to a char boundary so slicing cannot panic on a byte offset inside a character.
    let mut offset = offset;
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_rule_and_hint() {
        let d = Diagnostic::error("link", "content/news/a.md", 12, 5, "no page at `@/x.md`").with_hint("check the path");
        assert_eq!(
            d.to_string(),
            "content/news/a.md:12:5: error[link]: no page at `@/x.md`\n  = hint: check the path"
        );
    }

    #[test]
    fn whole_file_diagnostic_has_no_position() {
        let d = Diagnostic::warning("encoding", "content/a.md", 0, 0, "GB18030");
        assert_eq!(d.to_string(), "content/a.md: warning[encoding]: GB18030");
    }

    #[test]
    fn grouped_report_and_json() {
        let a = Diagnostic::error("link", "content/a.md", 3, 2, "bad link").with_hint("fix it");
        let b = Diagnostic::warning("encoding", "content/a.md", 0, 0, "GBK");
        let c = Diagnostic::error("front-matter", "content/b.md", 1, 1, "broken");
        let report = format_grouped(&[a.clone(), b, c]);
        assert_eq!(
            report,
            "content/a.md:3:2: error[link]: bad link\n  = hint: fix it\ncontent/a.md: warning[encoding]: GBK\n\ncontent/b.md:1:1: error[front-matter]: broken\n\n2 error(s), 1 warning(s) in 2 file(s)\n"
        );
        assert_eq!(format_grouped(&[]), "no problems found\n");
        let json: serde_json::Value = serde_json::from_str(&to_json(&[a])).unwrap();
        assert_eq!(
            json,
            serde_json::json!([{"file": "content/a.md", "line": 3, "column": 2, "severity": "error", "rule": "link", "message": "bad link", "suggestion": "fix it"}])
        );
    }

    #[test]
    fn line_col_counts_characters() {
        let text = "第一行\n第二行abc";
        assert_eq!(line_col(text, 0), (1, 1));
        let idx = text.find('a').unwrap();
        assert_eq!(line_col(text, idx), (2, 4));
        // An offset inside a multi-byte character does not panic.
        assert_eq!(line_col(text, 1), (1, 1));
        assert_eq!(line_col(text, 10_000), (2, 7));
    }
}
