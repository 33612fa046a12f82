//! Helpers shared by the integration tests: running the real `dangjian` binary, copying fixture
//! sites into temporary folders, reading and snapshotting build output.
//!
//! Mostly std and `tempfile`; [`build_on`] calls the library, to build as if on a given day.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_dangjian");

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    /// Exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    /// Standard output, as text.
    pub stdout: String,
    /// Standard error, as text.
    pub stderr: String,
}

impl Run {
    /// Panics with everything the run printed unless it exited with `code`.
    pub fn expect_code(&self, code: i32, what: &str) -> &Self {
        assert_eq!(
            self.code,
            Some(code),
            "{what}: expected exit code {code}, got {:?}\n--- stdout:\n{}\n--- stderr:\n{}",
            self.code,
            self.stdout,
            self.stderr
        );
        self
    }
}

/// Runs `dangjian` with `args`.
pub fn dangjian<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let output = Command::new(BIN).args(args).output().expect("run the dangjian binary");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `dangjian build --site SITE --output OUT [extra…]`.
pub fn build(site: &Path, out: &Path, extra: &[&str]) -> Run {
    let mut args: Vec<&OsStr> = vec![
        OsStr::new("build"),
        OsStr::new("--site"),
        site.as_os_str(),
        OsStr::new("--output"),
        out.as_os_str(),
    ];
    args.extend(extra.iter().map(OsStr::new));
    dangjian(args)
}

/// A fixture site copied into a temporary folder: `<tmp>/site`, built into `<tmp>/public`.
pub struct Site {
    /// Removed when the test ends (also on panic).
    pub tmp: TempDir,
    /// The copied site.
    pub site: PathBuf,
    /// The output folder used by [`Site::build`].
    pub out: PathBuf,
}

impl Site {
    /// Copies `tests/fixtures/<name>`.
    pub fn copy(name: &str) -> Site {
        Site::copy_from(&fixture(name))
    }

    /// Copies any site folder (without its `public/` output).
    pub fn copy_from(source: &Path) -> Site {
        let tmp = tempfile::Builder::new()
            .prefix("dangjian-test-")
            .tempdir()
            .expect("create temp dir");
        let site = tmp.path().join("site");
        copy_dir(source, &site);
        let out = tmp.path().join("public");
        Site { tmp, site, out }
    }

    /// Builds into [`Site::out`].
    pub fn build(&self, extra: &[&str]) -> Run {
        build(&self.site, &self.out, extra)
    }

    /// Writes `bytes` to `relative` inside the site, creating folders.
    pub fn write(&self, relative: &str, bytes: impl AsRef<[u8]>) {
        let path = self.site.join(relative);
        fs::create_dir_all(path.parent().expect("a parent folder")).expect("create folders");
        fs::write(&path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }

    /// Removes `relative` inside the site.
    pub fn remove(&self, relative: &str) {
        let path = self.site.join(relative);
        fs::remove_file(&path).unwrap_or_else(|e| panic!("remove {}: {e}", path.display()));
    }

    /// The text of output file `relative`.
    pub fn output(&self, relative: &str) -> String {
        read_text(&self.out.join(relative))
    }

    /// Builds a site with errors: the build must fail and write nothing. Returns the report, without
    /// its last line (which names the temporary output folder).
    pub fn failed_build(&self) -> String {
        let run = self.build(&[]);
        run.expect_code(1, "a build with errors");
        assert!(!self.out.exists(), "a failed build writes nothing");
        let tail = format!("build failed; the previous output in {} is unchanged\n", self.out.display());
        run.stderr
            .strip_suffix(&tail)
            .unwrap_or_else(|| panic!("stderr ends with {tail:?}:\n{}", run.stderr))
            .to_string()
    }

    /// `dangjian check` must fail, its report starting with `first` and ending with `summary`.
    pub fn check_fails(&self, first: &str, summary: &str) {
        let run = dangjian(["check".as_ref(), "--site".as_ref(), self.site.as_os_str()]);
        run.expect_code(1, "check");
        assert!(run.stdout.starts_with(first), "{}", run.stdout);
        assert!(run.stdout.ends_with(summary), "{}", run.stdout);
    }
}

/// Copies a folder recursively, leaving out a `public/` build output at its top.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap_or_else(|e| panic!("create {}: {e}", to.display()));
    for entry in fs::read_dir(from).unwrap_or_else(|e| panic!("read {}: {e}", from.display())) {
        let entry = entry.expect("dir entry");
        let source = entry.path();
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            if entry.file_name() == "public" && from.join("config.toml").is_file() {
                continue;
            }
            copy_dir(&source, &target);
        } else {
            fs::copy(&source, &target).unwrap_or_else(|e| panic!("copy {}: {e}", source.display()));
        }
    }
}

