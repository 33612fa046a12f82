//! `dangjian deploy`: publishes the site to a folder that nginx (or a file share) serves, in
//! releases that are complete before they go live, switched atomically, and reversible.
//!
//! ```text
//! TARGET/
//!   current -> releases/20250301T083000.000Z-3f9a1c2b7d4e    (nginx's root)
//!   releases/20250301T083000.000Z-3f9a1c2b7d4e/              (one build, manifest.json inside)
//!   releases/20250228T170000.000Z-0c1d2e3f4a5b/              (the previous one, for rollback)
//!   deploy.log                                               (who switched what, when)
//!   .deploy.lock                                             (one deploy at a time)
//! ```
//!
//! A deploy checks the site like `dangjian check` and refuses on errors, builds it into a
//! temporary folder, copies it to `releases/.partial-<name>`, verifies every file against the
//! manifest, renames it into place, switches `current`, and deletes releases beyond `--keep`.
//! Whatever fails before the switch leaves the live release as it was.

mod list;
mod lock;
mod release;
mod switch;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use list::{ReleaseInfo, format_json, format_table, list};
pub use release::Hooks;

use crate::diagnostic::Diagnostic;
use crate::output::manifest::Manifest;
use crate::site::{self, BuildError, BuildOptions};
use release::{RELEASES, Release};

/// What `dangjian deploy` is asked to do.
#[derive(Debug, Clone)]
pub struct DeployOptions {
    /// The site folder.
    pub site_dir: PathBuf,
    /// The deploy target (nginx serves `TARGET/current`).
    pub target: PathBuf,
    /// How many releases to keep (the live one and the one before it are always kept).
    pub keep: usize,
    /// How long to wait for another deploy to the same target.
    pub wait: Duration,
    /// Test hooks from the environment.
    pub hooks: Hooks,
}

/// How a deploy ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A new release was copied and switched to.
    Copied,
    /// The live release already has this content: nothing was copied or switched.
    AlreadyLive,
    /// A kept release had this content; it was verified and switched to, without copying.
    Reused,
}

/// The result of a deploy that did not fail.
#[derive(Debug)]
pub struct Deployed {
    /// The release now live.
    pub release: String,
    /// The release live before, if any.
    pub previous: Option<String>,
    /// What happened.
    pub action: Action,
    /// Pages and files of the live release.
    pub pages: usize,
    /// Files, the manifest included.
    pub files: usize,
    /// Releases deleted because of `--keep`.
    pub pruned: Vec<String>,
    /// Warnings of the check, and problems after the switch that did not undo it.
    pub warnings: Vec<Diagnostic>,
    /// Notes for the administrator (leftovers cleaned up, pruning trouble).
    pub notes: Vec<String>,
}

/// Why nothing was deployed; the live release is unchanged in every case.
#[derive(Debug)]
pub enum DeployError {
    /// The site has errors (`dangjian check` would fail): every diagnostic, warnings included.
    Refused(Vec<Diagnostic>),
    /// A step failed.
    Failed(String),
}

impl From<String> for DeployError {
    fn from(message: String) -> Self {
        DeployError::Failed(message)
    }
}

