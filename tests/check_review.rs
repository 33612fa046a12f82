//! 三审三校: with `[review] required = true`, `build` publishes only pages whose front matter names
//! all three reviewers, lists the others as held back, and `check` reports each as an error
//! (rule `review`); the preview server shows held pages with a "待审核" banner.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Site, dangjian};

const HELD: &str = "held back for review: 2 page(s)
  content/news/missing.md (missing 初审 first, 复审 second, 终审 final)
  content/news/partial.md (missing 复审 second, 终审 final)
";

#[test]
fn build_publishes_reviewed_pages_and_holds_back_the_rest() {
    let site = Site::copy("check_review");
    let run = site.build(&[]);
    run.expect_code(0, "build");
    assert!(run.stdout.contains(HELD), "{}", run.stdout);
    assert!(site.out.join("news/reviewed/index.html").is_file());
    for held in ["partial", "missing"] {
        assert!(!site.out.join(format!("news/{held}")).exists(), "{held} was published");
    }
    // Nor does anything else of the site mention them.
    for file in ["news/index.html", "index.html", "sitemap.xml", "atom.xml", "news/atom.xml"] {
        let text = site.output(file);
        assert!(
            !text.contains("/news/partial/") && !text.contains("/news/missing/"),
            "{file} lists a held page"
        );
    }
    assert!(site.output("news/index.html").contains("/news/reviewed/"));
    // The banner is for the preview only.
    for html in common::files_with_extension(&site.out, "html") {
        assert!(!common::read_text(&html).contains("待审核"), "{} shows the banner", html.display());
    }
}

#[test]
fn check_reports_missing_sign_offs_at_the_review_table() {
    let site = Site::copy("check_review");
    let run = dangjian(["check", "--site", site.site.to_str().unwrap()]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(
        run.stdout,
        "content/news/missing.md:1:1: error[review]: the page is not published: it lacks the review sign-off of 初审 first, 复审 second, 终审 final (三审三校)
  = hint: name the reviewers under [review] in the front matter: first = \"…\" (初审), second = \"…\" (复审), final = \"…\" (终审)

content/news/partial.md:4:1: error[review]: the page is not published: it lacks the review sign-off of 复审 second, 终审 final (三审三校)
  = hint: name the reviewers under [review] in the front matter: first = \"…\" (初审), second = \"…\" (复审), final = \"…\" (终审)

2 error(s), 0 warning(s) in 2 file(s)
"
    );
}

#[test]
fn signing_off_publishes_the_page() {
    let site = Site::copy("check_review");
    site.write(
        "content/news/partial.md",
        "+++\ntitle = \"只有初审的稿件\"\ndate = 2024-05-21\n[review]\nfirst = \"张明\"\nsecond = \"李华\"\nfinal = \"王强\"\n+++\n\n正文。\n",
    );
    site.remove("content/news/missing.md");
    let run = dangjian(["check", "--site", site.site.to_str().unwrap()]);
    assert_eq!((run.code, run.stdout.as_str()), (Some(0), "no problems found\n"), "{}", run.stderr);
    let run = site.build(&[]);
    run.expect_code(0, "build");
    assert!(!run.stdout.contains("held back"), "{}", run.stdout);
    assert!(site.out.join("news/partial/index.html").is_file());
}

#[test]
fn unknown_keys_in_review_are_front_matter_errors() {
    let site = Site::copy("check_review");
    site.write(
        "content/news/typo.md",
        "+++\ntitle = \"拼错\"\n[review]\nfirst = \"张明\"\nsecnd = \"李华\"\n+++\n",
    );
    let run = dangjian(["check", "--site", site.site.to_str().unwrap()]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stdout
            .contains("content/news/typo.md:5:1: error[front-matter]: unknown field `secnd`"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("did you mean `second`?"), "{}", run.stdout);
}

#[test]
fn sites_without_required_review_publish_every_page() {
    let site = Site::copy("check_review");
    let config = std::fs::read_to_string(site.site.join("config.toml")).unwrap();
    site.write("config.toml", config.replace("required = true", "required = false"));
    let run = site.build(&[]);
    run.expect_code(0, "build");
    assert!(!run.stdout.contains("held back"), "{}", run.stdout);
    for page in ["reviewed", "partial", "missing"] {
        let html = site.output(&format!("news/{page}/index.html"));
        assert!(!html.contains("待审核"), "{page} shows the banner");
    }
    let run = dangjian(["check", "--site", site.site.to_str().unwrap()]);
    assert_eq!((run.code, run.stdout.as_str()), (Some(0), "no problems found\n"));
}

#[test]
fn new_pages_get_a_blank_review_table() {
    let site = Site::copy("check_review");
    let run = dangjian(["new", "news", "支部活动", "--site", site.site.to_str().unwrap()]);
    run.expect_code(0, "new");
    let text = common::read_text(&site.site.join("content/news/zhi-bu-huo-dong.md"));
    assert!(
        text.contains("\n[review]\nfirst = \"\"\nsecond = \"\"\nfinal = \"\"\n+++\n"),
        "{text}"
    );
}

/// A `dangjian serve` on a free port of 127.0.0.1, killed on drop (also when a test panics).
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(site: &std::path::Path) -> Server {
        let mut child = Command::new(common::BIN)
            .args(["serve", "--port", "0", "--site"])
            .arg(site)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dangjian serve");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server { child, port: 0 };
        let deadline = Instant::now() + Duration::from_secs(20);
        while server.port == 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx
                .recv_timeout(left)
                .expect("the server prints `serving … at http://127.0.0.1:PORT/`");
            if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
                server.port = rest.split('/').next().and_then(|p| p.parse().ok()).unwrap_or(0);
            }
        }
        server
    }

    /// The status line and body of `GET path`.
    fn get(&self, path: &str) -> (String, Vec<u8>) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
        write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").expect("send");
        let mut response = Vec::new();
        stream.read_to_end(&mut response).expect("read");
        let split = response.windows(4).position(|w| w == b"\r\n\r\n").expect("headers end") + 4;
        let status = String::from_utf8_lossy(&response[..split])
            .lines()
            .next()
            .unwrap_or_default()
            .to_string();
        (status, response[split..].to_vec())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn preview_shows_held_pages_with_a_banner() {
    let site = Site::copy("check_review");
    let server = Server::start(&site.site);
    let (status, body) = server.get("/news/partial/");
    assert!(status.contains("200"), "{status}");
    let html = String::from_utf8_lossy(&body);
    assert!(
        html.contains("<div class=\"review-banner\" role=\"status\"><strong>待审核</strong>"),
        "{html}"
    );
    assert!(html.contains("缺少：复审 second、终审 final"), "{html}");
    let (_, body) = server.get("/news/reviewed/");
    let html = String::from_utf8_lossy(&body);
    assert!(html.contains("已审核的稿件") && !html.contains("待审核"), "{html}");
    // Held pages are listed in the preview like any other.
    let (_, body) = server.get("/news/");
    assert!(String::from_utf8_lossy(&body).contains("/news/missing/"));
}
