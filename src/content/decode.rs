//! Turning the bytes of a text file into a `String`: UTF-8 (with or without BOM), or GB18030/GBK
//! from older Windows tools, never mojibake.

/// A decoded text file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text with CRLF line endings turned into LF (line numbers are unchanged).
    pub text: String,
    /// True when the file was not UTF-8 and was read as GB18030 (the caller warns).
    pub legacy_encoding: bool,
}

/// Why a file could not be read as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    /// The file holds NUL bytes: an image or document saved with a text extension.
    Binary,
    /// Neither UTF-8 nor clean GB18030.
    Undecodable,
}

/// Decodes `bytes` as UTF-8, else as GB18030, else fails.
pub fn decode_text(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    decode_owned(bytes.to_vec())
}

/// [`decode_text`] of bytes the caller no longer needs: UTF-8 without a BOM, nearly every file,
/// becomes the text without a copy.
pub fn decode_owned(bytes: Vec<u8>) -> Result<Decoded, DecodeError> {
    if memchr::memchr(0, &bytes).is_some() {
        return Err(DecodeError::Binary);
    }
    let (text, legacy_encoding) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(without_bom) => decode_slice(without_bom)?,
        None => match String::from_utf8(bytes) {
            Ok(text) => (text, false),
            Err(error) => decode_slice(error.as_bytes())?,
        },
    };
    let text = if text.contains('\r') { text.replace("\r\n", "\n") } else { text };
    Ok(Decoded { text, legacy_encoding })
}

/// The text of `bytes` (no BOM) and whether it was GB18030.
fn decode_slice(bytes: &[u8]) -> Result<(String, bool), DecodeError> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.to_string(), false));
    }
    let decoded = encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or(DecodeError::Undecodable)?;
    // GB18030 maps almost any byte sequence somewhere; real text has no control characters.
    if decoded.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(DecodeError::Undecodable);
    }
    Ok((decoded.into_owned(), true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_bom_and_crlf() {
        let decoded = decode_text("\u{feff}+++\r\ntitle = \"学习\"\r\n+++\r\n正文".as_bytes()).unwrap();
        assert_eq!(decoded.text, "+++\ntitle = \"学习\"\n+++\n正文");
        assert!(!decoded.legacy_encoding);
    }

    #[test]
    fn gbk_is_read_with_flag() {
        let (bytes, _, _) = encoding_rs::GBK.encode("三会一课制度学习");
        let decoded = decode_text(&bytes).unwrap();
        assert_eq!(decoded.text, "三会一课制度学习");
        assert!(decoded.legacy_encoding);
    }

    #[test]
    fn binary_and_garbage_are_refused() {
        assert_eq!(decode_text(b"\x89PNG\r\n\x1a\n\0\0\0"), Err(DecodeError::Binary));
        assert_eq!(decode_text(b"\xff\xff\xff\x01\x02"), Err(DecodeError::Undecodable));
    }
}
