//! Accessibility of the default theme, checked in a real browser by tests/browser/a11y.mjs:
//! axe-core (WCAG 2.1 A and AA rules) in Debian's headless chromium on every page kind of the
//! example site, in normal, high-contrast and 200% text modes switched on with the theme's
//! 适老化 toolbar, plus keyboard use of the toolbar, the remembered choice and JavaScript off.
//!
//! Needs node, /usr/bin/chromium and `npm ci --prefix tests/browser` (playwright-core, axe-core).
//! When they are missing the test fails under CI (env var `CI` set) and is skipped with a note
//! otherwise.

mod common;

use std::time::Duration;

#[test]
fn axe_core_finds_no_violations() {
    // a11y.mjs has its own, shorter watchdog.
    common::run_browser_script("a11y.mjs", &["playwright-core", "axe-core"], Duration::from_secs(300));
}
