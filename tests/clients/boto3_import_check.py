#!/usr/bin/env python3
"""Drives plain boto3 through a CSV user import: GetCSVHeader, CreateUserImportJob, a PUT of
the file to the job's PreSignedUrl with urllib (as AWS's guide does with curl, with the
`x-amz-server-side-encryption: aws:kms` header), StartUserImportJob, DescribeUserImportJob
until the job ends, then an imported user's way in: PasswordResetRequiredException for any
password, ForgotPassword (code from the server's outbox), ConfirmForgotPassword, sign-in.

    .venv-clients/bin/python tests/clients/boto3_import_check.py \
        --endpoint http://127.0.0.1:9229 --pool-id POOL --client-id CLIENT [--s3-bucket B]

With --s3-bucket (a server started with LATCHKEY_IMPORT_BUCKET=B, and AWS_ENDPOINT_URL_S3
naming a local S3 such as moto), the deployment's path: boto3 makes the bucket first, the
PreSignedUrl must be S3's own pre-signed PUT into it, and the file is gone from the bucket once
the job has run.

Prints one PASS/FAIL line per check and 'boto3 import: N passed, N failed'; exits 1 when
any check failed.
"""

import argparse
import csv
import io
import json
import sys
import time
import traceback
import urllib.parse
import urllib.request
import uuid

import boto3
from botocore.exceptions import ClientError

NEW_PASSWORD = "Another-Horse-7"
ROLE = "arn:aws:iam::000000000000:role/latchkey-import-logs"
results = []


def check(name, fn):
    try:
        fn()
        results.append(True)
        print(f"PASS {name}")
    except Exception:  # noqa: BLE001 - every failure is reported, then counted
        results.append(False)
        print(f"FAIL {name}\n{traceback.format_exc()}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--pool-id", required=True)
    ap.add_argument("--client-id", required=True)
    ap.add_argument("--s3-bucket")
    a = ap.parse_args()
    # boto3 reads AWS_ENDPOINT_URL_S3 (a local S3) from the environment.
    s3 = boto3.client("s3", region_name="us-east-1", aws_access_key_id="testing",
                      aws_secret_access_key="testing") if a.s3_bucket else None
    if s3 is not None:
        s3.create_bucket(Bucket=a.s3_bucket)
    idp = boto3.client(
        "cognito-idp",
        endpoint_url=a.endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    tag = uuid.uuid4().hex[:8]
    users = [f"imp-{tag}-{i}" for i in range(3)]
    state = {}

    def header_job_upload_start_done():
        header = idp.get_csv_header(UserPoolId=a.pool_id)["CSVHeader"]
        assert header[-2:] == ["cognito:mfa_enabled", "cognito:username"], header
        out = io.StringIO()
        w = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
        w.writeheader()
        for u in users:
            w.writerow({"cognito:username": u, "email": f"{u}@example.com",
                        "email_verified": "true", "cognito:mfa_enabled": "false"})
        # One row Cognito refuses: email_verified without an email.
        w.writerow({"cognito:username": f"bad-{tag}", "email_verified": "true"})
        job = idp.create_user_import_job(
            UserPoolId=a.pool_id, JobName=f"boto3-{tag}", CloudWatchLogsRoleArn=ROLE
        )["UserImportJob"]
        assert job["Status"] == "Created" and job["JobId"].startswith("import-"), job
        url = urllib.parse.urlsplit(job["PreSignedUrl"])
        if s3 is not None:
            key = f"imports/{a.pool_id}/{job['JobId']}.csv"
            assert url.path == f"/{a.s3_bucket}/{key}", url
            query = urllib.parse.parse_qs(url.query)
            assert query["X-Amz-Expires"] == ["3600"], query
            assert "x-amz-server-side-encryption" in query["X-Amz-SignedHeaders"][0], query
        else:
            assert url.path.startswith("/_latchkey/import/"), url
        req = urllib.request.Request(
            job["PreSignedUrl"], data=out.getvalue().encode(), method="PUT",
            headers={"x-amz-server-side-encryption": "aws:kms", "Content-Type": "text/csv"},
        )
        with urllib.request.urlopen(req) as resp:
            assert resp.status == 200, resp.status
        started = idp.start_user_import_job(UserPoolId=a.pool_id, JobId=job["JobId"])
        assert started["UserImportJob"]["Status"] in ("Pending", "InProgress", "Succeeded")
        for _ in range(500):
            now = idp.describe_user_import_job(UserPoolId=a.pool_id, JobId=job["JobId"])
            now = now["UserImportJob"]
            if now["Status"] in ("Succeeded", "Failed", "Stopped", "Expired"):
                break
            time.sleep(0.02)
        assert now["Status"] == "Succeeded", now
        counts = (now["ImportedUsers"], now["SkippedUsers"], now["FailedUsers"])
        assert counts == (3, 0, 1), now
        if s3 is not None:
            left = s3.list_objects_v2(Bucket=a.s3_bucket, Prefix=f"imports/{a.pool_id}/")
            assert left.get("KeyCount", 0) == 0, left
        listed = idp.list_user_import_jobs(UserPoolId=a.pool_id, MaxResults=60)
        assert job["JobId"] in [j["JobId"] for j in listed["UserImportJobs"]], listed
        state["job"] = now

    def imported_user_resets_and_signs_in():
        user = users[0]
        got = idp.admin_get_user(UserPoolId=a.pool_id, Username=user)
        assert got["UserStatus"] == "RESET_REQUIRED", got
        for password in ("Any-Password-1", "Another-Guess-2"):
            try:
                idp.initiate_auth(ClientId=a.client_id, AuthFlow="USER_PASSWORD_AUTH",
                                  AuthParameters={"USERNAME": user, "PASSWORD": password})
                raise AssertionError("sign-in of a RESET_REQUIRED user succeeded")
            except ClientError as e:
                err = e.response["Error"]
                assert err["Code"] == "PasswordResetRequiredException", err
                assert err["Message"] == "Password reset required for the user", err
        idp.forgot_password(ClientId=a.client_id, Username=user)
        url = f"{a.endpoint}/_latchkey/outbox?userPoolId={a.pool_id}&username={user}"
        with urllib.request.urlopen(url) as resp:
            messages = json.load(resp)["Messages"]
        code = [m for m in messages if m["Purpose"] == "ForgotPassword"][-1]["Code"]
        idp.confirm_forgot_password(ClientId=a.client_id, Username=user,
                                    ConfirmationCode=code, Password=NEW_PASSWORD)
        done = idp.initiate_auth(ClientId=a.client_id, AuthFlow="USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": user, "PASSWORD": NEW_PASSWORD})
        assert "IdToken" in done["AuthenticationResult"], done

    check("header, job, PUT to the pre-signed URL, start, describe until Succeeded",
          header_job_upload_start_done)
    if "job" in state:
        check("an imported user is asked to reset, resets and signs in",
              imported_user_resets_and_signs_in)
    passed = sum(results)
    print(f"boto3 import: {passed} passed, {len(results) - passed} failed")
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
