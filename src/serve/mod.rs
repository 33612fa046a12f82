//! `dangjian serve`: the preview server. The same pipeline as `build`, with the memory sink:
//! the site lives in memory, is rebuilt when a file changes, and open browser tabs are told
//! over Server-Sent Events which pages changed. A failed rebuild keeps the last good site online
//! and shows the problems over the page.

mod events;
pub mod http;
mod state;
pub mod watch;

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::diagnostic;
use crate::site::{self, BuildOptions};
use events::Broadcaster;
use state::{Lookup, Snapshot};

/// The script that every served page loads.
const LIVE_SCRIPT: &str = include_str!("live.js");
/// Threads answering requests (event streams do not hold one of these).
const WORKERS: usize = 4;
/// Ports tried after a taken one.
const PORT_ATTEMPTS: u16 = 20;

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site folder.
    pub site_dir: PathBuf,
    /// Address to listen on (127.0.0.1 unless the user asks for more).
    pub bind: IpAddr,
    /// First port to try; 0 picks a free one.
    pub port: u16,
    /// Open the site in the default browser.
    pub open: bool,
    /// Poll the disk instead of native file events (network drives, WSL, VMs).
    pub poll: bool,
    /// Include drafts.
    pub drafts: bool,
}

/// What the server threads share.
struct Shared {
    snapshot: RwLock<Arc<Snapshot>>,
    events: Broadcaster,
    caches: site::Caches,
}

impl Shared {
    fn current(&self) -> Arc<Snapshot> {
        self.snapshot.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn replace(&self, snapshot: Snapshot) {
        *self.snapshot.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(snapshot);
    }

    /// The event a new tab gets first: the current problems, or that all is well.
    fn greeting(&self) -> String {
        let snapshot = self.current();
        if snapshot.problems.is_empty() {
            events::event("ok", &json!({}))
        } else {
            events::event("problems", &json!({ "text": snapshot.problems }))
        }
    }
}

/// Runs the preview server until the process is stopped.
pub fn serve(mut options: ServeOptions) -> Result<(), String> {
    // Watchers report absolute paths: compare them with an absolute site folder, so `serve` from
    // inside the site (`.`) or below a hidden folder works, and public/ is recognised.
    options.site_dir = options
        .site_dir
        .canonicalize()
        .map_err(|e| format!("cannot open the site folder {}: {e}", options.site_dir.display()))?;
    let server = bind(options.bind, options.port)?;
    let port = server.server_addr().to_ip().map(|a| a.port()).unwrap_or(options.port);
    if !options.bind.is_loopback() {
        eprintln!(
            "warning: listening on {}: anyone on the network can see this preview, drafts included",
            options.bind
        );
    }
    let shared = Arc::new(Shared {
        snapshot: RwLock::new(Arc::new(Snapshot::default())),
        events: Broadcaster::default(),
        caches: site::Caches::default(),
    });
    rebuild(&options, &shared, &[]);

    let output_dir = options.site_dir.join("public");
    let (_watch_handle, batches) = watch::watch(&options.site_dir, &output_dir, options.poll)
        .map_err(|e| format!("cannot watch {}: {e}", options.site_dir.display()))?;
    {
        let shared = shared.clone();
        let options = options.clone();
        std::thread::Builder::new()
            .name("dangjian-rebuild".into())
            .spawn(move || {
                for batch in batches {
                    rebuild(&options, &shared, &batch);
                }
            })
            .map_err(|e| e.to_string())?;
    }
    {
        let shared = shared.clone();
        std::thread::Builder::new()
            .name("dangjian-keepalive".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(Duration::from_secs(15));
                    shared.events.send(": keep-alive\n\n");
                }
            })
            .map_err(|e| e.to_string())?;
    }

    let host = if options.bind.is_unspecified() || options.bind.is_loopback() {
        "127.0.0.1".to_string()
    } else {
        options.bind.to_string()
    };
    let url = format!("http://{host}:{port}/");
    println!("serving {} at {url} (Ctrl+C to stop)", options.site_dir.display());
    if options.open && opener::open(&url).is_err() {
        eprintln!("could not open a browser; open {url} yourself");
    }

    let (requests_tx, requests_rx) = sync_channel::<tiny_http::Request>(256);
    let requests_rx = Arc::new(std::sync::Mutex::new(requests_rx));
    for n in 0..WORKERS {
        let shared = shared.clone();
        let requests_rx = requests_rx.clone();
        std::thread::Builder::new()
            .name(format!("dangjian-http-{n}"))
            .spawn(move || {
                loop {
                    let request = match requests_rx.lock().unwrap_or_else(|p| p.into_inner()).recv() {
                        Ok(request) => request,
                        Err(_) => return,
                    };
                    let snapshot = shared.current();
                    let on_problem = |diagnostic: &diagnostic::Diagnostic| {
                        let text = diagnostic::format_report(std::slice::from_ref(diagnostic));
                        eprint!("{text}");
                        shared.events.send(&events::event("problems", &json!({ "text": text })));
                    };
                    http::handle(request, &snapshot, LIVE_SCRIPT, &on_problem, |request, watching| {
                        shared.events.add(request.into_writer(), watching, &shared.greeting())
                    });
                }
            })
            .map_err(|e| e.to_string())?;
    }
    for request in server.incoming_requests() {
        if requests_tx.send(request).is_err() {
            break;
        }
    }
    Ok(())
}

