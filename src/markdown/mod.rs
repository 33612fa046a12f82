//! The markdown stage: Markdown body → HTML with comrak, plus the table of contents, summary,
//! word count and reading time; `@/` links resolved, code highlighted, raw HTML sanitized,
//! shortcodes rendered.

pub mod cache;
pub mod highlight;
pub mod links;
pub mod shortcodes;
pub mod text;

use std::sync::Mutex;

use comrak::adapters::{HeadingAdapter, HeadingMeta};
use comrak::nodes::{AstNode, NodeValue, Sourcepos};
use comrak::options::Plugins;
use comrak::{Anchorizer, Arena, Options, parse_document};
use serde::Serialize;

use crate::config::Config;
use crate::content::Library;
use crate::diagnostic::{self, Diagnostic};
use highlight::{Highlighter, html_escape};

/// The HTML and facts of one Markdown body.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// Full HTML.
    pub html: String,
    /// HTML before `<!-- more -->`, else the first paragraph.
    pub summary: Option<String>,
    /// Headings, nested by level.
    pub toc: Vec<Heading>,
    /// Chinese characters plus Latin words.
    pub word_count: usize,
    /// Minutes.
    pub reading_time: usize,
    /// Links with a `#fragment`, checked against their target once every page is rendered.
    pub anchors: Vec<Anchor>,
    /// Outbound http(s) links and images, for `check --external`.
    pub external_links: Vec<ExternalLink>,
    /// Links to paths of the built site, checked against the plan (rule `link`).
    pub local_links: Vec<LocalLink>,
    /// Images without alternative text (rule `alt-text`).
    pub images_without_alt: Vec<ImageWithoutAlt>,
}

/// A Markdown image `![](x.jpg)` or an HTML `<img>` without alternative text: screen readers
/// have nothing to say about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageWithoutAlt {
    /// The image's address as written (empty for an HTML tag).
    pub src: String,
    /// True for a raw HTML `<img>` tag.
    pub html: bool,
    /// Line in the file.
    pub line: usize,
    /// Column in the line.
    pub column: usize,
}

impl ImageWithoutAlt {
    /// The `alt-text` warning about it in `file`.
    pub fn diagnostic(&self, file: &str) -> Diagnostic {
        let (message, hint) = if self.html {
            (
                "`<img>` has no alt attribute, so screen readers cannot say what it shows".to_string(),
                "add alt=\"…\" describing the picture, or alt=\"\" if it is only decoration",
            )
        } else {
            (
                format!(
                    "image `{}` has no alternative text, so screen readers cannot say what it shows",
                    self.src
                ),
                "describe the picture between the brackets: ![党员志愿者在河滩清理垃圾](photo.jpg)",
            )
        };
        Diagnostic::warning("alt-text", file, self.line, self.column, message).with_hint(hint)
    }
}

/// An outbound http(s) link as written, where it is in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalLink {
    /// The URL.
    pub url: String,
    /// Line in the file.
    pub line: usize,
    /// Column in the line.
    pub column: usize,
}

/// A link to a path of the built site (`/study/`, `photo.jpg`), checked once every output is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalLink {
    /// The URL as written.
    pub url: String,
    /// The site path it resolves to.
    pub path: String,
    /// Line in the file.
    pub line: usize,
    /// Column in the line.
    pub column: usize,
}

/// A link to a `#fragment`, to check that the fragment names a heading or id of its page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    /// Relative path of the target page ("study/x.md"); `None` for the same page.
    pub target: Option<String>,
    /// The fragment, percent-decoded.
    pub fragment: String,
    /// The link as written.
    pub url: String,
    /// Line in the file.
    pub line: usize,
    /// Column in the line.
    pub column: usize,
}

/// A heading in the table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// The `id` attribute (Chinese characters kept).
    pub id: String,
    /// Heading text without markup.
    pub title: String,
    /// Lower-level headings under this one.
    pub children: Vec<Heading>,
}

