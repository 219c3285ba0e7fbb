//! The environment and profile-file links of the chain: AK/SK, or an identity provider and
//! an id token file to federate with.

use std::path::{Path, PathBuf};

use super::chain::Found;
use super::{
    Credentials, Source, ENV_AK, ENV_CREDENTIALS_FILE, ENV_IDP_ID, ENV_ID_TOKEN_FILE, ENV_PROJECT_ID,
    ENV_SECURITY_TOKEN, ENV_SK,
};
use crate::error::Error;

fn non_empty(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.is_empty())
}

/// `idp_id` and `id_token_file` federate (first, as the official); else AK and SK.
fn federal_or_keys(
    get: &dyn Fn(&str) -> Option<String>,
    names: [&str; 5],
    project_id: Option<String>,
) -> Option<Found> {
    let [ak, sk, token, idp_id, id_token_file] = names;
    let source = match (non_empty(get(idp_id)), non_empty(get(id_token_file))) {
        (Some(idp_id), Some(file)) => Source::Federal {
            idp_id,
            id_token_file: PathBuf::from(file),
        },
        _ => {
            let mut c = Credentials::new(non_empty(get(ak))?, non_empty(get(sk))?);
            c.security_token = non_empty(get(token)).map(super::Secret::new);
            Source::Given(c.keys())
        }
    };
    Some(Found {
        source,
        project_id,
        iam_endpoint: None,
    })
}

/// The official `EnvCredentialProvider`.
pub(super) fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Found, Error> {
    let names = [ENV_AK, ENV_SK, ENV_SECURITY_TOKEN, ENV_IDP_ID, ENV_ID_TOKEN_FILE];
    federal_or_keys(env, names, non_empty(env(ENV_PROJECT_ID))).ok_or_else(|| {
        Error::ApiValue("ak&sk or idpId&idTokenFile does not exist in environmental variables".to_owned())
    })
}

/// `$HUAWEICLOUD_SDK_CREDENTIALS_FILE`, else `~/.huaweicloud/credentials`.
pub(super) fn profile_path(env: &dyn Fn(&str) -> Option<String>, home: Option<&Path>) -> Option<PathBuf> {
    non_empty(env(ENV_CREDENTIALS_FILE))
        .map(PathBuf::from)
        .or_else(|| home.map(|h| h.join(".huaweicloud").join("credentials")))
}

/// The official `ProfileCredentialProvider` for `credential_type` (`basic` for the official
/// `get_basic*` providers, `basiccredentials` for the official `build()` without credentials):
/// the section of that name in the profile file, read as `configparser.ConfigParser()` reads it.
pub(super) fn from_profile(path: Option<&Path>, credential_type: &str) -> Result<Found, Error> {
    // As the official shows a missing home: 'None'.
    let shown = path.map_or_else(|| "None".to_owned(), |p| p.display().to_string());
    let missing = || Error::ApiValue(format!("credentials file '{shown}' does not exist"));
    let Some(path) = path.filter(|p| p.exists()) else {
        return Err(missing());
    };
    // configparser's read() skips a file it cannot open; one that is not UTF-8 fails.
    let bytes = std::fs::read(path).map_err(|_| missing())?;
    let text =
        String::from_utf8(bytes).map_err(|e| Error::Config(format!("credentials file '{shown}' is not UTF-8: {e}")))?;
    let ini = Ini::parse(&text, &shown)?;
    let Some(items) = ini.items(credential_type) else {
        return Err(Error::ApiValue(format!(
            "credential type '{credential_type}' does not exist in credentials file '{shown}'"
        )));
    };
    let items = items?;
    let get = |key: &str| items.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let names = ["ak", "sk", "security_token", "idp_id", "id_token_file"];
    let mut found = federal_or_keys(&get, names, non_empty(get("project_id"))).ok_or_else(|| {
        // Sic: the official message names ak&sk twice.
        Error::ApiValue(format!("ak&sk or ak&sk does not exist in credentials file '{shown}'"))
    })?;
    found.iam_endpoint = non_empty(get("iam_endpoint"));
    Ok(found)
}

/// Options of one section: lower-cased name and raw value, in the file's order.
type Options = Vec<(String, String)>;

