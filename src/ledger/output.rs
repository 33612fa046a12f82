//! What the ledger writes: the pages (`ledger.html`), `ledger.json`, one CSV per year, and the
//! values templates see (the ledger of a year, a branch's record, this quarter's status).

use std::sync::Arc;

use chrono::Datelike;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value, json};

use crate::diagnostic::Diagnostic;
use crate::ledger::table::{self, BranchRows, Counts, Row, Status};
use crate::ledger::{BRANCHES_FILE, Frequency, Ledger, TAXONOMY};
use crate::output::Body;
use crate::render::RenderInput;
use crate::render::values::SiteValues;

/// One output of the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedgerJob {
    /// `/ledger/`: the latest year with meetings.
    Latest,
    /// `/ledger/<year>/`.
    Year(i32),
    /// `/ledger/ledger.json`.
    Json,
    /// `/ledger/ledger-<year>.csv`.
    Csv(i32),
}

/// The template of the ledger pages.
pub const TEMPLATE: &str = "ledger.html";

impl Ledger {
    /// Every output, by site path: the pages, then the data files.
    pub fn outputs(&self) -> Vec<(String, LedgerJob)> {
        let mut outputs = vec![("/ledger/".to_string(), LedgerJob::Latest)];
        outputs.extend(self.years.iter().map(|&y| (year_path(y), LedgerJob::Year(y))));
        outputs.push(("/ledger/ledger.json".to_string(), LedgerJob::Json));
        outputs.extend(self.years.iter().map(|&y| (csv_path(y), LedgerJob::Csv(y))));
        outputs
    }
}

fn year_path(year: i32) -> String {
    format!("/ledger/{year}/")
}

fn csv_path(year: i32) -> String {
    format!("/ledger/ledger-{year}.csv")
}

/// Renders one output of the ledger.
pub fn render(input: &RenderInput<'_>, job: LedgerJob) -> Result<Body, Diagnostic> {
    let values = input.values;
    let Some(ledger) = values.ledger.as_ref() else {
        return Err(Diagnostic::error(
            "ledger",
            BRANCHES_FILE,
            0,
            0,
            "the ledger was planned without its data",
        ));
    };
    let page = |path: &str, year: Option<i32>| -> Result<Body, Diagnostic> {
        let mut context = input.context(path);
        context.insert("ledger", &year_value(values, ledger, year, path));
        let html = input.templates.render(TEMPLATE, context, "the ledger (组织生活台账)")?;
        Ok(Body::Bytes(html.into_bytes()))
    };
    match job {
        LedgerJob::Latest => page("/ledger/", ledger.latest_year()),
        LedgerJob::Year(year) => page(&year_path(year), Some(year)),
        LedgerJob::Json => Ok(Body::Bytes(json_file(ledger).into_bytes())),
        LedgerJob::Csv(year) => Ok(Body::Bytes(csv_file(ledger, year))),
    }
}

/// Registers `get_ledger_status()`: this quarter's status of every branch for the home page, or
/// null on a site without the ledger.
pub fn register_functions(tera: &mut tera::Tera, values: Arc<SiteValues>) {
    tera.register_function("get_ledger_status", move |_: &std::collections::HashMap<String, Value>| {
        Ok(values.ledger.as_ref().map_or(Value::Null, |ledger| quarter_value(&values, ledger)))
    });
}

const QUARTERS: [&str; 4] = ["第一季度", "第二季度", "第三季度", "第四季度"];

fn percent(ratio: Option<f64>) -> String {
    ratio.map_or_else(|| "—".to_string(), |r| format!("{:.1}%", r * 100.0))
}

/// Counts as templates see them, with the text of the attendance rate and of the shortfall.
fn counts_value(counts: &Counts) -> Value {
    json!({
        "held": counts.held,
        "required": counts.required,
        "missed": counts.missed,
        "pending": counts.pending,
        "attendees": counts.attendees,
        "absent": counts.absent,
        "attendance": counts.attendance(),
        "attendance_text": percent(counts.attendance()),
    })
}

fn status_name(status: Status) -> &'static str {
    match status {
        Status::Held => "held",
        Status::Missed => "missed",
        Status::Pending => "pending",
        Status::NotDue => "notdue",
    }
}

/// A meeting as a ledger cell or a branch page lists it; `monthly` cells show the day only.
fn meeting_value(values: &SiteValues, ledger: &Ledger, index: usize, monthly: bool) -> Value {
    let meeting = &ledger.meetings[index];
    let page = &values.library.pages[meeting.page];
    let attendance = Counts {
        attendees: meeting.attendees.into(),
        absent: meeting.absent.into(),
        ..Counts::default()
    }
    .attendance();
    json!({
        "title": page.title,
        "path": page.path,
        "permalink": values.config.permalink(&page.path),
        "date": meeting.date.to_string(),
        "day": if monthly { format!("{}日", meeting.date.day()) } else { format!("{}月{}日", meeting.date.month(), meeting.date.day()) },
        "kinds": meeting.kinds.iter().map(|k| k.name()).collect::<Vec<_>>().join("、"),
        "topic": meeting.topic,
        "attendees": meeting.attendees,
        "absent": meeting.absent,
        "attendance_text": percent(attendance),
    })
}

