//! Rendered Markdown kept between rebuilds of the preview server: a body is rendered again only
//! when it, its page's address, or anything it can depend on (the set of page addresses for `@/`
//! links, the templates for shortcodes, the config) changed.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex};

use crate::diagnostic::Diagnostic;
use crate::markdown::Rendered;

/// A cached rendering: the body it was made from, the key of everything else it depends on.
struct Entry {
    body: Arc<str>,
    key: u64,
    rendered: Arc<Rendered>,
    diagnostics: Vec<Diagnostic>,
}

/// Rendered bodies by file.
#[derive(Default)]
pub struct MarkdownCache {
    entries: Mutex<HashMap<String, Entry>>,
}

impl MarkdownCache {
    /// The cached rendering of `file` if its body and `key` are unchanged, else `render()` (then
    /// cached). Bodies are compared, not hashed: comparing is cheaper than hashing 50 MB of text.
    pub fn get_or_render(
        &self,
        file: &str,
        body: &Arc<str>,
        key: u64,
        render: impl FnOnce() -> (Rendered, Vec<Diagnostic>),
    ) -> (Arc<Rendered>, Vec<Diagnostic>) {
        if let Some(entry) = self.entries.lock().unwrap_or_else(|p| p.into_inner()).get(file)
            && entry.key == key
            && (Arc::ptr_eq(&entry.body, body) || entry.body == *body)
        {
            return (entry.rendered.clone(), entry.diagnostics.clone());
        }
        let (rendered, diagnostics) = render();
        let rendered = Arc::new(rendered);
        let entry = Entry {
            body: body.clone(),
            key,
            rendered: rendered.clone(),
            diagnostics: diagnostics.clone(),
        };
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(file.to_string(), entry);
        (rendered, diagnostics)
    }
}

/// Hashes anything hashable into a cache key.
pub fn key_of(parts: impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    parts.hash(&mut hasher);
    hasher.finish()
}
