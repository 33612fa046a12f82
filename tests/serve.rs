//! `dangjian serve` end to end: the real binary on a temporary copy of the example site, on port 0
//! of 127.0.0.1, driven with raw HTTP/1.1 over `TcpStream` (so request targets reach the server
//! byte for byte) and a Server-Sent Events reader.
//!
//! Every wait is bounded and polls; every server is killed when its guard drops, also on panic.
//! At most a few servers run at once (see [`slot`]) so that the bounded waits hold on a busy CI
//! machine with two cores.

mod common;

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::Site;

/// The longest any single wait in these tests lasts.
const WAIT: Duration = Duration::from_secs(10);

/// The page most tests edit, and the site file it becomes.
const PAGE_MD: &str = "content/study/san-hui-yi-ke-zhi-du.md";
const PAGE_FILE: &str = "study/san-hui-yi-ke-zhi-du/index.html";
const PAGE_URL: &str = "/study/san-hui-yi-ke-zhi-du/";
/// A page that has nothing to do with [`PAGE_MD`].
const OTHER_FILE: &str = "integrity/si-zhong-xing-tai/index.html";
const OTHER_URL: &str = "/integrity/si-zhong-xing-tai/";

/// The tag the server injects into every HTML page.
const LIVE_TAG: &str = "<script src=\"/__dangjian/live.js\"></script>";

// ---------------------------------------------------------------------------------------------
// Limiting how many servers run at once.

static SLOTS: Mutex<usize> = Mutex::new(0);
static SLOT_FREED: Condvar = Condvar::new();

/// Held by a test for as long as its server(s) run.
struct Slot;

/// Waits until fewer than three tests hold a slot. Tests run in parallel threads; each initial
/// build uses every core, and ten of them at once would make the 10 s waits flaky.
fn slot() -> Slot {
    let mut taken = SLOTS.lock().unwrap_or_else(|p| p.into_inner());
    while *taken >= 3 {
        taken = SLOT_FREED.wait(taken).unwrap_or_else(|p| p.into_inner());
    }
    *taken += 1;
    Slot
}

impl Drop for Slot {
    fn drop(&mut self) {
        *SLOTS.lock().unwrap_or_else(|p| p.into_inner()) -= 1;
        SLOT_FREED.notify_one();
    }
}

// ---------------------------------------------------------------------------------------------
// The server under test.

/// A running `dangjian serve`; killed on drop.
struct Server {
    child: Child,
    port: u16,
    /// Lines of stdout after the `serving … at URL` line.
    lines: Receiver<String>,
    /// Everything printed so far, for failure messages.
    log: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `dangjian serve --site SITE --port 0`.
    fn start(site: &Path) -> Server {
        Server::start_on(site, 0)
    }

    /// Starts `dangjian serve --site SITE --port PORT` and waits for the URL it prints.
    fn start_on(site: &Path, port: u16) -> Server {
        let mut command = Command::new(common::BIN);
        command.args(["serve", "--site"]).arg(site).args(["--port", &port.to_string()]);
        Server::launch(command)
    }

