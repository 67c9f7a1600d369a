#!/usr/bin/env python3
"""Writes events/: one API Gateway v2 (HTTP API, payload 2.0) request event per route and
protocol, for `cargo lambda invoke --data-file` and `sam local invoke -e`.

The signed cognito-api events are signed by botocore (the AWS SDK for Python) with the example
admin key below, at a fixed time, so the files are reproducible. Ids and tokens in the bodies are
placeholders (EXAMPLE_*): against a fresh deployment they answer ResourceNotFound or
NotAuthorized; functions/tests/events.rs replaces them with a live fixture's values.

Run: python3 functions/tests/gen_events.py   (needs botocore: pip install botocore)
"""

import base64
import datetime
import hashlib
import json
import os
import urllib.parse
import zlib

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "events")
API_ID = "abcdef1234"
HOST = f"{API_ID}.execute-api.us-east-1.amazonaws.com"
# 2025-01-01T00:00:00Z: the time every event (and every signature) carries.
EPOCH = 1735689600
ADMIN_KEY_ID = "LKIAEXAMPLEADMIN0001"
ADMIN_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

POOL = "us-east-1_EXAMPLE01"
CLIENT = "exampleclientid000000000a"
IPOOL = "us-east-1:00000000-0000-4000-8000-000000000001"
IDENTITY = "us-east-1:00000000-0000-4000-8000-0000000000a1"
PROVIDER = f"cognito-idp.us-east-1.amazonaws.com/{POOL}"
IDP = "AWSCognitoIdentityProviderService."
IDN = "AWSCognitoIdentityService."

botocore.auth.get_current_datetime = lambda: datetime.datetime.fromtimestamp(
    EPOCH, datetime.timezone.utc
).replace(tzinfo=None)


def event(method, path, body=None, headers=None, route=None, iam=False, path_params=None,
          query=None, cookies=None, b64=False):
    """One request event. `query` is the raw query string, `cookies` the request's cookies
    (API Gateway v2 moves them out of `headers` into `cookies`), `b64` sends the body
    base64-encoded, as API Gateway does with form posts."""
    h = {
        "accept": "*/*",
        "host": HOST,
        "user-agent": "example-client/1.0",
        "x-amzn-trace-id": "Root=1-67748580-0123456789abcdef01234567",
        "x-forwarded-for": "203.0.113.10",
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
    }
    h.update(headers or {})
    if body is not None:
        h["content-length"] = str(len(body.encode()))
    ctx = {
        "accountId": "123456789012",
        "apiId": API_ID,
        "domainName": HOST,
        "domainPrefix": API_ID,
        "http": {
            "method": method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": "203.0.113.10",
            "userAgent": h["user-agent"],
        },
        "requestId": "EXAMPLErequestId0=",
        "routeKey": route or f"{method} {path}",
        "stage": "$default",
        "time": "01/Jan/2025:00:00:00 +0000",
        "timeEpoch": EPOCH * 1000,
    }
    if iam:
        ctx["authorizer"] = {
            "iam": {
                "accessKey": "AKIAIOSFODNN7EXAMPLE",
                "accountId": "123456789012",
                "callerId": "AIDAEXAMPLECALLERID01",
                "cognitoIdentity": None,
                "principalOrgId": None,
                "userArn": "arn:aws:iam::123456789012:user/latchkey-admin",
                "userId": "AIDAEXAMPLECALLERID01",
            }
        }
    ev = {
        "version": "2.0",
        "routeKey": ctx["routeKey"],
        "rawPath": path,
        "rawQueryString": query or "",
        "headers": h,
        "requestContext": ctx,
        "isBase64Encoded": False,
    }
    if cookies:
        ev["cookies"] = cookies
    if b64:
        ev["isBase64Encoded"] = True
    if query:
        params = {}
        for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True):
            params[k] = f"{params[k]},{v}" if k in params else v
        ev["queryStringParameters"] = params
    if path_params:
        ev["pathParameters"] = path_params
    if body is not None:
        ev["body"] = base64.b64encode(body.encode()).decode() if b64 else body
    return ev


def rest(path, payload):
    return event("POST", path, json.dumps(payload), {"content-type": "application/json"})


