//! Releases: folders `TARGET/releases/<UTC time>-<content hash>` holding one complete build each,
//! named so that name order is deploy order. Copies are made into `.partial-<name>`, verified
//! file by file against the manifest as read back from disk, synced, and only then renamed to
//! their final name, so a release folder under its final name is always complete.

use std::collections::BTreeSet;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDateTime;
use rayon::prelude::*;

use crate::output::manifest::{self, Manifest};

/// The folder of releases inside the target.
pub const RELEASES: &str = "releases";
/// Prefix of a copy in progress (removed by the next deploy if the process died).
pub const PARTIAL: &str = ".partial-";
/// Prefix of a release being deleted.
pub const TRASH: &str = ".trash-";
/// Suffix of a release that was rolled back: kept, but never the target of another rollback.
pub const ROLLED_BACK: &str = ".rolled-back";

const TIME_FORMAT: &str = "%Y%m%dT%H%M%S%.3fZ";
const HASH_LEN: usize = 12;

/// A release folder found in the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// Folder name: "20250301T083000.000Z-3f9a1c2b7d4e", maybe with [`ROLLED_BACK`].
    pub name: String,
    /// When it was deployed (UTC), from its name.
    pub time: NaiveDateTime,
    /// Whether it was rolled back.
    pub rolled_back: bool,
}

impl Release {
    /// Parses a folder name; `None` for anything this tool did not name (left alone).
    pub fn parse(name: &str) -> Option<Release> {
        let (base, rolled_back) = match name.strip_suffix(ROLLED_BACK) {
            Some(base) => (base, true),
            None => (name, false),
        };
        let (time, hash) = base.split_once('-')?;
        if hash.len() != HASH_LEN || !hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return None;
        }
        let time = NaiveDateTime::parse_from_str(time, TIME_FORMAT).ok()?;
        Some(Release {
            name: name.to_string(),
            time,
            rolled_back,
        })
    }
}

/// The name of a new release of `content_hash` deployed at `now`: later than every existing
/// release even if the clock went back, so that name order stays deploy order.
pub fn new_name(now: NaiveDateTime, existing: &[Release], content_hash: &str) -> String {
    let latest = existing.iter().map(|r| r.time).max();
    // Names carry milliseconds; a release named in the same millisecond as the latest, or
    // earlier, is put one millisecond after it.
    let now = now.and_utc().timestamp_millis();
    let time = match latest.map(|t| t.and_utc().timestamp_millis()) {
        Some(latest) if latest >= now => latest + 1,
        _ => now,
    };
    let time = chrono::DateTime::from_timestamp_millis(time)
        .map(|t| t.naive_utc())
        .unwrap_or_default();
    format!("{}-{}", time.format(TIME_FORMAT), &content_hash[..HASH_LEN.min(content_hash.len())])
}

/// Every release in `TARGET/releases`, oldest first.
pub fn scan(target: &Path) -> io::Result<Vec<Release>> {
    let dir = target.join(RELEASES);
    let mut releases = Vec::new();
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(releases),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        if !entry.file_type()?.is_dir() {
            continue;
        }
        if let Some(release) = entry.file_name().to_str().and_then(Release::parse) {
            releases.push(release);
        }
    }
    releases.sort_by(|a, b| (a.time, &a.name).cmp(&(b.time, &b.name)));
    Ok(releases)
}

/// Deletes what an interrupted deploy left in `releases/` (copies in progress, releases being
/// deleted). Only called while holding the lock, so nothing there is in use.
pub fn remove_leftovers(target: &Path) -> io::Result<Vec<String>> {
    let mut removed = Vec::new();
    let Ok(entries) = std::fs::read_dir(target.join(RELEASES)) else {
        return Ok(removed);
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(PARTIAL) || name.starts_with(TRASH) {
            std::fs::remove_dir_all(entry.path())?;
            removed.push(name);
        }
    }
    removed.sort();
    Ok(removed)
}

/// Test hooks that make a copy fail or stall after some files, to prove that an interrupted
/// deploy leaves the live release alone (see docs/deploy.md).
#[derive(Debug, Default, Clone, Copy)]
pub struct Hooks {
    /// `DANGJIAN_DEPLOY_FAIL_AFTER=N`: the copy fails as if the disk were full after N files.
    pub fail_after: Option<usize>,
    /// `DANGJIAN_DEPLOY_STALL_AFTER=N`: the copy stops after N files until the process is killed.
    pub stall_after: Option<usize>,
}

impl Hooks {
    /// Reads the hooks from the environment.
    pub fn from_env() -> Hooks {
        let read = |name: &str| std::env::var(name).ok().and_then(|v| v.trim().parse().ok());
        Hooks {
            fail_after: read("DANGJIAN_DEPLOY_FAIL_AFTER"),
            stall_after: read("DANGJIAN_DEPLOY_STALL_AFTER"),
        }
    }

    fn before_file(&self, copied: usize) -> io::Result<()> {
        if self.stall_after.is_some_and(|n| copied >= n) {
            loop {
                std::thread::sleep(std::time::Duration::from_secs(1));
            }
        }
        match self.fail_after {
            Some(n) if copied >= n => Err(io::Error::new(
                io::ErrorKind::StorageFull,
                format!("no space left on device (simulated after {n} files by DANGJIAN_DEPLOY_FAIL_AFTER)"),
            )),
            _ => Ok(()),
        }
    }
}

