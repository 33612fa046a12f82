//! The whole pipeline, shared by `build` and (later) the preview server: config → load → link and
//! markdown → assemble → render, giving a list of outputs; only the sink differs.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use chrono::NaiveDateTime;
use rayon::prelude::*;
use serde_json::Value;

use crate::config::Config;
use crate::content::{self, Library, LoadOptions};
use crate::diagnostic::{self, Diagnostic};
use crate::markdown::highlight::Highlighter;
use crate::markdown::{self, RenderContext, ShortcodeRenderer};
use crate::output::{self, Output};
use crate::render::{self, RenderInput, taxonomy};
use crate::templates::{Shortcodes, Templates, functions};

/// What to build and how.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site folder (holds config.toml).
    pub site_dir: PathBuf,
    /// Replaces config's base_url (e.g. for a sub-path deployment).
    pub base_url: Option<String>,
    /// Include drafts.
    pub drafts: bool,
    /// The current time, for scheduled pages.
    pub now: NaiveDateTime,
}

/// A site rendered in memory.
#[derive(Debug)]
pub struct RenderedSite {
    /// Every output file.
    pub outputs: Vec<Output>,
    /// Warnings (errors make the build fail instead).
    pub warnings: Vec<Diagnostic>,
    /// Published pages.
    pub pages: usize,
    /// Sections.
    pub sections: usize,
    /// Drafts left out.
    pub drafts_skipped: usize,
    /// Pages dated in the future, left out.
    pub scheduled_skipped: usize,
}

/// Runs the pipeline into memory. On failure, every diagnostic found (errors and warnings).
pub fn render_site(options: &BuildOptions) -> Result<RenderedSite, Vec<Diagnostic>> {
    let site_dir = options.site_dir.as_path();
    // The pinyin dictionary loads while config, templates and files are read.
    let warm_up = std::thread::spawn(crate::content::slug::warm_up);
    let mut config = Config::load(site_dir).map_err(|d| vec![d])?;
    if let Some(base_url) = &options.base_url {
        let text = format!("base_url = {}", toml::Value::String(base_url.clone()));
        let checked = Config::parse(&text).map_err(|d| {
            vec![Diagnostic {
                file: "--base-url".into(),
                line: 0,
                column: 0,
                ..d
            }]
        })?;
        config.base_url = checked.base_url;
    }
    let templates = Templates::load(site_dir, &config);
    let _ = warm_up.join();
    let (library, mut diagnostics) = content::load(
        site_dir,
        &config,
        &LoadOptions {
            drafts: options.drafts,
            now: options.now,
        },
    );
    let mut templates = match templates {
        Ok(templates) => templates,
        Err(errors) => {
            diagnostics.extend(errors);
            // Still read every page, so link and Markdown errors are reported in the same run.
            render_markdown(library, &config, &AnyShortcode, &mut diagnostics);
            return Err(finish(diagnostics));
        }
    };

    functions::register_basic(&mut templates.tera, &config, &library, site_dir);
    let library = render_markdown(library, &config, &Shortcodes::new(&templates, &config), &mut diagnostics);

    let list_values: Vec<Value> = (0..library.pages.len())
        .into_par_iter()
        .map(|i| render::values::page_value(&library, i, &config, false))
        .collect();
    let page_values: Vec<Value> = (0..library.pages.len())
        .into_par_iter()
        .map(|i| render::values::page_value(&library, i, &config, true))
        .collect();
    let section_values: Vec<Value> = library
        .sections
        .iter()
        .map(|s| render::values::section_value(&library, s, &list_values, &config, true))
        .collect();
    let section_meta: Vec<Value> = library
        .sections
        .iter()
        .map(|s| render::values::section_value(&library, s, &list_values, &config, false))
        .collect();
    let taxonomies = taxonomy::collect(&library, &config);
    let taxonomy_values = taxonomies
        .iter()
        .map(|t| {
            let (taxonomy, terms) = render::taxonomy_values(&config, t, &list_values);
            (t.config.name.clone(), serde_json::json!({ "taxonomy": taxonomy, "terms": terms }))
        })
        .collect();
    let values = Arc::new(functions::SiteValues {
        page_index: library.page_index.clone(),
        section_index: library.section_index.clone(),
        pages: page_values,
        sections: section_values,
        section_meta,
        taxonomies: taxonomy_values,
    });
    functions::register_content(&mut templates.tera, values.clone(), config.slugify);
    let config_value = config.template_value();
    let input = RenderInput {
        config: &config,
        site_dir,
        library: &library,
        templates: &templates,
        list_values: &list_values,
        page_values: &values.pages,
        section_values: &values.sections,
        taxonomies: &taxonomies,
        config_value: &config_value,
    };
    let (outputs, render_diagnostics) = render::render_site(&input);
    diagnostics.extend(render_diagnostics);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(finish(diagnostics));
    }
    Ok(RenderedSite {
        outputs,
        warnings: finish(diagnostics),
        pages: library.pages.len(),
        sections: library.sections.len(),
        drafts_skipped: library.drafts_skipped,
        scheduled_skipped: library.scheduled_skipped,
    })
}

