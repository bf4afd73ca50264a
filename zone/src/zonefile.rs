//! RFC 1035 zone files, parsed with hickory's parser.
//!
//! Two things hickory's parser does not do are done here, around it: `$INCLUDE` is expanded
//! beforehand (so includes can be confined to the zone's folder, limited in depth, and take the
//! optional origin argument), and a parse error is placed at its file, line and column (hickory
//! reports what went wrong but not where) by finding the first entry whose prefix fails to parse.

use std::fmt;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hickory_proto::rr::{Name as HName, Record};
use hickory_proto::serialize::txt::Parser;

use crate::record::RecordSet;

/// How deep `$INCLUDE` may nest.
pub const MAX_INCLUDE_DEPTH: usize = 8;
/// Default bounds of what one zone file and its `$INCLUDE`s may add up to (see [`Limits`]).
pub const DEFAULT_MAX_FILES: usize = 256;
pub const DEFAULT_MAX_LINES: usize = 5_000_000;
pub const DEFAULT_MAX_BYTES: u64 = 512 * 1024 * 1024;
/// The longest word or quoted string read (in characters). Not raisable: hickory's zone lexer
/// gives up (asserts) past about 4,095 characters per token, blanks before it included, and
/// Route 53 takes at most 4,000 characters per value anyway.
pub const MAX_TOKEN_CHARS: usize = 3000;
/// The longest run of blanks between two words (same reason as [`MAX_TOKEN_CHARS`]).
pub const MAX_BLANK_CHARS: usize = 1000;
/// RFC 3597 `\#` data is at most 65,535 bytes (a record's data length is 16 bits).
pub const MAX_GENERIC_BYTES: usize = 65_535;

/// Bounds on a zone file and everything it includes. The defaults are generous for real zones
/// and stop a loop, a hostile include or a huge file before it fills memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Files read, the zone file itself included.
    pub max_files: usize,
    /// Lines read, over all files.
    pub max_lines: usize,
    /// Bytes read, over all files.
    pub max_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_files: DEFAULT_MAX_FILES,
            max_lines: DEFAULT_MAX_LINES,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// What has been read so far, against [`Limits`].
struct Budget {
    limits: Limits,
    files: usize,
    lines: usize,
    bytes: u64,
    /// Every file read (canonical path) and where it was included from.
    seen: Vec<(PathBuf, Option<Loc>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loc {
    pub file: PathBuf,
    pub line: usize,
    pub col: usize,
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.col)
    }
}

/// A zone file that cannot be read, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ZoneFileError {
    #[error("{}: {message}", file.display())]
    Io { file: PathBuf, message: String },
    #[error("{loc}: {message}")]
    Syntax { loc: Loc, message: String },
}

/// The records of a zone file (SOA included), and the zone it is for (its SOA's owner; the
/// given origin when it has no SOA).
#[derive(Debug, Clone)]
pub struct ParsedZone {
    pub origin: String,
    pub records: Vec<Record>,
}

/// The expanded text, line by line: (file, line number, text).
struct Expanded {
    lines: Vec<(Arc<Path>, usize, String)>,
    /// After which expanded lines no parenthesis or quote is open (entry boundaries).
    boundary: Vec<bool>,
}

impl Expanded {
    /// The lines as one text, for a whole-file parse.
    fn text(&self) -> String {
        self.lines.iter().map(|l| format!("{}\n", l.2)).collect()
    }

    fn push(&mut self, file: &Arc<Path>, line: usize, text: &str, at_boundary: bool) {
        self.lines.push((file.clone(), line, text.to_string()));
        self.boundary.push(at_boundary);
    }
}

/// Tracks parentheses and quotes across lines, ignoring comments, as the zone-file lexer does.
#[derive(Default)]
struct Scan {
    depth: i32,
}

impl Scan {
    /// Updates the state with one line; returns the line's first word when the line starts an
    /// entry outside parentheses.
    fn line<'a>(&mut self, l: &'a str) -> Option<&'a str> {
        let starts_entry = self.depth == 0;
        let mut in_quote = false;
        let mut escaped = false;
        // Bytes, not chars: every delimiter is ASCII and never part of a longer character.
        for &c in l.as_bytes() {
            if escaped {
                escaped = false;
                continue;
            }
            match c {
                b'\\' => escaped = true,
                b'"' => in_quote = !in_quote,
                b';' if !in_quote => break,
                b'(' if !in_quote => self.depth += 1,
                b')' if !in_quote => self.depth -= 1,
                _ => {}
            }
        }
        if starts_entry {
            l.split_whitespace().next()
        } else {
            None
        }
    }
}

/// The line without its comment, after checking what hickory's lexer cannot take safely: a word,
/// quoted string or run of blanks too long for it (it asserts), a quoted string left open at
/// the end of the line, an escaped `;` outside quotes (hickory starts a comment there, this
/// reader does not), and `$INCLUDE` anywhere but where [`expand`] handles it. Errors are
/// (1-based column, message).
fn code_of(l: &str) -> Result<&str, (usize, String)> {
    let (mut in_q, mut esc) = (false, false);
    // (byte where it starts, characters) of the word or blank run under way.
    let mut word: Option<(usize, usize)> = None;
    let mut blank: Option<(usize, usize)> = None;
    let mut q_start = 0;
    let col = |i: usize| l.get(..i).map_or(1, |p| p.chars().count() + 1);
    let end_word = |w: Option<(usize, usize)>, end: usize| -> Result<(), (usize, String)> {
        let Some((st, n)) = w else { return Ok(()) };
        if n > MAX_TOKEN_CHARS {
            return Err((
                col(st),
                format!(
                    "a word or quoted string of {n} characters is longer than the zone-file reader's limit of \
                     {MAX_TOKEN_CHARS} characters (fixed: Route 53 takes at most 4000 characters per value; \
                     split long TXT data into several quoted strings)"
                ),
            ));
        }
        let w = l.get(st..end).unwrap_or_default();
        if w.get(..8)
            .is_some_and(|p| p.eq_ignore_ascii_case("$include"))
        {
            return Err((
                col(st),
                "$INCLUDE is read only at the start of a line (and needs a zone file on disk)"
                    .into(),
            ));
        }
        Ok(())
    };
    let mut end = l.len();
    for (i, c) in l.char_indices() {
        let is_blank = !in_q && !esc && c.is_whitespace();
        if is_blank {
            end_word(word.take(), i)?;
            let b = blank.get_or_insert((i, 0));
            b.1 += 1;
            if b.1 > MAX_BLANK_CHARS {
                return Err((
                    col(b.0),
                    format!(
                        "a run of more than {MAX_BLANK_CHARS} blanks (the zone-file reader's limit, fixed)"
                    ),
                ));
            }
            continue;
        }
        blank = None;
        if !in_q && !esc && c == ';' {
            end = i;
            break;
        }
        let w = word.get_or_insert((i, 0));
        w.1 += 1;
        if w.1 > MAX_TOKEN_CHARS {
            end_word(word, i)?;
        }
        if esc {
            esc = false;
            if !in_q && c == ';' {
                return Err((
                    col(i),
                    "an escaped ';' outside a quoted string is not supported here: write the text in quotes".into(),
                ));
            }
            continue;
        }
        match c {
            '\\' => esc = true,
            '"' => {
                in_q = !in_q;
                if in_q {
                    q_start = i;
                }
            }
            _ => {}
        }
    }
    if in_q {
        return Err((
            col(q_start),
            "a quoted string is not closed on its line".into(),
        ));
    }
    end_word(word, end)?;
    Ok(l.get(..end).unwrap_or(l))
}

fn words(l: &str) -> Vec<&str> {
    let l = l.split(';').next().unwrap_or_default();
    l.split_whitespace().collect()
}

fn absolute(name: &str, origin: &str) -> String {
    if name.ends_with('.') {
        name.to_string()
    } else if name == "@" {
        origin.to_string()
    } else {
        format!("{name}.{origin}")
    }
}

