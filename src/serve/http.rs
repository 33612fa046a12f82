//! Answering browser requests from the in-memory site: path checks, MIME types, 404, redirects.
//! Only files of the built site are ever served; nothing is looked up on disk by request path.

use std::io::Write;

use tiny_http::Request;

use super::state::{Lookup, Snapshot, problem_page};
use crate::diagnostic::Diagnostic;

/// The URL path of a request as a file of the site ("study/x/index.html"), or `None` for anything
/// that tries to leave the site or is not a plain path.
pub fn site_file(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    if !path.starts_with('/') {
        return None;
    }
    let lower = path.to_ascii_lowercase();
    // Encoded slashes, backslashes and NULs have no business in a site path.
    if lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00") {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8().ok()?;
    if decoded.contains('\\') || decoded.contains('\0') {
        return None;
    }
    let trimmed = decoded.strip_prefix('/').unwrap_or(&decoded);
    let segments: Vec<&str> = trimmed.split('/').collect();
    let last = segments.len() - 1;
    // `..`, `.` and empty segments (`//etc`) never name a file of the site.
    if segments
        .iter()
        .enumerate()
        .any(|(i, s)| *s == ".." || *s == "." || (s.is_empty() && i != last))
    {
        return None;
    }
    if trimmed.is_empty() || trimmed.ends_with('/') {
        return Some(format!("{trimmed}index.html"));
    }
    Some(trimmed.to_string())
}

/// The Content-Type of a site file.
pub fn content_type(file: &str) -> String {
    let ext = file.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let mime = match ext.as_str() {
        "md" | "markdown" => "text/markdown".to_string(),
        _ => mime_guess::from_ext(&ext).first_or_octet_stream().essence_str().to_string(),
    };
    let textual = mime.starts_with("text/")
        || matches!(
            mime.as_str(),
            "application/javascript" | "application/json" | "application/xml" | "image/svg+xml" | "application/atom+xml"
        );
    if textual { format!("{mime}; charset=utf-8") } else { mime }
}

/// A response to write: status, headers and body.
#[derive(Debug)]
pub struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// Headers besides Content-Length and Connection, which [`write_reply`] adds.
    pub headers: Vec<(&'static str, String)>,
    /// The body (left out for HEAD requests).
    pub body: Vec<u8>,
}

impl Reply {
    fn new(status: u16, content_type: &str, body: Vec<u8>) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type", content_type.to_string())],
            body,
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Internal Server Error",
    }
}

/// Builds the reply for `url` from `snapshot`; a render error is passed to `on_problem`.
pub fn respond(snapshot: &Snapshot, url: &str, live_script: &str, on_problem: &dyn Fn(&Diagnostic)) -> Reply {
    let html = |body: Vec<u8>, status: u16| Reply::new(status, "text/html; charset=utf-8", body);
    let file_reply = |file: &str, bytes: &[u8]| Reply::new(200, &content_type(file), bytes.to_vec());
    let not_found = || match snapshot.get("404.html") {
        Lookup::Found(bytes) => html(bytes.to_vec(), 404),
        _ => html(b"404 Not Found".to_vec(), 404),
    };
    let mut reply = if url.split('?').next() == Some("/__dangjian/live.js") {
        Reply::new(200, "text/javascript; charset=utf-8", live_script.as_bytes().to_vec())
    } else if snapshot.site.is_none() {
        html(problem_page(&snapshot.problems).into_bytes(), 500)
    } else {
        match site_file(url) {
            None => not_found(),
            Some(file) => match snapshot.get(&file) {
                Lookup::Found(bytes) => file_reply(&file, &bytes),
                Lookup::Failed(diagnostic, last_good) => {
                    on_problem(&diagnostic);
                    match last_good {
                        Some(bytes) => file_reply(&file, &bytes),
                        None => html(problem_page(&diagnostic.to_string()).into_bytes(), 500),
                    }
                }
                Lookup::Missing if snapshot.contains(&format!("{file}/index.html")) => {
                    let path = url.split('?').next().unwrap_or("/");
                    Reply {
                        status: 301,
                        headers: vec![("Location", format!("{path}/"))],
                        body: Vec::new(),
                    }
                }
                Lookup::Missing => not_found(),
            },
        }
    };
    reply.headers.push(("Cache-Control", "no-store".to_string()));
    reply
}

