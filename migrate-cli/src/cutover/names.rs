//! Which record sets the equivalence check asks about: from the source, or from a names file.

use super::*;

/// A path as an absolute one (a resume may run from another directory).
pub(super) fn absolute(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// A `--from` spec with a file path made absolute; transfers and Route 53 zones as given.
pub(super) fn absolute_source(spec: &str) -> String {
    if spec.starts_with("axfr://") || spec.starts_with("route53:") {
        return spec.to_string();
    }
    let p = spec.strip_prefix("file:").unwrap_or(spec);
    absolute(Path::new(p)).display().to_string()
}

/// The `--from` source and the `--names` questions `a` gives (each may be absent), checked.
pub(super) fn questions_from(
    a: &CutoverArgs,
    domain: &str,
) -> Result<(Option<crate::source::Source>, Option<Vec<Question>>), Fail> {
    let src = a
        .src
        .from
        .as_ref()
        .map(|_| crate::source::parse(&a.src))
        .transpose()?;
    let names = a
        .names
        .as_ref()
        .map(|p| read_names(p, domain))
        .transpose()?;
    Ok((src, names))
}

/// `NAME TYPE` per line; `#` comments. Names relative to the domain unless they end in a dot.
pub(super) fn read_names(p: &Path, domain: &str) -> Result<Vec<Question>, Fail> {
    let text = std::fs::read_to_string(p)
        .map_err(|e| Fail::error(format!("--names {}: {e}", p.display())))?;
    parse_names(&text, &p.display().to_string(), domain)
}

/// The text of a names file; `file` is what errors call it.
pub fn parse_names(text: &str, file: &str, domain: &str) -> Result<Vec<Question>, Fail> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let bad = |why: &str| Fail::error(format!("{file}:{}: {why}: {line:?}", i + 1));
        let mut parts = line.split_whitespace();
        let (Some(n), Some(t), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad("expected NAME TYPE"));
        };
        let name = if n == "@" {
            domain.to_string()
        } else if n.ends_with('.') {
            normalise(n)
        } else {
            normalise(&format!("{n}.{domain}"))
        };
        if !within(&name, domain) {
            return Err(bad(&format!("{name} is not inside {domain}")));
        }
        let ty: r53_zone::RecordType = t
            .parse()
            .map_err(|_| bad("not a record type Route 53 hosts"))?;
        out.push(Question {
            name,
            ty: ty.as_str().to_string(),
        });
    }
    Ok(out)
}
