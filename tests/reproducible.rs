//! The same input gives byte-identical output: built twice, and built on one thread (rayon with
//! `RAYON_NUM_THREADS=1`) against the default parallel build. Deploy hashes depend on it, and it
//! is the correctness side of rendering in parallel.

mod common;

use std::path::Path;
use std::process::Command;

use common::{BIN, Site, repo, snapshot};

fn build_with_threads(site: &Path, out: &Path, threads: Option<&str>) {
    let mut command = Command::new(BIN);
    command.args(["build", "--site"]).arg(site).arg("--output").arg(out);
    if let Some(threads) = threads {
        command.env("RAYON_NUM_THREADS", threads);
    }
    let run = command.output().expect("run dangjian");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
}

#[test]
fn parallel_builds_equal_single_threaded_builds_byte_for_byte() {
    let site = Site::copy_from(&repo().join("site"));
    let root = site.out.parent().unwrap().to_path_buf();
    let (first, second, single) = (root.join("first"), root.join("second"), root.join("single"));
    build_with_threads(&site.site, &first, None);
    build_with_threads(&site.site, &second, Some("4"));
    build_with_threads(&site.site, &single, Some("1"));
    let first = snapshot(&first);
    assert!(first.len() > 100, "{} files", first.len());
    for (name, other) in [
        ("a second build", snapshot(&second)),
        ("a single-threaded build", snapshot(&single)),
    ] {
        let differing: Vec<&String> = first.keys().filter(|k| other.get(*k) != first.get(*k)).take(5).collect();
        assert!(differing.is_empty(), "{name} differs in {differing:?}");
        assert_eq!(first.len(), other.len(), "{name} has other files");
    }
}
