//! The render stage: a function from the assembled library to the list of outputs (path, bytes).
//! Pages, sections and taxonomy pages are rendered in parallel with Tera.

pub mod feeds;
pub mod taxonomy;
pub mod values;

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;
use serde_json::{Value, json};

use crate::config::Config;
use crate::content::{Library, Section};
use crate::diagnostic::Diagnostic;
use crate::output::{Body, Output};
use crate::templates::{Templates, ThemeStatic};
use feeds::SitemapEntry;
use taxonomy::Taxonomy;

/// What the render stage reads.
pub struct RenderInput<'a> {
    /// Site settings.
    pub config: &'a Config,
    /// The site folder (for static files).
    pub site_dir: &'a Path,
    /// Pages and sections with rendered Markdown.
    pub library: &'a Library,
    /// Templates with all functions registered.
    pub templates: &'a Templates,
    /// Page values for lists (no content), by page index.
    pub list_values: &'a [Value],
    /// Full page values by page index.
    pub page_values: &'a [Value],
    /// Section values by section index.
    pub section_values: &'a [Value],
    /// Taxonomies with their terms.
    pub taxonomies: &'a [Taxonomy],
    /// The config as a template value.
    pub config_value: &'a Value,
}

impl RenderInput<'_> {
    fn context(&self, site_path: &str) -> Vars {
        let mut context = Vars::default();
        context.insert("config", self.config_value);
        context.insert("current_path", &Value::String(site_path.to_string()));
        context.insert("current_url", &Value::String(self.config.permalink(site_path)));
        context.insert("lang", &Value::String(self.config.language_code.clone()));
        context
    }
}

type Rendered = (Vec<Output>, Vec<Diagnostic>);

/// The variables of one template render. Values are cloned in as they are: Tera's own
/// `Context::insert` serializes each value again, which costs more than the render itself.
#[derive(Default)]
pub struct Vars(serde_json::Map<String, Value>);

impl Vars {
    /// Sets `key` to a copy of `value`.
    pub fn insert(&mut self, key: &str, value: &Value) {
        self.0.insert(key.to_string(), value.clone());
    }

    /// The Tera context holding these variables.
    pub fn into_context(self) -> tera::Context {
        // from_value only refuses values that are not objects.
        tera::Context::from_value(Value::Object(self.0)).unwrap_or_default()
    }
}

/// Renders every output of the site.
pub fn render_site(input: &RenderInput<'_>) -> Rendered {
    let mut outputs = Vec::new();
    let mut diagnostics = Vec::new();
    let mut collect = |(o, d): Rendered| {
        outputs.extend(o);
        diagnostics.extend(d);
    };
    collect(render_pages(input));
    collect(render_sections(input));
    collect(render_taxonomies(input));
    collect(render_extras(input));
    collect(copy_files(input));
    check_collisions(&outputs, &mut diagnostics);
    (outputs, diagnostics)
}

fn merge(results: Vec<Rendered>) -> Rendered {
    let mut outputs = Vec::new();
    let mut diagnostics = Vec::new();
    for (o, d) in results {
        outputs.extend(o);
        diagnostics.extend(d);
    }
    (outputs, diagnostics)
}

