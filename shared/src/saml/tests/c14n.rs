//! Canonicalization on small documents whose canonical form is known.

use crate::saml::c14n::{canonicalize, Method};
use crate::saml::xml::{parse, text_of};

fn exclusive(prefixes: &[&str]) -> Method {
    Method::Exclusive {
        with_comments: false,
        inclusive_prefixes: prefixes.iter().map(|p| p.to_string()).collect(),
    }
}

fn c14n_of(text: &str, path: &[&str], method: &Method) -> String {
    let doc = parse(text).expect("xml");
    let mut node = doc.root_element();
    for name in path {
        node = node
            .children()
            .find(|c| c.tag_name().name() == *name)
            .expect("child");
    }
    canonicalize(node, None, method)
}

#[test]
fn exclusive_renders_only_visibly_used_namespaces_sorted() {
    let text = r#"<a:r xmlns:b="urn:b" xmlns:unused="urn:u" xmlns:a="urn:a" z="1" b:y="2" a:x="3"><c xmlns="urn:c"><d xmlns=""/></c></a:r>"#;
    assert_eq!(
        c14n_of(text, &[], &exclusive(&[])),
        r#"<a:r xmlns:a="urn:a" xmlns:b="urn:b" z="1" a:x="3" b:y="2"><c xmlns="urn:c"><d xmlns=""></d></c></a:r>"#
    );
}

#[test]
fn exclusive_subtree_declares_ancestor_namespaces_where_used() {
    let text = r#"<p:root xmlns:p="urn:p" xmlns:q="urn:q"><p:child q:at="v"><p:leaf/><q:x/></p:child></p:root>"#;
    assert_eq!(
        c14n_of(text, &["child"], &exclusive(&[])),
        r#"<p:child xmlns:p="urn:p" xmlns:q="urn:q" q:at="v"><p:leaf></p:leaf><q:x></q:x></p:child>"#
    );
    // Without the attribute, q is declared only where it is used.
    let text =
        r#"<p:root xmlns:p="urn:p" xmlns:q="urn:q"><p:child><q:x/><q:y/></p:child></p:root>"#;
    assert_eq!(
        c14n_of(text, &["child"], &exclusive(&[])),
        r#"<p:child xmlns:p="urn:p"><q:x xmlns:q="urn:q"></q:x><q:y xmlns:q="urn:q"></q:y></p:child>"#
    );
}

#[test]
fn inclusive_namespaces_prefix_list_is_honoured() {
    let text = r#"<p:root xmlns:p="urn:p" xmlns:xs="urn:xs"><p:child/></p:root>"#;
    assert_eq!(
        c14n_of(text, &["child"], &exclusive(&["xs"])),
        r#"<p:child xmlns:p="urn:p" xmlns:xs="urn:xs"></p:child>"#
    );
}

#[test]
fn inclusive_c14n_keeps_every_namespace_in_scope() {
    let text = r#"<r xmlns:u="urn:u" xmlns="urn:d"><e/></r>"#;
    let method = Method::Inclusive {
        with_comments: false,
    };
    assert_eq!(
        c14n_of(text, &[], &method),
        r#"<r xmlns="urn:d" xmlns:u="urn:u"><e></e></r>"#
    );
    assert_eq!(
        c14n_of(text, &["e"], &method),
        r#"<e xmlns="urn:d" xmlns:u="urn:u"></e>"#
    );
}

#[test]
fn escaping_and_comments() {
    let text = "<r a=\"x&quot;y&#9;z&#10;&lt;&gt;&amp;\">1 &lt; 2 &amp;&amp; 3 &gt; 2&#13;<!-- c --><?pi  data?></r>";
    assert_eq!(
        c14n_of(text, &[], &exclusive(&[])),
        "<r a=\"x&quot;y&#x9;z&#xA;&lt;>&amp;\">1 &lt; 2 &amp;&amp; 3 &gt; 2&#xD;<?pi data?></r>"
    );
    let with_comments = Method::Exclusive {
        with_comments: true,
        inclusive_prefixes: vec![],
    };
    assert!(c14n_of(text, &[], &with_comments).contains("<!-- c -->"));
}

#[test]
fn excluded_element_is_left_out() {
    let text = r#"<r ID="1"><a/><s><t/></s><b/></r>"#;
    let doc = parse(text).expect("xml");
    let root = doc.root_element();
    let s = root
        .children()
        .find(|c| c.tag_name().name() == "s")
        .expect("s");
    assert_eq!(
        canonicalize(root, Some(s.id()), &exclusive(&[])),
        r#"<r ID="1"><a></a><b></b></r>"#
    );
}

#[test]
fn text_of_reads_across_comments_and_cdata() {
    let doc = parse("<n>a<!--x-->b<![CDATA[<c>]]><i>d</i></n>").expect("xml");
    assert_eq!(text_of(doc.root_element()), "ab<c>d");
}
