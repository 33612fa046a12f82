//! Tiny sample images for tests and benchmarks: the smallest JPEG, PNG and WebP a decoder
//! accepts (each checked with Pillow), and EXIF as a phone writes it. Shared by the unit tests of
//! [`super::metadata`] and the integration tests, so one definition serves both.

/// An 8×8 grey baseline JPEG.
pub fn tiny_jpeg() -> Vec<u8> {
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x43, 0x00];
    jpeg.extend([1; 64]);
    jpeg.extend([0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01, 0x11, 0x00]);
    for class in [0x00, 0x10] {
        jpeg.extend([0xFF, 0xC4, 0x00, 0x14, class, 0x01]);
        jpeg.extend([0; 16]);
    }
    jpeg.extend([0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, 0x3F, 0xFF, 0xD9]);
    jpeg
}

/// A 1×1 PNG.
pub fn tiny_png() -> Vec<u8> {
    hex(
        "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da636460f85f0f0002870180eb47ba920000000049454e44ae426082",
    )
}

/// A 1×1 lossless WebP.
pub fn tiny_webp() -> Vec<u8> {
    hex("524946461a000000574542505650384c0d0000002f00000010071011118888fe0700")
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// An EXIF block as a phone writes it: where (39°54′27″N 116°23′30″E), with what camera (HUAWEI
/// P40), which way up (`orientation`, 1–8).
pub fn phone_exif(orientation: u16) -> Vec<u8> {
    use exif::{Field, In, Rational, Tag, Value};
    let degrees = |d, m, s| Value::Rational([d, m, s].into_iter().map(|num| Rational { num, denom: 1 }).collect());
    let ascii = |text: &[u8]| Value::Ascii(vec![text.to_vec()]);
    let fields = [
        (Tag::Make, ascii(b"HUAWEI")),
        (Tag::Model, ascii(b"P40")),
        (Tag::Orientation, Value::Short(vec![orientation])),
        (Tag::GPSLatitudeRef, ascii(b"N")),
        (Tag::GPSLatitude, degrees(39, 54, 27)),
        (Tag::GPSLongitude, degrees(116, 23, 30)),
    ]
    .map(|(tag, value)| Field {
        tag,
        ifd_num: In::PRIMARY,
        value,
    });
    let mut writer = exif::experimental::Writer::new();
    for field in &fields {
        writer.push_field(field);
    }
    let mut out = std::io::Cursor::new(Vec::new());
    // Writing a few well-formed fields into memory cannot fail.
    let _ = writer.write(&mut out, false);
    out.into_inner()
}
