use img_parts::ImageICC;

use super::*;
pub(crate) use crate::images::samples::{phone_exif, tiny_jpeg};
use crate::images::samples::{tiny_png, tiny_webp};

// The functions under test on plain byte slices (these shadow the glob import).
fn read(bytes: &[u8]) -> Option<Findings> {
    super::read(&Bytes::copy_from_slice(bytes))
}

fn strip(bytes: &[u8]) -> Option<Vec<u8>> {
    super::strip(&Bytes::copy_from_slice(bytes)).map(|pieces| pieces.concat())
}

pub(crate) fn jpeg_with(exif: Option<Vec<u8>>, extra: &[(u8, &[u8])]) -> Vec<u8> {
    let mut jpeg = Jpeg::from_bytes(tiny_jpeg().into()).unwrap();
    for (marker, contents) in extra {
        jpeg.segments_mut()
            .insert(0, JpegSegment::new_with_contents(*marker, Bytes::copy_from_slice(contents)));
    }
    jpeg.set_exif(exif.map(Bytes::from));
    jpeg.encoder().bytes().to_vec()
}

fn fields(block: &[u8]) -> Vec<exif::Tag> {
    parse_exif(block).map(|e| e.fields().map(|f| f.tag).collect()).unwrap_or_default()
}

const XMP_WITH_GPS: &[u8] =
    b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><rdf:Description exif:GPSLatitude=\"39,54.45N\" tiff:Model=\"P40\"/></x:xmpmeta>";

#[test]
fn jpeg_gps_and_camera_are_found_and_removed_keeping_orientation() {
    let jpeg = jpeg_with(
        Some(phone_exif(6)),
        &[(markers::APP1, XMP_WITH_GPS), (markers::COM, b"shot on P40")],
    );
    assert_eq!(
        read(&jpeg),
        Some(Findings {
            gps: true,
            camera: true,
            removable: true
        })
    );
    let stripped = strip(&jpeg).expect("something to strip");
    assert!(!contains(&stripped, b"P40") && !contains(&stripped, b"GPSLatitude"));
    let found = read(&stripped).unwrap();
    assert!(!found.gps && !found.camera, "{found:?}");
    let exif = Jpeg::from_bytes(Bytes::from(stripped.clone())).unwrap().exif().unwrap();
    assert_eq!(fields(&exif), vec![exif::Tag::Orientation]);
    // Stripping again changes nothing: the orientation block is written the same way.
    assert_eq!(strip(&stripped), Some(stripped));
}

#[test]
fn upright_photos_lose_all_exif_and_clean_ones_are_left_alone() {
    let jpeg = jpeg_with(Some(phone_exif(1)), &[]);
    let stripped = strip(&jpeg).unwrap();
    assert_eq!(stripped, tiny_jpeg());
    assert_eq!(read(&tiny_jpeg()), Some(Findings::default()));
    assert_eq!(strip(&tiny_jpeg()), None);
    // Padding after the end marker is not metadata.
    let mut padded = tiny_jpeg();
    padded.extend([0, 0, b'\n']);
    assert_eq!(strip(&padded), None);
}

#[test]
fn icc_profile_and_adobe_segment_are_kept() {
    let mut jpeg = Jpeg::from_bytes(jpeg_with(Some(phone_exif(1)), &[(markers::APP14, b"Adobe\0\x64\0\0\0\0\x01")]).into()).unwrap();
    jpeg.set_icc_profile(Some(Bytes::from_static(b"a colour profile")));
    let stripped = strip(&jpeg.encoder().bytes()).unwrap();
    let stripped = Jpeg::from_bytes(stripped.into()).unwrap();
    assert_eq!(stripped.icc_profile().as_deref(), Some(&b"a colour profile"[..]));
    assert!(stripped.segments().iter().any(|s| s.marker() == markers::APP14));
    assert!(stripped.exif().is_none());
}

#[test]
fn pictures_appended_after_the_end_are_cut_off() {
    let mut jpeg = jpeg_with(None, &[(markers::APP2, b"MPF\0II*\0")]);
    jpeg.extend(jpeg_with(Some(phone_exif(1)), &[]));
    let found = read(&jpeg).unwrap();
    assert!(found.gps && found.removable, "{found:?}");
    assert_eq!(strip(&jpeg), Some(tiny_jpeg()));
}

