//! Building the n-gram tables of the search index.
//!
//! A query term of one to three UTF-16 code units (a Chinese character is one) is answered by a
//! table of the documents that hold that gram (with the count and whether it is in the title); a
//! longer term by the positions of its four-unit grams, checked to follow one another exactly. So a term is found exactly
//! where it occurs as a substring, with no word segmentation to disagree with the reader's.
//!
//! Postings are written as base-64 VLQ text (five bits a character, as in source maps), which a
//! script can carry from `file://` and decode quickly.

use rustc_hash::FxHashMap;

use super::text::BLOCK_BREAK;

/// The longest gram; longer terms are matched through the positions of their grams this long.
pub const MAX_GRAM: usize = 4;

/// The alphabet of the VLQ digits (the base-64 one, safe in a JSON string).
const DIGITS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Appends `value` as VLQ: five bits a digit, lowest first, the sixth bit set while more follow.
pub fn push_vlq(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let low = (value & 31) as usize;
        value >>= 5;
        if value == 0 {
            out.push(DIGITS[low]);
            return;
        }
        out.push(DIGITS[low | 32]);
    }
}

/// What the table builder reads of a document: its normalized, marked text (see
/// [`super::text::indexed_chars`]) as UTF-16 code units, the unit of JavaScript strings, so a gram
/// of four is one `u64` and the browser counts positions the same way.
pub struct DocUnits<'a> {
    /// The text.
    pub units: &'a [u16],
    /// How many units of it are the title.
    pub title_len: usize,
}

/// A gram as the shards name it: its text, or, when it holds half of a surrogate pair (a rare
/// character cut by a gram boundary), `#` and four hexadecimal digits per code unit.
pub fn gram_key(units: &[u16]) -> String {
    match String::from_utf16(units) {
        Ok(text) => text,
        Err(_) => std::iter::once("#".to_string())
            .chain(units.iter().map(|u| format!("{u:04x}")))
            .collect(),
    }
}

/// One table: the encoded postings of every gram of length `n`, grouped into shards.
#[derive(Debug)]
pub struct Table {
    /// The gram length.
    n: usize,
    /// Shard → (gram as a key, first unit highest; encoded postings), grams in first-seen order.
    shards: Vec<Vec<(u64, Vec<u8>)>>,
}

impl Table {
    /// How many shards the table has.
    pub fn shard_count(&self) -> usize {
        self.shards.len()
    }

    /// The object literal of shard `k`, `{"gram":"postings",…}`, appended to `out`: written
    /// directly from the postings, which are VLQ digits and so need no escaping.
    pub fn write_shard(&self, k: usize, out: &mut Vec<u8>) {
        let grams = self.shards.get(k).map(Vec::as_slice).unwrap_or_default();
        out.reserve(grams.iter().map(|(_, postings)| postings.len() + 8 + 4 * self.n).sum());
        out.push(b'{');
        for (i, (key, postings)) in grams.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_json_string(out, &gram_key(&key_units(*key, self.n)));
            out.extend_from_slice(b":\"");
            out.extend_from_slice(postings);
            out.push(b'"');
        }
        out.push(b'}');
    }
}

/// Appends `text` as a JSON string literal (also a valid JavaScript one).
fn push_json_string(out: &mut Vec<u8>, text: &str) {
    // Serializing a string into a Vec cannot fail: the Vec takes every write.
    let _ = serde_json::to_writer(out, text);
}

/// The code units of a gram key of `n` units (the first unit is the highest).
fn key_units(key: u64, n: usize) -> Vec<u16> {
    (0..n).rev().map(|i| (key >> (16 * i)) as u16).collect()
}

/// No position: ends a chain of positions.
const NONE: u32 = u32::MAX;