/// A file as UTF-8 text; panics with the path when it is missing.
pub fn read_text(path: &Path) -> String {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    String::from_utf8(bytes).unwrap_or_else(|e| panic!("{} is not UTF-8: {e}", path.display()))
}

/// Every file under `dir` with its bytes, keyed by its path relative to `dir` (forward slashes).
/// Folders are recorded too (as `path/` with no bytes), so an added empty folder is a difference.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display())) {
            let entry = entry.expect("dir entry");
            let path = entry.path();
            let relative = path.strip_prefix(root).expect("inside root").to_string_lossy().replace('\\', "/");
            if entry.file_type().expect("file type").is_dir() {
                out.insert(format!("{relative}/"), Vec::new());
                walk(root, &path, out);
            } else {
                out.insert(relative, fs::read(&path).expect("read output file"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The files (not folders) under `dir`, relative, sorted.
pub fn files(dir: &Path) -> Vec<String> {
    snapshot(dir).into_keys().filter(|k| !k.ends_with('/')).collect()
}

/// Checks that `xml` is well-formed as far as a feed or sitemap needs: one root element, every
/// element closed in order, attribute values quoted, `&` only in entity references, no stray `<`.
pub fn check_well_formed_xml(xml: &str) -> Result<(), String> {
    let mut stack: Vec<String> = Vec::new();
    let mut roots = 0;
    let mut rest = xml;
    let mut seen_element = false;
    while !rest.is_empty() {
        match rest.find('<') {
            None => {
                check_text(rest)?;
                if !rest.trim().is_empty() {
                    return Err(format!("text after the root element: {:?}", truncate(rest)));
                }
                break;
            }
            Some(i) => {
                let text = &rest[..i];
                check_text(text)?;
                if stack.is_empty() && !text.trim().is_empty() {
                    return Err(format!("text outside the root element: {:?}", truncate(text)));
                }
                rest = &rest[i..];
            }
        }
        if let Some(after) = rest.strip_prefix("<?") {
            if seen_element {
                return Err("processing instruction after the root element started".into());
            }
            let end = after.find("?>").ok_or("unclosed <?")?;
            rest = &after[end + 2..];
        } else if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->").ok_or("unclosed comment")?;
            rest = &after[end + 3..];
        } else if let Some(after) = rest.strip_prefix("</") {
            let end = after.find('>').ok_or("unclosed end tag")?;
            let name = after[..end].trim();
            match stack.pop() {
                Some(open) if open == name => {}
                other => return Err(format!("</{name}> closes {other:?}")),
            }
            rest = &after[end + 1..];
        } else {
            let after = &rest[1..];
            let end = tag_end(after).ok_or("unclosed start tag")?;
            let inner = &after[..end];
            let self_closing = inner.ends_with('/');
            let inner = inner.trim_end_matches('/');
            let name_len = inner.find(|c: char| c.is_whitespace()).unwrap_or(inner.len());
            let name = &inner[..name_len];
            if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || matches!(c, ':' | '-' | '_' | '.')) {
                return Err(format!("bad element name {name:?}"));
            }
            check_attributes(&inner[name_len..])?;
            if stack.is_empty() {
                roots += 1;
            }
            seen_element = true;
            if !self_closing {
                stack.push(name.to_string());
            }
            rest = &after[end + 1..];
        }
    }
    if !stack.is_empty() {
        return Err(format!("unclosed elements: {stack:?}"));
    }
    if roots != 1 {
        return Err(format!("{roots} root elements"));
    }
    Ok(())
}

fn truncate(text: &str) -> String {
    text.chars().take(80).collect()
}

/// The index of the `>` ending a start tag, skipping quoted attribute values.
fn tag_end(text: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i),
            (None, '<') => return None,
            _ => {}
        }
    }
    None
}

