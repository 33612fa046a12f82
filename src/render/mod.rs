//! The render stage: a function from the assembled site to its outputs (path, bytes). The plan
//! lists every output; each is rendered on its own, so `build` renders them all in parallel and
//! the preview server renders only what a browser asks for.

pub mod feeds;
pub mod plan;
pub mod relative;
pub mod study_plan;
pub mod taxonomy;
pub mod topics;
pub mod values;

use serde_json::{Value, json};

use crate::config::Config;
use crate::content::Library;
use crate::diagnostic::Diagnostic;
use crate::output::{Body, Output};
use crate::templates::Templates;
use plan::{Job, Planned, pager_count, pager_path};
use taxonomy::Taxonomy;
use values::SiteValues;

/// What rendering reads.
pub struct RenderInput<'a> {
    /// Templates with all functions registered.
    pub templates: &'a Templates,
    /// The site and its template values.
    pub values: &'a SiteValues,
    /// The config as a template value.
    pub config_value: &'a Value,
}

/// The variables of one template render. Values are moved or cloned in as they are: Tera's own
/// `Context::insert` serializes each value again, which costs more than the render itself.
#[derive(Default)]
pub struct Vars(serde_json::Map<String, Value>);

impl Vars {
    /// Sets `key` to a copy of `value`.
    pub fn insert(&mut self, key: &str, value: &Value) {
        self.set(key, value.clone());
    }

    /// Sets `key` to `value`.
    pub fn set(&mut self, key: &str, value: Value) {
        self.0.insert(key.to_string(), value);
    }

    /// The Tera context holding these variables.
    pub fn into_context(self) -> tera::Context {
        // from_value only refuses values that are not objects.
        tera::Context::from_value(Value::Object(self.0)).unwrap_or_default()
    }
}

impl RenderInput<'_> {
    fn config(&self) -> &Config {
        &self.values.config
    }

    fn library(&self) -> &Library {
        &self.values.library
    }

    /// The variables every page has: config, current_path, current_url, lang.
    pub(crate) fn context(&self, site_path: &str) -> Vars {
        let mut context = Vars::default();
        context.insert("config", self.config_value);
        context.set("current_path", Value::String(site_path.to_string()));
        context.set("current_url", Value::String(self.config().permalink(site_path)));
        context.set("lang", Value::String(self.config().language_code.clone()));
        context
    }
}