/// Renders shortcode templates; implemented by the templates stage.
pub trait ShortcodeRenderer: Sync {
    /// Whether `shortcodes/<name>.html` exists.
    fn has(&self, name: &str) -> bool;
    /// Renders a call; `body_html` is the rendered body of a block call.
    fn render(&self, call: &shortcodes::Call, body_html: Option<&str>, nth: usize, current_path: &str) -> Result<String, String>;
}

/// What rendering one body needs to know.
pub struct RenderContext<'a> {
    /// Site settings.
    pub config: &'a Config,
    /// Pages and sections, to resolve `@/` links.
    pub library: &'a Library,
    /// Code highlighter.
    pub highlighter: &'a Highlighter,
    /// Shortcode templates.
    pub shortcodes: &'a dyn ShortcodeRenderer,
    /// The file, for messages ("content/study/x.md").
    pub file: &'a str,
    /// Lines before the body in the file.
    pub line_offset: usize,
    /// Site path of the page being rendered.
    pub current_path: &'a str,
}

/// Stands where `<!-- more -->` was until the summary is cut.
const MORE_MARKER: &str = "DJMOREMARKERX";

/// Renders a page or section body.
pub fn render(body: &str, ctx: &RenderContext<'_>) -> (Rendered, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let extracted = match shortcodes::extract(body, &|name| ctx.shortcodes.has(name)) {
        Ok(found) => found,
        Err(errors) => {
            for error in errors {
                let (line, column) = diagnostic::line_col(body, error.offset);
                diagnostics.push(
                    Diagnostic::error("shortcode", ctx.file, line + ctx.line_offset, column, error.message).with_hint(
                        "shortcodes are written {{ name(key=\"value\") }} or {% name() %}…{% end %}; write {{/* … */}} for literal braces",
                    ),
                );
            }
            shortcodes::Extracted::unchanged(body)
        }
    };
    let text = extracted.text.as_str();
    let calls = &extracted.calls;

    let options = comrak_options();
    let arena = Arena::new();
    let root = parse_document(&arena, text, &options);
    split_cjk_autolinks(root, &arena);
    let mut walk = Walk {
        ctx,
        body,
        extracted: &extracted,
        diagnostics: &mut diagnostics,
        anchors: Vec::new(),
        external_links: Vec::new(),
        local_links: Vec::new(),
        images_without_alt: Vec::new(),
        plain: String::new(),
        raw_html: false,
        first_paragraph: None,
    };
    walk.visit(root);
    let Walk {
        plain,
        raw_html,
        first_paragraph,
        anchors,
        external_links,
        local_links,
        images_without_alt,
        ..
    } = walk;
    diagnostics.extend(images_without_alt.iter().map(|image| image.diagnostic(ctx.file)));
    let sanitize = raw_html && !ctx.config.trusted_html;

    let headings = HeadingIds::default();
    let mut plugins = Plugins::default();
    plugins.render.heading_adapter = Some(&headings);
    let mut html = String::with_capacity(text.len() * 2);
    // Writing into a String cannot fail.
    let _ = comrak::format_html_with_plugins(root, &options, &mut html, &plugins);

    let more_at = html.find(MORE_MARKER);
    let mut summary = match more_at {
        Some(at) => Some(html[..at].to_string()),
        None => first_paragraph.map(|node| {
            let mut out = String::new();
            let summary_headings = HeadingIds::default();
            let mut summary_plugins = Plugins::default();
            summary_plugins.render.heading_adapter = Some(&summary_headings);
            let _ = comrak::format_html_with_plugins(node, &options, &mut out, &summary_plugins);
            out
        }),
    };
    if more_at.is_some() {
        // `replace` copies the whole page even when there is nothing to replace.
        html = html.replace(MORE_MARKER, "<span id=\"continue-reading\"></span>");
    }
    if html.contains("data-footnote-backref") && ctx.config.language_code.starts_with("zh") {
        // comrak labels footnote back-links in English; screen readers read the page in Chinese.
        html = html.replace("aria-label=\"Back to reference ", "aria-label=\"返回引用处 ");
    }
    if sanitize {
        html = sanitize_html(&html);
        summary = summary.map(|s| sanitize_html(&s));
    }
    if !calls.is_empty() {
        let rendered_calls = render_calls(calls, body, ctx, &mut diagnostics);
        html = substitute(&html, &rendered_calls);
        summary = summary.map(|s| substitute(&s, &rendered_calls));
    }
    let toc = nest(headings.into_flat());
    let counts = text::Counts::of(&plain);
    // Every page's HTML is kept for the whole build, and comrak's buffer grew by doubling. A copy
    // drops the spare capacity (`shrink_to_fit` may keep the block where it is, spare and all).
    if html.capacity() - html.len() > html.len() / 8 {
        html = html.as_str().to_owned();
    }
    let rendered = Rendered {
        html,
        summary: summary.filter(|s| !s.trim().is_empty()),
        toc,
        word_count: counts.words(),
        reading_time: counts.reading_time(),
        anchors,
        external_links,
        local_links,
        images_without_alt,
    };
    (rendered, diagnostics)
}

