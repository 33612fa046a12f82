//! The load and parse stages: walk `content/`, decode every file, parse front matter, work out
//! slugs and paths, and assemble sections. All content errors are collected, not just the first.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDateTime;
use rayon::prelude::*;

use crate::config::Config;
use crate::content::cache::{FileCache, LoadCache};
use crate::content::date::PageDate;
use crate::content::decode::{DecodeError, decode_owned};
use crate::content::front_matter::{self, PageFront, SectionFront, SortBy};
use crate::content::slug::slugify;
use crate::content::{Asset, HeldPage, Library, Page, Section};
use crate::diagnostic::Diagnostic;

/// What to publish.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Include drafts.
    pub drafts: bool,
    /// The current time: pages dated after it are scheduled, not published.
    pub now: NaiveDateTime,
    /// Publish pages that lack review sign-offs too (the preview server shows them with a banner).
    pub include_unreviewed: bool,
}

/// A file found under `content/`, path relative to it with forward slashes.
pub(crate) struct Found {
    relative: String,
    absolute: PathBuf,
    /// Modification time and size, so an unchanged file need not be read again.
    pub(crate) stamp: Option<(std::time::SystemTime, u64)>,
}

impl Found {
    pub(crate) fn absolute(&self) -> &Path {
        &self.absolute
    }
}

/// A Markdown file after decoding and front matter parsing.
#[derive(Clone)]
pub(crate) struct Parsed<F> {
    relative: String,
    front: F,
    /// The front matter text and the lines before it, to place later messages.
    front_text: String,
    front_line_offset: usize,
    body: Arc<str>,
    body_line_offset: usize,
}

