//! Branches and the organization-life ledger (三会一课台账).
//!
//! `data/branches.toml` lists the Party branches; news pages record meetings in a `[meeting]`
//! table of their front matter. From these the build checks every branch name and meeting record
//! (rules `branch` and `meeting`), makes the branch pages of the `branches` taxonomy use the slugs
//! of the file, and writes the ledger: `/ledger/` and `/ledger/<year>/` (HTML), `ledger.json` and
//! `ledger-<year>.csv`. A site without `data/branches.toml` has none of this, and pays nothing.
//!
//! How "required" is counted (docs/decisions/0008-ledger.md): a kind held monthly is required
//! once in every month of the year that has begun by the build date and did not end before the
//! branch was founded; the same for quarters and years. A required period with no meeting is
//! missed once it has ended, and pending while it runs.

pub mod branches;
pub mod meetings;
pub mod output;
pub mod scaffold;
pub mod table;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::content::Library;
use crate::diagnostic::Diagnostic;
use crate::render::taxonomy::{Taxonomy, Term};

pub use branches::{Branch, Branches};
pub use meetings::{Meeting, MeetingFront};
pub use output::{LedgerJob, register_functions, render};

/// The taxonomy whose terms are the branches.
pub const TAXONOMY: &str = "branches";

/// The file listing the branches, relative to the site.
pub const BRANCHES_FILE: &str = "data/branches.toml";

/// A kind of organization life (组织生活), as the branch work regulations name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Kind {
    /// 支部党员大会: all members of the branch.
    #[serde(rename = "支部党员大会")]
    MembersMeeting,
    /// 支委会: the branch committee.
    #[serde(rename = "支委会")]
    CommitteeMeeting,
    /// 党小组会: a Party group of the branch.
    #[serde(rename = "党小组会")]
    GroupMeeting,
    /// 党课: a Party lecture.
    #[serde(rename = "党课")]
    Lecture,
    /// 主题党日: the monthly theme day.
    #[serde(rename = "主题党日")]
    ThemeDay,
    /// 组织生活会: the organization-life meeting (criticism and self-criticism).
    #[serde(rename = "组织生活会")]
    LifeMeeting,
    /// 民主评议党员: the democratic appraisal of members.
    #[serde(rename = "民主评议党员")]
    MemberAppraisal,
}

impl Kind {
    /// Every kind, in the order the ledger shows them.
    pub const ALL: [Kind; 7] = [
        Kind::MembersMeeting,
        Kind::CommitteeMeeting,
        Kind::GroupMeeting,
        Kind::Lecture,
        Kind::ThemeDay,
        Kind::LifeMeeting,
        Kind::MemberAppraisal,
    ];

    /// The Chinese name, as written in front matter and shown to readers.
    pub fn name(self) -> &'static str {
        match self {
            Kind::MembersMeeting => "支部党员大会",
            Kind::CommitteeMeeting => "支委会",
            Kind::GroupMeeting => "党小组会",
            Kind::Lecture => "党课",
            Kind::ThemeDay => "主题党日",
            Kind::LifeMeeting => "组织生活会",
            Kind::MemberAppraisal => "民主评议党员",
        }
    }

    /// The kind called `name` (surrounding spaces ignored).
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name.trim())
    }

    /// How often the 《中国共产党支部工作条例（试行）》 asks for it: the three meetings and the
    /// lecture (三会一课) and the theme day as written there; the organization-life meeting and
    /// the appraisal of members once a year, as they are usually held together.
    pub fn default_frequency(self) -> Frequency {
        match self {
            Kind::MembersMeeting | Kind::Lecture => Frequency::Quarterly,
            Kind::CommitteeMeeting | Kind::GroupMeeting | Kind::ThemeDay => Frequency::Monthly,
            Kind::LifeMeeting | Kind::MemberAppraisal => Frequency::Yearly,
        }
    }

    /// The kind whose name is closest to `name`, for hints: common short forms first
    /// (党员大会, 支部委员会…), then the nearest spelling.
    pub fn closest(name: &str) -> Option<Kind> {
        let name = name.trim();
        let alias = match name {
            "党员大会" | "支部大会" | "支部党员会" => Some(Kind::MembersMeeting),
            "支部委员会" | "支委会议" | "支部委员会会议" | "支委" => Some(Kind::CommitteeMeeting),
            "党小组" | "小组会" | "党小组会议" => Some(Kind::GroupMeeting),
            "专题党课" | "讲党课" | "上党课" => Some(Kind::Lecture),
            "党日" | "党日活动" | "主题党日活动" => Some(Kind::ThemeDay),
            "组织生活" | "专题组织生活会" | "民主生活会" => Some(Kind::LifeMeeting),
            "民主评议" | "评议党员" => Some(Kind::MemberAppraisal),
            _ => None,
        };
        alias.or_else(|| closest_name(name, Kind::ALL.iter().map(|k| k.name())).and_then(Kind::from_name))
    }

    /// All names, for messages: "支部党员大会, 支委会, …".
    pub fn list() -> String {
        Kind::ALL.map(Kind::name).join(", ")
    }
}

