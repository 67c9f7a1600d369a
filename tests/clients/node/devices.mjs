#!/usr/bin/env node
/**
 * Remembered devices through the REAL client libraries against a running Latchkey server:
 *
 *   node tests/clients/node/devices.mjs --endpoint http://127.0.0.1:9229
 *
 * amazon-cognito-identity-js: SRP sign-in with SMS MFA on a pool that tracks devices (the
 * library confirms the device itself), setDeviceStatusRemembered, a second sign-in that goes
 * through DEVICE_SRP_AUTH with no MFA, listDevices, forgetDevice, then MFA again.
 * Amplify v6 (aws-amplify): signIn + confirmSignIn (SMS code), rememberDevice, fetchDevices,
 * signOut, a second signIn that skips MFA on the remembered device, forgetDevice.
 *
 * Pools, users and MFA settings are made with plain JSON calls; SMS codes are read from the
 * server's outbox. Prints PASS/FAIL per check and 'devices: N passed, N failed'; exits 1 on
 * any failure.
 */
import { createRequire } from 'node:module';
import * as harness from './harness.mjs';

// Amplify names a device with navigator.userAgent (getDeviceName); Node 20 has no navigator,
// and without a name Amplify silently skips ConfirmDevice.
if (typeof globalThis.navigator === 'undefined') {
	globalThis.navigator = { userAgent: `node/${process.versions.node}` };
}

const require = createRequire(import.meta.url);
const { AuthenticationDetails, CognitoUser, CognitoUserPool } = require('amazon-cognito-identity-js');

const { TAG, expect } = harness;
const PASSWORD = 'Correct-Horse-9!';
const ENDPOINT = harness.endpointArg('devices.mjs');
const call = (op, body) => harness.call(ENDPOINT, op, body);

/** A pool that tracks devices (users opt in), MFA ON by SMS, an SRP client. */
async function devicePool(name) {
	const pool = await call('CreateUserPool', {
		PoolName: `${name}-${TAG}`,
		DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true },
	});
	const poolId = pool.UserPool.Id;
	await call('SetUserPoolMfaConfig', {
		UserPoolId: poolId,
		MfaConfiguration: 'ON',
		SoftwareTokenMfaConfiguration: { Enabled: false },
		SmsMfaConfiguration: { SmsAuthenticationMessage: 'Code {####}' },
	});
	const client = await call('CreateUserPoolClient', {
		UserPoolId: poolId,
		ClientName: 'devices',
		ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
	});
	return { poolId, clientId: client.UserPoolClient.ClientId };
}

async function adminUser(poolId, username, phone) {
	await call('AdminCreateUser', {
		UserPoolId: poolId,
		Username: username,
		MessageAction: 'SUPPRESS',
		UserAttributes: [
			{ Name: 'phone_number', Value: phone },
			{ Name: 'phone_number_verified', Value: 'true' },
		],
	});
	await call('AdminSetUserPassword', { UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true });
}

/** The newest code the outbox holds for a user. */
const latestCode = (poolId, username) => harness.sentCode(ENDPOINT, poolId, username);

async function listServerDevices(poolId, username) {
	const out = await call('AdminListDevices', { UserPoolId: poolId, Username: username });
	return out.Devices;
}

// ----- amazon-cognito-identity-js ------------------------------------------------------------

function signIn(user) {
	const details = new AuthenticationDetails({ Username: user.getUsername(), Password: PASSWORD });
	return new Promise(resolve => {
		const other = name => (...a) => resolve({ kind: name, args: a });
		user.authenticateUser(details, {
			onSuccess: (session, confirmationNecessary) => resolve({ kind: 'success', session, confirmationNecessary }),
			onFailure: err => resolve({ kind: 'failure', err }),
			mfaRequired: (name, params) => resolve({ kind: 'mfa', name, params }),
			totpRequired: other('totpRequired'),
			mfaSetup: other('mfaSetup'),
			newPasswordRequired: other('newPasswordRequired'),
			selectMFAType: other('selectMFAType'),
			customChallenge: other('customChallenge'),
		});
	});
}

function sendCode(user, code) {
	return new Promise(resolve =>
		user.sendMFACode(code, {
			onSuccess: (session, confirmationNecessary) => resolve({ kind: 'success', session, confirmationNecessary }),
			onFailure: err => resolve({ kind: 'failure', err }),
		}),
	);
}

function describe(r) {
	if (r.kind === 'failure') return `onFailure ${r.err && r.err.code}: ${r.err && r.err.message}`;
	return `${r.kind} ${JSON.stringify(r.args || r.params || '')}`.slice(0, 300);
}

function callbacks(fn) {
	return new Promise((resolve, reject) => fn({ onSuccess: resolve, onFailure: reject }));
}