/// The status line and headers of `reply`, ending with the blank line.
pub fn head(reply: &Reply) -> String {
    let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\nConnection: close\r\n\r\n", reply.body.len()));
    head
}

/// Writes `reply` on the request's connection and asks the browser to close it afterwards.
///
/// tiny_http serves each connection on a thread of its pool until the browser closes it, and it
/// does not let a response say `Connection: close`. Browsers keep idle connections open for
/// minutes, and a connection accepted while the pool's idle threads were still waking up waited
/// in its queue until one of them was free: a page that opened several connections at once had
/// requests that were never answered. Writing the head ourselves, with `Connection: close`, makes
/// the browser close each connection after its response, which ends the connection's thread.
pub fn write_reply(request: Request, reply: &Reply) {
    let with_body = !request.method().as_str().eq_ignore_ascii_case("HEAD");
    let mut writer = request.into_writer();
    let _ = writer
        .write_all(head(reply).as_bytes())
        .and_then(|_| if with_body { writer.write_all(&reply.body) } else { Ok(()) })
        .and_then(|_| writer.flush());
}

/// The site file a page reports in `/__dangjian/events?path=…`.
pub fn watched_path(url: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let value = query.split('&').find_map(|pair| pair.strip_prefix("path="))?;
    let decoded = percent_encoding::percent_decode_str(value).decode_utf8().ok()?;
    site_file(&format!("/{}", decoded.trim_start_matches('/')))
}

/// Answers one request; event-stream requests are handed to `on_events` with the page they watch.
pub fn handle(
    request: Request,
    snapshot: &Snapshot,
    live_script: &str,
    on_problem: &dyn Fn(&Diagnostic),
    on_events: impl FnOnce(Request, Option<String>),
) {
    let method = request.method().as_str().to_ascii_uppercase();
    if method != "GET" && method != "HEAD" {
        write_reply(
            request,
            &Reply::new(405, "text/plain; charset=utf-8", b"method not allowed".to_vec()),
        );
        return;
    }
    if request.url().split('?').next() == Some("/__dangjian/events") {
        let watched = watched_path(request.url());
        on_events(request, watched);
        return;
    }
    let reply = respond(snapshot, request.url(), live_script, on_problem);
    write_reply(request, &reply);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_site() {
        assert_eq!(site_file("/"), Some("index.html".into()));
        assert_eq!(site_file("/study/x/?q=1"), Some("study/x/index.html".into()));
        assert_eq!(site_file("/%E5%AD%A6%E4%B9%A0/"), Some("学习/index.html".into()));
        assert_eq!(site_file("/css/site.css"), Some("css/site.css".into()));
        for bad in [
            "/../etc/passwd",
            "/a/../../b",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/a%2fb",
            "/a%5cb",
            "/a\\b",
            "//etc/passwd",
            "/a/./b",
            "x",
            "/%00",
        ] {
            assert_eq!(site_file(bad), None, "{bad}");
        }
    }

    #[test]
    fn pages_report_what_they_show() {
        assert_eq!(
            watched_path("/__dangjian/events?path=study%2Fx%2Findex.html"),
            Some("study/x/index.html".into())
        );
        assert_eq!(watched_path("/__dangjian/events?path=..%2F..%2Fetc"), None);
        assert_eq!(watched_path("/__dangjian/events"), None);
    }

    #[test]
    fn mime_types() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("a.md"), "text/markdown; charset=utf-8");
        assert_eq!(content_type("a.pdf"), "application/pdf");
        assert_eq!(
            content_type("a.docx"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        assert_eq!(content_type("a.webp"), "image/webp");
        assert_eq!(content_type("a.woff2"), "font/woff2");
        assert_eq!(content_type("atom.xml"), "text/xml; charset=utf-8");
    }
}