/// An INI file as Python 3.11's `configparser.ConfigParser()` (the official's parser, with
/// its defaults) reads it: `=` or `:` delimiters, whole-line `#`/`;` comments, indented
/// continuation lines (empty lines kept inside a value), `[DEFAULT]` inherited by every
/// section, strict (a repeated section, or option in one section, is an error), option
/// names lower-cased, and `%%` / `%(name)s` interpolation when a section is read.
#[derive(Debug, Default)]
struct Ini {
    defaults: Options,
    sections: Vec<(String, Options)>,
}

/// Python's `str.isspace`, which `strip()` and configparser's `\s` use (Rust's adds no
/// U+001C..U+001F).
fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// `repr()` of a Python string, as configparser's messages show names, values and lines.
fn py_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

impl Ini {
    /// Parses `text` (`file` names it in errors, as configparser's messages do).
    fn parse(text: &str, file: &str) -> Result<Ini, Error> {
        let mut ini = Ini::default();
        // Where new options go: None before any header, Some(None) for DEFAULT, else the index.
        let mut current: Option<Option<usize>> = None;
        let mut seen_sections: Vec<String> = Vec::new();
        let mut seen_options: Vec<(String, String)> = Vec::new();
        // The open option: its values (lines), joined when the file ends.
        let mut values: Vec<(Option<usize>, String, Vec<String>)> = Vec::new();
        let mut open: Option<usize> = None;
        let mut indent_level = 0usize;
        let mut bad_lines: Vec<String> = Vec::new();
        // Universal newlines, as Python's text files: \r\n, \r and \n end a line.
        let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
        let mut lines: Vec<&str> = normalized.split_inclusive('\n').collect();
        if lines.is_empty() {
            lines.push("");
        }
        for (index, raw) in lines.iter().enumerate() {
            let lineno = index + 1;
            let comment = {
                let t = raw.trim_matches(py_space);
                t.starts_with('#') || t.starts_with(';')
            };
            let value = if comment { "" } else { raw.trim_matches(py_space) };
            if value.is_empty() {
                if !comment && current.is_some() {
                    if let Some(v) = open.and_then(|i| values.get_mut(i)) {
                        v.2.push(String::new());
                    }
                }
                continue;
            }
            let indent = raw
                .find(|c: char| !py_space(c))
                .map_or(0, |at| raw[..at].chars().count());
            if current.is_some() && open.is_some() && indent > indent_level {
                if let Some(v) = open.and_then(|i| values.get_mut(i)) {
                    v.2.push(value.to_owned());
                }
                continue;
            }
            indent_level = indent;
            if let Some(name) = section_header(value) {
                if name == "DEFAULT" {
                    current = Some(None);
                } else if let Some(at) = ini.sections.iter().position(|(n, _)| n == name) {
                    if seen_sections.iter().any(|n| n == name) {
                        return Err(Error::Config(format!(
                            "While reading from {} [line {lineno:2}]: section {} already exists",
                            py_repr(file),
                            py_repr(name)
                        )));
                    }
                    current = Some(Some(at));
                } else {
                    ini.sections.push((name.to_owned(), Vec::new()));
                    seen_sections.push(name.to_owned());
                    current = Some(Some(ini.sections.len() - 1));
                }
                open = None;
                continue;
            }
            let Some(section) = current else {
                return Err(Error::Config(format!(
                    "File contains no section headers.\nfile: {}, line: {lineno}\n{}",
                    py_repr(file),
                    py_repr(raw)
                )));
            };
            let Some(at) = value.find(['=', ':']) else {
                bad_lines.push(format!("\n\t[line {lineno:2}]: {}", py_repr(raw)));
                continue;
            };
            let name = value[..at].trim_end_matches(py_space).to_lowercase();
            if name.is_empty() {
                bad_lines.push(format!("\n\t[line {lineno:2}]: {}", py_repr(raw)));
            }
            let section_name = section.map_or("DEFAULT", |i| ini.sections.get(i).map_or("", |s| s.0.as_str()));
            let key = (section_name.to_owned(), name.clone());
            if seen_options.contains(&key) {
                return Err(Error::Config(format!(
                    "While reading from {} [line {lineno:2}]: option {} in section {} already exists",
                    py_repr(file),
                    py_repr(&name),
                    py_repr(section_name)
                )));
            }
            seen_options.push(key);
            let first = value[at + 1..].trim_matches(py_space).to_owned();
            // A later option of the same name (in an earlier [DEFAULT] block) is replaced.
            values.retain(|(s, n, _)| !(*s == section && *n == name));
            values.push((section, name, vec![first]));
            open = Some(values.len() - 1);
        }
        if !bad_lines.is_empty() {
            return Err(Error::Config(format!(
                "Source contains parsing errors: {}{}",
                py_repr(file),
                bad_lines.concat()
            )));
        }
        for (section, name, lines) in values {
            let joined = lines.join("\n").trim_end_matches(py_space).to_owned();
            let options = match section {
                None => &mut ini.defaults,
                Some(i) => match ini.sections.get_mut(i) {
                    Some(s) => &mut s.1,
                    None => continue,
                },
            };
            options.push((name, joined));
        }
        Ok(ini)
    }

