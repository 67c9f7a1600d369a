#!/usr/bin/env node
// The OAuth 2.0 / OpenID Connect endpoints through the real openid-client (v6) against a
// running Latchkey server: discovery, authorization code + PKCE S256 + nonce + state through the
// login form, code exchange (ID token signature, iss, aud, nonce and PKCE checked by the library),
// code replay and a wrong PKCE verifier refused, userinfo, refresh, revocation (the refresh token
// is refused afterwards), logout, and the client_credentials grant with a custom scope.
//
// Run `node oidc_openid_client.mjs --help` for the arguments. Prints each check; exits non-zero
// with a message naming the failed check.

import { parseArgs } from 'node:util';
import * as client from 'openid-client';
import * as jose from 'jose';
import { Jar } from './jar.mjs';

const USAGE = `usage: node oidc_openid_client.mjs --base URL --pool-id P --client-id C
         --redirect-uri URI --username U --password PW
         [--client-secret S] [--m2m-client-id C2 --m2m-client-secret S2 --m2m-scope SCOPE]
         [--flows code,client_credentials]

  --base              server base URL, e.g. http://127.0.0.1:9229   [LATCHKEY_BASE]
  --pool-id           user pool id; the issuer is BASE/POOL          [LATCHKEY_POOL_ID]
  --client-id         app client with the code flow and openid/email/profile
                                                                     [LATCHKEY_CLIENT_ID]
  --client-secret     its secret, if it has one (client_secret_basic) [LATCHKEY_CLIENT_SECRET]
  --redirect-uri      one of the client's CallbackURLs (and LogoutURLs)
                                                                     [LATCHKEY_REDIRECT_URI]
  --username/--password  a confirmed user of the pool               [LATCHKEY_USERNAME/_PASSWORD]
  --m2m-client-id/--m2m-client-secret/--m2m-scope
                      a client allowed client_credentials for SCOPE (resource-server/scope);
                      omitted: that part is skipped          [LATCHKEY_M2M_CLIENT_ID/_SECRET/_SCOPE]
  --flows             which parts to run: code, client_credentials or both (default: code,
                      and client_credentials when --m2m-client-id is given)   [LATCHKEY_FLOWS]
`;

