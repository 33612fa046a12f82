//! The templates stage: theme templates (embedded default or `<site>/themes/<name>`), overridden by
//! file name from `<site>/templates/`, loaded into Tera with our filters and functions.

pub mod filters;
pub mod functions;

use std::collections::HashMap;
use std::path::Path;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::embedded::{self, DefaultTheme};
use crate::markdown::{ShortcodeRenderer, shortcodes::Call};

/// Where a theme's static files come from.
#[derive(Debug, Clone)]
pub enum ThemeStatic {
    /// The embedded default theme.
    Embedded,
    /// `<site>/themes/<name>/static`.
    Dir(std::path::PathBuf),
}

/// Loaded templates and where each came from.
#[derive(Clone)]
pub struct Templates {
    /// The Tera instance.
    pub tera: tera::Tera,
    /// Template name → file shown in messages.
    pub files: HashMap<String, String>,
    /// The theme's static files.
    pub theme_static: ThemeStatic,
    /// A hash of every template's name and text, to tell whether templates changed.
    pub fingerprint: u64,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates").field("files", &self.files).finish()
    }
}

impl Templates {
    /// Loads theme and site templates; every syntax error is reported, not just the first.
    pub fn load(site_dir: &Path, config: &Config) -> Result<Templates, Vec<Diagnostic>> {
        let mut sources: Vec<(String, String, String)> = Vec::new(); // (name, display file, text)
        let local_theme = site_dir.join("themes").join(&config.theme);
        let theme_static = if local_theme.is_dir() {
            read_dir_templates(
                &local_theme.join("templates"),
                &format!("themes/{}/templates", config.theme),
                &mut sources,
            )?;
            ThemeStatic::Dir(local_theme.join("static"))
        } else if config.theme == "default" {
            for (name, bytes) in embedded::files_under::<DefaultTheme>("templates/") {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                sources.push((name.clone(), format!("themes/default/templates/{name}"), text));
            }
            ThemeStatic::Embedded
        } else {
            return Err(vec![
                Diagnostic::error(
                    "config",
                    "config.toml",
                    0,
                    0,
                    format!("theme `{}` not found in themes/{}", config.theme, config.theme),
                )
                .with_hint("put the theme in the site's themes/ folder, or use theme = \"default\""),
            ]);
        };
        let mut overrides = Vec::new();
        read_dir_templates(&site_dir.join("templates"), "templates", &mut overrides)?;
        for (name, file, text) in overrides {
            sources.retain(|(n, _, _)| *n != name);
            sources.push((name, file, text));
        }

        let mut errors = Vec::new();
        for (name, file, text) in &sources {
            if let Err(e) = tera::Template::new(name, None, text) {
                errors.push(syntax_diagnostic(file, &e));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        // Tera's default escaper also turns `/` into `&#x2F;`, which HTML does not need and which
        // makes every URL in the source unreadable.
        tera.set_escape_fn(escape_html);
        if let Err(e) = tera.add_raw_templates(sources.iter().map(|(n, _, t)| (n.as_str(), t.as_str()))) {
            let file = sources
                .iter()
                .find(|(n, _, _)| e.to_string().contains(n.as_str()))
                .map_or("templates", |(_, f, _)| f.as_str());
            return Err(vec![
                Diagnostic::error("template", file, 0, 0, error_chain(&e))
                    .with_hint("check the names in {% extends %}, {% include %} and {% import %}"),
            ]);
        }
        filters::register(&mut tera, config);
        let fingerprint = crate::markdown::cache::key_of(&sources);
        let files = sources.into_iter().map(|(n, f, _)| (n, f)).collect();
        Ok(Templates {
            tera,
            files,
            theme_static,
            fingerprint,
        })
    }

    /// True when a template of that name exists.
    pub fn has(&self, name: &str) -> bool {
        self.files.contains_key(name)
    }

    /// Renders `name`; errors name the template file and what was being rendered.
    pub fn render(&self, name: &str, vars: crate::render::Vars, rendering: &str) -> Result<String, Diagnostic> {
        self.tera
            .render(name, &vars.into_context())
            .map_err(|e| self.render_diagnostic(name, &e, rendering))
    }

    /// Renders `name` as `render` does, to bytes: Tera writes only text, so the whole page need
    /// not be checked again to be UTF-8 as making a `String` of it does.
    pub fn render_bytes(&self, name: &str, vars: crate::render::Vars, rendering: &str) -> Result<Vec<u8>, Diagnostic> {
        let mut html = Vec::new();
        self.tera
            .render_to(name, &vars.into_context(), &mut html)
            .map_err(|e| self.render_diagnostic(name, &e, rendering))?;
        Ok(html)
    }

    fn render_diagnostic(&self, name: &str, error: &tera::Error, rendering: &str) -> Diagnostic {
        let file = self.files.get(name).cloned().unwrap_or_else(|| name.to_string());
        Diagnostic::error("template", file, 0, 0, error_chain(error)).with_hint(format!(
            "while rendering {rendering}; optional values need a check such as {{% if page.extra.x is defined %}}"
        ))
    }
}

/// Escapes the five characters that matter in HTML text and quoted attributes.
fn escape_html(text: &str) -> String {
    crate::markdown::highlight::html_escape(text)
}

fn read_dir_templates(dir: &Path, display: &str, out: &mut Vec<(String, String, String)>) -> Result<(), Vec<Diagnostic>> {
    let mut errors = Vec::new();
    for (relative, path) in crate::files::files_under(dir) {
        let file = format!("{display}/{relative}");
        let text = std::fs::read(&path)
            .map_err(|e| e.to_string())
            .and_then(|b| crate::content::decode::decode_text(&b).map_err(|_| "not UTF-8 or GB18030 text".to_string()));
        match text {
            Ok(decoded) => out.push((relative, file, decoded.text)),
            Err(message) => errors.push(Diagnostic::error(
                "template",
                file,
                0,
                0,
                format!("cannot read template: {message}"),
            )),
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// All messages of a Tera error, outermost first.
pub fn error_chain(error: &tera::Error) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        parts.push(inner.to_string());
        source = inner.source();
    }
    parts.join(": ").replace('\n', " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A template syntax error at its line: Tera reports ` --> line:col` and `= expected …`.
fn syntax_diagnostic(file: &str, error: &tera::Error) -> Diagnostic {
    let detail = std::error::Error::source(error)
        .map(|s| s.to_string())
        .unwrap_or_else(|| error.to_string());
    let (mut line, mut column) = (0, 0);
    if let Some(pos) = detail.find("--> ") {
        let rest = &detail[pos + 4..];
        let coords: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == ':').collect();
        if let Some((l, c)) = coords.split_once(':') {
            line = l.parse().unwrap_or(0);
            column = c.parse().unwrap_or(0);
        }
    }
    let expected = detail
        .lines()
        .find_map(|l| l.trim().strip_prefix("= "))
        .unwrap_or("syntax error")
        .trim()
        .to_string();
    Diagnostic::error("template", file, line, column, format!("template syntax error: {expected}"))
        .with_hint("check the {{ … }} and {% … %} tags on this line: each tag must be closed and blocks ended with {% end… %}")
}

/// Renders shortcodes from `shortcodes/<name>.html` templates.
pub struct Shortcodes<'a> {
    templates: &'a Templates,
    config_value: tera::Value,
}

impl<'a> Shortcodes<'a> {
    /// Shortcode rendering backed by `templates`.
    pub fn new(templates: &'a Templates, config: &Config) -> Self {
        Shortcodes {
            templates,
            config_value: config.template_value(),
        }
    }
}

impl ShortcodeRenderer for Shortcodes<'_> {
    fn has(&self, name: &str) -> bool {
        self.templates.has(&format!("shortcodes/{name}.html"))
    }

    fn render(&self, call: &Call, body_html: Option<&str>, nth: usize, current_path: &str) -> Result<String, String> {
        let mut context = tera::Context::new();
        for (key, value) in &call.args {
            context.insert(key.as_str(), value);
        }
        if let Some(body) = body_html {
            context.insert("body", body);
        }
        context.insert("nth", &nth);
        context.insert("config", &self.config_value);
        context.insert("current_path", current_path);
        self.templates
            .tera
            .render(&format!("shortcodes/{}.html", call.name), &context)
            .map_err(|e| error_chain(&e))
    }
}
