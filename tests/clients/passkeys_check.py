#!/usr/bin/env python3
"""Passkeys through boto3 against a running Latchkey server, with a software authenticator.

    .venv-clients/bin/python tests/clients/passkeys_check.py \
        --endpoint http://127.0.0.1:9229 --check register

Every call a user makes is a real Cognito API call through boto3 (StartWebAuthnRegistration,
CompleteWebAuthnRegistration, ListWebAuthnCredentials, DeleteWebAuthnCredential, InitiateAuth
USER_AUTH with PREFERRED_CHALLENGE WEB_AUTHN, RespondToAuthChallenge WEB_AUTHN). The
authenticator below is a real one in software: a P-256 key per credential, CBOR attestation
objects ("none" format), authenticator data with the rp id hash, flags and sign counter, and
DER ECDSA signatures over authenticatorData || SHA-256(clientDataJSON), exactly what a browser
hands a relying party. It can also misbehave on purpose (another origin, another rp id, no
user verification, a counter that goes back), which is what the negative checks need.

(PyPI's soft-webauthn was the first choice; it pins fido2 < 2, whose cryptography < 45 pin
breaks authlib's joserfc in the same client venv, and it can neither verify the user nor
misbehave, so this authenticator is written out here on `cryptography` alone.)

Each --check is one scenario on a fresh pool; prints PASS/FAIL lines and exits 1 on a failure.
"""

import argparse
import base64
import hashlib
import json
import os
import struct
import sys
import traceback
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

PASSWORD = "Correct-Horse-9!"
ORIGIN = "http://localhost:5173"


class CheckFailed(Exception):
    """A check's expectation did not hold."""


def expect(cond, message):
    if not cond:
        raise CheckFailed(message)


def b64(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def cbor(value):
    """The CBOR subset WebAuthn needs: ints, byte and text strings, arrays, maps."""

    def head(major, n):
        if n < 24:
            return bytes([major << 5 | n])
        for extra, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
            if n < 1 << (8 * struct.calcsize(fmt)):
                return bytes([major << 5 | extra]) + struct.pack(fmt, n)
        raise ValueError(n)

    if isinstance(value, bool):
        return b"\xf5" if value else b"\xf4"
    if isinstance(value, int):
        return head(0, value) if value >= 0 else head(1, -1 - value)
    if isinstance(value, bytes):
        return head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode()
        return head(3, len(raw)) + raw
    if isinstance(value, list):
        return head(4, len(value)) + b"".join(cbor(v) for v in value)
    if isinstance(value, dict):
        return head(5, len(value)) + b"".join(cbor(k) + cbor(v) for k, v in value.items())
    raise TypeError(type(value))


class Credential:
    """One credential the authenticator holds."""

    def __init__(self, rp_id, user_handle):
        self.id = os.urandom(32)
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.rp_id = rp_id
        self.user_handle = user_handle
        self.count = 0

    def cose_key(self):
        nums = self.key.public_key().public_numbers()
        return cbor({1: 2, 3: -7, -1: 1, -2: nums.x.to_bytes(32, "big"), -3: nums.y.to_bytes(32, "big")})


class SoftAuthenticator:
    """A platform authenticator in software; `uv` says whether it verifies the user."""

    def __init__(self, uv=True):
        self.uv = uv
        self.credentials = []

    def flags(self, attested):
        return 0x01 | (0x04 if self.uv else 0) | (0x40 if attested else 0)

    def create(self, options, origin=ORIGIN, rp_id=None, reuse=None):
        """navigator.credentials.create(): the RegistrationResponseJSON a browser sends."""
        algs = [p["alg"] for p in options["pubKeyCredParams"]]
        expect(-7 in algs, f"ES256 not offered: {algs}")
        cred = reuse or Credential(options["rp"]["id"], unb64(options["user"]["id"]))
        if reuse is None:
            self.credentials.append(cred)
        client_data = json.dumps(
            {"type": "webauthn.create", "challenge": options["challenge"], "origin": origin, "crossOrigin": False}
        ).encode()
        rp_hash = hashlib.sha256((rp_id or cred.rp_id).encode()).digest()
        auth_data = (
            rp_hash
            + bytes([self.flags(True)])
            + struct.pack(">I", cred.count)
            + b"\x00" * 16
            + struct.pack(">H", len(cred.id))
            + cred.id
            + cred.cose_key()
        )
        attestation = cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": b64(cred.id),
            "rawId": b64(cred.id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64(client_data),
                "attestationObject": b64(attestation),
                "transports": ["internal", "hybrid"],
            },
        }

    def get(self, options, origin=ORIGIN, rp_id=None, cred=None, count=None):
        """navigator.credentials.get(): the AuthenticationResponseJSON a browser sends."""
        allowed = [unb64(c["id"]) for c in options.get("allowCredentials", [])]
        if cred is None:
            cred = next(c for c in self.credentials if c.id in allowed)
        cred.count = cred.count + 1 if count is None else count
        client_data = json.dumps(
            {"type": "webauthn.get", "challenge": options["challenge"], "origin": origin, "crossOrigin": False}
        ).encode()
        rp_hash = hashlib.sha256((rp_id or options["rpId"]).encode()).digest()
        auth_data = rp_hash + bytes([self.flags(False)]) + struct.pack(">I", cred.count)
        signed = auth_data + hashlib.sha256(client_data).digest()
        signature = cred.key.sign(signed, ec.ECDSA(hashes.SHA256()))
        return json.dumps(
            {
                "id": b64(cred.id),
                "rawId": b64(cred.id),
                "type": "public-key",
                "authenticatorAttachment": "platform",
                "clientExtensionResults": {},
                "response": {
                    "authenticatorData": b64(auth_data),
                    "clientDataJSON": b64(client_data),
                    "signature": b64(signature),
                    "userHandle": b64(cred.user_handle),
                },
            }
        )


