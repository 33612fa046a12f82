//! The privacy rules: mainland resident ID numbers (`privacy-id`), mobile phone numbers
//! (`privacy-phone`) and bank card numbers (`privacy-bankcard`) in published text.
//!
//! A number is a run of digit groups joined by single spaces or hyphens (`138 1234 5678`,
//! `6222-0212-3456-7890`); full-width digits count as digits. The whole run is judged, so a
//! number that is part of a longer run is not reported. Checksums and dates keep dates, document
//! numbers and other digit runs out: an ID number needs a real province code, a real birth date
//! and a valid GB 11643 check digit; a card number needs the Luhn check.

use chrono::NaiveDate;

/// What kind of personal number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// 18-character resident ID number.
    Id,
    /// Mainland mobile phone number.
    Phone,
    /// Bank card number.
    BankCard,
}

impl Kind {
    /// The rule id (an interface).
    pub fn rule(self) -> &'static str {
        match self {
            Kind::Id => "privacy-id",
            Kind::Phone => "privacy-phone",
            Kind::BankCard => "privacy-bankcard",
        }
    }

    /// What it is, for messages.
    pub fn what(self) -> &'static str {
        match self {
            Kind::Id => "a resident ID number",
            Kind::Phone => "a mobile phone number",
            Kind::BankCard => "a bank card number",
        }
    }
}

/// A personal number found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Hit {
    /// What it is.
    pub kind: Kind,
    /// Byte offset of its first character in the text.
    pub start: usize,
    /// The number with its middle masked, safe to print: `1101**********1234`.
    pub masked: String,
}

/// Every ID, phone and bank card number in `text`.
pub fn scan(text: &str) -> Vec<Hit> {
    let mut hits = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        let Some(first) = digit(c) else { continue };
        // A run: digit groups joined by one separator each.
        let mut groups: Vec<Group> = vec![(start, first.to_string())];
        let mut separators: Vec<char> = Vec::new();
        let mut end = start + c.len_utf8();
        let mut after_digit = true;
        while let Some(&(i, next)) = chars.peek() {
            if let Some(d) = digit(next) {
                if !after_digit {
                    groups.push((i, String::new()));
                }
                if let Some((_, group)) = groups.last_mut() {
                    group.push(d);
                }
                end = i + next.len_utf8();
                after_digit = true;
            } else if after_digit && is_separator(next) && text[i + next.len_utf8()..].chars().next().and_then(digit).is_some() {
                separators.push(next);
                after_digit = false;
            } else {
                break;
            }
            chars.next();
        }
        if is_decimal(text, start, end) {
            continue;
        }
        // An X right after the digits ends an ID number; an X that starts a word (`X光`) or more
        // letters after it make the run part of something longer.
        let mut rest = text[end..].chars();
        let suffix_x = match rest.next() {
            Some('X' | 'x' | 'Ｘ' | 'ｘ') if rest.next().is_some_and(|c| c.is_ascii_alphanumeric()) => continue,
            Some('X' | 'x' | 'Ｘ' | 'ｘ') => true,
            _ => false,
        };
        if let Some(hit) = classify(&groups, suffix_x) {
            hits.push(hit);
            continue;
        }
        // Spaces part numbers more weakly than hyphens: `2024-05-20 13812345678` is a date and a
        // phone number.
        if separators.contains(&' ') {
            let mut from = 0;
            for (k, sep) in separators.iter().chain(std::iter::once(&' ')).enumerate() {
                if *sep == ' ' {
                    let last = k + 1 == groups.len();
                    if (from, k + 1) != (0, groups.len()) {
                        hits.extend(classify(&groups[from..=k], suffix_x && last));
                    }
                    from = k + 1;
                }
            }
        }
    }
    hits
}

/// Where a digit group starts, and its digits (ASCII).
type Group = (usize, String);

fn digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
        _ => None,
    }
}

fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '－' | '\u{2010}' | '\u{2011}')
}

