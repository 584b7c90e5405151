#!/usr/bin/env python3
"""Write botocore_fixtures.json: IAM and STS requests signed by botocore itself.

Each fixture is what Tessera's HTTP layer would receive (method, raw path, raw query,
lower-cased headers in order, body) plus the secret that signed it and the verdict
`parse` + `verify` must reach. Time and credentials are fixed, so the output is stable:

    python3 src/sigv4/testdata/make_fixtures.py

Requests come from real botocore clients where possible (POST form bodies, exactly as the
SDKs and the AWS CLI send them), captured just before they would go on the wire; GET and
presigned requests, which the clients do not make for IAM/STS, are signed with botocore's
own SigV4Auth / SigV4QueryAuth.
"""

import datetime
import hashlib
import json
import os
from urllib.parse import urlsplit

import botocore
import botocore.auth
import botocore.session
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

SIGNED_AT = datetime.datetime(2024, 1, 15, 12, 0, 0)
# The verifier's clock: 5 minutes after signing, inside the 15-minute window.
NOW = "20240115T120500Z"
ENDPOINT = "http://localhost:8080"

LONG_TERM = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY")
SESSION = Credentials(
    "ASIAIOSFODNN7EXAMPLE",
    "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
    "FwoGZXIvYXdzEBYaDH+example/session+token==",
)

# botocore reads the clock through this module-level name when signing.
botocore.auth.get_current_datetime = lambda remove_tzinfo=True: SIGNED_AT


class Captured(Exception):
    """Raised from the before-send hook so nothing leaves the process."""

    def __init__(self, request):
        super().__init__("captured")
        self.request = request


def _capture(request, **_):
    raise Captured(request)


# Headers botocore sends unsigned whose values vary by machine or per call; fixed here so
# the output is stable. Being unsigned, their values cannot affect a signature.
STABLE_UNSIGNED = {
    "user-agent": "Botocore (value fixed by make_fixtures.py)",
    "amz-sdk-invocation-id": "00000000-0000-4000-8000-000000000000",
}


def fixture(name, method, url, headers, body, creds, service, region, expected):
    parts = urlsplit(url)
    headers = {k: v if isinstance(v, str) else v.decode() for k, v in headers.items()}
    signed_names = headers.get("Authorization", "").partition("SignedHeaders=")[2].split(",")[0]
    # urllib3 adds Host from the URL; botocore signed exactly that value.
    wire_headers = [("host", parts.netloc)]
    for key, value in headers.items():
        key = key.lower()
        if key == "host":
            continue
        if key in STABLE_UNSIGNED:
            assert key not in signed_names.split(";"), key
            value = STABLE_UNSIGNED[key]
        wire_headers.append((key, value))
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    return {
        "name": name,
        "method": method,
        "path": parts.path or "/",
        "query": parts.query,
        "headers": wire_headers,
        "body": body or "",
        "access_key_id": creds.access_key,
        "secret": creds.secret_key,
        "session_token": creds.token,
        "service": service,
        "region": region,
        "expected": expected,
    }


def client_call(name, service, region, creds, call, endpoint=ENDPOINT, expected="valid"):
    session = botocore.session.get_session()
    client = session.create_client(
        service,
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id=creds.access_key,
        aws_secret_access_key=creds.secret_key,
        aws_session_token=creds.token,
        config=Config(retries={"max_attempts": 1}),
    )
    client.meta.events.register("before-send", _capture)
    try:
        call(client)
    except Captured as captured:
        req = captured.request
        return fixture(name, req.method, req.url, dict(req.headers), req.body, creds, service, region, expected)
    raise RuntimeError(f"{name}: request was not captured")


def signed(name, signer, method, url, creds, service, region, data=None, headers=None, expected="valid"):
    request = AWSRequest(method=method, url=url, data=data, headers=headers or {})
    signer.add_auth(request)
    prepared = request.prepare()
    return fixture(name, prepared.method, prepared.url, dict(prepared.headers), prepared.body, creds, service, region, expected)


