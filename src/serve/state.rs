//! The memory sink of the preview server: the last good site, rendered page by page when a browser
//! asks (cached until the next rebuild), with the live-reload script injected into HTML pages.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::diagnostic::Diagnostic;
use crate::render;
use crate::site::Prepared;

/// Rendered files by output path.
pub type Cache = Arc<Mutex<HashMap<String, Arc<[u8]>>>>;

/// What the server shows: the last good site and the current problems.
#[derive(Default)]
pub struct Snapshot {
    /// The last site that prepared without errors.
    pub site: Option<Arc<Prepared>>,
    /// Output path → position in the site's plan.
    pub index: HashMap<String, usize>,
    /// Files rendered since this snapshot was made.
    pub cache: Cache,
    /// The previous snapshot's files, shown when a page fails to render now.
    pub fallback: Cache,
    /// The terminal report of the current problems, empty when there are none.
    pub problems: String,
}

/// The answer for one site file.
pub enum Lookup {
    /// The bytes to send.
    Found(Arc<[u8]>),
    /// No such file in the site.
    Missing,
    /// Rendering failed; the last good bytes if there are any.
    Failed(Diagnostic, Option<Arc<[u8]>>),
}

/// The tag that loads the live-reload script.
pub const SCRIPT_TAG: &str = "<script src=\"/__dangjian/live.js\"></script>";

impl Snapshot {
    /// A snapshot of a freshly prepared site; `fallback` is the cache of the one it replaces.
    pub fn new(site: Arc<Prepared>, fallback: Cache) -> Snapshot {
        let index = site.plan.iter().enumerate().map(|(i, planned)| (planned.path.clone(), i)).collect();
        Snapshot {
            site: Some(site),
            index,
            cache: Cache::default(),
            fallback,
            problems: String::new(),
        }
    }

    /// True when a site file exists at `path`.
    pub fn contains(&self, path: &str) -> bool {
        self.index.contains_key(path)
    }

    /// The file at `path`, rendered now if it is not cached yet.
    pub fn get(&self, path: &str) -> Lookup {
        if let Some(bytes) = self.cache.lock().unwrap_or_else(|p| p.into_inner()).get(path) {
            return Lookup::Found(bytes.clone());
        }
        let (Some(site), Some(&position)) = (&self.site, self.index.get(path)) else {
            return Lookup::Missing;
        };
        match render::render(&site.input(), &site.plan[position]).and_then(|output| {
            output
                .bytes()
                .map(|b| b.into_owned())
                .map_err(|e| Diagnostic::error("content", output.source.clone(), 0, 0, format!("cannot read: {e}")))
        }) {
            Ok(bytes) => {
                let bytes: Arc<[u8]> = Arc::from(if path.ends_with(".html") { inject(bytes) } else { bytes });
                self.cache
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(path.to_string(), bytes.clone());
                Lookup::Found(bytes)
            }
            Err(diagnostic) => {
                let old = self.fallback.lock().unwrap_or_else(|p| p.into_inner()).get(path).cloned();
                Lookup::Failed(diagnostic, old)
            }
        }
    }

    /// The bytes of `path` if this snapshot has rendered it.
    pub fn cached(&self, path: &str) -> Option<Arc<[u8]>> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner()).get(path).cloned()
    }
}

/// Adds the script before `</body>`, or at the end when there is none.
fn inject(mut html: Vec<u8>) -> Vec<u8> {
    let at = find_last(&html, b"</body>").unwrap_or(html.len());
    html.splice(at..at, SCRIPT_TAG.bytes());
    html
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// The page shown while the site cannot be shown (never built, or a page failed to render).
pub fn problem_page(report: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>网站生成出错</title>\n</head>\n<body>\n<h1>网站生成出错</h1>\n<pre>{}</pre>\n{SCRIPT_TAG}\n</body>\n</html>\n",
        crate::markdown::highlight::html_escape(report)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_goes_before_body_end() {
        assert_eq!(
            inject(b"<html><body>x</body></html>".to_vec()),
            format!("<html><body>x{SCRIPT_TAG}</body></html>").into_bytes()
        );
        assert_eq!(inject(b"x".to_vec()), format!("x{SCRIPT_TAG}").into_bytes());
    }
}
