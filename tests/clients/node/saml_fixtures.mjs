// saml_fixtures.mjs: writes the SAMLResponse fixtures of latchkey::saml (shared/src/saml/fixtures/)
// with the real samlify 2.13.1 (xml-crypto signs, xml-encryption encrypts). The keys are read from
// the fixtures folder (openssl made them); every instant is fixed, so the Rust tests pass a fixed
// clock. Run from the repository root: node tests/clients/node/saml_fixtures.mjs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const samlify = require('samlify');
const xmlenc = require('@authenio/xml-encryption');
const { SignedXml } = require('xml-crypto');

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(here, '../../../shared/src/saml/fixtures');
const read = (name) => fs.readFileSync(path.join(out, name), 'utf8');

samlify.setSchemaValidator({ validate: () => Promise.resolve('skipped') });

const IDP_ENTITY = 'https://idp.example.test/metadata';
const SP_ENTITY = 'urn:amazon:cognito:sp:us-east-1_abc';
const ACS = 'https://auth.example.test/saml2/idpresponse';
const REQUEST_ID = '_req-7f3c2a';
const ISSUED = '2026-01-01T00:00:00.000Z';
const EXPIRES = '2026-01-01T00:05:00.000Z';

const NS_ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion';
const ALG = {
  aes128cbc: 'http://www.w3.org/2001/04/xmlenc#aes128-cbc',
  aes256cbc: 'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
  aes128gcm: 'http://www.w3.org/2009/xmlenc11#aes128-gcm',
  aes256gcm: 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
  oaep: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
  rsa15: 'http://www.w3.org/2001/04/xmlenc#rsa-1_5',
};

// The whole Response, in samlify's own template language ({Tag} replaced by replaceTagsByValue).
// The attribute values use xsi:type="xs:string", with xs/xsi declared on the Response only.
function template({ inResponseTo = true, tricky = false } = {}) {
  const irt = inResponseTo ? ' InResponseTo="{InResponseTo}"' : '';
  // tricky: what canonicalization must get right — indentation, a comment, escaped text and
  // attribute values (quote, tab, CR), xml:lang, nested elements with a default namespace undone
  // by xmlns="", and namespaced attributes to sort.
  const extra = tricky
    ? '\n    <!-- a comment the signature does not cover -->\n    ' +
      '<saml:Attribute FriendlyName="Display &amp; &quot;name&quot;" Name="display" xml:lang="en"><saml:AttributeValue xsi:type="xs:string">Al &lt;ice&gt; &amp; co&#9;tab</saml:AttributeValue></saml:Attribute>\n    ' +
      '<saml:Attribute Name="nested"><saml:AttributeValue><x:Thing xmlns:x="urn:example:x" xmlns="urn:example:default" x:c="3" b="2" a="tab&#9;nl&#10;cr&#13;"><Inner xmlns=""/>text&#13;</x:Thing></saml:AttributeValue></saml:Attribute>\n  '
    : '';
  const attrs = true
    ? '<saml:AttributeStatement>' +
      '<saml:Attribute Name="email" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic"><saml:AttributeValue xsi:type="xs:string">alice@example.test</saml:AttributeValue></saml:Attribute>' +
      '<saml:Attribute Name="groups"><saml:AttributeValue xsi:type="xs:string">admins</saml:AttributeValue><saml:AttributeValue xsi:type="xs:string">dev &amp; ops</saml:AttributeValue></saml:Attribute>' +
      extra +
      '</saml:AttributeStatement>'
    : '';
  return (
    '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="{ID}" Version="2.0" IssueInstant="{IssueInstant}" Destination="{Destination}"' +
    irt +
    '><saml:Issuer>{Issuer}</saml:Issuer><samlp:Status><samlp:StatusCode Value="{StatusCode}"/></samlp:Status>' +
    '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{AssertionID}" Version="2.0" IssueInstant="{IssueInstant}"><saml:Issuer>{Issuer}</saml:Issuer>' +
    '<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">{NameID}</saml:NameID>' +
    '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="{Expires}" Recipient="{Recipient}"' +
    irt +
    '/></saml:SubjectConfirmation></saml:Subject>' +
    '<saml:Conditions NotBefore="{IssueInstant}" NotOnOrAfter="{Expires}"><saml:AudienceRestriction><saml:Audience>{Audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions>' +
    '<saml:AuthnStatement AuthnInstant="{IssueInstant}" SessionIndex="_session-42"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>' +
    attrs +
    '</saml:Assertion></samlp:Response>'
  );
}

