#!/usr/bin/env python3
"""Drives the real pycognito client (with pyotp for TOTP) against a running Latchkey server.

    .venv-clients/bin/python tests/clients/pycognito_check.py \
        --endpoint http://127.0.0.1:9229 --pool-id us-east-1_AbC12dEf3 --client-id CLIENT_ID

Users, extra clients and MFA pools are made with plain JSON calls to the server; everything
a user does goes through pycognito (AWSSRP, Cognito) or, where pycognito has no helper (the
MFA_SETUP journey), through the boto3 client pycognito itself uses. pycognito is pointed at
the server with boto3_client_kwargs={"endpoint_url": ...}, which also makes it fetch the JWKS
from {endpoint}/{poolId}/.well-known/jwks.json and expect iss = {endpoint}/{poolId}: the
server's default issuer, so no --issuer-base-url is needed.

Prints one PASS/FAIL line per check and a closing 'pycognito: N passed, N failed' line;
exits 1 when any check failed. Install the clients with scripts/clients.sh.
"""

import argparse
import datetime
import json
import os
import sys
import time
import traceback
import types
import urllib.error
import urllib.request
import uuid

import boto3
import pycognito.aws_srp
import pyotp
from botocore.config import Config
from botocore.exceptions import ClientError
from pycognito import Cognito
from pycognito.aws_srp import AWSSRP
from pycognito.exceptions import SoftwareTokenMFAChallengeException

PASSWORD = "Correct-Horse-9!"
TARGET = "AWSCognitoIdentityProviderService."
AUTH_FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


class CheckFailed(Exception):
    """A check's expectation did not hold."""


def expect(cond, message):
    if not cond:
        raise CheckFailed(message)


