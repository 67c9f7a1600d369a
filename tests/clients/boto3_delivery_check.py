#!/usr/bin/env python3
"""Drives plain boto3 through the code messages of a Latchkey server that mails through a real
SMTP server (aiosmtpd, scripts/smtp.sh), reading each code from the delivered mail, and
through SMS MFA with the code from the server's outbox (the pool has no SNS role).

    .venv-clients/bin/python tests/clients/boto3_delivery_check.py \
        --endpoint http://127.0.0.1:9229 --pool-id POOL --client-id CLIENT --maildir DIR

Prints one PASS/FAIL line per check and 'boto3 delivery: N passed, N failed'; exits 1 when
any check failed.
"""

import argparse
import email
import email.policy
import json
import os
import re
import sys
import time
import traceback
import urllib.request
import uuid

import boto3
from botocore.exceptions import ClientError

PASSWORD = "Correct-Horse-9"
NEW_PASSWORD = "Another-Horse-7"
results = []


def check(name, fn):
    try:
        fn()
        results.append(True)
        print(f"PASS {name}")
    except Exception:  # noqa: BLE001 - every failure is reported, then counted
        results.append(False)
        print(f"FAIL {name}\n{traceback.format_exc()}")


def mails_to(maildir, address):
    found = []
    new = os.path.join(maildir, "new")
    for name in os.listdir(new):
        path = os.path.join(new, name)
        with open(path, "rb") as f:
            msg = email.message_from_binary_file(f, policy=email.policy.default)
        if address in str(msg["To"]):
            found.append((os.path.getmtime(path), msg))
    return [m for _, m in sorted(found, key=lambda x: x[0])]


def wait_mail(maildir, address, count):
    for _ in range(100):
        found = mails_to(maildir, address)
        if len(found) >= count:
            return found[count - 1]
        time.sleep(0.1)
    raise AssertionError(f"no mail #{count} to {address}")


def code_of(msg, digits=6):
    body = msg.get_body(preferencelist=("plain", "html")).get_content()
    match = re.search(r"(?<!\d)(\d{%d})(?!\d)" % digits, body)
    assert match, f"no code in {body!r}"
    return match.group(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--pool-id", required=True)
    ap.add_argument("--client-id", required=True)
    ap.add_argument("--maildir", required=True)
    a = ap.parse_args()
    idp = boto3.client(
        "cognito-idp",
        endpoint_url=a.endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    user = f"bx-{uuid.uuid4().hex[:8]}"
    address = f"{user}@example.com"
    state = {}

    def sign_up_and_confirm():
        out = idp.sign_up(
            ClientId=a.client_id,
            Username=user,
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": address}],
        )
        assert out["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL", out
        code = code_of(wait_mail(a.maildir, address, 1))
        idp.confirm_sign_up(ClientId=a.client_id, Username=user, ConfirmationCode=code)

    def forgot_password_by_mail():
        idp.forgot_password(ClientId=a.client_id, Username=user)
        code = code_of(wait_mail(a.maildir, address, 2))
        wrong = str((int(code) + 1) % 1000000).zfill(6)
        try:
            idp.confirm_forgot_password(
                ClientId=a.client_id, Username=user, ConfirmationCode=wrong, Password=NEW_PASSWORD
            )
            raise AssertionError("a wrong code was accepted")
        except ClientError as e:
            assert e.response["Error"]["Code"] == "CodeMismatchException", e.response
        idp.confirm_forgot_password(
            ClientId=a.client_id, Username=user, ConfirmationCode=code, Password=NEW_PASSWORD
        )
        out = idp.initiate_auth(
            ClientId=a.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": user, "PASSWORD": NEW_PASSWORD},
        )
        state["access"] = out["AuthenticationResult"]["AccessToken"]

    def sms_mfa_round_trip():
        idp.set_user_pool_mfa_config(
            UserPoolId=a.pool_id,
            MfaConfiguration="OPTIONAL",
            SmsMfaConfiguration={"SmsAuthenticationMessage": "boto3 code {####}"},
        )
        idp.admin_update_user_attributes(
            UserPoolId=a.pool_id,
            Username=user,
            UserAttributes=[{"Name": "phone_number", "Value": "+15550100123"}],
        )
        idp.set_user_mfa_preference(
            AccessToken=state["access"],
            SMSMfaSettings={"Enabled": True, "PreferredMfa": True},
        )
        me = idp.get_user(AccessToken=state["access"])
        assert me["PreferredMfaSetting"] == "SMS_MFA", me
        out = idp.initiate_auth(
            ClientId=a.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": user, "PASSWORD": NEW_PASSWORD},
        )
        assert out["ChallengeName"] == "SMS_MFA", out
        assert out["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS", out
        url = f"{a.endpoint}/_latchkey/outbox?userPoolId={a.pool_id}&username={user}"
        with urllib.request.urlopen(url) as r:
            messages = json.load(r)["Messages"]
        text = messages[-1]["Message"]
        assert text.startswith("boto3 code "), text
        code = re.search(r"\d{6}", text).group(0)
        done = idp.respond_to_auth_challenge(
            ClientId=a.client_id,
            ChallengeName="SMS_MFA",
            Session=out["Session"],
            ChallengeResponses={"USERNAME": user, "SMS_MFA_CODE": code},
        )
        assert "IdToken" in done["AuthenticationResult"], done

    check("sign-up code by mail confirms", sign_up_and_confirm)
    check("forgot-password code by mail resets; a wrong one is CodeMismatchException", forgot_password_by_mail)
    check("SMS_MFA round trip", sms_mfa_round_trip)
    passed = sum(results)
    print(f"boto3 delivery: {passed} passed, {len(results) - passed} failed")
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
