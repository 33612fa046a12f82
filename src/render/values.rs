//! The template-facing shape of pages, sections and taxonomies (Zola's names where shared),
//! serialized once per build and reused by every template that shows them.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;
use serde_json::{Value, json};

use crate::config::Config;
use crate::content::{Asset, Library, Page, Section};
use crate::markdown::Heading;
use crate::render::taxonomy::{Taxonomy, Term};
use crate::templates::filters::human_size;

/// A colocated file as templates see it.
#[derive(Serialize)]
struct AssetValue<'a> {
    name: &'a str,
    path: &'a str,
    permalink: String,
    ext: String,
    size: u64,
    size_display: String,
}

fn asset_value<'a>(asset: &'a Asset, config: &Config) -> AssetValue<'a> {
    AssetValue {
        name: &asset.name,
        path: &asset.path,
        permalink: config.permalink(&asset.path),
        ext: asset.extension(),
        size: asset.size,
        size_display: human_size(asset.size),
    }
}

/// A table-of-contents entry with its permalink.
#[derive(Serialize)]
struct TocValue<'a> {
    level: u8,
    id: &'a str,
    title: &'a str,
    permalink: String,
    children: Vec<TocValue<'a>>,
}

fn toc_values<'a>(headings: &'a [Heading], page_permalink: &str) -> Vec<TocValue<'a>> {
    headings
        .iter()
        .map(|h| TocValue {
            level: h.level,
            id: &h.id,
            title: &h.title,
            permalink: format!("{page_permalink}#{}", h.id),
            children: toc_values(&h.children, page_permalink),
        })
        .collect()
}

/// A neighbour of a page (previous/next), kept small.
pub fn page_link(page: &Page, config: &Config) -> Value {
    json!({
        "title": page.title,
        "path": page.path,
        "permalink": config.permalink(&page.path),
        "date": page.date,
        "relative_path": page.relative_path,
    })
}

/// A page as lists show it: everything but `content` and `toc`.
fn list_value(library: &Library, index: usize, config: &Config, (lower, higher): Neighbours) -> Value {
    let page = &library.pages[index];
    let permalink = config.permalink(&page.path);
    let review_missing = crate::content::front_matter::Review::missing(page.front.review.as_ref());
    let images: Vec<AssetValue<'_>> = page
        .assets
        .iter()
        .filter(|a| a.is_image())
        .map(|a| asset_value(a, config))
        .collect();
    let attachments: Vec<AssetValue<'_>> = page
        .assets
        .iter()
        .filter(|a| !a.is_image())
        .map(|a| asset_value(a, config))
        .collect();
    json!({
        "title": page.title,
        "description": page.front.description,
        "date": page.date,
        "updated": page.front.updated,
        "draft": page.front.draft,
        "slug": page.slug,
        "path": page.path,
        "permalink": permalink,
        "components": components(&page.path),
        "summary": page.rendered.summary,
        "word_count": page.rendered.word_count,
        "reading_time": page.rendered.reading_time,
        "taxonomies": page.front.taxonomies,
        "extra": page.front.extra,
        "assets": page.assets.iter().map(|a| a.path.as_str()).collect::<Vec<_>>(),
        "attachments": attachments,
        "images": images,
        "lower": lower.map(|i| page_link(&library.pages[i], config)),
        "higher": higher.map(|i| page_link(&library.pages[i], config)),
        "ancestors": ancestors(library, &page.section, true),
        "relative_path": page.relative_path,
        "section": page.section,
        "weight": page.front.weight,
        // Only the preview server publishes such pages: built sites never show the banner.
        "pending_review": config.review.required && !review_missing.is_empty(),
        "review_missing": review_missing,
        "source": page.front.source,
        "doc_no": page.front.doc_no,
        "issuer": page.front.issuer,
        "study": page.front.study,
        "expires": page.front.expires,
        "expired": page.expired,
        "quiz": page.front.quiz,
        "case": page.front.case,
    })
}

/// The previous (older, `lower`) and next (newer, `higher`) page in the page's own section.
type Neighbours = (Option<usize>, Option<usize>);

