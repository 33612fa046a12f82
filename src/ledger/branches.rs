//! `data/branches.toml`: the Party branches of the bureau, checked with the line of each problem.
//!
//! ```toml
//! [[branch]]
//! name = "机关第一党支部"            # as pages name it under [taxonomies] branches
//! slug = "ji-guan-di-yi-dang-zhi-bu"  # its address: /branches/<slug>/ (default: from the name)
//! secretary = "赵明远"
//! members = 23
//! founded = 1984-07-01
//! description = "…"
//! photo = "/images/branches/jiguan-1.jpg"   # optional, a file under static/
//! photo_alt = "…"                           # optional, what the photo shows
//! ```
//!
//! Only `name` is required: a site that keeps a short list for its templates still builds.

use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;
use toml::Spanned;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, line_col};
use crate::ledger::BRANCHES_FILE;

/// Rule id of problems with branches: in `data/branches.toml`, or a page naming an unknown branch.
pub const RULE: &str = "branch";

/// Branches for the checks shared with topics.
const KIND: crate::content::named::EntryKind = crate::content::named::EntryKind {
    rule: RULE,
    file: BRANCHES_FILE,
    noun: "branch",
    taxonomy: "branches",
    slug_example: "ji-guan-di-yi-dang-zhi-bu",
    static_hint: "put the photo in the site's static/ folder and write its path from there, like /images/branch.jpg",
};

/// One branch as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BranchSpec {
    name: Option<Spanned<String>>,
    slug: Option<Spanned<String>>,
    secretary: Option<String>,
    members: Option<Spanned<u32>>,
    founded: Option<Spanned<toml::value::Datetime>>,
    description: Option<String>,
    photo: Option<Spanned<String>>,
    photo_alt: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BranchesFile {
    #[serde(default)]
    branch: Vec<BranchSpec>,
}

/// A Party branch (党支部).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    /// Its name, as pages name it in `[taxonomies] branches`.
    pub name: String,
    /// URL segment of its page, `/branches/<slug>/`.
    pub slug: String,
    /// 支部书记.
    pub secretary: String,
    /// Number of members, when given: attendance cannot exceed it.
    pub members: Option<u32>,
    /// Founding date: no meeting is required before it.
    pub founded: Option<NaiveDate>,
    /// A paragraph about the branch.
    pub description: String,
    /// Site path of a photo under `static/`.
    pub photo: Option<String>,
    /// What the photo shows (its alt text).
    pub photo_alt: String,
    /// Line of its `name` in the file, for messages.
    pub line: usize,
}

/// The branches of the file, in its order.
#[derive(Debug, Clone, Default)]
pub struct Branches {
    /// In file order.
    pub list: Vec<Branch>,
    names: crate::content::named::NameIndex,
}

impl Branches {
    /// Reads and checks the file at `path`. `None` when it cannot be read as TOML at all; with
    /// smaller problems the branches that are sound are kept, so pages are still checked.
    pub fn load(path: &Path, site_dir: &Path, config: &Config) -> (Option<Branches>, Vec<Diagnostic>) {
        let text = match KIND.read(path) {
            Ok(text) => text,
            Err(error) => return (None, vec![error]),
        };
        Branches::parse(&text, site_dir, config)
    }

