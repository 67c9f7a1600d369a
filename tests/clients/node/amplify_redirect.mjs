#!/usr/bin/env node
// Amplify v6's hosted-UI sign-in (signInWithRedirect) in a real browser against a running
// Latchkey server with its HTTPS listener on: bundles amplify_page.js with esbuild, serves it at
// http://localhost:PAGE_PORT/, and drives Debian's chromium (headless, through playwright-core):
// signInWithRedirect() -> https://DOMAIN/oauth2/authorize -> the login page (fill username and
// password, submit) -> back on the page, where Amplify exchanges the code at
// https://DOMAIN/oauth2/token -> fetchAuthSession() has the tokens (issuer: the HTTP base) and
// getCurrentUser() the username -> signOut() goes through https://DOMAIN/logout and returns.
//
// Amplify builds every hosted-UI URL as `https://${oauth.domain}/...` (so the domain is
// host:port, no scheme: the HTTPS listener) and sends the JSON API calls to userPoolEndpoint.
//
// With --provider NAME it signs in through that external identity provider instead
// (signInWithRedirect({provider: {custom: NAME}})): the browser goes from Latchkey's authorize
// endpoint to the provider (oidc_idp.mjs signs its account in by itself) and back through
// https://DOMAIN/oauth2/idpresponse; --username is then the federated user's expected name.
//
// Run with --help for the arguments; --bundle-only just builds the page. Exits non-zero with a
// message naming the failed check.

import { parseArgs } from 'node:util';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const USAGE = `usage: node amplify_redirect.mjs --base URL --oauth-domain HOST:PORT --pool-id P
         --client-id C --page-port N --username U --password PW [--chromium PATH] [--bundle-only]

  --base           HTTP base URL: Amplify's userPoolEndpoint and the tokens' issuer base
                   (e.g. http://127.0.0.1:9229)                       [LATCHKEY_BASE]
  --oauth-domain   the HTTPS listener as Amplify's oauth.domain, e.g. 127.0.0.1:9443
                                                                      [LATCHKEY_OAUTH_DOMAIN]
  --pool-id, --client-id   the pool and a public client (no secret) with the code flow,
                   scopes openid/email/profile, CallbackURLs and LogoutURLs
                   http://localhost:PAGE_PORT/            [LATCHKEY_POOL_ID, LATCHKEY_CLIENT_ID]
  --page-port      port of the page server (127.0.0.1)                [LATCHKEY_PAGE_PORT]
  --username, --password   a confirmed user        [LATCHKEY_USERNAME, LATCHKEY_PASSWORD]
  --provider       sign in through this external identity provider of the client (no
                   --password then)                                   [LATCHKEY_PROVIDER]
  --chromium       the browser (default /usr/bin/chromium, see scripts/browser.sh)
  --bundle-only    bundle the page with esbuild, print its size, and exit
`;

