//! The text of attached documents (DOCX and PDF in page bundles), so the privacy rules can read
//! what a reader downloads. See docs/decisions/0005-attachment-text.md for the choice of crates.
//!
//! Text comes in numbered parts: the paragraphs of a DOCX (in document order, table cells
//! included; headers, footers and notes as part 0) and the pages of a PDF. The part number is
//! reported as the finding's line.

use std::io::Read;
use std::path::Path;

/// Attachments bigger than this are not opened (a scanned archive is no text anyway).
pub const MAX_SIZE: u64 = 64 * 1024 * 1024;

/// Biggest XML part of a DOCX that is read, uncompressed (a zip bomb stops here).
const MAX_XML: u64 = 128 * 1024 * 1024;

/// The extensions read, lowercase.
pub fn is_document(extension: &str) -> bool {
    matches!(extension, "docx" | "pdf")
}

/// The text of a DOCX or PDF file as (part number, text) pairs; an error says why it could not
/// be read.
pub fn extract(path: &Path, extension: &str) -> Result<Vec<(usize, String)>, String> {
    let size = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if size > MAX_SIZE {
        return Err(format!("it is larger than {} MB", MAX_SIZE / 1024 / 1024));
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    // The parsers read untrusted files; a bug in one of them must cost one file, not the build.
    std::panic::catch_unwind(|| match extension {
        "docx" => docx_text(&bytes),
        "pdf" => pdf_text(&bytes),
        other => Err(format!("`.{other}` files are not read")),
    })
    .unwrap_or_else(|_| Err("the file's structure is not understood".to_string()))
}

/// Paragraphs of `word/document.xml` numbered from 1; headers, footers, footnotes and endnotes as
/// part 0.
fn docx_text(bytes: &[u8]) -> Result<Vec<(usize, String)>, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| format!("it is not a DOCX (zip) file: {e}"))?;
    let body = read_part(&mut archive, "word/document.xml")?.ok_or("it has no word/document.xml: not a Word document")?;
    let mut parts = paragraphs(&body)?
        .into_iter()
        .enumerate()
        .map(|(i, p)| (i + 1, p))
        .collect::<Vec<_>>();
    let extra: Vec<String> = archive
        .file_names()
        .filter_map(|name| name.ok().map(|n| n.into_owned()))
        .filter(|name| {
            let name = name.strip_prefix("word/").unwrap_or("");
            (name.starts_with("header") || name.starts_with("footer") || name == "footnotes.xml" || name == "endnotes.xml")
                && name.ends_with(".xml")
                && !name.contains('/')
        })
        .collect();
    for name in extra {
        if let Some(xml) = read_part(&mut archive, &name)? {
            parts.extend(paragraphs(&xml)?.into_iter().map(|p| (0, p)));
        }
    }
    Ok(parts)
}

fn read_part(archive: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>, name: &str) -> Result<Option<String>, String> {
    let file = match archive.by_name(name) {
        Ok(file) => file,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(format!("{name} cannot be read: {e}")),
    };
    let mut xml = String::new();
    file.take(MAX_XML)
        .read_to_string(&mut xml)
        .map_err(|e| format!("{name} cannot be read: {e}"))?;
    Ok(Some(xml))
}

/// WordprocessingML namespace.
const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// The text of each `w:p`: runs (`w:t`, and `w:delText` — deleted text of tracked changes is still
/// in the file), tabs and breaks.
fn paragraphs(xml: &str) -> Result<Vec<String>, String> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..Default::default()
    };
    let document = roxmltree::Document::parse_with_options(xml, options).map_err(|e| format!("its XML is broken: {e}"))?;
    let mut out = Vec::new();
    for paragraph in document.descendants().filter(|n| n.has_tag_name((W, "p"))) {
        let mut text = String::new();
        for node in paragraph
            .descendants()
            .filter(|n| n.is_element() && n.tag_name().namespace() == Some(W))
        {
            // Paragraphs nested in text boxes are counted on their own.
            if node.ancestors().skip(1).find(|a| a.has_tag_name((W, "p"))) != Some(paragraph) {
                continue;
            }
            match node.tag_name() {
                name if matches!(name.name(), "t" | "delText") => text.push_str(node.text().unwrap_or("")),
                name if matches!(name.name(), "tab") => text.push('\t'),
                name if matches!(name.name(), "br" | "cr") => text.push('\n'),
                _ => {}
            }
        }
        out.push(text);
    }
    Ok(out)
}

/// The text of each page, numbered from 1.
fn pdf_text(bytes: &[u8]) -> Result<Vec<(usize, String)>, String> {
    let document = lopdf::Document::load_mem(bytes).map_err(|e| format!("it is not a readable PDF: {e}"))?;
    if document.is_encrypted() {
        return Err("it is encrypted".to_string());
    }
    let mut pages = Vec::new();
    for number in document.get_pages().into_keys() {
        let text = document
            .extract_text(&[number])
            .map_err(|e| format!("the text of page {number} cannot be read: {e}"))?;
        pages.push((number as usize, text));
    }
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docx_paragraphs_runs_and_tracked_deletions() {
        let xml = format!(
            r#"<w:document xmlns:w="{W}"><w:body>
            <w:p><w:r><w:t>电话：</w:t></w:r><w:r><w:t xml:space="preserve">138 1234</w:t></w:r><w:r><w:t> 5678</w:t></w:r></w:p>
            <w:p/>
            <w:tbl><w:tr><w:tc><w:p><w:r><w:t>身份证</w:t></w:r><w:r><w:tab/><w:delText>x</w:delText></w:r></w:p></w:tc></w:tr></w:tbl>
            </w:body></w:document>"#
        );
        assert_eq!(paragraphs(&xml).unwrap(), vec!["电话：138 1234 5678", "", "身份证\tx"]);
        assert!(paragraphs("<w:p>").is_err());
    }

    #[test]
    fn broken_files_are_errors_not_panics() {
        assert!(docx_text(b"not a zip").unwrap_err().contains("not a DOCX"));
        assert!(pdf_text(b"%PDF-1.4\n% test report\n%%EOF").is_err());
    }
}
