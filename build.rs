//! Watches the embedded theme and example site, and precomputes the pinyin slug table.
//!
//! The table: `pinyin-converter` (a dev-dependency, kept to test against) parses its 8.6 MB
//! word and character lists into hash maps on first use, 0.4–0.75 s of every build. Here the same
//! lists, merged by the same rules, become a sorted table in OUT_DIR that
//! `src/content/pinyin_table/` searches in place: no start-up cost. tests/pinyin_slugs.rs
//! checks that both give the same slugs.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "src/content/pinyin_table/plain.rs"]
mod plain;

fn main() {
    println!("cargo:rerun-if-changed=themes/default");
    println!("cargo:rerun-if-changed=site/content");
    println!("cargo:rerun-if-changed=site/config.toml");
    println!("cargo:rerun-if-changed=site/data");
    println!("cargo:rerun-if-changed=site/archetypes");
    println!("cargo:rerun-if-changed=site/static");
    println!("cargo:rerun-if-changed=site/templates");

    // A new pinyin-converter version has other lists.
    println!("cargo:rerun-if-changed=Cargo.lock");

    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let sources = pinyin_converter_sources();
    println!("cargo:rustc-env=DANGJIAN_PINYIN_SOURCES={}", sources.display());
    // This script reruns whenever the site or theme changes; the table takes seconds to make
    // (build scripts are not optimized), so it is made again only when its inputs changed.
    let stamp_path = out_dir.join("pinyin_table.stamp");
    let stamp = table_stamp(&sources);
    if fs::read_to_string(&stamp_path).ok().as_ref() != Some(&stamp) {
        write_pinyin_table(&sources, &out_dir);
        fs::write(&stamp_path, stamp).unwrap_or_else(|e| panic!("cannot write {}: {e}", stamp_path.display()));
    }
}

/// The source lists used.
const SOURCE_LISTS: [&str; 5] = ["chars.txt", "patches/chars.txt", "words.txt", "patches/words.txt", "surnames.txt"];

/// What the table was made from: the lists (path, size, modification time) and this script's
/// own executable (rebuilt when build.rs or the shared code changes).
fn table_stamp(sources: &Path) -> String {
    let files = SOURCE_LISTS
        .iter()
        .map(|name| sources.join(name))
        .chain(std::env::current_exe().ok());
    files
        .map(|path| {
            let meta = fs::metadata(&path).ok();
            let modified = meta.as_ref().and_then(|m| m.modified().ok());
            format!("{} {:?} {modified:?}\n", path.display(), meta.map(|m| m.len()))
        })
        .collect()
}

/// The `sources/` folder of the `pinyin-converter` package in Cargo.lock, wherever Cargo keeps it
/// (registry cache, `cargo vendor` folder…), as `cargo metadata` reports it. Offline first; if a
/// package is missing from the cache (a fresh clone built with `cargo build` has not fetched the
/// dev-dependencies), once more with the network.
fn pinyin_converter_sources() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let target = std::env::var("TARGET").expect("cargo sets TARGET");
    let mut errors = String::new();
    for offline in [true, false] {
        let mut command = Command::new(&cargo);
        command
            .args(["metadata", "--format-version", "1", "--filter-platform", &target, "--manifest-path"])
            .arg(&manifest);
        if offline {
            command.arg("--offline");
        }
        match command.output() {
            Ok(output) if output.status.success() => {
                let json = String::from_utf8_lossy(&output.stdout);
                if let Some(sources) = json_strings_after(&json, "\"manifest_path\":\"").find_map(|path| package_sources(Path::new(&path)))
                {
                    return sources;
                }
                errors.push_str("cargo metadata lists no pinyin-converter package with a sources/ folder\n");
            }
            Ok(output) => errors.push_str(&String::from_utf8_lossy(&output.stderr)),
            Err(error) => errors.push_str(&format!("cannot run {cargo}: {error}\n")),
        }
    }
    panic!("cannot find the word lists of pinyin-converter (run `cargo fetch` once, online):\n{errors}");
}

/// `sources/` beside `manifest` when it is pinyin-converter's Cargo.toml.
fn package_sources(manifest: &Path) -> Option<PathBuf> {
    let text = fs::read_to_string(manifest).ok()?;
    let is_converter = text.lines().any(|line| line.replace(' ', "") == "name=\"pinyin-converter\"");
    let sources = manifest.parent()?.join("sources");
    (is_converter && sources.join("words.txt").is_file()).then_some(sources)
}

