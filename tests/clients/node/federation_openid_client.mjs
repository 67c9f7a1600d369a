#!/usr/bin/env node
// Federated sign-in through a real OpenID Connect provider (oidc_idp.mjs, panva's
// oidc-provider) with the real openid-client (v6) as the app: the app sends the browser to
// Latchkey's /oauth2/authorize with identity_provider=NAME (PKCE S256, nonce, state), Latchkey
// sends it to the provider, the provider signs the account in and sends it back to
// /oauth2/idpresponse, Latchkey checks the provider's answer and hands the app a code, and
// openid-client redeems it, verifying Latchkey's ID token (signature, iss, aud, nonce).
// Checks the federated user Cognito makes (username, identities, group, mapped email), a second
// sign-in as the same user, and that a replayed or another browser's provider answer signs no
// one in. With --bench N, runs N sign-ins (--concurrency C at a time) and prints timings as
// JSON instead.

import { parseArgs } from 'node:util';
import * as client from 'openid-client';
import { Jar } from './jar.mjs';

const { values: args } = parseArgs({
  options: {
    base: { type: 'string' },
    'pool-id': { type: 'string' },
    'client-id': { type: 'string' },
    'redirect-uri': { type: 'string' },
    provider: { type: 'string' },
    account: { type: 'string' },
    bench: { type: 'string' },
    concurrency: { type: 'string', default: '4' },
  },
});
for (const name of ['base', 'pool-id', 'client-id', 'redirect-uri', 'provider']) {
  if (!args[name]) {
    process.stderr.write(`missing --${name}\n`);
    process.exit(2);
  }
}
const base = args.base.replace(/\/+$/, '');
const redirectUri = args['redirect-uri'];

class CheckFailed extends Error {}
let quiet = false;
function check(cond, what, detail) {
  if (!cond) throw new CheckFailed(`${what}${detail === undefined ? '' : `: ${detail}`}`);
  if (!quiet) console.log(`ok - ${what}`);
}

const config = await client.discovery(
  new URL(`${base}/${args['pool-id']}`),
  args['client-id'],
  undefined,
  client.None(),
  { execute: [client.allowInsecureRequests] },
);

/** Follows redirects with `jar` until the app's redirect URI; returns it, the hops and the
 * time spent waiting on Latchkey's own endpoints. */
async function follow(start, jar) {
  let url = start;
  const hops = [];
  let latchkeyMs = 0;
  for (let i = 0; i < 20; i += 1) {
    if (url.href.startsWith(redirectUri)) return { callback: url, hops, latchkeyMs };
    const t0 = performance.now();
    const resp = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
    if (url.href.startsWith(base)) latchkeyMs += performance.now() - t0;
    jar.take(resp);
    hops.push({ url, status: resp.status });
    const location = resp.headers.get('location');
    if (!location) {
      const body = await resp.text();
      return { stopped: { url, status: resp.status, body }, hops, latchkeyMs };
    }
    await resp.arrayBuffer().catch(() => {});
    url = new URL(location, url);
  }
  throw new CheckFailed('too many redirects');
}

/** One federated sign-in in a fresh browser; returns the tokens and what it saw. */
async function signIn({ jar = new Jar(), stopAtLatchkeyReturn = false } = {}) {
  const codeVerifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid email profile',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    nonce,
    state,
    identity_provider: args.provider,
  });
  if (stopAtLatchkeyReturn) {
    // Up to the provider's redirect back to Latchkey, not following it.
    let next = url;
    for (let i = 0; i < 20; i += 1) {
      if (next.href.startsWith(`${base}/oauth2/idpresponse`)) return { idpResponse: next, jar };
      const resp = await fetch(next, { redirect: 'manual', headers: { cookie: jar.header() } });
      jar.take(resp);
      await resp.arrayBuffer().catch(() => {});
      next = new URL(resp.headers.get('location'), next);
    }
    throw new CheckFailed('never came back to /oauth2/idpresponse');
  }
  const walk = await follow(url, jar);
  if (!walk.callback) {
    throw new CheckFailed(`sign-in stopped at ${walk.stopped.url.pathname} (${walk.stopped.status}): ${walk.stopped.body.slice(0, 300)}`);
  }
  const t0 = performance.now();
  const tokens = await client.authorizationCodeGrant(config, walk.callback, {
    pkceCodeVerifier: codeVerifier,
    expectedNonce: nonce,
    expectedState: state,
    idTokenExpected: true,
  });
  const tokenMs = performance.now() - t0;
  return { tokens, walk, latchkeyMs: walk.latchkeyMs + tokenMs };
}

