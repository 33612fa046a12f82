//! The live release: `TARGET/current`, a symbolic link to `releases/<name>` (relative, so the
//! target folder can be moved or mounted elsewhere) that nginx serves. It is replaced in one
//! atomic step: a new link is made beside it and renamed over it, so every request sees either
//! the old release or the new one, never a mix and never nothing.

use std::io;
use std::path::{Path, PathBuf};

use super::release::{self, RELEASES, Release};

/// The link's name inside the target.
pub const CURRENT: &str = "current";

/// The name of the live release, `None` when nothing is live yet. A real folder named `current`
/// (a site copied there by hand) is an error: it cannot be replaced atomically.
pub fn live(target: &Path) -> Result<Option<String>, String> {
    let link = target.join(CURRENT);
    match std::fs::symlink_metadata(&link) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", link.display())),
        Ok(meta) if !meta.file_type().is_symlink() => {
            return Err(format!(
                "{} is a folder, not the link that dangjian deploy makes; move it aside (e.g. to {}.old) and deploy again",
                link.display(),
                link.display()
            ));
        }
        Ok(_) => {}
    }
    let pointed = std::fs::read_link(&link).map_err(|e| format!("{}: {e}", link.display()))?;
    Ok(pointed.file_name().map(|n| n.to_string_lossy().into_owned()))
}

/// Makes `releases/<name>` the live release.
pub fn switch(target: &Path, name: &str) -> io::Result<()> {
    let temp = target.join(format!("{CURRENT}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_file(&temp);
    symlink(&Path::new(RELEASES).join(name), &temp)?;
    if let Err(e) = std::fs::rename(&temp, target.join(CURRENT)) {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    release::sync_dir(target)
}

/// Deletes the links of switches that a killed deploy left behind (`current.tmp-<pid>`).
pub fn remove_leftovers(target: &Path) {
    let Ok(entries) = std::fs::read_dir(target) else { return };
    let prefix = format!("{CURRENT}.tmp-");
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(unix)]
fn symlink(original: &Path, link: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(original, link)
}

#[cfg(windows)]
fn symlink(original: &Path, link: &Path) -> io::Result<()> {
    std::os::windows::fs::symlink_dir(original, link)
}

/// The release a rollback from `live` goes to: the latest one deployed before it that was not
/// rolled back itself.
pub fn previous<'a>(releases: &'a [Release], live: &str) -> Option<&'a Release> {
    let position = releases.iter().position(|r| r.name == live)?;
    releases[..position].iter().rev().find(|r| !r.rolled_back)
}

/// The releases to delete so that `keep` remain, never the live one nor the one a rollback
/// would go to; oldest first.
pub fn to_prune<'a>(releases: &'a [Release], live: Option<&str>, keep: usize) -> Vec<&'a Release> {
    let spared = live.and_then(|live| previous(releases, live)).map(|r| r.name.as_str());
    let mut prune: Vec<&Release> = releases.iter().rev().skip(keep).collect();
    prune.retain(|r| Some(r.name.as_str()) != live && Some(r.name.as_str()) != spared);
    prune.reverse();
    prune
}

/// Deletes a release: renamed out of the list first, so an interrupted deletion leaves no
/// half-deleted release behind (the next deploy finishes it).
pub fn remove(target: &Path, release: &Release) -> io::Result<()> {
    let releases = target.join(RELEASES);
    let trash: PathBuf = releases.join(format!("{}{}", release::TRASH, release.name));
    std::fs::rename(releases.join(&release.name), &trash)?;
    std::fs::remove_dir_all(trash)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn releases(names: &[&str]) -> Vec<Release> {
        names
            .iter()
            .map(|n| Release::parse(&format!("20250301T0830{n}.000Z-3f9a1c2b7d4e")).unwrap())
            .collect()
    }

    #[test]
    fn rollback_skips_rolled_back_releases() {
        let mut list = releases(&["01", "02", "03", "04"]);
        list[2] = Release::parse(&format!("{}{}", list[2].name, release::ROLLED_BACK)).unwrap();
        assert_eq!(previous(&list, &list[3].name).unwrap().name, list[1].name);
        assert_eq!(previous(&list, &list[1].name).unwrap().name, list[0].name);
        assert_eq!(previous(&list, &list[0].name), None);
        assert_eq!(previous(&list, "unknown"), None);
    }

    #[test]
    fn pruning_spares_the_live_release_and_its_predecessor() {
        let list = releases(&["01", "02", "03", "04", "05"]);
        let names = |v: Vec<&Release>| v.into_iter().map(|r| r.name.clone()).collect::<Vec<_>>();
        let expected = |i: &[usize]| i.iter().map(|&i| list[i].name.clone()).collect::<Vec<_>>();
        assert_eq!(names(to_prune(&list, Some(&list[4].name), 2)), expected(&[0, 1, 2]));
        // Rolled back to 02: 02 and 01 stay although they are the oldest.
        assert_eq!(names(to_prune(&list, Some(&list[1].name), 1)), expected(&[2, 3]));
        assert!(to_prune(&list, None, 5).is_empty());
    }

    #[test]
    fn switching_replaces_the_link_atomically_and_refuses_a_real_folder() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path();
        for name in ["a", "b"] {
            std::fs::create_dir_all(target.join(RELEASES).join(name)).unwrap();
        }
        assert_eq!(live(target).unwrap(), None);
        switch(target, "a").unwrap();
        assert_eq!(live(target).unwrap().as_deref(), Some("a"));
        switch(target, "b").unwrap();
        assert_eq!(live(target).unwrap().as_deref(), Some("b"));
        assert_eq!(std::fs::read_link(target.join(CURRENT)).unwrap(), Path::new("releases/b"));
        assert_eq!(std::fs::read_dir(target).unwrap().count(), 2, "no temporary link is left");
        std::fs::remove_file(target.join(CURRENT)).unwrap();
        std::fs::create_dir(target.join(CURRENT)).unwrap();
        assert!(live(target).unwrap_err().contains("is a folder, not the link"));
    }
}
