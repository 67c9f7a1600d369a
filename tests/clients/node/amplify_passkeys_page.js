// The page amplify_passkeys.mjs bundles with esbuild and serves: aws-amplify v6 configured from
// `window.LATCHKEY_AMPLIFY`, with its password and passkey functions on `window.latchkey`. Each
// returns plain data or `{ error }` (the error's name and message), so the driver can check it.

import { Amplify } from 'aws-amplify';
import {
  associateWebAuthnCredential,
  deleteWebAuthnCredential,
  fetchAuthSession,
  getCurrentUser,
  listWebAuthnCredentials,
  signIn,
  signOut,
} from 'aws-amplify/auth';

Amplify.configure(window.LATCHKEY_AMPLIFY);

function failed(e) {
  return { error: `${e.name}: ${e.message}` };
}

async function attempt(work) {
  try {
    return (await work()) ?? {};
  } catch (e) {
    return failed(e);
  }
}

window.latchkey = {
  signInWithPassword: (username, password) => attempt(() => signIn({
    username, password, options: { authFlowType: 'USER_PASSWORD_AUTH' },
  })),
  signInWithPasskey: (username) => attempt(() => signIn({
    username, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' },
  })),
  associate: () => attempt(associateWebAuthnCredential),
  list: () => attempt(listWebAuthnCredentials),
  remove: (credentialId) => attempt(() => deleteWebAuthnCredential({ credentialId })),
  signOut: () => attempt(signOut),
  currentUser: () => attempt(getCurrentUser),
  accessToken: () => attempt(async () => {
    const { tokens } = await fetchAuthSession();
    return { token: tokens?.accessToken?.toString() };
  }),
};