class Server:
    """Plain awsJson1.1 calls to the server, for setup only (no SigV4: the local server
    does not require it)."""

    def __init__(self, endpoint):
        self.endpoint = endpoint.rstrip("/")

    def call(self, op, body):
        req = urllib.request.Request(
            self.endpoint + "/",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": TARGET + op},
            method="POST",
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as e:
            raise CheckFailed(f"setup {op} {json.dumps(body)} -> HTTP {e.code} {e.read().decode()}")

    def mfa_pool(self, mfa, **extra):
        """A new pool with MfaConfiguration `mfa` and a no-secret SRP client."""
        name = f"pyc-{mfa.lower()}-{uuid.uuid4().hex[:6]}"
        pool = self.call("CreateUserPool", {"PoolName": name, "MfaConfiguration": mfa, **extra})
        pool_id = pool["UserPool"]["Id"]
        return pool_id, self.new_client(pool_id)

    def new_client(self, pool_id):
        out = self.call(
            "CreateUserPoolClient",
            {
                "UserPoolId": pool_id,
                "ClientName": "pycognito-check",
                "ExplicitAuthFlows": AUTH_FLOWS,
                "PreventUserExistenceErrors": "ENABLED",
            },
        )
        return out["UserPoolClient"]["ClientId"]

    def sign_up_confirmed(self, pool_id, client_id, username, email):
        """SignUp + AdminConfirmSignUp."""
        self.call(
            "SignUp",
            {
                "ClientId": client_id,
                "Username": username,
                "Password": PASSWORD,
                "UserAttributes": [{"Name": "email", "Value": email}],
            },
        )
        self.call("AdminConfirmSignUp", {"UserPoolId": pool_id, "Username": username})

    def admin_user(self, pool_id, username, email=None):
        """AdminCreateUser (no message) + AdminSetUserPassword Permanent."""
        attrs = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
        self.call(
            "AdminCreateUser",
            {
                "UserPoolId": pool_id,
                "Username": username,
                "MessageAction": "SUPPRESS",
                "UserAttributes": attrs if email else [],
            },
        )
        self.call(
            "AdminSetUserPassword",
            {"UserPoolId": pool_id, "Username": username, "Password": PASSWORD, "Permanent": True},
        )


class Totp:
    """pyotp codes that never reuse a 30 s step: the next code is for the current step, or the
    step after the last one used (the adjacent future step), waiting when that is further."""

    def __init__(self, secret):
        self.totp = pyotp.TOTP(secret)
        self.last = None

    def code(self):
        now = int(time.time()) // 30
        step = now if self.last is None else max(now, self.last + 1)
        if step > now + 1:
            time.sleep(max(0.0, (step - 1) * 30 - time.time() + 0.5))
        self.last = step
        return self.totp.at(step * 30)

    def wrong(self):
        """A 6-digit code valid for no step near now."""
        near = {self.totp.at(time.time() + d * 30) for d in range(-2, 3)}
        return next(c for c in ("000000", "111111", "123456", "654321") if c not in near)


class Checks:
    def __init__(self, args):
        self.endpoint = args.endpoint.rstrip("/")
        self.pool_id = args.pool_id
        self.client_id = args.client_id
        self.region = args.region or args.pool_id.split("_")[0]
        self.server = Server(self.endpoint)
        self.tag = uuid.uuid4().hex[:8]
        self.passed = 0
        self.failed = 0
        self.boto = boto3.client(
            "cognito-idp",
            endpoint_url=self.endpoint,
            region_name=self.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"total_max_attempts": 1}),
        )

    def run(self, name, fn):
        try:
            detail = fn()
            self.passed += 1
            print(f"PASS {name}" + (f": {detail}" if detail else ""), flush=True)
        except ClientError as e:
            self.failed += 1
            err = e.response.get("Error", {})
            print(f"FAIL {name}: {e.operation_name} -> {err.get('Code')}: {err.get('Message')}")
        except Exception as e:  # noqa: BLE001 - every failure is reported, none stops the run
            self.failed += 1
            print(f"FAIL {name}: {type(e).__name__}: {e}")
            traceback.print_exc(limit=3, file=sys.stdout)
        sys.stdout.flush()

    def cognito(self, pool_id, client_id, username):
        """pycognito's high-level object, pointed at the server (JWKS and issuer included)."""
        return Cognito(
            pool_id,
            client_id,
            user_pool_region=self.region,
            username=username,
            boto3_client_kwargs={
                "endpoint_url": self.endpoint,
                "aws_access_key_id": "testing",
                "aws_secret_access_key": "testing",
                "config": Config(retries={"total_max_attempts": 1}),
            },
        )

    def srp(self, pool_id, client_id, username, password):
        return AWSSRP(username, password, pool_id, client_id, client=self.boto).authenticate_user()

    def expect_error(self, code, fn):
        try:
            fn()
        except ClientError as e:
            got = e.response["Error"]["Code"]
            expect(got == code, f"expected {code}, got {got}: {e.response['Error'].get('Message')}")
            return f"{code}: {e.response['Error'].get('Message')}"
        raise CheckFailed(f"expected {code}, the call succeeded")

    # ----- checks --------------------------------------------------------------------------

    def all(self):
        user = f"pyc-srp-{self.tag}"
        self.run("setup: SignUp + AdminConfirmSignUp", lambda: self.server.sign_up_confirmed(
            self.pool_id, self.client_id, user, f"{user}@example.com"))
        self.run("AWSSRP.authenticate_user, right password -> tokens", lambda: self.srp_ok(user))
        self.run("AWSSRP.authenticate_user, wrong password -> NotAuthorizedException",
                 lambda: self.expect_error("NotAuthorizedException", lambda: self.srp(
                     self.pool_id, self.client_id, user, PASSWORD + "x")))
        self.run("SRP: the same PASSWORD_VERIFIER answer twice -> tokens once", lambda: self.srp_replay(user))
        self.run("SRP: a TIMESTAMP from 2001 -> NotAuthorizedException",
                 lambda: self.srp_old_timestamp(user))
        self.run("Cognito.authenticate verifies ID and access tokens against the JWKS",
                 lambda: self.cognito_ok(user))
        self.run("unknown user (PreventUserExistenceErrors=ENABLED)", self.unknown_user)
        self.run("email-as-username pool: USER_ID_FOR_SRP is the internal id", self.email_pool)
        self.run("TOTP: associate, verify, prefer, SOFTWARE_TOKEN_MFA sign-in", self.totp_flow)
        self.run("MFA ON: MFA_SETUP journey to tokens, then SOFTWARE_TOKEN_MFA", self.mfa_setup)
        self.run("SMS MFA preference without a sender -> InvalidParameterException", self.sms_pref)
        print(f"pycognito: {self.passed} passed, {self.failed} failed", flush=True)
        return self.failed == 0

    def srp_ok(self, user):
        tokens = self.srp(self.pool_id, self.client_id, user, PASSWORD)
        result = tokens.get("AuthenticationResult") or {}
        for key in ("IdToken", "AccessToken", "RefreshToken"):
            expect(result.get(key), f"no {key} in {json.dumps(tokens)[:300]}")
        expect(result.get("TokenType") == "Bearer", f"TokenType {result.get('TokenType')}")
        return f"ExpiresIn={result.get('ExpiresIn')}"

    def srp_answer(self, user, now=None):
        """InitiateAuth USER_SRP_AUTH and pycognito's PASSWORD_VERIFIER answer to it (signed
        with a TIMESTAMP of `now`, default the real time)."""
        aws = AWSSRP(user, PASSWORD, self.pool_id, self.client_id, client=self.boto)
        start = self.boto.initiate_auth(
            ClientId=self.client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=aws.get_auth_params())
        if now is None:
            answer = aws.process_challenge(start["ChallengeParameters"], aws.get_auth_params())
        else:
            real = pycognito.aws_srp.datetime

            class Frozen(datetime.datetime):
                @classmethod
                def utcnow(cls):
                    return now

            pycognito.aws_srp.datetime = types.SimpleNamespace(datetime=Frozen)
            try:
                answer = aws.process_challenge(start["ChallengeParameters"], aws.get_auth_params())
            finally:
                pycognito.aws_srp.datetime = real
        return lambda: self.boto.respond_to_auth_challenge(
            ClientId=self.client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=answer)

    def srp_replay(self, user):
        send = self.srp_answer(user)
        first = send()
        expect(first.get("AuthenticationResult", {}).get("AccessToken"), "first answer: tokens")
        refused = self.expect_error("NotAuthorizedException", send)
        self.srp_ok(user)  # a fresh sign-in still works
        return f"second answer: {refused}"

    def srp_old_timestamp(self, user):
        send = self.srp_answer(user, now=datetime.datetime(2001, 9, 9, 1, 46, 40))
        refused = self.expect_error("NotAuthorizedException", send)
        self.srp_ok(user)  # the user is not locked out by it
        return refused

    def cognito_ok(self, user):
        c = self.cognito(self.pool_id, self.client_id, user)
        c.authenticate(password=PASSWORD)  # SRP, then verify_token on both tokens
        expect(c.id_claims["cognito:username"] == user, f"id claims {c.id_claims}")
        expect(c.id_claims["aud"] == self.client_id, "aud")
        expect(c.access_claims["client_id"] == self.client_id, f"access {c.access_claims}")
        expect(c.id_claims["iss"] == f"{self.endpoint}/{self.pool_id}", f"iss {c.id_claims}")
        c.renew_access_token()  # REFRESH_TOKEN_AUTH, verified again
        expect(c.access_claims["username"] == user, "refreshed access token")
        got = c.get_user()  # GetUser with the refreshed access token
        expect(got.email == f"{user}@example.com", f"GetUser email {got._data}")
        return f"iss={c.id_claims['iss']}; refreshed and GetUser ok"

    def unknown_user(self):
        client_id = self.server.new_client(self.pool_id)
        name = f"nobody-{self.tag}"
        salts = []
        for _ in range(2):
            a = AWSSRP(name, PASSWORD, self.pool_id, client_id, client=self.boto)
            r = self.boto.initiate_auth(AuthFlow="USER_SRP_AUTH", ClientId=client_id,
                                        AuthParameters=a.get_auth_params())
            expect(r["ChallengeName"] == "PASSWORD_VERIFIER", f"challenge {r.get('ChallengeName')}")
            salts.append(r["ChallengeParameters"]["SALT"])
        expect(salts[0] == salts[1], f"SALT differs between attempts: {salts}")
        return self.expect_error("NotAuthorizedException",
                                 lambda: self.srp(self.pool_id, client_id, name, PASSWORD))

    def email_pool(self):
        pool = self.server.call("CreateUserPool", {
            "PoolName": f"pyc-email-{self.tag}", "UsernameAttributes": ["email"],
            "AutoVerifiedAttributes": ["email"]})
        pool_id = pool["UserPool"]["Id"]
        client_id = self.server.new_client(pool_id)
        email = f"pyc-{self.tag}@example.com"
        self.server.admin_user(pool_id, email, email)
        aws = AWSSRP(email, PASSWORD, pool_id, client_id, client=self.boto)
        first = self.boto.initiate_auth(AuthFlow="USER_SRP_AUTH", ClientId=client_id,
                                        AuthParameters=aws.get_auth_params())
        user_id = first["ChallengeParameters"]["USER_ID_FOR_SRP"]
        expect(user_id != email, "USER_ID_FOR_SRP should be the internal username, not the email")
        c = self.cognito(pool_id, client_id, email)
        c.authenticate(password=PASSWORD)
        expect(c.id_claims["email"] == email, f"id claims {c.id_claims}")
        expect(c.id_claims["cognito:username"] == user_id, "cognito:username != USER_ID_FOR_SRP")
        return f"USER_ID_FOR_SRP={user_id}"

    def totp_flow(self):
        pool_id, client_id = self.server.mfa_pool("OPTIONAL")
        user = f"pyc-totp-{self.tag}"
        self.server.admin_user(pool_id, user, f"{user}@example.com")
        c = self.cognito(pool_id, client_id, user)
        c.authenticate(password=PASSWORD)
        totp = Totp(c.associate_software_token())
        expect(c.verify_software_token(totp.code(), "pyotp"), "VerifySoftwareToken not SUCCESS")
        c.set_user_mfa_preference(False, True, "SOFTWARE_TOKEN")

        # A wrong code is refused (on a session of its own).
        c2 = self.cognito(pool_id, client_id, user)
        try:
            c2.authenticate(password=PASSWORD)
            raise CheckFailed("sign-in with TOTP enabled gave tokens, not SOFTWARE_TOKEN_MFA")
        except SoftwareTokenMFAChallengeException as e:
            wrong = self.expect_error("CodeMismatchException",
                                      lambda: c2.respond_to_software_token_mfa_challenge(
                                          totp.wrong(), e.get_tokens()))

        c3 = self.cognito(pool_id, client_id, user)
        try:
            c3.authenticate(password=PASSWORD)
            raise CheckFailed("sign-in with TOTP enabled gave tokens, not SOFTWARE_TOKEN_MFA")
        except SoftwareTokenMFAChallengeException as e:
            tokens = e.get_tokens()
            expect(tokens.get("Session"), "SOFTWARE_TOKEN_MFA without Session")
            c3.respond_to_software_token_mfa_challenge(totp.code())
        expect(c3.id_claims["cognito:username"] == user, "tokens after TOTP")
        return f"wrong code -> {wrong}"

    def mfa_setup(self):
        pool_id, client_id = self.server.mfa_pool("ON")
        user = f"pyc-setup-{self.tag}"
        self.server.admin_user(pool_id, user, f"{user}@example.com")
        # AWSSRP returns MFA_SETUP as is (only the MFA challenges raise).
        r = self.srp(pool_id, client_id, user, PASSWORD)
        expect(r.get("ChallengeName") == "MFA_SETUP", f"expected MFA_SETUP, got {json.dumps(r)[:300]}")
        can = r["ChallengeParameters"].get("MFAS_CAN_SETUP")
        expect(json.loads(can) == ["SOFTWARE_TOKEN_MFA"], f"MFAS_CAN_SETUP {can!r}")
        assoc = self.boto.associate_software_token(Session=r["Session"])
        expect(assoc.get("Session"), "AssociateSoftwareToken(Session) returned no new Session")
        totp = Totp(assoc["SecretCode"])
        ver = self.boto.verify_software_token(Session=assoc["Session"],
                                              UserCode=totp.code(), FriendlyDeviceName="pyotp")
        expect(ver["Status"] == "SUCCESS" and ver.get("Session"), f"VerifySoftwareToken {ver}")
        done = self.boto.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="MFA_SETUP", Session=ver["Session"],
            ChallengeResponses={"USERNAME": r["ChallengeParameters"].get("USERNAME", user)})
        c = self.cognito(pool_id, client_id, user)
        c._set_tokens(done)  # pycognito's own verification of the returned tokens
        expect(c.id_claims["cognito:username"] == user, "tokens after MFA_SETUP")

        c2 = self.cognito(pool_id, client_id, user)
        try:
            c2.authenticate(password=PASSWORD)
            raise CheckFailed("second sign-in gave tokens without SOFTWARE_TOKEN_MFA")
        except SoftwareTokenMFAChallengeException:
            c2.respond_to_software_token_mfa_challenge(totp.code())
        expect(c2.access_claims["username"] == user, "tokens after SOFTWARE_TOKEN_MFA")
        return "MFA_SETUP -> tokens; next sign-in SOFTWARE_TOKEN_MFA -> tokens"

    def sms_pref(self):
        pool_id, client_id = self.server.mfa_pool("OPTIONAL")
        user = f"pyc-sms-{self.tag}"
        self.server.admin_user(pool_id, user, f"{user}@example.com")
        c = self.cognito(pool_id, client_id, user)
        c.authenticate(password=PASSWORD)
        return self.expect_error("InvalidParameterException",
                                 lambda: c.set_user_mfa_preference(True, False, "SMS"))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--endpoint", required=True, help="server URL, e.g. http://127.0.0.1:9229")
    p.add_argument("--pool-id", required=True, help="a pool whose client allows USER_SRP_AUTH")
    p.add_argument("--client-id", required=True, help="an app client without a secret")
    p.add_argument("--region", help="defaults to the pool id's prefix")
    args = p.parse_args()
    for var in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"):
        os.environ.pop(var, None)
    os.environ.pop("COGNITO_JWKS", None)  # pycognito must fetch the server's JWKS
    sys.exit(0 if Checks(args).all() else 1)


if __name__ == "__main__":
    main()