fn check_attributes(mut text: &str) -> Result<(), String> {
    loop {
        text = text.trim_start();
        if text.is_empty() {
            return Ok(());
        }
        let eq = text.find('=').ok_or_else(|| format!("attribute without value: {text:?}"))?;
        let name = text[..eq].trim();
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(format!("bad attribute name {name:?}"));
        }
        let value = text[eq + 1..].trim_start();
        let quote = value
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'')
            .ok_or("unquoted attribute value")?;
        let close = value[1..].find(quote).ok_or("unclosed attribute value")?;
        check_text(&value[1..1 + close])?;
        text = &value[close + 2..];
    }
}

fn check_text(text: &str) -> Result<(), String> {
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        let after = &rest[i + 1..];
        let end = after.find(';').ok_or_else(|| format!("bare & in {:?}", truncate(text)))?;
        let entity = &after[..end];
        let known = matches!(entity, "amp" | "lt" | "gt" | "quot" | "apos")
            || entity
                .strip_prefix("#x")
                .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
            || entity
                .strip_prefix('#')
                .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
        if !known {
            return Err(format!("unknown entity &{entity};"));
        }
        rest = &after[end + 1..];
    }
    Ok(())
}

/// Counts the non-overlapping occurrences of `needle` in `haystack`.
pub fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

/// Every file under `dir` whose extension is `ext`, sorted.
pub fn files_with_extension(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display())) {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == ext) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Runs `node tests/browser/<script>` against the binary under test, failing with its output if
/// it fails or outlives `timeout`. It needs node, Debian's /usr/bin/chromium and the npm
/// `packages` under tests/browser/node_modules: without them the test fails under CI (env var
/// `CI` set) and is skipped with a note otherwise.
pub fn run_browser_script(script: &str, packages: &[&str], timeout: Duration) {
    run_browser_script_with(script, &[], packages, timeout);
}

/// [`run_browser_script`] with command-line arguments for the script.
pub fn run_browser_script_with(script: &str, args: &[&OsStr], packages: &[&str], timeout: Duration) {
    let browser_dir = repo().join("tests/browser");
    let modules = browser_dir.join("node_modules");
    let chromium = Path::new("/usr/bin/chromium");
    let node_ok = Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if !(node_ok && chromium.exists() && packages.iter().all(|p| modules.join(p).is_dir())) {
        let note = format!(
            "{script} needs node, {} and {} with {} (apt-get install chromium nodejs npm; npm ci --prefix tests/browser)",
            chromium.display(),
            modules.display(),
            packages.join(", ")
        );
        assert!(std::env::var_os("CI").is_none(), "CI is set but {note}");
        eprintln!("note: skipped: {note}");
        return;
    }
    let mut child = Command::new("node")
        .arg(browser_dir.join(script))
        .args(args)
        .env("DANGJIAN_BIN", BIN)
        .current_dir(&browser_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run node");
    // Read both pipes while the script runs, so a chatty script never blocks on a full pipe.
    let read = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = read(Box::new(child.stdout.take().expect("stdout")));
    let stderr = read(Box::new(child.stderr.take().expect("stderr")));
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for node") {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    assert!(
        status.is_some_and(|s| s.success()),
        "node {script} {}\n--- stdout:\n{stdout}\n--- stderr:\n{stderr}",
        match status {
            Some(s) => format!("failed: {s}"),
            None => format!("did not finish within {} s", timeout.as_secs()),
        }
    );
    println!("{stdout}");
}

/// Builds `site` with the library as if on `day` at noon (for expiry and due dates), panicking
/// with the report when the build fails.
pub fn build_on(site: &Site, day: (i32, u32, u32)) -> dangjian::site::BuildSummary {
    let now = chrono::NaiveDate::from_ymd_opt(day.0, day.1, day.2)
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .unwrap_or_else(|| panic!("{day:?} is no day"));
    let options = dangjian::site::BuildOptions {
        site_dir: site.site.clone(),
        base_url: None,
        drafts: false,
        now,
        include_unreviewed: false,
    };
    match dangjian::site::build(&options, &site.out) {
        Ok(summary) => summary,
        Err(dangjian::site::BuildError::Content(found)) => panic!("{}", dangjian::site::report(&found)),
        Err(dangjian::site::BuildError::Io(e)) => panic!("{e}"),
    }
}

/// The text of an HTML fragment: tags removed, whitespace runs joined.
pub fn html_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every fragment of `html` from `open` (the start of an opening tag) to the next `close`.
pub fn fragments<'a>(html: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(open) {
        let end = rest[start..].find(close).map_or(rest.len(), |e| start + e + close.len());
        found.push(&rest[start..end]);
        rest = &rest[end..];
    }
    found
}
