//! Walking the folders of a site: the one place that decides which files count.

use std::path::{Component, Path, PathBuf};

/// `path` relative to `base`, with forward slashes (messages and URLs look the same everywhere).
pub fn relative_slash(path: &Path, base: &Path) -> String {
    path.strip_prefix(base).unwrap_or(path).to_string_lossy().replace('\\', "/")
}

/// `relative` resolved inside `base`, or `None` if it is absolute or climbs out with `..`.
pub fn confined(base: &Path, relative: &str) -> Option<PathBuf> {
    let relative = Path::new(relative);
    let mut out = base.to_path_buf();
    for component in relative.components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(out)
}

/// The regular files under `dir`, sorted, each with its path relative to `dir`. Hidden files and
/// folders are skipped; symbolic links are not followed, so nothing outside the site is read.
pub fn files_under(dir: &Path) -> Vec<(String, PathBuf)> {
    if !dir.is_dir() {
        return Vec::new();
    }
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| (relative_slash(entry.path(), dir), entry.into_path()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_files_and_links_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/.git")).unwrap();
        std::fs::write(dir.path().join("a/x.css"), "x").unwrap();
        std::fs::write(dir.path().join("a/.git/config"), "x").unwrap();
        std::fs::write(dir.path().join(".hidden"), "x").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("/etc/hostname", dir.path().join("link")).unwrap();
        let found: Vec<String> = files_under(dir.path()).into_iter().map(|(r, _)| r).collect();
        assert_eq!(found, vec!["a/x.css".to_string()]);
    }
}
