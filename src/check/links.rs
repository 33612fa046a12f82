//! Rule `link` for links to paths of the built site (`/study/`, `photo.jpg` beside a bundle's
//! `index.md`, `/files/x.pdf` under `static/`): checked against the plan of every output, so a
//! page, an image or an attachment that the site will not have is found before publishing.
//! Links to content files (`@/…`, `x.md`) are checked while the Markdown is rendered.

use std::collections::HashSet;

use crate::config::Config;
use crate::content::Library;
use crate::diagnostic::Diagnostic;
use crate::output::file_for;
use crate::render::plan::Planned;

/// Every link of every page and section whose site path is not an output of `plan`.
pub fn missing_targets(library: &Library, plan: &[Planned], config: &Config) -> Vec<Diagnostic> {
    let outputs: HashSet<&str> = plan.iter().map(|p| p.path.as_str()).collect();
    let base_path = config.base_path().trim_end_matches('/');
    let mut found = Vec::new();
    for (file, _, rendered) in library.rendered() {
        for link in &rendered.local_links {
            // Authors may write the sub-path the site is published under, or leave it out.
            let path = match link.path.strip_prefix(base_path) {
                Some(rest) if !base_path.is_empty() && rest.starts_with('/') => rest,
                _ => link.path.as_str(),
            };
            let file_path = file_for(path);
            let as_folder = format!("{}/index.html", path.trim_matches('/'));
            if outputs.contains(file_path.as_str()) || outputs.contains(as_folder.as_str()) {
                continue;
            }
            let hint = if link.url.starts_with('/') {
                "a path that starts with / is a page or file of this site; for pages, link the Markdown file instead: @/study/some-page.md"
            } else {
                "a file linked by name is looked for beside the page: put it in the page's folder (a bundle with index.md), or under static/ and link /name"
            };
            found.push(
                Diagnostic::error(
                    "link",
                    file.clone(),
                    link.line,
                    link.column,
                    format!("`{}` points to {path}, which the site does not have", link.url),
                )
                .with_hint(hint),
            );
        }
    }
    found
}
