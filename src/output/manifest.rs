//! `manifest.json`, the record of a build (留痕): which tool built it and when, from which git
//! commit, every output file with its size and SHA-256, and every page with its source file, its
//! date and its review sign-offs. The live release's manifest answers "what was published on
//! this date, and who approved it"; `dangjian deploy` verifies copies against it.
//!
//! The record is reproducible: files and pages are sorted, and the build time honours
//! `SOURCE_DATE_EPOCH`, so the same input gives the same bytes. The content hash covers files and
//! pages only, so two builds of the same content have the same hash whenever they were made.

use std::io::{self, Read};
use std::path::Path;
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Staging, Written};
use crate::content::Library;
use crate::diagnostic::Diagnostic;
use crate::site::BuildError;

/// The file name of the record in every build's output.
pub const FILE_NAME: &str = "manifest.json";

/// Version of the manifest's layout, raised when a field changes meaning.
pub const FORMAT: u32 = 1;

/// The record of one build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Layout version ([`FORMAT`]).
    pub format: u32,
    /// The tool and its version: "dangjian 0.1.0".
    pub generator: String,
    /// When the site was built, ISO 8601 UTC (`SOURCE_DATE_EPOCH` when set).
    pub built_at: String,
    /// The site's commit when the site is in a git work tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git: Option<GitState>,
    /// SHA-256 over `pages` and `files`: equal for equal content, whenever and wherever built.
    pub content_hash: String,
    /// Every published page, by source file.
    pub pages: Vec<PageRecord>,
    /// Every output file but the manifest itself, by path.
    pub files: Vec<FileRecord>,
}

/// The git commit a site was built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitState {
    /// `git rev-parse HEAD`.
    pub commit: String,
    /// Whether the site folder had uncommitted changes (`git status --porcelain`).
    pub dirty: bool,
}

/// One published page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRecord {
    /// Its address on the site: "/study/x/".
    pub path: String,
    /// Its source, relative to the site: "content/study/x.md".
    pub file: String,
    /// Its title.
    pub title: String,
    /// Its date ("2025-03-01" or "2025-03-01T09:30:00"), if it has one.
    pub date: Option<String>,
    /// Its `updated` date, if it has one.
    #[serde(default)]
    pub updated: Option<String>,
    /// Its 三审 sign-offs, if it has a `[review]` table.
    pub review: Option<ReviewRecord>,
}

/// The names under a page's `[review]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRecord {
    /// 初审.
    pub first: String,
    /// 复审.
    pub second: String,
    /// 终审.
    #[serde(rename = "final")]
    pub final_: String,
}

/// One output file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// Path inside the output folder, forward slashes: "study/x/index.html".
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, lowercase hex.
    pub sha256: String,
}

impl Manifest {
    /// The content hash that `pages` and `files` give; a manifest whose `content_hash` differs
    /// was altered.
    pub fn computed_hash(&self) -> String {
        content_hash(&self.pages, &self.files)
    }

    /// Reads and parses `dir/manifest.json`.
    pub fn read(dir: &Path) -> Result<Manifest, String> {
        let path = dir.join(FILE_NAME);
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_slice(&bytes).map_err(|e| format!("{}: not a dangjian manifest: {e}", path.display()))
    }
}

/// The hook of `build`: checks that no output took the manifest's name, then writes the record
/// of everything `staging` holds; `git` is [`git_state`] of the site.
pub fn write(staging: &Staging, library: &Library, git: Option<GitState>) -> Result<Manifest, BuildError> {
    let written = staging.written();
    if let Some(clash) = written.iter().find(|w| w.path == FILE_NAME) {
        let diagnostic = Diagnostic::error(
            "duplicate-path",
            clash.source.clone(),
            0,
            0,
            format!("`/{FILE_NAME}` is the build record (留痕) that every build writes"),
        )
        .with_hint("give the file another name");
        return Err(BuildError::Content(vec![diagnostic]));
    }
    let built_at = build_time(std::env::var("SOURCE_DATE_EPOCH").ok().as_deref()).map_err(|d| BuildError::Content(vec![d]))?;
    let manifest = assemble(&written, library, built_at, git);
    let mut json = serde_json::to_vec_pretty(&manifest).map_err(|e| BuildError::Io(io::Error::other(e)))?;
    json.push(b'\n');
    staging.write_unrecorded(FILE_NAME, &json).map_err(BuildError::Io)?;
    Ok(manifest)
}

/// The manifest of a build that wrote `written` (sorted by path) from `library`.
fn assemble(written: &[Written], library: &Library, built_at: String, git: Option<GitState>) -> Manifest {
    let files: Vec<FileRecord> = written
        .iter()
        .map(|w| FileRecord {
            path: w.path.clone(),
            size: w.size,
            sha256: w.sha256.clone(),
        })
        .collect();
    let mut pages: Vec<PageRecord> = library
        .pages
        .iter()
        .map(|page| PageRecord {
            path: page.path.clone(),
            file: page.file.clone(),
            title: page.title.clone(),
            date: page.date.as_ref().map(ToString::to_string),
            updated: page.front.updated.as_ref().map(ToString::to_string),
            review: page.front.review.as_ref().map(|r| ReviewRecord {
                first: r.first.clone(),
                second: r.second.clone(),
                final_: r.r#final.clone(),
            }),
        })
        .collect();
    pages.sort_by(|a, b| (&a.file, &a.path).cmp(&(&b.file, &b.path)));
    Manifest {
        format: FORMAT,
        generator: format!("dangjian {}", env!("CARGO_PKG_VERSION")),
        built_at,
        git,
        content_hash: content_hash(&pages, &files),
        pages,
        files,
    }
}

