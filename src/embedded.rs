//! The default theme and example site, compiled into the binary so an installed `dangjian`
//! works anywhere (`init`, and sites that use `theme = "default"` without a local copy).

use rust_embed::RustEmbed;

/// `themes/default/`.
#[derive(RustEmbed)]
#[folder = "themes/default/"]
#[exclude = ".*"]
#[exclude = "*/.*"]
pub struct DefaultTheme;

/// `site/` without its build output.
#[derive(RustEmbed)]
#[folder = "site/"]
#[exclude = "public/*"]
#[exclude = ".*"]
#[exclude = "*/.*"]
pub struct ExampleSite;

/// The embedded files under `prefix` of `E`, as (path relative to the prefix, bytes).
pub fn files_under<E: RustEmbed>(prefix: &str) -> Vec<(String, std::borrow::Cow<'static, [u8]>)> {
    let mut files: Vec<(String, std::borrow::Cow<'static, [u8]>)> = E::iter()
        .filter_map(|name| {
            let relative = name.strip_prefix(prefix)?.to_string();
            E::get(&name).map(|file| (relative, file.data))
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}