def main():
    form = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    list_users = "Action=ListUsers&Version=2010-05-08"
    fixtures = [
        client_call(
            "iam-list-mfa-devices",
            "iam",
            "us-east-1",
            LONG_TERM,
            lambda c: c.list_mfa_devices(UserName="bob"),
        ),
        client_call(
            "iam-create-user-tags-plus-percent-unicode",
            "iam",
            "us-east-1",
            LONG_TERM,
            lambda c: c.create_user(
                UserName="alice+ops",
                Path="/eng/",
                Tags=[
                    {"Key": "a b+c%d", "Value": "ünïcødé ☃ 1+1=2 100%"},
                    {"Key": "empty", "Value": ""},
                ],
            ),
        ),
        client_call(
            "iam-list-users-us-west-2",
            "iam",
            "us-west-2",
            LONG_TERM,
            lambda c: c.list_users(PathPrefix="/eng/", MaxItems=5),
        ),
        client_call(
            "iam-list-users-base-path",
            "iam",
            "us-east-1",
            LONG_TERM,
            lambda c: c.list_users(),
            endpoint=ENDPOINT + "/tessera/",
        ),
        client_call(
            "sts-get-caller-identity-session-token",
            "sts",
            "us-east-1",
            SESSION,
            lambda c: c.get_caller_identity(),
        ),
        client_call(
            "sts-get-session-token-mfa",
            "sts",
            "eu-central-1",
            LONG_TERM,
            lambda c: c.get_session_token(
                DurationSeconds=900,
                SerialNumber="arn:aws:iam::123456789012:mfa/bob",
                TokenCode="123456",
            ),
        ),
        signed(
            "iam-get-with-query",
            botocore.auth.SigV4Auth(LONG_TERM, "iam", "us-east-1"),
            "GET",
            ENDPOINT + "/?Action=ListUsers&Version=2010-05-08&PathPrefix=%2Fa%20b%2F&MaxItems=5",
            LONG_TERM,
            "iam",
            "us-east-1",
        ),
        signed(
            "sts-presigned-get-caller-identity",
            botocore.auth.SigV4QueryAuth(LONG_TERM, "sts", "us-east-1", expires=900),
            "GET",
            ENDPOINT + "/?Action=GetCallerIdentity&Version=2011-06-15",
            LONG_TERM,
            "sts",
            "us-east-1",
        ),
        signed(
            # SigV4QueryAuth moves a form body into the query string.
            "iam-presigned-post-body-session-token-us-west-2",
            botocore.auth.SigV4QueryAuth(SESSION, "iam", "us-west-2", expires=3600),
            "POST",
            ENDPOINT + "/",
            SESSION,
            "iam",
            "us-west-2",
            data={"Action": "ListUsers", "Version": "2010-05-08", "PathPrefix": "/a b+c/"},
            headers=dict(form),
        ),
        signed(
            "sts-presigned-expired",
            botocore.auth.SigV4QueryAuth(LONG_TERM, "sts", "us-east-1", expires=60),
            "GET",
            ENDPOINT + "/?Action=GetCallerIdentity&Version=2011-06-15",
            LONG_TERM,
            "sts",
            "us-east-1",
            expected="PresignExpired",
        ),
        signed(
            "iam-content-sha256-signed",
            botocore.auth.SigV4Auth(LONG_TERM, "iam", "us-east-1"),
            "POST",
            ENDPOINT + "/",
            LONG_TERM,
            "iam",
            "us-east-1",
            data=list_users,
            headers={**form, "X-Amz-Content-SHA256": hashlib.sha256(list_users.encode()).hexdigest()},
        ),
        signed(
            # Correctly signed by botocore, but IAM/STS refuse unsigned payloads (spec 8.4).
            "iam-unsigned-payload-refused",
            botocore.auth.SigV4Auth(LONG_TERM, "iam", "us-east-1"),
            "POST",
            ENDPOINT + "/",
            LONG_TERM,
            "iam",
            "us-east-1",
            data=list_users,
            headers={**form, "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"},
            expected="DoesNotMatch",
        ),
    ]
    out = {
        "generator": "make_fixtures.py, botocore " + botocore.__version__,
        "now": NOW,
        "fixtures": fixtures,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "botocore_fixtures.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(fixtures)} fixtures to {path}")


if __name__ == "__main__":
    main()
