//! Dates of pages: from front matter (`2022-01-18`, `2022-01-18T09:30:00`, with or without an
//! offset) or from a file name starting with a date.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A page date as the author wrote it: a day, optionally with a time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PageDate {
    /// Day and time; midnight when only a day was given.
    pub datetime: NaiveDateTime,
    /// Whether a time of day was given.
    pub has_time: bool,
}

impl PageDate {
    /// Parses `2022-01-18`, `2022-01-18T09:30:00`, `2022-01-18 09:30`, with an optional `Z` or
    /// `+08:00` suffix (the offset is dropped: the site has one time zone).
    pub fn parse(text: &str) -> Option<PageDate> {
        let text = text.trim();
        if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Some(PageDate {
                datetime: day.and_time(NaiveTime::MIN),
                has_time: false,
            });
        }
        let without_offset = strip_offset(text);
        for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
            if let Ok(datetime) = NaiveDateTime::parse_from_str(without_offset, format) {
                return Some(PageDate { datetime, has_time: true });
            }
        }
        None
    }

    /// The date a file name starts with (`2022-01-18-name.md`), and the rest of the name.
    pub fn from_file_stem(stem: &str) -> Option<(PageDate, &str)> {
        let head = stem.get(..10)?;
        let date = PageDate::parse(head)?;
        let rest = &stem[10..];
        let rest = rest.strip_prefix(['-', '_']).unwrap_or(rest);
        if rest.is_empty() { None } else { Some((date, rest)) }
    }

    /// The calendar day.
    pub fn day(&self) -> NaiveDate {
        self.datetime.date()
    }

    /// RFC 3339 with the site's offset, for feeds and sitemaps.
    pub fn rfc3339(&self) -> String {
        format!("{}+08:00", self.datetime.format("%Y-%m-%dT%H:%M:%S"))
    }
}

fn strip_offset(text: &str) -> &str {
    if let Some(rest) = text.strip_suffix('Z') {
        return rest;
    }
    // A trailing +HH:MM or -HH:MM after the time part; all ASCII, so byte slicing is safe once
    // the tail is known to be ASCII.
    let bytes = text.as_bytes();
    if bytes.len() > 16 {
        let tail = &bytes[bytes.len() - 6..];
        let is_offset = matches!(tail[0], b'+' | b'-')
            && tail[1].is_ascii_digit()
            && tail[2].is_ascii_digit()
            && tail[3] == b':'
            && tail[4].is_ascii_digit()
            && tail[5].is_ascii_digit();
        if is_offset {
            return &text[..text.len() - 6];
        }
    }
    text
}

impl std::fmt::Display for PageDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.has_time {
            write!(f, "{}", self.datetime.format("%Y-%m-%dT%H:%M:%S"))
        } else {
            write!(f, "{}", self.datetime.format("%Y-%m-%d"))
        }
    }
}

impl Serialize for PageDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PageDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        PageDate::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not a date; write it like 2022-01-18 or 2022-01-18T09:30:00")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_days_and_times() {
        assert_eq!(PageDate::parse("2022-01-18").unwrap().to_string(), "2022-01-18");
        assert_eq!(
            PageDate::parse("2022-01-18T09:30:00+08:00").unwrap().to_string(),
            "2022-01-18T09:30:00"
        );
        assert_eq!(PageDate::parse("2022-01-18 09:30").unwrap().to_string(), "2022-01-18T09:30:00");
        assert_eq!(PageDate::parse("2022-01-18T01:00:00Z").unwrap().to_string(), "2022-01-18T01:00:00");
        assert!(PageDate::parse("2022-13-01").is_none());
        assert!(PageDate::parse("昨天").is_none());
        assert!(PageDate::parse("2022-01-18T10:00学习会").is_none());
    }

    #[test]
    fn file_stem_dates() {
        let (date, rest) = PageDate::from_file_stem("2022-01-18-zhu-ti-dang-ri").unwrap();
        assert_eq!(date.to_string(), "2022-01-18");
        assert_eq!(rest, "zhu-ti-dang-ri");
        assert!(PageDate::from_file_stem("2022-01-18").is_none());
        assert!(PageDate::from_file_stem("学习").is_none());
    }
}
