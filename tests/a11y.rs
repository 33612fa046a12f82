//! Accessibility of the default theme, checked in a real browser by tests/browser/a11y.mjs:
//! axe-core (WCAG 2.1 A and AA rules) in Debian's headless chromium on every page kind of the
//! example site, in normal, high-contrast and 200% text modes switched on with the theme's
//! 适老化 toolbar, plus keyboard use of the toolbar, the remembered choice and JavaScript off.
//!
//! Needs node, /usr/bin/chromium and `npm ci --prefix tests/browser` (playwright-core, axe-core).
//! When they are missing the test fails under CI (env var `CI` set) and is skipped with a note
//! otherwise.
//!
//! Only std is used here, on purpose.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// Longest the browser run may take (a11y.mjs has its own, shorter watchdog).
const TIMEOUT: Duration = Duration::from_secs(300);

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn axe_core_finds_no_violations() {
    let browser_dir = repo().join("tests/browser");
    let script = browser_dir.join("a11y.mjs");
    let modules = browser_dir.join("node_modules");
    let chromium = Path::new("/usr/bin/chromium");
    let node_ok = Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let have_modules = modules.join("playwright-core").is_dir() && modules.join("axe-core").is_dir();
    if !(node_ok && have_modules && chromium.exists()) {
        let note = format!(
            "accessibility test needs node, {} and {} with playwright-core and axe-core \
             (apt-get install chromium nodejs npm; npm ci --prefix tests/browser)",
            chromium.display(),
            modules.display()
        );
        assert!(std::env::var_os("CI").is_none(), "CI is set but the {note}");
        eprintln!("note: skipped: the {note}");
        return;
    }

    let mut child = Command::new("node")
        .arg(&script)
        .env("DANGJIAN_BIN", env!("CARGO_BIN_EXE_dangjian"))
        .current_dir(&browser_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run node");
    let read = |mut pipe: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = read(Box::new(child.stdout.take().expect("stdout")));
    let stderr = read(Box::new(child.stderr.take().expect("stderr")));
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for node") {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(100));
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    assert!(
        status.is_some_and(|s| s.success()),
        "node {} {}\n--- stdout:\n{stdout}\n--- stderr:\n{stderr}",
        script.display(),
        match status {
            Some(s) => format!("failed: {s}"),
            None => format!("did not finish within {} s", TIMEOUT.as_secs()),
        }
    );
    println!("{stdout}");
}