    /// Runs `command` (a `dangjian serve` on 127.0.0.1) and waits for the URL it prints.
    fn launch(mut command: Command) -> Server {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start dangjian serve");
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, lines) = channel();
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        {
            let log = log.clone();
            thread::spawn(move || {
                for line in BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    log.lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push_str(&format!("[stderr] {line}\n"));
                }
            });
        }
        spawn_line_reader(stdout, tx, log.clone());
        let mut server = Server {
            child,
            port: 0,
            lines,
            log,
        };
        let line = server.wait_line("the `serving … at URL` line", WAIT, |l| l.starts_with("serving "));
        server.port = parse_port(&line).unwrap_or_else(|| panic!("no http://127.0.0.1:PORT/ in {line:?}"));
        server
    }

    /// The next stdout line that satisfies `want`, skipping others; panics after `timeout`.
    fn wait_line(&self, what: &str, timeout: Duration, want: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if want(&line) => return line,
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => panic!("waited {timeout:?} for {what}\n{}", self.log()),
                Err(RecvTimeoutError::Disconnected) => panic!("the server stopped while waiting for {what}\n{}", self.log()),
            }
        }
    }

    /// The next rebuild line (`…: rebuilt in` or `…: build failed in`).
    fn wait_rebuild(&self) -> String {
        self.wait_line("a rebuild line", WAIT, |l| {
            l.contains(": rebuilt in ") || l.contains(": build failed in ")
        })
    }

    /// Stdout lines that arrived so far and were not yet read.
    fn drain_lines(&self) -> Vec<String> {
        self.lines.try_iter().collect()
    }

    /// Polls until the server has printed `text` (stdout or stderr).
    fn wait_log(&self, text: &str) {
        let deadline = Instant::now() + WAIT;
        while !self.log().contains(text) {
            assert!(Instant::now() < deadline, "the terminal never showed {text:?}\n{}", self.log());
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Everything the server printed, for failure messages.
    fn log(&self) -> String {
        format!("--- server output:\n{}", self.log.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Panics unless the process still runs.
    fn assert_alive(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!("the server exited ({status})\n{}", self.log());
        }
    }

    /// `GET target`, panicking on a connection error.
    fn get(&self, target: &str) -> Response {
        get(self.port, target).unwrap_or_else(|e| panic!("GET {target}: {e}\n{}", self.log()))
    }

    /// Subscribes to the event stream and waits for its greeting (`ok` or `problems`).
    fn events(&self) -> (Events, Event) {
        let events = Events::open(self.port);
        let first = events
            .next(WAIT)
            .unwrap_or_else(|| panic!("no greeting on the event stream\n{}", self.log()));
        assert!(
            first.name == "ok" || first.name == "problems",
            "the first event is {first:?}, expected ok or problems"
        );
        (events, first)
    }

    /// Polls `GET target` until its body contains `text`.
    fn wait_body(&self, target: &str, text: &str) -> Response {
        let deadline = Instant::now() + WAIT;
        loop {
            let response = self.get(target);
            if response.status == 200 && response.text().contains(text) {
                return response;
            }
            if Instant::now() > deadline {
                panic!(
                    "GET {target} did not show {text:?} within {WAIT:?}: status {}\n{}",
                    response.status,
                    self.log()
                );
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// The number of threads of the server process (Linux only).
    fn threads(&self) -> Option<usize> {
        let status = fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("Threads:"))
            .and_then(|n| n.trim().parse().ok())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_line_reader(stdout: ChildStdout, tx: std::sync::mpsc::Sender<String>, log: Arc<Mutex<String>>) {
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            log.lock().unwrap_or_else(|p| p.into_inner()).push_str(&format!("{line}\n"));
            if tx.send(line).is_err() {
                break;
            }
        }
    });
}

/// The port of `serving DIR at http://127.0.0.1:PORT/ (Ctrl+C to stop)`.
fn parse_port(line: &str) -> Option<u16> {
    let rest = &line[line.find("http://127.0.0.1:")? + "http://127.0.0.1:".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if !rest[digits.len()..].starts_with("/ ") {
        return None;
    }
    digits.parse().ok()
}

/// A copy of the example site (without its `public/`).
fn example_site() -> Site {
    Site::copy_from(&common::repo().join("site"))
}

/// A page's Markdown with its body replaced by `body` (front matter kept).
fn with_body(markdown: &str, body: &str) -> String {
    let end = markdown[3..].find("\n+++").expect("TOML front matter") + 3 + "\n+++".len();
    format!("{}\n\n{body}\n", &markdown[..end])
}

/// A string no page contains yet.
fn marker(what: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!("{what}标记{}x{nanos}", std::process::id())
}

// ---------------------------------------------------------------------------------------------
// A tiny HTTP/1.1 client.

#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// `GET target HTTP/1.1` with `Connection: close`; `target` is sent exactly as given.
fn get(port: u16, target: &str) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(WAIT))?;
    stream.set_write_timeout(Some(WAIT))?;
    let request = format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse_response(&raw).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

fn parse_response(raw: &[u8]) -> Result<Response, String> {
    let head_end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| format!("no end of headers in {:?}", String::from_utf8_lossy(raw)))?;
    let head = std::str::from_utf8(&raw[..head_end]).map_err(|e| format!("headers are not UTF-8: {e}"))?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .strip_prefix("HTTP/1.1 ")
        .or_else(|| status_line.strip_prefix("HTTP/1.0 "))
        .and_then(|s| s.get(..3))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[head_end + 4..].to_vec();
    let header = |name: &str| headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
    if header("Transfer-Encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        body = dechunk(&body)?;
    } else if let Some(length) = header("Content-Length") {
        let length: usize = length.parse().map_err(|_| format!("bad Content-Length {length:?}"))?;
        if body.len() < length {
            return Err(format!("body cut short: {} of {length} bytes", body.len()));
        }
        body.truncate(length);
    }
    Ok(Response { status, headers, body })
}

fn dechunk(mut data: &[u8]) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n").ok_or("chunk size line")?;
        let size_text = std::str::from_utf8(&data[..line_end]).map_err(|_| "chunk size")?;
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| format!("bad chunk size {size_text:?}"))?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Ok(body);
        }
        if data.len() < size + 2 {
            return Err("chunk cut short".into());
        }
        body.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

// ---------------------------------------------------------------------------------------------
// Server-Sent Events.

#[derive(Debug, Clone)]
struct Event {
    name: String,
    data: String,
}

impl Event {
    fn data(&self) -> serde_json::Value {
        serde_json::from_str(&self.data).unwrap_or_default()
    }

    /// The `paths` of a `reload` or `css` event.
    fn paths(&self) -> Vec<String> {
        self.data()["paths"]
            .as_array()
            .map(|items| items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    }

    /// The `text` of a `problems` event.
    fn text(&self) -> String {
        self.data()["text"].as_str().unwrap_or_default().to_string()
    }
}

/// What arrives on an event stream: events, then `None` when the server closes it.
type Arrival = Option<Event>;

/// One open `/__dangjian/events` stream, read by a thread into a channel.
struct Events {
    rx: Receiver<Arrival>,
    stream: TcpStream,
}

impl Events {
    fn open(port: u16) -> Events {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect for the event stream");
        stream
            .write_all(format!("GET /__dangjian/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n").as_bytes())
            .expect("send the event stream request");
        let reader = stream.try_clone().expect("clone the stream");
        let (tx, rx) = channel();
        thread::spawn(move || read_events(reader, &tx));
        Events { rx, stream }
    }

    /// The next event, or `None` after `timeout` or when the stream ended.
    fn next(&self, timeout: Duration) -> Option<Event> {
        self.rx.recv_timeout(timeout).ok().flatten()
    }

