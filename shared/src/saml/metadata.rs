//! An identity provider's SAML 2.0 metadata (`MetadataFile`, or the document at
//! `MetadataURL`): its entity id, where to send sign-in and logout requests, whether it wants
//! them signed, and the certificates its responses are signed with.

use super::{SamlError, NS_DS, NS_MD};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use roxmltree::{Document, Node};

/// The HTTP-Redirect binding.
pub const REDIRECT_BINDING: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
/// The HTTP-POST binding.
pub const POST_BINDING: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
/// The largest metadata document read.
pub const MAX_METADATA: usize = 512 * 1024;

/// What Latchkey needs of an identity provider's metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdpMetadata {
    /// `entityID`: the issuer of its responses.
    pub entity_id: String,
    /// `SingleSignOnService` with the HTTP-Redirect binding: where AuthnRequests go.
    pub sso_redirect: String,
    /// `SingleLogoutService` with the HTTP-Redirect binding, if it has one.
    pub slo_redirect: Option<String>,
    /// `WantAuthnRequestsSigned`.
    pub want_requests_signed: bool,
    /// The signing certificates (`KeyDescriptor` with `use="signing"` or no `use`), DER.
    pub signing_certificates: Vec<Vec<u8>>,
}

fn malformed(why: &str) -> SamlError {
    SamlError::Malformed(format!("metadata: {why}"))
}

/// The elements named `name` in namespace `ns` below `node`, in document order.
fn children<'a, 'input>(
    node: Node<'a, 'input>,
    ns: &'a str,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'input>> + 'a {
    node.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
        .filter(move |c| c.tag_name().namespace() == Some(ns))
}

/// The `Location` of the first `service` element with `binding`.
fn location(descriptor: Node, service: &str, binding: &str) -> Option<String> {
    children(descriptor, NS_MD, service)
        .find(|s| s.attribute("Binding") == Some(binding))
        .and_then(|s| s.attribute("Location"))
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
}

/// Parses a metadata document: an `EntityDescriptor`, or an `EntitiesDescriptor` holding
/// exactly one with an `IDPSSODescriptor`. DTDs are refused.
pub fn parse(text: &str) -> Result<IdpMetadata, SamlError> {
    if text.len() > MAX_METADATA {
        return Err(malformed("the document is too large"));
    }
    let doc = Document::parse(text).map_err(|e| malformed(&e.to_string()))?;
    let root = doc.root_element();
    let entity = match (root.tag_name().namespace(), root.tag_name().name()) {
        (Some(NS_MD), "EntityDescriptor") => root,
        (Some(NS_MD), "EntitiesDescriptor") => {
            let mut idps = children(root, NS_MD, "EntityDescriptor")
                .filter(|e| children(*e, NS_MD, "IDPSSODescriptor").next().is_some());
            match (idps.next(), idps.next()) {
                (Some(one), None) => one,
                (None, _) => return Err(malformed("no identity provider")),
                (Some(_), Some(_)) => return Err(malformed("more than one identity provider")),
            }
        }
        _ => return Err(malformed("the root is not an EntityDescriptor")),
    };
    let entity_id = entity
        .attribute("entityID")
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .ok_or_else(|| malformed("no entityID"))?
        .to_string();
    let descriptor = children(entity, NS_MD, "IDPSSODescriptor")
        .next()
        .ok_or_else(|| malformed("no IDPSSODescriptor"))?;
    let sso_redirect = location(descriptor, "SingleSignOnService", REDIRECT_BINDING)
        .ok_or_else(|| malformed("no SingleSignOnService with the HTTP-Redirect binding"))?;
    let slo_redirect = location(descriptor, "SingleLogoutService", REDIRECT_BINDING);
    let want_requests_signed = descriptor.attribute("WantAuthnRequestsSigned") == Some("true");
    let mut signing_certificates = Vec::new();
    for key in children(descriptor, NS_MD, "KeyDescriptor") {
        if key.attribute("use").is_some_and(|u| u != "signing") {
            continue;
        }
        let certs = key
            .descendants()
            .filter(|n| n.tag_name().namespace() == Some(NS_DS))
            .filter(|n| n.tag_name().name() == "X509Certificate");
        for cert in certs {
            let b64: String = cert
                .text()
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let der = STANDARD
                .decode(b64)
                .map_err(|_| malformed("an X509Certificate is not base64"))?;
            if der.first() != Some(&0x30) {
                return Err(malformed("an X509Certificate is not a DER certificate"));
            }
            if !signing_certificates.contains(&der) {
                signing_certificates.push(der);
            }
        }
    }
    if signing_certificates.is_empty() {
        return Err(malformed("no signing certificate"));
    }
    Ok(IdpMetadata {
        entity_id,
        sso_redirect,
        slo_redirect,
        want_requests_signed,
        signing_certificates,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(body: &str) -> String {
        format!(
            r#"<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/saml">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    {body}
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#
        )
    }

    const KEY: &str = r#"<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>
MIIB
AA==</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
<md:KeyDescriptor use="encryption"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>MIIC</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"#;

    const SSO: &str = r#"<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/slo"/>
<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/sso/post"/>
<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location=" https://idp.example.com/sso "/>"#;

    #[test]
    fn reads_the_entity_endpoints_and_signing_certificates() {
        let m = parse(&document(&format!("{KEY}{SSO}"))).unwrap();
        assert_eq!(m.entity_id, "https://idp.example.com/saml");
        assert_eq!(m.sso_redirect, "https://idp.example.com/sso");
        assert_eq!(
            m.slo_redirect.as_deref(),
            Some("https://idp.example.com/slo")
        );
        assert!(m.want_requests_signed);
        // Only the signing key's certificate (whitespace inside the base64 is ignored).
        assert_eq!(
            m.signing_certificates,
            vec![STANDARD.decode("MIIBAA==").unwrap()]
        );
    }

    #[test]
    fn refuses_documents_without_what_sign_in_needs() {
        for (body, why) in [
            (SSO.to_string(), "no signing certificate"),
            (KEY.to_string(), "no SingleSignOnService"),
        ] {
            let err = parse(&document(&body)).unwrap_err().to_string();
            assert!(err.contains(why), "{err}");
        }
        let dtd = format!("<!DOCTYPE x [<!ENTITY a \"b\">]>{}", document(KEY));
        assert!(parse(&dtd).is_err());
        assert!(parse("<html/>").is_err());
        assert!(parse("not xml").is_err());
    }

    #[test]
    fn an_entities_descriptor_holds_one_identity_provider() {
        let one = document(&format!("{KEY}{SSO}"));
        let one = one.trim_start_matches("<?xml version=\"1.0\"?>\n");
        let wrapped = format!(
            r#"<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">{one}</md:EntitiesDescriptor>"#
        );
        assert_eq!(
            parse(&wrapped).unwrap().entity_id,
            "https://idp.example.com/saml"
        );
        let two = format!(
            r#"<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">{one}{one}</md:EntitiesDescriptor>"#
        );
        assert!(parse(&two).is_err());
    }
}
