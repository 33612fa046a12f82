//! One character of pinyin as it shows in a slug. Shared by build.rs, which applies it to the
//! dictionary's syllables, and by the table's reading of text the dictionary does not hold.

/// `c` without its tone mark, ü as v, lowercased, when that is an ASCII letter or digit; `None`
/// for anything else. The same as pinyin-converter's `format_syllable(ToneStyle::None,
/// YuStyle::V)` followed by `slug_token`, one character at a time.
pub(crate) fn plain_ascii(c: char) -> Option<char> {
    let plain = match c {
        'ā' | 'á' | 'ǎ' | 'à' => 'a',
        'ē' | 'é' | 'ě' | 'è' => 'e',
        'ī' | 'í' | 'ǐ' | 'ì' => 'i',
        'ō' | 'ó' | 'ǒ' | 'ò' => 'o',
        'ū' | 'ú' | 'ǔ' | 'ù' => 'u',
        'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' | 'ü' => 'v',
        c => c,
    };
    plain.is_ascii_alphanumeric().then(|| plain.to_ascii_lowercase())
}
