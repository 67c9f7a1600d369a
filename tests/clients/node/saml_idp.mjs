// A real SAML 2.0 identity provider on loopback for the federation tests: samlify (which signs
// with xml-crypto and encrypts with xml-encryption) behind node:http, with a scripted login.
//
//   node saml_idp.mjs --key-file idp.key.pem --cert-file idp.cert.pem [--port 0]
//
// Prints one JSON line when ready: {"entity_id","metadata_url","port"}. Endpoints:
//   GET  /metadata             the IdP's metadata (signing certificate, SSO and SLO endpoints)
//   POST /configure            JSON: how to answer the service provider (Latchkey's pool):
//        {sp_entity_id, acs_url, slo_url, sp_signing_cert (base64 DER, GetSigningCertificate;
//         none for a service provider that sends no requests, as AWS for identity pools),
//         sp_encryption_cert (base64 DER, ActiveEncryptionCertificate, optional),
//         sign: "assertion" | "response" | "both", encrypt: bool,
//         user: {name_id, session_index, attributes: {name: value | [values]}}}
//   GET  /sso                  HTTP-Redirect AuthnRequest: its query signature verified with the
//                              SP's signing certificate (the metadata wants requests signed), then the scripted login answers
//                              with an auto-posting form carrying the signed SAMLResponse
//   GET  /initiate?RelayState= IdP-initiated sign-in: the same form, unsolicited
//   GET  /slo                  HTTP-Redirect LogoutRequest: verified, then a signed
//                              LogoutResponse posted back to the SP's logout endpoint
//   GET  /log                  JSON: what the IdP received and verified
import http from 'node:http';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';

// samlify is CommonJS; some of its exports (SamlLib) are getters ESM imports do not see.
const samlify = createRequire(import.meta.url)('samlify');

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'key-file': { type: 'string' },
    'cert-file': { type: 'string' },
  },
});
const key = fs.readFileSync(args['key-file'], 'utf8');
const cert = fs.readFileSync(args['cert-file'], 'utf8');

// The messages come from Latchkey, whose shapes the Rust tests check; samlify's optional XSD
// validation needs a native validator, so it is switched off (signatures are still verified).
samlify.setSchemaValidator({ validate: async () => 'skipped' });

const server = http.createServer();
await new Promise((resolve) => server.listen(Number(args.port), '127.0.0.1', resolve));
const { port } = server.address();
const base = `http://127.0.0.1:${port}`;
const entityId = `${base}/metadata`;
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

const idpSettings = (encrypt) => ({
  entityID: entityId,
  privateKey: key,
  signingCert: cert,
  isAssertionEncrypted: encrypt,
  // samlify then refuses an AuthnRequest whose query signature is missing or wrong.
  wantAuthnRequestsSigned: true,
  wantLogoutRequestSigned: true,
  nameIDFormat: ['urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified'],
  requestSignatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  singleSignOnService: [{ Binding: REDIRECT, Location: `${base}/sso` }],
  singleLogoutService: [{ Binding: REDIRECT, Location: `${base}/slo` }],
});
const metadataXml = samlify.IdentityProvider(idpSettings(false)).getMetadata();

let config;
const log = { authn_requests: [], logout_requests: [], responses: 0 };

const pem = (b64) => `-----BEGIN CERTIFICATE-----\n${b64.match(/.{1,64}/g).join('\n')}\n-----END CERTIFICATE-----\n`;

function serviceProvider() {
  return samlify.ServiceProvider({
    entityID: config.sp_entity_id,
    authnRequestsSigned: true,
    wantAssertionsSigned: config.sign !== 'response',
    wantMessageSigned: config.sign !== 'assertion',
    wantLogoutResponseSigned: true,
    wantLogoutRequestSigned: true,
    ...(config.sp_signing_cert ? { signingCert: pem(config.sp_signing_cert) } : {}),
    ...(config.sp_encryption_cert ? { encryptCert: pem(config.sp_encryption_cert) } : {}),
    assertionConsumerService: [{ Binding: POST, Location: config.acs_url }],
    singleLogoutService: [{ Binding: POST, Location: config.slo_url }],
  });
}

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => ({
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;',
}[c]));

