#!/usr/bin/env node
/**
 * Drives the real Amplify v6 (aws-amplify/auth, in Node) through choice-based sign-in
 * (USER_AUTH) against a running Latchkey server:
 *
 *   node tests/clients/node/amplify_user_auth.mjs --endpoint http://127.0.0.1:9229
 *
 * It makes its own pool (AllowedFirstAuthFactors PASSWORD, EMAIL_OTP, SMS_OTP) and client
 * (ALLOW_USER_AUTH) with plain JSON calls, then through Amplify only: signUp with autoSignIn
 * USER_AUTH → confirmSignUp → autoSignIn (ConfirmSignUp's Session); signIn with
 * preferredChallenge EMAIL_OTP and SMS_OTP → confirmSignIn with the code the server sent
 * (read from its local outbox); signIn with no preference → first-factor selection → EMAIL_OTP;
 * PASSWORD_SRP under USER_AUTH; a wrong code refused. Prints PASS/FAIL per check and
 * 'amplify USER_AUTH: N passed, N failed'; exits 1 when any check failed.
 */
import { Amplify } from 'aws-amplify';
import {
	autoSignIn,
	confirmSignIn,
	confirmSignUp,
	fetchAuthSession,
	signIn,
	signOut,
	signUp,
} from 'aws-amplify/auth';
import * as harness from './harness.mjs';

const { TAG, expect } = harness;
const PASSWORD = 'Correct-Horse-9!';
const ENDPOINT = harness.endpointArg('amplify_user_auth.mjs');
const call = (op, body) => harness.call(ENDPOINT, op, body);
const sentCode = (poolId, username, purpose) => harness.sentCode(ENDPOINT, poolId, username, purpose);

async function signedIn() {
	const session = await fetchAuthSession();
	expect(session.tokens && session.tokens.accessToken, 'no access token after sign-in');
	return session.tokens.accessToken.payload;
}

const results = [];
async function check(name, fn) {
	try {
		await fn();
		results.push(true);
		console.log(`PASS ${name}`);
	} catch (e) {
		results.push(false);
		console.log(`FAIL ${name}: ${e && (e.name + ': ' + e.message)}`);
	}
	try {
		await signOut();
	} catch {
		// already signed out
	}
}

const pool = await call('CreateUserPool', {
	PoolName: `amplify-user-auth-${TAG}`,
	AutoVerifiedAttributes: ['email'],
	Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP'] } },
});
const poolId = pool.UserPool.Id;
const client = await call('CreateUserPoolClient', {
	UserPoolId: poolId,
	ClientName: 'amplify-user-auth',
	ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
});
Amplify.configure({
	Auth: {
		Cognito: {
			userPoolId: poolId,
			userPoolClientId: client.UserPoolClient.ClientId,
			userPoolEndpoint: ENDPOINT,
		},
	},
});
const username = `amy-${TAG}`;

await check('signUp + confirmSignUp + autoSignIn (USER_AUTH with ConfirmSignUp\'s Session)', async () => {
	const up = await signUp({
		username,
		password: PASSWORD,
		options: {
			userAttributes: { email: `${username}@example.com`, phone_number: '+15555550123' },
			autoSignIn: { authFlowType: 'USER_AUTH' },
		},
	});
	expect(up.nextStep.signUpStep === 'CONFIRM_SIGN_UP', `signUp step ${up.nextStep.signUpStep}`);
	const code = await sentCode(poolId, username, 'SignUp');
	const confirmed = await confirmSignUp({ username, confirmationCode: code });
	expect(
		confirmed.nextStep.signUpStep === 'COMPLETE_AUTO_SIGN_IN',
		`confirmSignUp step ${confirmed.nextStep.signUpStep}`,
	);
	const done = await autoSignIn();
	expect(done.isSignedIn, `autoSignIn: ${JSON.stringify(done.nextStep)}`);
	const claims = await signedIn();
	expect(claims.username === username, `signed in as ${claims.username}`);
});

for (const [challenge, step, purpose] of [
	['EMAIL_OTP', 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE', 'SignInEmail'],
	['SMS_OTP', 'CONFIRM_SIGN_IN_WITH_SMS_CODE', 'SignInSms'],
]) {
	await check(`signIn USER_AUTH preferredChallenge ${challenge} + confirmSignIn`, async () => {
		const started = await signIn({
			username,
			options: { authFlowType: 'USER_AUTH', preferredChallenge: challenge },
		});
		expect(started.nextStep.signInStep === step, `signIn step ${started.nextStep.signInStep}`);
		const details = started.nextStep.codeDeliveryDetails || {};
		expect(details.destination && details.destination.includes('*'), `destination ${details.destination}`);
		const code = await sentCode(poolId, username, purpose);
		const done = await confirmSignIn({ challengeResponse: code });
		expect(done.isSignedIn, `confirmSignIn: ${JSON.stringify(done.nextStep)}`);
		await signedIn();
	});
}

await check('signIn USER_AUTH without a preference: first-factor selection, then EMAIL_OTP', async () => {
	const started = await signIn({ username, options: { authFlowType: 'USER_AUTH' } });
	expect(
		started.nextStep.signInStep === 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION',
		`signIn step ${started.nextStep.signInStep}`,
	);
	const offered = started.nextStep.availableChallenges || [];
	for (const c of ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP', 'SMS_OTP']) {
		expect(offered.includes(c), `availableChallenges ${JSON.stringify(offered)} lacks ${c}`);
	}
	const chosen = await confirmSignIn({ challengeResponse: 'EMAIL_OTP' });
	expect(
		chosen.nextStep.signInStep === 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE',
		`after the choice: ${chosen.nextStep.signInStep}`,
	);
	const code = await sentCode(poolId, username, 'SignInEmail');
	const done = await confirmSignIn({ challengeResponse: code });
	expect(done.isSignedIn, `confirmSignIn: ${JSON.stringify(done.nextStep)}`);
});

await check('signIn USER_AUTH preferredChallenge PASSWORD_SRP', async () => {
	const done = await signIn({
		username,
		password: PASSWORD,
		options: { authFlowType: 'USER_AUTH', preferredChallenge: 'PASSWORD_SRP' },
	});
	expect(done.isSignedIn, `signIn: ${JSON.stringify(done.nextStep)}`);
	await signedIn();
});

await check('a wrong one-time code is refused with CodeMismatchException', async () => {
	const started = await signIn({
		username,
		options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' },
	});
	expect(started.nextStep.signInStep === 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE', 'EMAIL_OTP step');
	const code = await sentCode(poolId, username, 'SignInEmail');
	const wrong = String((Number(code[0]) + 1) % 10) + code.slice(1);
	let refused = null;
	try {
		await confirmSignIn({ challengeResponse: wrong });
	} catch (e) {
		refused = e;
	}
	expect(refused && refused.name === 'CodeMismatchException', `got ${refused && refused.name}`);
});

const passed = results.filter(Boolean).length;
const failed = results.length - passed;
console.log(`amplify USER_AUTH: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