/// Renders one planned output.
pub fn render(input: &RenderInput<'_>, planned: &Planned) -> Result<Output, Diagnostic> {
    let config = input.config();
    let library = input.library();
    let bytes = |text: String| Body::Bytes(text.into_bytes());
    let body = match &planned.job {
        Job::Copy(body) => body.clone(),
        Job::Page(index) => Body::Bytes(render_page(input, *index)?),
        Job::Section(index, n) => Body::Bytes(render_section(input, *index, *n)?),
        Job::TaxonomyList(t) => Body::Bytes(render_taxonomy_list(input, *t)?),
        Job::Term(t, k, n) => Body::Bytes(render_term(input, *t, *k, *n)?),
        Job::Redirect(target) => bytes(feeds::redirect(&config.permalink(target), &config.language_code)),
        Job::NotFound => bytes(input.templates.render("404.html", input.context("/404.html"), "the 404 page")?),
        Job::SectionFeed(index) => {
            let section = &library.sections[*index];
            let pages: Vec<_> = section.pages.iter().take(config.feed_limit).map(|&i| &library.pages[i]).collect();
            let title = format!("{} - {}", section.title, config.title);
            bytes(feeds::atom(
                config,
                &title,
                &section.path,
                &format!("{}atom.xml", section.path),
                &pages,
            ))
        }
        Job::TermFeed(t, k) => {
            let term = &input.values.taxonomies[*t].terms[*k];
            let pages: Vec<_> = term.pages.iter().take(config.feed_limit).map(|&i| &library.pages[i]).collect();
            let title = format!("{} - {}", term.name, config.title);
            bytes(feeds::atom(config, &title, &term.path, &format!("{}atom.xml", term.path), &pages))
        }
        Job::SiteFeed => {
            let mut order: Vec<usize> = (0..library.pages.len()).filter(|&i| !library.pages[i].expired).collect();
            crate::content::sort_pages(&mut order, &library.pages, crate::content::front_matter::SortBy::Date);
            let pages: Vec<_> = order.iter().take(config.feed_limit).map(|&i| &library.pages[i]).collect();
            bytes(feeds::atom(config, &config.title, "/", "/atom.xml", &pages))
        }
        Job::Sitemap => {
            let mut entries = sitemap_entries(library, &input.values.taxonomies);
            // The ledger's pages; its data files are not pages.
            let ledger_pages = input
                .values
                .ledger
                .iter()
                .flat_map(|l| l.outputs())
                .filter(|(path, _)| path.ends_with('/'));
            entries.extend(ledger_pages.map(|(path, _)| feeds::SitemapEntry { path, lastmod: None }));
            if let Some(plan) = &input.values.study_plan {
                entries.push(feeds::SitemapEntry {
                    path: plan.path.clone(),
                    lastmod: None,
                });
            }
            bytes(feeds::sitemap(config, entries))
        }
        Job::Robots => bytes(feeds::robots(config)),
        Job::SyntaxCss => bytes(crate::markdown::highlight::stylesheet()),
        Job::SearchPage => bytes(
            input
                .templates
                .render("search.html", input.context("/search/"), "the search page")?,
        ),
        Job::Search(file) => Body::Bytes(input.values.search().render(*file)),
        Job::Ledger(job) => crate::ledger::render(input, *job)?,
        Job::StudyPlan => bytes(study_plan::render_page(input)?),
        Job::StudyPlanFeed => bytes(study_plan::render_feed(input)?),
        Job::Screen(job) => crate::screen::render(input, job)?,
    };
    let body = match body {
        // The 404 page is served at whatever address was not found: only absolute links work there.
        Body::Bytes(bytes) if config.relative_urls && planned.path.ends_with(".html") && !matches!(planned.job, Job::NotFound) => {
            let html = String::from_utf8_lossy(&bytes);
            Body::Bytes(relative::relativize(&html, &planned.path, &config.permalink("/"), config.base_path()).into_bytes())
        }
        other => other,
    };
    Ok(Output {
        path: planned.path.clone(),
        body,
        source: planned.source.clone(),
    })
}

fn sitemap_entries(library: &Library, taxonomies: &[Taxonomy]) -> Vec<feeds::SitemapEntry> {
    let entry = |path: &str, lastmod| feeds::SitemapEntry {
        path: path.to_string(),
        lastmod,
    };
    let mut entries: Vec<_> = library.pages.iter().map(|p| entry(&p.path, p.front.updated.or(p.date))).collect();
    entries.extend(library.sections.iter().map(|s| entry(&s.path, None)));
    for taxonomy in taxonomies {
        entries.push(entry(&taxonomy.path, None));
        entries.extend(taxonomy.terms.iter().map(|t| entry(&t.path, None)));
    }
    entries
}

/// The template a page uses: its own, else the nearest section's page_template, else page.html;
/// with the file that named it.
pub fn page_template(library: &Library, index: usize) -> (&str, String) {
    let page = &library.pages[index];
    if let Some(template) = &page.front.template {
        return (template, page.file.clone());
    }
    let mut section = library.section(&page.section);
    while let Some(s) = section {
        if let Some(template) = &s.front.page_template {
            return (template, s.file.clone());
        }
        section = s.parent.as_deref().and_then(|p| library.section(p));
    }
    ("page.html", String::new())
}

/// The error for a template that does not exist.
pub fn missing_template(name: &str, named_by: &str, file: &str) -> Diagnostic {
    let by = if named_by.is_empty() {
        String::new()
    } else {
        format!(" (named in {named_by})")
    };
    Diagnostic::error("template", file, 0, 0, format!("template `{name}` does not exist{by}"))
        .with_hint(format!("add templates/{name} to the site, or use a template of the theme"))
}

fn render_page(input: &RenderInput<'_>, index: usize) -> Result<Vec<u8>, Diagnostic> {
    let library = input.library();
    let page = &library.pages[index];
    let (template, _) = page_template(library, index);
    let mut context = input.context(&page.path);
    context.set("page", input.values.page_value(index));
    input.templates.render_bytes(template, context, &page.file)
}