/// How often a kind of meeting is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Frequency {
    /// Once in every calendar month.
    Monthly,
    /// Once in every calendar quarter.
    Quarterly,
    /// Once in every calendar year.
    Yearly,
    /// Not required: meetings of the kind are listed but never missed.
    #[serde(rename = "none")]
    NotRequired,
}

impl Frequency {
    /// The label readers see (每月, 每季度, 每年, 不作要求).
    pub fn label(self) -> &'static str {
        match self {
            Frequency::Monthly => "每月",
            Frequency::Quarterly => "每季度",
            Frequency::Yearly => "每年",
            Frequency::NotRequired => "不作要求",
        }
    }
}

/// `[ledger]` in config.toml: the organization-life ledger (三会一课台账), written when the site
/// has `data/branches.toml`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LedgerConfig {
    /// How often each kind of meeting is required, replacing the default of that kind:
    /// `required = { "党小组会" = "quarterly", "民主评议党员" = "none" }`. Values: "monthly",
    /// "quarterly", "yearly", "none". Defaults: 支部党员大会 and 党课 quarterly; 支委会, 党小组会
    /// and 主题党日 monthly; 组织生活会 and 民主评议党员 yearly.
    pub required: BTreeMap<Kind, Frequency>,
}

impl LedgerConfig {
    /// The frequency in force for `kind`.
    pub fn frequency(&self, kind: Kind) -> Frequency {
        self.required.get(&kind).copied().unwrap_or_else(|| kind.default_frequency())
    }
}

/// The branches, the meetings and what the ledger needs to count them.
#[derive(Debug, Clone)]
pub struct Ledger {
    /// The branches of `data/branches.toml`, in its order.
    pub branches: Branches,
    /// Every meeting recorded by a published page, by date.
    pub meetings: Vec<Meeting>,
    /// The frequency of each kind, in [`Kind::ALL`] order.
    pub frequencies: [Frequency; 7],
    /// The build date: periods after it are not required yet.
    pub today: NaiveDate,
    /// Years with at least one meeting, oldest first.
    pub years: Vec<i32>,
    /// Whether the config declares the `branches` taxonomy (so branch pages exist).
    pub branch_pages: bool,
}

impl Ledger {
    /// Reads `data/branches.toml` and the meetings of `library`, with every problem of both. `None`
    /// when the site has no such file (then a page with a `[meeting]` is an error) or it cannot be
    /// read.
    pub fn load(site_dir: &Path, config: &Config, library: &Library, today: NaiveDate) -> (Option<Ledger>, Vec<Diagnostic>) {
        let path = site_dir.join(BRANCHES_FILE);
        if !path.is_file() {
            return (None, meetings::without_branches_file(site_dir, library));
        }
        let (branches, mut diagnostics) = Branches::load(&path, site_dir, config);
        let Some(branches) = branches else {
            return (None, diagnostics);
        };
        let (meetings, found) = meetings::collect(site_dir, library, &branches);
        diagnostics.extend(found);
        let mut years: Vec<i32> = meetings.iter().map(|m| m.date.year()).collect();
        years.sort_unstable();
        years.dedup();
        let ledger = Ledger {
            frequencies: Kind::ALL.map(|k| config.ledger.frequency(k)),
            branches,
            meetings,
            today,
            years,
            branch_pages: config.taxonomy(TAXONOMY).is_some(),
        };
        (Some(ledger), diagnostics)
    }

    /// The frequency in force for `kind`.
    pub fn frequency(&self, kind: Kind) -> Frequency {
        self.frequencies[kind as usize]
    }

    /// The latest year with meetings.
    pub fn latest_year(&self) -> Option<i32> {
        self.years.last().copied()
    }

