//! Template functions: `get_url`, `get_page`, `get_section`, `get_taxonomy`, `load_data`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tera::{Tera, Value};

use crate::config::Config;
use crate::content::Library;
use crate::render::values::{SiteValues, index_of};

/// Registers `get_url` (needs only paths, so shortcodes can use it too) and `load_data`.
pub fn register_basic(tera: &mut Tera, config: &Config, library: &Library, site_dir: &Path) {
    let paths: HashMap<String, String> = library
        .pages
        .iter()
        .map(|p| (p.relative_path.clone(), p.path.clone()))
        .chain(library.sections.iter().map(|s| (s.relative_path.clone(), s.path.clone())))
        .collect();
    let config_for_url = config.clone();
    tera.register_function("get_url", move |args: &HashMap<String, Value>| {
        let path = string_arg(args, "path", "get_url")?;
        get_url(&config_for_url, &paths, &path).map(Value::String)
    });
    let site_dir = site_dir.to_path_buf();
    let cache: Mutex<HashMap<PathBuf, Value>> = Mutex::new(HashMap::new());
    tera.register_function("load_data", move |args: &HashMap<String, Value>| {
        let path = string_arg(args, "path", "load_data")?;
        let file = crate::files::confined(&site_dir, &path)
            .ok_or_else(|| tera::Error::msg(format!("load_data: `{path}` must be a path inside the site folder")))?;
        // required=false lets a theme use a data file when the site has one.
        let required = args.get("required").and_then(Value::as_bool).unwrap_or(true);
        if !required && !file.is_file() {
            return Ok(Value::Null);
        }
        if let Some(value) = cache.lock().map_err(|_| tera::Error::msg("load_data cache"))?.get(&file) {
            return Ok(value.clone());
        }
        let value = load_data(&file).map_err(|e| tera::Error::msg(format!("load_data(path=\"{path}\"): {e}")))?;
        if let Ok(mut cache) = cache.lock() {
            cache.insert(file, value.clone());
        }
        Ok(value)
    });
}

/// Registers the functions that read the assembled site. Tera 1 copies what a function returns
/// into the render and again on every use of a variable set from it, so they return no more than
/// asked for: `metadata_only` and `limit` keep a section's or a term's pages out.
pub fn register_content(tera: &mut Tera, values: Arc<SiteValues>) {
    let v = values.clone();
    tera.register_function("get_page", move |args: &HashMap<String, Value>| {
        let path = string_arg(args, "path", "get_page")?;
        let index = index_of(&v.library.page_index, &path).ok_or_else(|| tera::Error::msg(format!("get_page: no page content/{path}")))?;
        Ok(v.page_value(index))
    });
    let v = values.clone();
    tera.register_function("get_section", move |args: &HashMap<String, Value>| {
        let path = string_arg(args, "path", "get_section")?;
        let index =
            index_of(&v.library.section_index, &path).ok_or_else(|| tera::Error::msg(format!("get_section: no section content/{path}")))?;
        // Breadcrumbs and menus need only titles and URLs; the home page only the latest few pages.
        Ok(v.section_value(index, pages_limit(args, "get_section")?))
    });
    let v = values.clone();
    let term_urls = TermUrls::new(&values);
    tera.register_function("get_taxonomy_url", move |args: &HashMap<String, Value>| {
        let kind = string_arg(args, "kind", "get_taxonomy_url")?;
        let name = string_arg(args, "name", "get_taxonomy_url")?;
        let index = v
            .taxonomy_index(&kind)
            .ok_or_else(|| tera::Error::msg(format!("get_taxonomy_url: no taxonomy `{kind}` in config.toml")))?;
        term_urls
            .url(&v, index, &name)
            .map(Value::String)
            .ok_or_else(|| tera::Error::msg(format!("get_taxonomy_url: no page uses `{name}` in `{kind}`")))
    });
    tera.register_function("get_taxonomy", move |args: &HashMap<String, Value>| {
        let kind = string_arg(args, "kind", "get_taxonomy")?;
        let index = values
            .taxonomy_index(&kind)
            .ok_or_else(|| tera::Error::msg(format!("get_taxonomy: no taxonomy `{kind}` in config.toml")))?;
        // A tag cloud needs only names and counts: every page of every term is a copy of the site.
        let terms = values.term_values(index, pages_limit(args, "get_taxonomy")?);
        let mut taxonomy = serde_json::Map::new();
        taxonomy.insert("taxonomy".to_string(), values.taxonomy_value(index).clone());
        taxonomy.insert("terms".to_string(), Value::Array(terms));
        Ok(Value::Object(taxonomy))
    });
}

/// The terms of each taxonomy by name, so that the links of every page's tags do not turn each
/// name into pinyin again.
struct TermUrls(Vec<HashMap<String, usize>>);