class Pool:
    """A fresh pool with passkeys on (RelyingPartyId localhost) and a public client."""

    def __init__(self, endpoint, uv="preferred", tags=None):
        self.idp = boto3.client(
            "cognito-idp",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"max_attempts": 1}),
        )
        tags = {"UserPoolTags": tags} if tags else {}
        pool = self.idp.create_user_pool(PoolName=f"passkeys-{uuid.uuid4().hex[:6]}", **tags)
        self.id = pool["UserPool"]["Id"]
        self.idp.update_user_pool(
            UserPoolId=self.id,
            Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}},
            **tags,
        )
        self.idp.set_user_pool_mfa_config(
            UserPoolId=self.id,
            WebAuthnConfiguration={"RelyingPartyId": "localhost", "UserVerification": uv},
        )
        client = self.idp.create_user_pool_client(
            UserPoolId=self.id,
            ClientName="passkeys",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )
        self.client_id = client["UserPoolClient"]["ClientId"]

    def user(self, name):
        """A confirmed user with a password; returns its access token."""
        self.idp.admin_create_user(UserPoolId=self.id, Username=name, MessageAction="SUPPRESS")
        self.idp.admin_set_user_password(UserPoolId=self.id, Username=name, Password=PASSWORD, Permanent=True)
        out = self.idp.initiate_auth(
            ClientId=self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD},
        )
        return out["AuthenticationResult"]["AccessToken"]

    def register(self, token, authenticator, **how):
        options = self.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
        credential = authenticator.create(options, **how)
        self.idp.complete_web_authn_registration(AccessToken=token, Credential=credential)
        return options, credential

    def ask(self, name):
        """USER_AUTH preferring WEB_AUTHN: the challenge's Session and request options."""
        out = self.idp.initiate_auth(
            ClientId=self.client_id,
            AuthFlow="USER_AUTH",
            AuthParameters={"USERNAME": name, "PREFERRED_CHALLENGE": "WEB_AUTHN"},
        )
        expect(out.get("ChallengeName") == "WEB_AUTHN", f"expected WEB_AUTHN, got {out}")
        options = json.loads(out["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
        return out["Session"], options

    def answer(self, name, session, assertion):
        return self.idp.respond_to_auth_challenge(
            ClientId=self.client_id,
            ChallengeName="WEB_AUTHN",
            Session=session,
            ChallengeResponses={"USERNAME": name, "CREDENTIAL": assertion},
        )


def refused(call, code, message_part=None):
    """`call` fails with Cognito error `code` (and a message containing `message_part`)."""
    try:
        out = call()
    except ClientError as e:
        err = e.response["Error"]
        status = e.response["ResponseMetadata"]["HTTPStatusCode"]
        expect(err["Code"] == code, f"expected {code}, got {err['Code']}: {err.get('Message')}")
        expect(status == 400, f"expected HTTP 400, got {status}")
        if message_part:
            expect(message_part in err.get("Message", ""), f"message {err.get('Message')!r}")
        return err
    raise CheckFailed(f"expected {code}, got success: {out}")


def signed_in(out):
    expect("AuthenticationResult" in out, f"expected tokens, got {out}")
    expect(out["AuthenticationResult"].get("AccessToken"), "no access token")


def check_register(endpoint):
    p = Pool(endpoint)
    token = p.user("alice")
    auth = SoftAuthenticator()
    mfa = p.idp.get_user_pool_mfa_config(UserPoolId=p.id)
    expect(
        mfa["WebAuthnConfiguration"] == {"RelyingPartyId": "localhost", "UserVerification": "preferred"},
        f"WebAuthnConfiguration {mfa.get('WebAuthnConfiguration')}",
    )
    factors = p.idp.get_user_auth_factors(AccessToken=token)["ConfiguredUserAuthFactors"]
    expect("WEB_AUTHN" not in factors, f"factors before a passkey {factors}")
    options, credential = p.register(token, auth)
    factors = p.idp.get_user_auth_factors(AccessToken=token)["ConfiguredUserAuthFactors"]
    expect("WEB_AUTHN" in factors, f"factors with a passkey {factors}")
    expect(options["rp"]["id"] == "localhost", f"rp {options['rp']}")
    expect(options["user"]["name"] == "alice" and options["user"]["displayName"] == "alice", f"user {options['user']}")
    expect(options["authenticatorSelection"]["residentKey"] == "required", f"{options['authenticatorSelection']}")
    expect(options["authenticatorSelection"]["userVerification"] == "preferred", f"{options['authenticatorSelection']}")
    expect(options.get("excludeCredentials", []) == [], f"excludeCredentials {options.get('excludeCredentials')}")
    expect(options["timeout"] > 0 and len(unb64(options["challenge"])) >= 16, f"{options}")
    listed = p.idp.list_web_authn_credentials(AccessToken=token)["Credentials"]
    expect(len(listed) == 1, f"listed {listed}")
    c = listed[0]
    expect(c["CredentialId"] == credential["id"], f"{c['CredentialId']} != {credential['id']}")
    expect(c["RelyingPartyId"] == "localhost" and c["AuthenticatorAttachment"] == "platform", f"{c}")
    expect(c["AuthenticatorTransports"] == ["internal", "hybrid"] and c["FriendlyCredentialName"], f"{c}")
    expect(c.get("CreatedAt") is not None, f"{c}")
    # The next registration excludes the passkey already held.
    again = p.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    excluded = [e["id"] for e in again.get("excludeCredentials", [])]
    expect(excluded == [credential["id"]], f"excludeCredentials {excluded}")
    # The earlier answer does not match the new challenge; a spent state answers nothing.
    refused(lambda: p.idp.complete_web_authn_registration(AccessToken=token, Credential=credential),
            "WebAuthnChallengeNotFoundException")
    second = auth.create(again)
    p.idp.complete_web_authn_registration(AccessToken=token, Credential=second)
    refused(lambda: p.idp.complete_web_authn_registration(AccessToken=token, Credential=second),
            "WebAuthnChallengeNotFoundException")
    page = p.idp.list_web_authn_credentials(AccessToken=token, MaxResults=1)
    expect(len(page["Credentials"]) == 1 and page.get("NextToken"), f"page {page}")
    rest = p.idp.list_web_authn_credentials(AccessToken=token, MaxResults=1, NextToken=page["NextToken"])
    expect([c["CredentialId"] for c in rest["Credentials"]] == [second["id"]] and "NextToken" not in rest, f"{rest}")
    # Malformed credentials are a 400, never a 500.
    p.idp.start_web_authn_registration(AccessToken=token)
    refused(lambda: p.idp.complete_web_authn_registration(AccessToken=token, Credential={"id": "x"}),
            "InvalidParameterException")
    refused(lambda: p.idp.complete_web_authn_registration(AccessToken=token, Credential="not json"),
            "InvalidParameterException")
    p.idp.delete_web_authn_credential(AccessToken=token, CredentialId=credential["id"])
    left = p.idp.list_web_authn_credentials(AccessToken=token)["Credentials"]
    expect([c["CredentialId"] for c in left] == [second["id"]], f"left {left}")
    refused(lambda: p.idp.delete_web_authn_credential(AccessToken=token, CredentialId=credential["id"]),
            "ResourceNotFoundException")
    refused(lambda: p.idp.list_web_authn_credentials(AccessToken="not-a-token"), "NotAuthorizedException")


def check_one_owner(endpoint):
    """A credential id registered to one user cannot be registered to another, until the
    first user (and with it the passkey) is deleted."""
    p = Pool(endpoint)
    alice, bob = p.user("alice"), p.user("bob")
    auth = SoftAuthenticator()
    p.register(alice, auth)
    held = auth.credentials[0]
    options = p.idp.start_web_authn_registration(AccessToken=bob)["CredentialCreationOptions"]
    stolen = auth.create(options, reuse=held)
    refused(lambda: p.idp.complete_web_authn_registration(AccessToken=bob, Credential=stolen),
            "InvalidParameterException", "already registered")
    p.idp.admin_delete_user(UserPoolId=p.id, Username="alice")
    options = p.idp.start_web_authn_registration(AccessToken=bob)["CredentialCreationOptions"]
    p.idp.complete_web_authn_registration(AccessToken=bob, Credential=auth.create(options, reuse=held))
    listed = p.idp.list_web_authn_credentials(AccessToken=bob)["Credentials"]
    expect([c["CredentialId"] for c in listed] == [b64(held.id)], f"{listed}")


def check_registration_refusals(endpoint):
    p = Pool(endpoint)
    token = p.user("alice")
    auth = SoftAuthenticator()
    for how, code in (
        ({"origin": "https://evil.example"}, "WebAuthnOriginNotAllowedException"),
        ({"origin": "http://127.0.0.1:5173"}, "WebAuthnOriginNotAllowedException"),
        ({"rp_id": "example.com"}, "WebAuthnRelyingPartyMismatchException"),
    ):
        options = p.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
        bad = auth.create(options, **how)
        refused(lambda: p.idp.complete_web_authn_registration(AccessToken=token, Credential=bad), code)
    # https on any port is the relying party's own origin too.
    p.register(token, auth, origin="https://localhost:8443")
    # No registration in progress.
    p.idp.admin_delete_user(UserPoolId=p.id, Username="alice")
    token = p.user("alice")
    refused(lambda: p.idp.complete_web_authn_registration(AccessToken=token, Credential=bad),
            "WebAuthnChallengeNotFoundException")
    # A pool without a relying party id.
    bare = p.idp.create_user_pool(PoolName="no-rp")["UserPool"]["Id"]
    cid = p.idp.create_user_pool_client(UserPoolId=bare, ClientName="c",
                                        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    cid = cid["UserPoolClient"]["ClientId"]
    p.idp.admin_create_user(UserPoolId=bare, Username="carol", MessageAction="SUPPRESS")
    p.idp.admin_set_user_password(UserPoolId=bare, Username="carol", Password=PASSWORD, Permanent=True)
    t = p.idp.initiate_auth(ClientId=cid, AuthFlow="USER_PASSWORD_AUTH",
                            AuthParameters={"USERNAME": "carol", "PASSWORD": PASSWORD})
    carol = t["AuthenticationResult"]["AccessToken"]
    refused(lambda: p.idp.start_web_authn_registration(AccessToken=carol), "WebAuthnNotEnabledException")
    p.idp.update_user_pool(UserPoolId=bare,
                           Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}})
    refused(lambda: p.idp.start_web_authn_registration(AccessToken=carol), "WebAuthnConfigurationMissingException")
    # A pool domain stands in for the relying party id, as in Cognito.
    prefix = f"pk-{uuid.uuid4().hex[:8]}"
    p.idp.create_user_pool_domain(UserPoolId=bare, Domain=prefix)
    rp = p.idp.start_web_authn_registration(AccessToken=carol)["CredentialCreationOptions"]["rp"]["id"]
    expect(rp.startswith(prefix + ".auth.") and rp.endswith(".amazoncognito.com"), f"rp id {rp}")
    got = p.idp.get_user_pool_mfa_config(UserPoolId=bare)["WebAuthnConfiguration"]
    expect(got == {"UserVerification": "preferred"}, f"default WebAuthnConfiguration {got}")
    refused(lambda: p.idp.set_user_pool_mfa_config(UserPoolId=bare, WebAuthnConfiguration={"UserVerification": "sometimes"}),
            "InvalidParameterException")
    refused(lambda: p.idp.set_user_pool_mfa_config(UserPoolId=bare, WebAuthnConfiguration={"RelyingPartyId": "https://x.example"}),
            "InvalidParameterException")


def check_sign_in(endpoint):
    p = Pool(endpoint)
    token = p.user("alice")
    auth = SoftAuthenticator()
    p.register(token, auth)
    session, options = p.ask("alice")
    expect(options["rpId"] == "localhost", f"rpId {options}")
    expect([c["id"] for c in options["allowCredentials"]] == [b64(auth.credentials[0].id)], f"{options}")
    expect(options["userVerification"] == "preferred" and options["timeout"] > 0, f"{options}")
    signed_in(p.answer("alice", session, auth.get(options)))
    # Again, from another port of the same origin host.
    session, options = p.ask("alice")
    signed_in(p.answer("alice", session, auth.get(options, origin="http://localhost:3000")))
    # Malformed answers are a 400 and leave the session usable.
    session, options = p.ask("alice")
    refused(lambda: p.answer("alice", session, "{not json"), "InvalidParameterException")
    signed_in(p.answer("alice", session, auth.get(options)))


def check_select_and_unknown(endpoint):
    """WEB_AUTHN among SELECT_CHALLENGE's choices and chosen with ANSWER; a name that is no user
    (existence hidden) gets a decoy challenge like a user's, and every answer is refused."""
    p = Pool(endpoint)
    token = p.user("alice")
    auth = SoftAuthenticator()
    p.register(token, auth)
    out = p.idp.initiate_auth(ClientId=p.client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "alice"})
    expect(out["ChallengeName"] == "SELECT_CHALLENGE" and "WEB_AUTHN" in out["AvailableChallenges"], f"{out}")
    chosen = p.idp.respond_to_auth_challenge(
        ClientId=p.client_id, ChallengeName="SELECT_CHALLENGE", Session=out["Session"],
        ChallengeResponses={"USERNAME": "alice", "ANSWER": "WEB_AUTHN"})
    expect(chosen["ChallengeName"] == "WEB_AUTHN", f"{chosen}")
    options = json.loads(chosen["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
    signed_in(p.answer("alice", chosen["Session"], auth.get(options)))
    hidden = p.idp.create_user_pool_client(
        UserPoolId=p.id, ClientName="hidden", PreventUserExistenceErrors="ENABLED",
        ExplicitAuthFlows=["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    asks = []
    for _ in range(2):
        out = p.idp.initiate_auth(ClientId=hidden, AuthFlow="USER_AUTH",
                                  AuthParameters={"USERNAME": "nobody", "PREFERRED_CHALLENGE": "WEB_AUTHN"})
        expect(out["ChallengeName"] == "WEB_AUTHN", f"{out}")
        asks.append(json.loads(out["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]))
    ids = [[c["id"] for c in o["allowCredentials"]] for o in asks]
    expect(ids[0] == ids[1] and len(ids[0]) == 1 and len(unb64(ids[0][0])) == 32, f"decoy ids {ids}")
    expect(asks[0]["challenge"] != asks[1]["challenge"], "fresh challenges")
    decoy = Credential("localhost", b"nobody")
    decoy.id = unb64(ids[0][0])
    refused(lambda: p.idp.respond_to_auth_challenge(
        ClientId=hidden, ChallengeName="WEB_AUTHN", Session=out["Session"],
        ChallengeResponses={"USERNAME": "nobody", "CREDENTIAL": auth.get(asks[1], cred=decoy)}),
        "NotAuthorizedException", "Incorrect username or password.")


def check_usernameless(endpoint):
    """The opt-in extension: USER_AUTH with PREFERRED_CHALLENGE WEB_AUTHN and no USERNAME, the
    user named by the discoverable credential; off unless the pool's tag turns it on."""
    off = Pool(endpoint)
    refused(lambda: off.idp.initiate_auth(ClientId=off.client_id, AuthFlow="USER_AUTH",
                                          AuthParameters={"PREFERRED_CHALLENGE": "WEB_AUTHN"}),
            "InvalidParameterException", "USERNAME")
    p = Pool(endpoint, tags={"latchkey:usernameless-passkeys": "true"})
    alice, bob = p.user("alice"), p.user("bob")
    alice_key, bob_key = SoftAuthenticator(), SoftAuthenticator()
    p.register(alice, alice_key)
    p.register(bob, bob_key)

    def ask():
        out = p.idp.initiate_auth(ClientId=p.client_id, AuthFlow="USER_AUTH",
                                  AuthParameters={"PREFERRED_CHALLENGE": "WEB_AUTHN"})
        expect(out.get("ChallengeName") == "WEB_AUTHN", f"{out}")
        options = json.loads(out["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
        expect(options.get("allowCredentials", []) == [], f"discoverable options {options}")
        return out["Session"], options

    def answer(session, assertion):
        return p.idp.respond_to_auth_challenge(ClientId=p.client_id, ChallengeName="WEB_AUTHN",
                                               Session=session, ChallengeResponses={"CREDENTIAL": assertion})

    session, options = ask()
    assertion = bob_key.get(options, cred=bob_key.credentials[0])
    out = answer(session, assertion)
    signed_in(out)
    me = p.idp.get_user(AccessToken=out["AuthenticationResult"]["AccessToken"])
    expect(me["Username"] == "bob", f"signed in as {me['Username']}")
    refused(lambda: answer(session, assertion), "NotAuthorizedException")
    # A credential nobody registered, and one from another origin.
    session, options = ask()
    stranger = SoftAuthenticator()
    stranger.credentials.append(Credential("localhost", b"nobody"))
    refused(lambda: answer(session, stranger.get(options, cred=stranger.credentials[0])), "NotAuthorizedException")
    refused(lambda: answer(session, alice_key.get(options, cred=alice_key.credentials[0], origin="https://evil.example")),
            "NotAuthorizedException")
    signed_in(answer(session, alice_key.get(options, cred=alice_key.credentials[0])))


def check_replay(endpoint):
    p = Pool(endpoint)
    token = p.user("alice")
    auth = SoftAuthenticator()
    p.register(token, auth)
    session, options = p.ask("alice")
    assertion = auth.get(options)
    signed_in(p.answer("alice", session, assertion))
    refused(lambda: p.answer("alice", session, assertion), "NotAuthorizedException")
    # The same assertion on a fresh session: the challenge is not that session's.
    session, _ = p.ask("alice")
    refused(lambda: p.answer("alice", session, assertion), "NotAuthorizedException", "Incorrect username or password.")


def check_wrong_origin(endpoint):
    p = Pool(endpoint)
    token = p.user("alice")
    auth = SoftAuthenticator()
    p.register(token, auth)
    for origin in ("https://evil.example", "http://127.0.0.1:5173", "http://evil.localhost"):
        session, options = p.ask("alice")
        refused(lambda: p.answer("alice", session, auth.get(options, origin=origin)), "NotAuthorizedException")


def check_wrong_rp_id(endpoint):
    p = Pool(endpoint)
    token = p.user("alice")
    auth = SoftAuthenticator()
    p.register(token, auth)
    session, options = p.ask("alice")
    refused(lambda: p.answer("alice", session, auth.get(options, rp_id="example.com")), "NotAuthorizedException")


def check_other_users_credential(endpoint):
    p = Pool(endpoint)
    alice, bob = p.user("alice"), p.user("bob")
    alice_key, bob_key = SoftAuthenticator(), SoftAuthenticator()
    p.register(alice, alice_key)
    p.register(bob, bob_key)
    session, options = p.ask("bob")
    stolen = alice_key.get(options, cred=alice_key.credentials[0])
    refused(lambda: p.answer("bob", session, stolen), "NotAuthorizedException")
    # Bob's own passkey still works on the same session (the failure only counted).
    signed_in(p.answer("bob", session, bob_key.get(options)))


def check_counter(endpoint):
    p = Pool(endpoint)
    token = p.user("alice")
    auth = SoftAuthenticator()
    p.register(token, auth)
    session, options = p.ask("alice")
    signed_in(p.answer("alice", session, auth.get(options, count=5)))
    for count in (5, 3):
        session, options = p.ask("alice")
        refused(lambda: p.answer("alice", session, auth.get(options, count=count)), "NotAuthorizedException")
    session, options = p.ask("alice")
    signed_in(p.answer("alice", session, auth.get(options, count=6)))


def check_lockout(endpoint):
    p = Pool(endpoint)
    token = p.user("alice")
    auth = SoftAuthenticator()
    p.register(token, auth)
    session, options = p.ask("alice")
    for _ in range(5):
        refused(lambda: p.answer("alice", session, auth.get(options, origin="https://evil.example")),
                "NotAuthorizedException", "Incorrect username or password.")
    refused(lambda: p.answer("alice", session, auth.get(options)), "NotAuthorizedException", "Password attempts exceeded")


def check_user_verification(endpoint):
    # preferred: an authenticator that does not verify the user registers and signs in.
    p = Pool(endpoint, uv="preferred")
    token = p.user("alice")
    lax = SoftAuthenticator(uv=False)
    p.register(token, lax)
    session, options = p.ask("alice")
    signed_in(p.answer("alice", session, lax.get(options)))
    # required: it is refused at registration...
    p = Pool(endpoint, uv="required")
    token = p.user("alice")
    options = p.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    expect(options["authenticatorSelection"]["userVerification"] == "required", f"{options}")
    refused(lambda: p.idp.complete_web_authn_registration(AccessToken=token, Credential=lax.create(options)),
            "WebAuthnCredentialNotSupportedException")
    # ...and at sign-in (a verifying authenticator registered, then an assertion without UV).
    strict = SoftAuthenticator(uv=True)
    p.register(token, strict)
    session, options = p.ask("alice")
    expect(options["userVerification"] == "required", f"{options}")
    strict.uv = False
    refused(lambda: p.answer("alice", session, strict.get(options)), "NotAuthorizedException")
    strict.uv = True
    signed_in(p.answer("alice", session, strict.get(options)))


CHECKS = {
    "register": check_register,
    "one_owner": check_one_owner,
    "registration_refusals": check_registration_refusals,
    "sign_in": check_sign_in,
    "select_and_unknown": check_select_and_unknown,
    "usernameless": check_usernameless,
    "replay": check_replay,
    "wrong_origin": check_wrong_origin,
    "wrong_rp_id": check_wrong_rp_id,
    "other_users_credential": check_other_users_credential,
    "counter": check_counter,
    "lockout": check_lockout,
    "user_verification": check_user_verification,
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--check", action="append", choices=sorted(CHECKS), required=True)
    args = parser.parse_args()
    failed = 0
    for name in args.check:
        try:
            CHECKS[name](args.endpoint)
            print(f"PASS {name}")
        except Exception:  # noqa: BLE001 - every failure is reported, then counted
            failed += 1
            print(f"FAIL {name}\n{traceback.format_exc()}")
    print(f"passkeys: {len(args.check) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
