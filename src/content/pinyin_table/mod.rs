//! Toneless pinyin for slugs from a dictionary that build.rs precomputes out of
//! `pinyin-converter`'s word and character lists: the slugs of its `Pinyin::permalink`, without
//! its 0.4–0.75 s of building hash maps on first use. The table stays in the binary's read-only
//! data and is searched in place, so a call costs microseconds from the first one on.

mod plain;

use std::cmp::Ordering;

include!(concat!(env!("OUT_DIR"), "/pinyin_table.rs"));

/// Records of the dictionary keys (see build.rs): for each key length, sorted records of the key's
/// character ids (u16 big-endian) and its slug words (u32 LE, `offset << 8 | count` in `WORD_IDS`).
static ENTRIES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/pinyin_entries.bin"));

/// Slug word ids of the entries (u16 LE), indices into `WORDS`.
static WORD_IDS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/pinyin_words.bin"));

/// The longest dictionary key pinyin-converter matches, in characters.
const MAX_KEY_CHARS: usize = KEY_LENGTHS.len();

/// `text` as a slug, exactly as `pinyin::Pinyin::permalink(text)` of pinyin-converter 0.1 makes
/// it: the longest dictionary word at each place, words read syllable by syllable and a lone
/// character by its first reading, tones dropped, ü as v, hyphens between syllables. Of text the
/// dictionary lacks, runs of ASCII letters and digits (toneless) stay, one word per run between
/// spaces, CJK punctuation and dictionary words; the rest is dropped.
pub fn permalink(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let ids: Vec<Option<u16>> = chars.iter().map(|&c| char_id(c)).collect();
    let mut slug = String::with_capacity(text.len() * 2);
    let mut unmatched = String::new();
    let mut at = 0;
    while at < chars.len() {
        if let Some((length, words)) = longest_entry(&ids[at..]) {
            push_word(&mut slug, &std::mem::take(&mut unmatched));
            for word in words {
                push_word(&mut slug, word);
            }
            at += length;
            continue;
        }
        let c = chars[at];
        if c.is_whitespace() || is_cjk_punctuation(c) {
            push_word(&mut slug, &std::mem::take(&mut unmatched));
        } else if let Some(plain) = plain::plain_ascii(c) {
            unmatched.push(plain);
        }
        at += 1;
    }
    push_word(&mut slug, &unmatched);
    slug
}

/// Appends `word` after a hyphen (none before the first); empty words are skipped.
fn push_word(slug: &mut String, word: &str) {
    if word.is_empty() {
        return;
    }
    if !slug.is_empty() {
        slug.push('-');
    }
    slug.push_str(word);
}

/// The id of `c` in the dictionary's keys; `None` when no key holds it.
fn char_id(c: char) -> Option<u16> {
    KEY_CHARS.binary_search(&c).ok().and_then(|index| u16::try_from(index).ok())
}

/// The longest key at the start of `ids` (a text's character ids), with its slug words.
fn longest_entry(ids: &[Option<u16>]) -> Option<(usize, impl Iterator<Item = &'static str>)> {
    let mut key = [0u8; 2 * MAX_KEY_CHARS];
    let mut known = 0;
    for id in ids.iter().take(MAX_KEY_CHARS).map_while(|id| *id) {
        key[2 * known..2 * known + 2].copy_from_slice(&id.to_be_bytes());
        known += 1;
    }
    (1..=known)
        .rev()
        .find_map(|length| find_record(length, &key[..2 * length]).map(|words| (length, slug_words(words))))
}

/// The words field of the record of `key` (`length` character ids, big-endian) in the table.
fn find_record(length: usize, key: &[u8]) -> Option<u32> {
    let records = ENTRIES.get(KEY_LENGTHS.get(length - 1)?.clone())?;
    let size = 2 * length + 4;
    let (mut low, mut high) = (0, records.len() / size);
    while low < high {
        let middle = (low + high) / 2;
        let record = records.get(middle * size..(middle + 1) * size)?;
        match record[..2 * length].cmp(key) {
            Ordering::Less => low = middle + 1,
            Ordering::Greater => high = middle,
            Ordering::Equal => return Some(u32::from_le_bytes(record[2 * length..].try_into().ok()?)),
        }
    }
    None
}

/// The slug words a record's `offset << 8 | count` field names.
fn slug_words(field: u32) -> impl Iterator<Item = &'static str> {
    let (offset, count) = ((field >> 8) as usize, (field & 0xFF) as usize);
    let ids = WORD_IDS.get(2 * offset..2 * (offset + count)).unwrap_or_default();
    ids.chunks_exact(2)
        .filter_map(|id| WORDS.get(usize::from(u16::from_le_bytes([id[0], id[1]]))).copied())
}

/// The punctuation pinyin-converter treats as a boundary between words it does not know.
fn is_cjk_punctuation(c: char) -> bool {
    matches!(
        c,
        '。' | '，' | '、' | '；' | '：' | '？' | '！' | '（' | '）' | '《' | '》' | '「' | '」' | '『' | '』' | '【' | '】'
    )
}
