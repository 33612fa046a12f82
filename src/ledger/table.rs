//! The counting behind every ledger output: for one branch, one kind and one year, the periods
//! the kind's frequency divides the year into, and for each whether it was held, missed, is still
//! running (pending) or was not due.
//!
//! A period is due when the kind is required, the period has begun by the build date, and it did
//! not end before the branch was founded. "Required" is the number of due periods; "held" the
//! number of meetings; "missed" the due periods that ended without a meeting.

use chrono::{Datelike, NaiveDate};

use crate::ledger::{Frequency, Kind, Ledger};

/// What became of one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// At least one meeting was held in it.
    Held,
    /// It was due and ended without a meeting.
    Missed,
    /// It is due and still running, with no meeting yet.
    Pending,
    /// It was not due: not required, not begun yet, or before the branch was founded.
    NotDue,
}

/// One month, quarter or year of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// Month (1–12), quarter (1–4), or 1 for the year.
    pub number: u32,
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
    /// Whether a meeting was required in it.
    pub due: bool,
    /// What became of it.
    pub status: Status,
    /// Indices into [`Ledger::meetings`] held in it.
    pub meetings: Vec<usize>,
}

/// Counts of a set of rows, or of one row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Meetings held.
    pub held: usize,
    /// Due periods.
    pub required: usize,
    /// Due periods that ended without a meeting.
    pub missed: usize,
    /// Due periods still running without a meeting.
    pub pending: usize,
    /// Attendees over the meetings counted.
    pub attendees: u64,
    /// Absent members over the meetings counted.
    pub absent: u64,
}

impl Counts {
    /// attendees / (attendees + absent), or `None` without meetings (or without members).
    pub fn attendance(&self) -> Option<f64> {
        let total = self.attendees + self.absent;
        (total > 0).then(|| self.attendees as f64 / total as f64)
    }
}

/// One branch × kind × year.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The kind.
    pub kind: Kind,
    /// Its frequency in force.
    pub frequency: Frequency,
    /// The periods of the year: 12 months, 4 quarters, or the year.
    pub periods: Vec<Period>,
    /// The counts of the row.
    pub counts: Counts,
}

/// The rows of one branch in one year.
#[derive(Debug, Clone, PartialEq)]
pub struct BranchRows {
    /// Index into the branch list.
    pub branch: usize,
    /// One row per kind shown that year.
    pub rows: Vec<Row>,
    /// Totals of the rows; attendance over the branch's meetings, each counted once.
    pub total: Counts,
}

/// The ledger of one year.
#[derive(Debug, Clone, PartialEq)]
pub struct YearTable {
    /// The year.
    pub year: i32,
    /// Kinds shown: those required, and any other held that year.
    pub kinds: Vec<Kind>,
    /// Every branch, in file order.
    pub branches: Vec<BranchRows>,
    /// Totals of the bureau.
    pub total: Counts,
}

/// First and last day of each period of `year` for `frequency`.
pub fn periods(year: i32, frequency: Frequency) -> Vec<(u32, NaiveDate, NaiveDate)> {
    let (count, months) = match frequency {
        Frequency::Monthly => (12, 1),
        Frequency::Quarterly => (4, 3),
        Frequency::Yearly | Frequency::NotRequired => (1, 12),
    };
    (0..count)
        .filter_map(|i| {
            let start = NaiveDate::from_ymd_opt(year, i * months + 1, 1)?;
            let next = if i + 1 == count {
                NaiveDate::from_ymd_opt(year + 1, 1, 1)?
            } else {
                NaiveDate::from_ymd_opt(year, (i + 1) * months + 1, 1)?
            };
            Some((i + 1, start, next.pred_opt()?))
        })
        .collect()
}

/// The row of `kind` for branch `branch` in `year`; `meetings` are the branch's meetings that year.
pub fn row(ledger: &Ledger, branch: usize, kind: Kind, year: i32, meetings: &[usize]) -> Row {
    let frequency = ledger.frequency(kind);
    let founded = ledger.branches.list[branch].founded;
    let periods: Vec<Period> = periods(year, frequency)
        .into_iter()
        .map(|(number, start, end)| {
            let held: Vec<usize> = meetings
                .iter()
                .copied()
                .filter(|&m| {
                    let meeting = &ledger.meetings[m];
                    meeting.kinds.contains(&kind) && meeting.date >= start && meeting.date <= end
                })
                .collect();
            let due = frequency != Frequency::NotRequired && start <= ledger.today && founded.is_none_or(|f| end >= f);
            let status = if !held.is_empty() {
                Status::Held
            } else if !due {
                Status::NotDue
            } else if end < ledger.today {
                Status::Missed
            } else {
                Status::Pending
            };
            Period {
                number,
                start,
                end,
                due,
                status,
                meetings: held,
            }
        })
        .collect();
    let counts = recount(ledger, &periods);
    Row {
        kind,
        frequency,
        periods,
        counts,
    }
}

