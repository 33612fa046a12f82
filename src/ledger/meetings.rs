//! Meetings recorded in front matter, and the branch names of every page, checked against
//! `data/branches.toml`:
//!
//! ```toml
//! [taxonomies]
//! branches = ["机关第一党支部"]
//! [meeting]
//! kind = "党课"              # or a list: ["组织生活会", "民主评议党员"] for one sitting of both
//! date = 2025-03-18          # default: the page's date
//! attendees = 21
//! absent = 2
//! topic = "…"
//! ```
//!
//! Problems name the file and the line of the value; the front matter is read again only for
//! pages that have one, so a site without meetings pays one look-up per branch name.

use std::cell::OnceCell;
use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};

use crate::content::date::PageDate;
use crate::content::front_matter::{key_line_in_table, split};
use crate::content::{Library, Page};
use crate::diagnostic::Diagnostic;
use crate::ledger::branches::{self, Branches};
use crate::ledger::{Kind, TAXONOMY};

/// Rule id of problems with meeting records.
pub const RULE: &str = "meeting";

/// The `[meeting]` table of a page's front matter, as written.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingFront {
    /// The kind (支部党员大会, 支委会, 党小组会, 党课, 主题党日, 组织生活会, 民主评议党员), or a
    /// list of kinds held in one sitting.
    #[serde(default, deserialize_with = "one_or_many")]
    pub kind: Vec<String>,
    /// The day it was held; the page's date when absent.
    pub date: Option<PageDate>,
    /// Members who attended (出席).
    pub attendees: Option<i64>,
    /// Members who were absent (缺席, on leave included).
    pub absent: Option<i64>,
    /// Its subject (主题).
    pub topic: Option<String>,
}

fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    match OneOrMany::deserialize(deserializer) {
        Ok(OneOrMany::One(kind)) => Ok(vec![kind]),
        Ok(OneOrMany::Many(kinds)) => Ok(kinds),
        Err(_) => Err(serde::de::Error::custom(
            "the kind of meeting is text like \"党课\", or a list like [\"组织生活会\", \"民主评议党员\"]",
        )),
    }
}

/// A meeting that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    /// Index of the page reporting it in [`Library::pages`].
    pub page: usize,
    /// Index of its branch in [`Branches::list`].
    pub branch: usize,
    /// What was held (one sitting may count as several kinds), in [`Kind::ALL`] order.
    pub kinds: Vec<Kind>,
    /// The day.
    pub date: NaiveDate,
    /// Members who attended.
    pub attendees: u32,
    /// Members who were absent.
    pub absent: u32,
    /// Its subject, or the page title.
    pub topic: String,
}

/// The front matter of a page read again, for the lines of its values.
struct Source<'a> {
    site_dir: &'a Path,
    page: &'a Page,
    front: OnceCell<(String, usize)>,
}

impl Source<'_> {
    /// The front matter text and the number of lines before it.
    fn front(&self) -> &(String, usize) {
        self.front.get_or_init(|| {
            let text = std::fs::read(self.site_dir.join(&self.page.file))
                .ok()
                .and_then(|bytes| crate::content::decode::decode_text(&bytes).ok())
                .map(|decoded| decoded.text)
                .unwrap_or_default();
            // The page was parsed once already, so this does not fail; line 0 ("the file") if it does.
            split(&self.page.file, &text).map_or((String::new(), 0), |s| (s.front.to_string(), s.front_line_offset))
        })
    }

    /// The line of the `[meeting]` table (or of `meeting:`), else 0.
    fn meeting_line(&self) -> usize {
        let (front, offset) = self.front();
        front
            .lines()
            .position(|line| {
                let line = line.trim();
                line == "[meeting]"
                    || line
                        .strip_prefix("meeting")
                        .is_some_and(|rest| rest.trim_start().starts_with([':', '=']))
            })
            .map_or(0, |i| i + 1 + offset)
    }

    /// The line of `key` inside `[meeting]`, else the table's line.
    fn key_line(&self, key: &str) -> usize {
        let (front, offset) = self.front();
        key_line_in_table(front, "meeting", key).map_or_else(|| self.meeting_line(), |line| line + offset)
    }

    /// Line and column of `name` in the page's branch list, else the line of the list.
    fn name_position(&self, name: &str) -> (usize, usize) {
        let (front, offset) = self.front();
        let start = key_line_in_table(front, "taxonomies", TAXONOMY).unwrap_or(1);
        let quoted = format!("\"{name}\"");
        let found = front.lines().enumerate().skip(start - 1).find_map(|(i, line)| {
            let at = line.find(&quoted).map(|at| at + 1).or_else(|| line.find(name))?;
            Some((i + 1 + offset, line[..at].chars().count() + 1))
        });
        found.unwrap_or((if front.is_empty() { 0 } else { start + offset }, 0))
    }

    fn error(&self, rule: &'static str, line: usize, column: usize, message: String) -> Diagnostic {
        Diagnostic::error(rule, self.page.file.clone(), line, column, message)
    }
}

