//! The lines where quiz and case values are written, so that problems name the line of the
//! user's file. serde values carry no positions, so the source text is read again: headers and
//! keys in TOML (`[[quiz.questions]]`, `answer = …`), keys and list items in block YAML
//! (`questions:`, `- kind: …`). Flow forms (`questions = [{…}]`) fall back to the enclosing
//! table's line, which is still the right place to look.

/// The text that holds a quiz or a case: front matter (values under a top-level key such as
/// `quiz`) or a data file (values at the top level).
#[derive(Debug, Clone)]
pub struct Lines<'a> {
    lines: Vec<&'a str>,
    /// Lines of the file before `lines[0]`.
    offset: usize,
    yaml: bool,
}

/// A path of keys from the top of the text: `["quiz", "questions"]`.
pub type Path<'p> = &'p [&'p str];

impl<'a> Lines<'a> {
    /// `text` in TOML or YAML, `offset` lines into its file.
    pub fn new(text: &'a str, offset: usize, yaml: bool) -> Lines<'a> {
        Lines {
            lines: text.lines().collect(),
            offset,
            yaml,
        }
    }

    /// The file line (1-based) of 0-based index `index`.
    fn file_line(&self, index: usize) -> usize {
        index + 1 + self.offset
    }

    /// The file line where `path` is set or its table starts, if found.
    pub fn of(&self, path: Path<'_>) -> Option<usize> {
        let index = if self.yaml {
            self.yaml_key(path).map(|(i, _)| i)
        } else {
            self.toml_key(path)
        };
        index.map(|i| self.file_line(i))
    }

    /// The file line of item `item` (0-based) of the list at `path`, if found.
    pub fn item(&self, path: Path<'_>, item: usize) -> Option<usize> {
        self.item_range(path, item).map(|(start, _)| self.file_line(start))
    }

    /// The file line of `key` inside item `item` of the list at `path`, if found.
    pub fn item_key(&self, path: Path<'_>, item: usize, key: &str) -> Option<usize> {
        let (start, end) = self.item_range(path, item)?;
        (start..end)
            .find(|&i| {
                let line = self.lines[i].trim_start();
                if self.yaml {
                    is_yaml_key(line.strip_prefix('-').map_or(line, str::trim_start), key)
                } else {
                    i > start && is_toml_key(line, key)
                }
            })
            .map(|i| self.file_line(i))
    }

    /// The best line for item `item` of `path`: the item, else the list, else the first enclosing
    /// table found; 0 ("the file") when none is found.
    pub fn item_or_parent(&self, path: Path<'_>, item: usize) -> usize {
        self.item(path, item).unwrap_or_else(|| self.nearest(path))
    }

    /// The best line for `key` of item `item`: its line, else the item's.
    pub fn item_key_or_item(&self, path: Path<'_>, item: usize, key: &str) -> usize {
        self.item_key(path, item, key).unwrap_or_else(|| self.item_or_parent(path, item))
    }

    /// The line of `path`, else of its nearest enclosing table; 0 when none is found.
    pub fn nearest(&self, path: Path<'_>) -> usize {
        (1..=path.len()).rev().find_map(|n| self.of(&path[..n])).unwrap_or(0)
    }

    /// Start (the item's own line) and end (exclusive) indices of item `item` of `path`.
    fn item_range(&self, path: Path<'_>, item: usize) -> Option<(usize, usize)> {
        let starts = if self.yaml { self.yaml_items(path) } else { self.toml_items(path) };
        let start = *starts.get(item)?;
        let end = match starts.get(item + 1) {
            Some(&next) => next,
            None if self.yaml => self
                .yaml_key(path)
                .map_or(self.lines.len(), |(i, indent)| self.yaml_block_end(i, indent)),
            None => self.toml_section_end(start),
        };
        Some((start, end))
    }

    /// `[[a.b]]` headers of the array of tables at `path`.
    fn toml_items(&self, path: Path<'_>) -> Vec<usize> {
        let header = format!("[[{}]]", path.join("."));
        (0..self.lines.len())
            .filter(|&i| header_name(self.lines[i]) == Some(header.as_str()))
            .collect()
    }

    /// The end (exclusive) of the TOML table whose header is at `start`.
    fn toml_section_end(&self, start: usize) -> usize {
        (start + 1..self.lines.len())
            .find(|&i| header_name(self.lines[i]).is_some())
            .unwrap_or(self.lines.len())
    }

    fn toml_key(&self, path: Path<'_>) -> Option<usize> {
        let (last, parent) = path.split_last()?;
        let dotted = path.join(".");
        // A header of its own: `[a.b]`, `[[a.b]]`, or a sub-table `[a.b.c]` when only those exist.
        let header = (0..self.lines.len()).find(|&i| {
            header_name(self.lines[i]).is_some_and(|h| {
                let name = h.trim_matches(['[', ']']).trim();
                name == dotted || name.starts_with(&format!("{dotted}."))
            })
        });
        // `b = …` inside `[a]` (or at the top, before any header).
        let section = if parent.is_empty() {
            Some(0)
        } else {
            let name = format!("[{}]", parent.join("."));
            (0..self.lines.len())
                .find(|&i| header_name(self.lines[i]) == Some(name.as_str()))
                .map(|i| i + 1)
        };
        let key = section.and_then(|start| {
            (start..self.lines.len())
                .take_while(|&i| header_name(self.lines[i]).is_none())
                .find(|&i| is_toml_key(self.lines[i].trim_start(), last))
        });
        match (key, header) {
            (Some(k), Some(h)) => Some(k.min(h)),
            (k, h) => k.or(h),
        }
    }

    /// Index and indentation of the line setting `path` in block YAML.
    fn yaml_key(&self, path: Path<'_>) -> Option<(usize, usize)> {
        let mut range = (0, self.lines.len());
        let mut found = None;
        let mut parent_indent: Option<usize> = None;
        for key in path {
            let (start, end) = range;
            let at = (start..end).find(|&i| {
                let line = self.lines[i];
                let indent = indentation(line);
                // Front matter and data files start their keys in the first column.
                parent_indent.map_or(indent == 0, |p| indent > p) && is_yaml_key(line.trim_start(), key)
            })?;
            let indent = indentation(self.lines[at]);
            found = Some((at, indent));
            parent_indent = Some(indent);
            range = (at + 1, self.yaml_block_end(at, indent));
        }
        found
    }

    /// The end (exclusive) of the block of the key at `at` with indentation `indent`: the next
    /// line that is less indented, or as indented and not a list item.
    fn yaml_block_end(&self, at: usize, indent: usize) -> usize {
        (at + 1..self.lines.len())
            .find(|&i| {
                let line = self.lines[i];
                let content = line.trim_start();
                if content.is_empty() || content.starts_with('#') {
                    return false;
                }
                let here = indentation(line);
                here < indent || (here == indent && !is_item(content))
            })
            .unwrap_or(self.lines.len())
    }

    /// The `- ` lines of the list at `path` in block YAML.
    fn yaml_items(&self, path: Path<'_>) -> Vec<usize> {
        let Some((at, indent)) = self.yaml_key(path) else {
            return Vec::new();
        };
        let end = self.yaml_block_end(at, indent);
        let first = (at + 1..end).find(|&i| {
            let content = self.lines[i].trim_start();
            !content.is_empty() && !content.starts_with('#')
        });
        let Some(first) = first.filter(|&i| is_item(self.lines[i].trim_start())) else {
            return Vec::new();
        };
        let item_indent = indentation(self.lines[first]);
        (first..end)
            .filter(|&i| indentation(self.lines[i]) == item_indent && is_item(self.lines[i].trim_start()))
            .collect()
    }
}

/// The header (`[a]` or `[[a.b]]`, without comments) a TOML line is, if it is one.
fn header_name(line: &str) -> Option<&str> {
    let line = line.trim();
    let line = match line.find(" #") {
        Some(i) => line[..i].trim_end(),
        None => line,
    };
    (line.starts_with('[') && line.ends_with(']') && !line.contains(['=', '"', '\''])).then_some(line)
}

fn is_toml_key(line: &str, key: &str) -> bool {
    let line = line.trim_start_matches(['"', '\'']);
    line.strip_prefix(key)
        .is_some_and(|rest| rest.trim_start_matches(['"', '\'']).trim_start().starts_with('='))
}

fn is_yaml_key(content: &str, key: &str) -> bool {
    let content = content.trim_start_matches(['"', '\'']);
    content
        .strip_prefix(key)
        .is_some_and(|rest| rest.trim_start_matches(['"', '\'']).trim_start().starts_with(':'))
}

fn is_item(content: &str) -> bool {
    content == "-" || content.starts_with("- ")
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOML: &str = "title = \"测试\"
[quiz]
[[quiz.questions]]
kind = \"单选\"
question = \"一\"
options = [
  \"甲\",
  \"乙\",
]
answer = \"B\"

[[quiz.questions]]
kind = \"判断\"
answer = \"对\"
[taxonomies]
tags = [\"a\"]
";

    #[test]
    fn toml_items_and_keys() {
        let lines = Lines::new(TOML, 1, false);
        let q: Path = &["quiz", "questions"];
        assert_eq!(lines.of(&["quiz"]), Some(3));
        assert_eq!(lines.of(q), Some(4));
        assert_eq!(lines.item(q, 0), Some(4));
        assert_eq!(lines.item(q, 1), Some(13));
        assert_eq!(lines.item(q, 2), None);
        assert_eq!(lines.item_key(q, 0, "answer"), Some(11));
        assert_eq!(lines.item_key(q, 1, "answer"), Some(15));
        assert_eq!(lines.item_key(q, 1, "options"), None);
        assert_eq!(lines.item_key_or_item(q, 1, "options"), 13);
        assert_eq!(lines.item_or_parent(q, 5), 4);
    }

    #[test]
    fn toml_inline_and_data_file_forms() {
        let lines = Lines::new("title = \"a\"\nquiz = \"quizzes/a.toml\"\n", 1, false);
        assert_eq!(lines.of(&["quiz"]), Some(3));
        let lines = Lines::new(
            "# 说明\n[[questions]]\nkind = \"多选\"\n[[questions]] # 第二题\nanswer = \"AB\"\n",
            0,
            false,
        );
        assert_eq!(lines.item(&["questions"], 1), Some(4));
        assert_eq!(lines.item_key(&["questions"], 1, "answer"), Some(5));
        let lines = Lines::new("[[case]]\nfacts = \"a\"\n[[case]]\nrule = \"b\"\n", 2, false);
        assert_eq!(lines.item(&["case"], 1), Some(5));
        assert_eq!(lines.item_key(&["case"], 1, "rule"), Some(6));
        assert_eq!(lines.of(&["case"]), Some(3));
        let lines = Lines::new("[quiz]\nquestions = []\n", 0, false);
        assert_eq!(lines.of(&["quiz", "questions"]), Some(2));
        assert_eq!(lines.nearest(&["quiz", "missing"]), 1);
    }

    #[test]
    fn yaml_items_and_keys() {
        let yaml = "title: 测试
quiz:
  questions:
    - kind: 单选
      question: 一
      options:
        - 甲
        - 乙
      answer: B
    # 第二题
    - kind: 判断
      answer: 对
tags: [a]
";
        let lines = Lines::new(yaml, 1, true);
        let q: Path = &["quiz", "questions"];
        assert_eq!(lines.of(&["quiz"]), Some(3));
        assert_eq!(lines.of(q), Some(4));
        assert_eq!(lines.item(q, 0), Some(5));
        assert_eq!(lines.item(q, 1), Some(12));
        assert_eq!(lines.item(q, 2), None);
        assert_eq!(lines.item_key(q, 0, "kind"), Some(5));
        assert_eq!(lines.item_key(q, 0, "answer"), Some(10));
        assert_eq!(lines.item_key(q, 1, "answer"), Some(13));
        assert_eq!(lines.item_key(q, 1, "options"), None);
    }

    #[test]
    fn yaml_lists_at_the_key_indentation() {
        let yaml = "questions:\n- kind: 单选\n  answer: A\n- kind: 多选\n  answer: AB\nother: 1\n";
        let lines = Lines::new(yaml, 0, true);
        assert_eq!(lines.item(&["questions"], 1), Some(4));
        assert_eq!(lines.item_key(&["questions"], 1, "answer"), Some(5));
        assert_eq!(lines.item(&["questions"], 2), None);
        let lines = Lines::new("case:\n  facts: a\n  lesson: b\n", 0, true);
        assert_eq!(lines.of(&["case", "lesson"]), Some(3));
    }
}