/// The [`Neighbours`] of every page, from one walk over the sections' page lists (looking each
/// page up in its section's list made this quadratic in the size of a section).
fn all_neighbours(library: &Library) -> Vec<Neighbours> {
    let mut neighbours = vec![(None, None); library.pages.len()];
    for section in &library.sections {
        for (position, &page) in section.pages.iter().enumerate() {
            // Only the page's own section gives it neighbours (a section lists only its own pages).
            if library.pages[page].section != section.relative_path {
                continue;
            }
            let higher = position.checked_sub(1).map(|p| section.pages[p]);
            let lower = section.pages.get(position + 1).copied();
            neighbours[page] = (lower, higher);
        }
    }
    neighbours
}

/// Relative paths of the sections above, root first; `include_self` adds `section` itself.
fn ancestors(library: &Library, section: &str, include_self: bool) -> Vec<String> {
    let mut chain = Vec::new();
    let mut current = library.section(section);
    if !include_self {
        current = current.and_then(|s| s.parent.as_deref()).and_then(|p| library.section(p));
    }
    while let Some(s) = current {
        chain.push(s.relative_path.clone());
        current = s.parent.as_deref().and_then(|p| library.section(p));
    }
    chain.reverse();
    chain
}

fn components(path: &str) -> Vec<&str> {
    path.split('/').filter(|c| !c.is_empty()).collect()
}

/// The value of a section without its pages (`pages` is empty): what `metadata_only` returns and
/// what paginated section pages see, which list their pages through `paginator.pages`.
fn section_metadata(library: &Library, section: &Section, config: &Config) -> Value {
    json!({
        "title": section.title,
        "description": section.front.description,
        "path": section.path,
        "permalink": config.permalink(&section.path),
        "components": components(&section.path),
        "content": section.rendered.html,
        "toc": toc_values(&section.rendered.toc, &config.permalink(&section.path)),
        "pages": [],
        "page_count": section.pages.len(),
        "subsections": section.subsections.iter().map(|&i| &library.sections[i].relative_path).collect::<Vec<_>>(),
        "extra": section.front.extra,
        "relative_path": section.relative_path,
        "ancestors": ancestors(library, &section.relative_path, false),
        "generate_feeds": section.front.generate_feeds,
        "assets": section.assets.iter().map(|a| a.path.as_str()).collect::<Vec<_>>(),
    })
}

/// A term of a taxonomy without its `pages` (`page_count` still counts them).
pub(super) fn term_metadata(config: &Config, term: &Term) -> Value {
    json!({
        "name": term.name,
        "slug": term.slug,
        "path": term.path,
        "permalink": config.permalink(&term.path),
        "page_count": term.pages.len(),
    })
}

fn taxonomy_metadata(config: &Config, taxonomy: &Taxonomy) -> Value {
    json!({
        "name": taxonomy.config.name,
        "title": taxonomy.config.title.clone().unwrap_or_else(|| taxonomy.config.name.clone()),
        "slug": taxonomy.config.name,
        "path": taxonomy.path,
        "permalink": config.permalink(&taxonomy.path),
        "paginate_by": taxonomy.config.paginate_by,
        "feed": taxonomy.config.feed,
    })
}

/// Everything templates can see. What every render shares (a page as lists show it, a section's or
/// a taxonomy's own fields) is serialized on first use and kept; what holds whole lists of pages (a
/// section with its pages, a term with its pages, a page with its content) is assembled from those
/// on each use and not kept: Tera needs an owned copy for each render anyway, and assembling one
/// costs the same as copying a kept one, while keeping them held several copies of every page.
#[derive(Debug)]
pub struct SiteValues {
    /// Site settings.
    pub config: Config,
    /// Pages and sections with rendered Markdown.
    pub library: Library,
    /// Taxonomies and their terms.
    pub taxonomies: Vec<Taxonomy>,
    list: Vec<OnceLock<Value>>,
    neighbours: Vec<Neighbours>,
    section_metadata: Vec<OnceLock<Value>>,
    taxonomy_metadata: Vec<OnceLock<Value>>,
    search: OnceLock<crate::search::SearchIndex>,
    /// The branches and meetings, when the site has data/branches.toml.
    pub ledger: Option<crate::ledger::Ledger>,
    /// The study plan, when pages have `[study]`.
    pub study_plan: Option<crate::content::study::StudyPlan>,
    study_plan_value: OnceLock<Option<Value>>,
    /// The topics of data/topics.toml, when the site has it.
    pub topics: Option<crate::content::topics::Topics>,
}

