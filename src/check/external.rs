//! `check --external`: do the outbound http(s) links of the site answer? Each distinct URL is
//! fetched once (5 s timeout, 4 at a time); a failure is a warning (rule `external-link`) at every
//! place that links to it, never an error: another site being down must not stop a publication.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::content::Library;
use crate::diagnostic::Diagnostic;

/// Rule id of unreachable external links.
pub const RULE: &str = "external-link";

/// How long one URL may take, connection and answer together.
const TIMEOUT: Duration = Duration::from_secs(5);

/// URLs fetched at the same time: enough to be quick, few enough not to look like an attack.
const CONCURRENCY: usize = 4;

/// Fetches every outbound link of the site and reports the ones that fail.
pub fn check_links(library: &Library) -> Vec<Diagnostic> {
    // URL → the places that link to it (file, line, column).
    let mut places: BTreeMap<&str, Vec<(&str, usize, usize)>> = BTreeMap::new();
    let rendered = library
        .pages
        .iter()
        .map(|p| (p.file.as_str(), &p.rendered))
        .chain(library.sections.iter().map(|s| (s.file.as_str(), &s.rendered)));
    for (file, rendered) in rendered {
        for link in &rendered.external_links {
            places.entry(link.url.as_str()).or_default().push((file, link.line, link.column));
        }
    }
    let urls: Vec<&str> = places.keys().copied().collect();
    let failures = fetch_all(&urls);
    let mut found = Vec::new();
    for (url, problem) in failures {
        for &(file, line, column) in places.get(url).map(Vec::as_slice).unwrap_or_default() {
            found.push(
                Diagnostic::warning(RULE, file, line, column, format!("`{url}` does not answer: {problem}"))
                    .with_hint("check the address in a browser; update or remove the link if the page has moved"),
            );
        }
    }
    found
}

/// The URLs that failed, with why.
fn fetch_all<'a>(urls: &[&'a str]) -> Vec<(&'a str, String)> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .user_agent(concat!("dangjian-check/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..CONCURRENCY.min(urls.len()) {
            scope.spawn(|| {
                while let Some(&url) = urls.get(next.fetch_add(1, Ordering::Relaxed)) {
                    if let Err(problem) = fetch(&agent, url) {
                        failures.lock().unwrap_or_else(|p| p.into_inner()).push((url, problem));
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap_or_else(|p| p.into_inner());
    failures.sort();
    failures
}

/// Fetches `url` (following redirects); the body is not read.
fn fetch(agent: &ureq::Agent, url: &str) -> Result<(), String> {
    match agent.get(url).call() {
        Ok(_) => Ok(()),
        Err(ureq::Error::StatusCode(code)) => Err(format!("HTTP status {code}")),
        Err(ureq::Error::Timeout(_)) => Err(format!("no answer within {} s", TIMEOUT.as_secs())),
        Err(ureq::Error::Io(e)) => Err(e.to_string()),
        Err(e) => Err(e.to_string()),
    }
}