def target(path, tgt, payload, **kw):
    headers = {"content-type": "application/x-amz-json-1.1", "x-amz-target": tgt}
    return event("POST", path, json.dumps(payload), headers, **kw)


def signed(tgt, payload, secret=ADMIN_SECRET, key_id=ADMIN_KEY_ID):
    body = json.dumps(payload)
    service = "cognito-idp" if tgt.startswith(IDP) else "cognito-identity"
    req = AWSRequest(
        method="POST",
        url=f"https://{HOST}/",
        data=body.encode(),
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": tgt, "Host": HOST},
    )
    botocore.auth.SigV4Auth(Credentials(key_id, secret), service, "us-east-1").add_auth(req)
    headers = {k.lower(): v for k, v in req.headers.items()}
    return event("POST", "/", body, headers)


ALICE = {"ClientId": CLIENT, "AuthFlow": "USER_PASSWORD_AUTH",
         "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!"}}
REFRESH = {"ClientId": CLIENT, "AuthFlow": "REFRESH_TOKEN_AUTH",
           "AuthParameters": {"REFRESH_TOKEN": "EXAMPLE_REFRESH_TOKEN"}}


def sign_up(name):
    return {"ClientId": CLIENT, "Username": name, "Password": "Passw0rd!",
            "UserAttributes": [{"Name": "email", "Value": f"{name}@example.com"}]}


CONFIRM = {"ClientId": CLIENT, "Username": "bob", "ConfirmationCode": "123456"}
RESEND = {"ClientId": CLIENT, "Username": "bob"}
NEW_PASSWORD = {"ClientId": CLIENT, "ChallengeName": "NEW_PASSWORD_REQUIRED",
                "Session": "EXAMPLE_SESSION_0000000000",
                "ChallengeResponses": {"USERNAME": "erin", "NEW_PASSWORD": "N3wPassw0rd!"}}
LOGINS = {PROVIDER: "EXAMPLE_ID_TOKEN"}

# The hosted UI: the fixture's client is registered with these URLs (functions/tests/support.rs).
CALLBACK = "https://app.example.com/callback"
SIGNED_OUT = "https://app.example.com/signed-out"
# PKCE (RFC 7636): the verifier and its S256 challenge.
VERIFIER = "EXAMPLEverifier0123456789abcdefghijklmnopqrstuvwxyz"
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).decode().rstrip("=")
AUTHORIZE = urllib.parse.urlencode([
    ("response_type", "code"), ("client_id", CLIENT), ("redirect_uri", CALLBACK),
    ("scope", "openid email profile"), ("state", "EXAMPLEstate"),
    ("code_challenge", CHALLENGE), ("code_challenge_method", "S256"),
])
# The CSRF double-submit pair: any value, as long as cookie and form field agree.
CSRF = "EXAMPLEcsrf000000000000000000000000000000000"
FORM = {"content-type": "application/x-www-form-urlencoded"}
PAGE = {"accept": "text/html"}


def page(path, query=None, cookies=None):
    return event("GET", path, headers=PAGE, query=query, cookies=cookies)


def form(path, pairs, query=None, cookies=None, b64=False, headers=None):
    return event("POST", path, urllib.parse.urlencode(pairs), {**FORM, **(headers or {})},
                 query=query, cookies=cookies, b64=b64)


def bearer(method, token):
    return event(method, "/oauth2/userInfo", headers={"authorization": f"Bearer {token}"})

# SAML messages for the SAML endpoints' events (unsigned: the forged RelayState is refused
# before any signature is looked at).
SAML_RESPONSE = base64.b64encode(
    b'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_example" '
    b'Version="2.0" IssueInstant="2025-01-01T00:00:00Z"/>').decode()
SAML_LOGOUT = ('<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
               'ID="_example" Version="2.0" IssueInstant="2025-01-01T00:00:00Z" '
               'InResponseTo="_example_request"><samlp:Status><samlp:StatusCode '
               'Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>'
               '</samlp:LogoutResponse>')
_deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
SAML_LOGOUT_REDIRECT = base64.b64encode(
    _deflate.compress(SAML_LOGOUT.encode()) + _deflate.flush()).decode()

