//! Cognito's member patterns as matchers of a whole value. Most patterns are one character
//! class repeated (`[A-Za-z0-9-_=.]+` for tokens, `[\w+]+`, `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`): those
//! are checked by looking each character up in the class, with no regex engine. A ~1 KB access
//! token is checked twice per request (the model, then the `AccessToken` newtype), and the lazy
//! DFA took ~2 us each time; the class lookup is a table read per byte. Every other pattern
//! goes to the `regex` crate. Both give the same answer as `^(?:pattern)$`: the class is the
//! one `regex-syntax` (the regex crate's own parser) reads from the pattern.

use regex::Regex;
use regex_syntax::hir::{Class, ClassUnicode, Hir, HirKind, Look};

/// A pattern that must match a whole value.
#[derive(Debug)]
pub struct Pattern(Matcher);

#[derive(Debug)]
enum Matcher {
    /// At least `min` characters, each in `class`.
    Repeated {
        min: usize,
        /// Whether each byte is an ASCII character of `class` (false from 0x80 up).
        ascii: Box<[bool; 256]>,
        class: ClassUnicode,
    },
    /// Anything else, anchored at both ends.
    Regex(Regex),
}

impl Pattern {
    /// Reads `source` (a pattern of Cognito's model, unanchored).
    pub fn new(source: &str) -> Result<Self, regex::Error> {
        if let Some((min, class)) = repeated_class(source) {
            let mut ascii = Box::new([false; 256]);
            for (b, slot) in ascii.iter_mut().enumerate().take(128) {
                *slot = in_class(&class, char::from(b as u8));
            }
            return Ok(Self(Matcher::Repeated { min, ascii, class }));
        }
        Regex::new(&format!("^(?:{source})$")).map(|re| Self(Matcher::Regex(re)))
    }

    /// Whether all of `value` matches.
    pub fn is_match(&self, value: &str) -> bool {
        match &self.0 {
            Matcher::Regex(re) => re.is_match(value),
            Matcher::Repeated { min, ascii, class } => {
                // One pass over the bytes decides an ASCII value (the usual case: tokens,
                // ids); only a value with a byte outside the table is read as characters.
                // The table is read without a branch per byte: one test per 32 bytes.
                let in_table = value
                    .as_bytes()
                    .chunks(32)
                    .all(|chunk| chunk.iter().fold(true, |ok, &b| ok & ascii[usize::from(b)]));
                if in_table {
                    value.len() >= *min
                } else if value.is_ascii() {
                    false
                } else {
                    value.chars().count() >= *min && value.chars().all(|c| in_class(class, c))
                }
            }
        }
    }
}

fn in_class(class: &ClassUnicode, c: char) -> bool {
    // The ranges are sorted and do not overlap.
    let ranges = class.ranges();
    let i = ranges.partition_point(|r| r.end() < c);
    ranges.get(i).is_some_and(|r| r.start() <= c)
}

/// `(min, class)` when `source` is one class repeated at least `min` times with no upper bound
/// (optionally between `^` and `$`), as `regex` would read it.
fn repeated_class(source: &str) -> Option<(usize, ClassUnicode)> {
    let hir = regex_syntax::Parser::new().parse(source).ok()?;
    let rep = match hir.kind() {
        HirKind::Concat(parts) => match parts.as_slice() {
            [start, rep, end] if is_look(start, Look::Start) && is_look(end, Look::End) => rep,
            _ => return None,
        },
        _ => &hir,
    };
    let HirKind::Repetition(rep) = rep.kind() else {
        return None;
    };
    if rep.max.is_some() {
        return None;
    }
    let HirKind::Class(Class::Unicode(class)) = rep.sub.kind() else {
        return None;
    };
    Some((usize::try_from(rep.min).ok()?, class.clone()))
}

fn is_look(hir: &Hir, look: Look) -> bool {
    matches!(hir.kind(), HirKind::Look(l) if *l == look)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLES: &[&str] = &[
        "",
        "a",
        "abc-DEF_0.9=",
        "eyJraWQiOiJ4In0.eyJzdWIiOiJ5In0.c2ln",
        "with space",
        "tab\there",
        "new\nline",
        "plus+slash/",
        "ümlaut",
        "日本語",
        "emoji 🙂",
        "$dollar",
        "a\u{0}b",
        "end\n",
    ];

    /// Every pattern gives the regex crate's answer on every sample.
    #[test]
    fn agrees_with_the_regex_crate() {
        let patterns = [
            r"[A-Za-z0-9-_=.]+",
            r"[A-Za-z0-9\-_=.]+",
            r"[\w+]+",
            r"[\w-]+_[0-9a-zA-Z]+",
            r"[\w\s+=,.@-]+",
            r"[\S]+",
            r"[\S]+(.*[\S]+)?",
            r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+",
            r"[\p{L}\p{M}\p{S}\p{N}\p{P}\s]+",
            r"[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*",
            r"[\x21\x23-\x5B\x5D-\x7E]+",
            r"^[a-z0-9]+$",
            r"^[a-zA-Z0-9_-]+$",
            r"[0-9]+",
            r"(?s).*",
            r".*\{####\}.*",
            r"[a-c]{2,}",
            r"[a-c]{2,3}",
        ];
        for p in patterns {
            let ours = Pattern::new(p).unwrap();
            let theirs = Regex::new(&format!("^(?:{p})$")).unwrap();
            for s in SAMPLES {
                assert_eq!(ours.is_match(s), theirs.is_match(s), "{p:?} on {s:?}");
            }
        }
    }

    #[test]
    fn class_repetitions_skip_the_regex_engine() {
        for p in [r"[A-Za-z0-9-_=.]+", r"^[a-z0-9]+$", r"[\S]+", r"[a-c]{2,}"] {
            assert!(matches!(
                Pattern::new(p).unwrap().0,
                Matcher::Repeated { .. }
            ));
        }
        for p in [r"[\S]+(.*[\S]+)?", r"[a-c]{2,3}", r"Level[1-4]"] {
            assert!(matches!(Pattern::new(p).unwrap().0, Matcher::Regex(_)));
        }
    }
}