/// Kinds the ledger of `year` shows: every required kind, and any other held that year.
pub fn kinds_shown(ledger: &Ledger, year: i32) -> Vec<Kind> {
    Kind::ALL
        .into_iter()
        .filter(|&kind| {
            ledger.frequency(kind) != Frequency::NotRequired
                || ledger.meetings.iter().any(|m| m.date.year() == year && m.kinds.contains(&kind))
        })
        .collect()
}

/// Sums the counts of `rows`; attendance over `meetings`, each once.
fn total(rows: impl Iterator<Item = Counts>, meetings: impl Iterator<Item = (u32, u32)>) -> Counts {
    let mut total = rows.fold(Counts::default(), |sum, c| Counts {
        held: sum.held + c.held,
        required: sum.required + c.required,
        missed: sum.missed + c.missed,
        pending: sum.pending + c.pending,
        ..Counts::default()
    });
    for (attendees, absent) in meetings {
        total.attendees += u64::from(attendees);
        total.absent += u64::from(absent);
    }
    total
}

/// The rows of one branch in `year`, one per kind of `kinds`.
pub fn branch_rows(ledger: &Ledger, branch: usize, year: i32, kinds: &[Kind]) -> BranchRows {
    let meetings: Vec<usize> = ledger.meetings_of(branch, year).collect();
    let rows: Vec<Row> = kinds.iter().map(|&kind| row(ledger, branch, kind, year, &meetings)).collect();
    let total = total(
        rows.iter().map(|r| r.counts),
        meetings.iter().map(|&m| (ledger.meetings[m].attendees, ledger.meetings[m].absent)),
    );
    BranchRows { branch, rows, total }
}

/// The whole ledger of `year`.
pub fn year_table(ledger: &Ledger, year: i32) -> YearTable {
    let kinds = kinds_shown(ledger, year);
    let branches: Vec<BranchRows> = (0..ledger.branches.list.len())
        .map(|branch| branch_rows(ledger, branch, year, &kinds))
        .collect();
    let total = total(
        branches.iter().map(|b| b.total),
        ledger
            .meetings
            .iter()
            .filter(|m| m.date.year() == year)
            .map(|m| (m.attendees, m.absent)),
    );
    YearTable {
        year,
        kinds,
        branches,
        total,
    }
}

/// The quarter holding `day` (1–4).
pub fn quarter_of(day: NaiveDate) -> u32 {
    (day.month() - 1) / 3 + 1
}

/// For each branch, the monthly and quarterly kinds in the quarter holding the build date: the
/// rows cut down to the periods of that quarter (yearly kinds are left out: a quarter says
/// little about them).
pub fn quarter_rows(ledger: &Ledger) -> Vec<BranchRows> {
    let year = ledger.today.year();
    let quarter = quarter_of(ledger.today);
    let kinds: Vec<Kind> = Kind::ALL
        .into_iter()
        .filter(|&k| matches!(ledger.frequency(k), Frequency::Monthly | Frequency::Quarterly))
        .collect();
    (0..ledger.branches.list.len())
        .map(|branch| {
            let meetings: Vec<usize> = ledger.meetings_of(branch, year).collect();
            let rows: Vec<Row> = kinds
                .iter()
                .map(|&kind| {
                    let mut row = row(ledger, branch, kind, year, &meetings);
                    row.periods.retain(|p| quarter_of(p.start) == quarter);
                    row.counts = recount(ledger, &row.periods);
                    row
                })
                .collect();
            let in_quarter: Vec<usize> = meetings
                .iter()
                .copied()
                .filter(|&m| quarter_of(ledger.meetings[m].date) == quarter)
                .collect();
            let total = total(
                rows.iter().map(|r| r.counts),
                in_quarter
                    .iter()
                    .map(|&m| (ledger.meetings[m].attendees, ledger.meetings[m].absent)),
            );
            BranchRows { branch, rows, total }
        })
        .collect()
}

