//! Counting words and reading time for Chinese and Latin text.

use crate::content::slug::is_han;

/// Minutes to read `text`: about 400 Chinese characters or 200 Latin words a minute, at least one
/// minute for any text.
pub fn reading_time(text: &str) -> usize {
    Counts::of(text).reading_time()
}

/// The Chinese characters and Latin words of a text, counted in one pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    han: usize,
    latin: usize,
}

impl Counts {
    /// Counts `text`.
    pub fn of(text: &str) -> Counts {
        let mut counts = Counts { han: 0, latin: 0 };
        let mut in_word = false;
        for c in text.chars() {
            if is_han(c) {
                counts.han += 1;
                in_word = false;
            } else if is_alphanumeric(c) {
                if !in_word {
                    counts.latin += 1;
                }
                in_word = true;
            } else {
                in_word = c == '\'' && in_word;
            }
        }
        counts
    }

    /// Words: each Chinese character counts as one, each run of Latin letters or digits as one.
    pub fn words(self) -> usize {
        self.han + self.latin
    }

    /// See [`reading_time`].
    pub fn reading_time(self) -> usize {
        if self.han == 0 && self.latin == 0 {
            return 0;
        }
        let minutes = self.han as f64 / 400.0 + self.latin as f64 / 200.0;
        (minutes.ceil() as usize).max(1)
    }
}

/// `char::is_alphanumeric`, answered without Unicode tables for ASCII and the punctuation of
/// Chinese text (、。《》「」【】“”—…，：；！？), about a tenth of a page.
fn is_alphanumeric(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    if matches!(c as u32, 0x2010..=0x2027 | 0x2030..=0x205E | 0x3001..=0x3004 | 0x3008..=0x3020 | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20) {
        return false;
    }
    c.is_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_chinese_characters_and_latin_words() {
        assert_eq!(Counts::of("学习 CPC history 三会一课").words(), 4 + 2 + 2);
        assert_eq!(Counts::of("don't stop").words(), 2);
    }

    #[test]
    fn the_punctuation_shortcut_agrees_with_unicode() {
        for c in (0..0x1_0000).filter_map(char::from_u32) {
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn reading_time_rounds_up() {
        assert_eq!(reading_time(""), 0);
        assert_eq!(reading_time("学习"), 1);
        assert_eq!(reading_time(&"学".repeat(400)), 1);
        assert_eq!(reading_time(&"学".repeat(401)), 2);
        assert_eq!(reading_time(&"word ".repeat(400)), 2);
        assert_eq!(reading_time(&format!("{}{}", "学".repeat(400), "word ".repeat(200))), 2);
    }
}
