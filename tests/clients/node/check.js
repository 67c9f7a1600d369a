#!/usr/bin/env node
/**
 * Drives the real amazon-cognito-identity-js (with otplib for TOTP) against a running
 * Latchkey server:
 *
 *   node tests/clients/node/check.js --endpoint http://127.0.0.1:9229 \
 *       --pool-id us-east-1_AbC12dEf3 --client-id CLIENT_ID
 *
 * Users, extra clients and MFA pools are made with plain JSON calls (node 20's global fetch);
 * every sign-in step goes through the library: CognitoUserPool({UserPoolId, ClientId,
 * endpoint}), authenticateUser (its default flow is USER_SRP_AUTH), and its totpRequired /
 * mfaSetup callbacks. Prints one PASS/FAIL line per check and a closing
 * 'amazon-cognito-identity-js: N passed, N failed' line; exits 1 when any check failed.
 * Install with scripts/clients.sh.
 */
'use strict';

const crypto = require('crypto');
const { parseArgs } = require('util');
const {
	AuthenticationDetails,
	CognitoUser,
	CognitoUserPool,
} = require('amazon-cognito-identity-js');
const { authenticator } = require('otplib');

const PASSWORD = 'Correct-Horse-9!';
const TARGET = 'AWSCognitoIdentityProviderService.';
const AUTH_FLOWS = ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];

const { values: args } = parseArgs({
	options: {
		endpoint: { type: 'string' },
		'pool-id': { type: 'string' },
		'client-id': { type: 'string' },
	},
});
for (const k of ['endpoint', 'pool-id', 'client-id']) {
	if (!args[k]) {
		console.error(`usage: node check.js --endpoint URL --pool-id ID --client-id ID (missing --${k})`);
		process.exit(2);
	}
}
const ENDPOINT = args.endpoint.replace(/\/+$/, '');
const POOL_ID = args['pool-id'];
const CLIENT_ID = args['client-id'];
const TAG = crypto.randomBytes(4).toString('hex');

function expect(cond, message) {
	if (!cond) throw new Error(message);
}

/** Plain awsJson1.1 call to the server, for setup only. */
async function call(op, body) {
	const resp = await fetch(`${ENDPOINT}/`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': TARGET + op },
		body: JSON.stringify(body),
	});
	const text = await resp.text();
	if (!resp.ok) throw new Error(`setup ${op} ${JSON.stringify(body)} -> HTTP ${resp.status} ${text}`);
	return text ? JSON.parse(text) : {};
}

async function newClient(poolId) {
	const out = await call('CreateUserPoolClient', {
		UserPoolId: poolId,
		ClientName: 'cognito-identity-js-check',
		ExplicitAuthFlows: AUTH_FLOWS,
		PreventUserExistenceErrors: 'ENABLED',
	});
	return out.UserPoolClient.ClientId;
}

async function mfaPool(mfa) {
	const pool = await call('CreateUserPool', {
		PoolName: `js-${mfa.toLowerCase()}-${TAG}`,
		MfaConfiguration: mfa,
	});
	const poolId = pool.UserPool.Id;
	return { poolId, clientId: await newClient(poolId) };
}

/** AdminCreateUser (no message) + AdminSetUserPassword Permanent. */
async function adminUser(poolId, username) {
	await call('AdminCreateUser', {
		UserPoolId: poolId,
		Username: username,
		MessageAction: 'SUPPRESS',
		UserAttributes: [
			{ Name: 'email', Value: `${username}@example.com` },
			{ Name: 'email_verified', Value: 'true' },
		],
	});
	await call('AdminSetUserPassword', {
		UserPoolId: poolId,
		Username: username,
		Password: PASSWORD,
		Permanent: true,
	});
}

function cognitoUser(poolId, clientId, username) {
	const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: `${ENDPOINT}/` });
	return new CognitoUser({ Username: username, Pool: pool });
}

/**
 * authenticateUser (SRP); resolves with {kind, ...} for whichever callback fires:
 * success, failure, totp (totpRequired), setup (mfaSetup) or an unexpected one.
 */
function signIn(user, password) {
	const details = new AuthenticationDetails({ Username: user.getUsername(), Password: password });
	return new Promise(resolve => {
		const other = name => (...a) => resolve({ kind: name, args: a });
		user.authenticateUser(details, {
			onSuccess: session => resolve({ kind: 'success', session }),
			onFailure: err => resolve({ kind: 'failure', err }),
			totpRequired: (name, params) => resolve({ kind: 'totp', name, params }),
			mfaSetup: (name, params) => resolve({ kind: 'setup', name, params }),
			newPasswordRequired: other('newPasswordRequired'),
			mfaRequired: other('mfaRequired'),
			selectMFAType: other('selectMFAType'),
			customChallenge: other('customChallenge'),
		});
	});
}

function describe(r) {
	if (r.kind === 'failure') return `onFailure ${r.err && r.err.code}: ${r.err && r.err.message}`;
	return `${r.kind} ${JSON.stringify(r.args || r.params || '')}`.slice(0, 300);
}