/// One row: its periods grouped by quarter (a yearly kind spans the four quarter columns).
fn row_value(values: &SiteValues, ledger: &Ledger, row: &Row) -> Value {
    let monthly = row.frequency == Frequency::Monthly;
    let period = |p: &table::Period| {
        json!({
            "label": if monthly { format!("{}月", p.number) } else { String::new() },
            "status": status_name(p.status),
            "meetings": p.meetings.iter().map(|&m| meeting_value(values, ledger, m, monthly)).collect::<Vec<_>>(),
        })
    };
    let quarters: Vec<Value> = match row.frequency {
        Frequency::Monthly => row
            .periods
            .chunks(3)
            .map(|months| json!({ "colspan": 1, "periods": months.iter().map(period).collect::<Vec<_>>() }))
            .collect(),
        Frequency::Quarterly => row
            .periods
            .iter()
            .map(|p| json!({ "colspan": 1, "periods": [period(p)] }))
            .collect(),
        Frequency::Yearly | Frequency::NotRequired => {
            vec![json!({ "colspan": 4, "periods": row.periods.iter().map(period).collect::<Vec<_>>() })]
        }
    };
    let mut value = counts_value(&row.counts);
    value["kind"] = json!(row.kind.name());
    value["frequency"] = json!(row.frequency);
    value["frequency_label"] = json!(row.frequency.label());
    value["quarters"] = Value::Array(quarters);
    value
}

fn branch_link(values: &SiteValues, ledger: &Ledger, branch: usize) -> Value {
    let slug = &ledger.branches.list[branch].slug;
    if ledger.branch_pages {
        json!(values.config.permalink(&format!("/{TAXONOMY}/{slug}/")))
    } else {
        Value::Null
    }
}

fn branch_rows_value(values: &SiteValues, ledger: &Ledger, rows: &BranchRows) -> Value {
    let branch = &ledger.branches.list[rows.branch];
    json!({
        "name": branch.name,
        "slug": branch.slug,
        "permalink": branch_link(values, ledger, rows.branch),
        "secretary": branch.secretary,
        "members": branch.members,
        "rows": rows.rows.iter().map(|r| row_value(values, ledger, r)).collect::<Vec<_>>(),
        "total": counts_value(&rows.total),
    })
}

/// The ledger page of `year` (`None`: no meetings yet) at `path`.
fn year_value(values: &SiteValues, ledger: &Ledger, year: Option<i32>, path: &str) -> Value {
    let config = &values.config;
    let years: Vec<Value> = ledger
        .years
        .iter()
        .rev()
        .map(|&y| json!({ "year": y, "path": year_path(y), "permalink": config.permalink(&year_path(y)) }))
        .collect();
    let mut value = json!({
        "year": year,
        "years": years,
        "path": path,
        "latest": year.is_some() && year == ledger.latest_year(),
        "today": ledger.today.to_string(),
        "json": config.permalink("/ledger/ledger.json"),
        "columns": QUARTERS,
    });
    if let Some(year) = year {
        let table = table::year_table(ledger, year);
        let complete = year < ledger.today.year();
        value["complete"] = json!(complete);
        value["through"] = json!(if complete {
            format!("{year}-12-31")
        } else {
            ledger.today.to_string()
        });
        value["csv"] = json!(config.permalink(&csv_path(year)));
        value["kinds"] = table
            .kinds
            .iter()
            .map(|&k| json!({ "name": k.name(), "frequency": ledger.frequency(k), "label": ledger.frequency(k).label() }))
            .collect();
        value["branches"] = table.branches.iter().map(|b| branch_rows_value(values, ledger, b)).collect();
        value["total"] = counts_value(&table.total);
    }
    value
}

/// `branch` in the context of a branch's page: its record, and with `full` (the first pager) its
/// meetings (newest first) and its row of the latest ledger; null for a term that is not in
/// `data/branches.toml`.
pub fn branch_value(values: &SiteValues, slug: &str, full: bool) -> Value {
    let Some(ledger) = values.ledger.as_ref() else {
        return Value::Null;
    };
    let Some(index) = ledger.branches.by_slug(slug) else {
        return Value::Null;
    };
    let branch = &ledger.branches.list[index];
    let meetings: Vec<Value> = ledger
        .meetings
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, m)| full && m.branch == index)
        .map(|(i, _)| meeting_value(values, ledger, i, false))
        .collect();
    let ledger_row = ledger.latest_year().filter(|_| full).map(|year| {
        let rows = table::branch_rows(ledger, index, year, &table::kinds_shown(ledger, year));
        let mut row = branch_rows_value(values, ledger, &rows);
        row["year"] = json!(year);
        row["permalink"] = json!(values.config.permalink(&year_path(year)));
        row
    });
    json!({
        "name": branch.name,
        "slug": branch.slug,
        "secretary": branch.secretary,
        "members": branch.members,
        "founded": branch.founded.map(|d| d.to_string()),
        "description": branch.description,
        "photo": branch.photo.as_ref().map(|p| values.config.permalink(p)),
        "photo_alt": branch.photo_alt,
        "meetings": meetings,
        "ledger": ledger_row,
    })
}

