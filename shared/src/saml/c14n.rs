//! XML canonicalization over a roxmltree subtree: Exclusive XML Canonicalization 1.0
//! (<https://www.w3.org/TR/xml-exc-c14n/>), the one SAML signers use, and inclusive Canonical
//! XML 1.0 for the rare signer that asks for it. One element (the enveloped `ds:Signature`)
//! may be left out with its subtree. The walk is iterative, so depth cannot overflow the stack.

use super::xml::{attribute_prefix, element_prefix};
use roxmltree::{Node, NodeId};

/// `http://www.w3.org/2001/10/xml-exc-c14n#`
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
/// `http://www.w3.org/2001/10/xml-exc-c14n#WithComments`
pub const EXC_C14N_WITH_COMMENTS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";
/// `http://www.w3.org/TR/2001/REC-xml-c14n-20010315`
pub const C14N: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
/// `http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments`
pub const C14N_WITH_COMMENTS: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments";

/// A canonicalization algorithm and its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    /// Exclusive c14n 1.0; `inclusive_prefixes` is the InclusiveNamespaces PrefixList
    /// (`#default` names the default namespace).
    Exclusive {
        /// Whether comments are kept.
        with_comments: bool,
        /// Prefixes treated as in inclusive c14n.
        inclusive_prefixes: Vec<String>,
    },
    /// Inclusive Canonical XML 1.0.
    Inclusive {
        /// Whether comments are kept.
        with_comments: bool,
    },
}

impl Method {
    /// The method an algorithm URI names (`None` for any other URI), with the PrefixList of an
    /// `InclusiveNamespaces` element when the method is exclusive.
    pub fn from_uri(uri: &str, prefix_list: Option<&str>) -> Option<Method> {
        let prefixes = || {
            prefix_list
                .map(|list| list.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default()
        };
        match uri {
            EXC_C14N => Some(Method::Exclusive {
                with_comments: false,
                inclusive_prefixes: prefixes(),
            }),
            EXC_C14N_WITH_COMMENTS => Some(Method::Exclusive {
                with_comments: true,
                inclusive_prefixes: prefixes(),
            }),
            C14N => Some(Method::Inclusive {
                with_comments: false,
            }),
            C14N_WITH_COMMENTS => Some(Method::Inclusive {
                with_comments: true,
            }),
            _ => None,
        }
    }

    /// The same method without comments (a same-document reference `#id` drops them).
    pub fn without_comments(&self) -> Method {
        match self {
            Method::Exclusive {
                inclusive_prefixes, ..
            } => Method::Exclusive {
                with_comments: false,
                inclusive_prefixes: inclusive_prefixes.clone(),
            },
            Method::Inclusive { .. } => Method::Inclusive {
                with_comments: false,
            },
        }
    }

    fn with_comments(&self) -> bool {
        match self {
            Method::Exclusive { with_comments, .. } | Method::Inclusive { with_comments } => {
                *with_comments
            }
        }
    }
}

/// The canonical form of the subtree at `apex`, leaving out the element `exclude` (and all
/// inside it).
pub fn canonicalize(apex: Node, exclude: Option<NodeId>, method: &Method) -> String {
    let mut out = String::new();
    // Namespace declarations rendered by output ancestors: (prefix, uri), innermost last, and
    // how many each open element pushed.
    let mut rendered: Vec<(String, String)> = Vec::new();
    let mut pushed: Vec<usize> = Vec::new();
    let mut node = apex;
    'walk: loop {
        if Some(node.id()) != exclude {
            open(&mut out, node, method, &mut rendered, &mut pushed);
            if let Some(child) = node.first_child() {
                node = child;
                continue;
            }
            close(&mut out, node, &mut rendered, &mut pushed);
        }
        // Up and along: the next sibling, closing each parent left behind.
        loop {
            if node == apex {
                break 'walk;
            }
            if let Some(next) = node.next_sibling() {
                node = next;
                continue 'walk;
            }
            match node.parent() {
                Some(parent) => {
                    node = parent;
                    close(&mut out, node, &mut rendered, &mut pushed);
                }
                None => break 'walk,
            }
        }
    }
    out
}

fn close(
    out: &mut String,
    node: Node,
    rendered: &mut Vec<(String, String)>,
    pushed: &mut Vec<usize>,
) {
    if node.is_element() {
        out.push_str("</");
        push_qname(out, element_prefix(node), node.tag_name().name());
        out.push('>');
        let count = pushed.pop().unwrap_or(0);
        rendered.truncate(rendered.len().saturating_sub(count));
    }
}