EVENTS = {
    "sign-up/rest-sign-up.json": rest("/sign-up", sign_up("carol")),
    "sign-up/rest-confirm.json": rest("/sign-up/confirm", CONFIRM),
    "sign-up/rest-resend.json": rest("/sign-up/resend", RESEND),
    "sign-up/target-sign-up.json": target("/sign-up", IDP + "SignUp", sign_up("dave")),
    "sign-up/target-confirm-sign-up.json":
        target("/sign-up/confirm", IDP + "ConfirmSignUp", CONFIRM),
    "sign-up/target-resend-confirmation-code.json":
        target("/sign-up/resend", IDP + "ResendConfirmationCode", RESEND),
    "sign-up/wrong-function-initiate-auth.json":
        target("/sign-up", IDP + "InitiateAuth", ALICE),
    "sign-up/get-confirm-user-forged-code.json":
        page("/confirmUser", query="client_id=exampleclientid000000000a&user_name=bob"
             "&confirmation_code=000000"),
    "sign-in/rest-sign-in.json": rest("/sign-in", ALICE),
    "sign-in/target-initiate-auth.json": target("/sign-in", IDP + "InitiateAuth", ALICE),
    "sign-in/target-respond-to-auth-challenge.json":
        target("/sign-in", IDP + "RespondToAuthChallenge", NEW_PASSWORD),
    "sign-in/wrong-function-refresh.json": target("/sign-in", IDP + "InitiateAuth", REFRESH),
    "token-refresh/rest-refresh.json":
        rest("/token/refresh", {"ClientId": CLIENT,
                                "AuthParameters": {"REFRESH_TOKEN": "EXAMPLE_REFRESH_TOKEN"}}),
    "token-refresh/target-initiate-auth-refresh.json":
        target("/token/refresh", IDP + "InitiateAuth", REFRESH),
    "token-refresh/target-get-tokens-from-refresh-token.json":
        target("/token/refresh", IDP + "GetTokensFromRefreshToken",
               {"ClientId": CLIENT, "RefreshToken": "EXAMPLE_REFRESH_TOKEN"}),
    "token-refresh/target-revoke-token.json":
        target("/token/refresh", IDP + "RevokeToken",
               {"ClientId": CLIENT, "Token": "EXAMPLE_REFRESH_TOKEN"}),
    "token-refresh/target-global-sign-out.json":
        target("/token/refresh", IDP + "GlobalSignOut", {"AccessToken": "EXAMPLE_ACCESS_TOKEN"}),
    "credentials/target-get-id.json":
        target("/credentials", IDN + "GetId", {"IdentityPoolId": IPOOL, "Logins": LOGINS}),
    "credentials/target-get-credentials-for-identity.json":
        target("/credentials", IDN + "GetCredentialsForIdentity",
               {"IdentityId": IDENTITY, "Logins": LOGINS}),
    "credentials/target-get-open-id-token.json":
        target("/credentials", IDN + "GetOpenIdToken", {"IdentityId": IDENTITY, "Logins": LOGINS}),
    "jwks/pool-jwks.json":
        event("GET", f"/{POOL}/.well-known/jwks.json", route="GET /{poolId}/.well-known/jwks.json",
              path_params={"poolId": POOL}),
    "jwks/pool-openid-configuration.json":
        event("GET", f"/{POOL}/.well-known/openid-configuration",
              route="GET /{poolId}/.well-known/openid-configuration",
              path_params={"poolId": POOL}),
    "jwks/identity-jwks.json":
        event("GET", "/cognito-identity/.well-known/jwks.json",
              route="GET /{poolId}/.well-known/jwks.json",
              path_params={"poolId": "cognito-identity"}),
    "jwks/identity-openid-configuration.json":
        event("GET", "/cognito-identity/.well-known/openid-configuration",
              route="GET /{poolId}/.well-known/openid-configuration",
              path_params={"poolId": "cognito-identity"}),
    "cognito-api/target-sign-up.json": target("/", IDP + "SignUp", sign_up("frank")),
    "cognito-api/target-initiate-auth.json": target("/", IDP + "InitiateAuth", ALICE),
    "cognito-api/target-get-user.json":
        target("/", IDP + "GetUser", {"AccessToken": "EXAMPLE_ACCESS_TOKEN"}),
    "cognito-api/target-get-id.json":
        target("/", IDN + "GetId", {"IdentityPoolId": IPOOL, "Logins": LOGINS}),
    "cognito-api/signed-list-user-pools.json":
        signed(IDP + "ListUserPools", {"MaxResults": 10}),
    "cognito-api/signed-create-user-pool.json":
        signed(IDP + "CreateUserPool", {"PoolName": "signed-example"}),
    "cognito-api/signed-list-identity-pools.json":
        signed(IDN + "ListIdentityPools", {"MaxResults": 10}),
    "cognito-api/unsigned-admin-get-user.json":
        target("/", IDP + "AdminGetUser", {"UserPoolId": POOL, "Username": "alice"}),
    "cognito-api/bad-signature-list-user-pools.json":
        signed(IDP + "ListUserPools", {"MaxResults": 10}, secret="not-the-admin-secret"),
    "cognito-api/unknown-key-list-user-pools.json":
        signed(IDP + "ListUserPools", {"MaxResults": 10}, key_id="AKIAUNKNOWNEXAMPLE01"),
    "admin/target-admin-get-user.json":
        target("/admin", IDP + "AdminGetUser", {"UserPoolId": POOL, "Username": "alice"}, iam=True),
    "admin/target-admin-create-user.json":
        target("/admin", IDP + "AdminCreateUser",
               {"UserPoolId": POOL, "Username": "grace", "MessageAction": "SUPPRESS"}, iam=True),
    "admin/target-list-user-pools.json":
        target("/admin", IDP + "ListUserPools", {"MaxResults": 10}, iam=True),
    "admin/target-create-identity-pool.json":
        target("/admin", IDN + "CreateIdentityPool",
               {"IdentityPoolName": "admin_example", "AllowUnauthenticatedIdentities": False},
               iam=True),
    "admin/no-iam-admin-get-user.json":
        target("/admin", IDP + "AdminGetUser", {"UserPoolId": POOL, "Username": "alice"}),
    "admin/wrong-function-sign-up.json":
        target("/admin", IDP + "SignUp", sign_up("heidi"), iam=True),
    "hosted-ui/get-authorize.json": page("/oauth2/authorize", query=AUTHORIZE),
    "hosted-ui/get-login.json": page("/login", query=AUTHORIZE),
    "hosted-ui/post-login.json":
        form("/login", [("_csrf", CSRF), ("username", "alice"), ("password", "Passw0rd!")],
             query=AUTHORIZE, cookies=[f"XSRF-TOKEN={CSRF}"], b64=True),
    "hosted-ui/post-login-bad-csrf.json":
        form("/login", [("_csrf", "EXAMPLEnotthecookie"), ("username", "alice"),
                        ("password", "Passw0rd!")],
             query=AUTHORIZE, cookies=[f"XSRF-TOKEN={CSRF}"], b64=True),
    "hosted-ui/post-login-challenge.json":
        form("/login/challenge",
             [("_csrf", CSRF), ("challenge", "NEW_PASSWORD_REQUIRED"),
              ("session", "EXAMPLE_SESSION_0000000000"), ("username", "erin"),
              ("new_password", "N3wPassw0rd!")],
             query=AUTHORIZE, cookies=[f"XSRF-TOKEN={CSRF}"]),
    "hosted-ui/post-token-code.json":
        form("/oauth2/token", [("grant_type", "authorization_code"), ("client_id", CLIENT),
                               ("code", "EXAMPLE_AUTH_CODE"), ("redirect_uri", CALLBACK)]),
    "hosted-ui/post-token-forged-code.json":
        form("/oauth2/token", [("grant_type", "authorization_code"), ("client_id", CLIENT),
                               ("code", "EXAMPLEforgedcode"), ("redirect_uri", CALLBACK),
                               ("code_verifier", VERIFIER)]),
    "hosted-ui/post-token-refresh.json":
        form("/oauth2/token", [("grant_type", "refresh_token"), ("client_id", CLIENT),
                               ("refresh_token", "EXAMPLE_REFRESH_TOKEN")]),
    "hosted-ui/get-user-info.json": bearer("GET", "EXAMPLE_OAUTH_ACCESS_TOKEN"),
    "hosted-ui/post-user-info.json": bearer("POST", "EXAMPLE_OAUTH_ACCESS_TOKEN"),
    "hosted-ui/get-user-info-api-token.json": bearer("GET", "EXAMPLE_ACCESS_TOKEN"),
    "hosted-ui/post-revoke.json":
        form("/oauth2/revoke", [("token", "EXAMPLE_REFRESH_TOKEN"), ("client_id", CLIENT)]),
    "hosted-ui/get-logout.json":
        page("/logout", query=urllib.parse.urlencode([("client_id", CLIENT),
                                                      ("logout_uri", SIGNED_OUT)]),
             cookies=["latchkey-session=EXAMPLE_HOSTED_SESSION"]),
    "hosted-ui/get-idpresponse-forged-state.json":
        page("/oauth2/idpresponse",
             query="code=EXAMPLE_PROVIDER_CODE&state=EXAMPLE_FORGED_STATE",
             cookies=["latchkey-idp=EXAMPLE_BINDING_COOKIE_OF_THIS_BROWSER_0000"]),
    "hosted-ui/post-idpresponse-forged-state.json":
        form("/oauth2/idpresponse", [("code", "EXAMPLE_PROVIDER_CODE"),
                                     ("state", "EXAMPLE_FORGED_STATE"), ("user", "{}")],
             cookies=["latchkey-idp=EXAMPLE_BINDING_COOKIE_OF_THIS_BROWSER_0000"]),
    # A SAML provider's answers whose RelayState Latchkey never issued: a page, never a redirect.
    "hosted-ui/post-saml-idpresponse-forged-relay-state.json":
        form("/saml2/idpresponse", [("SAMLResponse", SAML_RESPONSE),
                                    ("RelayState", "EXAMPLE_FORGED_RELAY_STATE")],
             cookies=["latchkey-saml=EXAMPLE_BINDING_COOKIE_OF_THIS_BROWSER_0000"]),
    "hosted-ui/get-saml-logout-forged-relay-state.json":
        page("/saml2/logout", query=urllib.parse.urlencode(
            [("SAMLResponse", SAML_LOGOUT_REDIRECT), ("RelayState", "EXAMPLE_FORGED_RELAY_STATE")])),
    "hosted-ui/post-saml-logout-forged-relay-state.json":
        form("/saml2/logout", [("SAMLResponse", base64.b64encode(SAML_LOGOUT.encode()).decode()),
                               ("RelayState", "EXAMPLE_FORGED_RELAY_STATE")]),
    "hosted-ui/wrong-function-initiate-auth.json":
        target("/oauth2/token", IDP + "InitiateAuth", ALICE),
    "hosted-ui/get-signup.json": page("/signup", query=AUTHORIZE),
    "hosted-ui/post-signup.json":
        form("/signup", [("_csrf", CSRF), ("username", "ivan"),
                         ("requiredAttributes[email]", "ivan@example.com"),
                         ("password", "Passw0rd!")],
             query=AUTHORIZE, cookies=[f"XSRF-TOKEN={CSRF}"]),
    "hosted-ui/post-confirm-user-forged-code.json":
        form("/confirmUser", [("_csrf", CSRF), ("username", "bob"), ("code", "000000")],
             query=AUTHORIZE, cookies=[f"XSRF-TOKEN={CSRF}"]),
    "hosted-ui/get-forgot-password.json": page("/forgotPassword", query=AUTHORIZE),
    "hosted-ui/post-forgot-password.json":
        form("/forgotPassword", [("_csrf", CSRF), ("username", "alice")],
             query=AUTHORIZE, cookies=[f"XSRF-TOKEN={CSRF}"]),
    "hosted-ui/get-confirm-forgot-password.json":
        page("/confirmForgotPassword", query=AUTHORIZE + "&username=alice"),
    "hosted-ui/post-confirm-forgot-password-forged-code.json":
        form("/confirmForgotPassword", [("_csrf", CSRF), ("username", "alice"),
                                        ("code", "000000"), ("password", "N3wPassw0rd!")],
             query=AUTHORIZE, cookies=[f"XSRF-TOKEN={CSRF}"]),
}

if __name__ == "__main__":
    for name, ev in EVENTS.items():
        path = os.path.join(ROOT, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            json.dump(ev, f, indent=2)
            f.write("\n")
    print(f"wrote {len(EVENTS)} events under {os.path.normpath(ROOT)}")