/// A path with `.` and `..` resolved by spelling alone.
fn lexical(p: &Path) -> PathBuf {
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
fn expand(
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

const HICKORY_PANIC: &str = "hickory-proto's zone-file parser failed (panicked) on an entry here; \
     please report it with the entry's text";

fn parse_text(text: &str, origin: &HName) -> Result<Vec<Record>, String> {
    // The checks above refuse what hickory's parser is known to panic on; a panic not yet
    // known still ends as this zone file's error, not the process (fuzzing finds them).
    let parsed = std::panic::catch_unwind(AssertUnwindSafe(|| {
        Parser::new(text, None, Some(origin.clone())).parse()
    }))
    .map_err(|_| HICKORY_PANIC.to_string())?;
    let (_, sets) = parsed.map_err(|e| e.to_string())?;
    let mut records = Vec::new();
    for (_, set) in sets {
        for r in set {
            records.push(restore(r)?);
        }
    }
    Ok(records)
}

/// Entries per piece: hickory keeps the records it has read in a map ordered by name, whose
/// comparisons dominate a large parse, so small pieces parse faster even on one core.
const PIECE_ENTRIES: usize = 32;

/// Parses the rewritten text in independent pieces (on every core); `None` when a piece fails
/// or the pieces disagree with a whole parse's rules (a second SOA), so the caller parses the
/// whole text again to report the error exactly as before.
fn parse_pieces(out: &Expanded, cuts: &[Cut], origin: &HName) -> Option<Vec<Record>> {
    let chosen: Vec<&Cut> = cuts
        .iter()
        .filter(|c| c.line > 0)
        .skip(PIECE_ENTRIES - 1)
        .step_by(PIECE_ENTRIES)
        .collect();
    // (first line, end line, header) per piece; each worker writes its own pieces' text.
    let mut pieces = Vec::with_capacity(chosen.len() + 1);
    let ends = chosen.iter().map(|c| c.line).chain([out.lines.len()]);
    let mut from = 0;
    for (k, to) in ends.enumerate() {
        pieces.push((from, to, k.checked_sub(1).map(|k| chosen[k])));
        from = to;
    }
    let parsed = crate::par::map_chunks(&pieces, 2, |chunk| {
        // About one record per line: no regrowth of a large vector.
        let lines = chunk.last().map_or(0, |p| p.1) - chunk.first().map_or(0, |p| p.0);
        let mut records = Vec::with_capacity(lines);
        let mut text = String::new();
        for &(from, to, head) in chunk {
            text.clear();
            if let Some(c) = head {
                text.push_str("$ORIGIN ");
                text.push_str(&c.origin);
                text.push_str("\n$TTL ");
                text.push_str(&c.ttl);
                text.push('\n');
            }
            for l in &out.lines[from..to] {
                text.push_str(&l.2);
                text.push('\n');
            }
            match parse_plain(&text, origin) {
                Some(r) => records.extend(r),
                None => records.extend(parse_text(&text, origin).ok()?),
            }
        }
        Some(records)
    });
    let parsed: Vec<Vec<Record>> = parsed.into_iter().collect::<Option<_>>()?;
    let mut records = Vec::with_capacity(parsed.iter().map(Vec::len).sum());
    for p in parsed {
        records.extend(p);
    }
    let soas = records
        .iter()
        .filter(|r| r.record_type() == hickory_proto::rr::RecordType::SOA)
        .count();
    (soas <= 1).then_some(records)
}

/// Parses a piece made only of plain entries — one line each; words and simple quoted strings
/// (no escapes, parentheses or non-ASCII); `$ORIGIN`/`$TTL`; no SOA — the way hickory's
/// parser reads them, with hickory's own name and record-data parsers, but without its lexer
/// and ordered map. `None` for anything else, which then goes to hickory's parser whole (and
/// so does every error).
fn parse_plain(text: &str, origin: &HName) -> Option<Vec<Record>> {
    use hickory_proto::rr::{DNSClass, RData, RecordType as T};
    use hickory_proto::serialize::txt::RDataParser;
    use std::str::FromStr;
    let mut origin = origin.clone();
    let mut ttl: Option<u32> = None;
    let mut class = DNSClass::IN;
    let mut name: Option<HName> = None;
    let mut records = Vec::new();
    let mut parts: Vec<&str> = Vec::new();
    for line in text.lines() {
        // The comment, if any, ends the line (quotes never hold a ';' here: see below).
        let code = match line.find(';') {
            Some(i) => &line[..i],
            None => line,
        };
        if !code.bytes().all(|c| {
            (c.is_ascii_graphic() || c == b' ' || c == b'\t') && !matches!(c, b'\\' | b'(' | b')')
        }) || line[code.len()..].contains('"')
        {
            return None;
        }
        let mut words = code.split_ascii_whitespace();
        let blank = code.starts_with([' ', '\t']);
        let Some(first) = words.next() else {
            continue;
        };
        if !blank && first.starts_with('$') {
            let arg = words.next()?;
            if words.next().is_some() {
                return None;
            }
            match first {
                "$ORIGIN" => origin = HName::parse(arg, None).ok()?,
                "$TTL" => ttl = Some(Parser::parse_time(arg).ok()?),
                _ => return None,
            }
            continue;
        }
        let mut rest = std::iter::once(first).chain(words).peekable();
        if !blank {
            let owner = rest.next()?;
            name = Some(match owner {
                "@" => origin.clone(),
                o if o.starts_with(['@', '"']) || o.contains('"') => return None,
                o => HName::parse(o, Some(&origin)).ok()?,
            });
        }
        let mut rtype = None;
        for w in rest.by_ref() {
            if w.contains('"') || w.starts_with('@') {
                return None;
            }
            if let Ok(t) = Parser::parse_time(w) {
                ttl = Some(t);
            } else if let Ok(c) = DNSClass::from_str(&w.to_ascii_uppercase()) {
                class = c;
            } else {
                rtype = Some(T::from_str(&w.to_ascii_uppercase()).ok()?);
                break;
            }
        }
        let Some(rtype) = rtype else {
            continue; // an owner (and TTL/class) alone: hickory takes the line too
        };
        if rtype == T::SOA {
            return None;
        }
        // The record data: words, and quoted strings whole (without their quotes).
        parts.clear();
        let data = rest.collect::<Vec<_>>();
        let mut i = 0;
        while i < data.len() {
            let w = data[i];
            if w.starts_with('"') {
                // A quoted string may hold spaces: find where it closes on the line itself.
                let start = w.as_ptr() as usize - code.as_ptr() as usize + 1;
                let end = start + code[start..].find('"')?;
                let inner = &code[start..end];
                let after = code[end + 1..].chars().next();
                if inner.is_empty() || after.is_some_and(|c| !c.is_ascii_whitespace()) {
                    return None;
                }
                parts.push(inner);
                // Skip the words the quoted string spans.
                let stop = end + 1;
                while i < data.len() && (data[i].as_ptr() as usize - code.as_ptr() as usize) < stop
                {
                    i += 1;
                }
                continue;
            }
            if w.contains('"') || w.starts_with('@') || w.starts_with('$') {
                return None;
            }
            parts.push(w);
            i += 1;
        }
        let rdata = std::panic::catch_unwind(AssertUnwindSafe(|| {
            RData::parse(rtype, parts.iter().copied(), Some(&origin))
        }))
        .ok()?
        .ok()?;
        let mut n = name.clone()?;
        n.set_fqdn(true);
        let mut r = Record::from_rdata(n, ttl?, rdata);
        r.set_dns_class(class);
        records.push(restore(r).ok()?);
    }
    Some(records)
}

/// A place where the text can be cut into pieces that parse alone: before an entry that names
/// its owner, with the origin and TTL hickory's parser would have there.
struct Cut {
    line: usize,
    // Shared: most entries start a possible cut, and they all hold the same few values.
    origin: Arc<str>,
    ttl: Arc<str>,
}

/// Marks a TXT record that stands in for an entry hickory's parser cannot read (see
/// [`rewrite_foreign`]); followed by the type code, then `\#` hex data or the SPF strings.
const STAND_IN: &str = "r53-zonefile-stand-in-6d1f0c";

/// Entries of types hickory's parser has no syntax for — SPF, RFC 3597 generic data (`\#`),
/// and mnemonics such as LOC or DNAME — are rewritten as a marked TXT record on the same
/// lines, so hickory still resolves their owner, TTL and class; [`restore`] turns them back.
/// Returns where the text may be cut into pieces (see [`parse_pieces`]).
fn rewrite_foreign(out: &mut Expanded, origin: &str) -> Result<Vec<Cut>, ZoneFileError> {
    let mut cuts = Vec::new();
    let mut start = 0;
    let mut origin: Arc<str> = origin.into();
    // hickory gives a record without a TTL the last TTL seen; RFC 2308 says $TTL.
    let mut default_ttl: Option<Arc<str>> = None;
    // What an entry without a TTL gets inserted: "$TTL's value ".
    let mut default_ins = String::new();
    // The TTL hickory's parser holds after each entry (the last one it set), once known.
    let mut parser_ttl: Option<Arc<str>> = None;
    // A class other than IN carries over to later entries: no cuts after one.
    let mut other_class = false;
    for end in 0..out.lines.len() {
        if !out.boundary[end] {
            continue;
        }
        let (s, e) = (start, end);
        start = end + 1;
        let first = &out.lines[s].2;
        let t = first.trim_start();
        let directive = |d: &str| {
            t.len() > d.len() && t.get(..d.len()).is_some_and(|p| p.eq_ignore_ascii_case(d))
        };
        if directive("$ORIGIN") {
            if let Some(o) = words(t).get(1) {
                origin = absolute(o, &origin).into();
            }
        }
        if directive("$TTL") {
            default_ttl = words(t).get(1).map(|w| Arc::from(*w));
            default_ins = default_ttl
                .as_deref()
                .map(|t| format!("{t} "))
                .unwrap_or_default();
            parser_ttl.clone_from(&default_ttl);
        }
        if t.is_empty() || t.starts_with(';') || t.starts_with('$') {
            continue;
        }
        let owner = !first.starts_with(char::is_whitespace);
        if let (true, Some(ttl), false) = (owner, &parser_ttl, other_class) {
            cuts.push(Cut {
                line: s,
                origin: origin.clone(),
                ttl: ttl.clone(),
            });
        }
        let multi = s != e;
        let joined: String = if multi {
            out.lines[s..=e]
                .iter()
                .map(|l| l.2.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            String::new()
        };
        // hickory splits quoted strings inside parentheses at spaces: give it the entry on one
        // line, without the parentheses and comments (later lines of the entry left blank).
        if has_paren(if multi { &joined } else { first }) {
            let indent: String = first.chars().take_while(|c| c.is_whitespace()).collect();
            let src = if multi {
                joined.as_str()
            } else {
                first.as_str()
            };
            let flat = format!(
                "{indent}{}",
                tokens(src)
                    .iter()
                    .map(|t| t.1)
                    .collect::<Vec<_>>()
                    .join(" ")
            );
            out.lines[s].2 = flat;
            for l in &mut out.lines[s + 1..=e] {
                l.2 = String::new();
            }
        } else if multi {
            // A multi-line entry without parentheses cannot be (the lines are entries): leave
            // it for hickory to report.
            continue;
        }
        let line = std::mem::take(&mut out.lines[s].2);
        let toks = tokens(&line);
        let mut i = usize::from(owner);
        let mut ttl_tok = None;
        while i < toks.len() {
            let tok = toks[i].1;
            if Parser::parse_time(tok).is_ok() {
                ttl_tok = Some(tok);
                i += 1;
            } else if ["IN", "CH", "CS", "HS", "NONE", "ANY"]
                .iter()
                .any(|c| tok.eq_ignore_ascii_case(c))
            {
                other_class |= !tok.eq_ignore_ascii_case("IN");
                i += 1;
            } else {
                break;
            }
        }
        let Some(&(tpos, tname)) = toks.get(i) else {
            out.lines[s].2 = line;
            continue;
        };
        let rdata = &toks[i + 1..];
        let ttl_ins = match (&default_ttl, ttl_tok) {
            (Some(_), None) => default_ins.as_str(),
            _ => "",
        };
        match (ttl_tok, ttl_ins.is_empty()) {
            (Some(t), _) if parser_ttl.as_deref() != Some(t) => parser_ttl = Some(Arc::from(t)),
            (Some(_), _) => {}
            (None, false) => parser_ttl.clone_from(&default_ttl),
            (None, true) => {}
        }
        // Type mnemonics are nearly always upper case already.
        let up: std::borrow::Cow<'_, str> = if tname.bytes().any(|b| b.is_ascii_lowercase()) {
            tname.to_ascii_uppercase().into()
        } else {
            tname.into()
        };
        let parsed = up.parse::<hickory_proto::rr::RecordType>();
        let known = parsed
            .as_ref()
            .is_ok_and(|t| !matches!(t, hickory_proto::rr::RecordType::Unknown(_)));
        let code = match parsed {
            Ok(t) if known => u16::from(t),
            _ => match crate::wire::type_code(&up) {
                Some(c) => c,
                None => {
                    // A real syntax error: hickory reports it.
                    out.lines[s].2 = line;
                    continue;
                }
            },
        };
        let generic = rdata.first().is_some_and(|t| t.1 == "\\#");
        let here = |col: usize, message: String| ZoneFileError::Syntax {
            loc: Loc {
                file: out.lines[s].0.to_path_buf(),
                line: out.lines[s].1,
                col: col + 1,
            },
            message,
        };
        // hickory's lexer decodes `\DDD` in quoted strings wrongly (as d1<<16 + d2<<8 + d3) and
        // not at all in words: TXT and SPF data with escapes is decoded here instead.
        let text_escapes = code == 16 && rdata.iter().any(|t| t.1.contains('\\'));
        if known && !generic && (code == 64 || code == 65) {
            svc_params_readable(rdata).map_err(|(off, m)| {
                here(
                    off,
                    format!("{m} (in a {} value)", crate::wire::type_name(code)),
                )
            })?;
        }
        if known && !generic && !text_escapes {
            // hickory's parser does not take `@` (the origin) inside record data, nor `\DDD`
            // in a quoted string (CAA, NAPTR): spell them out.
            let mut fixes: Vec<(usize, usize, String)> = Vec::new();
            for &(off, t) in rdata {
                if t == "@" {
                    fixes.push((off, 1, origin.to_string()));
                } else if t.starts_with('"') && has_decimal_escape(t) {
                    let fixed = requote_printable(t).map_err(|m| {
                        here(
                            off,
                            format!("{m} (in a {} value)", crate::wire::type_name(code)),
                        )
                    })?;
                    fixes.push((off, t.len(), fixed));
                }
            }
            if ttl_ins.is_empty() && fixes.is_empty() {
                out.lines[s].2 = line;
                continue;
            }
            let mut fixed = String::with_capacity(line.len() + ttl_ins.len());
            fixed.push_str(line.get(..tpos).unwrap_or_default());
            fixed.push_str(ttl_ins);
            let mut at = tpos;
            for (off, len, with) in fixes {
                fixed.push_str(line.get(at..off).unwrap_or_default());
                fixed.push_str(&with);
                at = off + len;
            }
            fixed.push_str(line.get(at..).unwrap_or_default());
            out.lines[s].2 = fixed;
            continue;
        }
        let mut strings = vec![STAND_IN.to_string(), code.to_string()];
        let data = if generic {
            Some(generic_data(rdata).map_err(|m| here(tpos, m))?)
        } else if code == 16 || code == 99 {
            Some(text_wire(rdata).map_err(|(off, m)| here(off, m))?)
        } else {
            None
        };
        if let Some(bytes) = data {
            strings.push("#".into());
            // In pieces: one long quoted string would be too long a token for hickory's lexer.
            let hex = data_hex(&bytes);
            strings.extend(
                hex.as_bytes()
                    .chunks(2000)
                    .map(|c| String::from_utf8_lossy(c).into_owned()),
            );
        }
        let quoted: Vec<String> = strings.iter().map(|s| format!("\"{s}\"")).collect();
        out.lines[s].2 = format!(
            "{}{ttl_ins}TXT {}",
            line.get(..tpos).unwrap_or_default(),
            quoted.join(" ")
        );
    }
    Ok(cuts)
}

fn data_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// RFC 3597 generic data: `\# length hex...`, the length matching the data.
fn generic_data(rdata: &[(usize, &str)]) -> Result<Vec<u8>, String> {
    let Some(&(_, len)) = rdata.get(1) else {
        return Err("generic record data (\\#) needs its length, as in '\\# 4 c0000201'".into());
    };
    let len: usize = len
        .parse()
        .map_err(|_| format!("generic record data (\\#): the length {len:?} is not a number"))?;
    if len > MAX_GENERIC_BYTES {
        return Err(format!(
            "generic record data (\\#) of {len} bytes is over {MAX_GENERIC_BYTES} bytes, the most a DNS record holds"
        ));
    }
    let hex: String = rdata
        .get(2..)
        .unwrap_or_default()
        .iter()
        .map(|t| t.1)
        .collect();
    let bytes = decode_hex(&hex).ok_or_else(|| {
        let shown: String = hex.chars().take(40).collect();
        format!("generic record data (\\#): '{shown}' is not hexadecimal")
    })?;
    if bytes.len() != len {
        return Err(format!(
            "generic record data (\\#) says {len} bytes but has {}",
            bytes.len()
        ));
    }
    Ok(bytes)
}

/// One zone-file character string (quoted or a word) as bytes: `\DDD` is a decimal byte, `\X`
/// is X itself (RFC 1035 §5.1).
fn zone_string(tok: &str) -> Result<Vec<u8>, String> {
    let inner = match tok.strip_prefix('"') {
        Some(q) => q
            .strip_suffix('"')
            .ok_or_else(|| "a quoted string is not closed".to_string())?,
        None => tok,
    };
    let mut out = Vec::with_capacity(inner.len());
    let mut it = inner.chars();
    let mut buf = [0u8; 4];
    while let Some(c) = it.next() {
        if c != '\\' {
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        match it.next() {
            None => return Err("a string ends with a lone '\\'".into()),
            Some(d) if d.is_ascii_digit() => {
                let (d2, d3) = (it.next(), it.next());
                let v = [Some(d), d2, d3].iter().try_fold(0u32, |acc, x| {
                    x.and_then(|x| x.to_digit(10)).map(|x| acc * 10 + x)
                });
                match v.and_then(|v| u8::try_from(v).ok()) {
                    Some(b) => out.push(b),
                    None => {
                        let shown: String = [Some(d), d2, d3].iter().flatten().collect();
                        return Err(format!(
                            "'\\{shown}' is not a decimal byte escape (\\000 to \\255)"
                        ));
                    }
                }
            }
            Some(x) => out.extend_from_slice(x.encode_utf8(&mut buf).as_bytes()),
        }
    }
    Ok(out)
}

/// TXT/SPF data as wire bytes: each string length-prefixed, strings over 255 bytes split.
fn text_wire(rdata: &[(usize, &str)]) -> Result<Vec<u8>, (usize, String)> {
    let mut wire = Vec::new();
    for &(off, t) in rdata {
        let b = zone_string(t).map_err(|m| (off, m))?;
        if b.is_empty() {
            wire.push(0);
        }
        for chunk in b.chunks(255) {
            wire.push(chunk.len() as u8);
            wire.extend_from_slice(chunk);
        }
    }
    if wire.is_empty() {
        wire.push(0);
    }
    if wire.len() > MAX_GENERIC_BYTES {
        let off = rdata.first().map_or(0, |t| t.0);
        return Err((
            off,
            format!("the text is over {MAX_GENERIC_BYTES} bytes, the most a DNS record holds"),
        ));
    }
    Ok(wire)
}

/// Refuses SVCB/HTTPS parameters hickory's parser would panic on instead of rejecting (an
/// `alpn` list item its lexer cannot read, a value that is a lone `"`): one plain word per
/// parameter (`key=value` or `key="value"`), or one quoted string without escapes. Errors are
/// (byte offset, message).
fn svc_params_readable(rdata: &[(usize, &str)]) -> Result<(), (usize, String)> {
    // Priority and target come first.
    for &(off, t) in rdata.iter().skip(2) {
        let bad = |why: &str| Err((off, format!("parameter {t}: {why}")));
        let param = if t.starts_with('"') {
            match t.get(1..t.len().saturating_sub(1)) {
                Some(inner) if t.len() >= 2 && t.ends_with('"') && !inner.contains(['"', '\\']) => {
                    inner
                }
                _ => {
                    return bad("a quoted parameter is one string without quotes or escapes inside")
                }
            }
        } else if t.contains(|c: char| c.is_whitespace() || c.is_control() || "();".contains(c)) {
            return bad(
                "write key=value or key=\"value\" with no space, ';' or parenthesis inside",
            );
        } else {
            t
        };
        let Some((key, value)) = param.split_once('=') else {
            continue;
        };
        let value = if value.starts_with('"') && value.ends_with('"') {
            match value.get(1..value.len().saturating_sub(1)) {
                Some(v) if value.len() >= 2 => v,
                _ => return bad("the value is a lone '\"'"),
            }
        } else {
            value
        };
        if key == "alpn" {
            if value.contains(['"', '\\']) {
                return bad("alpn-ids with quotes or escapes are not supported");
            }
            for id in value.split(',') {
                if id.is_empty() || id.len() > 255 {
                    return bad("each alpn-id is 1 to 255 bytes (alpn=h2,h3)");
                }
                if id.starts_with(['@', '$']) || !id.bytes().all(|b| b.is_ascii_graphic()) {
                    return bad("an alpn-id is printable ASCII, not starting with '@' or '$'");
                }
            }
        }
    }
    Ok(())
}

/// Whether a quoted string holds a `\DDD` escape.
fn has_decimal_escape(t: &str) -> bool {
    let mut esc = false;
    for c in t.chars() {
        if esc {
            if c.is_ascii_digit() {
                return true;
            }
            esc = false;
        } else if c == '\\' {
            esc = true;
        }
    }
    false
}

/// A quoted string with its `\DDD` escapes written as the characters they stand for, which
/// hickory's lexer reads right; a byte outside printable ASCII is refused (hickory could not
/// carry it unchanged).
fn requote_printable(t: &str) -> Result<String, String> {
    let b = zone_string(t)?;
    let mut s = String::with_capacity(b.len() + 2);
    s.push('"');
    for &c in &b {
        match c {
            b'"' | b'\\' => {
                s.push('\\');
                s.push(c as char);
            }
            0x20..=0x7e => s.push(c as char),
            _ => {
                return Err(format!(
                    "the byte \\{c:03} is not printable ASCII: only TXT and SPF strings may carry such bytes"
                ))
            }
        }
    }
    s.push('"');
    Ok(s)
}

#[cfg(test)]
#[test]
fn records_without_ttl_take_dollar_ttl_not_the_last_ttl() {
    let z = parse_str(
        "$TTL 3600\na 300 IN A 192.0.2.1\nb IN A 192.0.2.2\nc IN SPF \"v=spf1 -all\"\n",
        Path::new("t"),
        "example.com",
    )
    .unwrap();
    for r in &z.records {
        let want = if r.name().to_string().starts_with("a.") {
            300
        } else {
            3600
        };
        assert_eq!(r.ttl(), want, "{}", r.name());
    }
}

#[cfg(test)]
#[test]
fn quoted_strings_inside_parentheses_stay_whole() {
    let z = parse_str(
        "$TTL 60\nm IN TXT ( \"first line\" ; one\n  \"second line\" )\n",
        Path::new("t"),
        "example.com",
    )
    .unwrap();
    assert_eq!(
        crate::wire::to_route53(z.records[0].data()).unwrap().1,
        "\"first line\" \"second line\""
    );
}

#[cfg(test)]
#[test]
fn at_in_record_data_is_the_origin() {
    let z = parse_str(
        "$TTL 60\nwww IN CNAME @\n$ORIGIN sub.example.com.\nx IN MX 10 @\n",
        Path::new("t"),
        "example.com",
    )
    .unwrap();
    let vals: Vec<String> = z
        .records
        .iter()
        .map(|r| crate::wire::to_route53(r.data()).unwrap().1)
        .collect();
    assert!(vals.contains(&"example.com.".to_string()), "{vals:?}");
    assert!(
        vals.contains(&"10 sub.example.com.".to_string()),
        "{vals:?}"
    );
}

/// Whether an entry has a parenthesis outside quoted strings and comments.
fn has_paren(s: &str) -> bool {
    let (mut q, mut esc, mut comment) = (false, false, false);
    for c in s.chars() {
        if comment {
            comment = c != '\n';
            continue;
        }
        if esc {
            esc = false;
            continue;
        }
        match c {
            '\\' => esc = true,
            '"' => q = !q,
            ';' if !q => comment = true,
            '(' | ')' if !q => return true,
            _ => {}
        }
    }
    false
}

/// Tokens of one entry with their byte offsets: quoted strings whole, parentheses and comments
/// dropped.
fn tokens(s: &str) -> Vec<(usize, &str)> {
    // Most entries are plain words: split them without looking at each byte twice.
    if s.bytes()
        .all(|c| c.is_ascii() && !matches!(c, b'"' | b'(' | b')' | b';' | b'\\'))
    {
        let base = s.as_ptr() as usize;
        return s
            .split_ascii_whitespace()
            .map(|t| (t.as_ptr() as usize - base, t))
            .collect();
    }
    let b = s.as_bytes();
    // The delimiters are ASCII; any other character is looked at whole.
    let ch = |i: usize| s[i..].chars().next().unwrap_or(' ');
    let space = |i: usize| {
        let c = b[i];
        if c.is_ascii() {
            c.is_ascii_whitespace()
        } else {
            ch(i).is_whitespace()
        }
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'(' || c == b')' || space(i) {
            i += if c.is_ascii() { 1 } else { ch(i).len_utf8() };
        } else if c == b';' {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else {
            let st = i;
            let mut q = false;
            while i < b.len() {
                let c = b[i];
                if c == b'\\' {
                    i += 1;
                    if i < b.len() {
                        i += ch(i).len_utf8();
                    }
                    continue;
                }
                if c == b'"' {
                    q = !q;
                } else if !q && (c == b'(' || c == b')' || c == b';' || space(i)) {
                    break;
                }
                i += if c.is_ascii() { 1 } else { ch(i).len_utf8() };
            }
            out.push((st, &s[st..i.min(b.len())]));
        }
    }
    out
}

/// Turns a stand-in TXT record back into what the entry said.
fn restore(r: Record) -> Result<Record, String> {
    use hickory_proto::rr::rdata::NULL;
    use hickory_proto::rr::{RData, RecordType as T};
    use hickory_proto::serialize::binary::{BinDecoder, Restrict};
    let RData::TXT(txt) = r.data() else {
        return Ok(r);
    };
    let parts: Vec<String> = txt
        .txt_data()
        .iter()
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    if parts.first().map(String::as_str) != Some(STAND_IN) {
        return Ok(r);
    }
    let code: u16 = parts.get(1).and_then(|c| c.parse().ok()).ok_or_else(|| {
        format!("a TXT record whose first string is {STAND_IN:?} (reserved by this reader)")
    })?;
    let rtype = T::from(code);
    let name = crate::wire::type_name(code);
    let data = match parts.get(2).map(String::as_str) {
        Some("#") => {
            let hex = parts.get(3..).unwrap_or_default().concat();
            let bytes = decode_hex(&hex).ok_or_else(|| {
                format!("generic record data (\\#) for {name} is not hexadecimal")
            })?;
            if matches!(rtype, T::Unknown(_)) {
                RData::Unknown {
                    code: rtype,
                    // NULL::with asserts on empty data (`\# 0`).
                    rdata: if bytes.is_empty() {
                        NULL::new()
                    } else {
                        NULL::with(bytes)
                    },
                }
            } else if bytes.is_empty() {
                return Err(format!(
                    "generic record data (\\#) for {name} is empty: the record needs data"
                ));
            } else {
                let len = u16::try_from(bytes.len()).map_err(|_| {
                    format!(
                        "generic record data (\\#) for {name} is over {MAX_GENERIC_BYTES} bytes"
                    )
                })?;
                let mut d = BinDecoder::new(&bytes);
                let data = RData::read(&mut d, rtype, Restrict::new(len))
                    .map_err(|e| format!("generic record data (\\#) for {name}: {e}"))?;
                if !d.is_empty() {
                    return Err(format!(
                        "generic record data (\\#) for {name}: {} bytes left over after the record",
                        d.len()
                    ));
                }
                data
            }
        }
        _ => RData::Unknown {
            code: rtype,
            rdata: NULL::new(),
        },
    };
    let mut out = Record::from_rdata(r.name().clone(), r.ttl(), data);
    out.set_dns_class(r.dns_class());
    Ok(out)
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = s.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    // Bytes, not string slices: a non-ASCII character is simply not a hex digit.
    let val = |c: u8| (c as char).to_digit(16);
    digits
        .chunks(2)
        .map(|p| match p {
            [h, l] => Some((val(*h)? * 16 + val(*l)?) as u8),
            _ => None,
        })
        .collect()
}

/// Parses a zone file (following `$INCLUDE`s inside its folder) for the zone `origin`.
pub fn parse_file(path: &Path, origin: &str) -> Result<ParsedZone, ZoneFileError> {
    parse_file_with(path, origin, Limits::default())
}

/// [`parse_file`] with other bounds on files, lines and bytes read.
pub fn parse_file_with(
    path: &Path,
    origin: &str,
    limits: Limits,
) -> Result<ParsedZone, ZoneFileError> {
    let real = path.canonicalize().map_err(|e| ZoneFileError::Io {
        file: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let root = real.parent().unwrap_or(Path::new("/")).to_path_buf();
    let mut o = absolute(origin.trim_end_matches('.'), "");
    if !o.ends_with('.') {
        o.push('.');
    }
    let mut out = Expanded {
        lines: Vec::new(),
        boundary: Vec::new(),
    };
    let mut cur = o.clone();
    let mut budget = Budget {
        limits,
        files: 0,
        lines: 0,
        bytes: 0,
        seen: vec![(real.clone(), None)],
    };
    expand(&real, &root, 0, &mut cur, &mut out, &mut budget)?;
    // Show the path as the user gave it, not the canonical one.
    let shown: Arc<Path> = Arc::from(path);
    for l in &mut out.lines {
        if *l.0 == *real {
            l.0 = shown.clone();
        }
    }
    parse_expanded(out, &o)
}

/// Parses zone-file text (no `$INCLUDE`); `name` is what errors call it.
pub fn parse_str(text: &str, name: &Path, origin: &str) -> Result<ParsedZone, ZoneFileError> {
    let mut out = Expanded {
        lines: Vec::new(),
        boundary: Vec::new(),
    };
    let shown: Arc<Path> = Arc::from(name);
    let mut scan = Scan::default();
    for (i, l) in text.lines().enumerate() {
        let here = |col: usize, message: String| ZoneFileError::Syntax {
            loc: Loc {
                file: name.to_path_buf(),
                line: i + 1,
                col,
            },
            message,
        };
        scan.line(l);
        if !l.starts_with(char::is_whitespace)
            && l.split_whitespace()
                .next()
                .is_some_and(|w| w.eq_ignore_ascii_case("$INCLUDE"))
        {
            return Err(here(
                1,
                "$INCLUDE needs a zone file on disk (its folder bounds what it may include)".into(),
            ));
        }
        let code = code_of(l).map_err(|(c, m)| here(c, m))?;
        out.push(&shown, i + 1, code, scan.depth == 0);
    }
    let o = format!("{}.", origin.trim_end_matches('.'));
    parse_expanded(out, &o)
}

fn parse_expanded(mut out: Expanded, origin: &str) -> Result<ParsedZone, ZoneFileError> {
    let cuts = rewrite_foreign(&mut out, origin)?;
    let first = out
        .lines
        .first()
        .map(|l| l.0.to_path_buf())
        .unwrap_or_default();
    let oname = HName::from_ascii(origin).map_err(|e| ZoneFileError::Syntax {
        loc: Loc {
            file: first,
            line: 1,
            col: 1,
        },
        message: format!("zone name {origin:?}: {e}"),
    })?;
    let records = match parse_pieces(&out, &cuts, &oname) {
        Some(r) => r,
        None => match parse_text(&out.text(), &oname) {
            Ok(r) => r,
            Err(message) => {
                return Err(ZoneFileError::Syntax {
                    loc: locate(&out, &oname),
                    message,
                })
            }
        },
    };
    let soa = records
        .iter()
        .find(|r| r.record_type() == hickory_proto::rr::RecordType::SOA);
    Ok(ParsedZone {
        origin: crate::wire::name_to_route53(soa.map_or(&oname, |r| r.name())),
        records,
    })
}

/// The place of the first error: the shortest prefix of whole entries that fails to parse ends
/// with the bad entry; the column is where the token named in the message appears.
fn locate(out: &Expanded, origin: &HName) -> Loc {
    let cuts: Vec<usize> = (0..out.lines.len())
        .filter(|&i| out.boundary[i])
        .map(|i| i + 1)
        .collect();
    let prefix = |k: usize| -> String {
        let mut s = String::new();
        for l in &out.lines[..k] {
            s.push_str(&l.2);
            s.push('\n');
        }
        s
    };
    let fails = |k: usize| parse_text(&prefix(k), origin).err();
    // Binary search over entry boundaries for the first failing prefix.
    let (mut lo, mut hi) = (0usize, cuts.len());
    while lo < hi {
        let mid = (lo + hi) / 2;
        if fails(cuts[mid]).is_some() {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let end = cuts.get(lo).copied().unwrap_or(out.lines.len());
    let start = if lo == 0 { 0 } else { cuts[lo - 1] };
    let message = fails(end).unwrap_or_default();
    // The entry is lines start..end; skip blank/comment lines before it.
    let entry: Vec<usize> = (start..end)
        .filter(|&i| {
            let t = out.lines[i].2.trim();
            !t.is_empty() && !t.starts_with(';')
        })
        .collect();
    let token = quoted_token(&message);
    for &i in &entry {
        if let Some(t) = &token {
            if let Some(c) = out.lines[i].2.find(t.as_str()) {
                return Loc {
                    file: out.lines[i].0.to_path_buf(),
                    line: out.lines[i].1,
                    col: c + 1,
                };
            }
        }
    }
    let i = entry
        .first()
        .copied()
        .unwrap_or(end.saturating_sub(1).min(out.lines.len().saturating_sub(1)));
    match out.lines.get(i) {
        Some(l) => Loc {
            file: l.0.to_path_buf(),
            line: l.1,
            col: l.2.len() - l.2.trim_start().len() + 1,
        },
        None => Loc {
            file: PathBuf::new(),
            line: 1,
            col: 1,
        },
    }
}

/// The token an error message quotes, if any (hickory quotes offending input in its messages).
fn quoted_token(msg: &str) -> Option<String> {
    for q in ['"', '\'', '`'] {
        let mut it = msg.split(q);
        it.next();
        if let Some(t) = it.next() {
            let t = t.trim_matches(|c: char| c == '"' || c == '\\');
            if !t.is_empty() && msg.matches(q).count() >= 2 {
                return Some(t.to_string());
            }
        }
    }
    None
}

/// Route 53's `\ooo` octal escapes (names, TXT strings) in zone-file syntax: `\X` for printable
/// bytes, `\DDD` decimal for the others (the zone file's escapes are decimal); other text
/// unchanged.
fn octal_to_decimal(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut start = 0;
    while i < b.len() {
        if b.get(i) != Some(&b'\\') {
            i += 1;
            continue;
        }
        let digits = b
            .get(i + 1..i + 4)
            .filter(|d| d.iter().all(|c| (b'0'..=b'7').contains(c)));
        match digits {
            Some(d) => {
                let v = d.iter().fold(0u32, |acc, c| acc * 8 + u32::from(c - b'0'));
                out.push_str(s.get(start..i).unwrap_or_default());
                // hickory's name parser takes `\.` but not `\046`: printable bytes as `\X`.
                match u8::try_from(v) {
                    Ok(c) if c.is_ascii_alphanumeric() => out.push(c as char),
                    Ok(c) if c.is_ascii_graphic() => {
                        out.push('\\');
                        out.push(c as char);
                    }
                    _ => out.push_str(&format!("\\{v:03}")),
                }
                i += 4;
            }
            // An escaped character (`\"`, `\\`) is the same in both forms.
            None => {
                out.push_str(s.get(start..(i + 2).min(b.len())).unwrap_or_default());
                i += 2;
            }
        }
        start = i.min(b.len());
    }
    out.push_str(s.get(start..).unwrap_or_default());
    out
}

/// A Route 53 listing written as zone-file text (aliases, which have no zone-file form, are
/// left out), e.g. to read a zone back through the same parser as the source. Route 53's octal
/// escapes become the zone file's decimal ones.
pub fn render(sets: &[RecordSet]) -> String {
    let mut s = String::new();
    for r in sets {
        if r.alias.is_some() {
            continue;
        }
        let ttl = r.ttl.unwrap_or(300);
        let name = octal_to_decimal(&r.name);
        for v in r.wire_values() {
            s.push_str(&format!(
                "{name}. {ttl} IN {} {}\n",
                r.ty,
                octal_to_decimal(&v)
            ));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    const SOA: &str = "@ 3600 IN SOA ns1.example.com. admin.example.com. (\n  1 ; serial\n  7200 3600 1209600 300 )\n";

    #[test]
    fn parses_multiline_soa_relative_names_and_include() {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            "inc/hosts.zone",
            "$ORIGIN hosts.example.com.\nweb 300 IN A 192.0.2.1\n",
        );
        let p = write(
            d.path(),
            "example.com.zone",
            &format!(
                "$TTL 600\n{SOA}www IN A 192.0.2.2\n$INCLUDE inc/hosts.zone\nmail IN A 192.0.2.3\n"
            ),
        );
        let z = parse_file(&p, "example.com").unwrap();
        let names: Vec<String> = z
            .records
            .iter()
            .map(|r| crate::wire::name_to_route53(r.name()))
            .collect();
        assert!(names.contains(&"web.hosts.example.com".to_string()));
        // the include's $ORIGIN does not leak into the including file
        assert!(names.contains(&"mail.example.com".to_string()));
        assert!(names.contains(&"www.example.com".to_string()));
    }

    #[test]
    fn include_outside_the_folder_is_refused() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "secret.zone", "x IN A 192.0.2.9\n");
        let p = write(
            d.path(),
            "z/example.com.zone",
            &format!("{SOA}$INCLUDE ../secret.zone\n"),
        );
        let e = parse_file(&p, "example.com").unwrap_err().to_string();
        assert!(e.contains("outside the zone file's folder"), "{e}");
        assert!(e.contains(":4:10:"), "{e}");
    }

    #[test]
    fn include_loops_repeats_and_depth_are_refused() {
        let d = tempfile::tempdir().unwrap();
        let p = write(d.path(), "loop.zone", "$INCLUDE loop.zone\n");
        let e = parse_file(&p, "example.com").unwrap_err().to_string();
        assert!(
            e.contains("already read") && e.contains("loop.zone:1:10"),
            "{e}"
        );
        // The same file twice (no loop) names where it was first included.
        write(d.path(), "a.zone", "a IN A 192.0.2.1\n");
        let p = write(
            d.path(),
            "twice.zone",
            "$INCLUDE a.zone\nb IN A 192.0.2.2\n$INCLUDE a.zone\n",
        );
        let e = parse_file(&p, "example.com").unwrap_err().to_string();
        assert!(e.contains("twice.zone:3:10"), "{e}");
        assert!(
            e.contains("first included at") && e.contains("twice.zone:1:10"),
            "{e}"
        );
        // A chain of distinct files deeper than the limit.
        for i in 0..12 {
            write(
                d.path(),
                &format!("c{i}.zone"),
                &format!("$INCLUDE c{}.zone\n", i + 1),
            );
        }
        write(d.path(), "c12.zone", "x IN A 192.0.2.3\n");
        let e = parse_file(&d.path().join("c0.zone"), "example.com")
            .unwrap_err()
            .to_string();
        assert!(e.contains("nested more than 8 deep"), "{e}");
    }

    /// The pre-scan counts the `(` of a word such as `a(` (hickory's lexer does not): the
    /// `$INCLUDE` after it was passed to hickory, which followed an absolute path anywhere.
    #[test]
    fn include_after_an_unbalanced_word_is_still_confined() {
        let d = tempfile::tempdir().unwrap();
        let secret = write(d.path(), "secret.zone", "leak IN A 192.0.2.9\n");
        let text = format!("www IN TXT a(\n$INCLUDE {}\n", secret.display());
        let p = write(d.path(), "z/example.com.zone", &text);
        let e = parse_file(&p, "example.com").unwrap_err().to_string();
        assert!(e.contains("outside the zone file's folder"), "{e}");
        // Nor does an $INCLUDE elsewhere on a line reach hickory.
        let p = write(
            d.path(),
            "z/b.zone",
            &format!("www IN TXT ( \"x\"\n$INCLUDE {} )\n", secret.display()),
        );
        let e = parse_file(&p, "example.com").unwrap_err().to_string();
        assert!(e.contains("outside the zone file's folder"), "{e}");
        let e = parse_str(
            &format!("www IN TXT a(\n$INCLUDE {}\n", secret.display()),
            Path::new("s.zone"),
            "example.com",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("s.zone:2:1: $INCLUDE needs a zone file on disk"),
            "{e}"
        );
        let e = parse_str(
            "www IN A 192.0.2.1\n  $INCLUDE x\n",
            Path::new("s.zone"),
            "example.com",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("s.zone:2:3: $INCLUDE is read only at the start of a line"),
            "{e}"
        );
    }

    #[test]
    fn include_bounds_name_the_limit() {
        let d = tempfile::tempdir().unwrap();
        for i in 0..4 {
            write(
                d.path(),
                &format!("i{i}.zone"),
                &format!("h{i} IN A 192.0.2.{i}\nh{i} IN A 192.0.2.99\n"),
            );
        }
        let main: String = (0..4).fold("$TTL 60\n".to_string(), |m, i| {
            m + &format!("$INCLUDE i{i}.zone\n")
        });
        let p = write(d.path(), "main.zone", &main);
        assert_eq!(parse_file(&p, "example.com").unwrap().records.len(), 8);
        let tight = |f: fn(&mut Limits)| {
            let mut l = Limits::default();
            f(&mut l);
            parse_file_with(&p, "example.com", l)
                .unwrap_err()
                .to_string()
        };
        let e = tight(|l| l.max_files = 3);
        assert!(
            e.contains("more than 3 files") && e.contains("default 256"),
            "{e}"
        );
        let e = tight(|l| l.max_lines = 10);
        assert!(
            e.contains("more than 10 lines") && e.contains("Limits::max_lines"),
            "{e}"
        );
        let e = tight(|l| l.max_bytes = 100);
        assert!(
            e.contains("more than 100 bytes") && e.contains("Limits::max_bytes"),
            "{e}"
        );
    }

    #[test]
    fn syntax_errors_name_file_line_and_column() {
        let text = format!("{SOA}www IN A 192.0.2.1\nbad IN A 300.1.2.3\nok IN A 192.0.2.5\n");
        let e = parse_str(&text, Path::new("z.zone"), "example.com").unwrap_err();
        match e {
            ZoneFileError::Syntax { loc, .. } => {
                assert_eq!(loc.line, 5, "{loc}");
                assert!(loc.col >= 1);
            }
            other => panic!("{other}"),
        }
        let text = format!("{SOA}www IN BOGUS 1\n");
        let e = parse_str(&text, Path::new("z.zone"), "example.com").unwrap_err();
        assert!(e.to_string().starts_with("z.zone:4:"), "{e}");
    }

    #[test]
    fn unclosed_parenthesis_is_an_error_at_its_entry() {
        let text = format!("{SOA}txt IN TXT ( \"a\"\n \"b\"\n");
        let e = parse_str(&text, Path::new("z.zone"), "example.com").unwrap_err();
        assert!(e.to_string().contains("z.zone:"), "{e}");
    }
}
#[cfg(test)]
mod foreign_types {
    use super::*;
    use crate::rdata::RecordType;
    use crate::wire::to_route53;

    fn one(body: &str) -> Result<(RecordType, String), String> {
        let z = super::parse_str(
            &format!("$TTL 300\n{body}\n"),
            std::path::Path::new("t"),
            "example.com",
        )
        .map_err(|e| e.to_string())?;
        to_route53(z.records[0].data()).map_err(|u| u.type_name)
    }

    fn parse(text: &str) -> Result<super::ParsedZone, String> {
        super::parse_str(text, std::path::Path::new("t"), "example.com").map_err(|e| e.to_string())
    }

    /// Found by fuzzing: SVCB/HTTPS parameters hickory's parser panics on (an `alpn` item its
    /// lexer cannot read, a value that is a lone quote) are refused with the place and why.
    #[test]
    fn svcb_parameters_hickory_cannot_read_are_errors() {
        for (data, why) in [
            ("alpn=\"h2,h3\"89AB", "alpn-ids with quotes"),
            ("alpn=h2\"x\"", "alpn-ids with quotes"),
            ("alpn=,h2", "1 to 255 bytes"),
            ("alpn=h2,,h3", "1 to 255 bytes"),
            ("alpn=@h2", "not starting with '@'"),
            ("alpn=\\h2", "alpn-ids with quotes or escapes"),
            ("alpn=\"h2;x\"", "no space, ';'"),
            ("\"alpn=\\\"h2\"", "without quotes or escapes inside"),
            ("alpn=\"h2 h3\"", "no space"),
        ] {
            for ty in ["SVCB", "HTTPS"] {
                let e = one(&format!("s IN {ty} 1 svc.example.net. {data}")).unwrap_err();
                assert!(
                    e.starts_with("t:2:") && e.contains(why) && e.contains(ty),
                    "{ty} {data}: {e}"
                );
            }
        }
        // Past those checks, a panic in hickory's parser is still this file's error.
        let origin = HName::from_ascii("example.com.").unwrap();
        assert_eq!(
            super::parse_text("s 60 IN SVCB 1 . alpn=\"h2,h3\"x\n", &origin).unwrap_err(),
            super::HICKORY_PANIC
        );
        let long = "x".repeat(256);
        let e = one(&format!("s IN HTTPS 1 . alpn={long}")).unwrap_err();
        assert!(e.contains("1 to 255 bytes"), "{e}");
    }

    /// Reported: panics (exit 101) on a multi-byte character in a comment or owner, on long
    /// comments and tokens (hickory's lexer asserts), and on `\# 0`.
    #[test]
    fn hostile_text_is_an_error_or_records_never_a_panic() {
        let soa = "@ 3600 IN SOA ns1 host 1 2 3 4 300\n";
        let long = "x".repeat(5000);
        let ok = [
            "$TTL 60\n; ééééééé\n;é\nwww IN A 192.0.2.1 ; é\n".to_string(),
            format!("$TTL 60\n{soa};{long}\nwww IN A 192.0.2.1 ;{long}\n"),
            format!("$TTL 60\n{soa}www IN TXT ( \"a\" ; {long}\n \"b\" )\n"),
            format!("$TTL 60\n{soa}ééé IN A 192.0.2.1\n"),
            "$TTL 60\nu IN TYPE65000 \\# 0\n".to_string(),
        ];
        for t in &ok {
            assert!(parse(t).is_ok(), "{t:.80}: {:?}", parse(t).err());
        }
        let bad = [
            (format!("$TTL 60\n{soa}www IN TXT \"\\\"{long}\"\n"), "t:3:12: a word or quoted string of 3001 characters is longer than the zone-file reader's limit of 3000"),
            (format!("$TTL 60\nwww IN TXT {long}\n"), "t:2:12: a word or quoted string"),
            (format!("$TTL 60\n{soa}www IN A{}192.0.2.1\n", " ".repeat(5000)), "t:3:9: a run of more than 1000 blanks"),
            ("$TTL 60\n$ORIé IN A 192.0.2.1\n".to_string(), "t:2:"),
            ("$TTL 60\nw IN A \\# 0\n".to_string(), "t:2:1: generic record data (\\#) for A is empty"),
            ("$TTL 60\nw IN SPF \\#\n".to_string(), "t:2:6: generic record data (\\#) needs its length"),
            ("$TTL 60\nw IN A \\# 4 c00002\n".to_string(), "says 4 bytes but has 3"),
            ("$TTL 60\nw IN A \\# 70000 00\n".to_string(), "70000 bytes is over 65535 bytes"),
            ("$TTL 60\nw IN A \\# 2 é1\n".to_string(), "not hexadecimal"),
            ("$TTL 60\nw IN TXT \"open\n".to_string(), "t:2:10: a quoted string is not closed on its line"),
            ("$TTL 60\nw IN TXT a\\;b\n".to_string(), "t:2:12: an escaped ';'"),
            ("$TTL 60\nw IN TXT \"\\300\"\n".to_string(), "'\\300' is not a decimal byte escape"),
            ("$TTL 60\nw IN TXT \"r53-zonefile-stand-in-6d1f0c\"\n".to_string(), "reserved"),
        ];
        for (t, want) in &bad {
            match parse(t) {
                Err(e) => assert!(e.contains(want), "{t:.60}: {e}"),
                Ok(z) => panic!("{t:.60}: accepted ({} records)", z.records.len()),
            }
        }
    }

    /// `\DDD` (decimal) and `\X` reach the record as the bytes they stand for; hickory's lexer
    /// read `"a\065b"` as U+0605 and passed `\` in words through.
    #[test]
    fn escapes_in_text_become_the_bytes_they_stand_for() {
        let txt = |body: &str| -> Vec<Vec<u8>> {
            let z = parse(&format!("$TTL 60\n{body}\n")).unwrap();
            match z.records[0].data() {
                hickory_proto::rr::RData::TXT(t) => {
                    t.txt_data().iter().map(|s| s.to_vec()).collect()
                }
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(txt("a IN TXT \"a\\065b\""), vec![b"aAb".to_vec()]);
        assert_eq!(
            txt("a IN TXT \"\\000\\255\\\"\\\\\""),
            vec![vec![0, 255, b'"', b'\\']]
        );
        assert_eq!(
            txt("a IN TXT x\\065y \"\\;\""),
            vec![b"xAy".to_vec(), b";".to_vec()]
        );
        assert_eq!(
            txt("a IN TXT ( \"caf\\195\\169\"\n  \"é\" )"),
            vec!["café".as_bytes().to_vec(), "é".as_bytes().to_vec()]
        );
        let (ty, v) = one("s IN SPF \"v=spf1 \\\"x\\\" -all\"").unwrap();
        assert_eq!(
            (ty, v.as_str()),
            (RecordType::Spf, "\"v=spf1 \\\"x\\\" -all\"")
        );
        // CAA and NAPTR strings: printable `\DDD` is spelled out for hickory; others refused.
        assert_eq!(
            one("c IN CAA 0 issue \"ca\\046example\"").unwrap().1,
            "0 issue \"ca.example\""
        );
        let e = one("c IN CAA 0 issue \"ca\\007\"").unwrap_err();
        assert!(
            e.contains("t:2:18: the byte \\007 is not printable ASCII"),
            "{e}"
        );
    }

    /// What a zone file says reaches Route 53 as the same bytes, and what Route 53 lists back
    /// (octal escapes) compares equal to what was imported; `a\.b` stays one label.
    #[test]
    fn escapes_reach_route53_form_and_compare_equal_on_read_back() {
        let z = parse(
            "$TTL 60\n\
             t1 IN TXT \"a\\065\\009b\"\n\
             t2 IN TXT \"\\255\\000x\" \"caf\\195\\169\"\n\
             a\\.b IN A 192.0.2.1\n\
             c IN CNAME x\\.y.example.net.\n",
        )
        .unwrap();
        let c = crate::convert::from_dns("example.com", &z.records, &Default::default()).unwrap();
        let get = |n: &str| {
            c.sets
                .iter()
                .find(|s| s.name == n)
                .unwrap_or_else(|| panic!("{n}: {:?}", c.sets))
        };
        assert_eq!(get("t1.example.com").values, vec!["aA\tb".to_string()]);
        assert_eq!(
            get("t1.example.com").wire_values(),
            vec!["\"aA\\011b\"".to_string()]
        );
        assert_eq!(
            get("t2.example.com").wire_values(),
            vec!["\"\\377\\000x\" \"caf\\303\\251\"".to_string()]
        );
        assert_eq!(
            get("a\\056b.example.com").values,
            vec!["192.0.2.1".to_string()]
        );
        assert_eq!(
            get("c.example.com").values,
            vec!["x\\056y.example.net.".to_string()]
        );
        // Route 53 lists these values back as sent; the read-back compares equal...
        for s in &c.sets {
            let mut listed = s.clone();
            listed.values = s.wire_values();
            assert!(crate::plan::same_record(&listed, s), "{s:?}");
        }
        // ...and differs when a byte differs.
        let mut other = get("t2.example.com").clone();
        other.values = vec!["\"\\376\\000x\" \"caf\\303\\251\"".into()];
        assert!(!crate::plan::same_record(&other, get("t2.example.com")));
        // The listing read back through the zone-file parser gives the same sets.
        let text = render(&c.sets);
        let back = parse(&text).unwrap();
        let again =
            crate::convert::from_dns("example.com", &back.records, &Default::default()).unwrap();
        assert_eq!(again.sets, c.sets, "{text}");
    }

    #[test]
    fn spf_generic_data_and_unknown_mnemonics() {
        assert_eq!(
            one("s IN SPF \"v=spf1 -all\"").unwrap(),
            (RecordType::Spf, "\"v=spf1 -all\"".into())
        );
        // RFC 3597 generic syntax for a known type is decoded into that type.
        assert_eq!(
            one("g IN TYPE1 \\# 4 0A000001").unwrap(),
            (RecordType::A, "10.0.0.1".into())
        );
        assert_eq!(
            one("g IN A \\# 4 C0000201").unwrap(),
            (RecordType::A, "192.0.2.1".into())
        );
        assert_eq!(
            one("u IN TYPE65534 \\# 4 0A000001").unwrap_err(),
            "TYPE65534"
        );
        assert_eq!(
            one("l IN LOC 52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m").unwrap_err(),
            "LOC"
        );
        assert_eq!(one("d 60 IN DNAME other.net.").unwrap_err(), "DNAME");
        assert_eq!(
            one("h IN HTTPS 1 . alpn=h2,h3").unwrap().1,
            "1 . alpn=h2,h3"
        );
        assert_eq!(
            one("s IN SVCB 1 svc.example.net. alpn=\"h2,h3\" port=8443")
                .unwrap()
                .1,
            "1 svc.example.net. alpn=h2,h3 port=8443"
        );
        assert_eq!(
            one("s IN SVCB 1 svc.example.net. \"alpn=h2\"").unwrap().1,
            "1 svc.example.net. alpn=h2"
        );
        let bad = one("g IN A \\# 4 ZZ000001").unwrap_err();
        assert!(
            bad.contains("t:2:") && bad.contains("not hexadecimal"),
            "{bad}"
        );
    }

    /// A large zone parsed in pieces gives the same records as one whole parse: cuts land
    /// after $ORIGIN and $TTL changes, before entries that inherit the owner, between records
    /// of one set, and after entries that set the TTL without $TTL.
    #[test]
    fn pieces_parse_like_the_whole() {
        let mut t = String::from("@ 3600 IN SOA ns1 host 1 2 3 4 300\n");
        for i in 0..3000 {
            match i % 11 {
                0 => t.push_str(&format!("$ORIGIN s{i}.example.com.\n")),
                1 => t.push_str(&format!("$TTL {}\n", 60 + i)),
                2 => t.push_str(&format!("h{i} A 192.0.2.{}\n   A 198.51.100.1\n", i % 250)),
                3 => t.push_str(&format!("\tAAAA 2001:db8::{i:x}\n")),
                4 => t.push_str(&format!("m{i} 120 MX 10 @\n")),
                5 => t.push_str(&format!("s{i} IN SPF \"v=spf1 -all\"\n")),
                6 => t.push_str(&format!("g{i} IN TYPE65280 \\# 2 abcd\n")),
                7 => t.push_str(&format!("x{i} IN TXT ( \"a b\" ; c\n  \"d\" )\n")),
                8 => t.push_str(&format!("c{i} CNAME h{}\n", i - 6)),
                9 => t.push_str(&format!("w{i} 7200 IN A 10.0.0.{}\n", i % 250)),
                _ => t.push_str(&format!("n{i} IN NS ns.other.net.\n")),
            }
        }
        let o = "example.com.";
        let mut out = Expanded {
            lines: Vec::new(),
            boundary: Vec::new(),
        };
        let f: Arc<Path> = Arc::from(Path::new("t"));
        let mut scan = Scan::default();
        for (i, l) in t.lines().enumerate() {
            scan.line(l);
            out.push(&f, i + 1, l, scan.depth == 0);
        }
        let cuts = rewrite_foreign(&mut out, o).unwrap();
        assert!(cuts.len() > 2 * PIECE_ENTRIES, "{} cuts", cuts.len());
        let oname = HName::from_ascii(o).unwrap();
        let whole = out.text();
        let key = |r: &Record| format!("{} {} {} {}", r.name(), r.ttl(), r.record_type(), r.data());
        let mut a: Vec<String> = parse_text(&whole, &oname)
            .unwrap()
            .iter()
            .map(key)
            .collect();
        let mut b: Vec<String> = parse_pieces(&out, &cuts, &oname)
            .unwrap()
            .iter()
            .map(key)
            .collect();
        a.sort();
        b.sort();
        assert_eq!(a.len(), b.len());
        assert_eq!(a, b);
        // The same without the SOA goes through the plain-entry reader alone, with equal records.
        let no_soa = whole.split_once('\n').unwrap().1;
        let mut c: Vec<String> = parse_plain(no_soa, &oname)
            .expect("plain entries only")
            .iter()
            .map(key)
            .collect();
        c.sort();
        let mut a_no_soa: Vec<String> = a.into_iter().filter(|k| !k.contains(" SOA ")).collect();
        a_no_soa.sort();
        assert_eq!(c, a_no_soa);
        // Entries it does not take make it step aside (hickory then parses the piece).
        for odd in [
            "a IN TXT \"x\\\"y\"\n",
            "a IN TXT (\"x\")\n",
            "$ttl 60\n",
            "a IN A 1.2.3.4 ; \"q\"\n",
            "a IN TXT \"\"\n",
            "\u{e9} IN A 1.2.3.4\n",
        ] {
            assert!(parse_plain(odd, &oname).is_none(), "{odd:?}");
        }
        // A second SOA in a later piece is still the parser's error.
        let twice = format!("{t}example.com. 60 IN SOA ns1 host 1 2 3 4 300\n");
        match parse_str(&twice, Path::new("t"), "example.com") {
            Err(e) => assert!(e.to_string().contains("SOA"), "{e}"),
            Ok(z) => panic!("a second SOA was accepted ({} records)", z.records.len()),
        }
    }
}
