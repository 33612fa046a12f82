//! The content rules of `dangjian check` on the real binary: `term` (wrong political
//! formulations, default rules and a site's terms.toml), `privacy-id`, `privacy-phone` and
//! `privacy-bankcard` (page text and attached DOCX/PDF files, generated here), `check_allow`, and
//! `check --external` against a local server on 127.0.0.1 only.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use common::{BIN, Run, Site, dangjian, repo};
use serde_json::Value;

fn check(site: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["check", "--site", site.to_str().expect("UTF-8 path")];
    args.extend(extra);
    dangjian(args)
}

fn json(site: &Path) -> Vec<Value> {
    let run = check(site, &["--format", "json"]);
    serde_json::from_str::<Value>(&run.stdout)
        .unwrap_or_else(|e| panic!("JSON output: {e}\n{run:?}"))
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// (file, line, column, rule) of each finding.
fn places(found: &[Value]) -> Vec<(String, u64, u64, String)> {
    found
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or_default(),
                d["column"].as_u64().unwrap_or_default(),
                d["rule"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn place(file: &str, line: u64, column: u64, rule: &str) -> (String, u64, u64, String) {
    (file.to_string(), line, column, rule.to_string())
}

const TERMS_REPORT: &str = "content/news/_index.md:6:8: error[term]: `全会会议精神` should be written `全会精神`
  = hint: source: 中央媒体对中央全会精神的规范表述：称“××全会精神”（如“二十届三中全会精神”），不加“会议” (rule `quan-hui-jing-shen`; see terms.toml)

content/news/wrong.md:2:12: error[term]: `党的二十大会议精神` should be written `党的二十大精神`
  = hint: source: 中央媒体（新华社、人民日报）对党的全国代表大会精神的规范表述：称“党的××大精神”，不加“会议” (rule `da-hui-jing-shen`; see terms.toml)
content/news/wrong.md:3:18: error[term]: `全国十四届人大二次会议` should be written `十四届全国人大二次会议`
  = hint: source: 全国人民代表大会届次的规范写法（新华社等中央媒体通行用法）：“十四届全国人大二次会议”，届次在“全国人大”之前 (rule `ren-da-jie-ci`; see terms.toml)
content/news/wrong.md:3:36: error[term]: `年政府报告` should be written `年政府工作报告`
  = hint: source: 各级人民政府向人民代表大会所作报告的正式名称是“政府工作报告” (rule `zheng-fu-gong-zuo-bao-gao`; see terms.toml)
content/news/wrong.md:7:9: error[term]: `三中全会会议精神` should be written `三中全会精神`
  = hint: source: 中央媒体对中央全会精神的规范表述：称“××全会精神”（如“二十届三中全会精神”），不加“会议” (rule `quan-hui-jing-shen`; see terms.toml)
content/news/wrong.md:8:5: error[term]: `湖北省省委` should be written `湖北省委`
  = hint: source: 党的地方委员会的规范简称（新华社等中央媒体通行用法）：“湖北省委书记”，不写“湖北省省委书记” (rule `sheng-sheng-wei`; see terms.toml)
content/news/wrong.md:8:21: error[term]: `二十大会议精神` should be written `二十大精神`
  = hint: source: 中央媒体（新华社、人民日报）对党的全国代表大会精神的规范表述：称“党的××大精神”，不加“会议” (rule `da-hui-jing-shen`; see terms.toml)
content/news/wrong.md:11:3: error[term]: `《政府报告` should be written `《政府工作报告`
  = hint: source: 各级人民政府向人民代表大会所作报告的正式名称是“政府工作报告” (rule `zheng-fu-gong-zuo-bao-gao`; see terms.toml)
content/news/wrong.md:11:12: error[term]: `非党人士` should be written `党外人士`
  = hint: source: 统一战线工作的规范用语（中央统战部、新华社等中央媒体通行用法）：称“党外人士” (rule `dang-wai-ren-shi`; see terms.toml)
content/news/wrong.md:11:21: error[term]: `践行“八荣八耻”` should be written `践行社会主义荣辱观`
  = hint: source: 中央文件的规范表述是“社会主义荣辱观”；“八荣八耻”是其通俗概括，正式行文写“践行社会主义荣辱观” (rule `rong-ru-guan`; see terms.toml)
content/news/wrong.md:13:5: error[term]: `中港合作` should be written `内地与香港合作`
  = hint: source: 新华社《新闻报道中常用的禁用词和慎用词》：不使用“中港”，应称“内地与香港” (rule `zhong-gang`; see terms.toml)

11 error(s), 0 warning(s) in 2 file(s); 1 silenced by check_allow
";

#[test]
fn term_findings_exact_report() {
    // Title, description, body, a section, a line break inside a phrase and emphasis inside one
    // are found; code, code spans and link targets are not; correct.md (the correct forms) has no
    // finding; allowed.md is silenced by check_allow and counted.
    let site = Site::copy("check_terms");
    let run = check(&site.site, &[]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(run.stdout, TERMS_REPORT);
}

#[test]
fn term_findings_as_json() {
    let site = Site::copy("check_terms");
    let found = json(&site.site);
    let wrong = "content/news/wrong.md";
    assert_eq!(
        places(&found),
        vec![
            place("content/news/_index.md", 6, 8, "term"),
            place(wrong, 2, 12, "term"),
            place(wrong, 3, 18, "term"),
            place(wrong, 3, 36, "term"),
            place(wrong, 7, 9, "term"),
            place(wrong, 8, 5, "term"),
            place(wrong, 8, 21, "term"),
            place(wrong, 11, 3, "term"),
            place(wrong, 11, 12, "term"),
            place(wrong, 11, 21, "term"),
            place(wrong, 13, 5, "term"),
        ]
    );
    assert_eq!(found[5]["severity"], "error");
    assert_eq!(found[5]["message"], "`湖北省省委` should be written `湖北省委`");
    assert!(found[5]["suggestion"].as_str().unwrap_or_default().contains("sheng-sheng-wei"));
}

#[test]
fn site_terms_file_adds_replaces_and_disables_rules() {
    let site = Site::copy("check_terms");
    site.remove("content/news/wrong.md");
    site.remove("content/news/_index.md");
    site.write(
        "terms.toml",
        "# 本局补充规则\ndisable = [\"rong-ru-guan\"]\n\n[[rule]]\nid = \"liang-xue\"\nwrong = \"两学一作\"\ncorrect = \"两学一做\"\nsource = \"本局党委办公室\"\n\n[[rule]]\nwrong = \"非党人士\"\ncorrect = \"党外代表人士\"\n\n[[rule]]\npattern = '第([一二三四五六七八九十]+)支部'\ncorrect = \"第${1}党支部\"\n",
    );
    site.write(
        "content/news/local.md",
        "+++\ntitle = \"本地规则\"\ndate = 2024-05-20\n+++\n\n两学一作，非党人士，践行“八荣八耻”，第二支部。\n",
    );
    let found = json(&site.site);
    let messages: Vec<&str> = found.iter().filter_map(|d| d["message"].as_str()).collect();
    assert_eq!(
        messages,
        vec![
            "`两学一作` should be written `两学一做`",
            "`非党人士` should be written `党外代表人士`",
            "`第二支部` should be written `第二党支部`",
        ]
    );
    assert_eq!(found[0]["suggestion"], "source: 本局党委办公室 (rule `liang-xue`; see terms.toml)");
    assert_eq!(
        found[1]["suggestion"],
        "source: this site's terms.toml (rule `非党人士`; see terms.toml)"
    );
}

#[test]
fn broken_terms_file_is_an_error_with_its_line_and_defaults_still_apply() {
    let site = Site::copy("check_terms");
    site.write("terms.toml", "[[rule]]\nwrong = \"甲\"\ncorrect = \"乙\"\nsorce = \"x\"\n");
    let found = json(&site.site);
    let file_problems: Vec<_> = found.iter().filter(|d| d["file"] == "terms.toml").collect();
    assert_eq!(file_problems.len(), 1, "{found:?}");
    assert_eq!(
        (file_problems[0]["rule"].as_str(), file_problems[0]["line"].as_u64()),
        (Some("terms-file"), Some(4))
    );
    assert!(file_problems[0]["suggestion"].as_str().unwrap_or_default().contains("source"));
    assert_eq!(
        found.iter().filter(|d| d["rule"] == "term").count(),
        11,
        "the default rules still apply"
    );

    site.write("terms.toml", "[[rule]]\nid = \"x\"\npattern = '第(一|二支部'\ncorrect = \"乙\"\n");
    let found = json(&site.site);
    let problem = found.iter().find(|d| d["file"] == "terms.toml").expect("a terms-file error");
    assert_eq!((problem["line"].as_u64(), problem["column"].as_u64()), (Some(3), Some(11)));
    assert!(
        problem["message"]
            .as_str()
            .unwrap_or_default()
            .contains("not a valid regular expression")
    );
}

#[test]
fn build_refuses_to_publish_term_and_privacy_errors() {
    for (fixture, rule) in [("check_terms", "error[term]"), ("check_privacy", "error[privacy-phone]")] {
        let site = Site::copy(fixture);
        let run = site.build(&[]);
        assert_eq!(run.code, Some(1), "{fixture}: {run:?}");
        assert!(run.stderr.contains(rule), "{fixture}: {}", run.stderr);
        assert!(!site.out.exists(), "{fixture}: a refused build wrote {}", site.out.display());
    }
    // Without the wrong pages the same site builds.
    let site = Site::copy("check_terms");
    site.remove("content/news/wrong.md");
    site.write(
        "content/news/_index.md",
        "+++\ntitle = \"支部动态\"\n+++\n\n各支部及时传达全会精神。\n",
    );
    let run = site.build(&[]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(!run.stderr.contains("error[") && !run.stderr.contains("warning["), "{}", run.stderr);
}

/// A minimal Word document whose body has these paragraphs.
fn docx(paragraphs: &[&str]) -> Vec<u8> {
    let body: String = paragraphs.iter().map(|p| format!("<w:p><w:r><w:t>{p}</w:t></w:r></w:p>")).collect();
    let files = [
        (
            "[Content_Types].xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>".to_string(),
        ),
        (
            "_rels/.rels",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>".to_string(),
        ),
        (
            "word/document.xml",
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"),
        ),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in files {
        zip.start_file(name, zip::write::SimpleFileOptions::default()).expect("zip entry");
        zip.write_all(text.as_bytes()).expect("zip write");
    }
    zip.finish().expect("zip finish").into_inner()
}

/// A minimal PDF with one line of ASCII text per page (Helvetica), with a correct xref table.
fn pdf(pages: &[&str]) -> Vec<u8> {
    let n = pages.len();
    let font = 3 + 2 * n;
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 3 + 2 * i)).collect();
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")),
    ];
    for (i, text) in pages.iter().enumerate() {
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 {font} 0 R >> >> /Contents {} 0 R >>",
            4 + 2 * i
        ));
        let stream = format!("BT /F1 12 Tf 72 760 Td ({text}) Tj ET");
        objects.push(format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()));
    }
    objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string());
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{object}\nendobj\n", i + 1).bytes());
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for offset in offsets {
        out.extend(format!("{offset:010} 00000 n \n").bytes());
    }
    out.extend(format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).bytes());
    out
}

