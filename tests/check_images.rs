//! Photos: rule `exif-gps` in `check`, metadata stripped from what `build` publishes (unless
//! `[images] strip_metadata = false`), and rule `alt-text` for Markdown images, HTML `<img>` and
//! the default theme's gallery.
//!
//! The images are made here: an 8×8 baseline JPEG, a 1×1 PNG and a 1×1 WebP (each checked to
//! decode with Pillow), with EXIF written by the `exif` crate and put in place by `img-parts`.

mod common;

use common::{Site, dangjian};
use dangjian::images::samples::{self, tiny_jpeg, tiny_png, tiny_webp};
use img_parts::png::Png;
use img_parts::webp::WebP;
use img_parts::{Bytes, ImageEXIF};

/// EXIF as a phone writes it: where (39°54′27″N 116°23′30″E), with what camera, which way up.
fn phone_exif(orientation: u16) -> Bytes {
    Bytes::from(samples::phone_exif(orientation))
}

fn gps_jpeg(orientation: u16) -> Vec<u8> {
    let mut jpeg = img_parts::jpeg::Jpeg::from_bytes(tiny_jpeg().into()).unwrap();
    jpeg.set_exif(Some(phone_exif(orientation)));
    jpeg.encoder().bytes().to_vec()
}

fn gps_png() -> Vec<u8> {
    let mut png = Png::from_bytes(tiny_png().into()).unwrap();
    png.set_exif(Some(phone_exif(1)));
    png.encoder().bytes().to_vec()
}

fn gps_webp() -> Vec<u8> {
    let mut webp = WebP::from_bytes(tiny_webp().into()).unwrap();
    webp.set_exif(Some(phone_exif(1)));
    webp.encoder().bytes().to_vec()
}

/// The EXIF tags of an image file (empty when it has none).
fn exif_tags(bytes: &[u8]) -> Vec<exif::Tag> {
    let mut cursor = std::io::Cursor::new(bytes);
    match exif::Reader::new().read_from_container(&mut cursor) {
        Ok(exif) => exif.fields().map(|f| f.tag).collect(),
        Err(_) => Vec::new(),
    }
}

/// The fixture with photos in a page bundle and in static/.
fn site_with_photos() -> Site {
    let site = Site::copy("check_images");
    site.write("content/news/huodong/photo.jpg", gps_jpeg(6));
    site.write("content/news/huodong/clean.jpg", tiny_jpeg());
    site.write("static/images/banner.png", gps_png());
    site.write("static/images/map.webp", gps_webp());
    site.write("static/images/clean.png", tiny_png());
    site
}

fn check_json(site: &Site) -> Vec<serde_json::Value> {
    let run = dangjian(["check", "--site", site.site.to_str().unwrap(), "--format", "json"]);
    assert_eq!(run.code, Some(0), "warnings only: {run:?}");
    let found: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON output");
    found.as_array().cloned().unwrap_or_default()
}

fn of_rule<'a>(found: &'a [serde_json::Value], rule: &str) -> Vec<&'a serde_json::Value> {
    found.iter().filter(|d| d["rule"] == rule).collect()
}

#[test]
fn check_reports_photos_with_a_gps_position() {
    let site = site_with_photos();
    let found = check_json(&site);
    let gps = of_rule(&found, "exif-gps");
    let files: Vec<&str> = gps.iter().map(|d| d["file"].as_str().unwrap()).collect();
    assert_eq!(
        files,
        [
            "content/news/huodong/photo.jpg",
            "static/images/banner.png",
            "static/images/map.webp"
        ],
        "{found:#?}"
    );
    let first = gps[0];
    assert_eq!((first["severity"].as_str(), first["line"].as_u64()), (Some("warning"), Some(0)));
    assert_eq!(
        first["message"],
        "the image carries a GPS position (latitude/longitude) and the camera model in its metadata"
    );
    let hint = first["suggestion"].as_str().unwrap();
    assert!(hint.starts_with("`dangjian build` publishes the image without it"), "{hint}");
    // Neither the position nor the camera is repeated in the report.
    assert!(!first.to_string().contains("116") && !first.to_string().contains("P40"), "{first}");
}

#[test]
fn build_publishes_photos_without_gps_and_clean_files_unchanged() {
    let site = site_with_photos();
    let run = site.build(&[]);
    run.expect_code(0, "build");
    for path in ["news/huodong/photo.jpg", "images/banner.png", "images/map.webp"] {
        let bytes = std::fs::read(site.out.join(path)).unwrap();
        let tags = exif_tags(&bytes);
        assert!(
            !tags
                .iter()
                .any(|t| [exif::Tag::GPSLatitude, exif::Tag::GPSLongitude, exif::Tag::Model].contains(t)),
            "{path} still carries {tags:?}"
        );
        assert!(!bytes.windows(3).any(|w| w == b"P40"), "{path} still names the camera");
    }
    // The photo was taken sideways: its orientation is all the EXIF that is left.
    let photo = std::fs::read(site.out.join("news/huodong/photo.jpg")).unwrap();
    assert_eq!(exif_tags(&photo), vec![exif::Tag::Orientation]);
    // Images without metadata are copied byte for byte.
    assert_eq!(std::fs::read(site.out.join("news/huodong/clean.jpg")).unwrap(), tiny_jpeg());
    assert_eq!(std::fs::read(site.out.join("images/clean.png")).unwrap(), tiny_png());
    // So are the theme's own files and the sources themselves.
    assert_eq!(
        std::fs::read(site.site.join("content/news/huodong/photo.jpg")).unwrap(),
        gps_jpeg(6)
    );
}

