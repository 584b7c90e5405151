"""No secret reaches an audit record, a log file or the server's log (cloudtrail.md §2.3, §3,
iam-mfa.md §7): the test creates every kind of secret Tessera handles, then greps each output
for the exact values."""

import base64
import json
import time
from pathlib import Path

import harness
from harness import Creds, log_files, records_in, totp_codes, totp_pair, virtual_device
from botocore.exceptions import ClientError


def lookup_all(url: str) -> list[str]:
    """Every record LookupEvents shows for the account, as the CloudTrailEvent strings."""
    trail = harness.client(url, "cloudtrail")
    return [event["CloudTrailEvent"]
            for page in trail.get_paginator("lookup_events").paginate()
            for event in page["Events"]]


def test_no_secret_reaches_records_log_files_or_the_server_log(fresh_database, tmp_path, binary):
    srv = harness.TesseraServer(fresh_database, tmp_path / "serve.log", test_mode=False,
                                audit_dir=tmp_path / "audit",
                                extra_args=["--audit-delivery-interval", "1"]).start()
    secrets: dict[str, str] = {}
    try:
        iam = harness.client(srv.url, "iam")
        iam.create_user(UserName="alice")
        secrets["password"] = "Correct-Horse-Battery-9!"
        iam.create_login_profile(UserName="alice", Password=secrets["password"])
        secrets["new password"] = "Tr0ub4dor&3-Staple-!"
        iam.update_login_profile(UserName="alice", Password=secrets["new password"])
        key = iam.create_access_key(UserName="alice")["AccessKey"]
        secrets["secret access key"] = key["SecretAccessKey"]
        alice = Creds(key["AccessKeyId"], key["SecretAccessKey"])

        serial, seed = virtual_device(iam, "alice-phone")
        secrets["TOTP seed"] = seed
        qr = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice-qr")["VirtualMFADevice"]
        secrets["QR image"] = base64.b64encode(qr["QRCodePNG"]).decode()[:64]
        step = int(time.time()) // 30
        c1, c2 = totp_pair(seed, step - 1)
        iam.enable_mfa_device(UserName="alice", SerialNumber=serial, AuthenticationCode1=c1,
                              AuthenticationCode2=c2)
        codes = [c1, c2]

        sts = harness.client(srv.url, "sts", alice)
        session = sts.get_session_token()["Credentials"]
        secrets["session secret key"] = session["SecretAccessKey"]
        secrets["session token"] = session["SessionToken"]
        harness.client(srv.url, "sts", Creds(session["AccessKeyId"], session["SecretAccessKey"],
                                             session["SessionToken"])).get_caller_identity()
        # A code sent with GetSessionToken, accepted or refused, is never recorded either.
        (next_code,) = totp_codes(seed, (step + 1) * 30, 1)
        codes.append(next_code)
        try:
            mfa = sts.get_session_token(SerialNumber=serial, TokenCode=next_code)["Credentials"]
            secrets["MFA session token"] = mfa["SessionToken"]
        except ClientError as error:
            assert error.response["Error"]["Code"] == "AccessDenied"

        shown = lookup_all(srv.url)
    finally:
        srv.stop()  # SIGTERM: delivers what is pending

    delivered = records_in(srv.audit_dir)
    outputs = {
        "LookupEvents": "\n".join(shown),
        "log files": "\n".join(json.dumps(record) for record in delivered),
        "server log": Path(srv.log_path).read_text(errors="replace"),
    }
    # The grep means something: the outputs hold the records of these calls.
    for name in ("CreateLoginProfile", "UpdateLoginProfile", "CreateAccessKey", "EnableMFADevice",
                 "CreateVirtualMFADevice", "GetSessionToken"):
        assert f'"eventName": "{name}"' in outputs["log files"], name
        assert f'"eventName":"{name}"' in outputs["LookupEvents"], name
    assert serial in outputs["log files"] and key["AccessKeyId"] in outputs["log files"]
    assert len(log_files(srv.audit_dir)) >= 1

    for where, text in outputs.items():
        for what, value in secrets.items():
            assert value not in text, f"the {what} appears in the {where}"
        for code in codes:
            assert f'"{code}"' not in text, f"an MFA code appears in the {where}"
