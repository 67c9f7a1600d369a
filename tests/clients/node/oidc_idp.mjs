#!/usr/bin/env node
// A real OpenID Connect provider for Latchkey's federation tests and benchmark: panva's
// oidc-provider on loopback, with a freshly generated RSA signing key, one registered client
// (Latchkey, client_secret_post, redirect URI = Latchkey's /oauth2/idpresponse) and a scripted
// login: every interaction signs in the configured account (or, with --unique, a new account
// each time) and consent is granted, so a browser-less client can follow the redirects.
//
// Prints one line `{"issuer": ..., "port": ...}` when it listens, then serves until killed.
// On SIGTERM/SIGINT it prints `{"backchannel_ms": ..., "backchannel_requests": ...}`: the time
// it spent answering Latchkey's own requests (token, userinfo, jwks, discovery), which the
// benchmark subtracts to get the time Latchkey adds.
//
// Presets play a social provider at its own issuer and paths: `--preset google`, and
// `--preset apple` (Sign in with Apple: form post, the `user` field, the ES256 client secret
// checked against the team's public key; GET /_apple/stats tells what happened).

import { parseArgs } from 'node:util';
import http from 'node:http';
import crypto from 'node:crypto';
import Provider from 'oidc-provider';
import { importJWK, jwtVerify } from 'jose';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    issuer: { type: 'string' },
    'client-id': { type: 'string', default: 'latchkey' },
    'client-secret': { type: 'string', default: 'latchkey-idp-secret' },
    'redirect-uri': { type: 'string' },
    account: { type: 'string', default: 'alice' },
    unique: { type: 'boolean', default: false },
    preset: { type: 'string' },
    // --preset apple: the team's public key (a P-256 JWK, JSON) that must verify Latchkey's
    // client secret, and the key id and team id that secret must name.
    'apple-public-key': { type: 'string' },
    'apple-key-id': { type: 'string' },
    'apple-team-id': { type: 'string' },
    // Every login is cancelled by the user (Apple answers `error=user_cancelled_authorize`).
    cancel: { type: 'boolean', default: false },
  },
});
// --preset google: play Google at its own issuer and paths (Latchkey reaches it through
// LATCHKEY_PROVIDER_ENDPOINTS, which moves https://accounts.google.com and
// https://www.googleapis.com here).
const PRESETS = {
  google: {
    issuer: 'https://accounts.google.com',
    routes: { authorization: '/o/oauth2/v2/auth', token: '/oauth2/v4/token', jwks: '/oauth2/v3/certs', userinfo: '/v1/userinfo' },
  },
  // --preset apple: Sign in with Apple at https://appleid.apple.com. Apple has no user-info
  // endpoint (its path here answers 404), always issues an ID token (even without `openid`
  // in the scope) carrying only sub, email, email_verified and is_private_email, answers by
  // form post, and on the user's first authorization posts a `user` field (JSON: name and
  // email). Its client secret is an ES256 JWT the client signs with the team's key
  // (iss = team id, sub = client id, aud = https://appleid.apple.com, kid = key id): the
  // token endpoint verifies it with the public key the test gave.
  apple: {
    issuer: 'https://appleid.apple.com',
    routes: { authorization: '/auth/authorize', token: '/auth/token', jwks: '/auth/keys', userinfo: '/auth/no-userinfo' },
  },
};
const preset = args.preset ? PRESETS[args.preset] : undefined;
if (args.preset && !preset) {
  process.stderr.write(`unknown --preset ${args.preset}\n`);
  process.exit(2);
}
if (!args['redirect-uri']) {
  process.stderr.write('usage: node oidc_idp.mjs --redirect-uri URL [--port N] [--issuer URL] '
    + '[--client-id ID] [--client-secret S] [--account NAME] [--unique] [--preset google|apple] [--cancel]\n');
  process.exit(2);
}
const apple = args.preset === 'apple';
if (apple && !(args['apple-public-key'] && args['apple-key-id'] && args['apple-team-id'])) {
  process.stderr.write('--preset apple needs --apple-public-key, --apple-key-id and --apple-team-id\n');
  process.exit(2);
}
const applePublicKey = apple ? await importJWK(JSON.parse(args['apple-public-key']), 'ES256') : undefined;
// What Apple's flow did, for the test to read at GET /_apple/stats.
const appleStats = { client_secrets_verified: 0, client_secrets_refused: 0, user_fields_posted: 0 };
// Accounts that have authorized once: Apple posts the `user` field only the first time.
const appleAuthorized = new Set();

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: crypto.randomUUID(), use: 'sig', alg: 'RS256' };

let counter = 0;
const accountFor = () => (args.unique ? `${args.account}-${process.pid}-${++counter}` : args.account);

