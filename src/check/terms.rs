//! The `term` rule: wrong political formulations (规范表述), from a rule set kept as data —
//! the default `terms.toml` compiled into the program, plus the site's own `terms.toml` next to
//! `config.toml`, which adds rules, replaces default ones and disables them.
//!
//! All rules are compiled into one multi-pattern regex, so a page is scanned once however many
//! rules there are.

use std::path::Path;

use regex_automata::meta::{self, Regex};
use regex_automata::util::captures::Captures;
use regex_automata::{Input, MatchKind};
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{self, Diagnostic};

/// The default rules (see the comments in the file for its format).
pub const DEFAULT_RULES: &str = include_str!("terms.toml");

/// Rule id of problems in a site's `terms.toml`.
pub const FILE_RULE: &str = "terms-file";

/// A rules file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    /// Ids (or wrong forms) of default rules to switch off.
    #[serde(default)]
    disable: Vec<Spanned<String>>,
    #[serde(default)]
    rule: Vec<RuleSpec>,
}

/// One `[[rule]]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    id: Option<String>,
    wrong: Option<Spanned<String>>,
    pattern: Option<Spanned<String>>,
    correct: Spanned<String>,
    source: Option<String>,
    #[serde(default)]
    except: Vec<String>,
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Stable name, for overriding and messages.
    pub id: String,
    /// The wrong form as written in the rules file (literal or pattern).
    pub wrong: String,
    /// The correct form (may refer to capture groups: `${1}`).
    pub correct: String,
    /// Which guidance the rule reflects.
    pub source: String,
    /// Words that, overlapping a match, make it correct usage.
    except: Vec<String>,
    /// The regex source of `wrong`.
    pattern: String,
}

/// A wrong formulation found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermHit {
    /// Byte range in the scanned text.
    pub start: usize,
    /// End of the byte range.
    pub end: usize,
    /// Index of the rule in [`TermSet::rules`].
    pub rule: usize,
    /// The correct form for this match.
    pub correct: String,
}

/// The rules in force for one site, compiled.
#[derive(Debug)]
pub struct TermSet {
    /// Rules by pattern id of the regex.
    pub rules: Vec<Rule>,
    regex: Option<Regex>,
}

/// What a scanning thread reuses from page to page (the regex's lazy DFA warms up once).
pub struct Scanner {
    cache: Option<meta::Cache>,
    captures: Option<Captures>,
}

impl TermSet {
    /// The default rules merged with `site_dir/terms.toml` (when it exists), and the problems of
    /// that file. A broken site file still leaves the default rules in force.
    pub fn load(site_dir: &Path) -> (TermSet, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let mut rules = parse_rules(DEFAULT_RULES, "(built-in terms.toml)", true, &mut diagnostics);
        let path = site_dir.join("terms.toml");
        if path.is_file() {
            match std::fs::read(&path).map(|bytes| crate::content::decode::decode_text(&bytes)) {
                Ok(Ok(decoded)) => {
                    rules = merge(rules, &decoded.text, &mut diagnostics);
                }
                Ok(Err(_)) => diagnostics.push(Diagnostic::error(
                    FILE_RULE,
                    "terms.toml",
                    0,
                    0,
                    "terms.toml is neither UTF-8 nor GB18030 text",
                )),
                Err(e) => diagnostics.push(Diagnostic::error(
                    FILE_RULE,
                    "terms.toml",
                    0,
                    0,
                    format!("cannot read terms.toml: {e}"),
                )),
            }
        }
        (TermSet::compile(rules), diagnostics)
    }

    /// Compiles rules that each compiled on their own.
    fn compile(rules: Vec<Rule>) -> TermSet {
        let patterns: Vec<&str> = rules.iter().map(|r| r.pattern.as_str()).collect();
        let regex = Regex::builder()
            .configure(Regex::config().match_kind(MatchKind::LeftmostFirst))
            .build_many(&patterns)
            .ok();
        TermSet { rules, regex }
    }