/// Pages that record a meeting on a site without `data/branches.toml`.
pub fn without_branches_file(site_dir: &Path, library: &Library) -> Vec<Diagnostic> {
    library
        .pages
        .iter()
        .filter(|page| page.front.meeting.is_some())
        .map(|page| {
            let source = Source {
                site_dir,
                page,
                front: OnceCell::new(),
            };
            source
                .error(
                    RULE,
                    source.meeting_line(),
                    0,
                    "the page records a meeting, but the site has no data/branches.toml".to_string(),
                )
                .with_hint(
                    "list the branches in data/branches.toml ([[branch]] with name, slug and members): meetings are counted per branch",
                )
        })
        .collect()
}

/// Checks the branch names of every page and collects the meetings, by date.
pub fn collect(site_dir: &Path, library: &Library, branches: &Branches) -> (Vec<Meeting>, Vec<Diagnostic>) {
    let mut meetings = Vec::new();
    let mut diagnostics = Vec::new();
    for (index, page) in library.pages.iter().enumerate() {
        let names = page.front.taxonomies.get(TAXONOMY);
        if names.is_none() && page.front.meeting.is_none() {
            continue;
        }
        let source = Source {
            site_dir,
            page,
            front: OnceCell::new(),
        };
        for name in names.into_iter().flatten() {
            if branches.find(name).is_none() {
                diagnostics.push(unknown_branch(&source, name, branches));
            }
        }
        if let Some(front) = &page.front.meeting
            && let Some(meeting) = check_meeting(&source, index, front, branches, &mut diagnostics)
        {
            meetings.push(meeting);
        }
    }
    meetings.sort_by(|a, b| (a.date, &library.pages[a.page].path).cmp(&(b.date, &library.pages[b.page].path)));
    (meetings, diagnostics)
}

fn unknown_branch(source: &Source<'_>, name: &str, branches: &Branches) -> Diagnostic {
    let (line, column) = source.name_position(name);
    let hint = match branches.closest(name) {
        Some(closest) => format!("did you mean `{closest}`? Otherwise add the branch to data/branches.toml"),
        None if branches.list.len() <= 10 => format!(
            "use a name from data/branches.toml ({}), or add the branch there",
            branches.list.iter().map(|b| b.name.as_str()).collect::<Vec<_>>().join(", ")
        ),
        None => "use a name from data/branches.toml, or add the branch there".to_string(),
    };
    source
        .error(
            branches::RULE,
            line,
            column,
            format!("`{}` is not a branch in data/branches.toml", name.trim()),
        )
        .with_hint(hint)
}