/// comrak settings for Chinese content: GFM extensions, CJK-friendly emphasis, no smart quotes.
fn comrak_options() -> Options<'static> {
    let mut options = Options::default();
    options.extension.strikethrough = true;
    options.extension.table = true;
    options.extension.autolink = true;
    options.extension.tasklist = true;
    options.extension.footnotes = true;
    options.extension.cjk_friendly_emphasis = true;
    options.parse.smart = false;
    // Raw HTML passes through comrak and is then sanitized by ammonia (unless trusted_html).
    options.render.r#unsafe = true;
    options
}

/// One pass over the document: links, code, raw HTML, text for counting.
struct Walk<'a, 'c, 'n> {
    ctx: &'a RenderContext<'c>,
    /// The body as written, for positions in messages.
    body: &'a str,
    /// The text comrak parsed and how it maps back to `body`.
    extracted: &'a shortcodes::Extracted,
    diagnostics: &'a mut Vec<Diagnostic>,
    anchors: Vec<Anchor>,
    external_links: Vec<ExternalLink>,
    local_links: Vec<LocalLink>,
    images_without_alt: Vec<ImageWithoutAlt>,
    plain: String,
    raw_html: bool,
    first_paragraph: Option<&'n AstNode<'n>>,
}

impl<'n> Walk<'_, '_, 'n> {
    fn visit(&mut self, root: &'n AstNode<'n>) {
        for node in root.descendants() {
            let sourcepos = node.data().sourcepos;
            self.check_alt(node, sourcepos);
            let mut data = node.data_mut();
            match &mut data.value {
                NodeValue::Text(text) => {
                    self.plain.push_str(text);
                    self.plain.push(' ');
                }
                NodeValue::Code(code) => {
                    self.plain.push_str(&code.literal);
                    self.plain.push(' ');
                }
                NodeValue::Paragraph => {
                    let top_level = node.parent().is_some_and(|p| matches!(p.data().value, NodeValue::Document));
                    if self.first_paragraph.is_none() && top_level {
                        self.first_paragraph = Some(node);
                    }
                }
                NodeValue::Link(link) | NodeValue::Image(link) => {
                    if let Some(url) = self.resolve_link(&link.url, sourcepos) {
                        link.url = url;
                    }
                }
                NodeValue::CodeBlock(block) => {
                    self.plain.push_str(&block.literal);
                    if self.ctx.config.markdown.highlight_code {
                        let html = self.ctx.highlighter.highlight(&block.literal, &block.info);
                        data.value = NodeValue::Raw(html);
                    }
                }
                NodeValue::HtmlBlock(block) => {
                    if block.literal.trim() == "<!-- more -->" {
                        data.value = NodeValue::Raw(MORE_MARKER.to_string());
                    } else {
                        self.raw_html = true;
                    }
                }
                NodeValue::HtmlInline(_) => self.raw_html = true,
                _ => {}
            }
        }
    }

