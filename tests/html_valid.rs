//! Builds the example site (`site/`) with the real binary and checks the output:
//!
//! 1. no HTML, CSS or XML file references another host than the site's own
//!    (`base_url` in site/config.toml); XML namespace URIs inside `xmlns`
//!    attributes are allowed, since they are names and never fetched;
//! 2. every HTML file passes the Nu HTML Checker (vnu.jar) with zero errors.
//!
//! vnu.jar is installed by CI with
//! `npm ci --prefix tests/tools --ignore-scripts` and run with the machine's Java.
//! When it (or Java) is missing the vnu part fails under CI (env var `CI` set)
//! and is skipped with a note otherwise.
//!
//! Only std is used here, on purpose.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

/// A temporary output directory, removed when dropped (also when the test panics).
struct TempDir(PathBuf);

impl TempDir {
    fn new(prefix: &str) -> TempDir {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let path = std::env::temp_dir().join(format!("{}-{}-{}", prefix, std::process::id(), nanos));
        if path.exists() {
            fs::remove_dir_all(&path).expect("remove stale temp dir");
        }
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn vnu_jar() -> PathBuf {
    repo_root().join("tests/tools/node_modules/vnu-jar/build/dist/vnu.jar")
}

/// All files under `dir`, sorted.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read_dir {}: {}", dir.display(), e))
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn has_ext(p: &Path, exts: &[&str]) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .map(|e| exts.iter().any(|x| e.eq_ignore_ascii_case(x)))
        .unwrap_or(false)
}

fn build_site() -> TempDir {
    let out = TempDir::new("dangjian-html-valid");
    let site = repo_root().join("site");
    let result = Command::new(env!("CARGO_BIN_EXE_dangjian"))
        .arg("build")
        .arg("--site")
        .arg(&site)
        .arg("--output")
        .arg(&out.0)
        .output()
        .expect("run dangjian build");
    assert!(
        result.status.success(),
        "dangjian build failed ({}):\nstdout:\n{}\nstderr:\n{}",
        result.status,
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
    out
}

// ---------------------------------------------------------------------------
// External hosts

/// The authority (host and optional port, lower case) of `base_url` in site/config.toml.
fn site_authority() -> String {
    let config = fs::read_to_string(repo_root().join("site/config.toml")).expect("read site/config.toml");
    for line in config.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            break; // base_url is a top-level key
        }
        if let Some(rest) = line.strip_prefix("base_url") {
            let rest = rest.trim_start();
            if let Some(value) = rest.strip_prefix('=') {
                let value = value.trim().trim_matches(['"', '\'']);
                return authority_of(value).unwrap_or_else(|| panic!("base_url {:?} has no host", value));
            }
        }
    }
    panic!("no base_url in site/config.toml");
}

/// `http://Host:8080/x` -> `host:8080`.
fn authority_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let end = rest
        .find(|c: char| {
            matches!(
                c,
                '/' | '?' | '#' | '"' | '\'' | '<' | '>' | '(' | ')' | '&' | '\\' | ',' | ';' | '`'
            ) || c.is_whitespace()
        })
        .unwrap_or(rest.len());
    let auth = &rest[..end];
    let auth = auth.rsplit_once('@').map(|(_, h)| h).unwrap_or(auth);
    if auth.is_empty() { None } else { Some(auth.to_ascii_lowercase()) }
}

/// Decode the character references an escaper may use for '/' and ':' so that
/// `http:&#x2F;&#x2F;host` is seen as a URL too.
fn normalize(text: &str) -> String {
    let mut s = text.to_string();
    for (from, to) in [
        ("&#x2F;", "/"),
        ("&#x2f;", "/"),
        ("&#47;", "/"),
        ("&#047;", "/"),
        ("&sol;", "/"),
        ("\\/", "/"),
        ("&#x3A;", ":"),
        ("&#x3a;", ":"),
        ("&#58;", ":"),
        ("&colon;", ":"),
    ] {
        s = s.replace(from, to);
    }
    s
}

