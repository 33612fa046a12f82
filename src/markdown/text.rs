//! Counting words and reading time for Chinese and Latin text.

use crate::content::slug::is_han;

/// Words in `text`: each Chinese character counts as one, each run of Latin letters or digits as one.
pub fn word_count(text: &str) -> usize {
    let (han, latin) = counts(text);
    han + latin
}

/// Minutes to read `text`: about 400 Chinese characters or 200 Latin words a minute, at least one
/// minute for any text.
pub fn reading_time(text: &str) -> usize {
    let (han, latin) = counts(text);
    if han == 0 && latin == 0 {
        return 0;
    }
    let minutes = han as f64 / 400.0 + latin as f64 / 200.0;
    (minutes.ceil() as usize).max(1)
}

fn counts(text: &str) -> (usize, usize) {
    let mut han = 0;
    let mut latin = 0;
    let mut in_word = false;
    for c in text.chars() {
        if is_han(c) {
            han += 1;
            in_word = false;
        } else if c.is_alphanumeric() {
            if !in_word {
                latin += 1;
            }
            in_word = true;
        } else {
            in_word = c == '\'' && in_word;
        }
    }
    (han, latin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_chinese_characters_and_latin_words() {
        assert_eq!(word_count("学习 CPC history 三会一课"), 4 + 2 + 2);
        assert_eq!(word_count("don't stop"), 2);
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