#[test]
fn jpeg_end_skips_stuffed_bytes_and_restart_markers() {
    let mut jpeg = tiny_jpeg();
    let eoi = jpeg.len() - 2;
    jpeg.splice(eoi..eoi, [0xFF, 0x00, 0x12, 0xFF, 0xD0, 0x34]);
    let end = jpeg.len();
    jpeg.extend(b"trailer");
    assert_eq!(jpeg_end(&jpeg), Some(end));
    assert_eq!(jpeg_end(&[0xFF, 0xD8, 0xFF]), None);
}

#[test]
fn png_metadata_chunks_are_found_and_removed() {
    use img_parts::png::PngChunk;
    let mut png = Png::from_bytes(tiny_png().into()).unwrap();
    png.set_exif(Some(phone_exif(3).into()));
    let found = read(&png.clone().encoder().bytes()).unwrap();
    assert!(found.gps && found.camera);
    // ImageMagick's way: the EXIF as hexadecimal text, here compressed.
    let digits: String = [b"Exif\0\0".as_slice(), &phone_exif(1)]
        .concat()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let text = format!("\nexif\n{:8}\n{digits}\n", digits.len() / 2);
    let mut ztxt = b"Raw profile type exif\0\0".to_vec();
    ztxt.extend(miniz_oxide::deflate::compress_to_vec_zlib(text.as_bytes(), 6));
    let mut magick = Png::from_bytes(tiny_png().into()).unwrap();
    magick.chunks_mut().insert(1, PngChunk::new(*b"zTXt", ztxt.into()));
    magick
        .chunks_mut()
        .insert(1, PngChunk::new(*b"tEXt", Bytes::from_static(b"Comment\0hello")));
    let magick = magick.encoder().bytes();
    assert!(read(&magick).unwrap().gps);
    assert_eq!(strip(&magick), Some(tiny_png()));
    let stripped = strip(&png.encoder().bytes()).unwrap();
    let stripped = Png::from_bytes(stripped.into()).unwrap();
    assert_eq!(fields(&stripped.exif().unwrap()), vec![exif::Tag::Orientation]);
    assert_eq!(strip(&tiny_png()), None);
}

#[test]
fn webp_exif_and_xmp_are_removed() {
    use img_parts::riff::{RiffChunk, RiffContent};
    let mut webp = WebP::from_bytes(tiny_webp().into()).unwrap();
    webp.set_exif(Some(phone_exif(1).into()));
    webp.chunks_mut()
        .push(RiffChunk::new(CHUNK_XMP, RiffContent::Data(Bytes::from_static(XMP_WITH_GPS))));
    let bytes = webp.encoder().bytes();
    assert!(read(&bytes).unwrap().gps);
    let stripped = strip(&bytes).unwrap();
    let parsed = WebP::from_bytes(stripped.clone().into()).unwrap();
    assert!(!parsed.has_chunk(CHUNK_EXIF) && !parsed.has_chunk(CHUNK_XMP));
    assert_eq!(read(&stripped), Some(Findings::default()));
    assert_eq!(strip(&tiny_webp()), None);
}

#[test]
fn damaged_images_never_panic() {
    let mut samples = vec![
        jpeg_with(Some(phone_exif(6)), &[(markers::APP1, XMP_WITH_GPS)]),
        {
            let mut png = Png::from_bytes(tiny_png().into()).unwrap();
            png.set_exif(Some(phone_exif(6).into()));
            png.encoder().bytes().to_vec()
        },
        {
            let mut webp = WebP::from_bytes(tiny_webp().into()).unwrap();
            webp.set_exif(Some(phone_exif(6).into()));
            webp.encoder().bytes().to_vec()
        },
    ];
    // Flipped bytes at every position of the first few hundred, and every truncation.
    let mut damaged = Vec::new();
    for sample in &samples {
        for at in 0..sample.len() {
            let mut flipped = sample.clone();
            flipped[at] ^= 0xA5;
            damaged.push(flipped);
            damaged.push(sample[..at].to_vec());
        }
    }
    samples.extend(damaged);
    for sample in &samples {
        let _ = read(sample);
        let _ = strip(sample);
    }
}

#[test]
fn formats_by_name_and_signature() {
    assert_eq!(Format::of_name("照片.JPG"), Some(Format::Jpeg));
    assert_eq!(Format::of_name("a.webp"), Some(Format::WebP));
    assert_eq!(Format::of_name("a.gif"), None);
    assert_eq!(Format::sniff(&tiny_png()), Some(Format::Png));
    assert_eq!(Format::sniff(b"GIF89a"), None);
}
