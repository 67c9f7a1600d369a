//! Paging back through a list whose API gives only forward tokens (ListUsers): the tokens of
//! the pages before this one ride along in the page's query (`prev=`) as a bounded stack, so
//! a "Previous page" link needs no state on the server. The stack is a convenience, not
//! trusted: a forged entry is only a token ListUsers refuses with its own message.

/// How many earlier pages the stack remembers (older ones fall off; "First page" stays).
pub const DEPTH: usize = 10;
/// The first page's entry (it has no token); not a character of base64url tokens.
const FIRST: &str = "~";
/// Between entries; not a character of base64url tokens either.
const SEP: char = ',';

/// Where a paged list stands: this page's token (empty: the first page) and, oldest first,
/// the tokens of the pages before it.
pub struct Trail {
    token: String,
    back: Vec<String>,
}

impl Trail {
    /// The trail from the query's `token` and `prev`.
    pub fn from_query(token: &str, prev: &str) -> Self {
        let mut back: Vec<String> = if token.is_empty() || prev.is_empty() {
            Vec::new()
        } else {
            prev.split(SEP)
                .map(|e| if e == FIRST { "" } else { e }.to_string())
                .collect()
        };
        let over = back.len().saturating_sub(DEPTH);
        back.drain(..over);
        Self {
            token: token.to_string(),
            back,
        }
    }

    /// This page's token (empty: the first page).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The `(token, prev)` of the page after this one, whose token is `next`.
    pub fn next(&self, next: &str) -> (String, String) {
        let mut back = self.back.clone();
        if self.token.contains(SEP) {
            // A token the stack cannot carry: start it again (First page still works).
            back.clear();
        } else {
            back.push(self.token.clone());
        }
        let over = back.len().saturating_sub(DEPTH);
        (next.to_string(), encode(&back[over..]))
    }

    /// The `(token, prev)` of the page before this one, when the stack knows it.
    pub fn previous(&self) -> Option<(String, String)> {
        if self.token.is_empty() {
            return None;
        }
        let (last, rest) = self.back.split_last()?;
        Some((last.clone(), encode(rest)))
    }
}

fn encode(back: &[String]) -> String {
    back.iter()
        .map(|t| if t.is_empty() { FIRST } else { t.as_str() })
        .collect::<Vec<_>>()
        .join(&SEP.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_then_back_to_the_first_page() {
        let first = Trail::from_query("", "");
        assert!(first.previous().is_none());
        let (t2, p2) = first.next("B");
        assert_eq!((t2.as_str(), p2.as_str()), ("B", "~"));
        let second = Trail::from_query(&t2, &p2);
        assert_eq!(second.previous(), Some((String::new(), String::new())));
        let (t3, p3) = second.next("C");
        assert_eq!((t3.as_str(), p3.as_str()), ("C", "~,B"));
        let third = Trail::from_query(&t3, &p3);
        assert_eq!(third.previous(), Some(("B".into(), "~".into())));
    }

    #[test]
    fn the_stack_is_bounded_and_a_bare_token_has_no_previous() {
        let mut trail = Trail::from_query("", "");
        for i in 0..(DEPTH + 5) {
            let (t, p) = trail.next(&format!("t{i}"));
            assert!(p.split(SEP).count() <= DEPTH, "{p}");
            trail = Trail::from_query(&t, &p);
        }
        let long = vec!["x"; DEPTH * 3].join(",");
        assert_eq!(Trail::from_query("y", &long).back.len(), DEPTH);
        assert!(Trail::from_query("y", "").previous().is_none());
        // A token with the separator in it restarts the stack.
        let odd = Trail::from_query("a,b", "~");
        assert_eq!(odd.next("c").1, "");
    }
}