    /// Records a Markdown image whose brackets hold no text, or an HTML `<img>` without `alt`.
    fn check_alt(&mut self, node: &'n AstNode<'n>, sourcepos: Sourcepos) {
        let data = node.data();
        let literal = match &data.value {
            NodeValue::Image(link) => {
                let blank = node.descendants().skip(1).all(|d| match &d.data().value {
                    NodeValue::Text(text) => text.trim().is_empty(),
                    NodeValue::Code(code) => code.literal.trim().is_empty(),
                    _ => true,
                });
                if blank {
                    let (line, column) = self.position(sourcepos);
                    self.images_without_alt.push(ImageWithoutAlt {
                        src: link.url.clone(),
                        html: false,
                        line,
                        column,
                    });
                }
                return;
            }
            NodeValue::HtmlBlock(block) => block.literal.as_str(),
            NodeValue::HtmlInline(html) => html.as_str(),
            _ => return,
        };
        for offset in crate::images::alt::img_tags_without_alt(literal) {
            let before = &literal[..offset];
            let lines = before.matches('\n').count();
            let in_line = before.len() - before.rfind('\n').map_or(0, |i| i + 1);
            let (line, column) = (sourcepos.start.line + lines, sourcepos.start.column + in_line);
            let (line, column) = self.position(Sourcepos::from((line, column, line, column)));
            self.images_without_alt.push(ImageWithoutAlt {
                src: String::new(),
                html: true,
                line,
                column,
            });
        }
    }

    /// Line (in the file) and character column of a node, through the shortcode substitutions.
    fn position(&self, sourcepos: Sourcepos) -> (usize, usize) {
        let text = &self.extracted.text;
        let line_start: usize = text
            .split_inclusive('\n')
            .take(sourcepos.start.line.saturating_sub(1))
            .map(str::len)
            .sum();
        let offset = (line_start + sourcepos.start.column.saturating_sub(1)).min(text.len());
        let (line, column) = diagnostic::line_col(self.body, self.extracted.original_offset(offset));
        (line + self.ctx.line_offset, column)
    }

    fn record_anchor(&mut self, target: Option<&str>, fragment: &str, url: &str, sourcepos: Sourcepos) {
        let (line, column) = self.position(sourcepos);
        let fragment = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy().into_owned();
        self.anchors.push(Anchor {
            target: target.map(str::to_string),
            fragment,
            url: url.to_string(),
            line,
            column,
        });
    }

    /// The URL to write for a link; `None` keeps it as written.
    fn resolve_link(&mut self, url: &str, sourcepos: Sourcepos) -> Option<String> {
        if comrak::html::dangerous_url(url) && !url.starts_with("data:image/") {
            return Some(String::new());
        }
        if let Some(fragment) = url.strip_prefix('#') {
            self.record_anchor(None, fragment, url, sourcepos);
            return None;
        }
        let scheme = |s: &str| url.get(..s.len()).is_some_and(|head| head.eq_ignore_ascii_case(s));
        if scheme("http://") || scheme("https://") {
            let (line, column) = self.position(sourcepos);
            self.external_links.push(ExternalLink {
                url: url.to_string(),
                line,
                column,
            });
            return None;
        }
        let page_file = self.ctx.file.strip_prefix("content/").unwrap_or(self.ctx.file);
        let (file, fragment) = match links::classify(url, page_file, self.ctx.current_path) {
            links::Target::Content { file, fragment } => (file, fragment),
            links::Target::Site(path) => {
                let (line, column) = self.position(sourcepos);
                self.local_links.push(LocalLink {
                    url: url.to_string(),
                    path,
                    line,
                    column,
                });
                // A site-absolute path is written from the site's root, which under a sub-path
                // (`base_url = "http://host/party"`) is not the server's root.
                return url.starts_with('/').then(|| self.ctx.config.permalink(url));
            }
            links::Target::Elsewhere => return None,
        };
        let (file, fragment) = (file.as_str(), fragment.as_deref());
        if let Some(fragment) = fragment {
            self.record_anchor(Some(file), fragment, url, sourcepos);
        }
        let library = self.ctx.library;
        match library.path_of(file) {
            Some(path) => {
                let mut resolved = self.ctx.config.permalink(path);
                if let Some(fragment) = fragment {
                    resolved.push('#');
                    resolved.push_str(fragment);
                }
                Some(resolved)
            }
            None => {
                let (line, column) = self.position(sourcepos);
                let diagnostic = match library.unpublished.get(file) {
                    // The target's own error is reported; a second one here would only mislead.
                    Some(&crate::content::BROKEN) => return None,
                    Some(reason) => Diagnostic::error(
                        "link",
                        self.ctx.file,
                        line,
                        column,
                        format!("`{url}` links to a page that is not published ({reason})"),
                    )
                    .with_hint("publish that page first, or remove the link"),
                    None => Diagnostic::error(
                        "link",
                        self.ctx.file,
                        line,
                        column,
                        format!("`{url}` links to content/{file}, which does not exist"),
                    )
                    .with_hint(if url.starts_with("@/") {
                        "paths after @/ start in content/, e.g. @/study/some-page.md; check the spelling of the file name"
                    } else {
                        "a link to a .md file is relative to the page's own file; check the folder and the spelling of the file name"
                    }),
                };
                self.diagnostics.push(diagnostic);
                None
            }
        }
    }
}

