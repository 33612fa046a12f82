//! `data/topics.toml`: the topics (专题) of the `topics` taxonomy, whose term pages are landing
//! pages with a banner and an introduction, checked with the line of each problem.
//!
//! ```toml
//! [[topic]]
//! name = "党史学习教育"                    # as pages name it under [taxonomies] topics
//! slug = "dang-shi-xue-xi-jiao-yu"         # its address: /topics/<slug>/ (default: from the name)
//! image = "/images/topics/dang-shi.svg"    # optional banner, a file under static/
//! image_alt = "…"                          # optional: what the banner shows (else decorative)
//! description = "一句话简介"                # cards on /topics/, the page's meta description
//! intro = """
//! 第一段……
//!
//! 第二段……
//! """
//! ```
//!
//! The topics of the file come first on `/topics/`, in its order and with its slugs; a topic that
//! no page uses is a warning and gets no page; a page naming a topic the file lacks is a warning.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::config::Config;
use crate::content::Library;
use crate::content::front_matter::{read_again, value_position};
use crate::diagnostic::Diagnostic;
use crate::render::taxonomy::{Taxonomy, Term};

/// The taxonomy whose terms are the topics.
pub const TAXONOMY: &str = "topics";

/// The file describing the topics, relative to the site.
pub const TOPICS_FILE: &str = "data/topics.toml";

/// Rule id of problems with topics.
pub const RULE: &str = "topic";

