#!/usr/bin/env node
// Facebook or Login with Amazon on loopback, for Latchkey's federation tests: the OAuth 2.0
// endpoints and profile API of one provider, answering as the real ones do, with a scripted
// login (the authorize request redirects straight back with a code for the configured user).
// Latchkey reaches it through LATCHKEY_PROVIDER_ENDPOINTS, which moves the provider's real
// hosts here (Facebook: www.facebook.com and graph.facebook.com; Amazon: www.amazon.com and
// api.amazon.com); the paths are the real ones.
//
//   Facebook   GET  [/vN.N]/dialog/oauth          → 302 redirect_uri?code=..&state=..#_=_
//              GET  [/vN.N]/oauth/access_token    → {"access_token","token_type":"bearer","expires_in"}
//              GET  [/vN.N]/me?fields=..          → the requested fields of {"id","name","email"}
//   Amazon     GET  /ap/oa                         → 302 redirect_uri?code=..&scope=..&state=..
//              POST /auth/o2/token                 → {"access_token","token_type":"bearer","expires_in","refresh_token"}
//              GET  /user/profile                  → {"user_id":"amzn1.account.…","name","email"}
//
// The token endpoint checks client_id, client_secret and redirect_uri, and takes each code
// once; the profile endpoints take the access token as `Authorization: Bearer` (or, as the
// Graph API allows, `access_token=`). With --refuse-profile the profile endpoint refuses
// every token as the real API does for a revoked one; with --deny the user declines at the
// authorize step, and the browser goes back with the provider's own `error=access_denied`;
// with --no-email (or no --email) the user has not shared an email: the profile has none.
//
// Prints one line `{"port": N}` when it listens, then serves until killed. GET /_stats
// answers what it saw (codes issued and redeemed, refused token requests, profile requests).

import { parseArgs } from 'node:util';
import http from 'node:http';
import crypto from 'node:crypto';

const { values: args } = parseArgs({
  options: {
    provider: { type: 'string' },
    port: { type: 'string', default: '0' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'redirect-uri': { type: 'string' },
    'user-id': { type: 'string' },
    name: { type: 'string', default: 'Social User' },
    email: { type: 'string' },
    'refuse-profile': { type: 'boolean', default: false },
    deny: { type: 'boolean', default: false },
    // The user did not grant the email permission: the profile has no email.
    'no-email': { type: 'boolean', default: false },
  },
});
const facebook = args.provider === 'facebook';
const amazon = args.provider === 'amazon';
const required = ['client-id', 'client-secret', 'redirect-uri', 'user-id'];
if ((!facebook && !amazon) || required.some((k) => !args[k])) {
  process.stderr.write('usage: node social_idp.mjs --provider facebook|amazon --client-id ID '
    + '--client-secret S --redirect-uri URL --user-id ID [--email E] [--name N] [--port N] '
    + '[--refuse-profile] [--deny] [--no-email]\n');
  process.exit(2);
}

const stats = {
  codes_issued: 0, codes_redeemed: 0, token_refusals: 0, profile_requests: 0, profile_fields: [],
};
/** code → { redirectUri, scope, expires }: single use, one minute. */
const codes = new Map();
/** access token → expiry (ms). */
const tokens = new Map();

const random = (prefix) => `${prefix}${crypto.randomBytes(24).toString('base64url')}`;

function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body));
}

/** A Graph API error, as Facebook shapes them. */
function graphError(res, status, code, message) {
  json(res, status, {
    error: { message, type: 'OAuthException', code, fbtrace_id: crypto.randomBytes(8).toString('hex') },
  });
}

