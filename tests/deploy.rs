//! `dangjian deploy`: releases, the atomic switch, rollback, the lock, failure injection, the
//! build record (manifest.json), and real nginx serving `TARGET/current` under continuous load
//! while the site is deployed and rolled back ten times.

mod common;
#[path = "deploy/nginx.rs"]
mod nginx;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::{BIN, Run, Site};
use nginx::{Nginx, get, nginx_binary};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// `dangjian deploy --to TARGET [extra…]` with extra environment variables.
fn deploy_cmd(target: &Path, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let output = Command::new(BIN)
        .arg("deploy")
        .arg("--to")
        .arg(target)
        .args(extra)
        .envs(env.iter().copied())
        .output()
        .expect("run dangjian deploy");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn deploy(site: &Site, target: &Path) -> Run {
    deploy_cmd(target, &["--site", site.site.to_str().expect("UTF-8 temp path")], &[])
}

fn target_of(site: &Site) -> PathBuf {
    site.tmp.path().join("www")
}

/// The release `current` points to.
fn live(target: &Path) -> String {
    let link = std::fs::read_link(target.join("current")).expect("current is a link");
    assert!(link.is_relative(), "{}", link.display());
    link.file_name().expect("a release name").to_string_lossy().into_owned()
}

/// Every entry of `releases/`, sorted, hidden ones included.
fn entries(target: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(target.join("releases"))
        .expect("releases/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn manifest(dir: &Path) -> Value {
    serde_json::from_str(&common::read_text(&dir.join("manifest.json"))).expect("manifest.json is JSON")
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Sets the home page's text, so each variant is a release of its own.
fn set_variant(site: &Site, variant: &str) {
    site.write(
        "content/_index.md",
        format!("+++\ntitle = \"首页\"\n+++\n\n本站用于检验发布流程。当前版本：{variant}。\n"),
    );
}

#[test]
fn deploy_records_verifies_skips_unchanged_rolls_back_and_prunes() {
    let site = Site::copy("deploy");
    let target = target_of(&site);
    let first = deploy(&site, &target);
    first.expect_code(0, "first deploy");
    let r1 = live(&target);
    assert!(
        first.stdout.contains(&format!("deployed release {r1} (2 pages, ")),
        "{}",
        first.stdout
    );

    // The record: every file with its size and hash, every page with its sign-offs.
    let current = target.join("current");
    let record = manifest(&current);
    assert_eq!(record["generator"], format!("dangjian {}", env!("CARGO_PKG_VERSION")));
    assert!(r1.ends_with(&record["content_hash"].as_str().unwrap()[..12]), "{r1}");
    let files = record["files"].as_array().unwrap();
    let on_disk: BTreeSet<String> = common::files(&current).into_iter().filter(|f| f != "manifest.json").collect();
    let listed: BTreeSet<String> = files.iter().map(|f| f["path"].as_str().unwrap().to_string()).collect();
    assert_eq!(on_disk, listed);
    for file in files {
        let bytes = std::fs::read(current.join(file["path"].as_str().unwrap())).unwrap();
        assert_eq!(file["size"].as_u64(), Some(bytes.len() as u64), "{file}");
        assert_eq!(file["sha256"].as_str(), Some(sha256(&bytes).as_str()), "{file}");
    }
    let page = record["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["file"] == "content/news/2025-03-05-zhu-ti-dang-ri.md")
        .expect("the news page is recorded");
    assert_eq!(page["date"], "2025-03-05");
    assert_eq!(page["path"], "/news/zhu-ti-dang-ri/");
    assert_eq!(
        page["review"],
        serde_json::json!({"first": "王晓燕", "second": "李建国", "final": "张卫东"})
    );

    // The same content again: nothing copied, nothing switched.
    let again = deploy(&site, &target);
    again.expect_code(0, "unchanged deploy");
    assert!(
        again.stdout.starts_with(&format!("unchanged: release {r1} is live")),
        "{}",
        again.stdout
    );
    assert_eq!(entries(&target), std::slice::from_ref(&r1));

    set_variant(&site, "二");
    deploy(&site, &target).expect_code(0, "second deploy");
    let r2 = live(&target);
    assert_ne!(r1, r2);
    assert!(common::read_text(&current.join("index.html")).contains("当前版本：二"));
    let list = deploy_cmd(&target, &["--list"], &[]);
    list.expect_code(0, "list");
    let lines: Vec<&str> = list.stdout.lines().collect();
    assert!(lines[0].starts_with("release") && lines[0].contains("pages"), "{}", list.stdout);
    assert!(lines[1].starts_with(&r1) && !lines[1].contains("live"), "{}", list.stdout);
    assert!(lines[2].starts_with(&r2) && lines[2].ends_with("<- live (当前)"), "{}", list.stdout);

    let back = deploy_cmd(&target, &["--rollback"], &[]);
    back.expect_code(0, "rollback");
    assert_eq!(
        back.stdout,
        format!("rolled back: release {r1} is live again instead of {r2} (已回滚)\n")
    );
    assert_eq!(live(&target), r1);
    assert!(!common::read_text(&current.join("index.html")).contains("当前版本"));
    assert_eq!(entries(&target), [r1.clone(), format!("{r2}.rolled-back")]);
    let json: Value = serde_json::from_str(&deploy_cmd(&target, &["--list", "--format", "json"], &[]).stdout).unwrap();
    assert_eq!(json[0]["live"], true);
    assert_eq!(json[0]["pages"], 2);
    assert_eq!(json[1]["rolled_back"], true);
    // Nothing before the first release.
    let none = deploy_cmd(&target, &["--rollback"], &[]);
    none.expect_code(1, "rollback past the first release");
    assert!(
        none.stderr.contains(&format!("there is no release before {r1} to roll back to")),
        "{}",
        none.stderr
    );

    // Content equal to a kept release is verified and reused under a new, latest name.
    let reused = deploy(&site, &target);
    reused.expect_code(0, "deploy of the rolled-back content");
    let r3 = live(&target);
    assert!(
        reused.stdout.starts_with(&format!("release {r3} had this content already")),
        "{}",
        reused.stdout
    );
    assert_eq!(r3[21..], r2[21..], "same content hash");
    assert_eq!(entries(&target), [r1.clone(), r3.clone()]);
    // A rollback goes to the release live before, not to an older one.
    deploy_cmd(&target, &["--rollback"], &[]).expect_code(0, "second rollback");
    assert_eq!(live(&target), r1);
    deploy(&site, &target).expect_code(0, "redeploy");
    let r4 = live(&target);

    // --keep 1 deletes all but the live release and the one a rollback needs.
    set_variant(&site, "三");
    let pruning = deploy_cmd(&target, &["--site", site.site.to_str().unwrap(), "--keep", "1"], &[]);
    pruning.expect_code(0, "deploy with --keep 1");
    let r5 = live(&target);
    assert_eq!(entries(&target), [r4.clone(), r5.clone()]);
    assert!(
        pruning.stdout.contains(&format!("deleted old releases beyond --keep: {r1}")),
        "{}",
        pruning.stdout
    );
    let log = common::read_text(&target.join("deploy.log"));
    assert_eq!(log.lines().count(), 7, "{log}");
    assert!(log.lines().last().unwrap().contains(&format!(" deploy {r4} -> {r5} by ")), "{log}");
}

#[test]
fn a_site_with_errors_is_not_deployed() {
    let site = Site::copy("deploy");
    let target = target_of(&site);
    deploy(&site, &target).expect_code(0, "first deploy");
    let r1 = live(&target);
    // A page without its final sign-off is held back by `build` but is an error of `check`.
    let page = "content/study/2025-02-20-xue-xi-zhi-du.md";
    let text = common::read_text(&site.site.join(page)).replace("final = \"张卫东\"\n", "");
    site.write(page, text);
    let refused = deploy(&site, &target);
    refused.expect_code(1, "deploy of a site with errors");
    assert!(
        refused.stderr.contains(&format!(
            "{page}:5:1: error[review]: the page is not published: it lacks the review sign-off of 终审 final"
        )),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains("deploy refused: the site has errors"), "{}", refused.stderr);
    assert_eq!(live(&target), r1);
    assert_eq!(entries(&target), [r1]);
}

#[test]
fn a_failed_copy_leaves_the_live_release_and_cleans_up() {
    let site = Site::copy("deploy");
    let target = target_of(&site);
    deploy(&site, &target).expect_code(0, "first deploy");
    let r1 = live(&target);
    set_variant(&site, "二");
    let failed = deploy_cmd(
        &target,
        &["--site", site.site.to_str().unwrap()],
        &[("DANGJIAN_DEPLOY_FAIL_AFTER", "5")],
    );
    failed.expect_code(1, "deploy on a full disk");
    assert!(
        failed
            .stderr
            .contains("no space left on device (simulated after 5 files by DANGJIAN_DEPLOY_FAIL_AFTER)"),
        "{}",
        failed.stderr
    );
    assert!(failed.stderr.contains("deploy failed; the live release in "), "{}", failed.stderr);
    assert_eq!(live(&target), r1);
    assert_eq!(entries(&target), [r1], "the partial copy was removed");
}

#[test]
fn a_killed_deploy_leaves_the_live_release_and_the_next_deploy_cleans_up() {
    let site = Site::copy("deploy");
    let target = target_of(&site);
    deploy(&site, &target).expect_code(0, "first deploy");
    let r1 = live(&target);
    let home = common::read_text(&target.join("current/index.html"));
    set_variant(&site, "二");
    let mut child = Command::new(BIN)
        .args(["deploy", "--site"])
        .arg(&site.site)
        .arg("--to")
        .arg(&target)
        .env("DANGJIAN_DEPLOY_STALL_AFTER", "6")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the deploy");
    // Wait until the copy has stopped halfway, then kill the process as a power cut would.
    let deadline = Instant::now() + Duration::from_secs(300);
    let partial = loop {
        let found = entries(&target).into_iter().find(|n| n.starts_with(".partial-"));
        if let Some(name) = found {
            let dir = target.join("releases").join(name);
            if common::files(&dir).len() >= 6 {
                break dir;
            }
        }
        assert!(child.try_wait().unwrap().is_none(), "the deploy ended before it was killed");
        assert!(Instant::now() < deadline, "the copy never reached 6 files");
        std::thread::sleep(Duration::from_millis(50));
    };
    child.kill().expect("kill the deploy");
    child.wait().expect("reap the deploy");
    assert_eq!(common::files(&partial).len(), 6);
    assert_eq!(live(&target), r1);
    assert_eq!(common::read_text(&target.join("current/index.html")), home);

    let next = deploy(&site, &target);
    next.expect_code(0, "deploy after the killed one");
    let partial_name = partial.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        next.stderr
            .contains(&format!("note: removed {partial_name}, left by an interrupted deploy")),
        "{}",
        next.stderr
    );
    let r2 = live(&target);
    assert_eq!(entries(&target), [r1, r2]);
}

#[test]
fn deploys_to_one_target_take_turns() {
    let site = Site::copy("deploy");
    let target = target_of(&site);
    std::fs::create_dir_all(&target).unwrap();
    // Another deploy holds the lock: a deploy that may not wait refuses and changes nothing.
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(target.join(".deploy.lock"))
        .unwrap();
    lock.lock().unwrap();
    let refused = deploy_cmd(&target, &["--site", site.site.to_str().unwrap(), "--wait", "0"], &[]);
    refused.expect_code(1, "deploy while locked");
    assert!(
        refused.stderr.contains("did not finish within 0 s; nothing was changed"),
        "{}",
        refused.stderr
    );
    assert!(!target.join("current").exists());
    drop(lock);

    // Two deploys of different content at once: both succeed, one after the other.
    let other = Site::copy("deploy");
    set_variant(&other, "二");
    let start = |site: &Site| {
        Command::new(BIN)
            .args(["deploy", "--site"])
            .arg(&site.site)
            .arg("--to")
            .arg(&target)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start a deploy")
    };
    let (a, b) = (start(&site), start(&other));
    for child in [a, b] {
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    }
    let names = entries(&target);
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&live(&target)));
    for name in names {
        let release = target.join("releases").join(name);
        for file in manifest(&release)["files"].as_array().unwrap() {
            let bytes = std::fs::read(release.join(file["path"].as_str().unwrap())).unwrap();
            assert_eq!(file["sha256"].as_str(), Some(sha256(&bytes).as_str()));
        }
    }
}

#[test]
fn a_current_folder_made_by_hand_is_not_replaced() {
    let site = Site::copy("deploy");
    let target = target_of(&site);
    std::fs::create_dir_all(target.join("current")).unwrap();
    std::fs::write(target.join("current/index.html"), "旧站").unwrap();
    let refused = deploy(&site, &target);
    refused.expect_code(1, "deploy over a folder");
    assert!(
        refused
            .stderr
            .contains("current is a folder, not the link that dangjian deploy makes"),
        "{}",
        refused.stderr
    );
    assert_eq!(common::read_text(&target.join("current/index.html")), "旧站");
}

#[test]
fn manifest_records_the_git_commit_and_whether_the_site_was_dirty() {
    let site = Site::copy("deploy");
    let git = |args: &[&str]| {
        let run = Command::new("git")
            .arg("-C")
            .arg(&site.site)
            .args(args)
            .env("GIT_AUTHOR_NAME", "测试")
            .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
            .env("GIT_COMMITTER_NAME", "测试")
            .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
            .output()
            .expect("git is installed");
        assert!(run.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&run.stderr));
        String::from_utf8_lossy(&run.stdout).trim().to_string()
    };
    // Not a repository: no git entry.
    site.build(&[]).expect_code(0, "build outside git");
    assert!(manifest(&site.out).get("git").is_none());

    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "站点"]);
    let head = git(&["rev-parse", "HEAD"]);
    // The output folder inside the site does not make it dirty.
    let inside = site.site.join("public");
    common::build(&site.site, &inside, &[]).expect_code(0, "build in git");
    assert_eq!(manifest(&inside)["git"], serde_json::json!({"commit": head, "dirty": false}));
    set_variant(&site, "二");
    common::build(&site.site, &inside, &[]).expect_code(0, "build with a change");
    assert_eq!(manifest(&inside)["git"], serde_json::json!({"commit": head, "dirty": true}));
}