/// Digits right after `1.` or before `.5` belong to a decimal number.
fn is_decimal(text: &str, start: usize, end: usize) -> bool {
    let mut before = text[..start].chars().rev();
    let mut after = text[end..].chars();
    (before.next() == Some('.') && before.next().and_then(digit).is_some())
        || (after.next() == Some('.') && after.next().and_then(digit).is_some())
}

/// Decides what a run of digit groups is. `suffix_x`: an X follows the last group directly.
fn classify(groups: &[Group], suffix_x: bool) -> Option<Hit> {
    let start = groups.first()?.0;
    let digits: String = groups.iter().map(|(_, g)| g.as_str()).collect();
    let lens: Vec<usize> = groups.iter().map(|(_, g)| g.len()).collect();
    let hit = |kind, masked| Some(Hit { kind, start, masked });
    if suffix_x {
        let id = format!("{digits}X");
        let id_shaped = lens == [17] || lens == [6, 8, 3];
        return if id_shaped && valid_id(&id) {
            hit(Kind::Id, mask(&id, 4, 4))
        } else {
            None
        };
    }
    if (lens == [18] || lens == [6, 8, 4]) && valid_id(&digits) {
        return hit(Kind::Id, mask(&digits, 4, 4));
    }
    let phone = match lens.as_slice() {
        [11] | [3, 4, 4] => Some(digits.as_str()),
        [13] | [2, 11] | [2, 3, 4, 4] if digits.starts_with("86") => Some(&digits[2..]),
        _ => None,
    };
    if let Some(number) = phone
        && valid_mobile(number)
    {
        return hit(Kind::Phone, mask(number, 3, 4));
    }
    let by_fours = lens.len() >= 4 && lens[..lens.len() - 1].iter().all(|&n| n == 4) && lens.last().is_some_and(|&n| n <= 4);
    if (lens.len() == 1 || by_fours) && valid_card(&digits) {
        return hit(Kind::BankCard, mask(&digits, 4, 4));
    }
    None
}

/// `1[3-9]` and nine more digits.
pub fn valid_mobile(number: &str) -> bool {
    let b = number.as_bytes();
    b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) && b.iter().all(u8::is_ascii_digit)
}

/// Province codes of GB/T 2260 (83: residence permits of Taiwan residents).
const PROVINCES: [u8; 35] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
    83,
];

