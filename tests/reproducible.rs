//! The same input gives byte-identical output: built twice, and built on one thread (rayon with
//! `RAYON_NUM_THREADS=1`) against the default parallel build, manifest.json included when
//! `SOURCE_DATE_EPOCH` fixes the build time. Deploy hashes depend on it, and it is the
//! correctness side of rendering in parallel.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::{BIN, Site, repo, snapshot};
use serde_json::Value;

fn build_with(site: &Path, out: &Path, threads: Option<&str>, source_date_epoch: Option<&str>) {
    let mut command = Command::new(BIN);
    command.args(["build", "--site"]).arg(site).arg("--output").arg(out);
    if let Some(threads) = threads {
        command.env("RAYON_NUM_THREADS", threads);
    }
    match source_date_epoch {
        Some(epoch) => command.env("SOURCE_DATE_EPOCH", epoch),
        None => command.env_remove("SOURCE_DATE_EPOCH"),
    };
    let run = command.output().expect("run dangjian");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
}

/// The paths whose bytes differ, or that only one side has; at most five.
fn differences<'a>(a: &'a BTreeMap<String, Vec<u8>>, b: &'a BTreeMap<String, Vec<u8>>) -> Vec<&'a String> {
    a.keys().chain(b.keys()).filter(|k| a.get(*k) != b.get(*k)).take(5).collect()
}

#[test]
fn parallel_builds_equal_single_threaded_builds_byte_for_byte() {
    let site = Site::copy_from(&repo().join("site"));
    let root = site.out.parent().unwrap().to_path_buf();
    let (first, second, single) = (root.join("first"), root.join("second"), root.join("single"));
    let epoch = Some("1735689600");
    build_with(&site.site, &first, None, epoch);
    build_with(&site.site, &second, Some("4"), epoch);
    build_with(&site.site, &single, Some("1"), epoch);
    let first = snapshot(&first);
    assert!(first.len() > 100, "{} files", first.len());
    let manifest: Value = serde_json::from_slice(&first["manifest.json"]).expect("manifest.json");
    assert_eq!(manifest["built_at"], "2025-01-01T00:00:00Z");
    for (name, other) in [
        ("a second build", snapshot(&second)),
        ("a single-threaded build", snapshot(&single)),
    ] {
        let differing = differences(&first, &other);
        assert!(differing.is_empty(), "{name} differs in {differing:?}");
    }
}

#[test]
fn without_source_date_epoch_only_the_build_time_differs() {
    let site = Site::copy("deploy");
    let root = site.out.parent().unwrap().to_path_buf();
    let (first, second) = (root.join("first"), root.join("second"));
    let started = chrono::Utc::now().naive_utc() - chrono::TimeDelta::seconds(1);
    build_with(&site.site, &first, None, None);
    build_with(&site.site, &second, None, None);
    let (mut first, mut second) = (snapshot(&first), snapshot(&second));
    let mut times = Vec::new();
    let mut records = Vec::new();
    for files in [&mut first, &mut second] {
        let bytes = files.remove("manifest.json").expect("every build writes manifest.json");
        let mut record: Value = serde_json::from_slice(&bytes).expect("manifest.json is JSON");
        let time = record.as_object_mut().unwrap().remove("built_at").expect("a build time");
        times.push(time.as_str().unwrap().to_string());
        records.push(record);
    }
    let differing = differences(&first, &second);
    assert!(differing.is_empty(), "the builds differ in {differing:?}");
    assert_eq!(records[0], records[1], "manifest.json differs in more than built_at");
    assert!(records[0]["files"].as_array().unwrap().len() > 10);
    // ISO 8601 UTC, taken from the clock while the test ran.
    let ended = chrono::Utc::now().naive_utc();
    for time in times {
        let time = chrono::NaiveDateTime::parse_from_str(&time, "%Y-%m-%dT%H:%M:%SZ").expect("ISO 8601 UTC");
        assert!(started <= time && time <= ended, "{time} is not between {started} and {ended}");
    }
}