function fill(tpl, ids) {
  return samlify.SamlLib.replaceTagsByValue(tpl, {
    ID: ids.response,
    AssertionID: ids.assertion,
    IssueInstant: ISSUED,
    Expires: EXPIRES,
    Destination: ACS,
    Recipient: ACS,
    Audience: SP_ENTITY,
    Issuer: IDP_ENTITY,
    StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
    NameID: 'alice@example.test',
    InResponseTo: REQUEST_ID,
  });
}

function idp(extra = {}) {
  return samlify.IdentityProvider({
    entityID: IDP_ENTITY,
    privateKey: read('idp_key.pem'),
    signingCert: read('idp_cert.pem'),
    singleSignOnService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: 'https://idp.example.test/sso' }],
    ...extra,
  });
}

function sp(extra = {}) {
  return samlify.ServiceProvider({
    entityID: SP_ENTITY,
    assertionConsumerService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', Location: ACS }],
    encryptCert: read('sp_cert.pem'),
    ...extra,
  });
}

async function response(name, { idpExtra = {}, spExtra = {}, tpl = {}, encryptThenSign = false } = {}) {
  const ids = { response: `_resp-${name}`, assertion: `_assertion-${name}` };
  const requestInfo = { extract: { request: { id: REQUEST_ID } } };
  const { context } = await idp(idpExtra).createLoginResponse(
    sp(spExtra),
    requestInfo,
    'post',
    { email: 'alice@example.test' },
    (t) => ({ id: ids.response, context: fill(template(tpl), ids) }),
    encryptThenSign,
  );
  fs.writeFileSync(path.join(out, `${name}.b64`), context + '\n');
  console.log('wrote', name);
}