fn open(
    out: &mut String,
    node: Node,
    method: &Method,
    rendered: &mut Vec<(String, String)>,
    pushed: &mut Vec<usize>,
) {
    match node.node_type() {
        roxmltree::NodeType::Element => element(out, node, method, rendered, pushed),
        roxmltree::NodeType::Text => escape_text(out, node.text().unwrap_or("")),
        roxmltree::NodeType::Comment if method.with_comments() => {
            out.push_str("<!--");
            out.push_str(node.text().unwrap_or(""));
            out.push_str("-->");
        }
        roxmltree::NodeType::PI => {
            if let Some(pi) = node.pi() {
                out.push_str("<?");
                out.push_str(pi.target);
                if let Some(value) = pi.value.filter(|v| !v.is_empty()) {
                    out.push(' ');
                    out.push_str(value);
                }
                out.push_str("?>");
            }
        }
        _ => {}
    }
}

fn element(
    out: &mut String,
    node: Node,
    method: &Method,
    rendered: &mut Vec<(String, String)>,
    pushed: &mut Vec<usize>,
) {
    let doc = node.document();
    let mut candidates: Vec<(String, String)> = Vec::new();
    let mut consider = |prefix: &str, uri: &str| {
        if prefix != "xml" && !candidates.iter().any(|(p, _)| p == prefix) {
            candidates.push((prefix.to_owned(), uri.to_owned()));
        }
    };
    match method {
        Method::Exclusive {
            inclusive_prefixes, ..
        } => {
            let own = element_prefix(node).unwrap_or("");
            consider(own, &in_scope(node, own));
            for attr in node.attributes() {
                if attr.namespace().is_some() {
                    if let Some(prefix) = attribute_prefix(doc, &attr) {
                        consider(prefix, &in_scope(node, prefix));
                    }
                }
            }
            for prefix in inclusive_prefixes {
                let prefix = if prefix == "#default" {
                    ""
                } else {
                    prefix.as_str()
                };
                let uri = in_scope(node, prefix);
                if !uri.is_empty() || prefix.is_empty() {
                    consider(prefix, &uri);
                }
            }
        }
        Method::Inclusive { .. } => {
            for ns in node.namespaces() {
                consider(ns.name().unwrap_or(""), ns.uri());
            }
            consider("", node.default_namespace().unwrap_or(""));
        }
    }
    // Render what no output ancestor already rendered with the same value (an empty default
    // namespace is "rendered" from the start, so xmlns="" appears only to undo one).
    let mut declare: Vec<(String, String)> = candidates
        .into_iter()
        .filter(|(prefix, uri)| {
            let current = rendered.iter().rev().find(|(p, _)| p == prefix);
            match current {
                Some((_, value)) => value != uri,
                None => !(prefix.is_empty() && uri.is_empty()),
            }
        })
        .collect();
    declare.sort_by(|a, b| a.0.cmp(&b.0));

    out.push('<');
    push_qname(out, element_prefix(node), node.tag_name().name());
    for (prefix, uri) in &declare {
        if prefix.is_empty() {
            out.push_str(" xmlns=\"");
        } else {
            out.push_str(" xmlns:");
            out.push_str(prefix);
            out.push_str("=\"");
        }
        escape_attr(out, uri);
        out.push('"');
    }
    let mut attrs: Vec<_> = node.attributes().collect();
    attrs.sort_by(|a, b| {
        (a.namespace().unwrap_or(""), a.name()).cmp(&(b.namespace().unwrap_or(""), b.name()))
    });
    for attr in attrs {
        out.push(' ');
        let prefix = attr.namespace().and_then(|_| attribute_prefix(doc, &attr));
        push_qname(out, prefix, attr.name());
        out.push_str("=\"");
        escape_attr(out, attr.value());
        out.push('"');
    }
    out.push('>');
    pushed.push(declare.len());
    rendered.extend(declare);
}

/// The namespace URI `prefix` ("" = the default namespace) has at `node`, "" if none.
fn in_scope(node: Node, prefix: &str) -> String {
    let found = if prefix.is_empty() {
        node.default_namespace()
    } else {
        node.lookup_namespace_uri(Some(prefix))
    };
    found.unwrap_or("").to_owned()
}

fn push_qname(out: &mut String, prefix: Option<&str>, local: &str) {
    if let Some(prefix) = prefix {
        out.push_str(prefix);
        out.push(':');
    }
    out.push_str(local);
}

fn escape_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

fn escape_attr(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}
