//! The study plan (学习计划): the study materials that carry a `[study]` table, by the day they
//! are due.
//!
//! ```toml
//! [study]
//! due = 2026-03-31     # 完成时限; without it the material is 长期学习 (no deadline)
//! required = false     # 选学; the default is 必学
//! ```
//!
//! The plan belongs to the top-level section that holds the pages with `[study]` (`content/study/`
//! in the example site) and lives under it, at `/study/plan/`. A `[study]` on a page of another
//! top-level section is an error: the plan would silently leave it out, or move.
//! How the section is chosen, and why: docs/decisions/0009-study-plan-topics-notices.md.

use std::path::Path;

use chrono::{Datelike, NaiveDate};

use crate::content::Library;
use crate::content::front_matter::{read_again, table_line};
use crate::diagnostic::Diagnostic;

/// Rule id of problems with `[study]`.
pub const RULE: &str = "study";

/// One material of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanEntry {
    /// Index into [`Library::pages`].
    pub page: usize,
    /// The day it should be studied by; `None` for 长期学习.
    pub due: Option<NaiveDate>,
    /// 必学 (true) or 选学.
    pub required: bool,
}

/// The materials of one calendar month of due dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Month<'a> {
    /// Year.
    pub year: i32,
    /// Month, 1 to 12.
    pub month: u32,
    /// Its materials, by due date.
    pub entries: Vec<&'a PlanEntry>,
}

/// The study plan of a site.
#[derive(Debug, Clone)]
pub struct StudyPlan {
    /// Index into [`Library::sections`] of the top-level section the plan belongs to.
    pub section: usize,
    /// Site path of the plan page: the section's path and `plan/` ("/study/plan/").
    pub path: String,
    /// The materials by due date (those without one last), required before optional, then by file.
    pub entries: Vec<PlanEntry>,
    /// The build date: what is due this month, what is past.
    pub today: NaiveDate,
}

impl StudyPlan {
    /// The plan of `library`, `None` when no published page has `[study]`; with an error for
    /// each `[study]` outside the plan's section and a warning for a due date before the page's
    /// own date. Expired pages are left out of the plan like out of every list.
    pub fn collect(site_dir: &Path, library: &Library, today: NaiveDate) -> (Option<StudyPlan>, Vec<Diagnostic>) {
        let studied: Vec<(usize, usize)> = library
            .pages
            .iter()
            .enumerate()
            .filter(|(_, page)| page.front.study.is_some())
            .map(|(index, page)| (index, top_section(library, &page.section)))
            .collect();
        let Some(section) = plan_section(&studied) else {
            return (None, Vec::new());
        };
        let mut diagnostics = Vec::new();
        let home = &library.sections[section];
        let mut entries = Vec::new();
        for &(index, top) in &studied {
            let page = &library.pages[index];
            if top != section {
                let (front, offset) = read_again(site_dir, &page.file);
                let line = table_line(&front, "study").map_or(0, |l| l + offset);
                diagnostics.push(
                    Diagnostic::error(
                        RULE,
                        page.file.clone(),
                        line,
                        usize::from(line > 0),
                        format!(
                            "`[study]` puts a page in the study plan of {}, but this page is in {}",
                            folder(&home.relative_path),
                            folder(&library.sections[top].relative_path)
                        ),
                    )
                    .with_hint(format!(
                        "the study plan lists the materials of one section: move the page into {}, or remove its [study] table",
                        folder(&home.relative_path)
                    )),
                );
                continue;
            }
            // `[study]` is there: the filter above kept only such pages.
            let Some(study) = &page.front.study else { continue };
            let due = study.due.map(|d| d.day());
            if let (Some(due), Some(date)) = (due, page.date)
                && due < date.day()
            {
                let (front, offset) = read_again(site_dir, &page.file);
                let line = crate::content::front_matter::key_line_in_table(&front, "study", "due").map_or(0, |l| l + offset);
                diagnostics.push(
                    Diagnostic::warning(
                        RULE,
                        page.file.clone(),
                        line,
                        usize::from(line > 0),
                        format!("the material is due on {due}, before its own date {}", date.day()),
                    )
                    .with_hint("check the year and month of `due` under [study]"),
                );
            }
            if !page.expired {
                entries.push(PlanEntry {
                    page: index,
                    due,
                    required: study.required,
                });
            }
        }
        entries.sort_by(|a, b| {
            // Materials without a due date come last.
            let key = |e: &PlanEntry| (e.due.is_none(), e.due, !e.required);
            key(a)
                .cmp(&key(b))
                .then_with(|| library.pages[a.page].relative_path.cmp(&library.pages[b.page].relative_path))
        });
        let plan = StudyPlan {
            section,
            path: format!("{}plan/", home.path),
            entries,
            today,
        };
        (Some(plan), diagnostics)
    }

