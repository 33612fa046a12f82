//! What the taxonomy list page and `get_taxonomy` give each term: the list page shows what the
//! term's own first page lists (the first `paginate_by` pages, or all of them without
//! `paginate_by`); `get_taxonomy` gives all pages unless asked for `limit` or `metadata_only`.
//!
//! The fixture (tests/fixtures/taxonomy_list) has three pages in the tags `学习` (paginated by 2)
//! and the keyword `学习` (not paginated); their file names do not follow their dates, so the order
//! checked below is the term's own (newest first). 乙篇 names its tag twice (once with spaces
//! around it) and is still one page of the term.

mod common;

use common::Site;

/// The line of `html` that starts with `prefix`, without the prefix.
fn line<'a>(html: &'a str, prefix: &str) -> &'a str {
    html.lines()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no line starting with `{prefix}` in:\n{html}"))
}

#[test]
fn list_pages_show_each_terms_first_page() {
    let site = Site::copy("taxonomy_list");
    site.build(&[]).expect_code(0, "build");
    // Paginated: the first two pages of `学习`, as its own page 1 lists them; the count is all three.
    assert_eq!(line(&site.output("tags/index.html"), "tags:"), "会议=甲篇,(1);学习=甲篇,乙篇,(3);");
    assert_eq!(line(&site.output("tags/xue-xi/index.html"), "学习:"), "甲篇,乙篇,");
    assert_eq!(line(&site.output("tags/xue-xi/page/2/index.html"), "学习:"), "丙篇,");
    // Not paginated: the term page lists all of them, and so does the list page.
    assert_eq!(line(&site.output("keywords/index.html"), "keywords:"), "学习=甲篇,乙篇,丙篇,(3);");
    assert_eq!(line(&site.output("keywords/xue-xi/index.html"), "学习:"), "甲篇,乙篇,丙篇,");
}

#[test]
fn get_taxonomy_limit_and_metadata_only() {
    let site = Site::copy("taxonomy_list");
    site.build(&[]).expect_code(0, "build");
    let home = site.output("index.html");
    // All pages of every term by default, whatever the taxonomy's paginate_by.
    assert_eq!(line(&home, "all:"), "会议=甲篇,(1);学习=甲篇,乙篇,丙篇,(3);");
    // `limit` keeps the first pages of each term; `page_count` still counts all of them.
    assert_eq!(line(&home, "limit:"), "会议=甲篇,(1);学习=甲篇,(3);");
    // `metadata_only` leaves `pages` empty, as `get_section`'s does.
    assert_eq!(line(&home, "metadata:"), "会议=0 pages(1);学习=0 pages(3);");
}

#[test]
fn get_taxonomy_refuses_a_limit_that_is_not_a_count() {
    for (limit, shown) in [("\"many\"", "\"many\""), ("-1", "-1")] {
        let site = Site::copy("taxonomy_list");
        site.write(
            "templates/index.html",
            format!("{{% set t = get_taxonomy(kind=\"tags\", limit={limit}) %}}home\n"),
        );
        let report = site.failed_build();
        let first = report.lines().next().unwrap_or_default();
        assert_eq!(
            first,
            format!(
                "templates/index.html: error[template]: Failed to render 'index.html': Function call 'get_taxonomy' failed: \
                 get_taxonomy: `limit` must be a number of pages, not {shown}"
            ),
            "{report}"
        );
    }
}