// The assertion, with an AuthnStatement (SessionIndex) and the user's attributes.
function template(inResponseTo) {
  return (context) => {
    const now = new Date();
    const later = new Date(now.getTime() + 5 * 60 * 1000).toISOString();
    const id = `_${crypto.randomUUID().replaceAll('-', '')}`;
    const attributes = Object.entries(config.user.attributes ?? {}).map(([name, value]) => {
      const values = (Array.isArray(value) ? value : [value])
        .map((v) => `<saml:AttributeValue xsi:type="xs:string">${escape(v)}</saml:AttributeValue>`).join('');
      return `<saml:Attribute Name="${escape(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${values}</saml:Attribute>`;
    }).join('');
    const statements = `<saml:AuthnStatement AuthnInstant="${now.toISOString()}" SessionIndex="${escape(config.user.session_index)}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`
      + (attributes ? `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` : '');
    const values = {
      ID: id,
      AssertionID: `_${crypto.randomUUID().replaceAll('-', '')}`,
      Destination: config.acs_url,
      Audience: config.sp_entity_id,
      SubjectRecipient: config.acs_url,
      Issuer: entityId,
      IssueInstant: now.toISOString(),
      StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
      ConditionsNotBefore: now.toISOString(),
      ConditionsNotOnOrAfter: later,
      SubjectConfirmationDataNotOnOrAfter: later,
      NameIDFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
      NameID: config.user.name_id,
      InResponseTo: inResponseTo,
    };
    const filled = samlify.SamlLib.replaceTagsByValue(context, values)
      .replace('{AuthnStatement}', statements).replace('{AttributeStatement}', '');
    return { id, context: filled };
  };
}

// What a real IdP sends the browser: a form that posts itself to the SP.
function autoPost(res, action, fields) {
  const inputs = Object.entries(fields).filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<input type="hidden" name="${k}" value="${escape(v)}"/>`).join('');
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.end(`<!doctype html><html><body onload="document.forms[0].submit()"><form method="post" action="${escape(action)}">${inputs}<noscript><button>Continue</button></noscript></form></body></html>`);
}

// The bytes a redirect-binding signature covers, from the raw query.
function octetString(raw, param) {
  const part = (name) => raw.split('&').find((p) => p.startsWith(`${name}=`));
  return [part(param), part('RelayState'), part('SigAlg')].filter(Boolean).join('&');
}

async function loginResponse(res, inResponseTo, relayState) {
  const idp = samlify.IdentityProvider(idpSettings(Boolean(config.encrypt)));
  const requestInfo = inResponseTo ? { extract: { request: { id: inResponseTo } } } : null;
  const { context } = await idp.createLoginResponse(serviceProvider(), requestInfo, 'post', { email: config.user.name_id }, {
    customTagReplacement: template(inResponseTo),
    encryptThenSign: Boolean(config.encrypt),
  });
  log.responses += 1;
  autoPost(res, config.acs_url, { SAMLResponse: context, RelayState: relayState });
}

server.on('request', async (req, res) => {
  const url = new URL(req.url, base);
  const raw = req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '';
  const query = Object.fromEntries(url.searchParams);
  try {
    if (url.pathname === '/metadata') {
      res.setHeader('content-type', 'application/samlmetadata+xml');
      res.end(metadataXml);
    } else if (url.pathname === '/configure' && req.method === 'POST') {
      let body = '';
      for await (const chunk of req) body += chunk;
      config = JSON.parse(body);
      res.end('{}');
    } else if (url.pathname === '/sso') {
      const idp = samlify.IdentityProvider(idpSettings(false));
      const parsed = await idp.parseLoginRequest(serviceProvider(), 'redirect', {
        query, octetString: octetString(raw, 'SAMLRequest'),
      });
      const request = parsed.extract.request;
      log.authn_requests.push({
        id: request.id,
        issuer: parsed.extract.issuer,
        acs_url: request.assertionConsumerServiceUrl,
        destination: request.destination,
        // parseLoginRequest refused it otherwise (wantAuthnRequestsSigned).
        signature_verified: true,
      });
      await loginResponse(res, request.id, query.RelayState);
    } else if (url.pathname === '/initiate') {
      await loginResponse(res, undefined, query.RelayState);
    } else if (url.pathname === '/slo') {
      const idp = samlify.IdentityProvider(idpSettings(false));
      const sp = serviceProvider();
      const parsed = await idp.parseLogoutRequest(sp, 'redirect', {
        query, octetString: octetString(raw, 'SAMLRequest'),
      });
      log.logout_requests.push({
        id: parsed.extract.request.id,
        name_id: parsed.extract.nameID,
        session_index: parsed.extract.sessionIndex?.sessionIndex ?? parsed.extract.sessionIndex,
        // parseLogoutRequest refused it otherwise (wantLogoutRequestSigned).
        signature_verified: true,
      });
      const { context } = idp.createLogoutResponse(sp, parsed, 'post', query.RelayState);
      autoPost(res, config.slo_url, { SAMLResponse: context, RelayState: query.RelayState });
    } else if (url.pathname === '/log') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(log));
    } else {
      res.statusCode = 404;
      res.end('not found');
    }
  } catch (e) {
    // A request the IdP refuses (a bad or missing signature): a 400 the test can see.
    res.statusCode = 400;
    res.end(`refused: ${e?.message ?? e}`);
  }
});

console.log(JSON.stringify({ entity_id: entityId, metadata_url: `${base}/metadata`, port }));
process.on('SIGTERM', () => process.exit(0));