async function identityJs() {
	const { poolId, clientId } = await devicePool('js-devices');
	const username = `js-dev-${TAG}`;
	await adminUser(poolId, username, '+15550003001');
	const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: `${ENDPOINT}/` });
	const cognitoUser = () => new CognitoUser({ Username: username, Pool: pool });

	// 1. SRP + SMS MFA; the library confirms the new device (ConfirmDevice) on its own.
	const u1 = cognitoUser();
	const r1 = await signIn(u1);
	expect(r1.kind === 'mfa' && r1.name === 'SMS_MFA', `first sign-in: expected mfaRequired, got ${describe(r1)}`);
	const s1 = await sendCode(u1, await latestCode(poolId, username));
	expect(s1.kind === 'success', `SMS code: ${describe(s1)}`);
	expect(s1.confirmationNecessary === true, 'UserConfirmationNecessary (the pool asks the user)');
	const deviceKey = s1.session.getAccessToken().decodePayload().device_key;
	expect(deviceKey && u1.deviceKey === deviceKey, `device key ${deviceKey} / ${u1.deviceKey}`);
	await callbacks(c => u1.setDeviceStatusRemembered(c));
	const listed = await callbacks(c => u1.listDevices(10, null, c));
	expect(listed.Devices.length === 1 && listed.Devices[0].DeviceKey === deviceKey, `listDevices ${JSON.stringify(listed)}`);
	const status = listed.Devices[0].DeviceAttributes.find(a => a.Name === 'device_remembered_status');
	expect(status && status.Value === 'remembered', `status ${JSON.stringify(listed.Devices[0])}`);

	// 2. A new CognitoUser on the same storage: DEVICE_SRP_AUTH, no MFA.
	const u2 = cognitoUser();
	const r2 = await signIn(u2);
	expect(r2.kind === 'success', `second sign-in: expected onSuccess without MFA, got ${describe(r2)}`);
	expect(r2.session.getAccessToken().decodePayload().device_key === deviceKey, 'device_key claim');

	// 3. forgetDevice: gone on the server and in the cache; MFA again next time.
	await callbacks(c => u2.forgetDevice(c));
	expect((await listServerDevices(poolId, username)).length === 0, 'device forgotten on the server');
	const u3 = cognitoUser();
	const r3 = await signIn(u3);
	expect(r3.kind === 'mfa', `after forgetDevice: expected mfaRequired, got ${describe(r3)}`);
	return `device ${deviceKey}: MFA -> ConfirmDevice -> remembered -> DEVICE_SRP_AUTH -> forgotten -> MFA`;
}

// ----- Amplify v6 ----------------------------------------------------------------------------

async function amplify() {
	const { Amplify } = await import('aws-amplify');
	const auth = await import('aws-amplify/auth');
	const { cognitoUserPoolsTokenProvider } = await import('aws-amplify/auth/cognito');
	const memory = new Map();
	cognitoUserPoolsTokenProvider.setKeyValueStorage({
		setItem: async (k, v) => void memory.set(k, v),
		getItem: async k => (memory.has(k) ? memory.get(k) : null),
		removeItem: async k => void memory.delete(k),
		clear: async () => memory.clear(),
	});
	const { poolId, clientId } = await devicePool('amplify-devices');
	Amplify.configure({
		Auth: { Cognito: { userPoolId: poolId, userPoolClientId: clientId, userPoolEndpoint: `${ENDPOINT}/` } },
	});
	const username = `amp-dev-${TAG}`;
	await adminUser(poolId, username, '+15550003002');

	const first = await auth.signIn({ username, password: PASSWORD });
	expect(first.nextStep.signInStep === 'CONFIRM_SIGN_IN_WITH_SMS_CODE', `signIn: ${JSON.stringify(first.nextStep)}`);
	const done = await auth.confirmSignIn({ challengeResponse: await latestCode(poolId, username) });
	expect(done.isSignedIn, `confirmSignIn: ${JSON.stringify(done)}`);
	const onServer = await listServerDevices(poolId, username);
	expect(onServer.length === 1, `Amplify confirmed its device: ${JSON.stringify(onServer)}`);
	await auth.rememberDevice();
	const devices = await auth.fetchDevices();
	expect(devices.length === 1 && devices[0].attributes.device_remembered_status === 'remembered', `fetchDevices ${JSON.stringify(devices)}`);
	await auth.signOut();

	const second = await auth.signIn({ username, password: PASSWORD });
	expect(second.isSignedIn && second.nextStep.signInStep === 'DONE', `second signIn should skip MFA: ${JSON.stringify(second.nextStep)}`);
	const { tokens } = await auth.fetchAuthSession();
	expect(tokens.accessToken.payload.device_key === devices[0].id, 'device_key claim');

	await auth.forgetDevice();
	expect((await auth.fetchDevices()).length === 0, 'fetchDevices after forgetDevice');
	await auth.signOut();
	const third = await auth.signIn({ username, password: PASSWORD });
	expect(third.nextStep.signInStep === 'CONFIRM_SIGN_IN_WITH_SMS_CODE', `after forgetDevice MFA again: ${JSON.stringify(third.nextStep)}`);
	return `device ${devices[0].id}: confirmSignIn -> rememberDevice -> fetchDevices -> signIn DONE -> forgetDevice -> MFA`;
}

async function main() {
	const checks = [
		['amazon-cognito-identity-js: remembered device skips MFA (DEVICE_SRP_AUTH), listDevices, forgetDevice', identityJs],
		['Amplify v6: rememberDevice, fetchDevices, signIn without MFA, forgetDevice', amplify],
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
			console.log(`FAIL ${name}: ${e && e.name ? `${e.name}: ` : ''}${e && e.message}`);
		}
	}
	console.log(`devices: ${passed} passed, ${failed} failed`);
	process.exitCode = failed === 0 ? 0 : 1;
}

main().catch(e => {
	console.error(e);
	process.exitCode = 1;
});