/// A copy in progress; dropped before [`Partial::finish`], it deletes itself.
pub struct Partial {
    dir: PathBuf,
    done: bool,
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Copies the build in `source` (described by `manifest`) to `TARGET/releases/.partial-<name>`,
/// syncing every file to disk.
pub fn copy(source: &Path, target: &Path, name: &str, manifest: &Manifest, hooks: Hooks) -> io::Result<Partial> {
    let dir = target.join(RELEASES).join(format!("{PARTIAL}{name}"));
    std::fs::create_dir(&dir).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?;
    let partial = Partial { dir, done: false };
    let folders: BTreeSet<&str> = manifest
        .files
        .iter()
        .filter_map(|f| f.path.rsplit_once('/').map(|(folder, _)| folder))
        .collect();
    for folder in &folders {
        std::fs::create_dir_all(partial.dir.join(folder))?;
    }
    let copied = AtomicUsize::new(0);
    let paths: Vec<&str> = manifest
        .files
        .iter()
        .map(|f| f.path.as_str())
        .chain([manifest::FILE_NAME])
        .collect();
    paths.par_iter().try_for_each(|path| {
        hooks.before_file(copied.fetch_add(1, Ordering::SeqCst))?;
        let to = partial.dir.join(path);
        std::fs::copy(source.join(path), &to)
            .and_then(|_| File::open(&to)?.sync_all())
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", to.display())))
    })?;
    // The folders' entries must reach the disk too before the release is renamed into place.
    for folder in folders.iter().rev() {
        sync_dir(&partial.dir.join(folder))?;
    }
    sync_dir(&partial.dir)?;
    Ok(partial)
}

impl Partial {
    /// The folder being filled.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Gives the verified copy its final name.
    pub fn finish(mut self, target: &Path, name: &str) -> io::Result<PathBuf> {
        let releases = target.join(RELEASES);
        let final_dir = releases.join(name);
        std::fs::rename(&self.dir, &final_dir)?;
        self.done = true;
        sync_dir(&releases)?;
        Ok(final_dir)
    }
}

/// Checks every file of the release in `dir` against its manifest, as read back from disk: size
/// and SHA-256, and the manifest's own content hash.
pub fn verify(dir: &Path) -> Result<Manifest, String> {
    let manifest = Manifest::read(dir)?;
    if manifest.computed_hash() != manifest.content_hash {
        return Err(format!(
            "{}: the manifest's content_hash does not match its files and pages (was it edited?)",
            dir.join(manifest::FILE_NAME).display()
        ));
    }
    let mut wrong: Vec<String> = manifest
        .files
        .par_iter()
        .filter_map(|file| match manifest::hash_file(&dir.join(&file.path)) {
            Ok((size, sha256)) if size == file.size && sha256 == file.sha256 => None,
            Ok(_) => Some(format!("{} (differs)", file.path)),
            Err(e) => Some(format!("{} ({e})", file.path)),
        })
        .collect();
    if wrong.is_empty() {
        return Ok(manifest);
    }
    wrong.sort();
    let count = wrong.len();
    wrong.truncate(5);
    Err(format!(
        "{}: {count} file(s) do not match manifest.json: {}{}",
        dir.display(),
        wrong.join(", "),
        if count > 5 { ", …" } else { "" }
    ))
}

/// Flushes a folder's entries (new files, renames) to disk.
#[cfg(unix)]
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Windows cannot open a folder as a file to flush it; NTFS journals its entries itself.
#[cfg(not(unix))]
pub fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.3f").unwrap()
    }

    #[test]
    fn names_parse_back_and_sort_in_deploy_order() {
        let hash = "3f9a1c2b7d4e".to_string() + &"0".repeat(52);
        let first = new_name(at("2025-03-01 08:30:00.250"), &[], &hash);
        assert_eq!(first, "20250301T083000.250Z-3f9a1c2b7d4e");
        let parsed = Release::parse(&first).unwrap();
        assert_eq!(parsed.time, at("2025-03-01 08:30:00.250"));
        assert!(!parsed.rolled_back);
        // A clock that went back still gives a later name.
        let second = new_name(at("2025-03-01 08:29:00.000"), std::slice::from_ref(&parsed), &hash);
        assert_eq!(second, "20250301T083000.251Z-3f9a1c2b7d4e");
        let rolled = Release::parse(&format!("{second}{ROLLED_BACK}")).unwrap();
        assert!(rolled.rolled_back);
        assert_eq!(rolled.time, at("2025-03-01 08:30:00.251"));
        for foreign in ["old-site", "20250301T083000.250Z-XYZ", "20250301-3f9a1c2b7d4e", ".partial-x"] {
            assert_eq!(Release::parse(foreign), None, "{foreign}");
        }
    }

    #[test]
    fn hooks_fail_after_the_given_number_of_files() {
        let hooks = Hooks {
            fail_after: Some(2),
            stall_after: None,
        };
        assert!(hooks.before_file(1).is_ok());
        let error = hooks.before_file(2).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::StorageFull);
    }
}