    /// The next event `want` accepts, skipping others; panics after [`WAIT`] listing what came.
    fn wait_for(&self, what: &str, want: impl Fn(&Event) -> bool) -> Event {
        let deadline = Instant::now() + WAIT;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(Some(event)) if want(&event) => return event,
                Ok(Some(event)) => seen.push(event),
                Ok(None) | Err(RecvTimeoutError::Disconnected) => panic!("the event stream ended while waiting for {what}; got {seen:#?}"),
                Err(RecvTimeoutError::Timeout) => panic!("no {what} within {WAIT:?}; got {seen:#?}"),
            }
        }
    }

    /// Every event that arrives until the stream has been quiet for `quiet`.
    fn until_quiet(&self, quiet: Duration) -> Vec<Event> {
        let mut events = Vec::new();
        while let Ok(Some(event)) = self.rx.recv_timeout(quiet) {
            events.push(event);
        }
        events
    }
}

impl Drop for Events {
    fn drop(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}

fn read_events(stream: TcpStream, tx: &std::sync::mpsc::Sender<Arrival>) {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    // Status line and headers.
    let mut status_ok = false;
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => {
                let _ = tx.send(None);
                return;
            }
            Ok(_) => {}
        }
        if line.starts_with("HTTP/1.") {
            status_ok = line.split_whitespace().nth(1) == Some("200");
        }
        if line == "\r\n" || line == "\n" {
            break;
        }
    }
    if !status_ok {
        let _ = tx.send(None);
        return;
    }
    let (mut name, mut data) = (String::new(), Vec::<String>::new());
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => {
                let _ = tx.send(None);
                return;
            }
            Ok(_) => {}
        }
        let text = line.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if !data.is_empty() {
                let event = Event {
                    name: if name.is_empty() {
                        "message".into()
                    } else {
                        std::mem::take(&mut name)
                    },
                    data: data.join("\n"),
                };
                if tx.send(Some(event)).is_err() {
                    return;
                }
            }
            name.clear();
            data.clear();
        } else if let Some(value) = text.strip_prefix("event:") {
            name = value.trim_start().to_string();
        } else if let Some(value) = text.strip_prefix("data:") {
            data.push(value.strip_prefix(' ').unwrap_or(value).to_string());
        }
        // `retry:` and `: comment` lines carry no event.
    }
}

#[test]
fn json_reader_reads_event_data() {
    assert_eq!(
        Event {
            name: "reload".into(),
            data: r#"{"paths":["a/index.html","学习/x.css"]}"#.into()
        }
        .paths(),
        vec!["a/index.html".to_string(), "学习/x.css".to_string()]
    );
    assert_eq!(
        Event {
            name: "problems".into(),
            data: r#"{"text":"a\"b\\c\n\u5b66\ud83d\ude00"}"#.into()
        }
        .text(),
        "a\"b\\c\n学😀"
    );
}

// ---------------------------------------------------------------------------------------------
// The tests.

#[test]
fn serves_pages_assets_redirects_and_the_404_page_from_memory() {
    let _slot = slot();
    let site = example_site();
    let server = Server::start(&site.site);

    let html = |target: &str| {
        let response = server.get(target);
        assert_eq!(response.status, 200, "GET {target}: {}", response.text());
        assert_eq!(response.header("Content-Type"), Some("text/html; charset=utf-8"), "GET {target}");
        assert_eq!(response.header("Cache-Control"), Some("no-store"), "GET {target}");
        let text = response.text();
        assert_eq!(common::count(&text, LIVE_TAG), 1, "GET {target}: the live script tag once");
        assert!(
            text.find(LIVE_TAG) < text.rfind("</body>"),
            "GET {target}: the script goes before </body>"
        );
        text
    };
    assert!(html("/").contains("清河市生态环境局党建网"));
    assert!(html("/study/").contains("学习资料"));
    assert!(html("/study/page/2/").contains("学习资料"));
    assert!(html(PAGE_URL).contains("“三会一课”制度要点解读"));
    assert!(html("/news/qinghe-jingtan-zhiyuan/").contains("净滩"));
    html("/study/?utm=x");

    let asset = |target: &str, content_type: &str| {
        let response = server.get(target);
        assert_eq!(response.status, 200, "GET {target}");
        assert_eq!(response.header("Content-Type"), Some(content_type), "GET {target}");
        assert_eq!(response.header("Cache-Control"), Some("no-store"), "GET {target}");
        response
    };
    let css = asset("/css/site.css", "text/css; charset=utf-8");
    assert_eq!(
        css.body,
        fs::read(common::repo().join("themes/default/static/css/site.css")).expect("theme CSS")
    );
    let pdf = asset("/news/qinghe-jingtan-zhiyuan/huodong-fangan.pdf", "application/pdf");
    assert_eq!(
        pdf.body,
        fs::read(site.site.join("content/news/qinghe-jingtan-zhiyuan/huodong-fangan.pdf")).expect("PDF")
    );
    assert!(pdf.body.starts_with(b"%PDF"));
    asset(
        "/news/hongse-jiaoyu-zhuti-dangri/xin-de-hui-bian.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    );
    asset("/images/banner.jpg", "image/jpeg");
    asset("/atom.xml", "text/xml; charset=utf-8");
    let live = asset("/__dangjian/live.js", "text/javascript; charset=utf-8");
    assert!(live.text().contains("EventSource"));

    // A folder without its slash.
    for (target, location) in [
        ("/study", "/study/"),
        ("/news/qinghe-jingtan-zhiyuan", "/news/qinghe-jingtan-zhiyuan/"),
    ] {
        let response = server.get(target);
        assert_eq!(response.status, 301, "GET {target}");
        assert_eq!(response.header("Location"), Some(location), "GET {target}");
        assert_eq!(response.header("Cache-Control"), Some("no-store"), "GET {target}");
    }

    // Unknown URLs: the site's own 404 page, with status 404.
    let page_404 = server.get("/404.html");
    assert_eq!(page_404.status, 200);
    assert!(page_404.text().contains("页面未找到"));
    for target in ["/no/such/page/", "/study/no-such-page/", "/nothing.pdf", "/study/index.htm"] {
        let response = server.get(target);
        assert_eq!(response.status, 404, "GET {target}");
        assert_eq!(response.header("Content-Type"), Some("text/html; charset=utf-8"), "GET {target}");
        assert_eq!(response.header("Cache-Control"), Some("no-store"), "GET {target}");
        assert_eq!(response.body, page_404.body, "GET {target}: the body is the site's 404 page");
    }

    assert!(
        !site.site.join("public").exists(),
        "serve wrote {}",
        site.site.join("public").display()
    );
}

#[test]
fn editing_a_page_reloads_that_page_only() {
    let _slot = slot();
    let site = example_site();
    let server = Server::start(&site.site);
    let (events, greeting) = server.events();
    assert_eq!(greeting.name, "ok");
    let before_other = server.get(OTHER_URL).body;

    let text = marker("新正文");
    let original = fs::read_to_string(site.site.join(PAGE_MD)).expect("read the page");
    site.write(PAGE_MD, with_body(&original, &format!("这是新写的正文：{text}。")));

    let reload = events.wait_for(&format!("a reload naming {PAGE_FILE}"), |e| {
        e.name == "reload" && e.paths().iter().any(|p| p == PAGE_FILE)
    });
    assert!(
        !reload.paths().iter().any(|p| p == OTHER_FILE || p == "css/site.css"),
        "an unrelated page or stylesheet was announced: {:?}",
        reload.paths()
    );
    let page = server.get(PAGE_URL);
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains(&text),
        "the page does not show the new text right after the reload event"
    );
    assert!(page.text().contains(LIVE_TAG));
    assert_eq!(server.get(OTHER_URL).body, before_other, "an unrelated page changed");
    let line = server.wait_rebuild();
    assert!(line.contains("rebuilt in") && line.contains("san-hui-yi-ke-zhi-du.md"), "{line}");
    assert!(!site.site.join("public").exists(), "serve wrote public/");
}