const { values: args } = parseArgs({
  options: {
    help: { type: 'boolean', short: 'h' },
    'bundle-only': { type: 'boolean' },
    base: { type: 'string', default: process.env.LATCHKEY_BASE },
    'oauth-domain': { type: 'string', default: process.env.LATCHKEY_OAUTH_DOMAIN },
    'pool-id': { type: 'string', default: process.env.LATCHKEY_POOL_ID },
    'client-id': { type: 'string', default: process.env.LATCHKEY_CLIENT_ID },
    'page-port': { type: 'string', default: process.env.LATCHKEY_PAGE_PORT },
    username: { type: 'string', default: process.env.LATCHKEY_USERNAME },
    password: { type: 'string', default: process.env.LATCHKEY_PASSWORD },
    provider: { type: 'string', default: process.env.LATCHKEY_PROVIDER },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
if (args.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  // The HTTPS listener's certificate is self-signed.
  '--ignore-certificate-errors',
];
const STEP_MS = 30_000;

class CheckFailed extends Error {}

function check(cond, what, detail) {
  if (!cond) throw new CheckFailed(`${what}${detail === undefined ? '' : `: ${detail}`}`);
  console.log(`ok - ${what}`);
}

async function bundle() {
  const out = await esbuild.build({
    entryPoints: [path.join(HERE, 'amplify_page.js')],
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

/** Serves the page (config inlined) and its bundle on 127.0.0.1:port. */
function servePage(port, script, amplifyConfig) {
  const page = `<!doctype html><html><head><meta charset="utf-8"><title>latchkey amplify</title>
<script>window.LATCHKEY_AMPLIFY = ${JSON.stringify(amplifyConfig)};</script>
<script type="module" src="/app.js"></script></head><body>latchkey amplify test page</body></html>`;
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

/** Waits until the page has seen `event` on the Hub; fails on its `_failure` twin. */
async function hubEvent(page, event) {
  const handle = await page.waitForFunction((ev) => {
    const seen = window.latchkeyEvents ?? [];
    return seen.find((e) => e.event === ev || e.event === `${ev}_failure`);
  }, event, { timeout: STEP_MS });
  const seen = await handle.jsonValue();
  check(seen.event === event, `Amplify Hub: ${event}`, seen.error);
}

/** Waits for the browser to reach a URL `matches` accepts; fails naming where it is instead. */
async function reach(page, seen, what, matches) {
  try {
    await page.waitForURL(matches, { timeout: STEP_MS });
  } catch (e) {
    throw new CheckFailed(`${what}: the browser is at ${page.url()}; server replies so far: `
      + `${JSON.stringify(seen)} (${e.message.split('\n')[0]})`);
  }
}

/** signInWithRedirect() and the login form, back to the page. */
async function throughLoginForm(page, seen, domain, pageUrl) {
  console.log('-- signInWithRedirect()');
  // The call navigates away; its promise may die with the page.
  page.evaluate(() => window.latchkey.signInWithRedirect()).catch(() => {});
  await reach(page, seen, 'signInWithRedirect() should land on the login page',
    (u) => u.host === domain && u.pathname === '/login');
  const authorize = seen.find((r) => r.path === '/oauth2/authorize');
  check(authorize?.status === 302, 'https /oauth2/authorize redirected to the login page', JSON.stringify(seen));
  const login = new URL(page.url());
  check(login.searchParams.get('code_challenge_method') === 'S256', 'Amplify sent PKCE S256');
  check(login.searchParams.get('redirect_uri') === pageUrl, 'redirect_uri is the page');

  console.log('-- the login page');
  await page.fill('input[name="username"]', args.username);
  await page.fill('input[name="password"]', args.password);
  await Promise.all([
    reach(page, seen, 'the login form should send the browser back to the page',
      (u) => u.href.startsWith(pageUrl)),
    page.press('input[name="password"]', 'Enter'),
  ]);
  check(true, 'the login form sent the browser back to the page');
}

/** signInWithRedirect({provider: {custom}}), the provider, and back to the page. */
async function throughProvider(page, seen, domain, pageUrl) {
  console.log(`-- signInWithRedirect({provider: {custom: '${args.provider}'}})`);
  page.evaluate((name) => window.latchkey.signInWithRedirect({ provider: { custom: name } }), args.provider)
    .catch(() => {});
  await reach(page, seen, 'the provider should send the browser back to the page',
    (u) => u.href.startsWith(pageUrl) && u.searchParams.has('code'));
  const authorize = seen.find((r) => r.path === '/oauth2/authorize');
  check(authorize?.status === 302, 'https /oauth2/authorize sent the browser to the provider', JSON.stringify(seen));
  check(seen.some((r) => r.path === '/oauth2/idpresponse' && r.status === 302),
    'the provider sent it back through https /oauth2/idpresponse', JSON.stringify(seen));
  check(!seen.some((r) => r.path === '/login'), 'no Latchkey login page was shown');
}

async function main() {
  console.log('-- bundling amplify_page.js with esbuild');
  const script = await bundle();
  check(script.length > 10_000, `the page bundles (${Math.round(script.length / 1024)} KiB)`);
  if (args['bundle-only']) return;
  const needed = ['base', 'oauth-domain', 'pool-id', 'client-id', 'page-port', 'username'];
  if (!args.provider) needed.push('password');
  for (const name of needed) {
    if (!args[name]) throw new CheckFailed(`missing --${name} (see --help)`);
  }
  const base = args.base.replace(/\/+$/, '');
  const domain = args['oauth-domain'];
  const pageUrl = `http://localhost:${args['page-port']}/`;
  const issuer = `${base}/${args['pool-id']}`;
  const config = {
    Auth: {
      Cognito: {
        userPoolId: args['pool-id'],
        userPoolClientId: args['client-id'],
        userPoolEndpoint: base,
        loginWith: {
          oauth: {
            domain,
            scopes: ['openid', 'email', 'profile'],
            redirectSignIn: [pageUrl],
            redirectSignOut: [pageUrl],
            responseType: 'code',
          },
        },
      },
    },
  };
  const server = await servePage(Number(args['page-port']), script, config);
  console.log(`-- page at ${pageUrl}; launching ${args.chromium}`);
  const browser = await chromium.launch({
    executablePath: args.chromium,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    check(browser.version(), `chromium ${browser.version()} launched`);
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    const seen = [];
    page.on('console', (m) => m.type() === 'error' && console.log(`   [page] ${m.text()}`));
    page.on('pageerror', (e) => console.log(`   [page error] ${e.message}`));
    page.on('response', (r) => {
      const u = new URL(r.url());
      if (u.host === domain) seen.push({ path: u.pathname, status: r.status() });
    });

    await page.goto(pageUrl);
    await page.waitForFunction(() => window.latchkey, null, { timeout: STEP_MS });
    const before = await page.evaluate(() => window.latchkey.currentUser());
    check(before.error, 'nobody is signed in at first', JSON.stringify(before));

    if (args.provider) {
      await throughProvider(page, seen, domain, pageUrl);
    } else {
      await throughLoginForm(page, seen, domain, pageUrl);
    }
    await page.waitForFunction(() => window.latchkey, null, { timeout: STEP_MS });
    await hubEvent(page, 'signInWithRedirect');
    check(seen.some((r) => r.path === '/oauth2/token' && r.status === 200),
      'Amplify exchanged the code at https /oauth2/token', JSON.stringify(seen));

    const session = await page.evaluate(() => window.latchkey.session());
    check(session?.accessToken && session?.idToken, 'fetchAuthSession() has access and ID tokens');
    check(session.id.iss === issuer && session.access.iss === issuer,
      'the tokens name the HTTP base as issuer', session.id.iss);
    check(session.id.aud === args['client-id'], 'ID token aud is the client', session.id.aud);
    check(session.access.username === args.username, 'access token username', session.access.username);
    const user = await page.evaluate(() => window.latchkey.currentUser());
    check(user.username === args.username, 'getCurrentUser() names the user', JSON.stringify(user));
    check(user.userId === session.id.sub, 'getCurrentUser() userId is the sub');

    console.log('-- signOut()');
    page.evaluate(() => window.latchkey.signOut()).catch(() => {});
    await page.waitForURL((u) => u.host === domain && u.pathname === '/logout', { timeout: STEP_MS })
      .catch(() => {}); // the 302 may already be followed
    await page.waitForFunction(
      (p) => location.href.startsWith(p) && window.latchkey,
      pageUrl,
      { timeout: STEP_MS },
    );
    check(seen.some((r) => r.path === '/logout' && r.status === 302),
      'signOut() went through https /logout (302 back)', JSON.stringify(seen));
    const after = await page.evaluate(() => window.latchkey.currentUser());
    check(after.error, 'nobody is signed in after signOut()', JSON.stringify(after));
    const cookies = await context.cookies(`https://${domain}/`);
    check(!cookies.some((c) => c.name === 'latchkey-session'), 'the session cookie is gone');
  } finally {
    await browser.close();
    server.close();
  }
  console.log('PASS: amplify signInWithRedirect');
}

main().catch((e) => {
  console.error(`FAIL: ${e instanceof CheckFailed ? e.message : (e?.stack ?? String(e))}`);
  process.exit(1);
});
