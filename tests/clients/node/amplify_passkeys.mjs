#!/usr/bin/env node
// Amplify v6's own passkey code in a real browser against a running Latchkey server: bundles
// amplify_passkeys_page.js with esbuild, serves it at http://localhost:PAGE_PORT/ (a secure
// context, so WebAuthn is on), and drives Debian's chromium (headless, through playwright-core)
// with a CDP virtual authenticator (WebAuthn.addVirtualAuthenticator: CTAP2, internal,
// resident keys, user verification). Checks: a password sign-in, associateWebAuthnCredential()
// (StartWebAuthnRegistration -> navigator.credentials.create -> CompleteWebAuthnRegistration),
// listWebAuthnCredentials(), sign-out, signIn with preferredChallenge WEB_AUTHN
// (InitiateAuth USER_AUTH -> navigator.credentials.get -> RespondToAuthChallenge), then
// deleteWebAuthnCredential().
//
// The pool, client and user are made here with plain JSON calls to the server. Exits non-zero
// with a message naming the failed check.
//
//   node amplify_passkeys.mjs --base http://127.0.0.1:9229 --page-port 5173 [--chromium PATH]

import { parseArgs } from 'node:util';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    base: { type: 'string' },
    'page-port': { type: 'string' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const STEP_MS = 30_000;
const USERNAME = 'passkey-user';
const PASSWORD = 'Correct-Horse-9!';

class CheckFailed extends Error {}

function check(cond, what, detail) {
  if (!cond) throw new CheckFailed(`${what}${detail === undefined ? '' : `: ${detail}`}`);
  console.log(`ok - ${what}`);
}

async function call(base, op, body) {
  const res = await fetch(`${base}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityProviderService.${op}`,
    },
    body: JSON.stringify(body),
  });
  const out = await res.json().catch(() => ({}));
  if (!res.ok) throw new CheckFailed(`setup ${op} -> ${res.status} ${JSON.stringify(out)}`);
  return out;
}

/** A pool with passkeys on for RP id localhost, a public client, a confirmed user. */
async function setUp(base) {
  const pool = await call(base, 'CreateUserPool', { PoolName: 'amplify-passkeys' });
  const poolId = pool.UserPool.Id;
  await call(base, 'UpdateUserPool', {
    UserPoolId: poolId,
    Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] } },
  });
  await call(base, 'SetUserPoolMfaConfig', {
    UserPoolId: poolId,
    WebAuthnConfiguration: { RelyingPartyId: 'localhost', UserVerification: 'required' },
  });
  const client = await call(base, 'CreateUserPoolClient', {
    UserPoolId: poolId,
    ClientName: 'amplify-passkeys',
    ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  });
  await call(base, 'AdminCreateUser', { UserPoolId: poolId, Username: USERNAME, MessageAction: 'SUPPRESS' });
  await call(base, 'AdminSetUserPassword', {
    UserPoolId: poolId, Username: USERNAME, Password: PASSWORD, Permanent: true,
  });
  return { poolId, clientId: client.UserPoolClient.ClientId };
}

async function bundle() {
  const out = await esbuild.build({
    entryPoints: [path.join(HERE, 'amplify_passkeys_page.js')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    write: false,
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
  });
  return out.outputFiles[0].text;
}

function servePage(port, script, amplifyConfig) {
  const page = `<!doctype html><html><head><meta charset="utf-8"><title>latchkey passkeys</title>
<script>window.LATCHKEY_AMPLIFY = ${JSON.stringify(amplifyConfig)};</script>
<script type="module" src="/app.js"></script></head><body>latchkey passkeys test page</body></html>`;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (url.pathname === '/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    } else if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

async function main() {
  for (const name of ['base', 'page-port']) {
    if (!args[name]) throw new CheckFailed(`missing --${name}`);
  }
  const base = args.base.replace(/\/+$/, '');
  const { poolId, clientId } = await setUp(base);
  const script = await bundle();
  check(script.length > 10_000, `the page bundles (${Math.round(script.length / 1024)} KiB)`);
  const pageUrl = `http://localhost:${args['page-port']}/`;
  const config = { Auth: { Cognito: { userPoolId: poolId, userPoolClientId: clientId, userPoolEndpoint: base } } };
  const server = await servePage(Number(args['page-port']), script, config);
  const browser = await chromium.launch({ executablePath: args.chromium, headless: true, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('console', (m) => m.type() === 'error' && console.log(`   [page] ${m.text()}`));
    page.on('pageerror', (e) => console.log(`   [page error] ${e.message}`));
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    check(authenticatorId, 'a CDP virtual authenticator is attached');
    await page.goto(pageUrl);
    await page.waitForFunction(() => window.latchkey, null, { timeout: STEP_MS });
    const lk = (fn, ...a) => page.evaluate(([f, xs]) => window.latchkey[f](...xs), [fn, a]);

    const pw = await lk('signInWithPassword', USERNAME, PASSWORD);
    check(pw.isSignedIn === true, 'signIn with the password', JSON.stringify(pw));

    const assoc = await lk('associate');
    check(!assoc.error, 'associateWebAuthnCredential()', JSON.stringify(assoc));
    const { credentials: held } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    check(held.length === 1 && held[0].isResidentCredential, 'the authenticator holds one discoverable credential', JSON.stringify(held));

    const listed = await lk('list');
    check(listed.credentials?.length === 1, 'listWebAuthnCredentials() lists it', JSON.stringify(listed));
    const cred = listed.credentials[0];
    check(cred.relyingPartyId === 'localhost' && cred.credentialId, 'with its relying party and id', JSON.stringify(cred));

    const out = await lk('signOut');
    check(!out.error, 'signOut()', JSON.stringify(out));
    const nobody = await lk('currentUser');
    check(nobody.error, 'nobody is signed in', JSON.stringify(nobody));

    const pk = await lk('signInWithPasskey', USERNAME);
    check(pk.isSignedIn === true, "signIn with preferredChallenge 'WEB_AUTHN'", JSON.stringify(pk));
    const me = await lk('currentUser');
    check(me.username === USERNAME, 'getCurrentUser() after the passkey sign-in', JSON.stringify(me));
    const { credentials: after } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    check(after[0].signCount >= 1, 'the authenticator signed once', JSON.stringify(after));

    const del = await lk('remove', cred.credentialId);
    check(!del.error, 'deleteWebAuthnCredential()', JSON.stringify(del));
    const empty = await lk('list');
    check(empty.credentials?.length === 0, 'the list is empty again', JSON.stringify(empty));
  } finally {
    await browser.close();
    server.close();
  }
}

main().then(
  () => console.log('amplify passkeys: all checks passed'),
  (e) => {
    console.error(e instanceof CheckFailed ? `FAILED: ${e.message}` : e);
    process.exit(1);
  },
);