#[test]
fn a_folder_created_at_once_is_picked_up() {
    let _slot = slot();
    let site = example_site();
    let server = Server::start(&site.site);
    let (events, _) = server.events();

    let text = marker("新建文件夹");
    let dir = site.site.join("content/news/xin-jian-huo-dong");
    fs::create_dir(&dir).expect("create the bundle folder");
    fs::write(
        dir.join("index.md"),
        format!("+++\ntitle = \"新建的活动\"\ndate = 2024-05-01\n+++\n\n{text}\n"),
    )
    .expect("write the bundle page");
    fs::write(dir.join("fujian.pdf"), b"%PDF-1.4\n% test\n").expect("write the attachment");

    events.wait_for("a reload naming the new bundle", |e| {
        e.name == "reload" && e.paths().iter().any(|p| p == "news/xin-jian-huo-dong/index.html")
    });
    server.wait_body("/news/xin-jian-huo-dong/", &text);
    let pdf = server.get("/news/xin-jian-huo-dong/fujian.pdf");
    assert_eq!(
        (pdf.status, pdf.header("Content-Type")),
        (200, Some("application/pdf")),
        "the attachment"
    );
}

#[test]
fn changing_only_the_stylesheet_swaps_css_without_reload() {
    let _slot = slot();
    let site = example_site();
    common::copy_dir(&common::repo().join("themes/default"), &site.site.join("themes/default"));
    let server = Server::start(&site.site);
    let (events, _) = server.events();

    let rule = format!("\n/* {} */\n.dangjian-test {{ color: #c00; }}\n", marker("css"));
    let css_path = site.site.join("themes/default/static/css/site.css");
    let mut css = fs::read_to_string(&css_path).expect("read the theme CSS");
    css.push_str(&rule);
    fs::write(&css_path, &css).expect("write the theme CSS");

    let first = events.wait_for("a css or reload event", |e| e.name == "css" || e.name == "reload");
    let mut all = vec![first];
    all.extend(events.until_quiet(Duration::from_millis(500)));
    assert!(
        all.iter().all(|e| e.name == "css"),
        "a stylesheet-only change must not reload pages: {all:#?}"
    );
    assert!(
        all.iter().any(|e| e.paths().iter().any(|p| p == "css/site.css")),
        "no css event lists css/site.css: {all:#?}"
    );
    assert!(all.iter().all(|e| e.paths().iter().all(|p| p.ends_with(".css"))), "{all:#?}");
    server.wait_body("/css/site.css", ".dangjian-test");
}

#[test]
fn replacing_an_attachment_or_static_file_is_announced() {
    let _slot = slot();
    let site = example_site();
    let server = Server::start(&site.site);
    let (events, _) = server.events();

    // A new version of a page bundle's PDF, same name.
    let pdf = "news/qinghe-jingtan-zhiyuan/huodong-fangan.pdf";
    let new_pdf = format!("%PDF-1.4\n% {}\n", marker("新附件"));
    site.write(&format!("content/{pdf}"), &new_pdf);
    events.wait_for(&format!("an event naming {pdf}"), |e| e.paths().iter().any(|p| p == pdf));
    assert_eq!(server.get(&format!("/{pdf}")).text(), new_pdf);

    // A new version of a file of static/.
    let image = "images/banner.jpg";
    site.write(&format!("static/{image}"), b"\xFF\xD8\xFF\xE0 new banner");
    events.wait_for(&format!("an event naming {image}"), |e| e.paths().iter().any(|p| p == image));
}

