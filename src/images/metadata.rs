//! What a photo carries besides its pixels — EXIF (GPS position, camera, time), XMP, IPTC, comments,
//! PNG text chunks, data after the end of a JPEG — read for `check` and removed from the published
//! copy, without decoding or re-encoding a single pixel.
//!
//! Removed: JPEG APP1 (EXIF, XMP), APP13 (Photoshop/IPTC), every other APPn segment but the three
//! below, COM comments and anything after the picture's end marker (phones append more pictures
//! there — previews, depth and HDR maps — each with metadata of its own, listed by an APP2 MPF
//! segment, which goes too); PNG eXIf, tEXt, zTXt, iTXt and tIME chunks; WebP EXIF and XMP chunks.
//! Kept: the ICC colour profile (colours shift without it), JFIF (APP0) and Adobe (APP14, needed to
//! decode CMYK) segments, PNG rendering chunks (sRGB, gAMA, cHRM, pHYs), and the orientation: a
//! photo taken upright on a phone is stored sideways with an EXIF orientation, so it is written
//! back as an EXIF block holding that one tag.

use img_parts::jpeg::{Jpeg, JpegSegment, markers};
use img_parts::png::Png;
use img_parts::webp::{CHUNK_EXIF, CHUNK_XMP, WebP};
use img_parts::{Bytes, ImageEXIF};

/// The formats whose metadata can be read and removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JPEG (.jpg, .jpeg).
    Jpeg,
    /// PNG.
    Png,
    /// WebP.
    WebP,
}

impl Format {
    /// The format a file name promises, by its extension.
    pub fn of_name(name: &str) -> Option<Format> {
        let extension = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match extension.as_str() {
            "jpg" | "jpeg" => Some(Format::Jpeg),
            "png" => Some(Format::Png),
            "webp" => Some(Format::WebP),
            _ => None,
        }
    }

    /// The format of `bytes`, by their signature (a `.jpg` may well be a PNG).
    pub fn sniff(bytes: &[u8]) -> Option<Format> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Format::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Format::Png)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Format::WebP)
        } else {
            None
        }
    }
}

/// What an image's metadata reveals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Findings {
    /// EXIF or XMP holds a latitude or longitude.
    pub gps: bool,
    /// EXIF or XMP names the camera (make or model).
    pub camera: bool,
    /// The image holds something [`strip`] removes.
    pub removable: bool,
}

/// The metadata of one image, gathered once for reading and for stripping.
#[derive(Default)]
struct Gathered {
    /// Raw EXIF (TIFF) blocks, the picture's own first.
    exif: Vec<Vec<u8>>,
    /// Other metadata (XMP packets, comments, PNG text), searched as bytes.
    texts: Vec<Bytes>,
    removable: bool,
}

/// What `bytes` reveals; `None` when they are not a JPEG, PNG or WebP that can be parsed.
/// (`Bytes`, because the parsers keep slices of the file instead of copying its pixels.)
pub fn read(bytes: &Bytes) -> Option<Findings> {
    let gathered = match Format::sniff(bytes)? {
        Format::Jpeg => gather_jpeg(bytes)?.1,
        Format::Png => gather_png(&Png::from_bytes(bytes.clone()).ok()?),
        Format::WebP => gather_webp(&WebP::from_bytes(bytes.clone()).ok()?),
    };
    let mut findings = Findings {
        removable: gathered.removable,
        ..Findings::default()
    };
    for block in &gathered.exif {
        let Some(exif) = parse_exif(block) else { continue };
        let has = |tag: exif::Tag| exif.fields().any(|f| f.tag == tag);
        findings.gps |= has(exif::Tag::GPSLatitude) || has(exif::Tag::GPSLongitude);
        findings.camera |= has(exif::Tag::Make) || has(exif::Tag::Model);
    }
    for text in &gathered.texts {
        findings.gps |= contains(text, b"GPSLatitude") || contains(text, b"GPSLongitude");
        findings.camera |= contains(text, b"tiff:Model") || contains(text, b"tiff:Make");
    }
    Some(findings)
}

