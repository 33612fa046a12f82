//! The sink stage: outputs of a build, and writing them to disk atomically.
//!
//! The whole site is written into a temporary folder next to the target and swapped in with two
//! renames only when every file was written; a failed or interrupted build leaves the previous
//! output exactly as it was. The previous output is moved aside and deleted in the background (a
//! detached `dangjian __remove-old`, and any leftovers by the next build), because deleting
//! ~15,000 files takes longer than building them.
//!
//! Every file written is hashed on the way, and [`manifest`] writes the record of the build
//! (`manifest.json`) into the staged site before it is swapped in.

pub mod manifest;

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The bytes of one output file.
#[derive(Debug, Clone)]
pub enum Body {
    /// Generated in memory.
    Bytes(Vec<u8>),
    /// Copied from a file of the site.
    File(PathBuf),
    /// A JPEG, PNG or WebP of the site, copied without its metadata (see [`crate::images`]).
    Image(PathBuf),
    /// Compiled into the binary (the default theme's static files).
    Embedded(std::borrow::Cow<'static, [u8]>),
}

/// One file of the built site.
#[derive(Debug, Clone)]
pub struct Output {
    /// Path inside the output folder, with forward slashes: "study/x/index.html".
    pub path: String,
    /// Its bytes.
    pub body: Body,
    /// What produced it, for messages about collisions ("content/study/x.md").
    pub source: String,
}

impl Output {
    /// The bytes, reading copied files.
    pub fn bytes(&self) -> io::Result<std::borrow::Cow<'_, [u8]>> {
        match &self.body {
            Body::Bytes(bytes) => Ok(std::borrow::Cow::Borrowed(bytes)),
            Body::Embedded(bytes) => Ok(std::borrow::Cow::Borrowed(bytes)),
            Body::File(path) => std::fs::read(path).map(std::borrow::Cow::Owned),
            Body::Image(path) => crate::images::read_stripped(path).map(std::borrow::Cow::Owned),
        }
    }
}

/// The file that serves a site path: "/study/" → "study/index.html", "/atom.xml" → "atom.xml".
pub fn file_for(site_path: &str) -> String {
    let trimmed = site_path.trim_start_matches('/');
    if trimmed.is_empty() || trimmed.ends_with('/') {
        format!("{trimmed}index.html")
    } else {
        trimmed.to_string()
    }
}

/// A temporary folder next to the target that a build writes into; [`Staging::commit`] swaps it
/// in with two renames. Dropped without committing, it removes itself and the target is untouched.
pub struct Staging {
    temp: PathBuf,
    target: PathBuf,
    stamp: String,
    committed: bool,
    /// What each [`Staging::write`] wrote, for the manifest.
    written: Mutex<Vec<Written>>,
}

/// One file a build wrote: where, from what, and its size and SHA-256 as written.
#[derive(Debug, Clone)]
pub struct Written {
    /// Path inside the output folder.
    pub path: String,
    /// What produced it ("content/study/x.md").
    pub source: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, lowercase hex.
    pub sha256: String,
}

impl Staging {
    /// Creates the temporary folder beside `target`.
    pub fn new(target: &Path) -> io::Result<Staging> {
        let parent = parent_of(target);
        std::fs::create_dir_all(&parent)?;
        let stamp = format!(
            "{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        );
        let temp = parent.join(format!(".{}.tmp-{stamp}", target_name(target)));
        std::fs::create_dir(&temp)?;
        Ok(Staging {
            temp,
            target: target.to_path_buf(),
            stamp,
            committed: false,
            written: Mutex::new(Vec::new()),
        })
    }

    /// Creates the folders that `paths` (output paths) need.
    pub fn create_dirs<'a>(&self, paths: impl Iterator<Item = &'a str>) -> io::Result<()> {
        let dirs: BTreeSet<&str> = paths.filter_map(|p| p.rsplit_once('/').map(|(dir, _)| dir)).collect();
        for dir in dirs {
            std::fs::create_dir_all(self.temp.join(dir))?;
        }
        Ok(())
    }

