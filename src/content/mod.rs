//! The content model: pages, sections and their files, loaded from `content/` into an immutable
//! [`Library`] that the later stages read.

pub mod cache;
pub mod date;
pub mod decode;
pub mod front_matter;
mod load;
pub mod named;
pub mod pinyin_table;
pub(crate) use load::sort_pages;
pub mod slug;
pub mod study;
pub mod topics;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

pub use load::{BROKEN, LoadOptions, is_expired, load};

use crate::content::date::PageDate;
use crate::content::front_matter::{PageFront, SectionFront};
use crate::markdown::Rendered;

/// A file that is not Markdown, copied next to the page or section that holds it.
#[derive(Debug, Clone)]
pub struct Asset {
    /// Where it is on disk.
    pub source: PathBuf,
    /// Its site path, e.g. "/news/zhu-ti-dang-ri/photo.jpg".
    pub path: String,
    /// File name.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
}

impl Asset {
    /// Lowercased extension without the dot ("pdf").
    pub fn extension(&self) -> String {
        self.name
            .rsplit_once('.')
            .map(|(_, ext)| ext.to_ascii_lowercase())
            .unwrap_or_default()
    }

    /// True for images a browser shows.
    pub fn is_image(&self) -> bool {
        matches!(self.extension().as_str(), "jpg" | "jpeg" | "png" | "gif" | "webp" | "svg" | "avif")
    }
}

/// A published page: `name.md` or a bundle `name/index.md`.
#[derive(Debug, Clone)]
pub struct Page {
    /// Path for messages, relative to the site: "content/study/x.md".
    pub file: String,
    /// Path relative to `content/`: "study/x.md" (what `@/` links name).
    pub relative_path: String,
    /// Parsed front matter.
    pub front: PageFront,
    /// Title (front matter, else the file name).
    pub title: String,
    /// Date from front matter or the file name.
    pub date: Option<PageDate>,
    /// Last URL segment.
    pub slug: String,
    /// Site path: "/study/x/".
    pub path: String,
    /// Relative path of the section holding the page: "study/_index.md".
    pub section: String,
    /// Markdown source after the front matter.
    pub body: Arc<str>,
    /// Lines before the body in the file, to turn body lines into file lines.
    pub body_line_offset: usize,
    /// Colocated files of a bundle.
    pub assets: Vec<Asset>,
    /// Rendered Markdown, filled by the markdown stage.
    pub rendered: Arc<Rendered>,
    /// Past its `expires` date (a notice out of date): still built and reachable by its address,
    /// but left out of section lists, term pages, the study plan and feeds.
    pub expired: bool,
}

/// A section: a folder of `content/` with its `_index.md`.
#[derive(Debug, Clone)]
pub struct Section {
    /// Path for messages: "content/study/_index.md".
    pub file: String,
    /// Path relative to `content/`: "study/_index.md" ("_index.md" for the home page).
    pub relative_path: String,
    /// Parsed front matter (defaults when the folder has no `_index.md`).
    pub front: SectionFront,
    /// Title.
    pub title: String,
    /// Site path: "/study/".
    pub path: String,
    /// Parent section's relative path; `None` for the home page.
    pub parent: Option<String>,
    /// Markdown source of `_index.md`.
    pub body: Arc<str>,
    /// Lines before the body in the file.
    pub body_line_offset: usize,
    /// Files colocated with the section.
    pub assets: Vec<Asset>,
    /// Indices into [`Library::pages`], in the section's order (transparent children included;
    /// expired pages left out).
    pub pages: Vec<usize>,
    /// Indices into [`Library::sections`] of direct subsections.
    pub subsections: Vec<usize>,
    /// Rendered Markdown of `_index.md`.
    pub rendered: Arc<Rendered>,
}

/// Everything `content/` holds, after drafts and scheduled pages were left out.
#[derive(Debug, Clone, Default)]
pub struct Library {
    /// Published pages.
    pub pages: Vec<Page>,
    /// Sections, parents before children; index 0 is the home page.
    pub sections: Vec<Section>,
    /// Page index by relative path.
    pub page_index: HashMap<String, usize>,
    /// Section index by relative path.
    pub section_index: HashMap<String, usize>,
    /// Pages left out because they are drafts.
    pub drafts_skipped: usize,
    /// Pages left out because their date is in the future.
    pub scheduled_skipped: usize,
    /// Relative paths of pages left out (drafts, scheduled, or files with errors), so links to
    /// them get a clear message, or none when the target's own error is already reported.
    pub unpublished: HashMap<String, &'static str>,
    /// Pages left out because they lack review sign-offs (`[review] required = true`).
    pub held_for_review: Vec<HeldPage>,
}

/// A page held back until its 三审 sign-offs are given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldPage {
    /// Path for messages: "content/news/x.md".
    pub file: String,
    /// Line of its `[review]` table in the file, or 1 when it has none.
    pub line: usize,
    /// The sign-offs it lacks ("复审 second"…).
    pub missing: Vec<&'static str>,
}

impl HeldPage {
    /// The `check` error about it (rule `review`).
    pub fn diagnostic(&self) -> crate::diagnostic::Diagnostic {
        crate::diagnostic::Diagnostic::error(
            "review",
            self.file.clone(),
            self.line,
            1,
            format!(
                "the page is not published: it lacks the review sign-off of {} (三审三校)",
                self.missing.join(", ")
            ),
        )
        .with_hint(
            "name the reviewers under [review] in the front matter: first = \"…\" (初审), second = \"…\" (复审), final = \"…\" (终审)",
        )
    }
}

impl Library {
    /// Every page and section with its file ("content/study/x.md"), its path in content/
    /// ("study/x.md") and its rendered Markdown: what the link and anchor rules read.
    pub fn rendered(&self) -> impl Iterator<Item = (&String, &String, &Rendered)> {
        let pages = self.pages.iter().map(|p| (&p.file, &p.relative_path, p.rendered.as_ref()));
        pages.chain(self.sections.iter().map(|s| (&s.file, &s.relative_path, s.rendered.as_ref())))
    }

    /// The page at `relative_path` ("study/x.md").
    pub fn page(&self, relative_path: &str) -> Option<&Page> {
        self.page_index.get(relative_path).map(|&i| &self.pages[i])
    }

    /// The section at `relative_path` ("study/_index.md").
    pub fn section(&self, relative_path: &str) -> Option<&Section> {
        self.section_index.get(relative_path).map(|&i| &self.sections[i])
    }

    /// How many published pages are past their `expires` date.
    pub fn expired_count(&self) -> usize {
        self.pages.iter().filter(|p| p.expired).count()
    }

    /// The site path of a page or section named by its relative path.
    pub fn path_of(&self, relative_path: &str) -> Option<&str> {
        self.page(relative_path)
            .map(|p| p.path.as_str())
            .or_else(|| self.section(relative_path).map(|s| s.path.as_str()))
    }
}