fn privacy_site() -> Site {
    let site = Site::copy("check_privacy");
    let bundle = "content/news/huodong";
    site.write(
        &format!("{bundle}/名单.docx"),
        docx(&["参加人员名单", "张三 110101199003077774", "日期 2024-05-20"]),
    );
    site.write(
        &format!("{bundle}/方案.pdf"),
        pdf(&["Plan of 2024-05-20, No. 28", "Contact: 138-1234-5678"]),
    );
    site.write(&format!("{bundle}/损坏.pdf"), b"%PDF-1.4\nnot really\n%%EOF\n");
    site
}

#[test]
fn privacy_findings_in_text_and_attachments() {
    let site = privacy_site();
    let found = json(&site.site);
    let contacts = "content/news/contacts.md";
    assert_eq!(
        places(&found),
        vec![
            place("content/news/allowed.md", 8, 6, "privacy-id"),
            place(contacts, 3, 22, "privacy-phone"),
            place(contacts, 7, 9, "privacy-id"),
            place(contacts, 8, 7, "privacy-phone"),
            place(contacts, 8, 24, "privacy-bankcard"),
            place(contacts, 10, 13, "privacy-phone"),
            place("content/news/huodong/名单.docx", 2, 0, "privacy-id"),
            place("content/news/huodong/损坏.pdf", 0, 0, "attachment"),
            place("content/news/huodong/方案.pdf", 2, 0, "privacy-phone"),
        ]
    );
    // The report does not spread what it finds.
    let text = serde_json::to_string(&found).unwrap_or_default();
    for number in ["110101199003077774", "13912345678", "1381234", "622202123"] {
        assert!(!text.contains(number), "{number} is printed");
    }
    assert_eq!(
        found[6]["message"],
        "a resident ID number `1101**********7774` is in paragraph 2 of this attachment"
    );
    assert_eq!(
        found[8]["message"],
        "a mobile phone number `138****5678` is in page 2 of this attachment"
    );
    assert_eq!(found[7]["severity"], "warning");
    let run = check(&site.site, &[]);
    assert!(
        run.stdout
            .ends_with("8 error(s), 1 warning(s) in 5 file(s); 1 silenced by check_allow\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn build_reports_attachment_errors_but_not_unreadable_files() {
    let site = privacy_site();
    let run = site.build(&[]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("content/news/huodong/名单.docx:2: error[privacy-id]"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("warning[attachment]"), "{}", run.stderr);
}

#[test]
fn check_allow_silences_its_rules_and_counts_them() {
    let site = privacy_site();
    for file in ["contacts.md", "allowed.md", "huodong/方案.pdf", "huodong/损坏.pdf"] {
        site.remove(&format!("content/news/{file}"));
    }
    site.write(
        "content/news/huodong/index.md",
        "+++\ntitle = \"主题党日活动\"\ndate = 2024-05-23\ncheck_allow = [\"privacy-id\", \"privacy-phnoe\"]\n+++\n\n名单见附件。\n",
    );
    site.write(
        "content/news/_index.md",
        "+++\ntitle = \"支部动态\"\ncheck_allow = [\"privacy-phone\"]\n+++\n\n值班电话 13800001111。\n",
    );
    let run = check(&site.site, &[]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(
        run.stdout,
        "content/news/huodong/index.md:4: warning[front-matter]: check_allow names `privacy-phnoe`, which is no rule it can silence
  = hint: did you mean `privacy-phone`? check_allow takes term, privacy-id, privacy-phone, privacy-bankcard

0 error(s), 1 warning(s) in 1 file(s); 2 silenced by check_allow
"
    );
}

#[test]
fn external_links_are_fetched_only_with_the_flag() {
    let server = tiny_http::Server::http("127.0.0.1:0").expect("local server");
    let port = server.server_addr().to_ip().expect("an IP address").port();
    // A port nothing listens on: bound, then released.
    let refused = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let requests = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let serving = {
        let (requests, stop) = (requests.clone(), stop.clone());
        std::thread::spawn(move || {
            // Bounded: the server stops when told, or after 60 s at most.
            for _ in 0..600 {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                if let Ok(Some(request)) = server.recv_timeout(Duration::from_millis(100)) {
                    requests.fetch_add(1, Ordering::Relaxed);
                    let status = if request.url() == "/ok" { 200 } else { 404 };
                    let _ = request.respond(tiny_http::Response::from_string("x").with_status_code(status));
                }
            }
        })
    };
    let site = Site::copy("errors");
    site.write(
        "content/news/links.md",
        format!(
            "+++\ntitle = \"链接\"\ndate = 2024-05-20\n+++\n\n[正常](http://127.0.0.1:{port}/ok)\n\n[失效](http://127.0.0.1:{port}/missing)\n\n[拒绝](http://127.0.0.1:{refused}/x)\n"
        ),
    );
    let site_arg = site.site.to_str().expect("UTF-8 path");
    let without = dangjian(["check", "--site", site_arg]);
    assert_eq!((without.code, without.stdout.as_str()), (Some(0), "no problems found\n"));
    assert_eq!(requests.load(Ordering::Relaxed), 0, "no request without --external");

    // Only loopback traffic: no proxy from the environment.
    let mut command = Command::new(BIN);
    command.args(["check", "--site", site_arg, "--external", "--format", "json"]);
    for var in ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"] {
        command.env_remove(var);
    }
    let output = command.env("NO_PROXY", "127.0.0.1,localhost").output().expect("run dangjian");
    stop.store(true, Ordering::Relaxed);
    let _ = serving.join();
    assert_eq!(output.status.code(), Some(0), "failures are warnings: {output:?}");
    let found: Vec<Value> = serde_json::from_slice::<Value>(&output.stdout)
        .expect("JSON")
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        places(&found),
        vec![
            place("content/news/links.md", 8, 1, "external-link"),
            place("content/news/links.md", 10, 1, "external-link"),
        ]
    );
    assert_eq!(
        found[0]["message"],
        format!("`http://127.0.0.1:{port}/missing` does not answer: HTTP status 404")
    );
    assert!(found.iter().all(|d| d["severity"] == "warning"));
    assert_eq!(requests.load(Ordering::Relaxed), 2, "each URL is fetched once");
}

#[test]
fn example_site_has_no_findings() {
    let site = Site::copy_from(&repo().join("site"));
    let run = check(&site.site, &[]);
    assert_eq!((run.code, run.stdout.as_str()), (Some(0), "no problems found\n"), "{}", run.stderr);
}
