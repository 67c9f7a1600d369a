//! The SAML HTTP-Redirect and HTTP-POST bindings (SAML 2.0 Bindings §3.4, §3.5): a message
//! going out in a URL is DEFLATEd, base64-encoded and put in the query with its `RelayState`,
//! signed over the query's own bytes (`SigAlg`, `Signature`) when a key is given; a message
//! coming back is read from a query (inflated, its query signature kept for checking) or a
//! form post (base64 only).

use super::SamlError;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// The `SigAlg` of the signatures Latchkey makes (`RequestSigningAlgorithm` `rsa-sha256`).
pub const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
/// The largest inflated message accepted.
const MAX_MESSAGE: usize = 256 * 1024;

/// Which parameter carries the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Param {
    /// `SAMLRequest` (AuthnRequest, LogoutRequest).
    Request,
    /// `SAMLResponse` (LogoutResponse).
    Response,
}

impl Param {
    /// The parameter's name.
    pub fn name(self) -> &'static str {
        match self {
            Param::Request => "SAMLRequest",
            Param::Response => "SAMLResponse",
        }
    }
}

/// Signs the bytes it is given (RSA-SHA256 with the pool's signing key).
pub type Signer<'a> = &'a dyn Fn(&[u8]) -> Vec<u8>;

fn encode(v: &str) -> String {
    form_urlencoded::byte_serialize(v.as_bytes()).collect()
}

/// The URL that carries `xml` to `endpoint` with the HTTP-Redirect binding. `sign` (RSA-SHA256
/// over the bytes it is given) signs the query when set.
pub fn redirect_url(
    endpoint: &str,
    param: Param,
    xml: &str,
    relay_state: Option<&str>,
    sign: Option<Signer<'_>>,
) -> String {
    let deflated = miniz_oxide::deflate::compress_to_vec(xml.as_bytes(), 6);
    let mut query = format!("{}={}", param.name(), encode(&STANDARD.encode(deflated)));
    if let Some(relay) = relay_state {
        query.push_str(&format!("&RelayState={}", encode(relay)));
    }
    if let Some(sign) = sign {
        query.push_str(&format!("&SigAlg={}", encode(RSA_SHA256)));
        let signature = sign(query.as_bytes());
        query.push_str(&format!(
            "&Signature={}",
            encode(&STANDARD.encode(signature))
        ));
    }
    let joint = if endpoint.contains('?') { '&' } else { '?' };
    format!("{endpoint}{joint}{query}")
}

/// A query signature of the HTTP-Redirect binding, to be checked against the sender's
/// certificate.
#[derive(Debug)]
pub struct QuerySignature {
    /// `SigAlg`.
    pub alg: String,
    /// The signed bytes: the message, `RelayState` and `SigAlg` parameters exactly as they
    /// came (still URL-encoded), joined by `&`.
    pub signed: Vec<u8>,
    /// `Signature`, decoded.
    pub signature: Vec<u8>,
}

/// A message read from a binding.
#[derive(Debug)]
pub struct Received {
    /// The message's XML.
    pub xml: String,
    /// `RelayState`, if sent.
    pub relay_state: Option<String>,
    /// The query signature (HTTP-Redirect only), if signed.
    pub signature: Option<QuerySignature>,
}

fn malformed(why: &str) -> SamlError {
    SamlError::Malformed(why.to_string())
}

fn decode_base64(value: &str) -> Result<Vec<u8>, SamlError> {
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD
        .decode(compact)
        .map_err(|_| malformed("the message is not base64"))
}

fn text(bytes: Vec<u8>) -> Result<String, SamlError> {
    String::from_utf8(bytes).map_err(|_| malformed("the message is not UTF-8"))
}

/// Reads `param` from a raw HTTP-Redirect query string.
pub fn read_redirect(raw_query: &str, param: Param) -> Result<Received, SamlError> {
    let raw = |name: &str| {
        raw_query
            .split('&')
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
    };
    let decoded = |v: &str| -> String {
        form_urlencoded::parse(format!("v={v}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    let message = raw(param.name()).ok_or_else(|| malformed("no SAML message"))?;
    let deflated = decode_base64(&decoded(message))?;
    let inflated = miniz_oxide::inflate::decompress_to_vec_with_limit(&deflated, MAX_MESSAGE)
        .map_err(|_| malformed("the message does not inflate"))?;
    let relay = raw("RelayState");
    let signature = match (raw("SigAlg"), raw("Signature")) {
        (Some(alg), Some(signature)) => {
            let mut signed = format!("{}={message}", param.name());
            if let Some(relay) = relay {
                signed.push_str(&format!("&RelayState={relay}"));
            }
            signed.push_str(&format!("&SigAlg={alg}"));
            Some(QuerySignature {
                alg: decoded(alg),
                signed: signed.into_bytes(),
                signature: decode_base64(&decoded(signature))?,
            })
        }
        (None, None) => None,
        _ => return Err(malformed("SigAlg and Signature come together")),
    };
    Ok(Received {
        xml: text(inflated)?,
        relay_state: relay.map(decoded),
        signature,
    })
}

/// Reads a message posted with the HTTP-POST binding (base64, no DEFLATE).
pub fn read_post(value: &str, relay_state: Option<&str>) -> Result<Received, SamlError> {
    let bytes = decode_base64(value)?;
    if bytes.len() > MAX_MESSAGE {
        return Err(malformed("the message is too large"));
    }
    Ok(Received {
        xml: text(bytes)?,
        relay_state: relay_state.map(str::to_string),
        signature: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_redirect_url_reads_back_with_its_signature_over_the_raw_query() {
        let xml = "<samlp:LogoutRequest ID=\"_1\"/>";
        let sign = |bytes: &[u8]| bytes.iter().rev().copied().collect::<Vec<u8>>();
        let url = redirect_url(
            "https://idp.example.com/slo?tenant=a",
            Param::Request,
            xml,
            Some("state & more"),
            Some(&sign),
        );
        let (endpoint, query) = url.split_once('?').unwrap();
        assert_eq!(endpoint, "https://idp.example.com/slo");
        let query = query.strip_prefix("tenant=a&").unwrap();
        let got = read_redirect(query, Param::Request).unwrap();
        assert_eq!(got.xml, xml);
        assert_eq!(got.relay_state.as_deref(), Some("state & more"));
        let sig = got.signature.unwrap();
        assert_eq!(sig.alg, RSA_SHA256);
        // What was signed is the query up to the signature, byte for byte.
        let (signed, _) = query.split_once("&Signature=").unwrap();
        assert_eq!(sig.signed, signed.as_bytes());
        assert_eq!(sig.signature, sign(signed.as_bytes()));
    }

    #[test]
    fn unsigned_and_broken_messages() {
        let url = redirect_url("https://i/x", Param::Response, "<a/>", None, None);
        let query = url.split_once('?').unwrap().1;
        let got = read_redirect(query, Param::Response).unwrap();
        assert!(got.signature.is_none() && got.relay_state.is_none());
        assert!(read_redirect(query, Param::Request).is_err());
        assert!(read_redirect("SAMLResponse=%%%", Param::Response).is_err());
        assert!(read_redirect("SAMLResponse=AAAA", Param::Response).is_err());
        let half = format!("{query}&SigAlg=x");
        assert!(read_redirect(&half, Param::Response).is_err());
        let posted = STANDARD.encode("<r/>");
        assert_eq!(read_post(&posted, Some("s")).unwrap().xml, "<r/>");
        assert!(read_post("***", None).is_err());
    }
}
