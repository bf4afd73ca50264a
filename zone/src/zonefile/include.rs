//! `$INCLUDE`, expanded before hickory's parser sees the text: confined to the zone's folder,
//! limited in depth and in files, lines and bytes, with the optional origin argument.

use super::*;

/// A path with `.` and `..` resolved by spelling alone.
pub(super) fn lexical(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Reads one file into `out`, following its `$INCLUDE`s (confined to `root`, bounded by
/// `budget`). Every line whose first word is `$INCLUDE` is handled here, whatever the
/// parenthesis scan says, so confinement never depends on the scan agreeing with hickory (and
/// [`code_of`] refuses any `$INCLUDE` that would still reach hickory's parser).
pub(super) fn expand(
    file: &Path,
    root: &Path,
    depth: usize,
    origin: &mut String,
    out: &mut Expanded,
    budget: &mut Budget,
) -> Result<(), ZoneFileError> {
    use std::io::Read;
    let io = |message: String| ZoneFileError::Io {
        file: file.to_path_buf(),
        message,
    };
    let lim = budget.limits;
    budget.files += 1;
    if budget.files > lim.max_files {
        return Err(io(format!(
            "more than {} files (the zone file and its $INCLUDEs) is over the zone-file reader's limit \
             (default {DEFAULT_MAX_FILES}; raise Limits::max_files)",
            lim.max_files
        )));
    }
    let left = lim.max_bytes.saturating_sub(budget.bytes);
    let mut text = String::new();
    std::fs::File::open(file)
        .and_then(|f| f.take(left.saturating_add(1)).read_to_string(&mut text))
        .map_err(|e| io(e.to_string()))?;
    budget.bytes = budget.bytes.saturating_add(text.len() as u64);
    if budget.bytes > lim.max_bytes {
        return Err(io(format!(
            "more than {} bytes read (the zone file and its $INCLUDEs) is over the zone-file reader's limit \
             (default {DEFAULT_MAX_BYTES}; raise Limits::max_bytes)",
            lim.max_bytes
        )));
    }
    let shown: Arc<Path> = Arc::from(file);
    let mut scan = Scan::default();
    for (i, l) in text.lines().enumerate() {
        let lineno = i + 1;
        let here = |col: usize, message: String| ZoneFileError::Syntax {
            loc: Loc {
                file: file.to_path_buf(),
                line: lineno,
                col,
            },
            message,
        };
        budget.lines += 1;
        if budget.lines > lim.max_lines {
            return Err(here(
                1,
                format!(
                    "more than {} lines (the zone file and its $INCLUDEs) is over the zone-file reader's limit \
                     (default {DEFAULT_MAX_LINES}; raise Limits::max_lines)",
                    lim.max_lines
                ),
            ));
        }
        scan.line(l);
        let code = code_of(l).map_err(|(c, m)| here(c, m));
        let first = l.split_whitespace().next();
        let directive = first
            .filter(|w| w.starts_with('$') && !l.starts_with(char::is_whitespace))
            .map(str::to_ascii_uppercase);
        if directive.as_deref() == Some("$INCLUDE") {
            let w = words(l);
            let Some(target) = w.get(1) else {
                return Err(here(1, "$INCLUDE needs a file name".into()));
            };
            let col = l.find(target).map(|c| c + 1).unwrap_or(1);
            if depth + 1 > MAX_INCLUDE_DEPTH {
                return Err(here(
                    col,
                    format!("$INCLUDE nested more than {MAX_INCLUDE_DEPTH} deep"),
                ));
            }
            let target = target.trim_matches('"');
            let path = file.parent().unwrap_or(Path::new(".")).join(target);
            let outside = || {
                here(
                    col,
                    format!(
                        "$INCLUDE {target} is outside the zone file's folder {} (refused)",
                        root.display()
                    ),
                )
            };
            // Refused by its spelling first (`..`, absolute paths), then by where it really is.
            if !lexical(&path).starts_with(root) {
                return Err(outside());
            }
            let real = path
                .canonicalize()
                .map_err(|e| here(col, format!("$INCLUDE {}: {e}", path.display())))?;
            if !real.starts_with(root) {
                return Err(outside());
            }
            let this = Loc {
                file: file.to_path_buf(),
                line: lineno,
                col,
            };
            if let Some((_, first)) = budget.seen.iter().find(|(p, _)| *p == real) {
                let before = match first {
                    Some(l) => format!("first included at {l}"),
                    None => "it is the zone file itself".to_string(),
                };
                return Err(here(
                    col,
                    format!(
                        "$INCLUDE {target}: {} is already read ({before}); a file is read once (a loop or a repeat)",
                        real.display()
                    ),
                ));
            }
            budget.seen.push((real.clone(), Some(this)));
            let saved = origin.clone();
            if let Some(dom) = w.get(2).filter(|d| !d.starts_with(';')) {
                *origin = absolute(dom, &saved);
                out.push(&shown, lineno, &format!("$ORIGIN {origin}"), true);
            }
            expand(&real, root, depth + 1, origin, out, budget)?;
            // An include never changes the including file's origin (RFC 1035 §5.1).
            *origin = saved;
            out.push(&shown, lineno, &format!("$ORIGIN {origin}"), true);
            continue;
        }
        let code = code?;
        if directive.as_deref() == Some("$ORIGIN") {
            if let Some(o) = words(code).get(1) {
                *origin = absolute(o, origin);
            }
        }
        out.push(&shown, lineno, code, scan.depth == 0);
    }
    Ok(())
}