impl SiteValues {
    /// Wraps the assembled site; nothing is serialized yet.
    pub fn new(config: Config, library: Library, taxonomies: Vec<Taxonomy>) -> SiteValues {
        let lazy = |n: usize| (0..n).map(|_| OnceLock::new()).collect::<Vec<_>>();
        SiteValues {
            list: lazy(library.pages.len()),
            neighbours: all_neighbours(&library),
            section_metadata: lazy(library.sections.len()),
            taxonomy_metadata: lazy(taxonomies.len()),
            search: OnceLock::new(),
            ledger: None,
            study_plan: None,
            study_plan_value: OnceLock::new(),
            topics: None,
            config,
            library,
            taxonomies,
        }
    }

    /// A page as lists show it (no content, no table of contents).
    pub fn list_value(&self, page: usize) -> &Value {
        self.list[page].get_or_init(|| list_value(&self.library, page, &self.config, self.neighbours[page]))
    }

    /// A page with its content and table of contents, as `page` and `get_page` show it.
    pub fn page_value(&self, page: usize) -> Value {
        let mut value = self.list_value(page).clone();
        let page = &self.library.pages[page];
        let permalink = self.config.permalink(&page.path);
        value["content"] = Value::String(page.rendered.html.clone());
        value["toc"] = serde_json::to_value(toc_values(&page.rendered.toc, &permalink)).unwrap_or_default();
        value
    }

    /// The list values of `pages`, in their order.
    pub fn page_list(&self, pages: impl IntoIterator<Item = usize>) -> Value {
        Value::Array(pages.into_iter().map(|i| self.list_value(i).clone()).collect())
    }

    /// A section without its pages (`metadata_only`, paginated section pages).
    pub fn section_metadata(&self, section: usize) -> &Value {
        self.section_metadata[section].get_or_init(|| section_metadata(&self.library, &self.library.sections[section], &self.config))
    }

    /// A section with its first `limit` pages (all of them without a limit).
    pub fn section_value(&self, section: usize, limit: Option<usize>) -> Value {
        let pages = &self.library.sections[section].pages;
        let mut value = self.section_metadata(section).clone();
        value["pages"] = self.page_list(pages.iter().copied().take(limit.unwrap_or(usize::MAX)));
        value
    }

    /// The taxonomy's own value (`name`, `title`, `permalink`…).
    pub fn taxonomy_value(&self, taxonomy: usize) -> &Value {
        self.taxonomy_metadata[taxonomy].get_or_init(|| taxonomy_metadata(&self.config, &self.taxonomies[taxonomy]))
    }

    /// Term `term` of taxonomy `taxonomy` with its first `limit` pages in the term's order (all of
    /// them without a limit); `Some(0)` leaves `pages` empty (paginated term pages, which list
    /// theirs through `paginator.pages`, and `metadata_only`).
    pub fn term_value(&self, taxonomy: usize, term: usize, limit: Option<usize>) -> Value {
        let term = &self.taxonomies[taxonomy].terms[term];
        let pages = &term.pages;
        let mut value = term_metadata(&self.config, term);
        value["pages"] = self.page_list(pages.iter().copied().take(limit.unwrap_or(usize::MAX)));
        value
    }

    /// Every term of `taxonomy`, in the taxonomy's order, each with its first `limit` pages (all of
    /// them without a limit).
    pub fn term_values(&self, taxonomy: usize, limit: Option<usize>) -> Vec<Value> {
        (0..self.taxonomies[taxonomy].terms.len())
            .map(|term| self.term_value(taxonomy, term, limit))
            .collect()
    }

    /// The search index, built when its first file is rendered.
    pub fn search(&self) -> &crate::search::SearchIndex {
        self.search
            .get_or_init(|| crate::search::SearchIndex::build(&self.library, &self.config, &self.taxonomies))
    }

    /// The study plan as templates see it, `None` without a plan.
    pub fn study_plan_value(&self) -> Option<&Value> {
        self.study_plan_value
            .get_or_init(|| {
                self.study_plan
                    .as_ref()
                    .map(|plan| crate::render::study_plan::plan_value(self, plan))
            })
            .as_ref()
    }

    /// Index of the taxonomy called `name`.
    pub fn taxonomy_index(&self, name: &str) -> Option<usize> {
        self.taxonomies.iter().position(|t| t.config.name == name)
    }
}

/// Site path → index lookups used by template functions.
pub fn index_of(map: &HashMap<String, usize>, path: &str) -> Option<usize> {
    map.get(path.trim_start_matches("@/")).copied()
}