/// Topics for the checks shared with branches.
const KIND: crate::content::named::EntryKind = crate::content::named::EntryKind {
    rule: RULE,
    file: TOPICS_FILE,
    noun: "topic",
    taxonomy: TAXONOMY,
    slug_example: "dang-shi-xue-xi-jiao-yu",
    static_hint: "put the banner in the site's static/ folder and write its path from there, like /images/topics/banner.jpg",
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TopicSpec {
    name: Option<Spanned<String>>,
    slug: Option<Spanned<String>>,
    image: Option<Spanned<String>>,
    image_alt: Option<String>,
    description: Option<String>,
    intro: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TopicsFile {
    #[serde(default)]
    topic: Vec<TopicSpec>,
}

/// A topic (专题) as the file describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    /// Its name, as pages write it under `[taxonomies] topics`.
    pub name: String,
    /// URL segment of its page, `/topics/<slug>/`.
    pub slug: String,
    /// Site path of its banner under `static/`.
    pub image: Option<String>,
    /// What the banner shows; empty when it is decoration.
    pub image_alt: String,
    /// One sentence for cards and the meta description.
    pub description: String,
    /// The introduction's paragraphs (blank lines separate them in the file).
    pub paragraphs: Vec<String>,
    /// Line of its `name` in the file, for messages.
    pub line: usize,
}

/// The topics of the file, in its order.
#[derive(Debug, Clone, Default)]
pub struct Topics {
    /// In file order.
    pub list: Vec<Topic>,
    names: crate::content::named::NameIndex,
}

impl Topics {
    /// Reads `data/topics.toml` when the site has it, checks it against the pages, and makes the
    /// terms of the `topics` taxonomy follow it. `None` when there is no file, no `topics`
    /// taxonomy, or the file cannot be read as TOML.
    pub fn load(site_dir: &Path, config: &Config, library: &Library, taxonomies: &mut [Taxonomy]) -> (Option<Topics>, Vec<Diagnostic>) {
        let path = site_dir.join(TOPICS_FILE);
        if !path.is_file() {
            return (None, Vec::new());
        }
        let Some(taxonomy) = taxonomies.iter_mut().find(|t| t.config.name == TAXONOMY) else {
            let warning = Diagnostic::warning(
                RULE,
                TOPICS_FILE,
                0,
                0,
                "config.toml declares no `topics` taxonomy, so this file is not used",
            )
            .with_hint("add { name = \"topics\", title = \"专题\" } to taxonomies in config.toml");
            return (None, vec![warning]);
        };
        let text = match KIND.read(&path) {
            Ok(text) => text,
            Err(error) => return (None, vec![error]),
        };
        let (topics, mut diagnostics) = Topics::parse(&text, site_dir, config);
        if let Some(topics) = &topics {
            diagnostics.extend(topics.make_terms(site_dir, library, taxonomy));
        }
        (topics, diagnostics)
    }

    /// Parses the text of `data/topics.toml`; `site_dir` is where banners are looked for. The
    /// topics that are sound are kept when others have problems, so pages are still checked.
    pub fn parse(text: &str, site_dir: &Path, config: &Config) -> (Option<Topics>, Vec<Diagnostic>) {
        let file: TopicsFile = match toml::from_str(text) {
            Ok(file) => file,
            Err(e) => return (None, vec![crate::config::toml_diagnostic(RULE, TOPICS_FILE, text, 0, &e)]),
        };
        let mut diagnostics = Vec::new();
        let mut topics = Topics::default();
        for (i, spec) in file.topic.into_iter().enumerate() {
            let Some((name, line, slug, slug_line)) = KIND.name_and_slug(
                text,
                "[[topic]]",
                i,
                spec.name,
                spec.slug.as_ref(),
                config.slugify,
                &mut diagnostics,
            ) else {
                continue;
            };
            let sound = topics.names.check(&KIND, &name, line, &slug, slug_line, &mut diagnostics);
            let image = spec
                .image
                .map(|image| KIND.static_file(text, site_dir, "image", &image, &mut diagnostics));
            if !sound {
                continue;
            }
            topics.names.insert(&name, &slug, line);
            topics.list.push(Topic {
                name,
                slug,
                image,
                image_alt: spec.image_alt.unwrap_or_default(),
                description: spec.description.unwrap_or_default().trim().to_string(),
                paragraphs: paragraphs(spec.intro.as_deref().unwrap_or_default()),
                line,
            });
        }
        (Some(topics), diagnostics)
    }

    /// The index of the topic called `name` (surrounding spaces ignored).
    pub fn find(&self, name: &str) -> Option<usize> {
        self.names.by_name(name)
    }

    /// The topic whose page is `/topics/<slug>/`.
    pub fn by_slug(&self, slug: &str) -> Option<&Topic> {
        self.names.by_slug(slug).map(|i| &self.list[i])
    }

    /// Makes the terms of `taxonomy` the topics of the file that pages use, in its order and with
    /// its slugs, followed by the terms the file lacks (in their own order); warns about both
    /// unused topics and topics the file lacks.
    fn make_terms(&self, site_dir: &Path, library: &Library, taxonomy: &mut Taxonomy) -> Vec<Diagnostic> {
        let mut diagnostics = Vec::new();
        let mut own: Vec<Term> = self
            .list
            .iter()
            .map(|t| Term {
                name: t.name.clone(),
                slug: t.slug.clone(),
                path: format!("{}{}/", taxonomy.path, t.slug),
                pages: Vec::new(),
            })
            .collect();
        let mut used = vec![false; self.list.len()];
        for (index, page) in library.pages.iter().enumerate() {
            for name in page.front.taxonomies.get(TAXONOMY).into_iter().flatten() {
                let Some(t) = self.find(name) else {
                    if !name.trim().is_empty() {
                        diagnostics.push(self.unknown(site_dir, &page.file, name));
                    }
                    continue;
                };
                used[t] = true;
                // Pages come in index order, so a page naming a topic twice is the last one added.
                if !page.expired && own[t].pages.last() != Some(&index) {
                    own[t].pages.push(index);
                }
            }
        }
        for (topic, _) in self.list.iter().zip(&used).filter(|(_, used)| !**used) {
            diagnostics.push(
                Diagnostic::warning(
                    RULE,
                    TOPICS_FILE,
                    topic.line,
                    0,
                    format!("no page names the topic `{}`, so it gets no page", topic.name),
                )
                .with_hint("add it under [taxonomies] topics of the pages that belong to it, or remove it from the file"),
            );
        }
        for term in &mut own {
            crate::content::sort_pages(&mut term.pages, &library.pages, crate::content::front_matter::SortBy::Date);
        }
        let mut terms: Vec<Term> = own.into_iter().zip(used).filter(|(_, used)| *used).map(|(t, _)| t).collect();
        // Terms the file lacks keep the place the taxonomy gave them, after the file's.
        terms.extend(taxonomy.terms.drain(..).filter(|term| self.find(&term.name).is_none()));
        taxonomy.terms = terms;
        diagnostics
    }

    /// The warning for a page naming a topic the file does not describe.
    fn unknown(&self, site_dir: &Path, file: &str, name: &str) -> Diagnostic {
        let (front, offset) = read_again(site_dir, file);
        let (line, column) = value_position(&front, "taxonomies", TAXONOMY, name.trim()).map_or((0, 0), |(l, c)| (l + offset, c));
        let closest = crate::ledger::closest_name(name, self.list.iter().map(|t| t.name.as_str()));
        let hint = match closest {
            Some(closest) => format!("did you mean `{closest}`? Otherwise add the topic to {TOPICS_FILE}"),
            None => format!(
                "add [[topic]] name = \"{}\" with its banner and introduction to {TOPICS_FILE}",
                name.trim()
            ),
        };
        Diagnostic::warning(
            RULE,
            file,
            line,
            column,
            format!(
                "topic `{}` is not in {TOPICS_FILE}: its page has no banner or introduction",
                name.trim()
            ),
        )
        .with_hint(hint)
    }
}

/// Paragraphs of an introduction: blank lines separate them; line breaks inside one are joined
/// without a space, as Chinese text is.
fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            current.push_str(line);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Option<Topics>, Vec<String>) {
        let config = Config::parse("base_url = \"http://h\"").unwrap();
        let (topics, diagnostics) = Topics::parse(text, Path::new("/nonexistent"), &config);
        (topics, diagnostics.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn reads_topics_with_defaults() {
        let (topics, errors) =
            parse("[[topic]]\nname = \"党史学习教育\"\ndescription = \" 简介 \"\nintro = \"\"\"\n第一段\n接着\n\n第二段\n\"\"\"\n");
        assert!(errors.is_empty(), "{errors:?}");
        let topics = topics.unwrap();
        let topic = &topics.list[0];
        assert_eq!(topic.slug, "dang-shi-xue-xi-jiao-yu");
        assert_eq!(topic.description, "简介");
        assert_eq!(topic.paragraphs, ["第一段接着", "第二段"]);
        assert_eq!(topic.line, 2);
        assert_eq!(topics.find(" 党史学习教育"), Some(0));
        assert_eq!(topics.by_slug("dang-shi-xue-xi-jiao-yu").map(|t| t.line), Some(2));
    }

    #[test]
    fn problems_name_their_line() {
        let (topics, errors) = parse(
            "[[topic]]\nname = \"甲\"\nslug = \"a\"\n[[topic]]\ndescription = \"无名\"\n[[topic]]\nname = \"乙\"\nslug = \"a\"\n[[topic]]\nname = \"甲\"\n[[topic]]\nname = \"丙\"\nimage = \"/images/none.svg\"\n",
        );
        assert_eq!(topics.unwrap().list.len(), 2, "甲 and 丙 (whose banner is missing) are kept");
        assert_eq!(
            errors,
            [
                "data/topics.toml:4: error[topic]: topic 2 has no `name`\n  = hint: add name = \"…\", the name its pages write under [taxonomies] topics",
                "data/topics.toml:8: error[topic]: slug `a` of `乙` is also the slug of `甲` (line 2)\n  = hint: give each topic its own slug: it is the address of the topic's page, /topics/<slug>/",
                "data/topics.toml:10: error[topic]: topic `甲` is listed twice (also on line 2)\n  = hint: keep one entry per topic",
                "data/topics.toml:13: error[topic]: image `/images/none.svg` is not a file under static/\n  = hint: put the banner in the site's static/ folder and write its path from there, like /images/topics/banner.jpg",
            ]
        );
        let (topics, errors) = parse("[[topic]]\nname = \"甲\"\nimgae = \"/a.svg\"\n");
        assert!(topics.is_none());
        assert!(
            errors[0].starts_with("data/topics.toml:3:1: error[topic]: unknown field `imgae`"),
            "{errors:?}"
        );
        assert!(errors[0].contains("did you mean `image`?"), "{errors:?}");
    }
}