/// Loads `<site>/content` into a library, with every problem found on the way. With a cache,
/// files whose time and size did not change since the last load are not read again.
pub fn load(site_dir: &Path, config: &Config, options: &LoadOptions, cache: Option<&LoadCache>) -> (Library, Vec<Diagnostic>) {
    let content_dir = site_dir.join("content");
    let mut diagnostics = Vec::new();
    if !content_dir.is_dir() {
        diagnostics.push(
            Diagnostic::error("content", "content", 0, 0, "the site has no content/ folder")
                .with_hint("create content/_index.md, or run `dangjian init DIR` for a complete example"),
        );
        return (Library::default(), diagnostics);
    }
    let (dirs, markdown, others) = walk(&content_dir, &mut diagnostics);
    let bundle_dirs: Vec<String> = markdown
        .iter()
        .filter_map(|f| f.relative.strip_suffix("/index.md").map(str::to_string))
        .collect();
    let bundle_of = |relative: &str| -> Option<&String> {
        bundle_dirs
            .iter()
            .filter(|dir| relative.starts_with(&format!("{dir}/")))
            .max_by_key(|dir| dir.len())
    };

    let mut section_files = Vec::new();
    let mut page_files = Vec::new();
    for file in markdown {
        let name = file.relative.rsplit('/').next().unwrap_or_default();
        if name == "_index.md" && bundle_of(&file.relative).is_none() {
            section_files.push(file);
        } else if name == "index.md" && bundle_of(&file.relative).is_some_and(|b| format!("{b}/index.md") == file.relative) {
            page_files.push(file);
        } else if bundle_of(&file.relative).is_some() {
            diagnostics.push(
                Diagnostic::warning(
                    "content",
                    content_file(&file.relative),
                    0,
                    0,
                    "a Markdown file inside a page bundle is not a page and is not published",
                )
                .with_hint("move it next to the bundle folder to make it a page of its own"),
            );
        } else {
            page_files.push(file);
        }
    }

    let parsed_sections: Vec<ParseResult<SectionFront>> = section_files
        .par_iter()
        .map(|f| cached_parse(f, cache.map(|c| &c.sections)))
        .collect();
    let parsed_pages: Vec<ParseResult<PageFront>> = page_files.par_iter().map(|f| cached_parse(f, cache.map(|c| &c.pages))).collect();

    let mut section_fronts: HashMap<String, Parsed<SectionFront>> = HashMap::new();
    for (parsed, found) in parsed_sections {
        diagnostics.extend(found);
        if let Some(parsed) = parsed {
            section_fronts.insert(parsed.relative.clone(), parsed);
        }
    }

    let mut library = Library::default();
    // Sections: one per folder outside bundles, parents first (walk order is pre-order and sorted).
    for dir in &dirs {
        let in_bundle = bundle_dirs.iter().any(|b| b == dir || dir.starts_with(&format!("{b}/")));
        if in_bundle && !dir.is_empty() {
            continue;
        }
        let relative = if dir.is_empty() {
            "_index.md".to_string()
        } else {
            format!("{dir}/_index.md")
        };
        let parent = (!dir.is_empty()).then(|| match dir.rsplit_once('/') {
            Some((parent_dir, _)) => format!("{parent_dir}/_index.md"),
            None => "_index.md".to_string(),
        });
        let parent_path = parent.as_deref().and_then(|p| library.section(p)).map(|s| s.path.clone());
        let dir_name = dir.rsplit('/').next().unwrap_or_default();
        let path = match &parent_path {
            None => "/".to_string(),
            Some(parent_path) => format!("{parent_path}{}/", slug_or_fallback(dir_name, config)),
        };
        let parsed = section_fronts.remove(&relative);
        let (front, body, body_line_offset) = match parsed {
            Some(p) => (p.front, p.body, p.body_line_offset),
            None => (SectionFront::default(), Arc::from(""), 0),
        };
        let title = front.title.clone().unwrap_or_else(|| {
            if dir.is_empty() {
                config.title.clone()
            } else {
                dir_name.to_string()
            }
        });
        library.section_index.insert(relative.clone(), library.sections.len());
        library.sections.push(Section {
            file: content_file(&relative),
            relative_path: relative,
            front,
            title,
            path,
            parent,
            body,
            body_line_offset,
            assets: Vec::new(),
            pages: Vec::new(),
            subsections: Vec::new(),
            rendered: Default::default(),
        });
    }

    for ((parsed, found), file) in parsed_pages.into_iter().zip(&page_files) {
        diagnostics.extend(found);
        let Some(parsed) = parsed else {
            library.unpublished.insert(file.relative.clone(), BROKEN);
            continue;
        };
        diagnostics.extend(check_taxonomies(&parsed, config));
        let file = content_file(&parsed.relative);
        diagnostics.extend(crate::images::alt::photos_without_alt(
            &file,
            &parsed.front.extra,
            &parsed.front_text,
            parsed.front_line_offset,
        ));
        let expires_line = front_matter::find_key_line(&parsed.front_text, "expires").map_or(0, |l| l + parsed.front_line_offset);
        match make_page(parsed, &library, config, options) {
            Ok(page) => {
                diagnostics.extend(expires_before_date(&page, expires_line));
                library.page_index.insert(page.relative_path.clone(), library.pages.len());
                library.pages.push(page);
            }
            Err((relative, Unpublished::Draft)) => {
                library.drafts_skipped += 1;
                library.unpublished.insert(relative, "a draft");
            }
            Err((relative, Unpublished::Scheduled)) => {
                library.scheduled_skipped += 1;
                library.unpublished.insert(relative, "scheduled for a later date");
            }
            Err((relative, Unpublished::Unreviewed(held))) => {
                library.unpublished.insert(relative, "waiting for its review sign-off (三审三校)");
                library.held_for_review.push(held);
            }
        }
    }

    attach_assets(&mut library, others, &bundle_dirs, &mut diagnostics);
    assemble_sections(&mut library);
    (library, diagnostics)
}

/// The reason recorded for a page that could not be read: links to it are not reported again.
pub const BROKEN: &str = "it has errors of its own";

/// Why a page is left out of this build.
enum Unpublished {
    Draft,
    Scheduled,
    Unreviewed(HeldPage),
}