// xml-encryption's encrypt(), promisified.
function encrypt(plain, algorithm, keyAlgorithm) {
  const cert = read('sp_cert.pem');
  return new Promise((resolve, reject) =>
    xmlenc.encrypt(
      plain,
      {
        rsa_pub: Buffer.from(samlify.Utility.getPublicKeyPemFromCertificate(samlify.Utility.normalizeCerString(cert))),
        pem: Buffer.from(cert),
        encryptionAlgorithm: algorithm,
        keyEncryptionAlgorithm: keyAlgorithm,
        warnInsecureAlgorithm: false,
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    ),
  );
}

// An EncryptedAssertion whose plaintext uses the `saml:`, `xs:` and `xsi:` prefixes that only the
// Response declares (as IdPs that serialise the assertion out of its document do), the Response
// then signed by the IdP.
async function prefixOutside() {
  const ids = { response: '_resp-encrypted_prefix', assertion: '_assertion-encrypted_prefix' };
  const whole = fill(template(), ids);
  const start = whole.indexOf('<saml:Assertion');
  const end = whole.indexOf('</saml:Assertion>') + '</saml:Assertion>'.length;
  const plain = whole.slice(start, end).replace(' xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"', '');
  const encrypted = await encrypt(plain, ALG.aes256cbc, ALG.oaep);
  const xml =
    whole.slice(0, start) + `<saml:EncryptedAssertion>${encrypted}</saml:EncryptedAssertion>` + whole.slice(end);
  const signed = samlify.SamlLib.constructSAMLSignature({
    privateKey: read('idp_key.pem'),
    signingCert: samlify.Utility.normalizeCerString(read('idp_cert.pem')),
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    rawSamlMessage: xml,
    isMessageSigned: true,
    isBase64Output: true,
    signatureConfig: {
      prefix: 'ds',
      location: { reference: "/*[local-name(.)='Response']/*[local-name(.)='Issuer']", action: 'after' },
    },
  });
  fs.writeFileSync(path.join(out, 'encrypted_prefix.b64'), signed + '\n');
  console.log('wrote encrypted_prefix');
}

await response('signed_assertion', { spExtra: { wantAssertionsSigned: true } });
await response('signed_response', { spExtra: { wantAssertionsSigned: false } });
await response('signed_both', { spExtra: { wantAssertionsSigned: true, wantMessageSigned: true } });
await response('signed_sha512', {
  idpExtra: { requestSignatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512' },
  spExtra: { wantAssertionsSigned: true },
});
await response('signed_sha1', {
  idpExtra: { requestSignatureAlgorithm: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1' },
  spExtra: { wantAssertionsSigned: false },
});
await response('signed_inclusive', {
  spExtra: {
    wantAssertionsSigned: true,
    transformationAlgorithms: [
      'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
      'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
    ],
  },
});
await response('signed_tricky', { spExtra: { wantAssertionsSigned: true, wantMessageSigned: true }, tpl: { tricky: true } });
await response('unsolicited', { spExtra: { wantAssertionsSigned: true }, tpl: { inResponseTo: false } });
await response('encrypted_cbc', {
  idpExtra: { isAssertionEncrypted: true, dataEncryptionAlgorithm: ALG.aes256cbc, keyEncryptionAlgorithm: ALG.oaep },
  spExtra: { wantAssertionsSigned: true },
});
await response('encrypted_aes128cbc', {
  idpExtra: { isAssertionEncrypted: true, dataEncryptionAlgorithm: ALG.aes128cbc, keyEncryptionAlgorithm: ALG.oaep },
  spExtra: { wantAssertionsSigned: true },
});
await response('encrypted_gcm', {
  idpExtra: { isAssertionEncrypted: true, dataEncryptionAlgorithm: ALG.aes128gcm, keyEncryptionAlgorithm: ALG.oaep },
  spExtra: { wantAssertionsSigned: true, wantMessageSigned: true },
  encryptThenSign: true,
});
await response('encrypted_aes256gcm', {
  idpExtra: { isAssertionEncrypted: true, dataEncryptionAlgorithm: ALG.aes256gcm, keyEncryptionAlgorithm: ALG.oaep },
  spExtra: { wantAssertionsSigned: true },
});
await response('encrypted_rsa15', {
  idpExtra: { isAssertionEncrypted: true, dataEncryptionAlgorithm: ALG.aes256cbc, keyEncryptionAlgorithm: ALG.rsa15 },
  spExtra: { wantAssertionsSigned: true },
});
await prefixOutside();

// ADFS style, signed by xml-crypto itself: the Assertion in the default namespace, and an
// InclusiveNamespaces PrefixList (xs xsi) on both the SignedInfo and the Reference transform.
function prefixList() {
  const ids = { response: '_resp-signed_prefixlist', assertion: '_assertion-signed_prefixlist' };
  const whole = fill(template(), ids);
  const start = whole.indexOf('<saml:Assertion');
  const end = whole.indexOf('</saml:Assertion>') + '</saml:Assertion>'.length;
  const assertion = whole
    .slice(start, end)
    .replace(' xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"', ' xmlns="urn:oasis:names:tc:SAML:2.0:assertion"')
    .replace(/<saml:/g, '<')
    .replace(/<\/saml:/g, '</');
  const xml = whole.slice(0, start) + assertion + whole.slice(end);
  const exc = 'http://www.w3.org/2001/10/xml-exc-c14n#';
  const sig = new SignedXml({
    privateKey: read('idp_key.pem'),
    publicCert: read('idp_cert.pem'),
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: exc,
    inclusiveNamespacesPrefixList: ['xs', 'xsi'],
  });
  sig.addReference({
    xpath: "//*[local-name(.)='Assertion']",
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', exc],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    inclusiveNamespacesPrefixList: ['xs', 'xsi'],
  });
  sig.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: "//*[local-name(.)='Assertion']/*[local-name(.)='Issuer']", action: 'after' },
  });
  fs.writeFileSync(path.join(out, 'signed_prefixlist.b64'), Buffer.from(sig.getSignedXml()).toString('base64') + '\n');
  console.log('wrote signed_prefixlist');
}
prefixList();