    /// A key that changes when any rule changes.
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::hash::DefaultHasher::new();
        for rule in &self.rules {
            (&rule.id, &rule.pattern, &rule.correct, &rule.source, &rule.except).hash(&mut hasher);
        }
        hasher.finish()
    }

    /// A scanner for one thread.
    pub fn scanner(&self) -> Scanner {
        Scanner {
            cache: self.regex.as_ref().map(Regex::create_cache),
            captures: self.regex.as_ref().map(Regex::create_captures),
        }
    }

    /// Every wrong formulation in `text`, left to right, not overlapping.
    pub fn scan(&self, text: &str, scanner: &mut Scanner) -> Vec<TermHit> {
        let (Some(regex), Some(cache), Some(caps)) = (&self.regex, &mut scanner.cache, &mut scanner.captures) else {
            return Vec::new();
        };
        let mut hits = Vec::new();
        let mut at = 0;
        while at < text.len() {
            regex.search_captures_with(cache, &Input::new(text).range(at..), caps);
            let Some(found) = caps.get_match() else { break };
            let rule = &self.rules[found.pattern().as_usize()];
            let next_char = found.start() + text[found.start()..].chars().next().map_or(1, char::len_utf8);
            if rule.excepted(text, found.start(), found.end()) {
                at = next_char;
                continue;
            }
            let mut correct = String::new();
            caps.interpolate_string_into(text, &rule.correct, &mut correct);
            hits.push(TermHit {
                start: found.start(),
                end: found.end(),
                rule: found.pattern().as_usize(),
                correct,
            });
            at = found.end().max(next_char);
        }
        hits
    }
}

