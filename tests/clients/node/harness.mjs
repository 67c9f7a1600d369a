/**
 * What the Node driver scripts share: the `--endpoint` argument, a run tag, `expect`, plain
 * awsJson 1.1 calls for setup (node 20's global fetch), and the newest code the server's
 * local outbox holds for a user. The steps under test always go through the client library.
 */
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';

const TARGET = 'AWSCognitoIdentityProviderService.';

/** The server's base URL from `--endpoint` (exits 2 with a usage line without it). */
export function endpointArg(script) {
	const { values } = parseArgs({ options: { endpoint: { type: 'string' } } });
	if (!values.endpoint) {
		console.error(`usage: node ${script} --endpoint URL`);
		process.exit(2);
	}
	return values.endpoint.replace(/\/+$/, '');
}

/** A short random tag that keeps this run's pool names apart. */
export const TAG = crypto.randomBytes(4).toString('hex');

export function expect(cond, message) {
	if (!cond) throw new Error(message);
}

/** A user-pool operation as plain JSON, for setup; throws on an error reply. */
export async function call(endpoint, op, body) {
	const resp = await fetch(`${endpoint}/`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': TARGET + op },
		body: JSON.stringify(body),
	});
	const text = await resp.text();
	if (!resp.ok) throw new Error(`setup ${op} -> HTTP ${resp.status} ${text}`);
	return text ? JSON.parse(text) : {};
}

/** The newest code sent to `username` (of `purpose`, when given), from the local outbox. */
export async function sentCode(endpoint, poolId, username, purpose) {
	const url = new URL(`${endpoint}/_latchkey/outbox`);
	url.searchParams.set('userPoolId', poolId);
	url.searchParams.set('username', username);
	const body = await (await fetch(url)).json();
	const sent = (body.Messages || []).filter(m => m.Code && (!purpose || m.Purpose === purpose));
	expect(sent.length > 0, `no ${purpose || ''} code in the outbox for ${username}`);
	return sent[sent.length - 1].Code;
}