    /// Parses the text of `data/branches.toml`; `site_dir` is where photos are looked for.
    pub fn parse(text: &str, site_dir: &Path, config: &Config) -> (Option<Branches>, Vec<Diagnostic>) {
        let file: BranchesFile = match toml::from_str(text) {
            Ok(file) => file,
            Err(e) => return (None, vec![crate::config::toml_diagnostic(RULE, BRANCHES_FILE, text, 0, &e)]),
        };
        let mut diagnostics = Vec::new();
        let mut branches = Branches::default();
        for (i, spec) in file.branch.into_iter().enumerate() {
            let Some((name, line, slug, slug_line)) = KIND.name_and_slug(
                text,
                "[[branch]]",
                i,
                spec.name,
                spec.slug.as_ref(),
                config.slugify,
                &mut diagnostics,
            ) else {
                continue;
            };
            let sound = branches.names.check(&KIND, &name, line, &slug, slug_line, &mut diagnostics);
            let founded = spec.founded.and_then(|founded| {
                let day = founded
                    .get_ref()
                    .date
                    .and_then(|d| NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into()));
                if day.is_none() || founded.get_ref().time.is_some() {
                    diagnostics.push(
                        Diagnostic::error(
                            RULE,
                            BRANCHES_FILE,
                            line_col(text, founded.span().start).0,
                            0,
                            "`founded` must be a day",
                        )
                        .with_hint("write the founding date without quotes, like founded = 2019-03-18"),
                    );
                }
                day
            });
            let photo = spec
                .photo
                .map(|photo| KIND.static_file(text, site_dir, "photo", &photo, &mut diagnostics));
            if !sound {
                continue;
            }
            branches.names.insert(&name, &slug, line);
            branches.list.push(Branch {
                photo_alt: spec.photo_alt.unwrap_or_else(|| name.clone()),
                name,
                slug,
                secretary: spec.secretary.unwrap_or_default(),
                members: spec.members.map(Spanned::into_inner),
                founded,
                description: spec.description.unwrap_or_default(),
                photo,
                line,
            });
        }
        (Some(branches), diagnostics)
    }

    /// The index of the branch called `name` (surrounding spaces ignored).
    pub fn find(&self, name: &str) -> Option<usize> {
        self.names.by_name(name)
    }

    /// The index of the branch with this slug.
    pub fn by_slug(&self, slug: &str) -> Option<usize> {
        self.names.by_slug(slug)
    }

    /// The name closest to `name`, for hints.
    pub fn closest(&self, name: &str) -> Option<&str> {
        crate::ledger::closest_name(name, self.list.iter().map(|b| b.name.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Option<Branches>, Vec<String>) {
        let config = Config::parse("base_url = \"http://h\"").unwrap();
        let (branches, diagnostics) = Branches::parse(text, Path::new("/nonexistent"), &config);
        (branches, diagnostics.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn reads_branches_with_defaults() {
        let (branches, errors) = parse(
            "[[branch]]\nname = \"机关第一党支部\"\nmembers = 23\nfounded = 1984-07-01\n\n[[branch]]\nname = \"监测中心党支部\"\nslug = \"jc\"\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        let branches = branches.unwrap();
        assert_eq!(branches.list[0].slug, "ji-guan-di-yi-dang-zhi-bu");
        assert_eq!(branches.list[0].members, Some(23));
        assert_eq!(branches.list[0].founded, NaiveDate::from_ymd_opt(1984, 7, 1));
        assert_eq!(branches.list[1].line, 7);
        assert_eq!(branches.find(" 监测中心党支部"), Some(1));
        assert_eq!(branches.by_slug("jc"), Some(1));
    }

    #[test]
    fn problems_name_their_line() {
        let (branches, errors) = parse(
            "[[branch]]\nname = \"甲党支部\"\nslug = \"a\"\n[[branch]]\nsecretary = \"王\"\n[[branch]]\nname = \"乙党支部\"\nslug = \"a\"\n[[branch]]\nname = \"甲党支部\"\nslug = \"b\"\nfounded = 2020-01-01T08:00:00\n[[branch]]\nname = \"丙\"\nslug = \"x/y\"\n",
        );
        assert_eq!(branches.unwrap().list.len(), 1);
        assert_eq!(
            errors,
            [
                "data/branches.toml:4: error[branch]: branch 2 has no `name`\n  = hint: add name = \"…\", the name its pages write under [taxonomies] branches",
                "data/branches.toml:8: error[branch]: slug `a` of `乙党支部` is also the slug of `甲党支部` (line 2)\n  = hint: give each branch its own slug: it is the address of the branch's page, /branches/<slug>/",
                "data/branches.toml:10: error[branch]: branch `甲党支部` is listed twice (also on line 2)\n  = hint: keep one entry per branch",
                "data/branches.toml:12: error[branch]: `founded` must be a day\n  = hint: write the founding date without quotes, like founded = 2019-03-18",
                "data/branches.toml:15: error[branch]: slug `x/y` of `丙` cannot be an address\n  = hint: use lowercase letters, digits and hyphens, e.g. slug = \"ji-guan-di-yi-dang-zhi-bu\"",
            ]
        );
        let (branches, errors) = parse("[[branch]]\nname = \"甲\"\nmember = 3\n");
        assert!(branches.is_none());
        assert!(
            errors[0].starts_with("data/branches.toml:3:1: error[branch]: unknown field `member`"),
            "{errors:?}"
        );
        assert!(errors[0].contains("did you mean `members`?"), "{errors:?}");
    }
}