/// Every JSON string value that follows `prefix` in `json`, unescaped (paths need only `\\`,
/// `\"` and `\/`).
fn json_strings_after<'a>(json: &'a str, prefix: &'a str) -> impl Iterator<Item = String> + 'a {
    json.match_indices(prefix).map(move |(at, _)| {
        let mut value = String::new();
        let mut chars = json[at + prefix.len()..].chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => value.extend(chars.next()),
                c => value.push(c),
            }
        }
        value
    })
}

/// The merged dictionary of `pinyin-converter`'s default matcher: character → readings, then
/// surnames, then words overriding (its `Lexicon::default_entries`). Each source line goes through
/// the crate's build.rs parse, is written as "key: pinyin" and read back by its loader's parse,
/// so that odd lines end up exactly as in the crate.
fn merged_entries(sources: &Path) -> HashMap<String, String> {
    let read = |name: &str| {
        let path = sources.join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        text.lines().filter_map(parse_source_line).collect::<Vec<_>>()
    };
    let mut chars = Vec::new();
    for (key, pinyin) in read(SOURCE_LISTS[0]).into_iter().chain(read(SOURCE_LISTS[1])) {
        // The crate's build fails on such a key, so valid data has none.
        let code = key.strip_prefix("U+").and_then(|hex| u32::from_str_radix(hex, 16).ok());
        let c = code
            .and_then(char::from_u32)
            .unwrap_or_else(|| panic!("invalid character key {key}"));
        chars.push((c.to_string(), pinyin));
    }
    let mut words: Vec<_> = read(SOURCE_LISTS[2])
        .into_iter()
        .chain(read(SOURCE_LISTS[3]))
        .collect::<HashMap<_, _>>()
        .into_iter()
        .collect();
    words.sort_by(|a, b| a.0.cmp(&b.0));
    let surnames = read(SOURCE_LISTS[4]);

    // Most rows come back unchanged: their key is trimmed and holds no ':' (the loader splits at
    // the first one), the pinyin is trimmed and not empty.
    let reload = |rows: Vec<(String, String)>| -> Vec<(String, String)> {
        rows.into_iter()
            .filter_map(|(key, pinyin)| {
                let unchanged = !key.is_empty() && key.trim() == key && !key.contains(':') && !key.starts_with('#');
                if unchanged {
                    Some((key, pinyin))
                } else {
                    parse_loader_line(&format!("{key}: {pinyin}"))
                }
            })
            .collect()
    };
    let mut merged: HashMap<String, String> = reload(chars).into_iter().collect();
    let surnames: HashMap<String, String> = reload(surnames).into_iter().collect();
    let words: HashMap<String, String> = reload(words).into_iter().collect();
    merged.extend(surnames);
    merged.extend(words);
    merged
}

/// `parse_line` of pinyin-converter's build.rs.
fn parse_source_line(line: &str) -> Option<(String, String)> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let (key, value) = line.split_once(':')?;
    let pinyin = value
        .split_whitespace()
        .take_while(|part| !part.starts_with('#'))
        .collect::<Vec<_>>()
        .join(" ");
    let key = key.trim();
    (!key.is_empty() && !pinyin.is_empty()).then(|| (key.to_string(), pinyin))
}

/// `parse_line` of pinyin-converter's src/loader.rs.
fn parse_loader_line(line: &str) -> Option<(String, String)> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let (key, value) = line.split_once(':')?;
    let (key, value) = (key.trim(), value.trim());
    (!key.is_empty() && !value.is_empty()).then(|| (key.to_string(), value.to_string()))
}

/// The slug words `Pinyin::permalink` makes of a matched dictionary entry: the first reading of
/// a single character, every syllable of a word; none for a key without letters or digits
/// (the crate drops it as punctuation).
fn slug_words(key: &str, pinyin: &str) -> Vec<String> {
    if !key.chars().any(char::is_alphanumeric) {
        return Vec::new();
    }
    let syllables: Vec<&str> = if key.chars().count() == 1 {
        pinyin.split_whitespace().take(1).collect()
    } else {
        pinyin.split_whitespace().collect()
    };
    syllables.into_iter().map(slug_word).filter(|word| !word.is_empty()).collect()
}