/// Is the URL starting at byte `start` the value of an `xmlns` or `xmlns:prefix` attribute?
fn in_xmlns_attribute(text: &str, start: usize) -> bool {
    let before = text[..start].trim_end_matches(['"', '\'']);
    if before.len() == text[..start].len() {
        return false; // not directly inside a quoted attribute value
    }
    let before = before.trim_end();
    let Some(before) = before.strip_suffix('=') else {
        return false;
    };
    let before = before.trim_end();
    let name_start = before.rfind(|c: char| c.is_whitespace() || c == '<').map(|i| i + 1).unwrap_or(0);
    let name = &before[name_start..];
    name == "xmlns" || name.starts_with("xmlns:")
}

fn line_of(text: &str, byte: usize) -> usize {
    text[..byte].matches('\n').count() + 1
}

/// Every reference to another host in `text`: (line, url).
fn external_references(text: &str, own: &str) -> Vec<(usize, String)> {
    let text = normalize(text);
    let lower = text.to_ascii_lowercase();
    let mut found = Vec::new();
    for scheme in ["http://", "https://"] {
        let mut from = 0;
        while let Some(i) = lower[from..].find(scheme) {
            let start = from + i;
            from = start + scheme.len();
            let url: String = text[start..]
                .chars()
                .take_while(|c| !c.is_whitespace() && !matches!(c, '"' | '\'' | '<' | '>' | ')' | '&'))
                .collect();
            let Some(auth) = authority_of(&url) else {
                continue;
            };
            if auth == own {
                continue;
            }
            if in_xmlns_attribute(&text, start) {
                continue;
            }
            found.push((line_of(&text, start), url));
        }
    }
    // Protocol-relative references: src="//host/..", href='//host', url(//host)
    for pattern in ["=\"//", "='//", "url(//", "url(\"//", "url('//"] {
        let mut from = 0;
        while let Some(i) = text[from..].find(pattern) {
            let start = from + i + pattern.len() - 2;
            from = start + 2;
            let url: String = text[start..]
                .chars()
                .take_while(|c| !c.is_whitespace() && !matches!(c, '"' | '\'' | '<' | '>' | ')' | '&'))
                .collect();
            if let Some(auth) = authority_of(&format!("http:{}", url))
                && auth != own
            {
                found.push((line_of(&text, start), url));
            }
        }
    }
    found.sort();
    found
}

fn check_no_external_hosts(out: &Path, files: &[PathBuf]) {
    let own = site_authority();
    let mut problems = Vec::new();
    let mut checked = 0;
    for f in files {
        if !has_ext(f, &["html", "htm", "css", "xml", "xsl", "svg"]) {
            continue;
        }
        checked += 1;
        let bytes = fs::read(f).unwrap_or_else(|e| panic!("read {}: {}", f.display(), e));
        let text = String::from_utf8_lossy(&bytes);
        for (line, url) in external_references(&text, &own) {
            problems.push(format!("{}:{}: {}", f.strip_prefix(out).unwrap_or(f).display(), line, url));
        }
    }
    assert!(checked > 0, "no HTML/CSS/XML files in the output");
    assert!(
        problems.is_empty(),
        "{} reference(s) to hosts other than {} in the built site:\n{}",
        problems.len(),
        own,
        problems.join("\n")
    );
}

// ---------------------------------------------------------------------------
// A minimal JSON reader for vnu's `--format json` output.