/// `bytes` without their metadata, as pieces to write one after the other (slices of `bytes`, so
/// the pixels are never copied in memory); `None` when there is nothing to remove or they cannot
/// be parsed (then they are published as they are).
pub fn strip(bytes: &Bytes) -> Option<Vec<Bytes>> {
    match Format::sniff(bytes)? {
        Format::Jpeg => {
            let (mut jpeg, gathered) = gather_jpeg(bytes)?;
            if !gathered.removable {
                return None;
            }
            jpeg.segments_mut().retain(keep_jpeg_segment);
            jpeg.set_exif(orientation_exif(&gathered.exif));
            Some(jpeg.encoder().collect())
        }
        Format::Png => {
            let mut png = Png::from_bytes(bytes.clone()).ok()?;
            let gathered = gather_png(&png);
            if !gathered.removable {
                return None;
            }
            png.chunks_mut().retain(|chunk| !PNG_METADATA.contains(&chunk.kind()));
            png.set_exif(orientation_exif(&gathered.exif));
            Some(png.encoder().collect())
        }
        Format::WebP => {
            let mut webp = WebP::from_bytes(bytes.clone()).ok()?;
            let gathered = gather_webp(&webp);
            if !gathered.removable {
                return None;
            }
            webp.remove_chunks_by_id(CHUNK_XMP);
            // Also rewrites the VP8X flags to match the chunks left.
            webp.set_exif(orientation_exif(&gathered.exif));
            Some(webp.encoder().collect())
        }
    }
}

/// PNG chunks that hold metadata rather than anything about how to show the picture.
const PNG_METADATA: [[u8; 4]; 5] = [*b"eXIf", *b"tEXt", *b"zTXt", *b"iTXt", *b"tIME"];

fn keep_jpeg_segment(segment: &JpegSegment) -> bool {
    let contents = segment.contents();
    match segment.marker() {
        markers::APP0 | markers::APP14 => true,
        // The MPF segment lists the pictures after the end marker, which are cut off.
        markers::APP2 => contents.starts_with(b"ICC_PROFILE\0"),
        markers::COM => false,
        marker => !(markers::APP1..=markers::APP15).contains(&marker),
    }
}

/// The JPEG's own picture, without what follows its end, and its metadata.
fn gather_jpeg(bytes: &Bytes) -> Option<(Jpeg, Gathered)> {
    let end = jpeg_end(bytes).unwrap_or(bytes.len());
    let jpeg = Jpeg::from_bytes(bytes.slice(..end)).ok()?;
    let mut gathered = Gathered::default();
    for segment in jpeg.segments() {
        if keep_jpeg_segment(segment) {
            continue;
        }
        gathered.removable = true;
        let contents = segment.contents();
        match contents.strip_prefix(b"Exif\0\0") {
            Some(exif) if segment.marker() == markers::APP1 => gathered.exif.push(exif.to_vec()),
            _ => gathered.texts.push(contents.clone()),
        }
    }
    let trailer = &bytes[end..];
    // Some encoders pad the file after the end marker; padding reveals nothing.
    if trailer.iter().any(|b| !matches!(b, 0x00 | 0xFF | b'\r' | b'\n' | b' ')) {
        gathered.removable = true;
        gathered.exif.extend(trailer_exif(trailer));
        gathered.texts.push(bytes.slice(end..));
    }
    Some((jpeg, gathered))
}

/// The EXIF blocks of the pictures appended after a JPEG's end (APP1 segments of their own).
fn trailer_exif(trailer: &[u8]) -> Vec<Vec<u8>> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = memchr::memmem::find(&trailer[from..], b"Exif\0\0").map(|i| from + i) {
        from = at + 6;
        // The segment length (which counts itself) comes right before the signature.
        let Some(length) = at.checked_sub(2).and_then(|l| trailer.get(l..at)) else {
            continue;
        };
        let length = usize::from(u16::from_be_bytes([length[0], length[1]]));
        if let Some(block) = trailer.get(at + 6..(at + length).saturating_sub(2).min(trailer.len())) {
            found.push(block.to_vec());
        }
    }
    found
}

/// Where a JPEG's picture ends: after the first EOI marker outside segment contents and
/// entropy-coded data. `None` when the data is not a complete JPEG.
fn jpeg_end(bytes: &[u8]) -> Option<usize> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut at = 2;
    loop {
        // Between segments: fill bytes, or entropy-coded data where 0xFF is followed by 0x00
        // (a stuffed byte) or a restart marker, neither of which ends the scan.
        at += memchr::memchr(0xFF, bytes.get(at..)?)?;
        let mut marker_at = at + 1;
        while *bytes.get(marker_at)? == 0xFF {
            marker_at += 1;
        }
        let marker = bytes[marker_at];
        at = match marker {
            markers::EOI => return Some(marker_at + 1),
            0x00 | 0x01 | markers::RST0..=markers::RST7 => marker_at + 1,
            _ => {
                let length = bytes.get(marker_at + 1..marker_at + 3)?;
                marker_at + 1 + usize::from(u16::from_be_bytes([length[0], length[1]]))
            }
        };
    }
}