/// This quarter, per branch: held against due, and which kinds were missed or are pending.
fn quarter_value(values: &SiteValues, ledger: &Ledger) -> Value {
    let quarter = table::quarter_of(ledger.today);
    let rows = table::quarter_rows(ledger);
    let kinds_with = |rows: &BranchRows, count: fn(&Counts) -> usize| -> String {
        rows.rows
            .iter()
            .filter(|r| count(&r.counts) > 0)
            .map(|r| format!("{}{}次", r.kind.name(), count(&r.counts)))
            .collect::<Vec<_>>()
            .join("、")
    };
    let branches: Vec<Value> = rows
        .iter()
        .map(|r| {
            let mut value = counts_value(&r.total);
            value["name"] = json!(ledger.branches.list[r.branch].name);
            value["permalink"] = branch_link(values, ledger, r.branch);
            value["missed_kinds"] = json!(kinds_with(r, |c| c.missed));
            value["pending_kinds"] = json!(kinds_with(r, |c| c.pending));
            value
        })
        .collect();
    json!({
        "year": ledger.today.year(),
        "quarter": quarter,
        "label": format!("{}年{}", ledger.today.year(), QUARTERS[quarter as usize - 1]),
        "has_meetings": rows.iter().any(|r| r.total.held > 0),
        "branches": branches,
        "permalink": values.config.permalink("/ledger/"),
        "latest_year": ledger.latest_year(),
    })
}

/// A JSON object written in the order given (serde_json's map would sort the keys).
enum Ordered {
    Map(Vec<(String, Ordered)>),
    Value(Value),
}

impl Serialize for Ordered {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Ordered::Map(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
            Ordered::Value(value) => value.serialize(serializer),
        }
    }
}

/// `ledger.json`: `{"years": {"2025": {"<slug>": {"<kind>": {"held", "required", "attendance"}}}}}`,
/// every branch of the file and every kind shown that year, in the order of the pages; attendance
/// rounded to four decimals.
pub fn json_file(ledger: &Ledger) -> String {
    let years = ledger
        .years
        .iter()
        .map(|&year| {
            let table = table::year_table(ledger, year);
            let branches = table
                .branches
                .iter()
                .map(|b| {
                    let kinds = b
                        .rows
                        .iter()
                        .map(|r| {
                            let attendance = r.counts.attendance().map(|a| (a * 10_000.0).round() / 10_000.0);
                            let cell = vec![
                                ("held".to_string(), Ordered::Value(json!(r.counts.held))),
                                ("required".to_string(), Ordered::Value(json!(r.counts.required))),
                                ("attendance".to_string(), Ordered::Value(json!(attendance))),
                            ];
                            (r.kind.name().to_string(), Ordered::Map(cell))
                        })
                        .collect();
                    (ledger.branches.list[b.branch].slug.clone(), Ordered::Map(kinds))
                })
                .collect();
            (year.to_string(), Ordered::Map(branches))
        })
        .collect();
    let file = Ordered::Map(vec![("years".to_string(), Ordered::Map(years))]);
    // Plain maps, strings and numbers always serialize.
    let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
    text.push('\n');
    text
}

/// The CSV header, in the order of the columns.
pub const CSV_HEADER: [&str; 12] = [
    "年度",
    "党支部",
    "会议类型",
    "要求",
    "应开次数",
    "已开次数",
    "缺开次数",
    "待开次数",
    "出席人次",
    "缺席人次",
    "出席率",
    "会议日期",
];

/// `ledger-<year>.csv`: one line per branch and kind, UTF-8 with a byte order mark so that Excel
/// reads the Chinese as such.
pub fn csv_file(ledger: &Ledger, year: i32) -> Vec<u8> {
    let table = table::year_table(ledger, year);
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let mut lines: Vec<Vec<String>> = vec![CSV_HEADER.map(str::to_string).to_vec()];
    for branch in &table.branches {
        for row in &branch.rows {
            let c = &row.counts;
            let dates: Vec<String> = row
                .periods
                .iter()
                .flat_map(|p| &p.meetings)
                .map(|&m| ledger.meetings[m].date.to_string())
                .collect();
            lines.push(vec![
                year.to_string(),
                ledger.branches.list[branch.branch].name.clone(),
                row.kind.name().to_string(),
                row.frequency.label().to_string(),
                c.required.to_string(),
                c.held.to_string(),
                c.missed.to_string(),
                c.pending.to_string(),
                c.attendees.to_string(),
                c.absent.to_string(),
                c.attendance().map(|a| format!("{:.1}%", a * 100.0)).unwrap_or_default(),
                dates.join("；"),
            ]);
        }
    }
    for line in lines {
        // Writing into memory does not fail.
        let _ = writer.write_record(&line);
    }
    writer.into_inner().unwrap_or_default()
}