const { values: args } = parseArgs({
  options: {
    help: { type: 'boolean', short: 'h' },
    base: { type: 'string', default: process.env.LATCHKEY_BASE },
    'pool-id': { type: 'string', default: process.env.LATCHKEY_POOL_ID },
    'client-id': { type: 'string', default: process.env.LATCHKEY_CLIENT_ID },
    'client-secret': { type: 'string', default: process.env.LATCHKEY_CLIENT_SECRET },
    'redirect-uri': { type: 'string', default: process.env.LATCHKEY_REDIRECT_URI },
    username: { type: 'string', default: process.env.LATCHKEY_USERNAME },
    password: { type: 'string', default: process.env.LATCHKEY_PASSWORD },
    'm2m-client-id': { type: 'string', default: process.env.LATCHKEY_M2M_CLIENT_ID },
    'm2m-client-secret': { type: 'string', default: process.env.LATCHKEY_M2M_CLIENT_SECRET },
    'm2m-scope': { type: 'string', default: process.env.LATCHKEY_M2M_SCOPE },
    flows: { type: 'string', default: process.env.LATCHKEY_FLOWS },
  },
});
if (args.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const flows = new Set((args.flows ?? (args['m2m-client-id'] ? 'code,client_credentials' : 'code')).split(','));
const required = ['base', 'pool-id'];
if (flows.has('code')) required.push('client-id', 'redirect-uri', 'username', 'password');
if (flows.has('client_credentials')) required.push('m2m-client-id', 'm2m-client-secret', 'm2m-scope');
for (const name of required) {
  if (!args[name]) {
    process.stderr.write(`missing --${name}\n\n${USAGE}`);
    process.exit(2);
  }
}

const base = args.base.replace(/\/+$/, '');
const issuer = `${base}/${args['pool-id']}`;
const redirectUri = args['redirect-uri'];
const SCOPES = 'openid email profile';

class CheckFailed extends Error {}

function check(cond, what, detail) {
  if (!cond) throw new CheckFailed(`${what}${detail === undefined ? '' : `: ${detail}`}`);
  console.log(`ok - ${what}`);
}

/** The OAuth error code of a refused grant (openid-client's ResponseBodyError), or rethrows. */
async function oauthError(promise, what) {
  try {
    await promise;
  } catch (e) {
    if (e instanceof client.ResponseBodyError) return e.error;
    // A 401 with WWW-Authenticate (client authentication refused) comes as a challenge error.
    if (e instanceof client.WWWAuthenticateChallengeError) return e.cause?.[0]?.parameters?.error ?? e.error;
    throw new CheckFailed(`${what}: expected an OAuth error reply, got ${e}`);
  }
  throw new CheckFailed(`${what}: expected a refusal, the server accepted it`);
}

function htmlDecode(s) {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attributes(tag) {
  const out = {};
  for (const m of tag.matchAll(/([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/g)) {
    out[m[1].toLowerCase()] = htmlDecode(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return out;
}

/** The login page's form: its action (absolute) and its inputs by name. */
function parseForm(html, pageUrl) {
  const forms = [...html.matchAll(/<form\b[^>]*>/gi)];
  if (forms.length !== 1) throw new CheckFailed(`login page: expected one <form>, found ${forms.length}`);
  const form = attributes(forms[0][0]);
  const inputs = {};
  for (const m of html.matchAll(/<input\b[^>]*>/gi)) {
    const a = attributes(m[0]);
    if (a.name) inputs[a.name] = a;
  }
  return { method: (form.method ?? 'get').toLowerCase(), action: new URL(form.action ?? '', pageUrl), inputs };
}

/** GET the login page, check its form, POST the credentials; returns the response. */
async function submitLogin(loginUrl, jar, username, password) {
  const page = await fetch(loginUrl, { redirect: 'manual', headers: { cookie: jar.header() } });
  check(page.status === 200, `GET ${loginUrl.pathname} answers 200`, page.status);
  jar.take(page);
  const html = await page.text();
  const form = parseForm(html, loginUrl);
  check(form.method === 'post', 'the login form posts');
  check(form.action.pathname === '/login' && form.action.search === loginUrl.search,
    'the form posts back to /login with the same query', form.action.href);
  for (const name of ['_csrf', 'username', 'password']) {
    check(name in form.inputs, `the form has an input "${name}"`);
  }
  check(form.inputs._csrf.type === 'hidden' && form.inputs._csrf.value, '_csrf is hidden and set');
  check(jar.cookies.has('XSRF-TOKEN'), 'the login page sets the XSRF-TOKEN cookie');
  const body = new URLSearchParams({ _csrf: form.inputs._csrf.value, username, password });
  const resp = await fetch(form.action, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
    body,
  });
  return resp;
}

/** authorize -> login (or straight back with a session) -> the callback URL with the code. */
async function authorize(config, jar, { password = args.password, expectLogin = true } = {}) {
  const codeVerifier = client.randomPKCECodeVerifier();
  const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
  const nonce = client.randomNonce();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: SCOPES,
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
    nonce,
    state,
  });
  console.log(`-- GET ${url.origin}${url.pathname} (${expectLogin ? 'no session' : 'with the session cookie'})`);
  const resp = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
  check(resp.status === 302, '/oauth2/authorize redirects (302)', resp.status);
  jar.take(resp);
  const next = new URL(resp.headers.get('location'), url);
  let callback;
  if (expectLogin) {
    check(next.pathname === '/login', 'without a session it redirects to /login', next.href);
    for (const p of ['client_id', 'redirect_uri', 'state', 'nonce', 'code_challenge', 'scope']) {
      check(next.searchParams.get(p) === url.searchParams.get(p), `/login keeps ${p}`);
    }
    const done = await submitLogin(next, jar, args.username, password);
    if (password !== args.password) return { refused: done };
    check(done.status === 302, 'POST /login with the right password redirects', done.status);
    const set = jar.take(done);
    check(set.some((c) => c.name === 'latchkey-session' && !c.gone), 'sign-in sets latchkey-session');
    callback = new URL(done.headers.get('location'), next);
  } else {
    callback = next;
  }
  check(callback.href.startsWith(redirectUri), 'the code comes back to the redirect URI', callback.href);
  check(callback.searchParams.get('state') === state, 'state comes back unchanged');
  check(callback.searchParams.get('code'), 'a code comes back');
  return { callback, codeVerifier, nonce, state };
}

async function verifyAccessToken(config, token, clientId) {
  const jwks = jose.createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri));
  const { payload } = await jose.jwtVerify(token, jwks, { issuer, algorithms: ['RS256'] });
  check(payload.token_use === 'access', 'the access token is one (signature and iss verified with jose)');
  check(payload.client_id === clientId, 'access token client_id', payload.client_id);
  return payload;
}

const execute = [client.enableNonRepudiationChecks];
if (new URL(base).protocol === 'http:') execute.push(client.allowInsecureRequests); // loopback

async function main() {
  const auth = args['client-secret'] ? client.ClientSecretBasic(args['client-secret']) : client.None();
  const clientId = flows.has('code') ? args['client-id'] : args['m2m-client-id'];
  console.log(`-- discovery of ${issuer}`);
  const config = await client.discovery(new URL(issuer), clientId, undefined, auth, { execute });
  const meta = config.serverMetadata();
  check(meta.issuer === issuer, 'discovery: issuer', meta.issuer);
  const expected = {
    authorization_endpoint: `${base}/oauth2/authorize`,
    token_endpoint: `${base}/oauth2/token`,
    userinfo_endpoint: `${base}/oauth2/userInfo`,
    revocation_endpoint: `${base}/oauth2/revoke`,
    end_session_endpoint: `${base}/logout`,
  };
  for (const [k, v] of Object.entries(expected)) check(meta[k] === v, `discovery: ${k}`, meta[k]);
  check(meta.jwks_uri, 'discovery: jwks_uri');
  check((meta.code_challenge_methods_supported ?? []).includes('S256'), 'discovery: S256 PKCE');
  if (flows.has('code')) await codeFlow(config);
  if (flows.has('client_credentials')) await clientCredentials();
  console.log('PASS: openid-client');
}

async function codeFlow(config) {
  const jar = new Jar();
  console.log('-- a wrong password re-renders the form');
  const { refused } = await authorize(config, jar, { password: `${args.password}-wrong` });
  check(refused.status === 200 || refused.status === 400, 'wrong password: 200/400, no redirect', refused.status);
  check(!refused.headers.get('location'), 'wrong password: no Location');
  check(/<form\b/i.test(await refused.text()), 'wrong password: the form again');

  console.log('-- code flow with PKCE S256 and nonce');
  const first = await authorize(config, jar);
  const tokens = await client.authorizationCodeGrant(config, first.callback, {
    pkceCodeVerifier: first.codeVerifier,
    expectedNonce: first.nonce,
    expectedState: first.state,
    idTokenExpected: true,
  });
  check(tokens.token_type?.toLowerCase() === 'bearer', 'token_type Bearer', tokens.token_type);
  check(tokens.expires_in > 0, 'expires_in', tokens.expires_in);
  check(tokens.refresh_token, 'a refresh token');
  const claims = tokens.claims();
  check(claims.iss === issuer && claims.aud === args['client-id'] && claims.nonce === first.nonce,
    'ID token verified by openid-client: signature, iss, aud, nonce, exp');
  check(claims.token_use === 'id', 'ID token token_use', claims.token_use);
  check(claims['cognito:username'] === args.username, 'ID token cognito:username', claims['cognito:username']);
  check(claims.email, 'ID token has email (scope email)');
  const access = await verifyAccessToken(config, tokens.access_token, args['client-id']);
  check(access.sub === claims.sub, 'access and ID token name the same sub');
  for (const s of SCOPES.split(' ')) check(access.scope.split(' ').includes(s), `access token scope has ${s}`, access.scope);

  check(await oauthError(client.authorizationCodeGrant(config, first.callback, {
    pkceCodeVerifier: first.codeVerifier, expectedNonce: first.nonce, expectedState: first.state,
  }), 'code replay') === 'invalid_grant', 'a used code is refused (invalid_grant)');

  console.log('-- the session cookie skips the login page; a wrong PKCE verifier is refused');
  const second = await authorize(config, jar, { expectLogin: false });
  check(await oauthError(client.authorizationCodeGrant(config, second.callback, {
    pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedNonce: second.nonce, expectedState: second.state,
  }), 'wrong verifier') === 'invalid_grant', 'a wrong code_verifier is refused (invalid_grant)');

  console.log('-- userinfo');
  const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  check(info.sub === claims.sub, 'userinfo sub');
  check(info.username === args.username, 'userinfo username', info.username);
  check(info.email === claims.email, 'userinfo email', info.email);
  check(info.email_verified === 'true' || info.email_verified === 'false',
    'userinfo email_verified is the string "true"/"false" (as Cognito)', JSON.stringify(info.email_verified));

  console.log('-- refresh');
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  check(refreshed.access_token && refreshed.id_token, 'refresh: new access and ID tokens');
  check(refreshed.claims().sub === claims.sub, 'refresh: same sub (ID token verified)');
  await verifyAccessToken(config, refreshed.access_token, args['client-id']);
  const info2 = await client.fetchUserInfo(config, refreshed.access_token, claims.sub);
  check(info2.sub === claims.sub, 'userinfo with the refreshed access token');

  console.log('-- revocation');
  await client.tokenRevocation(config, tokens.refresh_token);
  console.log('ok - revoke answered 200');
  check(await oauthError(client.refreshTokenGrant(config, tokens.refresh_token), 'refresh after revoke')
    === 'invalid_grant', 'the revoked refresh token is refused (invalid_grant)');

  console.log('-- logout');
  const logout = new URL(`${base}/logout`);
  logout.searchParams.set('client_id', args['client-id']);
  logout.searchParams.set('logout_uri', redirectUri);
  const out = await fetch(logout, { redirect: 'manual', headers: { cookie: jar.header() } });
  check(out.status === 302 && out.headers.get('location') === redirectUri, 'logout redirects to logout_uri',
    `${out.status} ${out.headers.get('location')}`);
  const cleared = jar.take(out);
  check(cleared.some((c) => c.name === 'latchkey-session' && c.gone), 'logout clears latchkey-session');
  await authorize(config, jar, { password: `${args.password}-wrong` }); // asks for the login again
}

async function clientCredentials() {
  console.log('-- client_credentials');
  const scope = args['m2m-scope'];
  for (const [how, m2mAuth] of [
    ['client_secret_basic', client.ClientSecretBasic(args['m2m-client-secret'])],
    ['client_secret_post', client.ClientSecretPost(args['m2m-client-secret'])],
  ]) {
    const m2m = await client.discovery(new URL(issuer), args['m2m-client-id'], undefined, m2mAuth, { execute });
    const t = await client.clientCredentialsGrant(m2m, { scope });
    check(t.access_token && !t.id_token && !t.refresh_token, `${how}: an access token only`);
    const p = await verifyAccessToken(m2m, t.access_token, args['m2m-client-id']);
    check(p.scope === scope, `${how}: scope ${scope}`, p.scope);
    check(p.sub === args['m2m-client-id'], `${how}: sub is the client id`, p.sub);
  }
  const bad = await client.discovery(new URL(issuer), args['m2m-client-id'], undefined,
    client.ClientSecretBasic('not-the-secret'), { execute });
  check(await oauthError(client.clientCredentialsGrant(bad, { scope }), 'wrong secret') === 'invalid_client',
    'a wrong client secret is refused (invalid_client)');
  const m2m = await client.discovery(new URL(issuer), args['m2m-client-id'], undefined,
    client.ClientSecretBasic(args['m2m-client-secret']), { execute });
  check(await oauthError(client.clientCredentialsGrant(m2m, { scope: 'no-such/scope' }), 'unknown scope')
    === 'invalid_scope', 'an unknown scope is refused (invalid_scope)');
}

main().catch((e) => {
  const msg = e instanceof CheckFailed ? e.message : (e?.stack ?? String(e));
  const cause = e?.cause ? `\n  cause: ${e.cause?.message ?? e.cause}` : '';
  const body = e instanceof client.ResponseBodyError ? `\n  reply: ${JSON.stringify(e.cause)}` : '';
  console.error(`FAIL: ${msg}${body}${cause}`);
  process.exit(1);
});