#[test]
fn strip_metadata_false_publishes_photos_as_they_are() {
    let site = site_with_photos();
    let config = std::fs::read_to_string(site.site.join("config.toml")).unwrap();
    site.write("config.toml", format!("{config}\n[images]\nstrip_metadata = false\n"));
    site.build(&[]).expect_code(0, "build");
    assert_eq!(std::fs::read(site.out.join("news/huodong/photo.jpg")).unwrap(), gps_jpeg(6));
    assert_eq!(std::fs::read(site.out.join("images/banner.png")).unwrap(), gps_png());
    let found = check_json(&site);
    let gps = of_rule(&found, "exif-gps");
    assert_eq!(gps.len(), 3, "{found:#?}");
    let hint = gps[0]["suggestion"].as_str().unwrap();
    assert!(
        hint.starts_with("[images] strip_metadata = false in config.toml publishes it as it is"),
        "{hint}"
    );
}

#[test]
fn an_unknown_images_setting_is_a_config_error() {
    let site = Site::copy("check_images");
    let config = std::fs::read_to_string(site.site.join("config.toml")).unwrap();
    site.write("config.toml", format!("{config}\n[images]\nstrip_metdata = false\n"));
    let run = dangjian(["check", "--site", site.site.to_str().unwrap()]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stdout.contains("config.toml:8:1: error[config]: unknown field `strip_metdata`"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("did you mean `strip_metadata`?"), "{}", run.stdout);
}

#[test]
fn damaged_images_are_published_as_they_are() {
    let site = site_with_photos();
    let mut damaged = gps_jpeg(6);
    damaged.truncate(40);
    site.write("static/images/damaged.jpg", &damaged);
    site.write("static/images/not-a-photo.png", "这不是图片");
    let run = site.build(&[]);
    run.expect_code(0, "build");
    assert_eq!(std::fs::read(site.out.join("images/damaged.jpg")).unwrap(), damaged);
    assert_eq!(site.output("images/not-a-photo.png"), "这不是图片");
    let found = check_json(&site);
    assert_eq!(of_rule(&found, "exif-gps").len(), 3, "{found:#?}");
}

#[test]
fn images_without_alternative_text_are_found_where_they_are() {
    let site = site_with_photos();
    let found = check_json(&site);
    let alt: Vec<(&str, u64, u64, &str)> = of_rule(&found, "alt-text")
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["message"].as_str().unwrap(),
            )
        })
        .collect();
    let file = "content/news/huodong/index.md";
    assert_eq!(
        alt,
        [
            (
                file,
                7,
                5,
                "gallery photo `clean.jpg` has no caption, so screen readers cannot say what it shows"
            ),
            (
                file,
                13,
                1,
                "image `photo.jpg` has no alternative text, so screen readers cannot say what it shows"
            ),
            (
                file,
                17,
                7,
                "`<img>` has no alt attribute, so screen readers cannot say what it shows"
            ),
        ],
        "{found:#?}"
    );
    // Build reports them as warnings and publishes the page.
    let run = site.build(&[]);
    run.expect_code(0, "build");
    assert!(
        run.stderr
            .contains("content/news/huodong/index.md:13:1: warning[alt-text]: image `photo.jpg`"),
        "{}",
        run.stderr
    );
}

#[test]
fn pages_with_described_images_have_no_alt_text_warning() {
    let site = Site::copy("check_images");
    site.write("content/news/huodong/photo.jpg", tiny_jpeg());
    site.write("content/news/huodong/clean.jpg", tiny_jpeg());
    site.write(
        "content/news/huodong/index.md",
        "+++\ntitle = \"活动\"\ndate = 2024-05-20\n[extra]\nphotos = [{ src = \"photo.jpg\", alt = \"会场全景\" }]\n+++\n\n![会场](photo.jpg)\n\n<img src=\"clean.jpg\" alt=\"合影\">\n",
    );
    let run = dangjian(["check", "--site", site.site.to_str().unwrap()]);
    assert_eq!((run.code, run.stdout.as_str()), (Some(0), "no problems found\n"), "{}", run.stderr);
    site.build(&[]).expect_code(0, "build");
    assert!(site.output("news/huodong/index.html").contains("alt=\"会场全景\""));
}