fn make_page(parsed: Parsed<PageFront>, library: &Library, config: &Config, options: &LoadOptions) -> Result<Page, (String, Unpublished)> {
    let relative = parsed.relative;
    let front = parsed.front;
    let (dir, stem) = match relative.strip_suffix("/index.md") {
        Some(bundle) => match bundle.rsplit_once('/') {
            Some((dir, name)) => (dir.to_string(), name.to_string()),
            None => (String::new(), bundle.to_string()),
        },
        None => {
            let without_ext = relative.strip_suffix(".md").unwrap_or(&relative);
            match without_ext.rsplit_once('/') {
                Some((dir, name)) => (dir.to_string(), name.to_string()),
                None => (String::new(), without_ext.to_string()),
            }
        }
    };
    let (name_date, name_rest) = match PageDate::from_file_stem(&stem) {
        Some((date, rest)) => (Some(date), rest.to_string()),
        None => (None, stem.clone()),
    };
    let date = front.date.or(name_date);
    if front.draft && !options.drafts {
        return Err((relative, Unpublished::Draft));
    }
    if date.is_some_and(|d| d.datetime > options.now) {
        return Err((relative, Unpublished::Scheduled));
    }
    let missing = front_matter::Review::missing(front.review.as_ref());
    if config.review.required && !options.include_unreviewed && !missing.is_empty() {
        // The `[review]` table's line, or the first line when there is none.
        let line = parsed.front_text.lines().position(|l| {
            let l = l.trim();
            l == "[review]"
                || l.strip_prefix("review")
                    .is_some_and(|rest| rest.trim_start().starts_with(['=', ':']))
        });
        let held = HeldPage {
            file: content_file(&relative),
            line: line.map_or(1, |i| i + 1 + parsed.front_line_offset),
            missing,
        };
        return Err((relative, Unpublished::Unreviewed(held)));
    }
    let section = if dir.is_empty() {
        "_index.md".to_string()
    } else {
        format!("{dir}/_index.md")
    };
    // The section exists: every folder outside a bundle became one.
    let section_path = library.section(&section).map_or("/", |s| s.path.as_str());
    let slug = match &front.slug {
        Some(slug) => slug_or_fallback(slug, config),
        None => slug_or_fallback(&name_rest, config),
    };
    let title = front.title.clone().unwrap_or_else(|| name_rest.clone());
    let expired = front.expires.is_some_and(|expires| is_expired(expires, options.now));
    Ok(Page {
        file: content_file(&relative),
        relative_path: relative,
        title,
        date,
        path: format!("{section_path}{slug}/"),
        slug,
        section,
        body: parsed.body,
        body_line_offset: parsed.body_line_offset,
        assets: Vec::new(),
        rendered: Default::default(),
        expired,
        front,
    })
}

/// A page is out of date once the day of `expires` is over, or its time has passed when it has
/// one: `expires = 2026-03-31` still lists the notice all of 31 March.
pub fn is_expired(expires: PageDate, now: NaiveDateTime) -> bool {
    if expires.has_time {
        now > expires.datetime
    } else {
        now.date() > expires.day()
    }
}

/// An `expires` before the page's own date is a slip of the year or month: the page would never
/// be listed.
fn expires_before_date(page: &Page, line: usize) -> Option<Diagnostic> {
    let (expires, date) = (page.front.expires?, page.date?);
    (expires.day() < date.day()).then(|| {
        Diagnostic::warning(
            "expires",
            page.file.clone(),
            line,
            usize::from(line > 0),
            format!(
                "the page expires on {}, before its own date {}, so no list ever shows it",
                expires.day(),
                date.day()
            ),
        )
        .with_hint("check the year and month of `expires`")
    })
}

/// Pages may only use taxonomies declared in config.toml.
fn check_taxonomies(parsed: &Parsed<PageFront>, config: &Config) -> Vec<Diagnostic> {
    let declared: Vec<&str> = config.taxonomies.iter().map(|t| t.name.as_str()).collect();
    parsed
        .front
        .taxonomies
        .keys()
        .filter(|name| !declared.contains(&name.as_str()))
        .map(|name| {
            let line = front_matter::key_line_in_table(&parsed.front_text, "taxonomies", name).map_or(0, |l| l + parsed.front_line_offset);
            Diagnostic::error(
                "front-matter",
                content_file(&parsed.relative),
                line,
                if line > 0 { 1 } else { 0 },
                format!("taxonomy `{name}` is not declared in config.toml"),
            )
            .with_hint(format!(
                "use one of: {}; or add {{ name = \"{name}\" }} to taxonomies in config.toml",
                declared.join(", ")
            ))
        })
        .collect()
}

fn slug_or_fallback(name: &str, config: &Config) -> String {
    let slug = slugify(name, config.slugify);
    if slug.is_empty() { "page".to_string() } else { slug }
}

/// "study/x.md" → "content/study/x.md", the way messages name files.
pub(crate) fn content_file(relative: &str) -> String {
    format!("content/{relative}")
}

/// A parsed file, or nothing, with what was found on the way.
pub(crate) type ParseResult<F> = (Option<Parsed<F>>, Vec<Diagnostic>);

fn cached_parse<F: serde::de::DeserializeOwned + Default + Clone>(file: &Found, cache: Option<&FileCache<F>>) -> ParseResult<F> {
    match cache {
        Some(cache) => cache.get_or_parse(file, parse_file),
        None => parse_file(file),
    }
}