/// SHA-256 over the JSON of `pages` and `files`, whose order is fixed by the sorting above.
fn content_hash(pages: &[PageRecord], files: &[FileRecord]) -> String {
    // Serializing plain structs of strings and numbers cannot fail.
    let json = serde_json::to_vec(&(pages, files)).unwrap_or_default();
    hash_bytes(&json).1
}

/// The build time: `SOURCE_DATE_EPOCH` (seconds since 1970, UTC) when set, else now.
fn build_time(source_date_epoch: Option<&str>) -> Result<String, Diagnostic> {
    const FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";
    let Some(text) = source_date_epoch.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(chrono::Utc::now().format(FORMAT).to_string());
    };
    text.parse::<i64>()
        .ok()
        .and_then(|seconds| chrono::DateTime::from_timestamp(seconds, 0))
        .map(|time| time.format(FORMAT).to_string())
        .ok_or_else(|| {
            Diagnostic::error(
                "environment",
                "SOURCE_DATE_EPOCH",
                0,
                0,
                format!("`{text}` is not a time in seconds since 1970-01-01 UTC"),
            )
            .with_hint("set it to a whole number such as 1735689600, or unset it to record the current time")
        })
}

/// The site's git commit, or `None` when git is missing or the site is not in a work tree. The
/// build output and its staging folder are left out of the dirty check when they are inside. It
/// reads only the site's sources, so a build asks for it while it renders: `git status` reads
/// every file of a large site.
pub fn git_state(site_dir: &Path, output_dir: &Path) -> Option<GitState> {
    let git = |args: &[&str]| -> Option<String> {
        let run = Command::new("git")
            .arg("-C")
            .arg(site_dir)
            .args(args)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()?;
        run.status.success().then(|| String::from_utf8_lossy(&run.stdout).into_owned())
    };
    let commit = git(&["rev-parse", "--verify", "HEAD"])?.trim().to_string();
    if commit.is_empty() {
        return None;
    }
    let mut args = vec!["status".to_string(), "--porcelain".to_string(), "--".to_string(), ".".to_string()];
    if let Ok(inside) = output_dir.strip_prefix(site_dir)
        && let Some(name) = inside.to_str().filter(|n| !n.is_empty())
    {
        args.push(format!(":(exclude){name}"));
        args.push(format!(":(exclude).{name}.*"));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let status = git(&args)?;
    Some(GitState {
        commit,
        dirty: !status.trim().is_empty(),
    })
}

/// Size and SHA-256 (lowercase hex) of `bytes`.
pub fn hash_bytes(bytes: &[u8]) -> (u64, String) {
    (bytes.len() as u64, hex(&Sha256::digest(bytes)))
}

/// Size and SHA-256 (lowercase hex) of the file at `path`, read in pieces.
pub fn hash_file(path: &Path) -> io::Result<(u64, String)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        size += read as u64;
        hasher.update(&buffer[..read]);
    }
    Ok((size, hex(&hasher.finalize())))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut text, b| {
        // Writing to a String cannot fail.
        let _ = write!(text, "{b:02x}");
        text
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_inputs() {
        assert_eq!(
            hash_bytes(b"abc"),
            (3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".to_string())
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        // Larger than the read buffer, so the pieces are joined.
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(hash_file(&path).unwrap(), hash_bytes(&bytes));
    }

    #[test]
    fn build_time_honours_source_date_epoch() {
        assert_eq!(build_time(Some("1735689600")).unwrap(), "2025-01-01T00:00:00Z");
        assert_eq!(build_time(Some(" 0 ")).unwrap(), "1970-01-01T00:00:00Z");
        let now = build_time(None).unwrap();
        assert!(now.ends_with('Z') && now.len() == 20, "{now}");
        let wrong = build_time(Some("yesterday")).unwrap_err();
        assert_eq!(
            wrong.to_string(),
            "SOURCE_DATE_EPOCH: error[environment]: `yesterday` is not a time in seconds since 1970-01-01 UTC\n  = hint: set it to a whole number such as 1735689600, or unset it to record the current time"
        );
    }

    #[test]
    fn content_hash_ignores_time_and_commit_but_not_content() {
        let written = vec![Written {
            path: "index.html".into(),
            source: "content/_index.md".into(),
            size: 3,
            sha256: hash_bytes(b"abc").1,
        }];
        let library = Library::default();
        let a = assemble(&written, &library, "2025-01-01T00:00:00Z".into(), None);
        let git = GitState {
            commit: "0".repeat(40),
            dirty: true,
        };
        let b = assemble(&written, &library, "2026-01-01T00:00:00Z".into(), Some(git));
        assert_eq!(a.content_hash, b.content_hash);
        assert_eq!(a.content_hash, a.computed_hash());
        let mut changed = written.clone();
        changed[0].sha256 = hash_bytes(b"abd").1;
        assert_ne!(assemble(&changed, &library, a.built_at.clone(), None).content_hash, a.content_hash);
    }
}