const server = http.createServer();
await new Promise((resolve) => server.listen(Number(args.port), '127.0.0.1', resolve));
const port = server.address().port;
const issuer = args.issuer ?? preset?.issuer ?? `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: args['client-id'],
    client_secret: args['client-secret'],
    redirect_uris: [args['redirect-uri']],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  jwks: { keys: [jwk] },
  // Google's ID tokens carry the profile and email claims themselves.
  ...(preset ? { routes: preset.routes, conformIdTokenClaims: false } : {}),
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  claims: apple
    ? { openid: ['sub'], email: ['email', 'email_verified', 'is_private_email'] }
    : { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'given_name', 'family_name'] },
  // Apple's scopes are `name` and `email`; the name is not a claim (it comes in `user`).
  ...(apple ? { scopes: ['openid', 'name'] } : {}),
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // First-party: consent is implied.
  loadExistingGrant: async (ctx) => {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(apple ? 'openid email name' : 'openid email profile');
    await grant.save();
    return grant;
  },
  findAccount: async (ctx, id) => ({
    accountId: id,
    async claims() {
      if (apple) {
        // Apple's flags are the strings "true" / "false".
        return { sub: id, email: appleEmail(id), email_verified: 'true', is_private_email: 'true' };
      }
      return {
        sub: id,
        email: `${id}@idp.example`,
        email_verified: true,
        name: `User ${id}`,
        given_name: 'User',
        family_name: id,
      };
    },
  }),
  ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 600, Grant: 600 },
});
// Plain http on loopback: oidc-provider must not insist on https cookies.
provider.proxy = true;

/** The relay address Apple gives a user who hides their email. */
function appleEmail(id) {
  return `${id.replace(/[^a-z0-9]/gi, '')}@privaterelay.appleid.com`;
}

if (apple) {
  // Apple's client secret: an ES256 JWT by the team's key, not a shared secret.
  provider.Client.prototype.compareClientSecret = async function compareAppleSecret(secret) {
    try {
      const { payload, protectedHeader } = await jwtVerify(secret, applePublicKey, {
        algorithms: ['ES256'],
        issuer: args['apple-team-id'],
        subject: this.clientId,
        audience: 'https://appleid.apple.com',
      });
      // Apple refuses secrets that live longer than six months.
      const ok = protectedHeader.kid === args['apple-key-id']
        && typeof payload.iat === 'number' && typeof payload.exp === 'number'
        && payload.exp - payload.iat <= 15777000;
      appleStats[ok ? 'client_secrets_verified' : 'client_secrets_refused'] += 1;
      return ok;
    } catch (e) {
      process.stderr.write(`Apple client secret refused: ${e}\n`);
      appleStats.client_secrets_refused += 1;
      return false;
    }
  };
  provider.use(async (ctx, next) => {
    // Apple issues an ID token whatever the scope: `openid` is implied.
    if (ctx.path === PRESETS.apple.routes.authorization && ctx.method === 'GET') {
      const scope = String(ctx.query.scope ?? '').split(' ').filter(Boolean);
      if (!scope.includes('openid')) {
        ctx.query = { ...ctx.query, scope: ['openid', ...scope].join(' ') };
      }
    }
    await next();
    // Apple's discovery names its own addresses (Latchkey reaches them through
    // LATCHKEY_PROVIDER_ENDPOINTS), not the loopback one this request came to.
    if (ctx.path === '/.well-known/openid-configuration' && ctx.body && typeof ctx.body === 'object') {
      ctx.body = JSON.parse(JSON.stringify(ctx.body).replaceAll(`http://127.0.0.1:${port}`, issuer));
    }
    // The form post that carries a code: on the account's first authorization, add `user`.
    const body = typeof ctx.body === 'string' ? ctx.body : '';
    const accountId = ctx.oidc?.session?.accountId;
    if (accountId && body.includes('name="code"') && !appleAuthorized.has(accountId)) {
      appleAuthorized.add(accountId);
      const user = JSON.stringify({
        name: { firstName: 'Jane', lastName: 'Appleseed' },
        email: appleEmail(accountId),
      });
      const field = `<input type="hidden" name="user" value="${user.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}"/>`;
      ctx.body = body.replace('<noscript>', `${field}\n    <noscript>`);
      appleStats.user_fields_posted += 1;
    }
  });
}

const callback = provider.callback();
let backchannelMs = 0;
let backchannelRequests = 0;
const BACKCHANNEL = ['/token', '/me', '/jwks', '/.well-known/openid-configuration',
  ...(preset ? [preset.routes.token, preset.routes.jwks, preset.routes.userinfo] : [])];

server.on('request', async (req, res) => {
  const started = process.hrtime.bigint();
  const path = req.url.split('?')[0];
  if (BACKCHANNEL.includes(path)) {
    res.on('finish', () => {
      backchannelMs += Number(process.hrtime.bigint() - started) / 1e6;
      backchannelRequests += 1;
    });
  }
  if (apple && path === '/_apple/stats') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(appleStats));
    return;
  }
  if (apple && path === PRESETS.apple.routes.userinfo) {
    res.statusCode = 404;
    res.end();
    return;
  }
  if (path.startsWith('/interaction/')) {
    try {
      const details = await provider.interactionDetails(req, res);
      const cancelled = apple
        ? { error: 'user_cancelled_authorize' }
        : { error: 'access_denied', error_description: 'The user cancelled the sign-in.' };
      let result = details.prompt.name === 'login'
        ? { login: { accountId: accountFor() } }
        : { consent: {} };
      if (args.cancel) result = cancelled;
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
    } catch (e) {
      res.statusCode = 400;
      res.end(String(e));
    }
    return;
  }
  callback(req, res);
});

console.log(JSON.stringify({ issuer, port }));
const stop = () => {
  console.log(JSON.stringify({ backchannel_ms: backchannelMs, backchannel_requests: backchannelRequests }));
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
