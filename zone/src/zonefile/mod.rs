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

mod foreign;
mod include;

use foreign::{restore, rewrite_foreign, Cut};
use include::expand;

/// How deep `$INCLUDE` may nest.
pub(crate) const MAX_INCLUDE_DEPTH: usize = 8;
/// Default bounds of what one zone file and its `$INCLUDE`s may add up to (see [`Limits`]).
pub(crate) const DEFAULT_MAX_FILES: usize = 256;
pub(crate) const DEFAULT_MAX_LINES: usize = 5_000_000;
pub(crate) const DEFAULT_MAX_BYTES: u64 = 512 * 1024 * 1024;
/// The longest word or quoted string read (in characters). Not raisable: hickory's zone lexer
/// gives up (asserts) past about 4,095 characters per token, blanks before it included, and
/// Route 53 takes at most 4,000 characters per value anyway.
const MAX_TOKEN_CHARS: usize = 3000;
/// The longest run of blanks between two words (same reason as [`MAX_TOKEN_CHARS`]).
const MAX_BLANK_CHARS: usize = 1000;
/// RFC 3597 `\#` data is at most 65,535 bytes (a record's data length is 16 bits).
pub(crate) const MAX_GENERIC_BYTES: usize = 65_535;

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

/// Parses a zone file (following `$INCLUDE`s inside its folder) for the zone `origin`.
pub fn parse_file(path: &Path, origin: &str) -> Result<ParsedZone, ZoneFileError> {
    parse_file_with(path, origin, Limits::default())
}

/// [`parse_file`] with other bounds on files, lines and bytes read.
fn parse_file_with(path: &Path, origin: &str, limits: Limits) -> Result<ParsedZone, ZoneFileError> {
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
}
