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

import { parseArgs } from 'node:util';
import http from 'node:http';
import crypto from 'node:crypto';
import Provider from 'oidc-provider';

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
};
const preset = args.preset ? PRESETS[args.preset] : undefined;
if (args.preset && !preset) {
  process.stderr.write(`unknown --preset ${args.preset}\n`);
  process.exit(2);
}
if (!args['redirect-uri']) {
  process.stderr.write('usage: node oidc_idp.mjs --redirect-uri URL [--port N] [--issuer URL] '
    + '[--client-id ID] [--client-secret S] [--account NAME] [--unique]\n');
  process.exit(2);
}

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
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'given_name', 'family_name'] },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // First-party: consent is implied.
  loadExistingGrant: async (ctx) => {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  findAccount: async (ctx, id) => ({
    accountId: id,
    async claims() {
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
  if (path.startsWith('/interaction/')) {
    try {
      const details = await provider.interactionDetails(req, res);
      const result = details.prompt.name === 'login'
        ? { login: { accountId: accountFor() } }
        : { consent: {} };
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