    /// Writes one output (its folder must exist) and records its size and hash.
    pub fn write(&self, output: &Output) -> io::Result<()> {
        let path = self.temp.join(&output.path);
        let written = match &output.body {
            Body::Bytes(bytes) => std::fs::write(&path, bytes).map(|()| manifest::hash_bytes(bytes)),
            Body::Embedded(bytes) => std::fs::write(&path, bytes).map(|()| manifest::hash_bytes(bytes)),
            // Copies are hashed as they landed, read back while still in the page cache.
            Body::File(source) => std::fs::copy(source, &path).and_then(|_| manifest::hash_file(&path)),
            Body::Image(source) => crate::images::copy_stripped(source, &path).and_then(|()| manifest::hash_file(&path)),
        }
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        let (size, sha256) = written;
        self.written.lock().unwrap_or_else(|p| p.into_inner()).push(Written {
            path: output.path.clone(),
            source: output.source.clone(),
            size,
            sha256,
        });
        Ok(())
    }

    /// Every file written so far, sorted by path.
    pub fn written(&self) -> Vec<Written> {
        let mut written = self.written.lock().unwrap_or_else(|p| p.into_inner()).clone();
        written.sort_by(|a, b| a.path.cmp(&b.path));
        written
    }

    /// Writes a file that is not one of the site's outputs (the manifest) into the staged site.
    pub fn write_unrecorded(&self, path: &str, bytes: &[u8]) -> io::Result<()> {
        let target = self.temp.join(path);
        std::fs::write(&target, bytes).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", target.display())))
    }

    /// Puts the staged site in place of the target; returns where the previous output went (see
    /// [`remove_old`]). If a rename fails, the previous output is put back.
    pub fn commit(mut self) -> io::Result<Option<PathBuf>> {
        let old = parent_of(&self.target).join(format!(".{}.old-{}", target_name(&self.target), self.stamp));
        let had_old = self.target.exists();
        if had_old {
            std::fs::rename(&self.target, &old)?;
        }
        if let Err(e) = std::fs::rename(&self.temp, &self.target) {
            if had_old {
                let _ = std::fs::rename(&old, &self.target);
            }
            return Err(e);
        }
        self.committed = true;
        Ok(had_old.then_some(old))
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.temp);
        }
    }
}

fn parent_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn target_name(target: &Path) -> String {
    target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".to_string())
}

/// Deletes what earlier builds into `target` left beside it (previous outputs, interrupted
/// temporary folders). Run it on a background thread while the next build works.
pub fn remove_stale(target: &Path) {
    let Some(parent) = target.parent().map(|p| if p.as_os_str().is_empty() { Path::new(".") } else { p }) else {
        return;
    };
    let Some(name) = target.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    let own = std::process::id().to_string();
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let stale_old = file_name.starts_with(&format!(".{name}.old-"));
        // A temporary folder of another process that is still building must be left alone; one of
        // ours cannot exist yet when this runs.
        let stale_temp = file_name.strip_prefix(&format!(".{name}.tmp-")).is_some_and(|rest| {
            let pid = rest.split('-').next().unwrap_or_default();
            pid != own && !Path::new("/proc").join(pid).exists()
        });
        if stale_old || stale_temp {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Deletes a previous output that [`Staging::commit`] moved aside. Refuses any folder not named
/// like one, so a wrong argument cannot delete anything else.
pub fn remove_old(dir: &Path) -> io::Result<()> {
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if !(name.starts_with('.') && name.contains(".old-")) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is not a previous output", dir.display()),
        ));
    }
    std::fs::remove_dir_all(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_previous_outputs_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        std::fs::create_dir(&site).unwrap();
        assert!(remove_old(&site).is_err());
        assert!(site.exists());
        let old = dir.path().join(".public.old-1-2");
        std::fs::create_dir_all(old.join("a")).unwrap();
        remove_old(&old).unwrap();
        assert!(!old.exists());
    }

    #[test]
    fn site_paths_to_files() {
        assert_eq!(file_for("/"), "index.html");
        assert_eq!(file_for("/study/x/"), "study/x/index.html");
        assert_eq!(file_for("/atom.xml"), "atom.xml");
    }
}
