#!/usr/bin/env python3
"""The OAuth 2.0 / OpenID Connect endpoints through authlib against a running Latchkey server.

    .venv-clients/bin/python tests/clients/oidc_authlib.py --base http://127.0.0.1:9229 \\
        --pool-id POOL --client-id CLIENT [--client-secret SECRET] \\
        --redirect-uri http://localhost:3000/callback --username alice --password 'Passw0rd!' \\
        [--m2m-client-id C2 --m2m-client-secret S2 --m2m-scope resource/scope]

The app side is authlib's requests `OAuth2Session` (authorization URL with PKCE S256,
`fetch_token`, `refresh_token`, `revoke_token`, the client_credentials grant); the ID token
is validated with authlib's jose against the pool's JWKS (signature, iss, aud, nonce, exp,
at_hash). The user's side (the redirect to /login, the form with its _csrf field and XSRF-TOKEN
cookie) is a plain requests session, as a browser would do it.

Every argument can also come from the environment (LATCHKEY_BASE, LATCHKEY_POOL_ID, ...).
Prints one line per check; exits 1 with a FAIL line naming the first check that failed.
"""

import argparse
import html
import os
import re
import secrets
import sys
import traceback
import urllib.parse
import warnings

import requests
from authlib.integrations.requests_client import OAuth2Session, OAuthError

# authlib 1.x points to joserfc for new code; its own jose is what authlib's OIDC claims classes
# (CodeIDToken) are built on, and it stays until 2.0.
warnings.filterwarnings("ignore", message="authlib.jose module is deprecated")
from authlib.jose import JsonWebKey, jwt  # noqa: E402
from authlib.oidc.core import CodeIDToken  # noqa: E402

SCOPES = "openid email profile"


class CheckFailed(Exception):
    """A check that did not hold."""


def check(cond, what, detail=None):
    if not cond:
        raise CheckFailed(what if detail is None else f"{what}: {detail}")
    print(f"ok - {what}", flush=True)


def parse_args():
    env = os.environ.get
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base", default=env("LATCHKEY_BASE"), help="server base URL")
    p.add_argument("--pool-id", default=env("LATCHKEY_POOL_ID"))
    p.add_argument("--client-id", default=env("LATCHKEY_CLIENT_ID"))
    p.add_argument("--client-secret", default=env("LATCHKEY_CLIENT_SECRET"))
    p.add_argument("--redirect-uri", default=env("LATCHKEY_REDIRECT_URI"))
    p.add_argument("--username", default=env("LATCHKEY_USERNAME"))
    p.add_argument("--password", default=env("LATCHKEY_PASSWORD"))
    p.add_argument("--m2m-client-id", default=env("LATCHKEY_M2M_CLIENT_ID"))
    p.add_argument("--m2m-client-secret", default=env("LATCHKEY_M2M_CLIENT_SECRET"))
    p.add_argument("--m2m-scope", default=env("LATCHKEY_M2M_SCOPE"))
    p.add_argument("--flows", default=env("LATCHKEY_FLOWS"),
                   help="code, client_credentials or both, comma-separated (default: code, and "
                        "client_credentials when --m2m-client-id is given)")
    args = p.parse_args()
    default = "code,client_credentials" if args.m2m_client_id else "code"
    args.flows = set((args.flows or default).split(","))
    required = ["base", "pool_id"]
    if "code" in args.flows:
        required += ["client_id", "redirect_uri", "username", "password"]
    if "client_credentials" in args.flows:
        required += ["m2m_client_id", "m2m_client_secret", "m2m_scope"]
    missing = [f"--{n.replace('_', '-')}" for n in required if not getattr(args, n)]
    if missing:
        p.error("missing " + ", ".join(missing))
    args.base = args.base.rstrip("/")
    return args


class FormParser:
    """The one login form: its method, action and inputs (regex over the page, no DOM needed)."""

    ATTR = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")

    @classmethod
    def attrs(cls, tag):
        return {
            m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in cls.ATTR.finditer(tag)
        }

    @classmethod
    def parse(cls, page, page_url):
        forms = re.findall(r"<form\b[^>]*>", page, re.I)
        check(len(forms) == 1, "the login page has one form", len(forms))
        form = cls.attrs(forms[0])
        inputs = {}
        for tag in re.findall(r"<input\b[^>]*>", page, re.I):
            a = cls.attrs(tag)
            if "name" in a:
                inputs[a["name"]] = a
        action = urllib.parse.urljoin(page_url, form.get("action", ""))
        return form.get("method", "get").lower(), action, inputs