/// Builds the table of grams `n` code units long over `docs` (in id order), in `shard_count` shards.
/// Grams that hold whitespace are left out: query terms never contain any. Within a shard, grams
/// are in the order they are first seen in documents in id order: the same every build.
pub fn build_table(docs: &[DocUnits<'_>], n: usize, shard_count: usize) -> Table {
    let shard_total = shard_count.max(1);
    let mut shards: Vec<Vec<(u64, Vec<u8>)>> = (0..shard_total).map(|_| Vec::new()).collect();
    for (key, postings) in gram_postings(docs, n) {
        shards[key_shard(key, n, shard_total)].push((key, postings));
    }
    Table { n, shards }
}

/// The shard of a gram key: FNV-1a over its code units, modulo the shard count. The search
/// script computes the same to find the shard of a query's gram.
fn key_shard(key: u64, n: usize, shard_total: usize) -> usize {
    let mut hash: u32 = 0x811c_9dc5;
    for i in (0..n).rev() {
        hash ^= u32::from((key >> (16 * i)) as u16);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash as usize % shard_total
}

/// Every gram with its encoded postings, in first-seen order.
///
/// Each document's occurrences are gathered in per-gram slots (one hash lookup a code unit),
/// then written once per gram and document: short grams as `doc delta, count·2 + in title`, the
/// positional table as `doc delta, count, position deltas…`.
fn gram_postings(docs: &[DocUnits<'_>], n: usize) -> Vec<(u64, Vec<u8>)> {
    let positional = n == MAX_GRAM;
    let mask = if n == MAX_GRAM { u64::MAX } else { (1u64 << (16 * n)) - 1 };
    let mut slots: FxHashMap<u64, u32> = FxHashMap::default();
    // A one-unit gram is its own index: a plain array answers it without hashing.
    let mut single_slots: Vec<u32> = if n == 1 { vec![NONE; 1 << 16] } else { Vec::new() };
    let mut keys: Vec<u64> = Vec::new();
    let mut current: Vec<u32> = Vec::new();
    let mut counts: Vec<u32> = Vec::new();
    let mut in_title: Vec<bool> = Vec::new();
    let mut heads: Vec<u32> = Vec::new();
    let mut written: Vec<u32> = Vec::new();
    let mut encoded: Vec<Vec<u8>> = Vec::new();
    let mut touched: Vec<u32> = Vec::new();
    let mut chain: Vec<u32> = Vec::new();
    let mut positions: Vec<u32> = Vec::new();
    for (doc, text) in docs.iter().enumerate() {
        // Ids fit in u32: a site has far fewer than four billion pages.
        let doc = doc as u32;
        touched.clear();
        if positional {
            chain.clear();
            chain.resize(text.units.len(), NONE);
        }
        let mut key = 0u64;
        let mut last_separator: isize = -1;
        for (end, &unit) in text.units.iter().enumerate() {
            key = ((key << 16) | u64::from(unit)) & mask;
            if unit == SPACE || unit == BREAK {
                last_separator = end as isize;
            }
            if end + 1 < n {
                continue;
            }
            let start = end + 1 - n;
            if last_separator >= start as isize {
                continue;
            }
            let next = keys.len() as u32;
            let slot = if n == 1 {
                let slot = &mut single_slots[key as usize];
                if *slot == NONE {
                    *slot = next;
                }
                *slot as usize
            } else {
                *slots.entry(key).or_insert(next) as usize
            };
            if slot == keys.len() {
                keys.push(key);
                current.push(NONE);
                counts.push(0);
                in_title.push(false);
                heads.push(NONE);
                written.push(0);
                encoded.push(Vec::new());
            }
            if current[slot] != doc {
                current[slot] = doc;
                counts[slot] = 0;
                in_title[slot] = false;
                heads[slot] = NONE;
                touched.push(slot as u32);
            }
            counts[slot] += 1;
            if positional {
                chain[start] = heads[slot];
                heads[slot] = start as u32;
            } else if start + n <= text.title_len {
                in_title[slot] = true;
            }
        }
        for &slot in &touched {
            let slot = slot as usize;
            let out = &mut encoded[slot];
            push_vlq(out, u64::from(doc - written[slot]));
            written[slot] = doc;
            if positional {
                positions.clear();
                let mut at = heads[slot];
                while at != NONE {
                    positions.push(at);
                    at = chain[at as usize];
                }
                push_vlq(out, positions.len() as u64);
                let mut previous = 0;
                for &p in positions.iter().rev() {
                    push_vlq(out, u64::from(p - previous));
                    previous = p;
                }
            } else {
                push_vlq(out, u64::from(counts[slot]) * 2 + u64::from(in_title[slot]));
            }
        }
    }
    keys.into_iter().zip(encoded).collect()
}

/// The separators as code units.
const SPACE: u16 = b' ' as u16;
const BREAK: u16 = BLOCK_BREAK as u16;

#[cfg(test)]
mod tests {
    use super::*;

    /// FNV-1a over code units, as the search script computes it.
    fn gram_hash(gram: &[u16]) -> u32 {
        let mut hash: u32 = 0x811c_9dc5;
        for &unit in gram {
            hash ^= u32::from(unit);
            hash = hash.wrapping_mul(0x0100_0193);
        }
        hash
    }

    fn decode(text: &[u8]) -> Vec<u64> {
        let mut values = Vec::new();
        let (mut value, mut shift) = (0u64, 0);
        for &b in text {
            let digit = DIGITS.iter().position(|&d| d == b).unwrap() as u64;
            value |= (digit & 31) << shift;
            shift += 5;
            if digit & 32 == 0 {
                values.push(value);
                value = 0;
                shift = 0;
            }
        }
        values
    }

    #[test]
    fn gram_keys_survive_cut_surrogate_pairs() {
        assert_eq!(gram_key(&"党建".encode_utf16().collect::<Vec<_>>()), "党建");
        let rare: Vec<u16> = "𠮷党".encode_utf16().collect();
        assert_eq!(gram_key(&rare[1..]), "#dfb7515a");
    }

    #[test]
    fn vlq_round_trips() {
        let mut out = Vec::new();
        for v in [0, 1, 31, 32, 1000, 123_456_789] {
            push_vlq(&mut out, v);
        }
        assert_eq!(decode(&out), vec![0, 1, 31, 32, 1000, 123_456_789]);
        assert_eq!(&out[..3], b"ABf");
    }

    /// The decoded postings of `gram` in a one-shard table.
    fn find(table: &Table, gram: &str) -> Option<Vec<u64>> {
        let units: Vec<u16> = gram.encode_utf16().collect();
        table.shards[0]
            .iter()
            .find(|(g, _)| key_units(*g, units.len()) == units)
            .map(|(_, e)| decode(e))
    }

    #[test]
    fn tables_count_documents_and_positions() {
        let a: Vec<u16> = "党建\n学习党建工作".encode_utf16().collect();
        let b: Vec<u16> = "工作 党建".encode_utf16().collect();
        let docs = [DocUnits { units: &a, title_len: 2 }, DocUnits { units: &b, title_len: 2 }];
        let table = build_table(&docs, 2, 1);
        // 党建: doc 0 twice, once in the title (2·2+1); doc 1 once (delta 1, 1·2+0).
        assert_eq!(find(&table, "党建"), Some(vec![0, 5, 1, 2]));
        assert_eq!(find(&table, "建\n"), None);
        let table = build_table(&docs, 4, 1);
        assert_eq!(find(&table, "党建工作"), Some(vec![0, 1, 5]));
    }

    #[test]
    fn grams_go_to_the_shard_the_script_computes() {
        let texts = ["党建\n学习党建工作", "工作 党建", "\u{1}ab党建\n学习", "学习工作党建学习"];
        let units: Vec<Vec<u16>> = texts.iter().map(|t| t.encode_utf16().collect()).collect();
        let docs: Vec<DocUnits<'_>> = units.iter().map(|u| DocUnits { units: u, title_len: 2 }).collect();
        for n in 1..=MAX_GRAM {
            let table = build_table(&docs, n, 5);
            assert!(
                table.shards.iter().filter(|s| !s.is_empty()).count() > 1,
                "the grams spread over shards"
            );
            for (k, shard) in table.shards.iter().enumerate() {
                for (key, _) in shard {
                    assert_eq!(gram_hash(&key_units(*key, n)) as usize % 5, k);
                }
            }
        }
    }

    #[test]
    fn shards_are_object_literals_with_escaped_keys() {
        let a: Vec<u16> = "\u{1}ab党".encode_utf16().collect();
        let table = build_table(&[DocUnits { units: &a, title_len: 0 }], 3, 1);
        let mut out = Vec::new();
        table.write_shard(0, &mut out);
        let object: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(object, serde_json::json!({"\u{1}ab": "AC", "ab党": "AC"}));
        let mut empty = Vec::new();
        table.write_shard(7, &mut empty);
        assert_eq!(empty, b"{}");
    }
}
