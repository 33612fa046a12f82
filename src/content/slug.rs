//! URL slugs from file names, titles and taxonomy terms.

use crate::config::SlugStyle;

/// Makes a URL slug: ASCII lowercased, runs of anything else joined by single hyphens; Chinese
/// becomes toneless pinyin read word by word (银行 → yin-hang), or is kept with `SlugStyle::Keep`.
pub fn slugify(text: &str, style: SlugStyle) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut pending_hyphen = false;
    let push_word = |slug: &mut String, word: &str, pending: &mut bool| {
        if word.is_empty() {
            return;
        }
        if *pending && !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(word);
        *pending = false;
    };
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_alphanumeric() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_alphanumeric() {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect::<String>().to_ascii_lowercase();
            push_word(&mut slug, &word, &mut pending_hyphen);
            pending_hyphen = true;
        } else if is_han(c) {
            let start = i;
            while i < chars.len() && is_han(chars[i]) {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            let word = match style {
                SlugStyle::Pinyin => super::pinyin_table::permalink(&run),
                SlugStyle::Keep => run,
            };
            push_word(&mut slug, &word, &mut pending_hyphen);
            pending_hyphen = true;
        } else {
            if style == SlugStyle::Keep && c.is_alphanumeric() {
                let mut buf = [0u8; 4];
                slug.push_str(c.encode_utf8(&mut buf));
            } else {
                pending_hyphen = true;
            }
            i += 1;
        }
    }
    slug
}

/// True for CJK ideographs (the characters pinyin can read).
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2A6DF | 0x2A700..=0x2EBEF | 0x30000..=0x3134F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_file_names_become_pinyin() {
        assert_eq!(slugify("学习心得体会", SlugStyle::Pinyin), "xue-xi-xin-de-ti-hui");
    }

    #[test]
    fn polyphonic_characters_follow_the_word() {
        assert_eq!(slugify("银行", SlugStyle::Pinyin), "yin-hang");
        assert_eq!(slugify("重庆", SlugStyle::Pinyin), "chong-qing");
    }

    #[test]
    fn mixed_text_and_punctuation() {
        assert_eq!(
            slugify("2023年 工作总结（上）", SlugStyle::Pinyin),
            "2023-nian-gong-zuo-zong-jie-shang"
        );
        assert_eq!(slugify("Hello, World!", SlugStyle::Pinyin), "hello-world");
        assert_eq!(slugify("--a__b--", SlugStyle::Pinyin), "a-b");
    }

    #[test]
    fn keep_style_keeps_characters() {
        assert_eq!(slugify("三会一课 制度", SlugStyle::Keep), "三会一课-制度");
        assert_eq!(slugify("学习《党章》", SlugStyle::Keep), "学习-党章");
    }
}