/// Checks, builds and publishes the site as a new release of `options.target`. `progress` gets
/// a line for each step.
pub fn deploy(options: &DeployOptions, progress: &dyn Fn(&str)) -> Result<Deployed, DeployError> {
    let target = options.target.as_path();
    std::fs::create_dir_all(target.join(RELEASES)).map_err(|e| format!("cannot create {}: {e}", target.join(RELEASES).display()))?;
    let _lock = lock::acquire(target, options.wait, progress)?;
    let mut notes = cleanup(target)?;
    let live = switch::live(target)?;

    progress("checking the site (发布前检查)…");
    let build_options = BuildOptions {
        site_dir: options.site_dir.clone(),
        base_url: None,
        drafts: false,
        now: chrono::Local::now().naive_local(),
        include_unreviewed: false,
    };
    let report = site::check_report(&build_options, false);
    if report.diagnostics.iter().any(Diagnostic::is_error) {
        return Err(DeployError::Refused(report.diagnostics));
    }
    // The build finds no warning that the check did not report already.
    let warnings = report.diagnostics;

    progress("building (生成网站)…");
    let scratch = Scratch::new()?;
    let built = scratch.dir.join("site");
    match site::build(&build_options, &built) {
        Ok(_) => {}
        Err(BuildError::Content(diagnostics)) => return Err(DeployError::Refused(diagnostics)),
        Err(BuildError::Io(e)) => return Err(DeployError::Failed(format!("building the site failed: {e}"))),
    }
    let manifest = Manifest::read(&built)?;

    let releases = release::scan(target).map_err(|e| format!("cannot read {}: {e}", target.join(RELEASES).display()))?;
    let same = |r: &&Release| Manifest::read(&target.join(RELEASES).join(&r.name)).is_ok_and(|m| m.content_hash == manifest.content_hash);
    let deployed = |release: String, action: Action, pruned: Vec<String>, notes: Vec<String>| Deployed {
        release,
        previous: live.clone(),
        action,
        pages: manifest.pages.len(),
        files: manifest.files.len() + 1,
        pruned,
        warnings: warnings.clone(),
        notes,
    };
    if let Some(live) = &live
        && let Some(release) = releases.iter().find(|r| &r.name == live).filter(same)
    {
        return Ok(deployed(release.name.clone(), Action::AlreadyLive, Vec::new(), notes));
    }

    let name = release::new_name(chrono::Utc::now().naive_utc(), &releases, &manifest.content_hash);
    let action = if let Some(existing) = releases.iter().rev().find(same) {
        // Not live, so nothing serves it: it is verified and renamed to a new name, making it the
        // latest release, so that a rollback from it goes to the release live before it.
        progress(&format!(
            "the content equals release {}; verifying it instead of copying…",
            existing.name
        ));
        let from = target.join(RELEASES).join(&existing.name);
        release::verify(&from)?;
        std::fs::rename(&from, target.join(RELEASES).join(&name)).map_err(|e| format!("renaming {}: {e}", from.display()))?;
        if let Err(e) = switch::switch(target, &name) {
            let _ = std::fs::rename(target.join(RELEASES).join(&name), &from);
            return Err(DeployError::Failed(format!(
                "switching {} failed: {e}",
                target.join(switch::CURRENT).display()
            )));
        }
        Action::Reused
    } else {
        progress(&format!(
            "copying {} files to {} (复制)…",
            manifest.files.len() + 1,
            target.join(RELEASES).join(&name).display()
        ));
        let partial =
            release::copy(&built, target, &name, &manifest, options.hooks).map_err(|e| format!("copying the release failed: {e}"))?;
        progress("verifying every file against manifest.json (校验)…");
        release::verify(partial.dir())?;
        let final_dir = partial
            .finish(target, &name)
            .map_err(|e| format!("naming the release {name} failed: {e}"))?;
        if let Err(e) = switch::switch(target, &name) {
            let _ = std::fs::remove_dir_all(&final_dir);
            return Err(DeployError::Failed(format!(
                "switching {} failed: {e}",
                target.join(switch::CURRENT).display()
            )));
        }
        Action::Copied
    };
    log(
        target,
        if action == Action::Copied { "deploy" } else { "deploy-reused" },
        live.as_deref(),
        &name,
        &mut notes,
    );
    let pruned = prune(target, &name, options.keep, &mut notes);
    Ok(deployed(name, action, pruned, notes))
}

