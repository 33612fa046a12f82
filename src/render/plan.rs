//! Planning the outputs: every file the site will have and what makes it, without rendering
//! anything. `build` renders the whole plan; the preview server renders an entry when a browser
//! asks for it. Collisions (two sources, one path) are found here, before any work is done.

use std::collections::HashMap;
use std::path::Path;

use crate::content::Library;
use crate::diagnostic::Diagnostic;
use crate::images::copy_body;
use crate::output::Body;
use crate::render::taxonomy::Taxonomy;
use crate::templates::{Templates, ThemeStatic};

/// What produces one output file.
#[derive(Debug, Clone)]
pub enum Job {
    /// A page, by index.
    Page(usize),
    /// A section list page: section index and 1-based pager number (1 when not paginated).
    Section(usize, usize),
    /// The Atom feed of a section.
    SectionFeed(usize),
    /// A taxonomy's list of terms.
    TaxonomyList(usize),
    /// A term's page: taxonomy, term and 1-based pager number.
    Term(usize, usize, usize),
    /// A term's Atom feed.
    TermFeed(usize, usize),
    /// A page that redirects to a site path (aliases, `/page/1/`).
    Redirect(String),
    /// The 404 page.
    NotFound,
    /// The site's Atom feed.
    SiteFeed,
    /// sitemap.xml.
    Sitemap,
    /// robots.txt.
    Robots,
    /// The code highlighting stylesheet.
    SyntaxCss,
    /// The search page.
    SearchPage,
    /// A file of the search index.
    Search(crate::search::SearchFile),
    /// A page or data file of the organization-life ledger.
    Ledger(crate::ledger::LedgerJob),
    /// The study plan's page (学习计划).
    StudyPlan,
    /// The study plan's Atom feed.
    StudyPlanFeed,
    /// The lobby screen (大屏), `/screen/`.
    Screen(crate::screen::ScreenJob),
    /// A file copied as it is (assets, static files, theme files).
    Copy(Body),
}

/// One planned output.
#[derive(Debug, Clone)]
pub struct Planned {
    /// Path in the output folder ("study/x/index.html").
    pub path: String,
    /// What it comes from, for messages ("content/study/x.md").
    pub source: String,
    /// How to make it.
    pub job: Job,
}

fn planned(site_path: &str, source: &str, job: Job) -> Planned {
    Planned {
        path: crate::output::file_for(site_path),
        source: source.to_string(),
        job,
    }
}

/// Number of pagers for `count` items, `per_page` each (at least one, even when empty).
pub fn pager_count(count: usize, per_page: usize) -> usize {
    count.div_ceil(per_page.max(1)).max(1)
}

/// The site path of pager `n` under `base` ("/study/" → "/study/page/2/").
pub fn pager_path(base: &str, n: usize) -> String {
    if n <= 1 { base.to_string() } else { format!("{base}page/{n}/") }
}

