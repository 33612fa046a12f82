//! The compiled-in pinyin table (src/content/pinyin_table) gives exactly the slugs of
//! pinyin-converter's `Pinyin::permalink`, which it replaced: every character, surname and patch
//! entry of the crate's lists, a sample of its words and of phrases made of them, the example
//! site's text, and mixed or odd input.

use std::path::Path;

use dangjian::config::SlugStyle;
use dangjian::content::pinyin_table::permalink;
use dangjian::content::slug::{is_han, slugify};

/// The crate's `sources/` folder, as build.rs found it.
const SOURCES: &str = env!("DANGJIAN_PINYIN_SOURCES");

/// Fails with the first differences when any input's slug differs from the crate's.
fn assert_same_slugs(what: &str, inputs: impl IntoIterator<Item = String>) {
    let mut compared = 0;
    let mut differences = Vec::new();
    for input in inputs {
        compared += 1;
        let (ours, theirs) = (permalink(&input), pinyin::Pinyin::permalink(&input));
        if ours != theirs {
            differences.push(format!("{input:?}: ours {ours:?}, pinyin-converter {theirs:?}"));
        }
    }
    assert!(compared > 0, "{what}: nothing to compare");
    assert!(
        differences.is_empty(),
        "{what}: {} of {compared} slugs differ:\n{}",
        differences.len(),
        differences.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );
}

/// The keys of a source list ("key: pinyin" lines; characters as U+XXXX).
fn source_keys(name: &str) -> Vec<String> {
    let path = Path::new(SOURCES).join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .filter_map(|line| line.split_once(':'))
        .map(|(key, _)| key.trim())
        .filter_map(|key| match key.strip_prefix("U+") {
            Some(hex) => u32::from_str_radix(hex, 16).ok().and_then(char::from_u32).map(String::from),
            None => Some(key.to_string()),
        })
        .collect()
}

#[test]
fn every_character_surname_and_patch() {
    let mut keys = source_keys("chars.txt");
    for name in ["patches/chars.txt", "surnames.txt", "patches/words.txt"] {
        keys.extend(source_keys(name));
    }
    assert!(keys.len() > 40_000, "the character list has {} keys", keys.len());
    assert_same_slugs("characters", keys);
}

#[test]
fn a_sample_of_words_and_of_phrases_made_of_them() {
    let words = source_keys("words.txt");
    assert!(words.len() > 300_000, "the word list has {} keys", words.len());
    // Every 5th word alone, and runs of three neighbours in the sorted list joined: neighbours share
    // prefixes, so the longest match must pick among overlapping keys across word boundaries.
    let sample = words.iter().step_by(5).cloned();
    let phrases = words.chunks(3).step_by(37).map(|run| run.concat());
    assert_same_slugs("words", sample.chain(phrases));
}

#[test]
fn mixed_and_odd_text() {
    let fixed = [
        "",
        " ",
        "银行",
        "重庆",
        "重",
        "单于单",
        "学习心得体会",
        "带着希望去旅行",
        "2023年 工作总结（上）",
        "Hello, World!",
        "旅行lǚxíng LǙ ÜBER über",
        "琢磨 嗯 ⺁ 〇 π日 ㄅㄧㄤˋ",
        "豈更 𠀀𠀁 𪜀",
        "🚩党建🚩 ＡＢＣ１２３ Ⅻ",
        "a，b。c、d；e：f？g！h（i）j《k》l「m」n『o』p【q】r",
        "ā b\tc\nd\u{3000}e",
        "n̄ ê̄ ḿ ń",
        "中A国b人c",
        "--a__b--",
        "三会一课 主题党日 两学一做",
    ];
    let mut inputs: Vec<String> = fixed.iter().map(|s| s.to_string()).collect();
    // Pseudo-random strings over a pool that mixes dictionary characters with everything else.
    let pool: Vec<char> = "中国共产党员重庆银行行长长大了单于曾解华种乐觉得地的着Aa1 ，。!ü\u{e9}ǚ-_🚩〇⺁豈𠀀"
        .chars()
        .collect();
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..3_000 {
        let mut text = String::new();
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        for _ in 0..(state >> 60) + 1 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            text.push(pool[(state >> 33) as usize % pool.len()]);
        }
        inputs.push(text);
    }
    assert_same_slugs("mixed text", inputs);
}

#[test]
fn the_example_site_text() {
    let mut lines = Vec::new();
    for entry in walkdir::WalkDir::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("site"))
        .into_iter()
        .flatten()
    {
        let is_text = entry
            .path()
            .extension()
            .is_some_and(|e| ["md", "toml", "json", "yaml", "csv"].iter().any(|t| e == *t));
        if entry.file_type().is_file() && is_text {
            lines.extend(
                std::fs::read_to_string(entry.path())
                    .unwrap_or_default()
                    .lines()
                    .map(str::to_string),
            );
            lines.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    assert!(lines.len() > 1_000, "the example site has {} lines of text", lines.len());
    // slugify hands the table single runs of Chinese characters: each of those as slugify makes it,
    // and whole lines straight to the table.
    let mut runs = Vec::new();
    for line in &lines {
        let chars: Vec<char> = line.chars().collect();
        for run in chars.chunk_by(|a, b| is_han(*a) == is_han(*b)).filter(|run| is_han(run[0])) {
            let run: String = run.iter().collect();
            assert_eq!(
                slugify(&run, SlugStyle::Pinyin),
                pinyin::Pinyin::permalink(&run),
                "slugify({run:?})"
            );
            runs.push(run);
        }
    }
    assert!(runs.len() > 1_000, "the example site has {} runs of Chinese", runs.len());
    assert_same_slugs("example site lines", lines);
}