/// The template a page uses: its own, else the nearest section's page_template, else page.html.
fn page_template(library: &Library, index: usize) -> (&str, String) {
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

fn missing_template(name: &str, named_by: &str, file: &str) -> Diagnostic {
    let by = if named_by.is_empty() {
        String::new()
    } else {
        format!(" (named in {named_by})")
    };
    Diagnostic::error("template", file, 0, 0, format!("template `{name}` does not exist{by}"))
        .with_hint(format!("add templates/{name} to the site, or use a template of the theme"))
}

fn render_pages(input: &RenderInput<'_>) -> Rendered {
    let library = input.library;
    merge(
        (0..library.pages.len())
            .into_par_iter()
            .map(|index| {
                let page = &library.pages[index];
                let (template, named_by) = page_template(library, index);
                if !input.templates.has(template) {
                    return (Vec::new(), vec![missing_template(template, &named_by, &page.file)]);
                }
                let mut context = input.context(&page.path);
                context.insert("page", &input.page_values[index]);
                let mut outputs = Vec::new();
                let mut diagnostics = Vec::new();
                match input.templates.render(template, context, &page.file) {
                    Ok(html) => outputs.push(Output::page(&page.path, html, page.file.clone())),
                    Err(d) => diagnostics.push(d),
                }
                for asset in &page.assets {
                    outputs.push(Output {
                        path: asset.path.trim_start_matches('/').to_string(),
                        body: Body::File(asset.source.clone()),
                        source: page.file.clone(),
                    });
                }
                for alias in &page.front.aliases {
                    outputs.push(Output::page(
                        &alias_path(alias),
                        feeds::redirect(&input.config.permalink(&page.path), &input.config.language_code),
                        page.file.clone(),
                    ));
                }
                (outputs, diagnostics)
            })
            .collect(),
    )
}

/// An alias as a site path ending in `/` or a file name.
fn alias_path(alias: &str) -> String {
    let trimmed = alias.trim().trim_start_matches('/');
    let safe: Vec<&str> = trimmed.split('/').filter(|c| !c.is_empty() && *c != "." && *c != "..").collect();
    let joined = safe.join("/");
    if joined.ends_with(".html") || joined.ends_with(".htm") {
        format!("/{joined}")
    } else {
        format!("/{joined}/").replace("//", "/")
    }
}

/// Splits `items` into pages of `per_page` under `base_path`: the first at `base_path`, then
/// `base_path/page/N/`.
fn paginator_values(config: &Config, base_path: &str, items: &[&Value], per_page: usize) -> Vec<(String, Value)> {
    let chunks: Vec<&[&Value]> = if items.is_empty() {
        vec![&[][..]]
    } else {
        items.chunks(per_page).collect()
    };
    let total = chunks.len();
    let pager_path = |n: usize| {
        if n == 1 {
            base_path.to_string()
        } else {
            format!("{base_path}page/{n}/")
        }
    };
    chunks
        .iter()
        .enumerate()
        .map(|(i, chunk)| {
            let n = i + 1;
            let value = json!({
                "paginate_by": per_page,
                "base_url": config.permalink(&format!("{base_path}page/")),
                "first": config.permalink(&pager_path(1)),
                "last": config.permalink(&pager_path(total)),
                "previous": (n > 1).then(|| config.permalink(&pager_path(n - 1))),
                "next": (n < total).then(|| config.permalink(&pager_path(n + 1))),
                "pages": chunk,
                "current_index": n,
                "total_pages": total,
                "number_pagers": total,
            });
            (pager_path(n), value)
        })
        .collect()
}

fn render_sections(input: &RenderInput<'_>) -> Rendered {
    let library = input.library;
    merge(
        library
            .sections
            .par_iter()
            .enumerate()
            .map(|(index, section)| render_section(input, index, section))
            .collect(),
    )
}

fn render_section(input: &RenderInput<'_>, index: usize, section: &Section) -> Rendered {
    let is_home = section.parent.is_none();
    let default_template = if is_home { "index.html" } else { "section.html" };
    let template = section.front.template.as_deref().unwrap_or(default_template);
    let mut outputs = Vec::new();
    let mut diagnostics = Vec::new();
    for asset in &section.assets {
        outputs.push(Output {
            path: asset.path.trim_start_matches('/').to_string(),
            body: Body::File(asset.source.clone()),
            source: section.file.clone(),
        });
    }
    for alias in &section.front.aliases {
        outputs.push(Output::page(
            &alias_path(alias),
            feeds::redirect(&input.config.permalink(&section.path), &input.config.language_code),
            section.file.clone(),
        ));
    }
    if !input.templates.has(template) {
        diagnostics.push(missing_template(
            template,
            if section.front.template.is_some() { &section.file } else { "" },
            &section.file,
        ));
        return (outputs, diagnostics);
    }
    let paginated = section.front.paginate_by.is_some_and(|n| n > 0);
    let section_value = if paginated {
        values::section_value(input.library, section, input.list_values, input.config, false)
    } else {
        input.section_values[index].clone()
    };
    let pagers: Vec<(String, Option<Value>)> = match section.front.paginate_by.filter(|n| *n > 0) {
        Some(per_page) => {
            let items: Vec<&Value> = section.pages.iter().map(|&i| &input.list_values[i]).collect();
            if items.len() > per_page {
                outputs.push(Output::page(
                    &format!("{}page/1/", section.path),
                    feeds::redirect(&input.config.permalink(&section.path), &input.config.language_code),
                    section.file.clone(),
                ));
            }
            paginator_values(input.config, &section.path, &items, per_page)
                .into_iter()
                .map(|(p, v)| (p, Some(v)))
                .collect()
        }
        None => vec![(section.path.clone(), None)],
    };
    for (path, paginator) in pagers {
        let mut context = input.context(&path);
        context.insert("section", &section_value);
        if let Some(paginator) = &paginator {
            context.insert("paginator", paginator);
        }
        match input.templates.render(template, context, &section.file) {
            Ok(html) => outputs.push(Output::page(&path, html, section.file.clone())),
            Err(d) => {
                diagnostics.push(d);
                break;
            }
        }
    }
    if section.front.generate_feeds && !is_home {
        let pages: Vec<_> = section
            .pages
            .iter()
            .take(input.config.feed_limit)
            .map(|&i| &input.library.pages[i])
            .collect();
        let title = format!("{} - {}", section.title, input.config.title);
        let feed_path = format!("{}atom.xml", section.path);
        outputs.push(Output {
            path: feed_path.trim_start_matches('/').to_string(),
            body: Body::Bytes(feeds::atom(input.config, &title, &section.path, &feed_path, &pages).into_bytes()),
            source: section.file.clone(),
        });
    }
    (outputs, diagnostics)
}

/// Template values of a taxonomy and its terms.
pub fn taxonomy_values(config: &Config, taxonomy: &Taxonomy, list_values: &[Value]) -> (Value, Vec<Value>) {
    let taxonomy_value = json!({
        "name": taxonomy.config.name,
        "title": taxonomy.config.title.clone().unwrap_or_else(|| taxonomy.config.name.clone()),
        "slug": taxonomy.config.name,
        "path": taxonomy.path,
        "permalink": config.permalink(&taxonomy.path),
        "paginate_by": taxonomy.config.paginate_by,
        "feed": taxonomy.config.feed,
    });
    let terms = taxonomy
        .terms
        .iter()
        .map(|term| {
            json!({
                "name": term.name,
                "slug": term.slug,
                "path": term.path,
                "permalink": config.permalink(&term.path),
                "pages": term.pages.iter().map(|&i| &list_values[i]).collect::<Vec<_>>(),
                "page_count": term.pages.len(),
            })
        })
        .collect();
    (taxonomy_value, terms)
}

fn render_taxonomies(input: &RenderInput<'_>) -> Rendered {
    let mut results = Vec::new();
    for taxonomy in input.taxonomies {
        let name = &taxonomy.config.name;
        let source = "config.toml".to_string();
        let (taxonomy_value, term_values) = taxonomy_values(input.config, taxonomy, input.list_values);
        let list_template = [format!("{name}/list.html"), "taxonomy_list.html".to_string()]
            .into_iter()
            .find(|t| input.templates.has(t));
        let single_template = [format!("{name}/single.html"), "taxonomy_single.html".to_string()]
            .into_iter()
            .find(|t| input.templates.has(t));
        let (Some(list_template), Some(single_template)) = (list_template, single_template) else {
            results.push((
                Vec::new(),
                vec![missing_template("taxonomy_list.html or taxonomy_single.html", "", "config.toml")],
            ));
            continue;
        };
        let mut outputs = Vec::new();
        let mut diagnostics = Vec::new();
        let mut context = input.context(&taxonomy.path);
        context.insert("taxonomy", &taxonomy_value);
        context.insert("terms", &Value::Array(term_values.clone()));
        match input
            .templates
            .render(&list_template, context, &format!("the {name} taxonomy list"))
        {
            Ok(html) => outputs.push(Output::page(&taxonomy.path, html, source.clone())),
            Err(d) => diagnostics.push(d),
        }
        results.push((outputs, diagnostics));
        let term_results: Vec<Rendered> = taxonomy
            .terms
            .par_iter()
            .zip(term_values.par_iter())
            .map(|(term, term_value)| {
                let mut outputs = Vec::new();
                let mut diagnostics = Vec::new();
                let source = format!("the {name} term `{}`", term.name);
                // Paginated term pages list their pages through `paginator.pages`, like sections.
                let mut term_meta = term_value.clone();
                if taxonomy.config.paginate_by.is_some() {
                    term_meta["pages"] = Value::Array(Vec::new());
                }
                let pagers: Vec<(String, Option<Value>)> = match taxonomy.config.paginate_by {
                    Some(per_page) => {
                        let items: Vec<&Value> = term.pages.iter().map(|&i| &input.list_values[i]).collect();
                        paginator_values(input.config, &term.path, &items, per_page)
                            .into_iter()
                            .map(|(p, v)| (p, Some(v)))
                            .collect()
                    }
                    None => vec![(term.path.clone(), None)],
                };
                for (path, paginator) in pagers {
                    let mut context = input.context(&path);
                    context.insert("taxonomy", &taxonomy_value);
                    context.insert("term", if paginator.is_some() { &term_meta } else { term_value });
                    if let Some(paginator) = &paginator {
                        context.insert("paginator", paginator);
                    }
                    match input.templates.render(&single_template, context, &source) {
                        Ok(html) => outputs.push(Output::page(&path, html, source.clone())),
                        Err(d) => {
                            diagnostics.push(d);
                            break;
                        }
                    }
                }
                if taxonomy.config.feed {
                    let pages: Vec<_> = term
                        .pages
                        .iter()
                        .take(input.config.feed_limit)
                        .map(|&i| &input.library.pages[i])
                        .collect();
                    let title = format!("{} - {}", term.name, input.config.title);
                    let feed_path = format!("{}atom.xml", term.path);
                    outputs.push(Output {
                        path: feed_path.trim_start_matches('/').to_string(),
                        body: Body::Bytes(feeds::atom(input.config, &title, &term.path, &feed_path, &pages).into_bytes()),
                        source,
                    });
                }
                (outputs, diagnostics)
            })
            .collect();
        results.extend(term_results);
    }
    merge(results)
}

/// 404 page, site feed, sitemap, robots.txt and the highlighting stylesheet.
fn render_extras(input: &RenderInput<'_>) -> Rendered {
    let config = input.config;
    let library = input.library;
    let mut outputs = Vec::new();
    let mut diagnostics = Vec::new();
    if input.templates.has("404.html") {
        let context = input.context("/404.html");
        match input.templates.render("404.html", context, "the 404 page") {
            Ok(html) => outputs.push(Output::page("/404.html", html, "404.html")),
            Err(d) => diagnostics.push(d),
        }
    }
    if config.generate_feeds {
        let mut order: Vec<usize> = (0..library.pages.len()).collect();
        crate::content::sort_pages(&mut order, &library.pages, crate::content::front_matter::SortBy::Date);
        let pages: Vec<_> = order.iter().take(config.feed_limit).map(|&i| &library.pages[i]).collect();
        outputs.push(Output {
            path: "atom.xml".into(),
            body: Body::Bytes(feeds::atom(config, &config.title, "/", "/atom.xml", &pages).into_bytes()),
            source: "config.toml".into(),
        });
    }
    let mut entries: Vec<SitemapEntry> = library
        .pages
        .iter()
        .map(|p| SitemapEntry {
            path: p.path.clone(),
            lastmod: p.front.updated.or(p.date),
        })
        .collect();
    entries.extend(library.sections.iter().map(|s| SitemapEntry {
        path: s.path.clone(),
        lastmod: None,
    }));
    for taxonomy in input.taxonomies {
        entries.push(SitemapEntry {
            path: taxonomy.path.clone(),
            lastmod: None,
        });
        entries.extend(taxonomy.terms.iter().map(|t| SitemapEntry {
            path: t.path.clone(),
            lastmod: None,
        }));
    }
    outputs.push(Output {
        path: "sitemap.xml".into(),
        body: Body::Bytes(feeds::sitemap(config, entries).into_bytes()),
        source: "config.toml".into(),
    });
    outputs.push(Output {
        path: "robots.txt".into(),
        body: Body::Bytes(feeds::robots(config).into_bytes()),
        source: "config.toml".into(),
    });
    if config.markdown.highlight_code {
        outputs.push(Output {
            path: "css/syntax.css".into(),
            body: Body::Bytes(crate::markdown::highlight::stylesheet().into_bytes()),
            source: "config.toml".into(),
        });
    }
    (outputs, diagnostics)
}

/// Theme static files, then the site's `static/` (a site file replaces the theme's).
fn copy_files(input: &RenderInput<'_>) -> Rendered {
    let mut files: HashMap<String, Output> = HashMap::new();
    match &input.templates.theme_static {
        ThemeStatic::Embedded => {
            for (path, bytes) in crate::embedded::files_under::<crate::embedded::DefaultTheme>("static/") {
                files.insert(
                    path.clone(),
                    Output {
                        source: format!("themes/default/static/{path}"),
                        path,
                        body: Body::Embedded(bytes),
                    },
                );
            }
        }
        ThemeStatic::Dir(dir) => collect_dir(dir, &format!("themes/{}/static", input.config.theme), &mut files),
    }
    collect_dir(&input.site_dir.join("static"), "static", &mut files);
    let mut outputs: Vec<Output> = files.into_values().collect();
    outputs.sort_by(|a, b| a.path.cmp(&b.path));
    (outputs, Vec::new())
}

fn collect_dir(dir: &Path, display: &str, files: &mut HashMap<String, Output>) {
    if !dir.is_dir() {
        return;
    }
    for entry in walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(Result::ok)
    {
        if !entry.file_type().is_file() {
            continue;
        }
        let relative = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        files.insert(
            relative.clone(),
            Output {
                source: format!("{display}/{relative}"),
                path: relative,
                body: Body::File(entry.path().to_path_buf()),
            },
        );
    }
}

/// Two sources writing one output file (two pages with one slug, an alias onto a page, a static
/// file named like a page): each source gets an error naming the others.
fn check_collisions(outputs: &[Output], diagnostics: &mut Vec<Diagnostic>) {
    let mut sources: HashMap<&str, Vec<&str>> = HashMap::with_capacity(outputs.len());
    for output in outputs {
        let list = sources.entry(&output.path).or_default();
        if !list.contains(&output.source.as_str()) {
            list.push(&output.source);
        }
    }
    let mut clashes: Vec<(&str, Vec<&str>)> = sources.into_iter().filter(|(_, list)| list.len() > 1).collect();
    clashes.sort();
    for (path, list) in clashes {
        let shown = match path.strip_suffix("index.html") {
            Some(dir) => format!("/{dir}"),
            None => format!("/{path}"),
        };
        for (i, source) in list.iter().enumerate() {
            let others: Vec<&str> = list.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, s)| *s).collect();
            diagnostics.push(
                Diagnostic::error(
                    "duplicate-path",
                    *source,
                    0,
                    0,
                    format!("`{shown}` is also the address of {}", others.join(", ")),
                )
                .with_hint("give one of them another file name or a `slug` in its front matter (or change the alias)"),
            );
        }
    }
}