/// Switches `TARGET/current` back to the release deployed before the live one, after verifying
/// it; the release rolled back from is kept, marked `.rolled-back`. Returns (from, to).
pub fn rollback(target: &Path, wait: Duration, progress: &dyn Fn(&str)) -> Result<(String, String), String> {
    if !target.join(RELEASES).is_dir() {
        return Err(format!("{} holds no releases: deploy first", target.display()));
    }
    let _lock = lock::acquire(target, wait, progress)?;
    let mut notes = cleanup(target)?;
    let live = switch::live(target)?.ok_or_else(|| format!("nothing is live in {}: there is nothing to roll back", target.display()))?;
    let releases = release::scan(target).map_err(|e| format!("cannot read {}: {e}", target.join(RELEASES).display()))?;
    let Some(previous) = switch::previous(&releases, &live) else {
        return Err(format!(
            "there is no release before {live} to roll back to (dangjian deploy --list shows them)"
        ));
    };
    progress(&format!("verifying {} (校验)…", previous.name));
    release::verify(&target.join(RELEASES).join(&previous.name))?;
    switch::switch(target, &previous.name).map_err(|e| format!("switching {} failed: {e}", target.join(switch::CURRENT).display()))?;
    // Marked so that neither a second rollback nor pruning's "previous" picks it again.
    let from = target.join(RELEASES).join(&live);
    if releases.iter().any(|r| r.name == live && !r.rolled_back) {
        let marked = target.join(RELEASES).join(format!("{live}{}", release::ROLLED_BACK));
        if let Err(e) = std::fs::rename(&from, &marked) {
            notes.push(format!("could not mark {live} as rolled back: {e}"));
        }
    }
    log(target, "rollback", Some(&live), &previous.name, &mut notes);
    for note in notes {
        progress(&note);
    }
    Ok((live, previous.name.clone()))
}

/// Removes what an interrupted deploy left; returns notes for the administrator.
fn cleanup(target: &Path) -> Result<Vec<String>, String> {
    switch::remove_leftovers(target);
    let removed = release::remove_leftovers(target).map_err(|e| format!("cannot clean up {}: {e}", target.join(RELEASES).display()))?;
    Ok(removed
        .into_iter()
        .map(|name| format!("removed {name}, left by an interrupted deploy"))
        .collect())
}

/// Deletes releases beyond `keep`; a failure is a note, since the new release is live already.
fn prune(target: &Path, live: &str, keep: usize, notes: &mut Vec<String>) -> Vec<String> {
    let releases = match release::scan(target) {
        Ok(releases) => releases,
        Err(e) => {
            notes.push(format!("old releases were not pruned: {e}"));
            return Vec::new();
        }
    };
    let mut pruned = Vec::new();
    for release in switch::to_prune(&releases, Some(live), keep.max(1)) {
        match switch::remove(target, release) {
            Ok(()) => pruned.push(release.name.clone()),
            Err(e) => notes.push(format!("could not delete release {}: {e} (the next deploy retries)", release.name)),
        }
    }
    pruned
}

/// Appends a line to `TARGET/deploy.log`: when, what, from which release to which, by whom (留痕).
fn log(target: &Path, action: &str, from: Option<&str>, to: &str, notes: &mut Vec<String>) {
    let user = ["SUDO_USER", "USER", "USERNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "unknown".to_string());
    let line = format!(
        "{} {action} {} -> {to} by {user}\n",
        chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ"),
        from.unwrap_or("(none)")
    );
    let path = target.join("deploy.log");
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| file.write_all(line.as_bytes()));
    if let Err(e) = written {
        notes.push(format!("could not write {}: {e}", path.display()));
    }
}

/// A temporary folder for the build, deleted when dropped.
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new() -> Result<Scratch, String> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let temp = std::env::temp_dir();
        remove_stale_scratch(&temp);
        let dir = temp.join(format!("dangjian-deploy-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        Ok(Scratch { dir })
    }
}

/// Deletes build folders of deploys that were killed (their process is gone).
fn remove_stale_scratch(temp: &Path) {
    let Ok(entries) = std::fs::read_dir(temp) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix("dangjian-deploy-").and_then(|rest| rest.split('-').next()) else {
            continue;
        };
        // Without /proc (not Linux) nothing is known about other processes: leave them.
        if Path::new("/proc/self").exists() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
