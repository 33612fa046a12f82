//! Filters for Chinese sites: `date_zh`, `pinyin`, `filesize`.

use std::collections::HashMap;

use tera::{Tera, Value};

use crate::config::{Config, SlugStyle};
use crate::content::date::PageDate;
use crate::content::slug::slugify;

/// Registers our filters on `tera`.
pub fn register(tera: &mut Tera, config: &Config) {
    tera.register_filter("date_zh", date_zh);
    tera.register_filter("filesize", filesize);
    tera.register_filter("reading_time", reading_time);
    let style = config.slugify;
    tera.register_filter("pinyin", move |value: &Value, _: &HashMap<String, Value>| {
        let text = value.as_str().ok_or_else(|| tera::Error::msg("the pinyin filter needs text"))?;
        Ok(Value::String(slugify(
            text,
            if style == SlugStyle::Keep {
                SlugStyle::Keep
            } else {
                SlugStyle::Pinyin
            },
        )))
    });
}

/// "2022-01-18" → "2022年1月18日"; `time=true` adds the time of day when there is one.
fn date_zh(value: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    let text = match value {
        Value::String(s) => s.as_str(),
        Value::Null => return Ok(Value::String(String::new())),
        _ => return Err(tera::Error::msg("date_zh needs a date such as \"2022-01-18\"")),
    };
    let date = PageDate::parse(text).ok_or_else(|| tera::Error::msg(format!("date_zh: `{text}` is not a date")))?;
    Ok(Value::String(format_date_zh(
        &date,
        args.get("time").and_then(Value::as_bool).unwrap_or(false),
    )))
}

/// Formats a date the way Chinese government sites write it.
pub fn format_date_zh(date: &PageDate, with_time: bool) -> String {
    use chrono::{Datelike, Timelike};
    let d = date.datetime;
    let mut out = format!("{}年{}月{}日", d.year(), d.month(), d.day());
    if with_time && date.has_time {
        out.push_str(&format!(" {:02}:{:02}", d.hour(), d.minute()));
    }
    out
}

/// Minutes to read a text or HTML string (tags are not counted).
fn reading_time(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let text = value.as_str().ok_or_else(|| tera::Error::msg("reading_time needs text"))?;
    Ok(Value::from(crate::markdown::text::reading_time(&strip_tags(text))))
}

/// The text of an HTML string without its tags.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Bytes → "12 KB", "1.2 MB".
fn filesize(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let bytes = value.as_u64().ok_or_else(|| tera::Error::msg("filesize needs a number of bytes"))?;
    Ok(Value::String(human_size(bytes)))
}

/// A size in bytes as readers write it.
pub fn human_size(bytes: u64) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    if b < KB {
        format!("{bytes} B")
    } else if b < KB * KB {
        format!("{:.0} KB", (b / KB).max(1.0))
    } else {
        format!("{:.1} MB", b / KB / KB)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_dates() {
        let date = PageDate::parse("2022-01-08T09:05:00").unwrap();
        assert_eq!(format_date_zh(&date, false), "2022年1月8日");
        assert_eq!(format_date_zh(&date, true), "2022年1月8日 09:05");
    }

    #[test]
    fn reading_time_ignores_tags() {
        let html = format!("<p class=\"very-long-class-name another\">{}</p>", "学".repeat(401));
        assert_eq!(reading_time(&Value::String(html), &HashMap::new()).unwrap(), Value::from(2));
    }

    #[test]
    fn sizes() {
        assert_eq!(human_size(500), "500 B");
        assert_eq!(human_size(20_000), "20 KB");
        assert_eq!(human_size(1_300_000), "1.2 MB");
    }
}