async function main() {
  if (args.bench) {
    quiet = true;
    const n = Number(args.bench);
    const conc = Number(args.concurrency);
    let next = 0;
    const latchkey = [];
    const started = performance.now();
    const worker = async () => {
      while (next < n) {
        next += 1;
        const r = await signIn();
        latchkey.push(r.latchkeyMs);
      }
    };
    await Promise.all(Array.from({ length: conc }, worker));
    const wallMs = performance.now() - started;
    latchkey.sort((a, b) => a - b);
    const pct = (p) => latchkey[Math.min(latchkey.length - 1, Math.floor((p / 100) * latchkey.length))];
    console.log(JSON.stringify({
      sign_ins: n,
      concurrency: conc,
      wall_ms: wallMs,
      per_second: (n * 1000) / wallMs,
      latchkey_endpoints_ms_p50: pct(50),
      latchkey_endpoints_ms_p95: pct(95),
      latchkey_endpoints_ms_total: latchkey.reduce((a, b) => a + b, 0),
    }));
    return;
  }

  console.log(`-- sign in through ${args.provider}`);
  const first = await signIn();
  const hosts = first.walk.hops.map((h) => `${h.url.host}${h.url.pathname}`);
  check(hosts.some((h) => h.endsWith('/oauth2/idpresponse')), 'the provider sent the browser back to /oauth2/idpresponse', hosts.join(' -> '));
  check(hosts.some((h) => !h.startsWith(new URL(base).host)), 'the browser went to the provider', hosts.join(' -> '));
  const claims = first.tokens.claims();
  const expectedUser = `${args.provider.toLowerCase()}_${args.account}`;
  check(claims['cognito:username'] === expectedUser, 'the ID token names the federated user <provider>_<sub>', claims['cognito:username']);
  check(claims.email === `${args.account}@idp.example`, 'email is mapped from the provider', claims.email);
  check(claims.email_verified === true, 'email_verified is mapped (true)', claims.email_verified);
  check(Array.isArray(claims.identities) && claims.identities.length === 1, 'the ID token carries identities');
  const id = claims.identities[0];
  check(id.userId === args.account && id.providerName === args.provider && id.providerType === 'OIDC'
    && id.primary === 'true' && id.issuer === null && /^\d{13}$/.test(id.dateCreated),
  'identities is Cognito\'s shape', JSON.stringify(id));
  const group = `${args['pool-id']}_${args.provider}`;
  check((claims['cognito:groups'] ?? []).includes(group), `cognito:groups holds ${group}`, JSON.stringify(claims['cognito:groups']));
  const info = await client.fetchUserInfo(config, first.tokens.access_token, claims.sub);
  check(info.username === expectedUser, 'userInfo answers for the federated user', info.username);

  console.log('-- the same identity signs in again: the same user');
  const second = await signIn();
  check(second.tokens.claims().sub === claims.sub, 'the second sign-in is the same user (same sub)');

  console.log('-- a provider answer replayed: refused');
  const { idpResponse, jar } = await signIn({ stopAtLatchkeyReturn: true });
  const once = await fetch(idpResponse, { redirect: 'manual', headers: { cookie: jar.header() } });
  check(once.status === 302 && new URL(once.headers.get('location')).href.startsWith(redirectUri)
    && new URL(once.headers.get('location')).searchParams.get('code'), 'the first delivery gives the app a code', once.status);
  const again = await fetch(idpResponse, { redirect: 'manual', headers: { cookie: jar.header() } });
  check(again.status === 400 && !again.headers.get('location'), 'the replayed state gets an error page, no redirect', again.status);

  console.log('-- a provider answer delivered to another browser: refused');
  const other = await signIn({ stopAtLatchkeyReturn: true });
  const stranger = await fetch(other.idpResponse, { redirect: 'manual' });
  check(stranger.status === 400 && !stranger.headers.get('location'), 'without the binding cookie: an error page, no code', stranger.status);
  console.log('all federation checks passed');
}

main().catch((e) => {
  console.error(`FAILED: ${e instanceof CheckFailed ? e.message : e.stack}`);
  process.exit(1);
});
