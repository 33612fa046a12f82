//! `dangjian init DIR`: a new site from the embedded example site.

use std::path::Path;

use crate::embedded::{self, ExampleSite};

/// Writes the example site into `dir`, which must not exist or be empty. Returns the files written.
pub fn init(dir: &Path) -> Result<usize, String> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        if entries.next().is_some() {
            return Err(format!(
                "{} is not empty; choose a new folder so nothing is overwritten",
                dir.display()
            ));
        }
    }
    let files = embedded::files_under::<ExampleSite>("");
    for (relative, bytes) in &files {
        let path = crate::files::confined(dir, relative).ok_or_else(|| format!("bad embedded path {relative}"))?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(files.len())
}