#[test]
fn broken_front_matter_keeps_the_last_good_site_and_recovers() {
    let _slot = slot();
    let site = example_site();
    let mut server = Server::start(&site.site);
    let (events, _) = server.events();
    let original = fs::read_to_string(site.site.join(PAGE_MD)).expect("read the page");
    assert!(
        original.lines().nth(3) == Some("date = 2022-03-10"),
        "line 4 of {PAGE_MD} changed; update this test"
    );

    // A good edit first, so "the last good version" is one the server built.
    let good = marker("好版本");
    site.write(PAGE_MD, with_body(&original, &good));
    events.wait_for("the reload of the good edit", |e| {
        e.name == "reload" && e.paths().contains(&PAGE_FILE.to_string())
    });
    server.wait_body(PAGE_URL, &good);
    let other_before = server.get(OTHER_URL).body;

    // Break line 4, column 8 (the date's value).
    let hidden = marker("坏版本");
    let broken = with_body(&original, &hidden).replacen("date = 2022-03-10", "date = 2022-03-10x", 1);
    site.write(PAGE_MD, &broken);
    let problems = events.wait_for("a problems event", |e| e.name == "problems");
    let text = problems.text();
    let expected = format!("{PAGE_MD}:4:8: error[front-matter]");
    assert!(text.contains(&expected), "the problems text lacks {expected:?}:\n{text}");
    let line = server.wait_line("the failed build line", WAIT, |l| l.contains("build failed in"));
    assert!(line.contains("still showing the last good version"), "{line}");
    server.wait_log(&expected);

    // The last good build stays online, and a new tab is told about the problem at once.
    let page = server.get(PAGE_URL);
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains(&good) && !page.text().contains(&hidden),
        "the broken page must show its last good version"
    );
    let other = server.get(OTHER_URL);
    assert_eq!((other.status, &other.body), (200, &other_before), "another page must still serve");
    assert_eq!(server.get("/").status, 200);
    let (_late_tab, greeting) = server.events();
    assert_eq!(greeting.name, "problems", "a tab opened while broken gets the problems first");
    assert!(greeting.text().contains(&expected), "{}", greeting.text());

    // Fixing it clears the problem and shows the fixed page.
    let fixed = marker("修好了");
    site.write(PAGE_MD, with_body(&original, &fixed));
    events.wait_for("an ok event after the fix", |e| e.name == "ok");
    server.wait_body(PAGE_URL, &fixed);
    let (_new_tab, greeting) = server.events();
    assert_eq!(greeting.name, "ok", "a tab opened after the fix is told all is well");
    server.assert_alive();
}

#[test]
fn broken_template_is_reported_and_recovers() {
    let _slot = slot();
    let site = example_site();
    fs::create_dir_all(site.site.join("templates")).expect("templates folder");
    let mut server = Server::start(&site.site);
    let (events, _) = server.events();
    let theme_page = fs::read_to_string(common::repo().join("themes/default/templates/page.html")).expect("theme page.html");

    let broken = theme_page.replacen("<article class=\"article\">", "<article class=\"article\">{% if %}", 1);
    assert_ne!(broken, theme_page, "the theme's page.html changed; update this test");
    site.write("templates/page.html", &broken);
    let problems = events.wait_for("a problems event", |e| e.name == "problems");
    assert!(
        problems.text().contains("templates/page.html"),
        "the problems text does not name templates/page.html:\n{}",
        problems.text()
    );
    assert_eq!(server.get(PAGE_URL).status, 200, "the last good site stays online");

    let fixed = marker("模板修好");
    site.write(
        "templates/page.html",
        theme_page.replacen(
            "<article class=\"article\">",
            &format!("<article class=\"article\" data-test=\"{fixed}\">"),
            1,
        ),
    );
    events.wait_for("an ok event after the fix", |e| e.name == "ok");
    server.wait_body(PAGE_URL, &fixed);
    server.assert_alive();
}

#[test]
fn config_error_is_reported_and_the_fix_picked_up() {
    let _slot = slot();
    let site = example_site();
    let mut server = Server::start(&site.site);
    let (events, _) = server.events();
    let config = fs::read_to_string(site.site.join("config.toml")).expect("read config.toml");

    site.write("config.toml", config.replacen("title = ", "titel = ", 1));
    let problems = events.wait_for("a problems event", |e| e.name == "problems");
    assert!(
        problems.text().contains("config.toml:"),
        "the problems text does not name config.toml:\n{}",
        problems.text()
    );
    assert!(
        server.get("/").text().contains("清河市生态环境局党建网"),
        "the last good site stays online"
    );

    let title = marker("新站名");
    site.write(
        "config.toml",
        config.replacen("title = \"清河市生态环境局党建网\"", &format!("title = \"{title}\""), 1),
    );
    events.wait_for("an ok event after the fix", |e| e.name == "ok");
    server.wait_body("/", &title);
    server.assert_alive();
}