async function signInOk(user, password = PASSWORD) {
	const r = await signIn(user, password);
	expect(r.kind === 'success', `expected onSuccess, got ${describe(r)}`);
	expect(r.session.isValid(), 'session not valid');
	return r.session;
}

async function signInFails(user, password, code) {
	const r = await signIn(user, password);
	expect(r.kind === 'failure', `expected onFailure ${code}, got ${describe(r)}`);
	expect(r.err.code === code, `expected ${code}, got ${r.err.code}: ${r.err.message}`);
	return `${code}: ${r.err.message}`;
}

/** Callback-style library call as a promise: callbacks maps names to 'resolve'/'reject'. */
function cb(fn, names) {
	return new Promise((resolve, reject) => {
		const callbacks = {};
		for (const [name, how] of Object.entries(names)) {
			callbacks[name] = value => (how === 'resolve' ? resolve({ name, value }) : reject(value));
		}
		fn(callbacks);
	});
}

/** otplib codes that never reuse a 30 s step (the server accepts each step once). */
class Totp {
	constructor(secret) {
		this.secret = secret;
		this.last = null;
	}
	at(step) {
		return authenticator.clone({ epoch: step * 30000 }).generate(this.secret);
	}
	async code() {
		const now = Math.floor(Date.now() / 30000);
		const step = this.last === null ? now : Math.max(now, this.last + 1);
		if (step > now + 1) await new Promise(r => setTimeout(r, (step - 1) * 30000 - Date.now() + 500));
		this.last = step;
		return this.at(step);
	}
	wrong() {
		const now = Math.floor(Date.now() / 30000);
		const near = new Set([-2, -1, 0, 1, 2].map(d => this.at(now + d)));
		return ['000000', '111111', '123456', '654321'].find(c => !near.has(c));
	}
}

// ----- checks ------------------------------------------------------------------------------

async function srpSuccess() {
	const username = `js-srp-${TAG}`;
	await call('SignUp', {
		ClientId: CLIENT_ID,
		Username: username,
		Password: PASSWORD,
		UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }],
	});
	await call('AdminConfirmSignUp', { UserPoolId: POOL_ID, Username: username });
	const user = cognitoUser(POOL_ID, CLIENT_ID, username);
	const session = await signInOk(user);
	const id = session.getIdToken().decodePayload();
	expect(id['cognito:username'] === username, `id token ${JSON.stringify(id)}`);
	expect(id.iss === `${ENDPOINT}/${POOL_ID}`, `iss ${id.iss}`);
	expect(session.getRefreshToken().getToken(), 'no refresh token');
	// REFRESH_TOKEN_AUTH through the library.
	const refreshed = await new Promise((resolve, reject) =>
		user.refreshSession(session.getRefreshToken(), (err, s) => (err ? reject(err) : resolve(s))),
	);
	expect(refreshed.isValid(), 'refreshed session not valid');
	return `iss=${id.iss}; refreshSession ok`;
}

async function wrongPassword() {
	const username = `js-wrong-${TAG}`;
	await adminUser(POOL_ID, username);
	return signInFails(cognitoUser(POOL_ID, CLIENT_ID, username), `${PASSWORD}x`, 'NotAuthorizedException');
}

async function unknownUser() {
	const clientId = await newClient(POOL_ID);
	return signInFails(cognitoUser(POOL_ID, clientId, `nobody-${TAG}`), PASSWORD, 'NotAuthorizedException');
}

async function emailPool() {
	const pool = await call('CreateUserPool', {
		PoolName: `js-email-${TAG}`,
		UsernameAttributes: ['email'],
		AutoVerifiedAttributes: ['email'],
	});
	const poolId = pool.UserPool.Id;
	const clientId = await newClient(poolId);
	const email = `js-${TAG}@example.com`;
	await call('AdminCreateUser', {
		UserPoolId: poolId,
		Username: email,
		MessageAction: 'SUPPRESS',
		UserAttributes: [{ Name: 'email_verified', Value: 'true' }],
	});
	await call('AdminSetUserPassword', { UserPoolId: poolId, Username: email, Password: PASSWORD, Permanent: true });
	const user = cognitoUser(poolId, clientId, email);
	const session = await signInOk(user);
	const id = session.getIdToken().decodePayload();
	expect(id.email === email, `id token ${JSON.stringify(id)}`);
	expect(id['cognito:username'] !== email, 'cognito:username should be the internal id');
	// The library switches to USER_ID_FOR_SRP for the signature and the session.
	expect(user.getUsername() === id['cognito:username'], `username ${user.getUsername()}`);
	return `USER_ID_FOR_SRP=${user.getUsername()}`;
}

