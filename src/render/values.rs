//! The template-facing shape of pages, sections and taxonomies (Zola's names where shared),
//! serialized once per build and reused by every template that shows them.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;
use serde_json::{Value, json};

use crate::config::Config;
use crate::content::{Asset, Library, Page, Section};
use crate::markdown::Heading;
use crate::render::taxonomy::Taxonomy;
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

/// The full value of a page; `with_content` false leaves out `content` and `toc` for lists.
pub fn page_value(library: &Library, index: usize, config: &Config, with_content: bool) -> Value {
    let page = &library.pages[index];
    let permalink = config.permalink(&page.path);
    let (lower, higher) = neighbours(library, index);
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
    let mut value = json!({
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
    });
    if with_content {
        value["content"] = Value::String(page.rendered.html.clone());
        value["toc"] = serde_json::to_value(toc_values(&page.rendered.toc, &permalink)).unwrap_or_default();
    }
    value
}

/// The previous (older, `lower`) and next (newer, `higher`) page in the page's own section.
fn neighbours(library: &Library, index: usize) -> (Option<usize>, Option<usize>) {
    let page = &library.pages[index];
    let Some(section) = library.section(&page.section) else {
        return (None, None);
    };
    let Some(position) = section.pages.iter().position(|&i| i == index) else {
        return (None, None);
    };
    let higher = position.checked_sub(1).map(|p| section.pages[p]);
    let lower = section.pages.get(position + 1).copied();
    (lower, higher)
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

/// The value of a section with the given page values (empty for paginated section pages, which
/// list their pages through `paginator.pages`: copying a 4,000-page list into each of 400 pagers
/// is what makes other generators slow).
fn section_value(library: &Library, section: &Section, pages: Vec<&Value>, config: &Config) -> Value {
    json!({
        "title": section.title,
        "description": section.front.description,
        "path": section.path,
        "permalink": config.permalink(&section.path),
        "components": components(&section.path),
        "content": section.rendered.html,
        "toc": toc_values(&section.rendered.toc, &config.permalink(&section.path)),
        "pages": pages,
        "page_count": section.pages.len(),
        "subsections": section.subsections.iter().map(|&i| &library.sections[i].relative_path).collect::<Vec<_>>(),
        "extra": section.front.extra,
        "relative_path": section.relative_path,
        "ancestors": ancestors(library, &section.relative_path, false),
        "generate_feeds": section.front.generate_feeds,
        "assets": section.assets.iter().map(|a| a.path.as_str()).collect::<Vec<_>>(),
    })
}

/// Everything templates can see, with each value serialized on first use and then shared: a build
/// uses most of them, the preview server only those of the pages a browser asks for.
#[derive(Debug)]
pub struct SiteValues {
    /// Site settings.
    pub config: Config,
    /// Pages and sections with rendered Markdown.
    pub library: Library,
    /// Taxonomies and their terms.
    pub taxonomies: Vec<Taxonomy>,
    list: Vec<OnceLock<Value>>,
    full: Vec<OnceLock<Value>>,
    sections: Vec<OnceLock<Value>>,
    section_meta: Vec<OnceLock<Value>>,
    taxonomy_values: Vec<OnceLock<(Value, Vec<Value>)>>,
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
            full: lazy(library.pages.len()),
            sections: lazy(library.sections.len()),
            section_meta: lazy(library.sections.len()),
            taxonomy_values: (0..taxonomies.len()).map(|_| OnceLock::new()).collect(),
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
        self.list[page].get_or_init(|| page_value(&self.library, page, &self.config, false))
    }

    /// A page with its content, as `get_page` returns it.
    pub fn page_value(&self, page: usize) -> &Value {
        self.full[page].get_or_init(|| page_value(&self.library, page, &self.config, true))
    }

    /// A section with its pages, or without them (`metadata_only`, paginated section pages).
    pub fn section_value(&self, section: usize, with_pages: bool) -> &Value {
        let cell = if with_pages {
            &self.sections[section]
        } else {
            &self.section_meta[section]
        };
        cell.get_or_init(|| {
            let pages: Vec<&Value> = if with_pages {
                self.library.sections[section].pages.iter().map(|&i| self.list_value(i)).collect()
            } else {
                Vec::new()
            };
            section_value(&self.library, &self.library.sections[section], pages, &self.config)
        })
    }

    /// The taxonomy value and its terms (each with its pages).
    pub fn taxonomy_values(&self, taxonomy: usize) -> &(Value, Vec<Value>) {
        self.taxonomy_values[taxonomy]
            .get_or_init(|| crate::render::taxonomy_values(&self.config, &self.taxonomies[taxonomy], |i| self.list_value(i)))
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
