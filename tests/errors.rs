//! Integration tests of failing builds: each case writes broken input into a copy of
//! tests/fixtures/errors (a small valid site) and asserts the exact diagnostics on stderr, the
//! count line, the closing `build failed` line, exit code 1 and that nothing was written.
//!
//! Cases of one test run as separate builds; all of them are checked before the test fails, so one
//! wrong message does not hide the others.

mod common;

use common::Site;

/// One broken site: files to write (path relative to the site, bytes) and the exact report.
struct Case<'a> {
    name: &'a str,
    files: &'a [(&'a str, &'a [u8])],
    /// The diagnostic lines (with their hints), exactly as printed.
    diagnostics: &'a str,
    /// The count line, e.g. "1 error(s), 0 warning(s)".
    count: &'a str,
}

/// Builds the case; returns a description of every difference from what it expects.
fn check(case: &Case<'_>) -> Result<(), String> {
    let site = Site::copy("errors");
    for (path, bytes) in case.files {
        site.write(path, bytes);
    }
    let run = site.build(&[]);
    let expected = format!(
        "{}{}\nbuild failed; the previous output in {} is unchanged\n",
        case.diagnostics,
        case.count,
        site.out.display()
    );
    let mut problems = Vec::new();
    if run.code != Some(1) {
        problems.push(format!("exit code {:?}, expected 1", run.code));
    }
    if run.stderr != expected {
        problems.push(format!("stderr differs\n--- expected:\n{expected}--- actual:\n{}", run.stderr));
    }
    if !run.stdout.is_empty() {
        problems.push(format!("stdout should be empty, got:\n{}", run.stdout));
    }
    if site.out.exists() {
        problems.push(format!("{} was written by a failed build", site.out.display()));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("case `{}`:\n{}", case.name, problems.join("\n")))
    }
}