fn bind(address: IpAddr, port: u16) -> Result<tiny_http::Server, String> {
    let attempts = if port == 0 { 1 } else { PORT_ATTEMPTS };
    let mut last_error = String::new();
    for offset in 0..attempts {
        let candidate = port.saturating_add(offset);
        match listen(address, candidate)
            .and_then(|listener| tiny_http::Server::from_listener(listener, None).map_err(|e| std::io::Error::other(e.to_string())))
        {
            Ok(server) => return Ok(server),
            Err(e) => {
                eprintln!("port {candidate} is not available ({e}); trying {}", candidate.saturating_add(1));
                last_error = e.to_string();
            }
        }
    }
    Err(format!(
        "no free port from {port} to {}: {last_error}",
        port.saturating_add(attempts - 1)
    ))
}

/// A listening socket with TCP_NODELAY, which the accepted connections inherit. tiny_http writes
/// a response in several small writes; without it, Nagle's algorithm and the browser's delayed
/// ACK hold the second response on a kept-alive connection for 40 ms, and a page with a
/// stylesheet and a script waits for that twice.
fn listen(address: IpAddr, port: u16) -> std::io::Result<std::net::TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let address = std::net::SocketAddr::new(address, port);
    let socket = Socket::new(Domain::for_address(address), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_tcp_nodelay(true)?;
    socket.bind(&address.into())?;
    socket.listen(128)?;
    Ok(socket.into())
}

/// "content/news/a.md and 2 more" for the terminal line.
fn describe(batch: &[PathBuf], site_dir: &Path) -> String {
    let first = batch
        .first()
        .map(|p| p.strip_prefix(site_dir).unwrap_or(p).display().to_string())
        .unwrap_or_else(|| "initial build".to_string());
    match batch.len() {
        0 | 1 => first,
        n => format!("{first} and {} more", n - 1),
    }
}

/// Prepares the site again, swaps it in, and tells the open tabs what changed: the pages they show
/// are rendered now and compared with what they were shown; files copied from a changed source
/// are announced as they are; a change of stylesheets only swaps the stylesheets.
fn rebuild(options: &ServeOptions, shared: &Shared, batch: &[PathBuf]) {
    let started = Instant::now();
    let reason = describe(batch, &options.site_dir);
    let build_options = BuildOptions {
        site_dir: options.site_dir.clone(),
        // Site-absolute links work for localhost and for a colleague on the LAN alike.
        base_url: Some("/".to_string()),
        drafts: options.drafts,
        now: chrono::Local::now().naive_local(),
        // Pages waiting for review are shown, with a banner, so reviewers can read them.
        include_unreviewed: true,
    };
    let old = shared.current();
    match site::prepare(&build_options, Some(&shared.caches)) {
        Ok(prepared) => {
            eprint!("{}", diagnostic::format_report(&prepared.warnings));
            let site = Arc::new(prepared);
            // A saved file, or a file inside a folder that appeared at once (its own events may be lost).
            let touched = |path: &Path| batch.iter().any(|changed| path.starts_with(changed));
            let snapshot = Snapshot::new(site.clone(), old.cache.clone());
            let copied: Vec<String> = site
                .plan
                .iter()
                .filter(
                    |planned| matches!(&planned.job, crate::render::plan::Job::Copy(crate::output::Body::File(source) | crate::output::Body::Image(source)) if touched(source)),
                )
                .map(|planned| planned.path.clone())
                .collect();
            let css_only = !batch.is_empty() && batch.iter().all(|p| p.extension().is_some_and(|e| e == "css"));
            let mut changed: Vec<String> = Vec::new();
            let mut failed = Vec::new();
            if !css_only {
                for path in shared.events.watched() {
                    match snapshot.get(&path) {
                        Lookup::Found(bytes) if old.cached(&path).as_deref() == Some(&*bytes) => {}
                        Lookup::Failed(diagnostic, _) => failed.push(diagnostic),
                        _ => changed.push(path),
                    }
                }
            }
            changed.extend(copied.iter().cloned());
            // Pages whose own source was saved are announced even when no tab reported them.
            let library = &site.values.library;
            let edited = library
                .pages
                .iter()
                .filter(|p| touched(&options.site_dir.join(&p.file)))
                .map(|p| crate::output::file_for(&p.path));
            changed.extend(edited);
            // New files (a page or folder just added) are announced too.
            if old.site.is_some() {
                changed.extend(
                    site.plan
                        .iter()
                        .filter(|planned| !old.index.contains_key(&planned.path))
                        .map(|planned| planned.path.clone()),
                );
            }
            changed.sort();
            changed.dedup();
            let had_problems = !old.problems.is_empty();
            let problems = diagnostic::format_report(&failed);
            let snapshot = Snapshot {
                problems: problems.clone(),
                ..snapshot
            };
            shared.replace(snapshot);
            if !failed.is_empty() {
                eprint!("{problems}");
                shared.events.send(&events::event("problems", &json!({ "text": problems })));
            } else if had_problems {
                shared.events.send(&events::event("ok", &json!({})));
            }
            if css_only && !copied.is_empty() {
                shared.events.send(&events::event("css", &json!({ "paths": copied })));
            } else if !changed.is_empty() {
                shared.events.send(&events::event("reload", &json!({ "paths": changed })));
            }
            let pages = changed.iter().filter(|p| p.ends_with(".html")).count();
            println!(
                "{reason}: rebuilt in {} ms, {pages} open pages changed",
                started.elapsed().as_millis()
            );
        }
        Err(problems) => {
            let report = diagnostic::format_report(&problems);
            shared.events.send(&events::event("problems", &json!({ "text": report })));
            let snapshot = Snapshot {
                site: old.site.clone(),
                index: old.index.clone(),
                cache: old.cache.clone(),
                fallback: old.fallback.clone(),
                problems: report.clone(),
            };
            shared.replace(snapshot);
            eprint!("{report}");
            println!(
                "{reason}: build failed in {} ms; still showing the last good version",
                started.elapsed().as_millis()
            );
        }
    }
}