/// GFM autolinks run to the next space, which Chinese text does not have: `访问https://x.cn获取`
/// would link `获取` too. Cut each autolink at its first Chinese character or full-width
/// punctuation and put the rest back as text.
fn split_cjk_autolinks<'n>(root: &'n AstNode<'n>, arena: &'n Arena<'n>) {
    let links: Vec<&'n AstNode<'n>> = root
        .descendants()
        .filter(|n| matches!(n.data().value, NodeValue::Link(_)))
        .collect();
    for link in links {
        let Some(child) = link.first_child() else { continue };
        if child.next_sibling().is_some() {
            continue;
        }
        let text = match &child.data().value {
            NodeValue::Text(text) => text.to_string(),
            _ => continue,
        };
        let Some(cut) = text.char_indices().find(|&(_, c)| is_cjk_or_fullwidth(c)).map(|(i, _)| i) else {
            continue;
        };
        if cut == 0 {
            continue;
        }
        let rest = text[cut..].to_string();
        {
            let mut link_data = link.data_mut();
            let NodeValue::Link(node_link) = &mut link_data.value else {
                continue;
            };
            // Only autolinks: their URL is their text (a `mailto:` or `http://` may be prepended).
            if !node_link.url.ends_with(&text) {
                continue;
            }
            let new_len = node_link.url.len() - rest.len();
            node_link.url.truncate(new_len);
        }
        child.data_mut().value = NodeValue::Text(text[..cut].to_string().into());
        let sourcepos = link.data().sourcepos;
        let rest_node = arena.alloc(comrak::nodes::Ast::new_with_sourcepos(NodeValue::Text(rest.into()), sourcepos).into());
        link.insert_after(rest_node);
    }
}

fn is_cjk_or_fullwidth(c: char) -> bool {
    crate::content::slug::is_han(c) || matches!(c as u32, 0x3000..=0x303F | 0xFF00..=0xFFEF | 0x2018..=0x201F | 0x2026)
}

/// Level, id and text of a heading, in document order.
type FlatHeading = (u8, String, String);

/// Gives headings unique ids (Chinese characters kept) and records them for the table of contents.
#[derive(Default)]
struct HeadingIds {
    state: Mutex<(Anchorizer, Vec<FlatHeading>)>,
}

impl HeadingIds {
    fn into_flat(self) -> Vec<FlatHeading> {
        self.state.into_inner().map(|(_, flat)| flat).unwrap_or_default()
    }
}

impl HeadingAdapter for HeadingIds {
    fn enter(&self, output: &mut dyn std::fmt::Write, heading: &HeadingMeta, _sourcepos: Option<Sourcepos>) -> std::fmt::Result {
        let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let id = state.0.anchorize(&heading.content);
        let id = if id.is_empty() {
            format!("section-{}", state.1.len() + 1)
        } else {
            id
        };
        write!(output, "<h{} id=\"{}\">", heading.level, html_escape(&id))?;
        state.1.push((heading.level, id, heading.content.trim().to_string()));
        Ok(())
    }