fn parse_file<F: serde::de::DeserializeOwned + Default>(file: &Found) -> ParseResult<F> {
    let display = content_file(&file.relative);
    let bytes = match std::fs::read(&file.absolute) {
        Ok(bytes) => bytes,
        Err(e) => {
            return (
                None,
                vec![Diagnostic::error("content", &display, 0, 0, format!("cannot read the file: {e}"))],
            );
        }
    };
    let decoded = match decode_owned(bytes) {
        Ok(decoded) => decoded,
        Err(DecodeError::Binary) => {
            let error = Diagnostic::error(
                "encoding",
                &display,
                0,
                0,
                "this is a binary file (it contains NUL bytes), not Markdown text",
            )
            .with_hint("rename it if it is a photo or document, or save the text again as UTF-8");
            return (None, vec![error]);
        }
        Err(DecodeError::Undecodable) => {
            let error = Diagnostic::error("encoding", &display, 0, 0, "the file is neither UTF-8 nor GB18030/GBK text")
                .with_hint("open it in a text editor and save it with the encoding UTF-8");
            return (None, vec![error]);
        }
    };
    let mut diagnostics = Vec::new();
    if decoded.legacy_encoding {
        diagnostics.push(
            Diagnostic::warning("encoding", &display, 0, 0, "the file is not UTF-8; it was read as GB18030/GBK")
                .with_hint("save it as UTF-8 so every tool reads it the same way"),
        );
    }
    let text = decoded.text;
    let parsed = front_matter::split(&display, &text).and_then(|split| {
        let front = front_matter::parse::<F>(&display, &split)?;
        Ok(Parsed {
            relative: file.relative.clone(),
            front,
            front_text: split.front.to_string(),
            front_line_offset: split.front_line_offset,
            body: Arc::from(split.body),
            body_line_offset: split.body_line_offset,
        })
    });
    match parsed {
        Ok(parsed) => (Some(parsed), diagnostics),
        Err(error) => {
            diagnostics.push(error);
            (None, diagnostics)
        }
    }
}

fn walk(content_dir: &Path, diagnostics: &mut Vec<Diagnostic>) -> (Vec<String>, Vec<Found>, Vec<Found>) {
    let mut dirs = Vec::new();
    let mut markdown = Vec::new();
    let mut others = Vec::new();
    // A symlinked content/ folder is followed; symlinks inside it must stay inside the site.
    let roots: Vec<PathBuf> = [content_dir.parent(), Some(content_dir)]
        .into_iter()
        .flatten()
        .filter_map(|p| p.canonicalize().ok())
        .collect();
    let walker = walkdir::WalkDir::new(content_dir)
        .follow_root_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored(e.file_name()));
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e
                    .path()
                    .map(|p| p.strip_prefix(content_dir).unwrap_or(p).to_string_lossy().to_string())
                    .unwrap_or_default();
                diagnostics.push(Diagnostic::error("content", content_file(&path), 0, 0, format!("cannot read: {e}")));
                continue;
            }
        };
        if entry.path_is_symlink() && entry.depth() > 0 {
            let target = entry.path().canonicalize().ok();
            let inside = target.as_ref().is_some_and(|t| roots.iter().any(|root| t.starts_with(root)));
            let is_file = target.as_ref().is_some_and(|t| t.is_file());
            if !inside || !is_file {
                let shown = crate::files::relative_slash(entry.path(), content_dir);
                let message = if inside {
                    "links to folders are not followed"
                } else {
                    "this link points outside the site folder and is not published"
                };
                diagnostics.push(
                    Diagnostic::warning("content", content_file(&shown), 0, 0, message)
                        .with_hint("copy the files into the site instead of linking to them"),
                );
                continue;
            }
        }
        let relative = entry.path().strip_prefix(content_dir).unwrap_or(entry.path());
        let Some(relative) = relative.to_str().map(|s| s.replace('\\', "/")) else {
            diagnostics.push(
                Diagnostic::error(
                    "content",
                    entry.path().to_string_lossy().to_string(),
                    0,
                    0,
                    "the file name is not valid Unicode",
                )
                .with_hint("rename the file"),
            );
            continue;
        };
        if entry.depth() == 0 || entry.file_type().is_dir() {
            dirs.push(relative);
        } else if relative.ends_with(".md") {
            let stamp = entry.metadata().ok().and_then(|m| Some((m.modified().ok()?, m.len())));
            markdown.push(Found {
                relative,
                absolute: entry.path().to_path_buf(),
                stamp,
            });
        } else {
            others.push(Found {
                relative,
                absolute: entry.path().to_path_buf(),
                stamp: None,
            });
        }
    }
    (dirs, markdown, others)
}

/// Hidden files and editors' temporary files are never content.
fn is_ignored(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.')
        || name.starts_with('#')
        || name.starts_with("~$")
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
}