/** An Amazon error (RFC 6749 shape). */
function amazonError(res, status, error, description) {
  json(res, status, { error, error_description: description });
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The authorize request: the user "signs in" at once and the browser goes back with a code. */
function authorize(res, q) {
  if (q.get('client_id') !== args['client-id']) {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end('Invalid App ID / client_id');
    return;
  }
  if (q.get('redirect_uri') !== args['redirect-uri']) {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end('redirect_uri is not whitelisted for this client');
    return;
  }
  const back = new URL(q.get('redirect_uri'));
  if (args.deny) {
    // The user declined, as each provider says it.
    back.searchParams.set('error', 'access_denied');
    if (facebook) {
      back.searchParams.set('error_code', '200');
      back.searchParams.set('error_description', 'Permissions error');
      back.searchParams.set('error_reason', 'user_denied');
    } else {
      back.searchParams.set('error_description', 'The user denied your request.');
    }
  } else if (amazon && q.get('response_type') !== 'code') {
    back.searchParams.set('error', 'unsupported_response_type');
  } else {
    const code = random(amazon ? 'AN' : 'AQ');
    codes.set(code, { redirectUri: q.get('redirect_uri'), scope: q.get('scope') ?? '', expires: Date.now() + 60_000 });
    stats.codes_issued += 1;
    back.searchParams.set('code', code);
    if (amazon) back.searchParams.set('scope', q.get('scope') ?? '');
  }
  if (q.has('state')) back.searchParams.set('state', q.get('state'));
  // Facebook appends an empty fragment to its redirects.
  res.writeHead(302, { location: facebook ? `${back}#_=_` : String(back) });
  res.end();
}

/** Checks a token request's parameters; returns the refusal, or null and issues a token. */
function redeem(p) {
  const secretOk = p.get('client_id') === args['client-id']
    && p.get('client_secret') === args['client-secret'];
  if (!secretOk) return { status: 401, error: 'invalid_client', message: 'Error validating client secret.' };
  const entry = codes.get(p.get('code') ?? '');
  codes.delete(p.get('code') ?? '');
  if (!entry || entry.expires < Date.now()) {
    return { status: 400, error: 'invalid_grant', message: 'This authorization code has been used.' };
  }
  if (p.get('redirect_uri') !== entry.redirectUri) {
    return { status: 400, error: 'invalid_grant', message: 'redirect_uri does not match the authorization request.' };
  }
  if (amazon && p.get('grant_type') !== 'authorization_code') {
    return { status: 400, error: 'unsupported_grant_type', message: 'grant_type must be authorization_code.' };
  }
  stats.codes_redeemed += 1;
  return null;
}

function newAccessToken(ttl) {
  const token = random(amazon ? 'Atza|' : 'EAAG');
  tokens.set(token, Date.now() + ttl * 1000);
  return token;
}

/** The access token a profile request carries (Bearer header, or `access_token=`). */
function bearer(req, q) {
  const auth = req.headers.authorization ?? '';
  const m = /^(?:Bearer|OAuth) (.+)$/i.exec(auth);
  return m ? m[1] : q.get('access_token');
}

function tokenValid(token) {
  return Boolean(token) && (tokens.get(token) ?? 0) > Date.now() && !args['refuse-profile'];
}

const profile = { id: args['user-id'], name: args.name };
if (args.email && !args['no-email']) profile.email = args.email;

async function facebookRoute(req, res, path, q) {
  const bare = path.replace(/^\/v\d+\.\d+(?=\/)/, '');
  if (req.method === 'GET' && bare === '/dialog/oauth') return authorize(res, q);
  if (bare === '/oauth/access_token' && (req.method === 'GET' || req.method === 'POST')) {
    const p = req.method === 'POST' ? new URLSearchParams(await readBody(req)) : q;
    const refused = redeem(p);
    if (refused) {
      stats.token_refusals += 1;
      return graphError(res, 400, refused.status === 401 ? 1 : 100, refused.message);
    }
    const ttl = 5183944;
    return json(res, 200, { access_token: newAccessToken(ttl), token_type: 'bearer', expires_in: ttl });
  }
  if (req.method === 'GET' && bare === '/me') {
    stats.profile_requests += 1;
    if (!tokenValid(bearer(req, q))) {
      return graphError(res, 400, 190, 'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.');
    }
    // The Graph API answers the fields asked for (the id always).
    const fields = (q.get('fields') ?? '').split(',').map((f) => f.trim()).filter(Boolean);
    stats.profile_fields = fields;
    const out = { id: profile.id };
    for (const f of fields) if (f in profile) out[f] = profile[f];
    return json(res, 200, out);
  }
  return graphError(res, 404, 803, `Unknown path components: ${path}`);
}

async function amazonRoute(req, res, path, q) {
  if (req.method === 'GET' && path === '/ap/oa') return authorize(res, q);
  if (path === '/auth/o2/token') {
    if (req.method !== 'POST' || !(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      stats.token_refusals += 1;
      return amazonError(res, 400, 'invalid_request', 'The request must be a form POST.');
    }
    const refused = redeem(new URLSearchParams(await readBody(req)));
    if (refused) {
      stats.token_refusals += 1;
      return amazonError(res, refused.status, refused.error, refused.message);
    }
    return json(res, 200, {
      access_token: newAccessToken(3600), token_type: 'bearer', expires_in: 3600, refresh_token: random('Atzr|'),
    });
  }
  if (req.method === 'GET' && path === '/user/profile') {
    stats.profile_requests += 1;
    if (!tokenValid(bearer(req, q))) {
      return amazonError(res, 401, 'invalid_token', 'The request has an invalid parameter : access_token');
    }
    return json(res, 200, { user_id: profile.id, name: profile.name, ...(profile.email ? { email: profile.email } : {}) });
  }
  return amazonError(res, 404, 'not_found', `no ${req.method} ${path}`);
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  try {
    if (req.method === 'GET' && url.pathname === '/_stats') return json(res, 200, stats);
    if (facebook) return await facebookRoute(req, res, url.pathname, url.searchParams);
    return await amazonRoute(req, res, url.pathname, url.searchParams);
  } catch (e) {
    return json(res, 500, { error: String(e) });
  }
});
await new Promise((resolve) => server.listen(Number(args.port), '127.0.0.1', resolve));
console.log(JSON.stringify({ port: server.address().port }));
const stop = () => process.exit(0);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
