//! The CSV reader of user import files (RFC 4180 as Cognito's import reads it): fields
//! separated by commas, records by CRLF or LF, a field in double quotes may hold commas, line
//! breaks and doubled quotes. Each record comes with the line it starts on, for the per-row
//! log lines.

/// One record: the line it starts on (1 is the header) and its fields.
#[derive(Debug, PartialEq, Eq)]
pub struct Record {
    /// 1-based line number of the record's first line.
    pub line: u64,
    /// The fields, unquoted.
    pub fields: Vec<String>,
}

/// Why a file is not CSV.
#[derive(Debug, PartialEq, Eq)]
pub struct Malformed {
    /// The line where it went wrong.
    pub line: u64,
}

/// Records of `text`, lazily; blank lines are skipped.
pub fn records(text: &str) -> Records<'_> {
    Records {
        rest: text.strip_prefix('\u{feff}').unwrap_or(text),
        line: 1,
    }
}

/// The iterator of [`records`].
pub struct Records<'a> {
    rest: &'a str,
    line: u64,
}

impl Iterator for Records<'_> {
    type Item = Result<Record, Malformed>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            // A blank line is no record.
            if let Some(after) = self
                .rest
                .strip_prefix("\r\n")
                .or_else(|| self.rest.strip_prefix('\n'))
            {
                self.rest = after;
                self.line += 1;
                continue;
            }
            return Some(self.record());
        }
    }
}

impl Records<'_> {
    fn record(&mut self) -> Result<Record, Malformed> {
        let start = self.line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut chars = self.rest.char_indices().peekable();
        let mut quoted = false;
        let mut at_field_start = true;
        let mut end = self.rest.len();
        while let Some((i, c)) = chars.next() {
            if quoted {
                match c {
                    '"' if chars.peek().is_some_and(|&(_, n)| n == '"') => {
                        chars.next();
                        field.push('"');
                    }
                    '"' => {
                        quoted = false;
                        // Only a separator or the record's end may follow a closing quote.
                        match chars.peek().map(|&(_, n)| n) {
                            None | Some(',') | Some('\n') | Some('\r') => {}
                            Some(_) => return Err(self.fail(start)),
                        }
                    }
                    '\n' => {
                        self.line += 1;
                        field.push(c);
                    }
                    _ => field.push(c),
                }
                continue;
            }
            match c {
                '"' if at_field_start => {
                    quoted = true;
                    at_field_start = false;
                }
                '"' => return Err(self.fail(start)),
                ',' => {
                    fields.push(std::mem::take(&mut field));
                    at_field_start = true;
                }
                '\r' if chars.peek().is_some_and(|&(_, n)| n == '\n') => {}
                '\n' => {
                    end = i + 1;
                    break;
                }
                _ => {
                    field.push(c);
                    at_field_start = false;
                }
            }
        }
        if quoted {
            return Err(self.fail(start));
        }
        fields.push(field);
        self.rest = &self.rest[end..];
        self.line += 1;
        Ok(Record {
            line: start,
            fields,
        })
    }

    /// A malformed record ends the reading.
    fn fail(&mut self, line: u64) -> Malformed {
        self.rest = "";
        Malformed { line }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<Result<Record, Malformed>> {
        records(text).collect()
    }

    fn rec(line: u64, fields: &[&str]) -> Result<Record, Malformed> {
        Ok(Record {
            line,
            fields: fields.iter().map(|f| f.to_string()).collect(),
        })
    }

    #[test]
    fn reads_plain_and_quoted_fields() {
        let text = "a,b,c\r\n1,\"x, \"\"y\"\"\",\n\n\"multi\nline\",2,3\n";
        assert_eq!(
            all(text),
            vec![
                rec(1, &["a", "b", "c"]),
                rec(2, &["1", "x, \"y\"", ""]),
                rec(4, &["multi\nline", "2", "3"]),
            ]
        );
    }

    #[test]
    fn the_last_line_needs_no_break_and_a_bom_is_dropped() {
        assert_eq!(all("\u{feff}h\nv"), vec![rec(1, &["h"]), rec(2, &["v"])]);
    }

    #[test]
    fn stray_and_unclosed_quotes_are_malformed() {
        assert_eq!(
            all("a\nb\"c\n"),
            vec![rec(1, &["a"]), Err(Malformed { line: 2 })]
        );
        assert_eq!(all("\"open\n"), vec![Err(Malformed { line: 1 })]);
        assert_eq!(all("\"a\"b\n"), vec![Err(Malformed { line: 1 })]);
    }
}