impl Rule {
    /// True when one of the rule's exception words overlaps `start..end` in `text`.
    fn excepted(&self, text: &str, start: usize, end: usize) -> bool {
        self.except.iter().any(|word| {
            let from = floor_char(text, start.saturating_sub(word.len()));
            let to = ceil_char(text, (end + word.len()).min(text.len()));
            text[from..to]
                .match_indices(word.as_str())
                .any(|(i, _)| from + i < end && from + i + word.len() > start)
        })
    }
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// The site's rules first (they win where two rules match at the same place), then the default
/// rules they neither replace nor disable.
fn merge(defaults: Vec<Rule>, text: &str, diagnostics: &mut Vec<Diagnostic>) -> Vec<Rule> {
    let site = parse_rules(text, "terms.toml", false, diagnostics);
    let disabled: Vec<Spanned<String>> = toml::from_str::<RulesFile>(text).map(|f| f.disable).unwrap_or_default();
    for name in &disabled {
        if !defaults.iter().any(|r| r.id == *name.get_ref() || r.wrong == *name.get_ref()) {
            let (line, column) = diagnostic::line_col(text, name.span().start);
            diagnostics.push(
                Diagnostic::warning(
                    FILE_RULE,
                    "terms.toml",
                    line,
                    column,
                    format!("`disable` names `{}`, which is no default rule", name.get_ref()),
                )
                .with_hint("use the id of a default rule (see docs/content.md) or its wrong form"),
            );
        }
    }
    let mut merged = site.clone();
    merged.extend(defaults.into_iter().filter(|d| {
        let replaced = site.iter().any(|s| s.id == d.id || s.wrong == d.wrong);
        let off = disabled.iter().any(|name| *name.get_ref() == d.id || *name.get_ref() == d.wrong);
        !replaced && !off
    }));
    merged
}

/// Parses and checks a rules file; rules that do not compile are left out with an error.
fn parse_rules(text: &str, file: &str, builtin: bool, diagnostics: &mut Vec<Diagnostic>) -> Vec<Rule> {
    let parsed: RulesFile = match toml::from_str(text) {
        Ok(parsed) => parsed,
        Err(e) => {
            diagnostics.push(crate::config::toml_diagnostic(FILE_RULE, file, text, 0, &e));
            return Vec::new();
        }
    };
    let mut rules: Vec<Rule> = Vec::new();
    for spec in parsed.rule {
        let at = |span: std::ops::Range<usize>| diagnostic::line_col(text, span.start);
        let (wrong, pattern, span) = match (&spec.wrong, &spec.pattern) {
            (Some(wrong), None) => (wrong.get_ref().clone(), regex_syntax::escape(wrong.get_ref()), wrong.span()),
            (None, Some(pattern)) => (pattern.get_ref().clone(), pattern.get_ref().clone(), pattern.span()),
            _ => {
                let (line, column) = at(spec.correct.span());
                diagnostics.push(
                    Diagnostic::error(FILE_RULE, file, line, column, "a rule needs exactly one of `wrong` and `pattern`")
                        .with_hint("`wrong = \"…\"` for the wrong text as written, `pattern = '…'` for a regular expression"),
                );
                continue;
            }
        };
        let (line, column) = at(span.clone());
        let problem = match Regex::new(&pattern) {
            Err(e) => Some(format!("`{wrong}` is not a valid regular expression: {}", e.to_string().trim())),
            Ok(regex) if regex.is_match("") => Some(format!("`{wrong}` matches empty text")),
            Ok(_) if wrong.trim().is_empty() => Some("the wrong form is empty".to_string()),
            Ok(_) => None,
        };
        if let Some(message) = problem {
            diagnostics.push(
                Diagnostic::error(FILE_RULE, file, line, column, message)
                    .with_hint("patterns use Rust regex syntax: \\p{Han} is any Chinese character, (…) captures for ${1} in `correct`"),
            );
            continue;
        }
        let id = spec.id.clone().unwrap_or_else(|| wrong.clone());
        if rules.iter().any(|r| r.id == id) {
            diagnostics.push(
                Diagnostic::error(FILE_RULE, file, line, column, format!("two rules have the id `{id}`"))
                    .with_hint("give each rule its own id; a rule replaces a default rule with the same id"),
            );
            continue;
        }
        let source = spec.source.clone().unwrap_or_else(|| {
            if builtin {
                String::new()
            } else {
                "this site's terms.toml".to_string()
            }
        });
        rules.push(Rule {
            id,
            wrong,
            correct: spec.correct.into_inner(),
            source,
            except: spec.except,
            pattern,
        });
    }
    rules
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> TermSet {
        let mut diagnostics = Vec::new();
        let rules = parse_rules(DEFAULT_RULES, "terms.toml", true, &mut diagnostics);
        assert_eq!(diagnostics, Vec::new());
        TermSet::compile(rules)
    }

    /// The wrong text and the correction of each finding.
    fn found(set: &TermSet, text: &str) -> Vec<(String, String)> {
        let mut scanner = set.scanner();
        set.scan(text, &mut scanner)
            .into_iter()
            .map(|h| (text[h.start..h.end].to_string(), h.correct))
            .collect()
    }

    #[test]
    fn default_rules_are_complete_and_compile() {
        let set = defaults();
        assert!(set.regex.is_some());
        assert!(set.rules.len() >= 20);
        for rule in &set.rules {
            assert!(!rule.source.is_empty() && !rule.id.is_empty(), "{rule:?}");
        }
    }

    #[test]
    fn wrong_forms_are_found_with_their_correction() {
        let set = defaults();
        let cases = [
            ("学习党的二十大会议精神", "党的二十大会议精神", "党的二十大精神"),
            ("传达十九大会议精神", "十九大会议精神", "十九大精神"),
            ("学习三中全会会议精神", "三中全会会议精神", "三中全会精神"),
            ("全会会议精神", "全会会议精神", "全会精神"),
            ("党的二十大三中全会", "二十大三中全会", "二十届三中全会"),
            ("中共人民共和国成立", "中共人民共和国", "中华人民共和国"),
            ("中华人民共合国", "中华人民共合国", "中华人民共和国"),
            ("中共湖北省省委书记", "湖北省省委", "湖北省委"),
            ("清河市市委召开", "清河市市委", "清河市委"),
            ("河市市委", "河市市委", "河市委"),
            ("望江县县委", "望江县县委", "望江县委"),
            ("全国十四届人大二次会议", "全国十四届人大二次会议", "十四届全国人大二次会议"),
            ("全国十三届人大常委会", "全国十三届人大", "十三届全国人大"),
            ("全国十四届政协二次会议", "全国十四届政协二次会议", "全国政协十四届二次会议"),
            ("学习《政府报告》", "《政府报告", "《政府工作报告"),
            ("2024年政府报告提出", "年政府报告", "年政府工作报告"),
            ("政府报告指出", "政府报告指出", "政府工作报告指出"),
            ("国家发展与改革委员会", "发展与改革委员会", "发展和改革委员会"),
            ("市发展与改革局", "发展与改革局", "发展和改革局"),
            ("邀请非党人士", "非党人士", "党外人士"),
            ("最高人民检察院院长", "检察院院长", "检察院检察长"),
            ("市人民检察院副院长", "检察院副院长", "检察院副检察长"),
            ("推进中港合作", "中港合作", "内地与香港合作"),
            ("中港两地", "中港两地", "内地与香港两地"),
            ("中台关系", "中台关系", "大陆与台湾关系"),
            ("北朝鲜", "北朝鲜", "朝鲜"),
            ("南朝鲜", "南朝鲜", "韩国"),
            ("南北朝鲜领导人", "南北朝鲜", "朝韩"),
            ("践行“八荣八耻”", "践行“八荣八耻”", "践行社会主义荣辱观"),
            ("践行\"八荣八耻\"", "践行\"八荣八耻\"", "践行社会主义荣辱观"),
            ("践行「八荣八耻」", "践行「八荣八耻」", "践行社会主义荣辱观"),
            ("践行八荣八耻", "践行八荣八耻", "践行社会主义荣辱观"),
            ("新时代特色社会主义", "新时代特色社会主义", "新时代中国特色社会主义"),
            ("“一带一路”战略", "“一带一路”战略", "“一带一路”倡议"),
            ("关心残废人", "残废人", "残疾人"),
        ];
        for (text, wrong, correct) in cases {
            assert_eq!(found(&set, text), vec![(wrong.to_string(), correct.to_string())], "in {text:?}");
        }
    }

    #[test]
    fn correct_usage_is_not_flagged() {
        let set = defaults();
        for text in [
            "学习贯彻党的二十大精神和二十届三中全会精神",
            "政府工作报告",
            "湖北省委书记",
            "十四届全国人大二次会议",
            "全国政协十四届二次会议",
            "全国人大常委会委员长",
            "党外人士",
            "中华人民共和国",
            "国家发展和改革委员会",
            "最高人民检察院检察长",
            "人民法院院长",
            "内地与香港合作，大陆与台湾交流",
            "香港中港城",
            "集中港口资源",
            "数据中台之间的共享",
            "集中台账管理",
            "朝鲜、韩国",
            "南北朝鲜卑族",
            "践行社会主义荣辱观",
            "及时向市政府报告",
            "在市政府报告厅召开",
            "向县级以上人民政府报告",
            "副省级城市市委书记",
            "各省省委、我市市委、地级市市委、东北三省省委",
            "新时代中国特色社会主义思想",
            "共建“一带一路”倡议",
            "残疾人",
        ] {
            assert_eq!(found(&set, text), Vec::new(), "in {text:?}");
        }
    }

    #[test]
    fn site_rules_add_replace_and_disable() {
        let site = "disable = [\"bei-chao-xian\", \"没有这条\"]\n\n[[rule]]\nwrong = \"非党人士\"\ncorrect = \"党外代表人士\"\n\n[[rule]]\nid = \"x\"\nwrong = \"两学一作\"\ncorrect = \"两学一做\"\nsource = \"本局规定\"\n";
        let mut diagnostics = Vec::new();
        let defaults = parse_rules(DEFAULT_RULES, "terms.toml", true, &mut diagnostics);
        let set = TermSet::compile(merge(defaults, site, &mut diagnostics));
        assert_eq!(diagnostics.len(), 1);
        assert_eq!((diagnostics[0].line, diagnostics[0].column), (1, 29));
        assert!(diagnostics[0].message.contains("没有这条"), "{}", diagnostics[0].message);
        assert_eq!(found(&set, "北朝鲜"), Vec::new());
        assert_eq!(found(&set, "非党人士"), vec![("非党人士".into(), "党外代表人士".into())]);
        assert_eq!(found(&set, "两学一作"), vec![("两学一作".into(), "两学一做".into())]);
        assert_eq!(set.rules.iter().filter(|r| r.wrong == "非党人士").count(), 1);
    }

    #[test]
    fn broken_site_rules_are_errors_with_lines() {
        let site = "[[rule]]\npattern = '(未闭合'\ncorrect = \"x\"\n\n[[rule]]\nwrong = \"a\"\ncorect = \"b\"\n";
        let mut diagnostics = Vec::new();
        merge(Vec::new(), site, &mut diagnostics);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert_eq!(diagnostics[0].line, 7, "{}", diagnostics[0]);
        assert_eq!(diagnostics[0].rule, FILE_RULE);
        let site = "[[rule]]\npattern = '(未闭合'\ncorrect = \"x\"\n\n[[rule]]\npattern = 'a*'\ncorrect = \"b\"\n";
        let mut diagnostics = Vec::new();
        let rules = merge(Vec::new(), site, &mut diagnostics);
        assert!(rules.is_empty());
        let lines: Vec<usize> = diagnostics.iter().map(|d| d.line).collect();
        assert_eq!(lines, vec![2, 6], "{diagnostics:?}");
        assert!(
            diagnostics[0].message.contains("not a valid regular expression"),
            "{}",
            diagnostics[0]
        );
    }
}
