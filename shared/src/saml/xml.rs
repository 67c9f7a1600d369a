//! XML reading for SAML: a bounded parse that refuses any DTD, and element text read whole.

use super::{SamlError, SamlResult};

/// The largest message accepted, in bytes (a real Response is a few KiB).
pub const MAX_XML_BYTES: usize = 512 * 1024;
/// The most nodes a message may have (bounds the work of canonicalization).
const MAX_NODES: u32 = 50_000;

/// Parses `text`, refusing any DOCTYPE or entity declaration, and anything over
/// [`MAX_XML_BYTES`] or too many nodes.
pub fn parse(text: &str) -> SamlResult<roxmltree::Document<'_>> {
    if text.len() > MAX_XML_BYTES {
        return Err(SamlError::Malformed("the message is too large".into()));
    }
    // roxmltree accepts an empty `<!DOCTYPE x>`; SAML never has one, so any is refused.
    if text.contains("<!DOCTYPE") || text.contains("<!ENTITY") {
        return Err(SamlError::Malformed("a DOCTYPE is not allowed".into()));
    }
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(text, options)
        .map_err(|e| SamlError::Malformed(format!("not well-formed XML ({e})")))
}

/// All descendant text of `node`, concatenated: `<NameID>a<!---->b</NameID>` reads `ab`, never
/// just the first text node (the comment-injection attack).
pub fn text_of(node: roxmltree::Node) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}

/// Whether `node` is the element `name` in namespace `ns`.
pub(crate) fn is(node: roxmltree::Node, ns: &str, name: &str) -> bool {
    node.is_element() && node.tag_name().namespace() == Some(ns) && node.tag_name().name() == name
}

/// The element children of `node` named `name` in `ns`.
pub(crate) fn children<'a, 'input: 'a>(
    node: roxmltree::Node<'a, 'input>,
    ns: &'a str,
    name: &'a str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'input>> + 'a {
    node.children().filter(move |c| is(*c, ns, name))
}

/// The single element child `name` in `ns`: `None` if absent, an error if repeated.
pub(crate) fn only_child<'a, 'input: 'a>(
    node: roxmltree::Node<'a, 'input>,
    ns: &'a str,
    name: &'a str,
) -> SamlResult<Option<roxmltree::Node<'a, 'input>>> {
    let mut found = children(node, ns, name);
    let first = found.next();
    if found.next().is_some() {
        return Err(SamlError::Malformed(format!("more than one {name}")));
    }
    Ok(first)
}

/// The single element child `name` in `ns`, required.
pub(crate) fn required_child<'a, 'input: 'a>(
    node: roxmltree::Node<'a, 'input>,
    ns: &'a str,
    name: &'a str,
) -> SamlResult<roxmltree::Node<'a, 'input>> {
    only_child(node, ns, name)?.ok_or_else(|| SamlError::Malformed(format!("no {name}")))
}

/// The prefix an element was written with (`None` for an unprefixed name), read from the source
/// text (roxmltree keeps only the namespace URI).
pub(crate) fn element_prefix<'a>(node: roxmltree::Node<'_, 'a>) -> Option<&'a str> {
    let source = node.document().input_text();
    let tag = source.get(node.range().start + 1..)?;
    let end = tag
        .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
        .unwrap_or(tag.len());
    let qname = tag.get(..end)?;
    qname.split_once(':').map(|(prefix, _)| prefix)
}

/// The prefix an attribute was written with (`None` for an unprefixed name).
pub(crate) fn attribute_prefix<'a>(
    doc: &roxmltree::Document<'a>,
    attr: &roxmltree::Attribute<'_, 'a>,
) -> Option<&'a str> {
    let qname = doc.input_text().get(attr.range_qname())?;
    qname.split_once(':').map(|(prefix, _)| prefix)
}