/// An 18-character resident ID number (GB 11643-1999): province code, real birth date between
/// 1900 and 2099, and the ISO 7064 MOD 11-2 check character.
pub fn valid_id(id: &str) -> bool {
    let b = id.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let number = |range: std::ops::Range<usize>| id[range].parse::<u32>().ok();
    let province = number(0..2).unwrap_or(0);
    if !PROVINCES.contains(&(province as u8)) {
        return false;
    }
    let (Some(year), Some(month), Some(day)) = (number(6..10), number(10..12), number(12..14)) else {
        return false;
    };
    if !(1900..=2099).contains(&year) || NaiveDate::from_ymd_opt(year as i32, month, day).is_none() {
        return false;
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = b[..17].iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    let expected = b"10X98765432"[(sum % 11) as usize];
    b[17].to_ascii_uppercase() == expected
}

/// A card number: 16 to 19 digits, a card network's first digit (3 American Express/JCB,
/// 4 Visa, 5 Mastercard, 6 UnionPay) and the Luhn check.
pub fn valid_card(digits: &str) -> bool {
    let b = digits.as_bytes();
    if !(16..=19).contains(&b.len()) || !b.iter().all(u8::is_ascii_digit) || !(b'3'..=b'6').contains(&b[0]) {
        return false;
    }
    luhn(digits)
}

/// The Luhn (mod 10) check over ASCII digits.
pub fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let d = u32::from(d - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Keeps `head` characters and `tail` characters, stars in between.
fn mask(number: &str, head: usize, tail: usize) -> String {
    let n = number.chars().count();
    number
        .chars()
        .enumerate()
        .map(|(i, c)| if i < head || i + tail >= n { c } else { '*' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A valid ID number: 110101 19900307 777 + check digit.
    const ID: &str = "110101199003077774";
    const CARD: &str = "6222021234567890128";

    fn kinds(text: &str) -> Vec<(Kind, String)> {
        scan(text).into_iter().map(|h| (h.kind, h.masked)).collect()
    }

    #[test]
    fn id_checksum_and_date() {
        assert!(valid_id(ID));
        assert!(valid_id("11010519491231002X"));
        assert!(!valid_id("11010519491231002Y"));
        assert!(!valid_id("110105194912310021"), "wrong check digit");
        assert!(!valid_id("110105194913310023"), "month 13");
        assert!(!valid_id("990105194912310021"), "no such province");
        assert!(!valid_id("11010519491231002"), "17 characters");
    }

    #[test]
    fn luhn_and_card_prefix() {
        assert!(luhn("79927398713"));
        assert!(!luhn("79927398710"));
        assert!(valid_card(CARD));
        assert!(valid_card("4111111111111111"));
        assert!(!valid_card("4111111111111112"));
        assert!(!valid_card("1111111111111117"), "no card network starts with 1");
    }

    #[test]
    fn finds_ids_phones_and_cards() {
        assert_eq!(kinds(&format!("身份证号{ID}。")), vec![(Kind::Id, "1101**********7774".into())]);
        assert_eq!(kinds("身份证号11010519491231002x"), vec![(Kind::Id, "1101**********002X".into())]);
        assert_eq!(kinds("Tel.13812345678"), vec![(Kind::Phone, "138****5678".into())]);
        assert_eq!(kinds("2024-05-20 13812345678"), vec![(Kind::Phone, "138****5678".into())]);
        assert_eq!(kinds("电话13812345678"), vec![(Kind::Phone, "138****5678".into())]);
        assert_eq!(kinds("电话 138-1234-5678，"), vec![(Kind::Phone, "138****5678".into())]);
        assert_eq!(kinds("电话 138 1234 5678"), vec![(Kind::Phone, "138****5678".into())]);
        assert_eq!(kinds("+86 138 1234 5678"), vec![(Kind::Phone, "138****5678".into())]);
        assert_eq!(kinds("+8613812345678"), vec![(Kind::Phone, "138****5678".into())]);
        assert_eq!(kinds("86-13812345678"), vec![(Kind::Phone, "138****5678".into())]);
        assert_eq!(kinds("电话：１３８１２３４５６７８"), vec![(Kind::Phone, "138****5678".into())]);
        assert_eq!(kinds(&format!("卡号{CARD}")), vec![(Kind::BankCard, "6222***********0128".into())]);
        assert_eq!(
            kinds("卡号 6222 0212 3456 7890 128"),
            vec![(Kind::BankCard, "6222***********0128".into())]
        );
        assert_eq!(kinds("4111-1111-1111-1111"), vec![(Kind::BankCard, "4111********1111".into())]);
    }

    #[test]
    fn dates_document_numbers_and_longer_runs_are_not_numbers() {
        for text in [
            "2024-05-20",
            "20240520",
            "〔2021〕28号",
            "国发〔2024〕1号",
            "2024年5月20日 13:00",
            "12345678901",
            "1381234567",
            "138123456789",
            "1381234567800",
            "013812345678",
            "电话 0571-12345678",
            "6222021234567890127",
            "4111111111111112",
            "110105194912310021",
            "11010519491231002X1",
            "211010519491231002X",
            "110105194912310023X",
            "3.13812345678",
            "13812345678.5",
            "138-1234-5678-9",
            "ISBN 978-7-01-012345-6",
            "统一社会信用代码 91110108MA01234567",
        ] {
            assert_eq!(kinds(text), Vec::new(), "in {text:?}");
        }
    }
}