fn gather_png(png: &Png) -> Gathered {
    let mut gathered = Gathered::default();
    for chunk in png.chunks() {
        let kind = chunk.kind();
        if !PNG_METADATA.contains(&kind) {
            continue;
        }
        gathered.removable = true;
        let contents = chunk.contents();
        match &kind {
            b"eXIf" => gathered.exif.push(contents.strip_prefix(b"Exif\0\0").unwrap_or(contents).to_vec()),
            b"tEXt" | b"zTXt" | b"iTXt" => {
                let text = png_text(&kind, contents);
                gathered.exif.extend(raw_profile_exif(&text));
                gathered.texts.push(text);
            }
            _ => {}
        }
    }
    gathered
}

/// The text of a PNG text chunk, after its keyword, inflated if compressed.
fn png_text(kind: &[u8; 4], contents: &Bytes) -> Bytes {
    let Some(nul) = contents.iter().position(|&b| b == 0) else {
        return contents.clone();
    };
    let keyword = contents.slice(..nul);
    let rest = &contents[nul + 1..];
    let inflate = |data: &[u8]| {
        miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(data, 16 << 20)
            .map(Bytes::from)
            .unwrap_or_default()
    };
    let text = match kind {
        // Compression method byte, then zlib data.
        b"zTXt" => inflate(rest.get(1..).unwrap_or_default()),
        b"iTXt" => {
            // Compression flag, method, then language tag and translated keyword, each ended by NUL.
            let compressed = rest.first() == Some(&1);
            let after_tags = rest
                .get(2..)
                .and_then(|r| {
                    let lang = r.iter().position(|&b| b == 0)?;
                    let translated = r[lang + 1..].iter().position(|&b| b == 0)?;
                    r.get(lang + translated + 2..)
                })
                .unwrap_or_default();
            if compressed {
                inflate(after_tags)
            } else {
                Bytes::copy_from_slice(after_tags)
            }
        }
        _ => Bytes::copy_from_slice(rest),
    };
    [keyword, Bytes::from_static(b"\0"), text].concat().into()
}

/// ImageMagick keeps a photo's EXIF in PNG text as "Raw profile type exif": a name line, a length
/// line, then hexadecimal digits.
fn raw_profile_exif(text: &[u8]) -> Option<Vec<u8>> {
    let keyword_end = text.iter().position(|&b| b == 0)?;
    let keyword = &text[..keyword_end];
    if keyword != b"Raw profile type exif" && keyword != b"Raw profile type APP1" {
        return None;
    }
    let body = &text[keyword_end + 1..];
    let mut lines = body.splitn(4, |&b| b == b'\n');
    let digits = lines.nth(3)?;
    let nibbles: Vec<u8> = digits
        .iter()
        .filter_map(|&b| char::from(b).to_digit(16).and_then(|d| u8::try_from(d).ok()))
        .collect();
    let bytes: Vec<u8> = nibbles.chunks_exact(2).map(|pair| pair[0] << 4 | pair[1]).collect();
    Some(bytes.strip_prefix(b"Exif\0\0").map(<[u8]>::to_vec).unwrap_or(bytes))
}

fn gather_webp(webp: &WebP) -> Gathered {
    let mut gathered = Gathered::default();
    if let Some(exif) = webp.exif() {
        gathered.exif.push(exif.to_vec());
    }
    for chunk in webp.chunks_by_id(CHUNK_XMP) {
        gathered.texts.push(chunk.content().data().cloned().unwrap_or_default());
    }
    gathered.removable = webp.has_chunk(CHUNK_EXIF) || webp.has_chunk(CHUNK_XMP);
    gathered
}

/// Parses a raw EXIF block, keeping what could be read of a damaged one.
fn parse_exif(block: &[u8]) -> Option<exif::Exif> {
    let mut reader = exif::Reader::new();
    reader.continue_on_error(true);
    reader.read_raw(block.to_vec()).or_else(|e| e.distill_partial_result(|_| {})).ok()
}

/// An EXIF block holding only the picture's orientation, or `None` when it is upright (1) or
/// unknown: then no EXIF at all is written.
fn orientation_exif(blocks: &[Vec<u8>]) -> Option<Bytes> {
    let orientation = blocks.first().and_then(|block| parse_exif(block)).and_then(|exif| {
        let field = exif.get_field(exif::Tag::Orientation, exif::In::PRIMARY)?;
        field.value.get_uint(0).and_then(|o| u16::try_from(o).ok())
    })?;
    if !(2..=8).contains(&orientation) {
        return None;
    }
    let field = exif::Field {
        tag: exif::Tag::Orientation,
        ifd_num: exif::In::PRIMARY,
        value: exif::Value::Short(vec![orientation]),
    };
    let mut writer = exif::experimental::Writer::new();
    writer.push_field(&field);
    let mut out = std::io::Cursor::new(Vec::new());
    writer.write(&mut out, false).ok()?;
    Some(Bytes::from(out.into_inner()))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

#[cfg(test)]
pub(crate) mod tests;
