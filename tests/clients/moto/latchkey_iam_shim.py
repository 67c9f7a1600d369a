"""pytest plugin (-p latchkey_iam_shim): run moto's @cognitoidp_aws_verified tests against a
non-AWS Cognito endpoint.

With MOTO_TEST_ALLOW_AWS_REQUEST=true the decorator calls boto3 for real. Its with_mfa=... branch
also creates an IAM role + policy (for SmsConfiguration.SnsCallerArn) in us-east-1 and sleeps
10 s. A Cognito re-implementation has no IAM, so keep IAM (and only IAM) in moto's in-process
mock: moto intercepts only URLs matching *.amazonaws.com service patterns, so Cognito calls
aimed at AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER (e.g. http://127.0.0.1:9229) go out on the
wire untouched. service_whitelist=["iam"] makes a Cognito call that wrongly targets
*.amazonaws.com fail (ServiceNotWhitelisted) instead of being silently answered by moto.
"""
import os

import boto3
import pytest

from moto import mock_aws


def pytest_configure(config):
    if os.environ.get("MOTO_TEST_ALLOW_AWS_REQUEST", "").lower() != "true":
        raise pytest.UsageError("set MOTO_TEST_ALLOW_AWS_REQUEST=true (else tests run in moto)")
    for svc in ("cognito-idp", "cognito-identity"):
        url = boto3.client(svc, "us-west-2").meta.endpoint_url
        if "amazonaws.com" in url:
            raise pytest.UsageError(f"{svc} endpoint is {url}; set AWS_ENDPOINT_URL_* first")


@pytest.fixture(autouse=True)
def _iam_in_moto_only(monkeypatch):
    import tests.test_cognitoidp as deco

    monkeypatch.setattr(deco, "sleep", lambda _s: None)  # IAM propagation wait, moot here
    with mock_aws(config={"core": {"service_whitelist": ["iam"]}}):
        yield
