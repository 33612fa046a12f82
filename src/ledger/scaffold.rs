//! `dangjian new news TITLE --meeting 党课 --branch SLUG`: the branch and the `[meeting]` table of a
//! new page, checked against `data/branches.toml` before anything is written.

use std::path::Path;

use crate::config::Config;
use crate::ledger::{BRANCHES_FILE, Branches, Kind, TAXONOMY};

/// Fills `front` (the new page's front matter) with the branch named by `branch` (its slug or its
/// name) and, with `meeting`, a `[meeting]` table of that kind whose counts are left for the
/// author. Returns a line for the page's body saying what to fill in.
pub fn fill_new_page(
    site_dir: &Path,
    config: &Config,
    front: &mut toml::Table,
    meeting: Option<&str>,
    branch: Option<&str>,
) -> Result<&'static str, String> {
    let kind = match meeting {
        None => None,
        Some(written) => Some(Kind::from_name(written).ok_or_else(|| {
            let hint = Kind::closest(written).map_or(String::new(), |k| format!("did you mean `{}`? ", k.name()));
            format!("`{written}` is not a kind of meeting; {hint}The kinds are {}", Kind::list())
        })?),
    };
    let path = site_dir.join(BRANCHES_FILE);
    if !path.is_file() {
        return Err(format!(
            "--branch needs {BRANCHES_FILE}, the list of the site's branches; create it with a [[branch]] (name, slug, members) for each branch"
        ));
    }
    let (branches, problems) = Branches::load(&path, site_dir, config);
    let branches = match branches {
        Some(branches) if problems.is_empty() => branches,
        _ => return Err(problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")),
    };
    let known: Vec<String> = branches.list.iter().map(|b| format!("{} ({})", b.slug, b.name)).collect();
    let Some(branch) = branch else {
        return Err(format!(
            "a meeting is held by a branch: add --branch SLUG, one of: {}",
            known.join(", ")
        ));
    };
    let index = branches.by_slug(branch.trim()).or_else(|| branches.find(branch)).ok_or_else(|| {
        let slugs = branches.list.iter().map(|b| b.slug.as_str());
        let closest = crate::ledger::closest_name(branch, slugs).or_else(|| {
            branches
                .closest(branch)
                .and_then(|name| branches.find(name).map(|i| branches.list[i].slug.as_str()))
        });
        let hint = closest.map_or(String::new(), |slug| format!("did you mean `{slug}`? "));
        format!(
            "there is no branch `{branch}` in {BRANCHES_FILE}; {hint}The branches are: {}",
            known.join(", ")
        )
    })?;
    let name = branches.list[index].name.clone();
    let taxonomies = front.entry("taxonomies").or_insert_with(|| toml::Value::Table(toml::Table::new()));
    if let toml::Value::Table(taxonomies) = taxonomies {
        taxonomies.insert(TAXONOMY.to_string(), toml::Value::Array(vec![toml::Value::String(name)]));
    }
    let Some(kind) = kind else {
        return Ok("");
    };
    let mut table = toml::Table::new();
    table.insert("kind".into(), toml::Value::String(kind.name().to_string()));
    table.insert("attendees".into(), toml::Value::Integer(0));
    table.insert("absent".into(), toml::Value::Integer(0));
    table.insert("topic".into(), toml::Value::String(String::new()));
    front.insert("meeting".into(), toml::Value::Table(table));
    Ok(
        "\n会议记录：请在上面的 [meeting] 中填写出席人数（attendees）、缺席人数（absent，含请假）和会议主题（topic）；会议日期默认为稿件日期，另有日期时写 date = 2025-03-18。\n",
    )
}
