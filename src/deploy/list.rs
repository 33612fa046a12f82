//! `dangjian deploy --list`: the releases of a target with their time, size and which is live.

use std::path::Path;

use serde::Serialize;

use super::release::{self, RELEASES};
use super::switch;
use crate::output::manifest::Manifest;

/// One release as `--list` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseInfo {
    /// Folder name under `releases/`.
    pub name: String,
    /// When it was deployed, ISO 8601 UTC.
    pub deployed_at: String,
    /// When it was built (from its manifest).
    pub built_at: Option<String>,
    /// Published pages.
    pub pages: Option<usize>,
    /// Files, the manifest included.
    pub files: Option<usize>,
    /// Total size in bytes.
    pub size: Option<u64>,
    /// The site's git commit when it was built.
    pub git_commit: Option<String>,
    /// Whether `current` points to it.
    pub live: bool,
    /// Whether it was rolled back.
    pub rolled_back: bool,
    /// Why its manifest could not be read, if it could not.
    pub problem: Option<String>,
}

/// The releases of `target`, oldest first.
pub fn list(target: &Path) -> Result<Vec<ReleaseInfo>, String> {
    if !target.is_dir() {
        return Err(format!("{} does not exist", target.display()));
    }
    let live = switch::live(target)?;
    let releases = release::scan(target).map_err(|e| format!("cannot read {}: {e}", target.join(RELEASES).display()))?;
    Ok(releases
        .into_iter()
        .map(|release| {
            let manifest = Manifest::read(&target.join(RELEASES).join(&release.name));
            let found = manifest.as_ref().ok();
            ReleaseInfo {
                deployed_at: release.time.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                built_at: found.map(|m| m.built_at.clone()),
                pages: found.map(|m| m.pages.len()),
                files: found.map(|m| m.files.len() + 1),
                size: found.map(|m| m.files.iter().map(|f| f.size).sum()),
                git_commit: found.and_then(|m| m.git.as_ref()).map(|g| g.commit.clone()),
                live: live.as_deref() == Some(release.name.as_str()),
                rolled_back: release.rolled_back,
                problem: manifest.err(),
                name: release.name,
            }
        })
        .collect())
}

/// The releases as a table for the terminal, the live one marked.
pub fn format_table(target: &Path, releases: &[ReleaseInfo]) -> String {
    if releases.is_empty() {
        return format!("no releases in {} yet (尚未发布)\n", target.display());
    }
    let name_width = releases.iter().map(|r| r.name.len()).max().unwrap_or(0);
    let mut text = format!(
        "{:<name_width$}  {:<19}  {:>6}  {:>6}  {:>9}\n",
        "release", "deployed (UTC)", "pages", "files", "size"
    );
    let or_dash = |n: Option<String>| n.unwrap_or_else(|| "-".to_string());
    for release in releases {
        let mark = if release.live {
            "  <- live (当前)"
        } else if release.rolled_back {
            "  rolled back (已回滚)"
        } else {
            ""
        };
        text.push_str(&format!(
            "{:<name_width$}  {:<19}  {:>6}  {:>6}  {:>9}{mark}\n",
            release.name,
            release.deployed_at.replace('T', " ").trim_end_matches('Z'),
            or_dash(release.pages.map(|n| n.to_string())),
            or_dash(release.files.map(|n| n.to_string())),
            or_dash(release.size.map(human_size)),
        ));
        if let Some(problem) = &release.problem {
            text.push_str(&format!("  ! {problem}\n"));
        }
    }
    if !releases.iter().any(|r| r.live) {
        text.push_str("no release is live (current is missing)\n");
    }
    text
}

/// The releases as a JSON array.
pub fn format_json(releases: &[ReleaseInfo]) -> String {
    // Plain strings, numbers and booleans always serialize.
    serde_json::to_string_pretty(releases).unwrap_or_default()
}

fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(1536), "1.5 KB");
        assert_eq!(human_size(5 * 1024 * 1024), "5.0 MB");
    }
}