/// A syllable as it shows in a slug (pinyin-converter's `slug_token` of the toneless syllable).
fn slug_word(syllable: &str) -> String {
    syllable.chars().filter_map(plain::plain_ascii).collect()
}

/// Writes the table read by src/content/pinyin_table/mod.rs:
/// - `pinyin_entries.bin`: for key lengths 1, 2… in turn, the keys of that many characters sorted,
///   each a record of its character ids (u16 big-endian, so that records sort as bytes) and a u32
///   LE `offset << 8 | count` of its slug words in `pinyin_words.bin` (u16 LE word ids).
/// - `pinyin_table.rs`: every character of a key, sorted (a character's id is its index), the
///   slug words, and where each key length's records are.
fn write_pinyin_table(sources: &Path, out_dir: &Path) {
    // Sorted, so that the same lists always give the same bytes.
    let mut entries: Vec<(String, String)> = merged_entries(sources).into_iter().collect();
    entries.sort_unstable();
    let mut chars: Vec<char> = entries.iter().flat_map(|(key, _)| key.chars()).collect();
    chars.sort_unstable();
    chars.dedup();
    assert!(
        chars.len() <= usize::from(u16::MAX),
        "{} characters do not fit u16 ids",
        chars.len()
    );
    let char_id = |c: char| chars.binary_search(&c).expect("every key character is listed") as u16;

    let mut words: Vec<String> = Vec::new();
    let mut word_ids: HashMap<String, u16> = HashMap::new();
    let mut word_stream: Vec<u16> = Vec::new();
    let mut sequences: HashMap<Vec<u16>, u32> = HashMap::new();
    let mut by_length: Vec<Vec<(Vec<u8>, u32)>> = Vec::new();
    for (key, pinyin) in &entries {
        let ids: Vec<u16> = slug_words(key, pinyin)
            .into_iter()
            .map(|word| {
                *word_ids.entry(word.clone()).or_insert_with(|| {
                    words.push(word);
                    u16::try_from(words.len() - 1).expect("fewer than 65,536 distinct slug words")
                })
            })
            .collect();
        let count = u32::try_from(ids.len())
            .ok()
            .filter(|&n| n < 256)
            .expect("fewer than 256 words in an entry");
        let offset = *sequences.entry(ids).or_insert_with_key(|ids| {
            let offset = word_stream.len() as u32;
            word_stream.extend(ids);
            offset
        });
        assert!(offset < 1 << 24, "word stream offset fits 24 bits");
        let record_key: Vec<u8> = key.chars().flat_map(|c| char_id(c).to_be_bytes()).collect();
        let length = key.chars().count();
        if by_length.len() < length {
            by_length.resize_with(length, Vec::new);
        }
        by_length[length - 1].push((record_key, offset << 8 | count));
    }

    let mut entry_bytes = Vec::new();
    let mut ranges = String::new();
    for records in &mut by_length {
        records.sort_unstable();
        let start = entry_bytes.len();
        for (key, value) in records.iter() {
            entry_bytes.extend(key);
            entry_bytes.extend(value.to_le_bytes());
        }
        write!(ranges, "{start}..{}, ", entry_bytes.len()).expect("writing to a String cannot fail");
    }
    let char_list: String = chars.iter().map(|c| format!("'\\u{{{:x}}}', ", u32::from(*c))).collect();
    let stream_bytes: Vec<u8> = word_stream.iter().flat_map(|id| id.to_le_bytes()).collect();
    let word_list: String = words.iter().map(|word| format!("{word:?}, ")).collect();
    let rust = format!(
        "/// Every character of a dictionary key, sorted: a character's id is its index.\n\
         static KEY_CHARS: [char; {}] = [{char_list}];\n\
         /// Slug words by id.\nstatic WORDS: [&str; {}] = [{word_list}];\n\
         /// Byte ranges in `ENTRIES` of the records of keys with 1, 2… characters.\n\
         const KEY_LENGTHS: [std::ops::Range<usize>; {}] = [{ranges}];\n",
        chars.len(),
        words.len(),
        by_length.len()
    );
    for (name, bytes) in [
        ("pinyin_entries.bin", entry_bytes.as_slice()),
        ("pinyin_words.bin", &stream_bytes),
        ("pinyin_table.rs", rust.as_bytes()),
    ] {
        let path = out_dir.join(name);
        fs::write(&path, bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    }
}