def oauth_error(call, what):
    """The OAuth error code a refused call raised."""
    try:
        call()
    except OAuthError as e:
        return e.error
    except requests.HTTPError as e:
        try:
            return e.response.json().get("error")
        except ValueError:
            raise CheckFailed(f"{what}: HTTP {e.response.status_code} without a JSON error")
    raise CheckFailed(f"{what}: expected a refusal, the server accepted it")


class Flow:
    def __init__(self, args):
        self.args = args
        self.issuer = f"{args.base}/{args.pool_id}"
        self.browser = requests.Session()
        self.browser.headers["User-Agent"] = "latchkey-oidc-authlib"
        self.meta = None
        self.jwks = None

    def session(self, **kw):
        a = self.args
        auth = "client_secret_basic" if a.client_secret else "none"
        return OAuth2Session(
            a.client_id,
            a.client_secret,
            scope=SCOPES,
            redirect_uri=a.redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method=auth,
            **kw,
        )

    def discover(self):
        url = f"{self.issuer}/.well-known/openid-configuration"
        print(f"-- discovery: GET {url}", flush=True)
        r = requests.get(url, timeout=10)
        check(r.status_code == 200, "discovery answers 200", r.status_code)
        m = r.json()
        base = self.args.base
        check(m.get("issuer") == self.issuer, "discovery: issuer", m.get("issuer"))
        for key, value in {
            "authorization_endpoint": f"{base}/oauth2/authorize",
            "token_endpoint": f"{base}/oauth2/token",
            "userinfo_endpoint": f"{base}/oauth2/userInfo",
            "revocation_endpoint": f"{base}/oauth2/revoke",
            "end_session_endpoint": f"{base}/logout",
        }.items():
            check(m.get(key) == value, f"discovery: {key}", m.get(key))
        check("S256" in m.get("code_challenge_methods_supported", []), "discovery: S256")
        self.meta = m
        r = requests.get(m["jwks_uri"], timeout=10)
        check(r.status_code == 200 and r.json().get("keys"), "the JWKS has keys")
        self.jwks = JsonWebKey.import_key_set(r.json())

    def authorize(self, app, *, password=None, expect_login=True):
        """authorize -> (login) -> the callback URL; returns (callback, verifier, nonce, state)."""
        verifier = secrets.token_urlsafe(48)
        nonce = secrets.token_urlsafe(16)
        url, state = app.create_authorization_url(
            self.meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce
        )
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        check(query.get("code_challenge_method") == "S256", "authlib sends S256 PKCE")
        label = "no session" if expect_login else "with the session cookie"
        print(f"-- GET /oauth2/authorize ({label})", flush=True)
        r = self.browser.get(url, allow_redirects=False, timeout=10)
        check(r.status_code == 302, "/oauth2/authorize redirects (302)", r.status_code)
        nxt = urllib.parse.urljoin(url, r.headers["Location"])
        if expect_login:
            login = urllib.parse.urlsplit(nxt)
            check(login.path == "/login", "without a session it redirects to /login", nxt)
            kept = dict(urllib.parse.parse_qsl(login.query))
            for p in ("client_id", "redirect_uri", "state", "nonce", "code_challenge", "scope"):
                check(kept.get(p) == query.get(p), f"/login keeps {p}")
            done = self.submit_login(nxt, password or self.args.password)
            if password is not None:
                return done
            check(done.status_code == 302, "POST /login with the right password redirects",
                  f"{done.status_code} {done.text[:200]}")
            check("latchkey-session" in self.browser.cookies, "sign-in sets latchkey-session")
            nxt = urllib.parse.urljoin(nxt, done.headers["Location"])
        check(nxt.startswith(self.args.redirect_uri), "the code comes back to the redirect URI", nxt)
        back = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(nxt).query))
        check(back.get("state") == state, "state comes back unchanged")
        check(back.get("code"), "a code comes back")
        return nxt, verifier, nonce, state

    def submit_login(self, login_url, password):
        r = self.browser.get(login_url, allow_redirects=False, timeout=10)
        check(r.status_code == 200, "GET /login answers 200", r.status_code)
        method, action, inputs = FormParser.parse(r.text, login_url)
        check(method == "post", "the login form posts")
        check(action == login_url, "the form posts back to /login with the same query", action)
        for name in ("_csrf", "username", "password"):
            check(name in inputs, f'the form has an input "{name}"')
        check(inputs["_csrf"].get("type") == "hidden" and inputs["_csrf"].get("value"),
              "_csrf is hidden and set")
        check("XSRF-TOKEN" in self.browser.cookies, "the login page sets the XSRF-TOKEN cookie")
        form = {"_csrf": inputs["_csrf"]["value"], "username": self.args.username,
                "password": password}
        return self.browser.post(action, data=form, allow_redirects=False, timeout=10)

    def verify_id_token(self, id_token, nonce, access_token):
        claims = jwt.decode(
            id_token,
            self.jwks,
            claims_cls=CodeIDToken,
            claims_options={"iss": {"essential": True, "value": self.issuer}},
            claims_params={"nonce": nonce, "client_id": self.args.client_id,
                           "access_token": access_token},
        )
        claims.validate(leeway=5)  # iss, aud, exp, iat, nonce, at_hash (when present)
        check(True, "ID token verified by authlib jose: signature, iss, aud, exp, nonce")
        check(claims.get("token_use") == "id", "ID token token_use", claims.get("token_use"))
        check(claims.get("cognito:username") == self.args.username, "ID token cognito:username")
        return claims

    def verify_access_token(self, token, client_id):
        claims = jwt.decode(token, self.jwks,
                            claims_options={"iss": {"essential": True, "value": self.issuer}})
        claims.validate(leeway=5)
        check(claims.get("token_use") == "access", "access token verified (authlib jose)")
        check(claims.get("client_id") == client_id, "access token client_id",
              claims.get("client_id"))
        return claims

    def run(self):
        self.discover()
        if "code" in self.args.flows:
            self.code_flow()
        if "client_credentials" in self.args.flows:
            self.client_credentials(self.meta["token_endpoint"])
        print("PASS: authlib", flush=True)

    def code_flow(self):
        a = self.args
        token_url = self.meta["token_endpoint"]

        print("-- a wrong password re-renders the form", flush=True)
        refused = self.authorize(self.session(), password=a.password + "-wrong")
        check(refused.status_code in (200, 400), "wrong password: 200/400, no redirect",
              refused.status_code)
        check("Location" not in refused.headers, "wrong password: no Location")
        check(re.search(r"<form\b", refused.text, re.I), "wrong password: the form again")

        print("-- code flow with PKCE S256 and nonce", flush=True)
        app = self.session()
        callback, verifier, nonce, state = self.authorize(app)
        token = app.fetch_token(token_url, authorization_response=callback,
                                code_verifier=verifier, state=state)
        check(str(token.get("token_type", "")).lower() == "bearer", "token_type Bearer")
        check(int(token.get("expires_in", 0)) > 0, "expires_in")
        check(token.get("refresh_token"), "a refresh token")
        claims = self.verify_id_token(token["id_token"], nonce, token["access_token"])
        access = self.verify_access_token(token["access_token"], a.client_id)
        check(access["sub"] == claims["sub"], "access and ID token name the same sub")
        for s in SCOPES.split():
            check(s in access.get("scope", "").split(), f"access token scope has {s}")

        replay = self.session()
        check(oauth_error(lambda: replay.fetch_token(token_url, authorization_response=callback,
                                                     code_verifier=verifier), "code replay")
              == "invalid_grant", "a used code is refused (invalid_grant)")

        print("-- the session cookie skips the login page; a wrong PKCE verifier is refused",
              flush=True)
        other = self.session()
        callback2, _, _, _ = self.authorize(other, expect_login=False)
        check(oauth_error(lambda: other.fetch_token(
            token_url, authorization_response=callback2, code_verifier=secrets.token_urlsafe(48)),
            "wrong verifier") == "invalid_grant", "a wrong code_verifier is refused (invalid_grant)")

        print("-- userinfo", flush=True)
        r = app.get(self.meta["userinfo_endpoint"], timeout=10)
        check(r.status_code == 200, "userinfo answers 200", r.status_code)
        info = r.json()
        check(info.get("sub") == claims["sub"], "userinfo sub")
        check(info.get("username") == a.username, "userinfo username", info.get("username"))
        check(info.get("email") == claims.get("email"), "userinfo email")
        check(info.get("email_verified") in ("true", "false"),
              'userinfo email_verified is the string "true"/"false"', info.get("email_verified"))
        r = requests.post(self.meta["userinfo_endpoint"], timeout=10,
                          headers={"Authorization": f"Bearer {token['access_token']}"})
        check(r.status_code == 200 and r.json().get("sub") == claims["sub"], "POST userinfo too")

        print("-- refresh", flush=True)
        fresh = app.refresh_token(token_url, refresh_token=token["refresh_token"])
        check(fresh.get("access_token") and fresh.get("id_token"), "refresh: new tokens")
        self.verify_access_token(fresh["access_token"], a.client_id)
        fresh_claims = jwt.decode(fresh["id_token"], self.jwks)
        fresh_claims.validate(leeway=5)
        check(fresh_claims["sub"] == claims["sub"], "refresh: ID token verified, same sub")

        print("-- revocation", flush=True)
        r = app.revoke_token(self.meta["revocation_endpoint"], token=token["refresh_token"],
                             token_type_hint="refresh_token")
        check(r.status_code == 200, "revoke answers 200", f"{r.status_code} {r.text[:200]}")
        check(oauth_error(lambda: self.session().refresh_token(
            token_url, refresh_token=token["refresh_token"]), "refresh after revoke")
              == "invalid_grant", "the revoked refresh token is refused (invalid_grant)")

        print("-- logout", flush=True)
        r = self.browser.get(f"{a.base}/logout", allow_redirects=False, timeout=10,
                             params={"client_id": a.client_id, "logout_uri": a.redirect_uri})
        check(r.status_code == 302 and r.headers.get("Location") == a.redirect_uri,
              "logout redirects to logout_uri", f"{r.status_code} {r.headers.get('Location')}")
        check("latchkey-session" not in self.browser.cookies, "logout clears latchkey-session")
        r = self.browser.get(f"{a.base}/logout", allow_redirects=False, timeout=10, params={
            "id_token_hint": token["id_token"], "post_logout_redirect_uri": a.redirect_uri,
            "state": "bye"})
        loc = r.headers.get("Location", "")
        check(r.status_code == 302 and loc.startswith(a.redirect_uri) and "state=bye" in loc,
              "RP-initiated logout redirects with state", f"{r.status_code} {loc}")

    def client_credentials(self, token_url):
        a = self.args
        print("-- client_credentials", flush=True)
        for how in ("client_secret_basic", "client_secret_post"):
            m2m = OAuth2Session(a.m2m_client_id, a.m2m_client_secret, scope=a.m2m_scope,
                                token_endpoint_auth_method=how)
            t = m2m.fetch_token(token_url, grant_type="client_credentials")
            check(t.get("access_token") and not t.get("id_token") and not t.get("refresh_token"),
                  f"{how}: an access token only")
            c = self.verify_access_token(t["access_token"], a.m2m_client_id)
            check(c.get("scope") == a.m2m_scope, f"{how}: scope", c.get("scope"))
        bad = OAuth2Session(a.m2m_client_id, "not-the-secret", scope=a.m2m_scope,
                            token_endpoint_auth_method="client_secret_basic")
        check(oauth_error(lambda: bad.fetch_token(token_url, grant_type="client_credentials"),
                          "wrong secret") == "invalid_client",
              "a wrong client secret is refused (invalid_client)")
        odd = OAuth2Session(a.m2m_client_id, a.m2m_client_secret, scope="no-such/scope",
                            token_endpoint_auth_method="client_secret_basic")
        check(oauth_error(lambda: odd.fetch_token(token_url, grant_type="client_credentials"),
                          "unknown scope") == "invalid_scope",
              "an unknown scope is refused (invalid_scope)")


def main():
    args = parse_args()
    try:
        Flow(args).run()
    except CheckFailed as e:
        print(f"FAIL: {e}", file=sys.stderr)
        sys.exit(1)
    except Exception as e:  # a client library error is a failed check too
        traceback.print_exc()
        print(f"FAIL: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