    fn exit(&self, output: &mut dyn std::fmt::Write, heading: &HeadingMeta) -> std::fmt::Result {
        writeln!(output, "</h{}>", heading.level)
    }
}

/// Nests a flat list of headings by level.
fn nest(flat: Vec<FlatHeading>) -> Vec<Heading> {
    let mut roots: Vec<Heading> = Vec::new();
    for (level, id, title) in flat {
        let heading = Heading {
            level,
            id,
            title,
            children: Vec::new(),
        };
        insert_heading(&mut roots, heading);
    }
    roots
}

fn insert_heading(list: &mut Vec<Heading>, heading: Heading) {
    match list.last_mut() {
        Some(last) if last.level < heading.level => insert_heading(&mut last.children, heading),
        _ => list.push(heading),
    }
}

fn render_calls(calls: &[shortcodes::Call], body: &str, ctx: &RenderContext<'_>, diagnostics: &mut Vec<Diagnostic>) -> Vec<String> {
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    calls
        .iter()
        .map(|call| {
            let nth = counts.entry(call.name.as_str()).and_modify(|n| *n += 1).or_insert(1);
            let body_html = call.body.as_deref().map(|md| {
                let (line, _) = diagnostic::line_col(body, call.offset);
                let inner = RenderContext {
                    line_offset: ctx.line_offset + line - 1,
                    ..*ctx
                };
                let (rendered, found) = render(md, &inner);
                diagnostics.extend(found);
                rendered.html
            });
            match ctx.shortcodes.render(call, body_html.as_deref(), *nth, ctx.current_path) {
                Ok(html) => html,
                Err(message) => {
                    let (line, column) = diagnostic::line_col(body, call.offset);
                    diagnostics.push(
                        Diagnostic::error(
                            "shortcode",
                            ctx.file,
                            line + ctx.line_offset,
                            column,
                            format!("shortcode `{}` failed: {message}", call.name),
                        )
                        .with_hint(format!("check the arguments against templates/shortcodes/{}.html", call.name)),
                    );
                    String::new()
                }
            }
        })
        .collect()
}

/// Puts the rendered shortcodes in place of their placeholders, in one pass over the HTML.
fn substitute(html: &str, rendered_calls: &[String]) -> String {
    const PREFIX: &str = "DJSHORTCODE";
    let mut out = String::with_capacity(html.len() + rendered_calls.iter().map(String::len).sum::<usize>());
    let mut rest = html;
    while let Some(at) = rest.find(PREFIX) {
        let after = &rest[at + PREFIX.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let number = after[..digits].parse::<usize>().ok();
        let (Some(n), true) = (number, after[digits..].starts_with('X')) else {
            out.push_str(&rest[..at + PREFIX.len()]);
            rest = after;
            continue;
        };
        let Some(rendered) = rendered_calls.get(n) else {
            out.push_str(&rest[..at + PREFIX.len()]);
            rest = after;
            continue;
        };
        let mut before = &rest[..at];
        let mut tail = &after[digits + 1..];
        // A call alone on its line became a paragraph of its own: the shortcode's HTML replaces it.
        if before.ends_with("<p>") && tail.starts_with("</p>") {
            before = &before[..before.len() - 3];
            tail = &tail[4..];
        }
        out.push_str(before);
        out.push_str(rendered.trim_end());
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// Removes scripts, event handlers and dangerous URLs from raw HTML, keeping the markup Markdown
/// and the theme rely on (classes, ids, table alignment, footnote attributes).
fn sanitize_html(html: &str) -> String {
    let mut builder = ammonia::Builder::default();
    builder
        .add_generic_attributes(["class", "id", "title", "lang", "dir", "align"])
        .add_generic_attribute_prefixes(["data-"])
        .add_tags(["input", "section", "figure", "figcaption", "details", "summary", "mark"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("img", ["width", "height", "loading"])
        .add_tag_attributes("a", ["id"])
        .link_rel(None)
        .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect());
    builder.clean(html).to_string()
}

#[cfg(test)]
mod tests;
