// The page amplify_redirect.mjs bundles with esbuild and serves: aws-amplify v6 configured from
// `window.LATCHKEY_AMPLIFY` (written into the page by the server), its auth functions on
// `window.latchkey`, and every Hub auth event in `window.latchkeyEvents` (the redirect back
// from the login page completes the sign-in on load and reports it there).

import { Amplify } from 'aws-amplify';
import { Hub } from 'aws-amplify/utils';
import {
  fetchAuthSession,
  getCurrentUser,
  signInWithRedirect,
  signOut,
} from 'aws-amplify/auth';

window.latchkeyEvents = [];
Hub.listen('auth', ({ payload }) => {
  const error = payload.data?.error ?? payload.data;
  window.latchkeyEvents.push({
    event: payload.event,
    error: payload.event.endsWith('_failure') ? String(error?.message ?? error) : undefined,
  });
});

Amplify.configure(window.LATCHKEY_AMPLIFY);

/** The session's tokens as plain data (what the test checks). */
async function session() {
  const { tokens } = await fetchAuthSession();
  if (!tokens) return null;
  return {
    accessToken: tokens.accessToken?.toString(),
    idToken: tokens.idToken?.toString(),
    access: tokens.accessToken?.payload,
    id: tokens.idToken?.payload,
  };
}

/** The signed-in user, or the error's name when there is none. */
async function currentUser() {
  try {
    const { username, userId } = await getCurrentUser();
    return { username, userId };
  } catch (e) {
    return { error: e.name };
  }
}

window.latchkey = { signInWithRedirect, signOut, session, currentUser };
