//! The study plan's outputs: the page (`study_plan.html`, at `/study/plan/`), its Atom feed, and
//! the value templates see through `plan` and `get_study_plan()` (the home page's 本月应学).

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use serde_json::{Value, json};

use crate::content::study::{PlanEntry, StudyPlan};
use crate::diagnostic::Diagnostic;
use crate::render::RenderInput;
use crate::render::feeds::{self, FeedEntry};
use crate::render::values::SiteValues;

/// The template of the plan page.
pub const TEMPLATE: &str = "study_plan.html";

/// The plan page's title, and the feed's.
pub const TITLE: &str = "学习计划";

/// 必学 or 选学.
fn label(required: bool) -> &'static str {
    if required { "必学" } else { "选学" }
}

/// "2026年3月31日".
fn day_zh(day: NaiveDate) -> String {
    format!("{}年{}月{}日", day.year(), day.month(), day.day())
}

fn entry_value(values: &SiteValues, plan: &StudyPlan, entry: &PlanEntry) -> Value {
    let page = values.list_value(entry.page);
    json!({
        "page": page,
        "title": page["title"],
        "permalink": page["permalink"],
        "due": entry.due.map(|d| d.to_string()),
        "required": entry.required,
        "label": label(entry.required),
        "overdue": entry.due.is_some_and(|d| d < plan.today),
    })
}

fn month_value(values: &SiteValues, plan: &StudyPlan, year: i32, month: u32, entries: &[&PlanEntry]) -> Value {
    let today = (plan.today.year(), plan.today.month());
    let required = entries.iter().filter(|e| e.required).count();
    json!({
        "key": format!("{year}-{month:02}"),
        "id": format!("plan-{year}-{month:02}"),
        "year": year,
        "month": month,
        "label": format!("{year}年{month}月"),
        "past": (year, month) < today,
        "current": (year, month) == today,
        "entries": entries.iter().map(|e| entry_value(values, plan, e)).collect::<Vec<_>>(),
        "required_count": required,
        "optional_count": entries.len() - required,
    })
}

/// The plan as templates see it: `months` (each with `label`, `id`, `past`, `current` and its
/// `entries`), `ongoing` (no due date), `this_month`, counts, and the addresses of the page and
/// its feed.
pub fn plan_value(values: &SiteValues, plan: &StudyPlan) -> Value {
    let config = &values.config;
    let section = &values.library.sections[plan.section];
    let months = plan.months();
    let today = plan.today;
    let this_month: Vec<&PlanEntry> = plan.this_month().collect();
    let ongoing: Vec<Value> = plan.ongoing().map(|e| entry_value(values, plan, e)).collect();
    let required = plan.entries.iter().filter(|e| e.required).count();
    // Where "跳到本月" leads: this month, else the next month with materials.
    let next_id = months
        .iter()
        .find(|m| (m.year, m.month) >= (today.year(), today.month()))
        .map(|m| format!("plan-{}-{:02}", m.year, m.month));
    json!({
        "title": TITLE,
        "path": plan.path,
        "permalink": config.permalink(&plan.path),
        "feed_permalink": config.generate_feeds.then(|| config.permalink(&plan.feed_path())),
        "today": today.to_string(),
        "section": {
            "title": section.title,
            "path": section.path,
            "permalink": config.permalink(&section.path),
            "relative_path": section.relative_path,
        },
        "months": months.iter().map(|m| month_value(values, plan, m.year, m.month, &m.entries)).collect::<Vec<_>>(),
        "ongoing": ongoing,
        "this_month": month_value(values, plan, today.year(), today.month(), &this_month),
        "next_id": next_id,
        "total": plan.entries.len(),
        "required_count": required,
        "optional_count": plan.entries.len() - required,
    })
}

fn missing_plan() -> Diagnostic {
    Diagnostic::error(
        crate::content::study::RULE,
        "content",
        0,
        0,
        "the study plan was planned without its data",
    )
}

/// Renders `/…/plan/`.
pub fn render_page(input: &RenderInput<'_>) -> Result<String, Diagnostic> {
    let values = input.values;
    let (Some(plan), Some(value)) = (&values.study_plan, values.study_plan_value()) else {
        return Err(missing_plan());
    };
    let mut context = input.context(&plan.path);
    context.insert("plan", value);
    context.insert("section", values.section_metadata(plan.section));
    input.templates.render(TEMPLATE, context, "the study plan (学习计划)")
}

/// The plan's Atom feed: its materials, latest due date first (those without one last), at most
/// `feed_limit`; each says 必学 or 选学 and by when, as its summary and category.
pub fn render_feed(input: &RenderInput<'_>) -> Result<String, Diagnostic> {
    let values = input.values;
    let Some(plan) = &values.study_plan else {
        return Err(missing_plan());
    };
    let config = &values.config;
    let mut order: Vec<&PlanEntry> = plan.entries.iter().collect();
    order.sort_by_key(|e| (e.due.is_none(), std::cmp::Reverse(e.due)));
    let entries: Vec<FeedEntry<'_>> = order
        .into_iter()
        .take(config.feed_limit)
        .map(|e| FeedEntry {
            page: &values.library.pages[e.page],
            summary: Some(match e.due {
                Some(due) => format!("{}：{}前完成学习。", label(e.required), day_zh(due)),
                None => format!("{}：长期学习，不设完成时限。", label(e.required)),
            }),
            category: Some(label(e.required)),
        })
        .collect();
    let title = format!("{TITLE} - {}", config.title);
    Ok(feeds::atom_entries(config, &title, &plan.path, &plan.feed_path(), &entries))
}

/// Registers `get_study_plan()`: the plan's value, or null on a site without one. With
/// `metadata_only=true` only its title and addresses (what a study page links to), so that pages
/// do not copy the whole plan.
pub fn register_functions(tera: &mut tera::Tera, values: Arc<SiteValues>) {
    tera.register_function("get_study_plan", move |args: &std::collections::HashMap<String, Value>| {
        let Some(plan) = values.study_plan_value() else {
            return Ok(Value::Null);
        };
        if args.get("metadata_only").and_then(Value::as_bool).unwrap_or(false) {
            let keys = ["title", "path", "permalink", "feed_permalink", "today", "section"];
            return Ok(Value::Object(keys.iter().map(|k| (k.to_string(), plan[*k].clone())).collect()));
        }
        Ok(plan.clone())
    });
}