#[test]
fn no_output_may_take_the_manifest_name() {
    let site = Site::copy("deploy");
    site.write("static/manifest.json", "{}");
    let run = site.build(&[]);
    run.expect_code(1, "build with static/manifest.json");
    assert!(
        run.stderr.contains(
            "static/manifest.json: error[duplicate-path]: `/manifest.json` is the build record (留痕) that every build writes\n  = hint: give the file another name"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn nginx_serves_complete_pages_of_one_release_while_deploys_and_rollbacks_run() {
    let Some(nginx_bin) = nginx_binary() else { return };
    let site = Site::copy("deploy");
    let target = target_of(&site);
    set_variant(&site, "一");
    deploy(&site, &target).expect_code(0, "first deploy");
    let nginx = Nginx::start(&nginx_bin, &site.tmp.path().join("nginx"), &target.join("current"));

    // Path → the SHA-256 of that file in every release that was live, recorded after each step.
    let mut known: HashMap<String, BTreeSet<String>> = HashMap::new();
    let record_live = |known: &mut HashMap<String, BTreeSet<String>>| {
        let current = target.join("current");
        let record = manifest(&current);
        for file in record["files"].as_array().unwrap() {
            let path = file["path"].as_str().unwrap().to_string();
            known.entry(path).or_default().insert(file["sha256"].as_str().unwrap().to_string());
        }
        let bytes = std::fs::read(current.join("manifest.json")).unwrap();
        known.entry("manifest.json".into()).or_default().insert(sha256(&bytes));
    };
    record_live(&mut known);

    let urls = [
        "/",
        "/news/zhu-ti-dang-ri/",
        "/study/",
        "/css/site.css",
        "/atom.xml",
        "/manifest.json",
    ];
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..3)
        .map(|n| {
            let stop = stop.clone();
            let port = nginx.port;
            std::thread::spawn(move || {
                // Only what the checks below need of each response: its status, hash and ending.
                let mut seen: Vec<(&str, Result<Fetched, String>)> = Vec::new();
                let mut i = n;
                // Bounded in count and time; the deploys end long before either bound.
                let deadline = Instant::now() + Duration::from_secs(1200);
                while !stop.load(Ordering::SeqCst) && seen.len() < 1_000_000 && Instant::now() < deadline {
                    let url = urls[i % urls.len()];
                    let fetched = get(port, url).map(|(status, body)| Fetched {
                        status,
                        sha256: sha256(&body),
                        size: body.len(),
                        ends_html: String::from_utf8_lossy(&body).trim_end().ends_with("</html>"),
                    });
                    seen.push((url, fetched));
                    i += 1;
                    // Leaves the deploys some of the machine's two cores.
                    std::thread::sleep(Duration::from_micros(200));
                }
                seen
            })
        })
        .collect();

    // Ten switches: new releases, rollbacks, and a reused release.
    let steps: [&str; 10] = ["二", "rollback", "三", "rollback", "二", "四", "rollback", "rollback", "五", "三"];
    for step in steps {
        let run = if step == "rollback" {
            deploy_cmd(&target, &["--rollback"], &[])
        } else {
            set_variant(&site, step);
            deploy(&site, &target)
        };
        run.expect_code(0, step);
        record_live(&mut known);
    }
    stop.store(true, Ordering::SeqCst);
    let responses: Vec<_> = clients.into_iter().flat_map(|c| c.join().expect("client thread")).collect();
    drop(nginx);

    let mut failures = Vec::new();
    let mut homes = BTreeSet::new();
    for (url, response) in &responses {
        let file = served_file(url);
        match response {
            Err(e) => failures.push(format!("{url}: {e}")),
            Ok(fetched) if fetched.status != 200 => failures.push(format!("{url}: status {}", fetched.status)),
            Ok(fetched) => {
                if !known.get(&file).is_some_and(|hashes| hashes.contains(&fetched.sha256)) {
                    failures.push(format!("{url}: a body of no release ({} bytes)", fetched.size));
                }
                if file.ends_with(".html") && !fetched.ends_html {
                    failures.push(format!("{url}: incomplete page"));
                }
                if *url == "/" {
                    homes.insert(fetched.sha256.clone());
                }
            }
        }
    }
    let total = responses.len();
    let failed = failures.len();
    failures.truncate(10);
    assert!(failures.is_empty(), "{failed} of {total} requests failed, e.g. {failures:#?}");
    // The clients saw the site change while they ran: this tested switches, not one release.
    assert!(homes.len() >= 2, "{total} requests saw {} version(s) of the home page", homes.len());
    println!("{total} requests, 0 failed, {} versions of the home page seen", homes.len());
    let versions: BTreeMap<&str, usize> = known.iter().map(|(k, v)| (k.as_str(), v.len())).collect();
    assert_eq!(versions["index.html"], 5, "five contents were deployed");
}

/// What a load client keeps of a response.
struct Fetched {
    status: u16,
    sha256: String,
    size: usize,
    ends_html: bool,
}

/// The file nginx serves for `url`.
fn served_file(url: &str) -> String {
    let path = url.trim_start_matches('/');
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    }
}