#[derive(Debug, Clone)]
#[allow(dead_code)] // the payloads of Null/Bool are never read
enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }
    fn as_num(&self) -> Option<f64> {
        match self {
            Json::Num(n) => Some(*n),
            _ => None,
        }
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    fn parse(text: &'a str) -> Result<Json, String> {
        let mut p = Parser { s: text.as_bytes(), i: 0 };
        let v = p.value()?;
        p.ws();
        if p.i != p.s.len() {
            return Err(format!("trailing characters at {}", p.i));
        }
        Ok(v)
    }
    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) -> Result<(), String> {
        self.ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            Ok(())
        } else {
            Err(format!("expected '{}' at {}", c as char, self.i))
        }
    }
    fn value(&mut self) -> Result<Json, String> {
        self.ws();
        match self.s.get(self.i) {
            Some(b'{') => {
                self.i += 1;
                let mut members = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(Json::Obj(members));
                }
                loop {
                    self.ws();
                    let k = self.string()?;
                    self.eat(b':')?;
                    let v = self.value()?;
                    members.push((k, v));
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Json::Obj(members));
                        }
                        _ => return Err(format!("expected ',' or '}}' at {}", self.i)),
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(Json::Arr(items));
                }
                loop {
                    items.push(self.value()?);
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Json::Arr(items));
                        }
                        _ => return Err(format!("expected ',' or ']' at {}", self.i)),
                    }
                }
            }
            Some(b'"') => Ok(Json::Str(self.string()?)),
            Some(b't') if self.s[self.i..].starts_with(b"true") => {
                self.i += 4;
                Ok(Json::Bool(true))
            }
            Some(b'f') if self.s[self.i..].starts_with(b"false") => {
                self.i += 5;
                Ok(Json::Bool(false))
            }
            Some(b'n') if self.s[self.i..].starts_with(b"null") => {
                self.i += 4;
                Ok(Json::Null)
            }
            Some(c) if *c == b'-' || c.is_ascii_digit() => {
                let start = self.i;
                while self.i < self.s.len() && matches!(self.s[self.i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
                    self.i += 1;
                }
                let t = std::str::from_utf8(&self.s[start..self.i]).unwrap();
                t.parse().map(Json::Num).map_err(|e| format!("bad number {:?}: {}", t, e))
            }
            _ => Err(format!("unexpected input at {}", self.i)),
        }
    }
    fn hex4(&mut self) -> Result<u32, String> {
        let h = self.s.get(self.i..self.i + 4).ok_or("short \\u escape")?;
        self.i += 4;
        u32::from_str_radix(std::str::from_utf8(h).map_err(|e| e.to_string())?, 16).map_err(|e| e.to_string())
    }
    fn string(&mut self) -> Result<String, String> {
        self.eat(b'"')?;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let c = *self.s.get(self.i).ok_or("unterminated string")?;
            self.i += 1;
            match c {
                b'"' => return String::from_utf8(out).map_err(|e| e.to_string()),
                b'\\' => {
                    let e = *self.s.get(self.i).ok_or("unterminated escape")?;
                    self.i += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let mut cp = self.hex4()?;
                            if (0xD800..0xDC00).contains(&cp) && self.s[self.i..].starts_with(b"\\u") {
                                self.i += 2;
                                let lo = self.hex4()?;
                                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF);
                            }
                            char::from_u32(cp).unwrap_or('\u{FFFD}')
                        }
                        _ => return Err(format!("bad escape at {}", self.i)),
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                _ => out.push(c),
            }
        }
    }
}

// ---------------------------------------------------------------------------
// vnu

fn missing_tool(what: &str) {
    if std::env::var_os("CI").is_some() {
        panic!(
            "{} is missing, and CI is set. Install the Nu HTML Checker with:\n  \
             npm ci --prefix tests/tools --ignore-scripts\n(and a Java 11+ runtime on PATH)",
            what
        );
    }
    eprintln!(
        "note: {} is missing; skipping the Nu HTML Checker part of this test.\n      \
         Install it with `npm ci --prefix tests/tools --ignore-scripts` (needs Java 11+).",
        what
    );
}