fn attach_assets(library: &mut Library, others: Vec<Found>, bundle_dirs: &[String], diagnostics: &mut Vec<Diagnostic>) {
    for file in others {
        let size = std::fs::metadata(&file.absolute).map(|m| m.len()).unwrap_or(0);
        let name = file.relative.rsplit('/').next().unwrap_or_default().to_string();
        let bundle = bundle_dirs
            .iter()
            .filter(|dir| file.relative.starts_with(&format!("{dir}/")))
            .max_by_key(|dir| dir.len());
        if let Some(bundle) = bundle {
            let page_relative = format!("{bundle}/index.md");
            let Some(&index) = library.page_index.get(&page_relative) else {
                continue; // the bundle is a draft or scheduled: its files wait with it
            };
            let inner = &file.relative[bundle.len() + 1..];
            let page = &mut library.pages[index];
            page.assets.push(Asset {
                path: format!("{}{inner}", page.path),
                source: file.absolute,
                name,
                size,
            });
        } else {
            let dir = file.relative.rsplit_once('/').map_or("", |(dir, _)| dir);
            let section_relative = if dir.is_empty() {
                "_index.md".to_string()
            } else {
                format!("{dir}/_index.md")
            };
            match library.section_index.get(&section_relative) {
                Some(&index) => {
                    let section = &mut library.sections[index];
                    section.assets.push(Asset {
                        path: format!("{}{name}", section.path),
                        source: file.absolute,
                        name,
                        size,
                    });
                }
                None => diagnostics.push(Diagnostic::warning(
                    "content",
                    content_file(&file.relative),
                    0,
                    0,
                    "this file belongs to no section and is not published",
                )),
            }
        }
    }
}

fn assemble_sections(library: &mut Library) {
    for (index, page) in library.pages.iter().enumerate() {
        // Expired notices stay reachable by their address, but no list shows them.
        if page.expired {
            continue;
        }
        let mut section = library.section_index.get(&page.section).copied();
        while let Some(s) = section {
            library.sections[s].pages.push(index);
            let current = &library.sections[s];
            section = if current.front.transparent {
                current.parent.as_ref().and_then(|p| library.section_index.get(p)).copied()
            } else {
                None
            };
        }
    }
    for s in 0..library.sections.len() {
        if let Some(parent) = library.sections[s]
            .parent
            .clone()
            .and_then(|p| library.section_index.get(&p).copied())
        {
            library.sections[parent].subsections.push(s);
        }
    }
    let pages = &library.pages;
    let sections = &library.sections;
    let mut orders: Vec<(Vec<usize>, Vec<usize>)> = Vec::with_capacity(sections.len());
    for section in sections {
        let mut page_order = section.pages.clone();
        sort_pages(&mut page_order, pages, section.front.sort_by);
        let mut sub_order = section.subsections.clone();
        sub_order.sort_by(|&a, &b| {
            let key = |s: &Section| (s.front.weight.unwrap_or(i64::MAX), s.relative_path.clone());
            key(&sections[a]).cmp(&key(&sections[b]))
        });
        orders.push((page_order, sub_order));
    }
    for (section, (page_order, sub_order)) in library.sections.iter_mut().zip(orders) {
        section.pages = page_order;
        section.subsections = sub_order;
    }
}

/// Orders page indices the way a section asks; ties fall back to the file path so builds are stable.
pub(crate) fn sort_pages(order: &mut [usize], pages: &[Page], sort_by: SortBy) {
    match sort_by {
        SortBy::Date => order.sort_by(|&a, &b| {
            let (a, b) = (&pages[a], &pages[b]);
            b.date.cmp(&a.date).then_with(|| a.relative_path.cmp(&b.relative_path))
        }),
        SortBy::Weight => order.sort_by_key(|&i| (pages[i].front.weight.unwrap_or(i64::MAX), pages[i].relative_path.clone())),
        // Chinese titles sort by their pinyin, the order readers expect from a directory.
        SortBy::Title => order.sort_by_cached_key(|&i| {
            (
                slugify(&pages[i].title, crate::config::SlugStyle::Pinyin),
                pages[i].relative_path.clone(),
            )
        }),
        SortBy::None => order.sort_by(|&a, &b| pages[a].relative_path.cmp(&pages[b].relative_path)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_ends_with_the_day_or_the_time() {
        let now = |text: &str| PageDate::parse(text).unwrap().datetime;
        let day = PageDate::parse("2026-03-31").unwrap();
        assert!(!is_expired(day, now("2026-03-31T23:59:00")), "the whole last day still counts");
        assert!(is_expired(day, now("2026-04-01T00:00:00")));
        let noon = PageDate::parse("2026-03-31T12:00:00").unwrap();
        assert!(!is_expired(noon, now("2026-03-31T12:00:00")));
        assert!(is_expired(noon, now("2026-03-31T12:00:01")));
    }
}