async function totpFlow() {
	const { poolId, clientId } = await mfaPool('OPTIONAL');
	const username = `js-totp-${TAG}`;
	await adminUser(poolId, username);
	const user = cognitoUser(poolId, clientId, username);
	await signInOk(user);
	const { value: secret } = await cb(c => user.associateSoftwareToken(c), {
		associateSecretCode: 'resolve',
		onFailure: 'reject',
	});
	const totp = new Totp(secret);
	const code1 = await totp.code();
	const { value: verified } = await cb(c => user.verifySoftwareToken(code1, 'otplib', c), {
		onSuccess: 'resolve',
		onFailure: 'reject',
	});
	expect(verified.Status === 'SUCCESS', `VerifySoftwareToken ${JSON.stringify(verified)}`);
	await new Promise((resolve, reject) =>
		user.setUserMfaPreference(null, { Enabled: true, PreferredMfa: true }, (err, r) =>
			err ? reject(err) : resolve(r),
		),
	);

	// A wrong code is refused, on a sign-in of its own.
	const u2 = cognitoUser(poolId, clientId, username);
	const r2 = await signIn(u2, PASSWORD);
	expect(r2.kind === 'totp', `expected totpRequired, got ${describe(r2)}`);
	const wrong = await new Promise(resolve =>
		u2.sendMFACode(totp.wrong(), { onSuccess: () => resolve(null), onFailure: resolve }, 'SOFTWARE_TOKEN_MFA'),
	);
	expect(wrong && wrong.code === 'CodeMismatchException', `wrong code: ${wrong ? wrong.code : 'accepted'}`);

	const u3 = cognitoUser(poolId, clientId, username);
	const r3 = await signIn(u3, PASSWORD);
	expect(r3.kind === 'totp' && r3.name === 'SOFTWARE_TOKEN_MFA', `expected totpRequired, got ${describe(r3)}`);
	const code2 = await totp.code();
	const { value: session } = await cb(c => u3.sendMFACode(code2, c, 'SOFTWARE_TOKEN_MFA'), {
		onSuccess: 'resolve',
		onFailure: 'reject',
	});
	expect(session.isValid(), 'session after TOTP not valid');
	expect(session.getAccessToken().decodePayload().username === username, 'access token username');
	return `wrong code -> ${wrong.code}`;
}

async function mfaSetup() {
	const { poolId, clientId } = await mfaPool('ON');
	const username = `js-setup-${TAG}`;
	await adminUser(poolId, username);
	const user = cognitoUser(poolId, clientId, username);
	const r = await signIn(user, PASSWORD);
	expect(r.kind === 'setup' && r.name === 'MFA_SETUP', `expected mfaSetup, got ${describe(r)}`);
	const { value: secret } = await cb(c => user.associateSoftwareToken(c), {
		associateSecretCode: 'resolve',
		onFailure: 'reject',
	});
	const totp = new Totp(secret);
	const code1 = await totp.code();
	// Without tokens, verifySoftwareToken answers MFA_SETUP itself and signs in.
	const { value: session } = await cb(c => user.verifySoftwareToken(code1, 'otplib', c), {
		onSuccess: 'resolve',
		onFailure: 'reject',
	});
	expect(session.isValid && session.isValid(), `expected a session, got ${JSON.stringify(session)}`);

	const u2 = cognitoUser(poolId, clientId, username);
	const r2 = await signIn(u2, PASSWORD);
	expect(r2.kind === 'totp', `second sign-in: expected totpRequired, got ${describe(r2)}`);
	const code2 = await totp.code();
	const { value: s2 } = await cb(c => u2.sendMFACode(code2, c, 'SOFTWARE_TOKEN_MFA'), {
		onSuccess: 'resolve',
		onFailure: 'reject',
	});
	expect(s2.isValid(), 'session after SOFTWARE_TOKEN_MFA');
	return 'mfaSetup -> associate -> verify -> tokens; next sign-in totpRequired -> tokens';
}

async function main() {
	const checks = [
		['authenticateUser (SRP), right password -> onSuccess with tokens', srpSuccess],
		['authenticateUser, wrong password -> onFailure NotAuthorizedException', wrongPassword],
		['authenticateUser, unknown user (PreventUserExistenceErrors=ENABLED)', unknownUser],
		['email-as-username pool: signs with USER_ID_FOR_SRP', emailPool],
		['TOTP: associate, verify, prefer, totpRequired -> sendMFACode', totpFlow],
		['MFA ON: mfaSetup -> associateSoftwareToken -> verifySoftwareToken', mfaSetup],
	];
	let passed = 0;
	let failed = 0;
	for (const [name, fn] of checks) {
		try {
			const detail = await fn();
			passed += 1;
			console.log(`PASS ${name}${detail ? `: ${detail}` : ''}`);
		} catch (e) {
			failed += 1;
			const code = e && e.code ? `${e.code}: ` : '';
			console.log(`FAIL ${name}: ${code}${e && e.message}`);
		}
	}
	console.log(`amazon-cognito-identity-js: ${passed} passed, ${failed} failed`);
	process.exitCode = failed === 0 ? 0 : 1;
}

main().catch(e => {
	console.error(e);
	process.exitCode = 1;
});
