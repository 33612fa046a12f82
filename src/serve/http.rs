//! Answering browser requests from the in-memory site: path checks, MIME types, 404, redirects.
//! Only files of the built site are ever served; nothing is looked up on disk by request path.

use std::sync::Arc;

use tiny_http::{Header, Request, Response, StatusCode};

use super::state::{Served, Snapshot};

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

fn header(name: &str, value: &str) -> Header {
    // Both parts are ASCII we control; from_bytes only fails on non-ASCII.
    Header::from_bytes(name.as_bytes(), value.as_bytes())
        .unwrap_or_else(|_| Header::from_bytes(&b"X-Invalid"[..], &b"1"[..]).expect("static ASCII header"))
}

/// Builds the response for `url` from `snapshot`.
pub fn respond(snapshot: &Snapshot, url: &str, live_script: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    let not_found = || {
        let body = snapshot
            .files
            .get("404.html")
            .and_then(|s| s.bytes().ok())
            .unwrap_or_else(|| Arc::from(&b"404 Not Found"[..]));
        Response::from_data(body.to_vec())
            .with_status_code(StatusCode(404))
            .with_header(header("Content-Type", "text/html; charset=utf-8"))
    };
    let response = if url.split('?').next() == Some("/__dangjian/live.js") {
        Response::from_data(live_script.as_bytes().to_vec()).with_header(header("Content-Type", "text/javascript; charset=utf-8"))
    } else if !snapshot.built {
        Response::from_data(snapshot.problem_page.clone().into_bytes())
            .with_status_code(StatusCode(500))
            .with_header(header("Content-Type", "text/html; charset=utf-8"))
    } else {
        match site_file(url) {
            None => not_found(),
            Some(file) => match snapshot.files.get(&file).map(|served| served.bytes()) {
                Some(Ok(bytes)) => Response::from_data(bytes.to_vec()).with_header(header("Content-Type", &content_type(&file))),
                Some(Err(_)) => not_found(),
                None if snapshot.files.contains_key(&format!("{file}/index.html")) => {
                    let path = url.split('?').next().unwrap_or("/");
                    Response::from_data(Vec::new())
                        .with_status_code(StatusCode(301))
                        .with_header(header("Location", &format!("{path}/")))
                }
                None => not_found(),
            },
        }
    };
    response.with_header(header("Cache-Control", "no-store"))
}

/// Answers one request; event-stream requests are handed to `on_events`.
pub fn handle(request: Request, snapshot: &Snapshot, live_script: &str, on_events: impl FnOnce(Request)) {
    let method = request.method().as_str().to_ascii_uppercase();
    if method != "GET" && method != "HEAD" {
        let _ = request.respond(Response::from_string("method not allowed").with_status_code(StatusCode(405)));
        return;
    }
    if request.url().split('?').next() == Some("/__dangjian/events") {
        on_events(request);
        return;
    }
    let response = respond(snapshot, request.url(), live_script);
    let _ = request.respond(response);
}

impl Served {
    /// The bytes to send.
    pub fn bytes(&self) -> std::io::Result<Arc<[u8]>> {
        match self {
            Served::Bytes(bytes) => Ok(bytes.clone()),
            Served::File(path) => std::fs::read(path).map(Arc::from),
        }
    }
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