fn check_vnu(out: &Path, files: &[PathBuf]) {
    let jar = vnu_jar();
    if !jar.is_file() {
        missing_tool(&format!("vnu.jar ({})", jar.display()));
        return;
    }
    if !Command::new("java")
        .arg("-version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
    {
        missing_tool("java");
        return;
    }
    let html: Vec<&PathBuf> = files.iter().filter(|f| has_ext(f, &["html", "htm"])).collect();
    assert!(!html.is_empty(), "no HTML files in the output");

    let mut errors = Vec::new();
    for chunk in html.chunks(400) {
        let result = Command::new("java")
            .arg("-Xss8m")
            .arg("-jar")
            .arg(&jar)
            .arg("--errors-only")
            .arg("--format")
            .arg("json")
            .args(chunk.iter().map(|p| p.as_os_str()))
            .output()
            .expect("run java -jar vnu.jar");
        // vnu writes its report to stderr.
        let report = String::from_utf8_lossy(&result.stderr);
        let json_text = report.trim();
        let start = json_text.find('{').unwrap_or(0);
        let parsed = Parser::parse(&json_text[start..]).unwrap_or_else(|e| {
            panic!(
                "cannot read vnu output ({}; exit {}):\n{}\n{}",
                e,
                result.status,
                report,
                String::from_utf8_lossy(&result.stdout)
            )
        });
        let messages = match parsed.get("messages") {
            Some(Json::Arr(m)) => m.clone(),
            _ => panic!("vnu output has no messages array:\n{}", report),
        };
        for m in &messages {
            let kind = m.get("type").and_then(Json::as_str).unwrap_or("?");
            if kind != "error" && kind != "non-document-error" {
                continue;
            }
            let url = m.get("url").and_then(Json::as_str).unwrap_or("?");
            let file = url.strip_prefix("file:").unwrap_or(url);
            let file = Path::new(file);
            let file = file.strip_prefix(out).unwrap_or(file).display().to_string();
            let line = m
                .get("lastLine")
                .or_else(|| m.get("firstLine"))
                .and_then(Json::as_num)
                .map(|n| (n as u64).to_string())
                .unwrap_or_else(|| "?".into());
            let message = m.get("message").and_then(Json::as_str).unwrap_or("?");
            let extract = m.get("extract").and_then(Json::as_str).unwrap_or("").replace('\n', "↩");
            errors.push(format!("{}:{}: {}\n    {}", file, line, message, extract));
        }
        if !result.status.success() && messages.is_empty() {
            panic!("vnu failed ({}) without messages:\n{}", result.status, report);
        }
    }
    assert!(
        errors.is_empty(),
        "the Nu HTML Checker found {} error(s) in {} HTML file(s):\n{}",
        errors.len(),
        html.len(),
        errors.join("\n")
    );
}

#[test]
fn example_site_is_valid_html_and_self_contained() {
    let out = build_site();
    let mut files = Vec::new();
    walk(&out.0, &mut files);
    check_no_external_hosts(&out.0, &files);
    check_vnu(&out.0, &files);
}

#[test]
fn external_reference_scanner() {
    let own = "dangjian.sthjj.intranet";
    let ok = r#"<feed xmlns="http://www.w3.org/2005/Atom"><link href="http://dangjian.sthjj.intranet/a/"/>
<svg xmlns:xlink="http://www.w3.org/1999/xlink"></svg><a href="http:&#x2F;&#x2F;dangjian.sthjj.intranet&#x2F;">x</a>"#;
    assert!(external_references(ok, own).is_empty(), "{:?}", external_references(ok, own));
    let bad = "<link href=\"https://cdn.example.com/x.css\">\n<p>see http://www.w3.org/TR/</p>\n\
               <img src=\"//evil.example/x.png\"><a href=\"http:&#x2F;&#x2F;other.cn&#x2F;\">y</a>\n\
               <x y=\"url(http://fonts.example/a)\">";
    let found: Vec<String> = external_references(bad, own).into_iter().map(|(_, u)| u).collect();
    assert_eq!(found.len(), 5, "{:?}", found);
    assert!(found.iter().any(|u| u.contains("cdn.example.com")));
    assert!(found.iter().any(|u| u.contains("www.w3.org/TR")));
    assert!(found.iter().any(|u| u.contains("evil.example")));
    assert!(found.iter().any(|u| u.contains("other.cn")));
    assert!(found.iter().any(|u| u.contains("fonts.example")));
    assert_eq!(authority_of("http://Dangjian.Example:8080/x"), Some("dangjian.example:8080".into()));
}