#[test]
fn path_traversal_never_leaves_the_site() {
    let _slot = slot();
    let site = example_site();
    // Decoys next to the site folder: what `..` from the site would reach.
    let secret = "SECRET-OUTSIDE-THE-SITE";
    fs::write(site.tmp.path().join("Cargo.toml"), format!("[package]\n# {secret}\n")).expect("decoy");
    fs::write(site.tmp.path().join("secret.txt"), secret).expect("decoy");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(site.tmp.path().join("secret.txt"), site.site.join("static/leak.txt")).expect("symlink a file");
        std::os::unix::fs::symlink(site.tmp.path(), site.site.join("static/outside")).expect("symlink a folder");
    }
    let server = Server::start(&site.site);
    let page_404 = server.get("/404.html").body;

    for target in [
        "/../Cargo.toml",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/..%2fCargo.toml",
        "//etc/passwd",
        "/study/..%5c..%5cCargo.toml",
        "/study/../../Cargo.toml",
        "/%2E%2E/Cargo.toml",
        "/..%2F..%2Fetc%2Fpasswd",
        "/..\\Cargo.toml",
        "/..",
        "/../site/config.toml",
        "/%2e%2e/site/config.toml",
        "/study/%2e%2e/%2e%2e/Cargo.toml",
        "/leak.txt",
        "/outside/secret.txt",
        "/outside/Cargo.toml",
        "/etc/passwd",
        "/%00",
        "/config.toml",
        "/content/study/san-hui-yi-ke-zhi-du.md",
    ] {
        let response = server.get(target);
        let text = response.text();
        assert_eq!(
            response.status,
            404,
            "GET {target} answered {}: {}",
            response.status,
            text.chars().take(200).collect::<String>()
        );
        assert_eq!(response.body, page_404, "GET {target}: the body is the site's 404 page");
        for leaked in [secret, "[package]", "root:", "base_url"] {
            assert!(!text.contains(leaked), "GET {target} leaked {leaked:?}");
        }
    }
}

#[test]
fn atomic_saves_rebuild_once_and_swap_files_not_at_all() {
    let _slot = slot();
    let site = example_site();
    let server = Server::start(&site.site);
    let study = site.site.join("content/study");
    let original = fs::read_to_string(site.site.join(PAGE_MD)).expect("read the page");
    let sentinel_md = "content/news/shui-zhi-bu-he-zhang-xun-he.md";
    let sentinel = fs::read_to_string(site.site.join(sentinel_md)).expect("read the sentinel page");
    // A rebuild the test causes on purpose, after the change under test: rebuilds run one after
    // another, so every rebuild the change caused is printed before the sentinel's line.
    let touch_sentinel = |n: usize| {
        site.write(sentinel_md, with_body(&sentinel, &format!("哨兵 {n}")));
        let line = server.wait_rebuild();
        (
            line.starts_with(&format!("{sentinel_md}: rebuilt in ")) || line.contains(&format!("/{sentinel_md}: rebuilt in ")),
            line,
        )
    };
    server.drain_lines();

    // An atomic save: a temporary file in the same folder, renamed over the page.
    let text = marker("原子保存");
    let temporary = study.join("san-hui-yi-ke-zhi-du.md.tmp-save");
    fs::write(&temporary, with_body(&original, &text)).expect("write the temporary file");
    fs::rename(&temporary, site.site.join(PAGE_MD)).expect("rename over the page");
    let first = server.wait_rebuild();
    assert!(first.contains("rebuilt in") && first.contains("san-hui-yi-ke-zhi-du.md"), "{first}");
    let (is_sentinel, line) = touch_sentinel(1);
    assert!(
        is_sentinel,
        "one atomic save caused a second rebuild: {first:?} then {line:?}\n{}",
        server.log()
    );
    server.wait_body(PAGE_URL, &text);

    // Editors' swap and backup files: no rebuild.
    fs::write(study.join(".san-hui-yi-ke-zhi-du.md.swp"), b"vim swap").expect("swap file");
    fs::write(study.join("4913"), b"").expect("vim's probe file");
    fs::remove_file(study.join("4913")).expect("remove vim's probe file");
    fs::write(study.join("san-hui-yi-ke-zhi-du.md~"), original.as_bytes()).expect("backup file");
    fs::write(study.join("x.md~"), original.as_bytes()).expect("backup file");
    fs::remove_file(study.join(".san-hui-yi-ke-zhi-du.md.swp")).expect("remove the swap file");
    let (is_sentinel, line) = touch_sentinel(2);
    assert!(is_sentinel, "editor temporary files caused a rebuild: {line:?}\n{}", server.log());
}

#[test]
fn a_burst_of_requests_during_rebuilds_all_succeed() {
    let _slot = slot();
    let site = example_site();
    let mut server = Server::start(&site.site);
    let port = server.port;
    let original = fs::read_to_string(site.site.join(PAGE_MD)).expect("read the page");
    server.drain_lines();

    const CLIENTS: usize = 50;
    const EACH: usize = 40;
    let targets: [(&str, u16); 7] = [
        ("/", 200),
        ("/study/", 200),
        (PAGE_URL, 200),
        (OTHER_URL, 200),
        ("/css/site.css", 200),
        ("/news/qinghe-jingtan-zhiyuan/huodong-fangan.pdf", 200),
        ("/no-such-page/", 404),
    ];
    let editor = {
        let path = site.site.join(PAGE_MD);
        thread::spawn(move || {
            for n in 0..5 {
                fs::write(&path, with_body(&original, &format!("第{n}次修改"))).expect("edit the page");
                thread::sleep(Duration::from_millis(120));
            }
        })
    };
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            thread::spawn(move || {
                let mut failures = Vec::new();
                for n in 0..EACH {
                    let (target, status) = targets[(c + n) % targets.len()];
                    match get(port, target) {
                        Ok(response) if response.status == status && !response.body.is_empty() => {}
                        Ok(response) => failures.push(format!("GET {target}: status {} ({} bytes)", response.status, response.body.len())),
                        Err(e) => failures.push(format!("GET {target}: {e}")),
                    }
                }
                failures
            })
        })
        .collect();
    let failures: Vec<String> = clients.into_iter().flat_map(|c| c.join().expect("client thread")).collect();
    let elapsed = started.elapsed();
    editor.join().expect("editor thread");
    assert!(
        failures.is_empty(),
        "{} of {} requests failed in {elapsed:?}, e.g. {:#?}\n{}",
        failures.len(),
        CLIENTS * EACH,
        &failures[..failures.len().min(10)],
        server.log()
    );
    let line = server.wait_rebuild();
    assert!(line.contains("rebuilt in"), "{line}");
    server.assert_alive();
    server.wait_body(PAGE_URL, "第4次修改");
}