    /// `parser.items(name)`: the defaults, then the section's own options (which win),
    /// each interpolated; `None` without the section (DEFAULT is not one).
    fn items(&self, name: &str) -> Option<Result<Options, Error>> {
        let (_, own) = self.sections.iter().find(|(n, _)| n == name)?;
        let mut merged = self.defaults.clone();
        for (k, v) in own {
            match merged.iter_mut().find(|(m, _)| m == k) {
                Some(slot) => slot.1 = v.clone(),
                None => merged.push((k.clone(), v.clone())),
            }
        }
        let mut out = Vec::with_capacity(merged.len());
        for (option, raw) in &merged {
            let mut value = String::new();
            if let Err(e) = interpolate(option, name, raw, raw, &merged, 1, &mut value) {
                return Some(Err(e));
            }
            out.push((option.clone(), value));
        }
        Some(Ok(out))
    }
}

/// `[name]` as configparser's `\[(?P<header>.+)\]` matches it at the start of the stripped
/// line: up to the last `]`, not trimmed.
fn section_header(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('[')?;
    let end = rest.rfind(']')?;
    rest.get(..end).filter(|name| !name.is_empty())
}

/// configparser's `BasicInterpolation`: `%%` is `%`, `%(name)s` the (interpolated) value of
/// option `name`; anything else after `%` is an error, as is a chain deeper than 10.
fn interpolate(
    option: &str,
    section: &str,
    raw: &str,
    rest: &str,
    map: &Options,
    depth: usize,
    out: &mut String,
) -> Result<(), Error> {
    if depth > 10 {
        return Err(Error::Config(format!(
            "Recursion limit exceeded in value substitution: option {} in section {} contains an \
             interpolation key which cannot be substituted in 10 steps. Raw value: {}",
            py_repr(option),
            py_repr(section),
            py_repr(raw)
        )));
    }
    let mut rest = rest;
    while let Some(p) = rest.find('%') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        let after = &rest[1..];
        if let Some(tail) = after.strip_prefix('%') {
            out.push('%');
            rest = tail;
        } else if let Some(tail) = after.strip_prefix('(') {
            let reference = tail
                .find(')')
                .filter(|&close| close > 0 && tail[close + 1..].starts_with('s'))
                .map(|close| (&tail[..close], &tail[close + 2..]));
            let Some((var, tail)) = reference else {
                return Err(Error::Config(format!(
                    "bad interpolation variable reference {}",
                    py_repr(rest)
                )));
            };
            let var = var.to_lowercase();
            let Some((_, v)) = map.iter().find(|(k, _)| *k == var) else {
                return Err(Error::Config(format!(
                    "Bad value substitution: option {} in section {} contains an interpolation key {} \
                     which is not a valid option name. Raw value: {}",
                    py_repr(option),
                    py_repr(section),
                    py_repr(&var),
                    py_repr(raw)
                )));
            };
            if v.contains('%') {
                interpolate(option, section, raw, v, map, depth + 1, out)?;
            } else {
                out.push_str(v);
            }
            rest = tail;
        } else {
            return Err(Error::Config(format!(
                "'%' must be followed by '%' or '(', found: {}",
                py_repr(rest)
            )));
        }
    }
    out.push_str(rest);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_needs_both_keys_or_both_federation_values() {
        let only_ak = |k: &str| (k == ENV_AK).then(|| "a".to_owned());
        assert!(from_env(&only_ak).is_err());
        let keys = |k: &str| match k {
            ENV_AK => Some("a".to_owned()),
            ENV_SK => Some("s".to_owned()),
            ENV_PROJECT_ID => Some("p".to_owned()),
            _ => None,
        };
        let found = from_env(&keys).ok();
        assert_eq!(found.as_ref().and_then(|f| f.project_id.as_deref()), Some("p"));
        let federal = |k: &str| match k {
            ENV_AK | ENV_SK | ENV_IDP_ID | ENV_ID_TOKEN_FILE => Some("x".to_owned()),
            _ => None,
        };
        assert!(matches!(
            from_env(&federal).map(|f| f.source),
            Ok(Source::Federal { .. })
        ));
    }

    fn items(text: &str, section: &str) -> Result<Vec<(String, String)>, String> {
        let ini = Ini::parse(text, "f").map_err(|e| e.to_string())?;
        ini.items(section)
            .ok_or_else(|| "no section".to_owned())?
            .map_err(|e| e.to_string())
    }

    fn pairs(list: &[(&str, &str)]) -> Result<Vec<(String, String)>, String> {
        Ok(list.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect())
    }

    #[test]
    fn ini_reads_only_the_named_section() {
        let text = "[global]\nak = g\n\n[basic]\nAK = a1\nsk: s1\n; comment\nproject_id = p1\n";
        assert_eq!(
            items(text, "basic"),
            pairs(&[("ak", "a1"), ("sk", "s1"), ("project_id", "p1")])
        );
        assert_eq!(items(text, "other"), Err("no section".to_owned()));
        assert_eq!(items("[basic]\n", "basic"), pairs(&[]));
        assert_eq!(items("[DEFAULT]\nak = a\n", "DEFAULT"), Err("no section".to_owned()));
    }

    #[test]
    fn defaults_are_inherited_and_overridden() {
        let text = "[DEFAULT]\nak = d\nproject_id = p\n[basic]\nak = b\n";
        assert_eq!(items(text, "basic"), pairs(&[("ak", "b"), ("project_id", "p")]));
    }

    #[test]
    fn interpolation_as_basic_interpolation() {
        let text = "[DEFAULT]\nroot = R%%\n[basic]\nsk = S%%1\nak = %(root)s-x\n";
        assert_eq!(
            items(text, "basic"),
            pairs(&[("root", "R%"), ("sk", "S%1"), ("ak", "R%-x")])
        );
        assert!(items("[basic]\nsk = 50%\n", "basic").is_err_and(|e| e.contains("must be followed by")));
        assert!(items("[basic]\nsk = %(nope)s\n", "basic").is_err_and(|e| e.contains("not a valid option")));
        assert!(items("[basic]\na = %(a)s\n", "basic").is_err_and(|e| e.contains("Recursion limit")));
    }

    #[test]
    fn continuation_lines_and_empty_lines_inside_values() {
        let text = "[basic]\nak = first\n  second\n\n  third\n\nsk = s\n";
        assert_eq!(
            items(text, "basic"),
            pairs(&[("ak", "first\nsecond\n\nthird"), ("sk", "s")])
        );
        // A comment inside a value is dropped, not kept as an empty line.
        assert_eq!(items("[basic]\nak = a\n# c\n  b\n", "basic"), pairs(&[("ak", "a\nb")]));
    }

    #[test]
    fn strictness_errors() {
        let dup = items("[basic]\nak = a\nAK = b\n", "basic");
        assert_eq!(
            dup,
            Err("While reading from 'f' [line  3]: option 'ak' in section 'basic' already exists".to_owned())
        );
        assert!(items("[basic]\n[basic]\n", "basic").is_err_and(|e| e.contains("section 'basic' already exists")));
        assert!(items("ak = a\n[basic]\n", "basic").is_err_and(|e| e.starts_with("File contains no section")));
        assert_eq!(
            items("[basic]\njunk\n", "basic"),
            Err("Source contains parsing errors: 'f'\n\t[line  2]: 'junk\\n'".to_owned())
        );
    }

    #[test]
    fn headers_and_delimiters_as_configparser() {
        assert_eq!(items("[basic] trailing\nak=a:b\n", "basic"), pairs(&[("ak", "a:b")]));
        assert_eq!(items("[basic]\nak : x = y\n", "basic"), pairs(&[("ak", "x = y")]));
        assert_eq!(items("[ basic ]\nak = a\n", "basic"), Err("no section".to_owned()));
        assert_eq!(items("[basic]\r\nak = a\r\n", "basic"), pairs(&[("ak", "a")]));
    }
}