    /// Makes the terms of the `branches` taxonomy the branches of the file, in its order and with
    /// its slugs, each with the pages that name it: every branch has its page, even before its
    /// first news, and its address stays when its name is spelled in a new way.
    pub fn branch_terms(&self, library: &Library, taxonomies: &mut [Taxonomy]) {
        let Some(taxonomy) = taxonomies.iter_mut().find(|t| t.config.name == TAXONOMY) else {
            return;
        };
        let mut terms: Vec<Term> = self
            .branches
            .list
            .iter()
            .map(|b| Term {
                name: b.name.clone(),
                slug: b.slug.clone(),
                path: format!("{}{}/", taxonomy.path, b.slug),
                pages: Vec::new(),
            })
            .collect();
        for (index, page) in library.pages.iter().enumerate() {
            for name in page.front.taxonomies.get(TAXONOMY).into_iter().flatten() {
                // Pages come in index order, so a page naming a branch twice is the last one added.
                if let Some(b) = self.branches.find(name)
                    && terms[b].pages.last() != Some(&index)
                {
                    terms[b].pages.push(index);
                }
            }
        }
        for term in &mut terms {
            crate::content::sort_pages(&mut term.pages, &library.pages, crate::content::front_matter::SortBy::Date);
        }
        taxonomy.terms = terms;
    }

    /// Indices into [`Ledger::meetings`] of the meetings of `branch` in `year`, by date.
    pub fn meetings_of(&self, branch: usize, year: i32) -> impl Iterator<Item = usize> + '_ {
        self.meetings
            .iter()
            .enumerate()
            .filter(move |(_, m)| m.branch == branch && m.date.year() == year)
            .map(|(i, _)| i)
    }
}

/// The candidate closest to `name` when it is close enough to be a slip (a few characters off,
/// or one contains the other), for hints.
pub fn closest_name<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let name = name.trim();
    candidates
        .map(|c| {
            let distance = strsim::damerau_levenshtein(name, c);
            let contained = !name.is_empty() && (c.contains(name) || name.contains(c));
            (if contained { 0 } else { distance }, c)
        })
        .filter(|(distance, c)| *distance <= 2.max(c.chars().count() / 2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_suggestions() {
        assert_eq!(Kind::from_name(" 党课 "), Some(Kind::Lecture));
        assert_eq!(Kind::from_name("党员大会"), None);
        assert_eq!(Kind::closest("党员大会"), Some(Kind::MembersMeeting));
        assert_eq!(Kind::closest("主题党曰"), Some(Kind::ThemeDay));
        assert_eq!(Kind::closest("组织生活会议"), Some(Kind::LifeMeeting));
        assert_eq!(Kind::closest("篮球比赛"), None);
        assert_eq!(
            Kind::ALL.iter().map(|k| *k as usize).collect::<Vec<_>>(),
            (0..7).collect::<Vec<_>>()
        );
    }

    #[test]
    fn config_replaces_defaults_per_kind() {
        let config =
            Config::parse("base_url = \"http://h\"\n[ledger]\nrequired = { \"党小组会\" = \"quarterly\", \"民主评议党员\" = \"none\" }\n")
                .unwrap();
        assert_eq!(config.ledger.frequency(Kind::GroupMeeting), Frequency::Quarterly);
        assert_eq!(config.ledger.frequency(Kind::MemberAppraisal), Frequency::NotRequired);
        assert_eq!(config.ledger.frequency(Kind::CommitteeMeeting), Frequency::Monthly);
        let err = Config::parse("base_url = \"http://h\"\n[ledger]\nrequired = { \"支部大会\" = \"monthly\" }\n").unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        assert!(err.message.contains("支部大会"), "{err}");
        let err = Config::parse("base_url = \"http://h\"\n[ledger]\nrequired = { \"党课\" = \"weekly\" }\n").unwrap_err();
        assert!(err.message.contains("weekly"), "{err}");
        // The config is a template value too: kinds become keys.
        assert_eq!(config.template_value()["ledger"]["required"]["党小组会"], "quarterly");
    }

    #[test]
    fn closest_names() {
        let names = ["机关第一党支部", "机关第二党支部", "水生态环境党支部"];
        assert_eq!(closest_name("机关一支部", names.into_iter()), Some("机关第一党支部"));
        assert_eq!(closest_name("水生态环境支部", names.into_iter()), Some("水生态环境党支部"));
        assert_eq!(closest_name("老干部党支部", names.into_iter()), None);
    }
}