/// The meeting of one page, or `None` with its problems added to `diagnostics`.
fn check_meeting(
    source: &Source<'_>,
    page_index: usize,
    front: &MeetingFront,
    branches: &Branches,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Meeting> {
    let found_before = diagnostics.len();
    let page = source.page;
    let kinds_hint = |closest: Option<Kind>| match closest {
        Some(kind) => format!("did you mean `{}`? The kinds are {}", kind.name(), Kind::list()),
        None => format!("the kinds are {}", Kind::list()),
    };
    let mut kinds = Vec::new();
    if front.kind.iter().all(|k| k.trim().is_empty()) {
        diagnostics.push(
            source
                .error(RULE, source.key_line("kind"), 0, "the meeting has no `kind`".to_string())
                .with_hint(format!("write kind = \"党课\", for example; {}", kinds_hint(None))),
        );
    }
    for written in front.kind.iter().filter(|k| !k.trim().is_empty()) {
        match Kind::from_name(written) {
            Some(kind) => kinds.push(kind),
            None => diagnostics.push(
                source
                    .error(
                        RULE,
                        source.key_line("kind"),
                        0,
                        format!("`{}` is not a kind of meeting", written.trim()),
                    )
                    .with_hint(kinds_hint(Kind::closest(written))),
            ),
        }
    }
    kinds.sort_unstable();
    kinds.dedup();
    let date = front.date.or(page.date).map(|d| d.day());
    if date.is_none() {
        diagnostics.push(
            source
                .error(
                    RULE,
                    source.meeting_line(),
                    0,
                    "the meeting has no date, and neither has the page".to_string(),
                )
                .with_hint("add the day it was held: date = 2025-03-18 under [meeting] or at the top of the front matter"),
        );
    }
    let count_hint = "write how many members attended (attendees = 21) and how many were absent, on leave included (absent = 2)";
    let mut count = |key: &str, value: Option<i64>, required: bool| -> Option<u32> {
        let problem = match value {
            None if required => format!("the meeting does not record its `{key}`"),
            None => return Some(0),
            Some(n) if n < 0 => format!("`{key}` is {n}, but a count cannot be negative"),
            Some(0) if required => format!("`{key}` is 0: a meeting needs at least one attendee"),
            Some(n) => match u32::try_from(n) {
                Ok(n) => return Some(n),
                Err(_) => format!("`{key}` is {n}, more than any branch has members"),
            },
        };
        let line = if value.is_some() {
            source.key_line(key)
        } else {
            source.meeting_line()
        };
        diagnostics.push(source.error(RULE, line, 0, problem).with_hint(count_hint));
        None
    };
    let attendees = count("attendees", front.attendees, true);
    let absent = count("absent", front.absent, false);
    let names: Vec<&str> = {
        let mut names: Vec<&str> = page
            .front
            .taxonomies
            .get(TAXONOMY)
            .into_iter()
            .flatten()
            .map(|n| n.trim())
            .collect();
        names.dedup();
        names
    };
    let branch = match names.as_slice() {
        [] => {
            diagnostics.push(
                source
                    .error(RULE, source.meeting_line(), 0, "the meeting names no branch".to_string())
                    .with_hint("name the branch that held it under [taxonomies]: branches = [\"…\"]"),
            );
            None
        }
        [name] => branches.find(name),
        several => {
            let (line, _) = source.name_position(several[1]);
            let list = several.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
            diagnostics.push(
                source
                    .error(
                        RULE,
                        line,
                        0,
                        format!(
                            "the meeting names {} branches ({list}); a meeting is held by one branch",
                            several.len()
                        ),
                    )
                    .with_hint(
                        "keep the branch that held it; for a joint activity, each branch reports its own meeting on a page of its own",
                    ),
            );
            None
        }
    };
    if let (Some(b), Some(attendees), Some(absent)) = (branch, attendees, absent)
        && let Some(members) = branches.list[b].members
        && u64::from(attendees) + u64::from(absent) > u64::from(members)
    {
        let record = &branches.list[b];
        diagnostics.push(
            source
                .error(
                    RULE,
                    source.key_line("attendees"),
                    0,
                    format!(
                        "attendees ({attendees}) and absent ({absent}) add up to {}, but `{}` has {members} members",
                        u64::from(attendees) + u64::from(absent),
                        record.name
                    ),
                )
                .with_hint(format!(
                    "correct the counts, or the branch's `members` in data/branches.toml (line {})",
                    record.line
                )),
        );
    }
    if diagnostics.len() > found_before || kinds.is_empty() {
        return None;
    }
    Some(Meeting {
        page: page_index,
        branch: branch?,
        kinds,
        date: date?,
        attendees: attendees?,
        absent: absent?,
        topic: front
            .topic
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .unwrap_or(&page.title)
            .to_string(),
    })
}
