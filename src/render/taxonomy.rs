//! The assemble stage for taxonomies: terms from the pages' front matter, grouped by slug.

use std::collections::BTreeMap;

use crate::config::{Config, SlugStyle, TaxonomyConfig};
use crate::content::Library;
use crate::content::front_matter::SortBy;
use crate::content::slug::slugify;

/// One term (a tag, a branch) and its pages, newest first (expired pages left out).
#[derive(Debug, Clone)]
pub struct Term {
    /// As written in front matter (the first spelling seen wins).
    pub name: String,
    /// URL segment.
    pub slug: String,
    /// Site path: "/tags/san-hui-yi-ke/".
    pub path: String,
    /// Page indices, newest first.
    pub pages: Vec<usize>,
}

/// A declared taxonomy and its terms.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    /// Its config.
    pub config: TaxonomyConfig,
    /// Site path: "/tags/".
    pub path: String,
    /// Terms ordered by their pinyin.
    pub terms: Vec<Term>,
}

/// Groups the pages of `library` by the terms of each declared taxonomy.
pub fn collect(library: &Library, config: &Config) -> Vec<Taxonomy> {
    config
        .taxonomies
        .iter()
        .map(|taxonomy_config| {
            let path = format!("/{}/", taxonomy_config.name);
            let mut by_slug: BTreeMap<String, Term> = BTreeMap::new();
            // A site uses a few dozen terms tens of thousands of times: slugify each name once.
            let mut slugs: std::collections::HashMap<&str, String> = std::collections::HashMap::new();
            for (index, page) in library.pages.iter().enumerate() {
                let Some(names) = page.front.taxonomies.get(&taxonomy_config.name) else {
                    continue;
                };
                for name in names {
                    let name = name.trim();
                    let slug = slugs.entry(name).or_insert_with(|| slugify(name, config.slugify)).clone();
                    if slug.is_empty() {
                        continue;
                    }
                    let term = by_slug.entry(slug.clone()).or_insert_with(|| Term {
                        name: name.to_string(),
                        path: format!("{path}{slug}/"),
                        slug,
                        pages: Vec::new(),
                    });
                    // An expired page keeps its terms in existence (its own links to them work)
                    // but is listed on none of them. Pages come in index order, so a page that
                    // names a term twice is the term's last page already.
                    if !page.expired && term.pages.last() != Some(&index) {
                        term.pages.push(index);
                    }
                }
            }
            let mut terms: Vec<Term> = by_slug.into_values().collect();
            for term in &mut terms {
                crate::content::sort_pages(&mut term.pages, &library.pages, SortBy::Date);
            }
            terms.sort_by_cached_key(|t| (slugify(&t.name, SlugStyle::Pinyin), t.name.clone()));
            Taxonomy {
                config: taxonomy_config.clone(),
                path,
                terms,
            }
        })
        .collect()
}