/// Every output of the site, and errors for missing templates.
pub fn plan(
    library: &Library,
    taxonomies: &[Taxonomy],
    templates: &Templates,
    config: &crate::config::Config,
    site_dir: &Path,
    ledger: Option<&crate::ledger::Ledger>,
    study_plan: Option<&crate::content::study::StudyPlan>,
) -> (Vec<Planned>, Vec<Diagnostic>) {
    let mut plan = Vec::new();
    let mut diagnostics = Vec::new();
    let strip = config.images.strip_metadata;
    for (index, page) in library.pages.iter().enumerate() {
        let (template, named_by) = crate::render::page_template(library, index);
        if templates.has(template) {
            plan.push(planned(&page.path, &page.file, Job::Page(index)));
        } else {
            diagnostics.push(crate::render::missing_template(template, &named_by, &page.file));
        }
        for asset in &page.assets {
            plan.push(planned(&asset.path, &page.file, Job::Copy(copy_body(asset.source.clone(), strip))));
        }
        for alias in &page.front.aliases {
            plan.push(planned(&alias_path(alias), &page.file, Job::Redirect(page.path.clone())));
        }
    }
    for (index, section) in library.sections.iter().enumerate() {
        let default_template = if section.parent.is_none() { "index.html" } else { "section.html" };
        let template = section.front.template.as_deref().unwrap_or(default_template);
        if templates.has(template) {
            let pagers = match section.front.paginate_by.filter(|n| *n > 0) {
                Some(per_page) => pager_count(section.pages.len(), per_page),
                None => 1,
            };
            for n in 1..=pagers {
                plan.push(planned(&pager_path(&section.path, n), &section.file, Job::Section(index, n)));
            }
            if pagers > 1 {
                plan.push(planned(
                    &format!("{}page/1/", section.path),
                    &section.file,
                    Job::Redirect(section.path.clone()),
                ));
            }
        } else {
            let named_by = if section.front.template.is_some() {
                section.file.as_str()
            } else {
                ""
            };
            diagnostics.push(crate::render::missing_template(template, named_by, &section.file));
        }
        if section.front.generate_feeds && section.parent.is_some() {
            plan.push(planned(
                &format!("{}atom.xml", section.path),
                &section.file,
                Job::SectionFeed(index),
            ));
        }
        for asset in &section.assets {
            plan.push(planned(
                &asset.path,
                &section.file,
                Job::Copy(copy_body(asset.source.clone(), strip)),
            ));
        }
        for alias in &section.front.aliases {
            plan.push(planned(&alias_path(alias), &section.file, Job::Redirect(section.path.clone())));
        }
    }
    for (t, taxonomy) in taxonomies.iter().enumerate() {
        let name = &taxonomy.config.name;
        let has_list = templates.has(&format!("{name}/list.html")) || templates.has("taxonomy_list.html");
        let has_single = templates.has(&format!("{name}/single.html")) || templates.has("taxonomy_single.html");
        if !has_list || !has_single {
            diagnostics.push(crate::render::missing_template(
                "taxonomy_list.html or taxonomy_single.html",
                "",
                "config.toml",
            ));
            continue;
        }
        plan.push(planned(&taxonomy.path, "config.toml", Job::TaxonomyList(t)));
        for (k, term) in taxonomy.terms.iter().enumerate() {
            let source = format!("the {name} term `{}`", term.name);
            let pagers = taxonomy
                .config
                .paginate_by
                .map_or(1, |per_page| pager_count(term.pages.len(), per_page));
            for n in 1..=pagers {
                plan.push(planned(&pager_path(&term.path, n), &source, Job::Term(t, k, n)));
            }
            if taxonomy.config.feed {
                plan.push(planned(&format!("{}atom.xml", term.path), &source, Job::TermFeed(t, k)));
            }
        }
    }
    if templates.has("404.html") {
        plan.push(planned("/404.html", "404.html", Job::NotFound));
    }
    if config.generate_feeds {
        plan.push(planned("/atom.xml", "config.toml", Job::SiteFeed));
    }
    if config.build_search_index && templates.has("search.html") {
        plan.push(planned("/search/", "search.html", Job::SearchPage));
        for file in crate::search::files(library) {
            plan.push(planned(&file.site_path(), "config.toml", Job::Search(file)));
        }
    }
    plan.push(planned("/sitemap.xml", "config.toml", Job::Sitemap));
    plan.push(planned("/robots.txt", "config.toml", Job::Robots));
    if config.markdown.highlight_code {
        plan.push(planned("/css/syntax.css", "config.toml", Job::SyntaxCss));
    }
    if let Some(ledger) = ledger {
        if templates.has(crate::ledger::output::TEMPLATE) {
            for (path, job) in ledger.outputs() {
                plan.push(planned(&path, crate::ledger::BRANCHES_FILE, Job::Ledger(job)));
            }
        } else {
            diagnostics.push(crate::render::missing_template(
                crate::ledger::output::TEMPLATE,
                "",
                crate::ledger::BRANCHES_FILE,
            ));
        }
    }
    if let Some(study_plan) = study_plan {
        let source = &library.sections[study_plan.section].file;
        if templates.has(crate::render::study_plan::TEMPLATE) {
            plan.push(planned(&study_plan.path, source, Job::StudyPlan));
            if config.generate_feeds {
                plan.push(planned(&study_plan.feed_path(), source, Job::StudyPlanFeed));
            }
        } else {
            diagnostics.push(crate::render::missing_template(crate::render::study_plan::TEMPLATE, "", source));
        }
    }
    let (screen, found) = crate::screen::plan(library, config, site_dir, templates.has(crate::screen::TEMPLATE));
    diagnostics.extend(found);
    if let Some(job) = screen {
        plan.push(planned(crate::screen::PATH, crate::screen::TEMPLATE, Job::Screen(job)));
    }
    plan.extend(static_files(templates, config, site_dir));
    check_collisions(&plan, &mut diagnostics);
    (plan, diagnostics)
}