fn finish(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostic::sort(&mut diagnostics);
    diagnostics.dedup();
    diagnostics
}

/// Renders every page's and section's Markdown in parallel.
fn render_markdown(
    mut library: Library,
    config: &Config,
    shortcodes: &dyn ShortcodeRenderer,
    diagnostics: &mut Vec<Diagnostic>,
) -> Library {
    let highlighter = Highlighter::default();
    let rendered_pages: Vec<_> = library
        .pages
        .par_iter()
        .map(|page| {
            let ctx = RenderContext {
                config,
                library: &library,
                highlighter: &highlighter,
                shortcodes,
                file: &page.file,
                line_offset: page.body_line_offset,
                current_path: &page.path,
            };
            markdown::render(&page.body, &ctx)
        })
        .collect();
    let rendered_sections: Vec<_> = library
        .sections
        .par_iter()
        .map(|section| {
            let ctx = RenderContext {
                config,
                library: &library,
                highlighter: &highlighter,
                shortcodes,
                file: &section.file,
                line_offset: section.body_line_offset,
                current_path: &section.path,
            };
            markdown::render(&section.body, &ctx)
        })
        .collect();
    for (page, (rendered, found)) in library.pages.iter_mut().zip(rendered_pages) {
        page.rendered = rendered;
        diagnostics.extend(found);
    }
    for (section, (rendered, found)) in library.sections.iter_mut().zip(rendered_sections) {
        section.rendered = rendered;
        diagnostics.extend(found);
    }
    library
}

/// Stands in for the templates when they failed to load: every call is accepted and renders
/// nothing, so the rest of each page can still be checked.
struct AnyShortcode;

impl ShortcodeRenderer for AnyShortcode {
    fn has(&self, _: &str) -> bool {
        true
    }
    fn render(&self, _: &markdown::shortcodes::Call, _: Option<&str>, _: usize, _: &str) -> Result<String, String> {
        Ok(String::new())
    }
}

/// The result of `dangjian build`.
#[derive(Debug)]
pub struct BuildSummary {
    /// Where the site was written.
    pub output_dir: PathBuf,
    /// Files written.
    pub files: usize,
    /// The rendered site's counts and warnings.
    pub site: RenderedSite,
    /// Wall time of the whole build.
    pub elapsed: std::time::Duration,
}

/// Why a build wrote nothing.
#[derive(Debug)]
pub enum BuildError {
    /// Problems in the site, all of them.
    Content(Vec<Diagnostic>),
    /// Writing the output failed; the previous output is untouched.
    Io(std::io::Error),
}

/// Builds the site and writes it atomically to `output_dir`.
pub fn build(options: &BuildOptions, output_dir: &Path) -> Result<BuildSummary, BuildError> {
    let started = Instant::now();
    let stale_target = output_dir.to_path_buf();
    let cleaner = std::thread::spawn(move || output::remove_stale(&stale_target));
    let site = render_site(options).map_err(BuildError::Content);
    let result = site.and_then(|site| {
        output::write_atomic(&site.outputs, output_dir).map_err(BuildError::Io)?;
        Ok(BuildSummary {
            output_dir: output_dir.to_path_buf(),
            files: site.outputs.len(),
            site,
            elapsed: started.elapsed(),
        })
    });
    // The cleaner had the whole build to run; a panic there only leaves old files behind.
    let _ = cleaner.join();
    result
}

/// Formats diagnostics for the terminal.
pub fn report(diagnostics: &[Diagnostic]) -> String {
    diagnostic::format_report(diagnostics)
}