impl TermUrls {
    fn new(values: &SiteValues) -> TermUrls {
        TermUrls(
            values
                .taxonomies
                .iter()
                .map(|taxonomy| {
                    let mut by_name = HashMap::new();
                    for (index, term) in taxonomy.terms.iter().enumerate() {
                        // The first term of a name wins, as a search in order would find.
                        by_name.entry(term.name.clone()).or_insert(index);
                    }
                    by_name
                })
                .collect(),
        )
    }

    /// The permalink of term `name` of taxonomy `taxonomy`. Spellings that share a slug are one
    /// term, as when the terms were collected; a branch's slug comes from data/branches.toml, so its
    /// name is looked for first.
    fn url(&self, values: &SiteValues, taxonomy: usize, name: &str) -> Option<String> {
        let name = name.trim();
        let terms = &values.taxonomies[taxonomy].terms;
        let term = match self.0[taxonomy].get(name) {
            Some(&index) => &terms[index],
            None => {
                let slug = crate::content::slug::slugify(name, values.config.slugify);
                terms.iter().find(|term| term.slug == slug)?
            }
        };
        Some(values.config.permalink(&term.path))
    }
}

fn string_arg(args: &HashMap<String, Value>, name: &str, function: &str) -> tera::Result<String> {
    args.get(name)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| tera::Error::msg(format!("{function} needs a text argument `{name}`")))
}

/// How many pages (per section or per term) the caller asked for: none with `metadata_only=true`,
/// at most `limit`, or all of them.
fn pages_limit(args: &HashMap<String, Value>, function: &str) -> tera::Result<Option<usize>> {
    if args.get("metadata_only").and_then(Value::as_bool).unwrap_or(false) {
        return Ok(Some(0));
    }
    let Some(limit) = args.get("limit") else {
        return Ok(None);
    };
    limit
        .as_u64()
        .and_then(|n| usize::try_from(n).ok())
        .map(Some)
        .ok_or_else(|| tera::Error::msg(format!("{function}: `limit` must be a number of pages, not {limit}")))
}

/// The URL for `path`: `@/x.md` content links, site paths ("/css/a.css"), or full URLs as is.
pub fn get_url(config: &Config, paths: &HashMap<String, String>, path: &str) -> tera::Result<String> {
    if path.starts_with("http://") || path.starts_with("https://") {
        return Ok(path.to_string());
    }
    if let Some(content) = path.strip_prefix("@/") {
        let (file, fragment) = content.split_once('#').map_or((content, None), |(f, a)| (f, Some(a)));
        let site_path = paths
            .get(file)
            .ok_or_else(|| tera::Error::msg(format!("get_url: no page or section content/{file}")))?;
        let mut url = config.permalink(site_path);
        if let Some(fragment) = fragment {
            url.push('#');
            url.push_str(fragment);
        }
        return Ok(url);
    }
    let site_path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    Ok(config.permalink(&site_path))
}

fn load_data(file: &Path) -> Result<Value, String> {
    let bytes = std::fs::read(file).map_err(|e| e.to_string())?;
    let text = crate::content::decode::decode_text(&bytes)
        .map_err(|_| "not UTF-8 or GB18030 text".to_string())?
        .text;
    let ext = file.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    match ext.as_str() {
        "toml" => toml::from_str::<toml::Value>(&text)
            .map(crate::content::front_matter::toml_to_json)
            .map_err(|e| e.to_string()),
        "json" => serde_json::from_str(&text).map_err(|e| e.to_string()),
        "yaml" | "yml" => serde_yaml_ng::from_str(&text).map_err(|e| e.to_string()),
        "csv" => {
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            let headers: Vec<String> = reader.headers().map_err(|e| e.to_string())?.iter().map(str::to_string).collect();
            let mut records = Vec::new();
            for record in reader.records() {
                let record = record.map_err(|e| e.to_string())?;
                records.push(Value::Array(record.iter().map(|f| Value::String(f.to_string())).collect()));
            }
            Ok(serde_json::json!({ "headers": headers, "records": records }))
        }
        _ => Err(format!("unknown data format `.{ext}`: use .toml, .json, .yaml or .csv")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_for_content_and_files() {
        let config = Config::parse("base_url = \"http://h.local/party\"").unwrap();
        let paths: HashMap<String, String> = [("study/a.md".to_string(), "/study/a/".to_string())].into_iter().collect();
        assert_eq!(
            get_url(&config, &paths, "@/study/a.md#二").unwrap(),
            "http://h.local/party/study/a/#二"
        );
        assert_eq!(
            get_url(&config, &paths, "/css/site.css").unwrap(),
            "http://h.local/party/css/site.css"
        );
        assert_eq!(get_url(&config, &paths, "study/").unwrap(), "http://h.local/party/study/");
        assert!(get_url(&config, &paths, "@/none.md").is_err());
    }

    #[test]
    fn data_paths_are_confined() {
        let base = Path::new("/site");
        assert_eq!(
            crate::files::confined(base, "data/a.toml"),
            Some(PathBuf::from("/site/data/a.toml"))
        );
        assert_eq!(crate::files::confined(base, "../etc/passwd"), None);
        assert_eq!(crate::files::confined(base, "/etc/passwd"), None);
    }
}
