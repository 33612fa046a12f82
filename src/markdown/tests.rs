//! Tests of the markdown stage on small bodies.

use super::*;
use crate::content::Library;

struct NoShortcodes;
impl ShortcodeRenderer for NoShortcodes {
    fn has(&self, name: &str) -> bool {
        name == "box"
    }
    fn render(&self, call: &shortcodes::Call, body_html: Option<&str>, nth: usize, _: &str) -> Result<String, String> {
        Ok(format!(
            "<div class=\"box\" data-n=\"{nth}\" data-title=\"{}\">{}</div>",
            call.args.get("title").and_then(|v| v.as_str()).unwrap_or(""),
            body_html.unwrap_or("")
        ))
    }
}

fn render_md(body: &str) -> (Rendered, Vec<Diagnostic>) {
    let config = Config::parse("base_url = \"http://site.local/sub\"").unwrap();
    let library = Library::default();
    let highlighter = Highlighter::default();
    let ctx = RenderContext {
        config: &config,
        library: &library,
        highlighter: &highlighter,
        shortcodes: &NoShortcodes,
        file: "content/a.md",
        line_offset: 3,
        current_path: "/a/",
    };
    render(body, &ctx)
}

#[test]
fn cjk_emphasis_next_to_punctuation() {
    let (r, _) = render_md("学习**“三会一课”**制度。\n");
    assert!(r.html.contains("<strong>“三会一课”</strong>"), "{}", r.html);
}

#[test]
fn bare_url_does_not_swallow_chinese() {
    let (r, _) = render_md("访问https://example.com获取文档。\n");
    assert!(
        r.html.contains("<a href=\"https://example.com\">https://example.com</a>获取文档。"),
        "{}",
        r.html
    );
}

#[test]
fn chinese_heading_ids_are_unique() {
    let (r, _) = render_md("## 一、总体要求\n\n## 一、总体要求\n\n### Step 2\n");
    assert!(r.html.contains("<h2 id=\"一总体要求\">一、总体要求</h2>"), "{}", r.html);
    assert!(r.html.contains("<h2 id=\"一总体要求-1\">"), "{}", r.html);
    assert_eq!(r.toc.len(), 2);
    assert_eq!(r.toc[1].children[0].id, "step-2");
}

#[test]
fn no_smart_punctuation() {
    let (r, _) = render_md("他说\"好\"...\n");
    assert!(r.html.contains("他说&quot;好&quot;..."), "{}", r.html);
}

#[test]
fn summary_from_more_marker_or_first_paragraph() {
    let (r, _) = render_md("第一段。\n\n第二段。\n\n<!-- more -->\n\n第三段。\n");
    assert_eq!(r.summary.as_deref(), Some("<p>第一段。</p>\n<p>第二段。</p>\n"));
    assert!(r.html.contains("<span id=\"continue-reading\"></span>"));
    let (r, _) = render_md("## 标题\n\n第一段。\n\n第二段。\n");
    assert_eq!(r.summary.as_deref(), Some("<p>第一段。</p>\n"));
}

#[test]
fn raw_html_is_sanitized() {
    let (r, _) = render_md(
        "<script>alert(1)</script>\n\n<img src=\"x.png\" onerror=\"alert(1)\">\n\n[点我](javascript:alert(1))\n\n<a href=\"javascript:alert(2)\">x</a>\n",
    );
    assert!(!r.html.contains("<script"), "{}", r.html);
    assert!(!r.html.contains("onerror"), "{}", r.html);
    assert!(!r.html.contains("javascript:"), "{}", r.html);
}

#[test]
fn missing_link_target_is_an_error_at_file_line() {
    let (_, diagnostics) = render_md("第一行\n\n见[学习](@/study/none.md)。\n");
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(
        diagnostics[0].to_string(),
        "content/a.md:6:2: error[link]: `@/study/none.md` links to content/study/none.md, which does not exist\n  = hint: paths after @/ start in content/, e.g. @/study/some-page.md; check the spelling of the file name"
    );
}

#[test]
fn code_is_highlighted_with_classes() {
    let (r, _) = render_md("```rust\nfn main() {}\n```\n");
    assert!(r.html.contains("class=\"hl-"), "{}", r.html);
    assert!(!r.html.contains("style="), "{}", r.html);
}

#[test]
fn shortcodes_render_outside_sanitizer() {
    let (r, d) = render_md("前\n\n{% box(title=\"要点\") %}\n**重点**\n{% end %}\n\n<b onclick=\"x\">后</b>\n");
    assert!(d.is_empty(), "{d:?}");
    assert!(
        r.html
            .contains("<div class=\"box\" data-n=\"1\" data-title=\"要点\"><p><strong>重点</strong></p>\n</div>"),
        "{}",
        r.html
    );
    assert!(!r.html.contains("onclick"));
}

#[test]
fn reading_time_and_words() {
    let (r, _) = render_md(&format!("{}\n", "学".repeat(800)));
    assert_eq!(r.word_count, 800);
    assert_eq!(r.reading_time, 2);
}

#[test]
fn deeply_nested_and_huge_input_do_not_panic() {
    let nested = format!("{}x\n", "> ".repeat(5000));
    let _ = render_md(&nested);
    let list = format!("{}x\n", "- ".repeat(5000));
    let _ = render_md(&list);
    let brackets = "[".repeat(20000);
    let _ = render_md(&brackets);
}