    /// Site path of the plan's Atom feed.
    pub fn feed_path(&self) -> String {
        format!("{}atom.xml", self.path)
    }

    /// The materials with a due date, grouped by its month, oldest first.
    pub fn months(&self) -> Vec<Month<'_>> {
        let mut months: Vec<Month<'_>> = Vec::new();
        for entry in &self.entries {
            let Some(due) = entry.due else { continue };
            match months.last_mut() {
                Some(last) if (last.year, last.month) == (due.year(), due.month()) => last.entries.push(entry),
                _ => months.push(Month {
                    year: due.year(),
                    month: due.month(),
                    entries: vec![entry],
                }),
            }
        }
        months
    }

    /// The materials without a due date (长期学习).
    pub fn ongoing(&self) -> impl Iterator<Item = &PlanEntry> {
        self.entries.iter().filter(|e| e.due.is_none())
    }

    /// The materials due in the month of the build date.
    pub fn this_month(&self) -> impl Iterator<Item = &PlanEntry> {
        let today = self.today;
        self.entries
            .iter()
            .filter(move |e| e.due.is_some_and(|d| (d.year(), d.month()) == (today.year(), today.month())))
    }
}

/// The top-level section holding `section` (a section right under the home page, or the home
/// page itself for its own pages).
fn top_section(library: &Library, section: &str) -> usize {
    let mut current = library.section_index.get(section).copied().unwrap_or(0);
    while let Some(parent) = library.sections[current].parent.as_deref() {
        let Some(&p) = library.section_index.get(parent) else { break };
        if library.sections[p].parent.is_none() {
            break;
        }
        current = p;
    }
    current
}

/// The section holding most of the pages with `[study]`; on a tie, the one first in the content
/// folder. `studied` is (page, its top-level section).
fn plan_section(studied: &[(usize, usize)]) -> Option<usize> {
    let mut counts: Vec<(usize, usize)> = Vec::new();
    for &(_, section) in studied {
        match counts.iter_mut().find(|(s, _)| *s == section) {
            Some((_, n)) => *n += 1,
            None => counts.push((section, 1)),
        }
    }
    // Sections are numbered in folder order, so the lowest index wins a tie.
    counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|(s, _)| s)
}

/// "study/_index.md" → "content/study/"; "_index.md" → "content/".
fn folder(relative: &str) -> String {
    format!("content/{}", relative.trim_end_matches("_index.md"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_section_with_most_materials_holds_the_plan() {
        assert_eq!(plan_section(&[]), None);
        assert_eq!(plan_section(&[(0, 3), (1, 2), (2, 3)]), Some(3));
        assert_eq!(plan_section(&[(0, 3), (1, 2)]), Some(2), "a tie goes to the first folder");
        assert_eq!(folder("study/_index.md"), "content/study/");
        assert_eq!(folder("_index.md"), "content/");
    }

    #[test]
    fn months_group_by_due_date() {
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d);
        let entry = |page, due| PlanEntry { page, due, required: true };
        let plan = StudyPlan {
            section: 1,
            path: "/study/plan/".into(),
            entries: vec![entry(0, day(3, 5)), entry(1, day(3, 31)), entry(2, day(11, 2)), entry(3, None)],
            today: day(11, 27).unwrap(),
        };
        let months: Vec<(u32, Vec<usize>)> = plan
            .months()
            .iter()
            .map(|m| (m.month, m.entries.iter().map(|e| e.page).collect()))
            .collect();
        assert_eq!(months, [(3, vec![0, 1]), (11, vec![2])]);
        assert_eq!(plan.this_month().map(|e| e.page).collect::<Vec<_>>(), [2]);
        assert_eq!(plan.ongoing().map(|e| e.page).collect::<Vec<_>>(), [3]);
        assert_eq!(plan.feed_path(), "/study/plan/atom.xml");
    }
}