/// The paginator value for pager `n` (1-based) of `pages` under `base_path`.
fn paginator(values: &SiteValues, base_path: &str, pages: &[usize], per_page: usize, n: usize) -> Value {
    let config = &values.config;
    let total = pager_count(pages.len(), per_page);
    let mut paginator = json!({
        "paginate_by": per_page,
        "base_url": config.permalink(&format!("{base_path}page/")),
        "first": config.permalink(base_path),
        "last": config.permalink(&pager_path(base_path, total)),
        "previous": (n > 1).then(|| config.permalink(&pager_path(base_path, n - 1))),
        "next": (n < total).then(|| config.permalink(&pager_path(base_path, n + 1))),
        "current_index": n,
        "total_pages": total,
        "number_pagers": total,
    });
    // Set apart: `json!` would serialize the page values again instead of moving them in.
    paginator["pages"] = values.page_list(pages.iter().copied().skip((n - 1) * per_page).take(per_page));
    paginator
}

fn render_section(input: &RenderInput<'_>, index: usize, n: usize) -> Result<Vec<u8>, Diagnostic> {
    let section = &input.library().sections[index];
    let template = section
        .front
        .template
        .as_deref()
        .unwrap_or(if section.parent.is_none() { "index.html" } else { "section.html" });
    let path = pager_path(&section.path, n);
    let mut context = input.context(&path);
    match section.front.paginate_by.filter(|n| *n > 0) {
        Some(per_page) => {
            context.insert("section", input.values.section_metadata(index));
            context.set("paginator", paginator(input.values, &section.path, &section.pages, per_page, n));
        }
        None => context.set("section", input.values.section_value(index, None)),
    }
    input.templates.render_bytes(template, context, &section.file)
}

fn taxonomy_template(input: &RenderInput<'_>, name: &str, kind: &str) -> String {
    let own = format!("{name}/{kind}.html");
    if input.templates.has(&own) {
        own
    } else {
        format!("taxonomy_{kind}.html")
    }
}

fn render_taxonomy_list(input: &RenderInput<'_>, t: usize) -> Result<Vec<u8>, Diagnostic> {
    let taxonomy = &input.values.taxonomies[t];
    let mut context = input.context(&taxonomy.path);
    context.insert("taxonomy", input.values.taxonomy_value(t));
    // Each term with what its own first page lists, not every page of every term: on a site of
    // 10,000 pages that copy cost over 100 MB of peak memory, and the default theme shows only counts.
    context.set("terms", Value::Array(input.values.term_values(t, taxonomy.config.paginate_by)));
    let name = &taxonomy.config.name;
    if name == crate::content::topics::TAXONOMY {
        // Cards with banners: each topic with its data from data/topics.toml.
        context.set("topics", Value::Array(topics::topic_values(input.values, t)));
    }
    input.templates.render_bytes(
        &taxonomy_template(input, name, "list"),
        context,
        &format!("the {name} taxonomy list"),
    )
}

fn render_term(input: &RenderInput<'_>, t: usize, k: usize, n: usize) -> Result<Vec<u8>, Diagnostic> {
    let taxonomy = &input.values.taxonomies[t];
    let term = &taxonomy.terms[k];
    let name = &taxonomy.config.name;
    let path = pager_path(&term.path, n);
    let mut context = input.context(&path);
    context.insert("taxonomy", input.values.taxonomy_value(t));
    match taxonomy.config.paginate_by {
        Some(per_page) => {
            // Paginated term pages list their pages through `paginator.pages`, like sections.
            context.set("term", input.values.term_value(t, k, Some(0)));
            context.set("paginator", paginator(input.values, &term.path, &term.pages, per_page, n));
        }
        None => context.set("term", input.values.term_value(t, k, None)),
    }
    if name == crate::ledger::TAXONOMY {
        // The branch's record from data/branches.toml (null without it): the term page is its page.
        context.set("branch", crate::ledger::output::branch_value(input.values, &term.slug, n == 1));
    }
    if name == crate::content::topics::TAXONOMY {
        // The landing page's banner and introduction (null values for a topic without data).
        context.set("topic", topics::topic_value(input.values, term));
    }
    input.templates.render_bytes(
        &taxonomy_template(input, name, "single"),
        context,
        &format!("the {name} term `{}`", term.name),
    )
}