/// One request the way a browser makes it: HTTP/1.1 without `Connection: close`. The response is
/// read up to its Content-Length; the connection is closed when the server says `Connection:
/// close` and otherwise kept, idle, as browsers keep connections for minutes.
fn browser_get(port: u16, target: &str, idle: &Mutex<Vec<TcpStream>>) -> Result<Response, String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(WAIT)).map_err(|e| e.to_string())?;
    let request = format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: keep-alive\r\n\r\n");
    stream.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    let mut buffer = [0u8; 65536];
    let response = loop {
        let n = stream
            .read(&mut buffer)
            .map_err(|e| format!("GET {target}: no complete answer: {e}"))?;
        if n == 0 {
            break parse_response(&raw)?;
        }
        raw.extend_from_slice(&buffer[..n]);
        if let Ok(response) = parse_response(&raw) {
            break response;
        }
    };
    if response.header("Connection").is_some_and(|v| v.eq_ignore_ascii_case("close")) {
        drop(stream);
    } else {
        idle.lock().unwrap_or_else(|p| p.into_inner()).push(stream);
    }
    Ok(response)
}

/// Several connections opened at once, as a page with many scripts makes them (the search page
/// loads its index shards so), while event streams stay open and connections come and go. The
/// server used to leave a few of such requests unanswered for good.
#[test]
fn browser_like_bursts_of_new_connections_are_all_answered() {
    let _slot = slot();
    let site = example_site();
    let server = Server::start(&site.site);
    let port = server.port;
    let _streams: Vec<Events> = (0..2).map(|_| server.events().0).collect();
    let idle = Arc::new(Mutex::new(Vec::new()));
    let targets = [
        "/",
        "/study/",
        PAGE_URL,
        OTHER_URL,
        "/css/site.css",
        "/js/a11y.js",
        "/__dangjian/live.js",
    ];
    for round in 0..6 {
        let burst = |size: usize| -> Vec<String> {
            let clients: Vec<_> = (0..size)
                .map(|n| {
                    let idle = idle.clone();
                    let target = targets[(round + n) % targets.len()];
                    thread::spawn(move || match browser_get(port, target, &idle) {
                        Ok(response) if response.status != 200 => Some(format!("GET {target}: status {}", response.status)),
                        Ok(response) if response.header("Connection") != Some("close") => {
                            Some(format!("GET {target}: no `Connection: close` in {:?}", response.headers))
                        }
                        Ok(_) => None,
                        Err(e) => Some(e),
                    })
                })
                .collect();
            clients.into_iter().filter_map(|c| c.join().expect("client thread")).collect()
        };
        let mut failures = burst(8);
        // The connections of the first burst end; their threads go back to waiting for work.
        thread::sleep(Duration::from_millis(200));
        failures.extend(burst(12));
        assert!(failures.is_empty(), "round {round}: {failures:#?}\n{}", server.log());
    }
}

#[test]
fn dropped_event_streams_do_not_stop_the_server() {
    let _slot = slot();
    let site = example_site();
    let mut server = Server::start(&site.site);
    // Let the threads of the start settle.
    assert_eq!(server.get("/").status, 200);
    let baseline = server.threads();

    for _ in 0..2 {
        let streams: Vec<(Events, Event)> = (0..50).map(|_| server.events()).collect();
        drop(streams);
    }
    // Half-open connections that go away before the server answers.
    for _ in 0..50 {
        let mut stream = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
        let _ = stream.write_all(b"GET /__dangjian/events HTTP/1.1\r\nHost: x\r\n\r\n");
    }

    let response = server.get("/");
    assert_eq!(response.status, 200);
    // Rebuilds write to the dead streams; a live one still hears them.
    let (events, _) = server.events();
    let text = marker("断开之后");
    let original = fs::read_to_string(site.site.join(PAGE_MD)).expect("read the page");
    site.write(PAGE_MD, with_body(&original, &text));
    events.wait_for("a reload after the dead streams", |e| {
        e.name == "reload" && e.paths().contains(&PAGE_FILE.to_string())
    });
    server.wait_body(PAGE_URL, &text);
    server.assert_alive();

    // Threads of closed connections go away (tiny_http ends an idle thread after 5 s).
    if let Some(baseline) = baseline {
        drop(events);
        let deadline = Instant::now() + WAIT;
        let mut now = server.threads().unwrap_or(0);
        while now > baseline + 4 && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(200));
            now = server.threads().unwrap_or(0);
        }
        assert!(now <= baseline + 4, "{now} threads after the streams closed, {baseline} before");
    }
}