/// The counts of some periods of a row.
fn recount(ledger: &Ledger, periods: &[Period]) -> Counts {
    let mut counts = Counts::default();
    for period in periods {
        counts.required += usize::from(period.due);
        counts.missed += usize::from(period.status == Status::Missed);
        counts.pending += usize::from(period.status == Status::Pending);
        counts.held += period.meetings.len();
        for &m in &period.meetings {
            counts.attendees += u64::from(ledger.meetings[m].attendees);
            counts.absent += u64::from(ledger.meetings[m].absent);
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{Branches, Meeting};

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn ledger(today: NaiveDate, founded: Option<NaiveDate>, meetings: &[(NaiveDate, Kind)]) -> Ledger {
        let config = crate::config::Config::parse("base_url = \"http://h\"").unwrap();
        let text = match founded {
            Some(f) => format!("[[branch]]\nname = \"甲\"\nslug = \"a\"\nmembers = 9\nfounded = {f}\n"),
            None => "[[branch]]\nname = \"甲\"\nslug = \"a\"\nmembers = 9\n".to_string(),
        };
        let (branches, problems) = Branches::parse(&text, std::path::Path::new("/"), &config);
        assert!(problems.is_empty());
        let branches: Branches = branches.unwrap();
        Ledger {
            branches,
            meetings: meetings
                .iter()
                .map(|&(date, kind)| Meeting {
                    page: 0,
                    branch: 0,
                    kinds: vec![kind],
                    date,
                    attendees: 8,
                    absent: 1,
                    topic: String::new(),
                })
                .collect(),
            frequencies: Kind::ALL.map(Kind::default_frequency),
            today,
            years: vec![today.year()],
            branch_pages: false,
        }
    }

    #[test]
    fn periods_cover_the_year() {
        let months = periods(2024, Frequency::Monthly);
        assert_eq!(months.len(), 12);
        assert_eq!(months[1], (2, day(2024, 2, 1), day(2024, 2, 29)));
        assert_eq!(periods(2025, Frequency::Quarterly)[3], (4, day(2025, 10, 1), day(2025, 12, 31)));
        assert_eq!(periods(2025, Frequency::Yearly), [(1, day(2025, 1, 1), day(2025, 12, 31))]);
    }

    #[test]
    fn periods_are_held_missed_pending_or_not_due() {
        let meetings = [
            (day(2025, 1, 9), Kind::CommitteeMeeting),
            (day(2025, 1, 20), Kind::CommitteeMeeting),
        ];
        let ledger = ledger(day(2025, 3, 31), None, &meetings);
        let r = row(&ledger, 0, Kind::CommitteeMeeting, 2025, &[0, 1]);
        let statuses: Vec<Status> = r.periods.iter().take(4).map(|p| p.status).collect();
        assert_eq!(statuses, [Status::Held, Status::Missed, Status::Pending, Status::NotDue]);
        // Two meetings in January do not make up for February.
        assert_eq!((r.counts.held, r.counts.required, r.counts.missed, r.counts.pending), (2, 3, 1, 1));
        assert_eq!(r.counts.attendance(), Some(16.0 / 18.0));
        let none = row(&ledger, 0, Kind::Lecture, 2025, &[0, 1]);
        assert_eq!((none.counts.required, none.counts.pending, none.counts.attendance()), (1, 1, None));
    }

    #[test]
    fn nothing_is_due_before_the_branch_was_founded() {
        let ledger = ledger(day(2026, 1, 5), Some(day(2025, 5, 10)), &[]);
        let r = row(&ledger, 0, Kind::ThemeDay, 2025, &[]);
        assert_eq!((r.counts.required, r.counts.missed), (8, 8), "May to December");
        let q = row(&ledger, 0, Kind::MembersMeeting, 2025, &[]);
        assert_eq!(q.counts.required, 3, "the second quarter ends after the founding");
        assert_eq!(row(&ledger, 0, Kind::ThemeDay, 2024, &[]).counts.required, 0);
        let quarter = quarter_rows(&ledger);
        // The first quarter of 2026 has begun: January pending for the monthly kinds.
        assert_eq!(quarter[0].total.pending, 5);
        assert_eq!(quarter[0].rows.len(), 5, "yearly kinds are left out of the quarter");
    }
}
