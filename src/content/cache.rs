//! Caches that let the preview server load a large site again in milliseconds: a file whose
//! modification time and size are unchanged is not read or parsed again.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

use crate::content::front_matter::{PageFront, SectionFront};
use crate::content::load::{Found, ParseResult};

/// A parse result with the modification time and size of the file it came from.
type Stamped<F> = (std::time::SystemTime, u64, ParseResult<F>);

/// Parsed files of one kind, by path, with the stamp they were parsed at.
pub struct FileCache<F> {
    entries: Mutex<HashMap<PathBuf, Stamped<F>>>,
}

impl<F> Default for FileCache<F> {
    fn default() -> Self {
        FileCache {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<F: Clone> FileCache<F> {
    /// The cached result for `file` if its stamp is unchanged, else `parse(file)` (then cached).
    pub(crate) fn get_or_parse(&self, file: &Found, parse: fn(&Found) -> ParseResult<F>) -> ParseResult<F> {
        let Some((modified, len)) = file.stamp else { return parse(file) };
        if let Some((m, l, result)) = self.entries.lock().unwrap_or_else(|p| p.into_inner()).get(file.absolute())
            && *m == modified
            && *l == len
        {
            return result.clone();
        }
        let result = parse(file);
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(file.absolute().to_path_buf(), (modified, len, result.clone()));
        result
    }
}

/// The parse caches of pages and sections.
#[derive(Default)]
pub struct LoadCache {
    /// Pages.
    pub(crate) pages: FileCache<PageFront>,
    /// Sections (`_index.md`).
    pub(crate) sections: FileCache<SectionFront>,
}
