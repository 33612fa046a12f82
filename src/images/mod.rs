//! The site's photos: the metadata phones put in them (rule `exif-gps`, and removed from every
//! published copy unless `[images] strip_metadata = false`), and gallery photos without a text
//! for readers who cannot see them (rule `alt-text`).

pub mod alt;
pub mod metadata;
#[doc(hidden)]
pub mod samples;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use img_parts::Bytes;
use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::output::Body;
use crate::render::plan::{Job, Planned};

/// How a file of the site is published: JPEG, PNG and WebP images through [`copy_stripped`] when
/// `strip` is on, everything else copied as it is.
pub fn copy_body(source: PathBuf, strip: bool) -> Body {
    if strip && is_photo(&source) {
        Body::Image(source)
    } else {
        Body::File(source)
    }
}

/// A JPEG, PNG or WebP by its name.
fn is_photo(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .and_then(metadata::Format::of_name)
        .is_some()
}

/// The bytes to publish for `source`: without metadata, or as they are when there is none or the
/// image cannot be parsed (a damaged image is published as it is rather than not at all).
pub fn read_stripped(source: &Path) -> io::Result<Vec<u8>> {
    Ok(stripped(source)?.concat())
}

/// Writes `source` to `target` without its metadata (see [`read_stripped`]).
pub fn copy_stripped(source: &Path, target: &Path) -> io::Result<()> {
    let mut file = io::BufWriter::new(std::fs::File::create(target)?);
    for piece in stripped(source)? {
        file.write_all(&piece)?;
    }
    file.flush()
}

fn stripped(source: &Path) -> io::Result<Vec<Bytes>> {
    let bytes = Bytes::from(std::fs::read(source)?);
    // The parsers are meant never to panic on bad input; should one do so anyway, the image is
    // still published, as it is, and the build goes on.
    let stripped = std::panic::catch_unwind(|| metadata::strip(&bytes)).ok().flatten();
    Ok(stripped.unwrap_or_else(|| vec![bytes]))
}

/// Rule `exif-gps`: every JPEG, PNG and WebP the site publishes from its own files (page and
/// section bundles, `static/`, a local theme) whose metadata holds a GPS position.
pub fn check_gps(plan: &[Planned], site_dir: &Path, strip: bool) -> Vec<Diagnostic> {
    let sources: Vec<&PathBuf> = plan
        .iter()
        .filter_map(|planned| match &planned.job {
            Job::Copy(Body::File(source) | Body::Image(source)) => Some(source),
            _ => None,
        })
        .filter(|source| is_photo(source))
        .collect();
    let mut found: Vec<Diagnostic> = sources
        .par_iter()
        .filter_map(|source| {
            let bytes = Bytes::from(std::fs::read(source).ok()?);
            let findings = std::panic::catch_unwind(|| metadata::read(&bytes)).ok().flatten()?;
            findings
                .gps
                .then(|| gps_warning(&crate::files::relative_slash(source, site_dir), findings, strip))
        })
        .collect();
    found.sort_by(|a, b| a.file.cmp(&b.file));
    found.dedup();
    found
}

fn gps_warning(file: &str, findings: metadata::Findings, strip: bool) -> Diagnostic {
    let what = if findings.camera {
        "a GPS position (latitude/longitude) and the camera model"
    } else {
        "a GPS position (latitude/longitude)"
    };
    let remove = format!(
        "in Windows use Properties → Details → Remove Properties and Personal Information (属性 → 详细信息 → 删除属性和个人信息) \
         or run `exiftool -all= {file}`, and turn off location in the phone camera's settings"
    );
    let hint = if strip {
        format!("`dangjian build` publishes the image without it, but the original still carries it: {remove}")
    } else {
        format!("[images] strip_metadata = false in config.toml publishes it as it is: remove that setting, or {remove}")
    };
    Diagnostic::warning("exif-gps", file, 0, 0, format!("the image carries {what} in its metadata")).with_hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Output;

    #[test]
    fn build_and_preview_publish_photos_stripped() {
        let dir = tempfile::tempdir().unwrap();
        let photo = dir.path().join("photo.JPG");
        let jpeg = metadata::tests::jpeg_with(Some(metadata::tests::phone_exif(1)), &[]);
        std::fs::write(&photo, &jpeg).unwrap();
        let body = copy_body(photo.clone(), true);
        assert!(matches!(&body, Body::Image(_)));
        // The preview server sends `Output::bytes`; a build writes through `copy_stripped`.
        let output = Output {
            path: "photo.JPG".into(),
            body,
            source: "static/photo.JPG".into(),
        };
        assert_eq!(output.bytes().unwrap().as_ref(), metadata::tests::tiny_jpeg().as_slice());
        let target = dir.path().join("out.jpg");
        copy_stripped(&photo, &target).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), metadata::tests::tiny_jpeg());
        assert!(matches!(copy_body(photo.clone(), false), Body::File(_)));
        assert!(matches!(copy_body(dir.path().join("report.pdf"), true), Body::File(_)));
    }
    /// Time per image of reading (`check`), stripping and copying, for the photos in
    /// `DANGJIAN_IMAGE_BENCH` (docs/decisions/0006-image-metadata.md):
    /// `DANGJIAN_IMAGE_BENCH=DIR cargo test --lib measure_images -- --ignored --nocapture`.
    #[test]
    #[ignore = "a measurement, run by hand"]
    fn measure_images() {
        let Some(dir) = std::env::var_os("DANGJIAN_IMAGE_BENCH") else {
            return;
        };
        let out = tempfile::tempdir().unwrap();
        let files: Vec<(String, PathBuf)> = crate::files::files_under(Path::new(&dir));
        let time = |what: &str, f: &dyn Fn(&Path, &Path)| {
            let started = std::time::Instant::now();
            for (relative, path) in &files {
                f(path, &out.path().join(relative.replace('/', "-")));
            }
            let per = started.elapsed() / u32::try_from(files.len().max(1)).unwrap_or(1);
            println!("{what}: {per:?} per image ({} images)", files.len());
        };
        time("fs::copy", &|from, to| drop(std::fs::copy(from, to)));
        time("read metadata (check)", &|from, _| {
            let _ = metadata::read(&Bytes::from(std::fs::read(from).unwrap()));
        });
        time("copy_stripped (build)", &|from, to| copy_stripped(from, to).unwrap());
    }
}