/// Checks every case and fails with all differences at once.
fn check_all(cases: &[Case<'_>]) {
    let failures: Vec<String> = cases.iter().filter_map(|c| check(c).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} case(s) failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

const TOML_HINT: &str = "  = hint: check the TOML syntax on this line: strings need quotes, dates are written 2022-01-18\n";
const LINK_HINT: &str = "  = hint: paths after @/ start in content/, e.g. @/study/some-page.md; check the spelling of the file name\n";

#[test]
fn front_matter_errors_point_at_the_line_in_the_file() {
    let toml_syntax = format!("content/news/bad-toml.md:4:12: error[front-matter]: unclosed array, expected `]`\n{TOML_HINT}");
    let unquoted =
        format!("content/news/unquoted.md:4:10: error[front-matter]: string values must be quoted, expected literal string\n{TOML_HINT}");
    let bad_dates = format!(
        "content/news/bad-date.md:3:1: error[front-matter]: `date`: `2024-13-45` is not a date; write it like 2022-01-18 or 2022-01-18T09:30:00
  = hint: check the value's type: text needs quotes, lists are written [\"a\", \"b\"], dates 2022-01-18
content/news/bad-toml-date.md:3:8: error[front-matter]: invalid date, expected month between 01 and 12
{TOML_HINT}"
    );
    check_all(&[
        Case {
            name: "TOML syntax error on the 4th line of the file (3rd of the front matter)",
            files: &[(
                "content/news/bad-toml.md",
                "+++\ntitle = \"会议纪要\"\ndate = 2024-05-20\ntags = [\"a\"\n+++\n\n正文。\n".as_bytes(),
            )],
            diagnostics: &toml_syntax,
            count: "1 error(s), 0 warning(s)",
        },
        Case {
            name: "TOML string without quotes",
            files: &[(
                "content/news/unquoted.md",
                "+++\ntitle = \"会议纪要\"\ndate = 2024-05-20\nauthor = 张三\n+++\n\n正文。\n".as_bytes(),
            )],
            diagnostics: &unquoted,
            count: "1 error(s), 0 warning(s)",
        },
        Case {
            name: "unknown front matter key",
            files: &[(
                "content/news/unknown-key.md",
                "+++\ntitle = \"会议纪要\"\ndate = 2024-05-20\ntitel = \"错字\"\n+++\n\n正文。\n".as_bytes(),
            )],
            diagnostics: "content/news/unknown-key.md:4:1: error[front-matter]: unknown field `titel`, expected one of `title`, `description`, `date`, `updated`, `draft`, `slug`, `weight`, `template`, `aliases`, `taxonomies`, `review`, `check_allow`, `meeting`, `source`, `doc_no`, `issuer`, `study`, `quiz`, `case`, `expires`, `extra`
  = hint: did you mean `title`? Free-form values go under [extra]
",
            count: "1 error(s), 0 warning(s)",
        },
        Case {
            name: "bad date values, quoted and as a TOML date",
            files: &[
                (
                    "content/news/bad-date.md",
                    "+++\ntitle = \"会议纪要\"\ndate = \"2024-13-45\"\n+++\n\n正文。\n".as_bytes(),
                ),
                (
                    "content/news/bad-toml-date.md",
                    "+++\ntitle = \"会议纪要\"\ndate = 2024-13-45\n+++\n\n正文。\n".as_bytes(),
                ),
            ],
            diagnostics: &bad_dates,
            count: "2 error(s), 0 warning(s)",
        },
        Case {
            name: "front matter never closed",
            files: &[(
                "content/news/unclosed.md",
                "+++\ntitle = \"会议纪要\"\ndate = 2024-05-20\n\n正文。\n".as_bytes(),
            )],
            diagnostics: "content/news/unclosed.md:1:1: error[front-matter]: front matter opened with `+++` on line 1 is never closed
  = hint: add a line with only `+++` after the last front matter line
",
            count: "1 error(s), 0 warning(s)",
        },
        Case {
            name: "YAML syntax error",
            files: &[(
                "content/news/bad-yaml.md",
                "---\ntitle: 会议纪要\n  date: 2024-05-20\n---\n\n正文。\n".as_bytes(),
            )],
            diagnostics: "content/news/bad-yaml.md:3:7: error[front-matter]: mapping values are not allowed in this context
  = hint: check the YAML syntax on this line: `key: value`, lists as `- item`
",
            count: "1 error(s), 0 warning(s)",
        },
    ]);
}

#[test]
fn broken_internal_links_give_line_and_column_in_the_file() {
    let missing = format!(
        "content/news/links.md:8:4: error[link]: `@/study/san-hui-yi-ke.md` links to content/study/san-hui-yi-ke.md, which does not exist
{LINK_HINT}content/news/links.md:10:7: error[link]: `@/news/missing.md#part` links to content/news/missing.md, which does not exist
{LINK_HINT}"
    );
    check_all(&[
        Case {
            name: "missing @/ targets, counting the front matter lines",
            files: &[(
                "content/news/links.md",
                "+++\ntitle = \"链接\"\ndate = 2024-05-20\n+++\n\n第一段。\n\n请阅读[三会一课](@/study/san-hui-yi-ke.md)和[正常稿件](@/news/ok.md)。\n\n- 列表里的[锚点](@/news/missing.md#part)\n"
                    .as_bytes(),
            )],
            diagnostics: &missing,
            count: "2 error(s), 0 warning(s)",
        },
        Case {
            name: "links to a draft and to a scheduled page",
            files: &[
                (
                    "content/news/links.md",
                    "+++\ntitle = \"链接\"\ndate = 2024-05-20\n+++\n\n见[草稿](@/news/draft.md)和[未来](@/news/future.md)。\n".as_bytes(),
                ),
                ("content/news/draft.md", "+++\ntitle = \"草稿\"\ndraft = true\n+++\n".as_bytes()),
                ("content/news/future.md", "+++\ntitle = \"未来\"\ndate = 2999-01-01\n+++\n".as_bytes()),
            ],
            diagnostics: "content/news/links.md:6:2: error[link]: `@/news/draft.md` links to a page that is not published (a draft)
  = hint: publish that page first, or remove the link
content/news/links.md:6:24: error[link]: `@/news/future.md` links to a page that is not published (scheduled for a later date)
  = hint: publish that page first, or remove the link
",
            count: "2 error(s), 0 warning(s)",
        },
    ]);
}

/// Found while writing the test above: shortcode calls are replaced by placeholders of another
/// length before Markdown is parsed, and an inline call spanning lines loses its line breaks.
#[test]
fn link_position_after_an_inline_shortcode_is_the_position_in_the_file() {
    let same_line = format!(
        "content/news/same-line.md:5:40: error[link]: `@/news/nope.md` links to content/news/nope.md, which does not exist\n{LINK_HINT}"
    );
    let multi_line = format!(
        "content/news/multi-line.md:9:2: error[link]: `@/news/nope.md` links to content/news/nope.md, which does not exist\n{LINK_HINT}"
    );
    check_all(&[
        Case {
            name: "link after an inline shortcode on the same line",
            files: &[(
                "content/news/same-line.md",
                "+++\ntitle = \"短代码\"\n+++\n\n前 {{ figure(src=\"a.jpg\", alt=\"合影\") }} 见[链接](@/news/nope.md)\n".as_bytes(),
            )],
            diagnostics: &same_line,
            count: "1 error(s), 0 warning(s)",
        },
        Case {
            name: "link below an inline shortcode written over three lines",
            files: &[(
                "content/news/multi-line.md",
                "+++\ntitle = \"短代码\"\n+++\n\n{{ figure(src=\"a.jpg\",\n   alt=\"合影\",\n   caption=\"主题党日\") }}\n\n见[链接](@/news/nope.md)\n"
                    .as_bytes(),
            )],
            diagnostics: &multi_line,
            count: "1 error(s), 0 warning(s)",
        },
    ]);
}

#[test]
fn two_sources_for_one_output_path_are_both_named() {
    check_all(&[
        Case {
            name: "a.md with slug \"x\" and x.md: one problem, reported once against each file",
            files: &[
                ("content/news/a.md", "+++\ntitle = \"甲\"\nslug = \"x\"\n+++\n".as_bytes()),
                ("content/news/x.md", "+++\ntitle = \"乙\"\n+++\n".as_bytes()),
            ],
            diagnostics: "content/news/a.md: error[duplicate-path]: `/news/x/` is also the address of content/news/x.md
  = hint: give one of them another file name or a `slug` in its front matter (or change the alias)
content/news/x.md: error[duplicate-path]: `/news/x/` is also the address of content/news/a.md
  = hint: give one of them another file name or a `slug` in its front matter (or change the alias)
",
            count: "2 error(s), 0 warning(s)",
        },
        Case {
            name: "an alias over an existing page",
            files: &[(
                "content/news/alias.md",
                "+++\ntitle = \"别名\"\naliases = [\"/news/ok/\"]\n+++\n".as_bytes(),
            )],
            diagnostics: "content/news/alias.md: error[duplicate-path]: `/news/ok/` is also the address of content/news/ok.md
  = hint: give one of them another file name or a `slug` in its front matter (or change the alias)
content/news/ok.md: error[duplicate-path]: `/news/ok/` is also the address of content/news/alias.md
  = hint: give one of them another file name or a `slug` in its front matter (or change the alias)
",
            count: "2 error(s), 0 warning(s)",
        },
    ]);
}

#[test]
fn binary_and_undecodable_files_are_named() {
    check_all(&[Case {
        name: "a PNG saved as .md and a file that is neither UTF-8 nor GB18030",
        files: &[
            ("content/news/photo.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"),
            ("content/news/garbage.md", b"+++\ntitle = \"\xff\xfe\xff\"\n+++\n"),
        ],
        diagnostics: "content/news/garbage.md: error[encoding]: the file is neither UTF-8 nor GB18030/GBK text
  = hint: open it in a text editor and save it with the encoding UTF-8
content/news/photo.md: error[encoding]: this is a binary file (it contains NUL bytes), not Markdown text
  = hint: rename it if it is a photo or document, or save the text again as UTF-8
",
        count: "2 error(s), 0 warning(s)",
    }]);
}

#[test]
fn template_syntax_error_names_the_template_file_and_line() {
    check_all(&[Case {
        name: "unclosed {{ in templates/page.html",
        files: &[(
            "templates/page.html",
            b"page|{{ page.title }}\n{% if page.date %}\n{{ page.date }\n{% endif %}\n",
        )],
        diagnostics: "templates/page.html:3:14: error[template]: template syntax error: expected `or`, `and`, `not`, `<=`, `>=`, `<`, `>`, `==`, `!=`, `+`, `-`, `*`, `/`, `%`, a filter, or a variable end (`}}`)
  = hint: check the {{ … }} and {% … %} tags on this line: each tag must be closed and blocks ended with {% end… %}
",
        count: "1 error(s), 0 warning(s)",
    }]);
}

#[test]
fn template_syntax_error_does_not_hide_content_errors() {
    check_all(&[Case {
        name: "broken template and a broken link in one run",
        files: &[
            ("templates/page.html", b"page|{{ page.title }\n"),
            (
                "content/news/link.md",
                "+++\ntitle = \"链接\"\ndate = 2024-05-20\n+++\n\n{{ figure(src=\"a.jpg\") }} 见[通知](@/news/none.md)。\n".as_bytes(),
            ),
        ],
        diagnostics: "content/news/link.md:6:28: error[link]: `@/news/none.md` links to content/news/none.md, which does not exist
  = hint: paths after @/ start in content/, e.g. @/study/some-page.md; check the spelling of the file name
templates/page.html:1:20: error[template]: template syntax error: expected `or`, `and`, `not`, `<=`, `>=`, `<`, `>`, `==`, `!=`, `+`, `-`, `*`, `/`, `%`, a filter, or a variable end (`}}`)
  = hint: check the {{ … }} and {% … %} tags on this line: each tag must be closed and blocks ended with {% end… %}
",
        count: "2 error(s), 0 warning(s)",
    }]);
}

#[test]
fn unknown_shortcode_name_is_an_error_at_its_position() {
    check_all(&[Case {
        name: "fgure instead of figure",
        files: &[(
            "content/news/shortcode.md",
            "+++\ntitle = \"短代码\"\ndate = 2024-05-20\n+++\n\n{{ figure(src=\"a.jpg\", alt=\"合影\") }}\n\n前文 {{ fgure(src=\"photo.jpg\", caption=\"合影\") }}\n"
                .as_bytes(),
        )],
        diagnostics: "content/news/shortcode.md:8:4: error[shortcode]: unknown shortcode `fgure`: there is no templates/shortcodes/fgure.html
  = hint: shortcodes are written {{ name(key=\"value\") }} or {% name() %}…{% end %}; write {{/* … */}} for literal braces
",
        count: "1 error(s), 0 warning(s)",
    }]);
}

const TAXONOMY_BRANCHES: &str = "error[front-matter]: taxonomy `branches` is not declared in config.toml
  = hint: use one of: tags; or add { name = \"branches\" } to taxonomies in config.toml
";

#[test]
fn undeclared_taxonomy_in_front_matter_is_an_error() {
    let expected = format!("content/news/taxonomy.md:7:1: {TAXONOMY_BRANCHES}");
    check_all(&[Case {
        name: "branches used, only tags declared",
        files: &[(
            "content/news/taxonomy.md",
            "+++\ntitle = \"分类\"\ndate = 2024-05-20\n\n[taxonomies]\ntags = [\"学习\"]\nbranches = [\"机关第一党支部\"]\n+++\n"
                .as_bytes(),
        )],
        diagnostics: &expected,
        count: "1 error(s), 0 warning(s)",
    }]);
}

/// Found while writing the test above: the line of an undeclared taxonomy is found by searching
/// the raw file for the first line starting with the taxonomy's name.
#[test]
fn undeclared_taxonomy_line_is_the_line_of_the_taxonomy_key() {
    let extra_first = format!("content/news/extra-first.md:7:1: {TAXONOMY_BRANCHES}");
    let gbk = format!(
        "content/news/gbk.md: warning[encoding]: the file is not UTF-8; it was read as GB18030/GBK
  = hint: save it as UTF-8 so every tool reads it the same way
content/news/gbk.md:4:1: {TAXONOMY_BRANCHES}"
    );
    check_all(&[
        Case {
            name: "an [extra] key starting with the taxonomy name comes first",
            files: &[(
                "content/news/extra-first.md",
                "+++\ntitle = \"分类\"\ndate = 2024-05-20\n[extra]\nbranches_note = \"备注\"\n[taxonomies]\nbranches = [\"机关第一党支部\"]\n+++\n"
                    .as_bytes(),
            )],
            diagnostics: &extra_first,
            count: "1 error(s), 0 warning(s)",
        },
        Case {
            // +++ / title = "分类" / [taxonomies] / branches = ["一支部"] / +++, encoded as GBK.
            name: "a GBK-encoded page",
            files: &[(
                "content/news/gbk.md",
                b"+++\ntitle = \"\xb7\xd6\xc0\xe0\"\n[taxonomies]\nbranches = [\"\xd2\xbb\xd6\xa7\xb2\xbf\"]\n+++\n",
            )],
            diagnostics: &gbk,
            count: "1 error(s), 1 warning(s)",
        },
    ]);
}

#[test]
fn unknown_config_key_names_the_key_and_its_line() {
    check_all(&[
        Case {
            name: "top-level typo",
            files: &[(
                "config.toml",
                "base_url = \"http://test.local\"\ntitle = \"错误测试\"\ntheme = \"default\"\nfeed_limt = 10\ntaxonomies = [{ name = \"tags\" }]\n".as_bytes(),
            )],
            diagnostics: "config.toml:4:1: error[config]: unknown field `feed_limt`, expected one of `base_url`, `title`, `description`, `language_code`, `theme`, `slugify`, `generate_feeds`, `feed_limit`, `trusted_html`, `relative_urls`, `allow_robots`, `build_search_index`, `taxonomies`, `markdown`, `images`, `review`, `ledger`, `screen`, `extra`
  = hint: did you mean `feed_limit`? Otherwise remove the key
",
            count: "1 error(s), 0 warning(s)",
        },
        Case {
            name: "typo inside [markdown]",
            files: &[(
                "config.toml",
                b"base_url = \"http://test.local\"\ntaxonomies = [{ name = \"tags\" }]\n\n[markdown]\nhighlight = false\n",
            )],
            diagnostics: "config.toml:5:1: error[config]: unknown field `highlight`, expected `highlight_code`
  = hint: remove the key or check its spelling against the documentation
",
            count: "1 error(s), 0 warning(s)",
        },
    ]);
}

#[test]
fn errors_in_several_files_are_all_reported_in_one_run() {
    check_all(&[Case {
        name: "six broken files of five kinds",
        files: &[
            ("content/study/_index.md", "+++\ntitle = \"学习资料\"\nsort = \"date\"\n+++\n".as_bytes()),
            ("content/news/bad-toml.md", "+++\ntitle = \"会议纪要\n+++\n".as_bytes()),
            ("content/news/link.md", "+++\ntitle = \"链接\"\n+++\n\n见[制度](@/study/zhi-du.md)。\n".as_bytes()),
            ("content/news/shortcode.md", "+++\ntitle = \"短代码\"\n+++\n\n{{ fgure(src=\"a.jpg\") }}\n".as_bytes()),
            (
                "content/news/taxonomy.md",
                "+++\ntitle = \"分类\"\n[taxonomies]\nbranches = [\"一支部\"]\n+++\n".as_bytes(),
            ),
            ("content/news/binary.md", b"\x00\x01\x02"),
        ],
        diagnostics: "content/news/bad-toml.md:2:14: error[front-matter]: invalid basic string, expected `\"`
  = hint: check the TOML syntax on this line: strings need quotes, dates are written 2022-01-18
content/news/binary.md: error[encoding]: this is a binary file (it contains NUL bytes), not Markdown text
  = hint: rename it if it is a photo or document, or save the text again as UTF-8
content/news/link.md:5:2: error[link]: `@/study/zhi-du.md` links to content/study/zhi-du.md, which does not exist
  = hint: paths after @/ start in content/, e.g. @/study/some-page.md; check the spelling of the file name
content/news/shortcode.md:5:1: error[shortcode]: unknown shortcode `fgure`: there is no templates/shortcodes/fgure.html
  = hint: shortcodes are written {{ name(key=\"value\") }} or {% name() %}…{% end %}; write {{/* … */}} for literal braces
content/news/taxonomy.md:4:1: error[front-matter]: taxonomy `branches` is not declared in config.toml
  = hint: use one of: tags; or add { name = \"branches\" } to taxonomies in config.toml
content/study/_index.md:3:1: error[front-matter]: unknown field `sort`, expected one of `title`, `description`, `sort_by`, `paginate_by`, `generate_feeds`, `template`, `page_template`, `transparent`, `weight`, `aliases`, `check_allow`, `extra`
  = hint: remove this key or check its spelling; free-form values go under [extra]
",
        count: "6 error(s), 0 warning(s)",
    }]);
}