/// An alias as a site path ending in `/` or a file name, with `..` and `.` removed.
fn alias_path(alias: &str) -> String {
    let trimmed = alias.trim().trim_start_matches('/');
    let safe: Vec<&str> = trimmed.split('/').filter(|c| !c.is_empty() && *c != "." && *c != "..").collect();
    let joined = safe.join("/");
    if joined.ends_with(".html") || joined.ends_with(".htm") {
        format!("/{joined}")
    } else if joined.is_empty() {
        "/".to_string()
    } else {
        format!("/{joined}/")
    }
}

/// Theme static files, then the site's `static/` (a site file replaces the theme's).
fn static_files(templates: &Templates, config: &crate::config::Config, site_dir: &Path) -> Vec<Planned> {
    let mut files: HashMap<String, Planned> = HashMap::new();
    match &templates.theme_static {
        ThemeStatic::Embedded => {
            for (path, bytes) in crate::embedded::files_under::<crate::embedded::DefaultTheme>("static/") {
                let source = format!("themes/default/static/{path}");
                files.insert(
                    path.clone(),
                    Planned {
                        path,
                        source,
                        job: Job::Copy(Body::Embedded(bytes)),
                    },
                );
            }
        }
        ThemeStatic::Dir(dir) => collect_dir(dir, &format!("themes/{}/static", config.theme), config, &mut files),
    }
    collect_dir(&site_dir.join("static"), "static", config, &mut files);
    let mut planned: Vec<Planned> = files.into_values().collect();
    planned.sort_by(|a, b| a.path.cmp(&b.path));
    planned
}

fn collect_dir(dir: &Path, display: &str, config: &crate::config::Config, files: &mut HashMap<String, Planned>) {
    for (relative, path) in crate::files::files_under(dir) {
        let source = format!("{display}/{relative}");
        files.insert(
            relative.clone(),
            Planned {
                path: relative,
                source,
                job: Job::Copy(copy_body(path, config.images.strip_metadata)),
            },
        );
    }
}

/// Two sources writing one output file (two pages with one slug, an alias onto a page, a static
/// file named like a page): each source gets an error naming the others.
fn check_collisions(plan: &[Planned], diagnostics: &mut Vec<Diagnostic>) {
    let mut sources: HashMap<&str, Vec<&str>> = HashMap::with_capacity(plan.len());
    for output in plan {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagers() {
        assert_eq!(pager_count(0, 10), 1);
        assert_eq!(pager_count(10, 10), 1);
        assert_eq!(pager_count(11, 10), 2);
        assert_eq!(pager_path("/study/", 1), "/study/");
        assert_eq!(pager_path("/study/", 3), "/study/page/3/");
    }

    #[test]
    fn aliases_stay_inside_the_site() {
        assert_eq!(alias_path("/old/url"), "/old/url/");
        assert_eq!(alias_path("../../etc/x.html"), "/etc/x.html");
        assert_eq!(alias_path(""), "/");
    }
}
