//! The template context and functions (Zola's shape): get_page, get_section, get_taxonomy,
//! load_data, get_url, our filters, shortcodes, section ordering and page neighbours.

use std::path::PathBuf;
use std::process::Command;

fn build_fixture() -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    let site = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/functions");
    let result = Command::new(env!("CARGO_BIN_EXE_dangjian"))
        .arg("build")
        .arg("--site")
        .arg(&site)
        .arg("--output")
        .arg(&public)
        .output()
        .unwrap();
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    assert!(
        result.stderr.is_empty(),
        "unexpected warnings: {}",
        String::from_utf8_lossy(&result.stderr)
    );
    (out, public)
}

fn read(public: &std::path::Path, path: &str) -> String {
    std::fs::read_to_string(public.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn functions_and_filters_in_templates() {
    let (_out, public) = build_fixture();
    let home = read(&public, "index.html");
    let expected = [
        // weight order; the transparent subsection's page joins its parent's list
        "study-order:甲篇,乙篇,子栏目稿件,",
        // title order follows pinyin: a-li, chong-qing, yin-hang
        "news-order:阿里,重庆,银行,",
        "page:甲篇|2022年1月8日",
        "tags:三会一课=http://test.local/party/tags/san-hui-yi-ke/(1)",
        "toml:机关第一党支部/23",
        "json:3 yaml:4",
        "csv:一支部-12;二支部-9;",
        "url:http://test.local/party/study/a/#一总体要求 http://test.local/party/css/x.css",
        "filters:1.2 MB xue-xi-xin-de 2022年1月18日 09:05",
        "extra:不忘初心",
        "taxurl:http://test.local/party/tags/san-hui-yi-ke/",
        "optional:none",
        // `limit` keeps the first pages only; `page_count` still counts all of them.
        "limited:甲篇,3",
        // `metadata_only` leaves the pages out.
        "metadata:学习资料|0",
    ];
    for line in expected {
        assert!(home.lines().any(|l| l == line), "missing `{line}` in:\n{home}");
    }
}

#[test]
fn pages_get_neighbours_toc_and_shortcodes() {
    let (_out, public) = build_fixture();
    let a = read(&public, "study/a/index.html");
    assert!(a.contains("lower:乙篇 higher:"), "{a}");
    assert!(
        a.contains("toc:一总体要求@http://test.local/party/study/a/#一总体要求[细则]"),
        "{a}"
    );
    assert!(a.contains("ancestors:_index.md,study/_index.md"), "{a}");
    assert!(
        a.contains("<span class=\"box\">1:第一:/study/a/</span><span class=\"box\">2:第二:/study/a/</span>"),
        "{a}"
    );
    assert!(a.contains("<aside><p><strong>要点</strong>内容</p>"), "{a}");
    let b = read(&public, "study/b/index.html");
    assert!(b.contains("lower:子栏目稿件 higher:甲篇"), "{b}");
    // Polyphonic characters in file names follow the word.
    assert!(public.join("news/yin-hang/index.html").is_file());
    assert!(public.join("news/chong-qing/index.html").is_file());
    assert_eq!(read(&public, "tags/index.html").trim(), "list:标签");
    assert_eq!(read(&public, "tags/san-hui-yi-ke/index.html").trim(), "term:三会一课");
}