#[test]
fn event_streams_are_never_left_hanging() {
    let _slot = slot();
    let site = example_site();
    let server = Server::start(&site.site);
    // Many tabs at once, all kept open: each must either hear the next reload or be closed (so
    // that its EventSource reconnects); none may stay open and silent.
    let streams: Vec<(Events, Event)> = (0..100).map(|_| server.events()).collect();
    let original = fs::read_to_string(site.site.join(PAGE_MD)).expect("read the page");
    site.write(PAGE_MD, with_body(&original, &marker("百个标签页")));
    let deadline = Instant::now() + WAIT;
    let mut hanging = Vec::new();
    for (n, (events, _)) in streams.iter().enumerate() {
        let heard = loop {
            match events.rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(Some(e)) if e.name == "reload" => break "reload",
                // The server asks the oldest tabs to close their streams (tiny_http cannot close
                // them itself); live.js obeys, and the browser's connection ends.
                Ok(Some(e)) if e.name == "close" => break "closed",
                Ok(Some(_)) => continue,
                Ok(None) | Err(RecvTimeoutError::Disconnected) => break "closed",
                Err(RecvTimeoutError::Timeout) => break "nothing",
            }
        };
        if heard == "nothing" {
            hanging.push(n);
        }
    }
    assert!(
        hanging.is_empty(),
        "{} of 100 open event streams neither got the reload nor were closed (streams {:?})",
        hanging.len(),
        hanging
    );
}

#[test]
fn serving_the_current_folder_watches_it_like_any_other() {
    // `cd site && dangjian serve`, the way the docs tell people to run it: the site folder is `.`.
    let _slot = slot();
    let site = example_site();
    let mut command = Command::new(common::BIN);
    command.current_dir(&site.site).args(["serve", "--port", "0"]);
    let server = Server::launch(command);
    server.drain_lines();

    let text = marker("当前目录");
    let original = fs::read_to_string(site.site.join(PAGE_MD)).expect("read the page");
    site.write(PAGE_MD, with_body(&original, &text));
    let line = server.wait_rebuild();
    assert!(
        line.starts_with(&format!("{PAGE_MD}: rebuilt in ")),
        "the rebuild line should name the file as the user knows it ({PAGE_MD}), got {line:?}"
    );
    server.wait_body(PAGE_URL, &text);

    // The output folder of `dangjian build` is not watched: building while serving must not
    // make the server rebuild.
    site.write("public/index.html", "<!DOCTYPE html><title>built</title>");
    site.write("public/study/index.html", "<!DOCTYPE html><title>built</title>");
    let sentinel = marker("哨兵");
    site.write(PAGE_MD, with_body(&original, &sentinel));
    let line = server.wait_rebuild();
    assert!(
        line.contains("san-hui-yi-ke-zhi-du.md") && !line.contains("public"),
        "writing public/ made the server rebuild: {line:?}\n{}",
        server.log()
    );
}

#[test]
fn a_site_inside_a_hidden_folder_is_watched() {
    // Only names inside the site say "hidden": `~/.config/…/site` or a checkout under `.work/`
    // is a site like any other, given as a relative or an absolute path.
    let _slot = slot();
    let tmp = tempfile::Builder::new().prefix("dangjian-test-").tempdir().expect("temp dir");
    let parent = tmp.path().join(".hidden-parent");
    let site = parent.join("site");
    common::copy_dir(&common::repo().join("site"), &site);
    let original = fs::read_to_string(site.join(PAGE_MD)).expect("read the page");
    for relative in [true, false] {
        let mut command = Command::new(common::BIN);
        if relative {
            command.current_dir(&parent).args(["serve", "--site", "site", "--port", "0"]);
        } else {
            command.args(["serve", "--port", "0", "--site"]).arg(&site);
        }
        let server = Server::launch(command);
        let (events, _) = server.events();
        let text = marker("隐藏目录");
        fs::write(site.join(PAGE_MD), with_body(&original, &text)).expect("edit the page");
        events.wait_for(
            &format!("a reload naming {PAGE_FILE} (site given as a relative path: {relative})"),
            |e| e.name == "reload" && e.paths().iter().any(|p| p == PAGE_FILE),
        );
        server.wait_body(PAGE_URL, &text);
    }
}

#[test]
fn polling_mode_sees_edits() {
    let _slot = slot();
    let site = example_site();
    let mut command = Command::new(common::BIN);
    command.args(["serve", "--poll", "--port", "0", "--site"]).arg(&site.site);
    let server = Server::launch(command);
    let (events, _) = server.events();
    let text = marker("轮询");
    let original = fs::read_to_string(site.site.join(PAGE_MD)).expect("read the page");
    site.write(PAGE_MD, with_body(&original, &text));
    events.wait_for(&format!("a reload naming {PAGE_FILE}"), |e| {
        e.name == "reload" && e.paths().iter().any(|p| p == PAGE_FILE)
    });
    server.wait_body(PAGE_URL, &text);
}

#[test]
fn a_taken_port_moves_to_the_next_one() {
    let _slot = slot();
    let site = example_site();
    let first = Server::start(&site.site);
    let second = Server::start_on(&site.site, first.port);
    assert!(
        second.port > first.port,
        "the second server took port {} (the first has {})",
        second.port,
        first.port
    );
    let log = second.log();
    for taken in first.port..second.port {
        assert!(
            log.contains(&format!("port {taken} is not available")),
            "the second server skipped port {taken} without saying so\n{log}"
        );
    }
    assert!(second.port - first.port < 20, "{log}");
    assert_eq!(first.get("/").status, 200);
    assert_eq!(second.get("/").status, 200);
}

#[test]
fn browser_live_reload_end_to_end() {
    let _slot = slot();
    common::run_browser_script("live_reload.mjs", &["playwright-core"], Duration::from_secs(120));
}
