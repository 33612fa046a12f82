//! What topic landing pages (`topics/single.html`) and the topic list (`topics/list.html`) see
//! besides the usual term values: the banner and introduction of each topic from data/topics.toml.

use serde_json::{Value, json};

use crate::render::taxonomy::Term;
use crate::render::values::SiteValues;

/// The value `topic` of a term of the `topics` taxonomy: its term values (`name`, `slug`,
/// `permalink`, `page_count`) with `image` (a URL, or null), `image_alt`, `description` and
/// `paragraphs` of its introduction; `described` is false for a topic data/topics.toml lacks.
pub fn topic_value(values: &SiteValues, term: &Term) -> Value {
    let config = &values.config;
    let topic = values
        .topics
        .as_ref()
        .and_then(|topics| topics.by_slug(&term.slug))
        .filter(|t| t.name == term.name);
    let mut value = super::values::term_metadata(config, term);
    value["described"] = json!(topic.is_some());
    value["image"] = json!(topic.and_then(|t| t.image.as_deref()).map(|image| config.permalink(image)));
    value["image_alt"] = json!(topic.map_or("", |t| t.image_alt.as_str()));
    value["description"] = json!(topic.map_or("", |t| t.description.as_str()));
    value["paragraphs"] = json!(topic.map_or(&[][..], |t| t.paragraphs.as_slice()));
    value
}

/// The `topic` value of every term of taxonomy `t`, in its order (data/topics.toml's first).
pub fn topic_values(values: &SiteValues, t: usize) -> Vec<Value> {
    values.taxonomies[t].terms.iter().map(|term| topic_value(values, term)).collect()
}
