"""GenerateCredentialReport / GetCredentialReport (iam-mfa.md §5.10)."""

import csv
import io
import re

from harness import ACCOUNT_ID, aws_error, near_now

HEADER = ("user,arn,user_creation_time,password_enabled,password_last_used,"
          "password_last_changed,password_next_rotation,mfa_active,access_key_1_active,"
          "access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,"
          "access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,"
          "access_key_2_last_used_date,access_key_2_last_used_region,"
          "access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,"
          "cert_2_last_rotated")
TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$")
STARTED = "No report exists. Starting a new report generation task"


def generate_until_complete(iam):
    first = iam.generate_credential_report()
    for _ in range(50):
        again = iam.generate_credential_report()
        if again["State"] == "COMPLETE":
            return first
        assert again["State"] in ("STARTED", "INPROGRESS"), again
    raise AssertionError("credential report never completed")


def report(iam):
    resp = iam.get_credential_report()
    assert resp["ReportFormat"] == "text/csv"
    content = resp["Content"]  # botocore has already base64-decoded the blob
    assert isinstance(content, bytes)
    text = content.decode("utf-8")
    assert text.endswith("\n") and "\r" not in text
    lines = text.split("\n")[:-1]
    assert lines[0] == HEADER
    rows = list(csv.DictReader(io.StringIO(text)))
    return resp, rows


def test_report_not_present_before_generation(tessera):
    with aws_error("ReportNotPresent", 410):
        tessera.iam().get_credential_report()


def test_generate_started_then_complete(tessera):
    iam = tessera.iam()
    first = iam.generate_credential_report()
    assert first["State"] == "STARTED"
    assert first["Description"] == STARTED
    generate_until_complete(iam)
    # A report younger than 4 h is not regenerated.
    assert iam.generate_credential_report()["State"] == "COMPLETE"
    resp, rows = report(iam)
    assert near_now(resp["GeneratedTime"])


def test_root_row(tessera):
    iam = tessera.iam()
    generate_until_complete(iam)
    _, rows = report(iam)
    root = rows[0]
    assert root["user"] == "<root_account>"
    assert root["arn"] == f"arn:aws:iam::{ACCOUNT_ID}:root"
    assert TS.match(root["user_creation_time"]), root
    assert root["password_enabled"] == "not_supported"
    assert root["password_last_changed"] == "not_supported"
    assert root["password_next_rotation"] == "not_supported"
    assert root["mfa_active"] == "false"
    assert root["access_key_1_active"] == "true"
    assert TS.match(root["access_key_1_last_rotated"]), root
    assert root["access_key_2_active"] == "false"
    assert root["access_key_2_last_rotated"] == "N/A"
    assert (root["cert_1_active"], root["cert_1_last_rotated"], root["cert_2_active"],
            root["cert_2_last_rotated"]) == ("false", "N/A", "false", "N/A")
    assert len(rows) == 1


def test_user_rows(tessera):
    iam = tessera.iam()
    tessera.create_user("zed")
    _, alice = tessera.user_with_key("Alice", Path="/eng/")
    iam.create_login_profile(UserName="Alice", Password="Str0ng-Passw0rd")
    tessera.tick()  # key 1 / key 2 are ordered by creation time
    second = iam.create_access_key(UserName="Alice")["AccessKey"]
    iam.update_access_key(UserName="Alice", AccessKeyId=second["AccessKeyId"], Status="Inactive")
    tessera.sts(alice, region="eu-central-1").get_caller_identity()
    tessera.create_user("bob")
    generate_until_complete(iam)
    _, rows = report(iam)
    assert [r["user"] for r in rows] == ["<root_account>", "Alice", "bob", "zed"]
    a = rows[1]
    assert a["arn"] == f"arn:aws:iam::{ACCOUNT_ID}:user/eng/Alice"
    assert TS.match(a["user_creation_time"])
    assert a["password_enabled"] == "true"
    assert a["password_last_used"] == "no_information"
    assert TS.match(a["password_last_changed"])
    assert a["password_next_rotation"] == "N/A"
    assert a["mfa_active"] == "false"
    assert a["access_key_1_active"] == "true"
    assert TS.match(a["access_key_1_last_rotated"])
    assert TS.match(a["access_key_1_last_used_date"])
    assert a["access_key_1_last_used_region"] == "eu-central-1"
    assert a["access_key_1_last_used_service"] == "sts"
    assert a["access_key_2_active"] == "false"  # Inactive
    assert TS.match(a["access_key_2_last_rotated"])
    assert (a["access_key_2_last_used_date"], a["access_key_2_last_used_region"],
            a["access_key_2_last_used_service"]) == ("N/A", "N/A", "N/A")
    b = rows[2]
    assert (b["password_enabled"], b["password_last_used"], b["password_last_changed"]) == (
        "false", "N/A", "N/A")
    assert (b["access_key_1_active"], b["access_key_1_last_rotated"],
            b["access_key_1_last_used_date"]) == ("false", "N/A", "N/A")
    assert (b["cert_1_active"], b["cert_1_last_rotated"], b["cert_2_active"],
            b["cert_2_last_rotated"]) == ("false", "N/A", "false", "N/A")


def test_report_is_kept_four_hours_then_expires(tessera):
    iam = tessera.iam()
    tessera.create_user("early")
    generate_until_complete(iam)
    tessera.create_user("late")
    # Younger than 4 h: no regeneration, the old report is served.
    assert iam.generate_credential_report()["State"] == "COMPLETE"
    assert [r["user"] for r in report(iam)[1]] == ["<root_account>", "early"]
    tessera.set_clock({"advance_seconds": 4 * 3600 + 60})
    with aws_error("ReportExpired", 410):
        iam.get_credential_report()
    again = iam.generate_credential_report()
    assert again["State"] == "STARTED"
    generate_until_complete(iam)
    assert [r["user"] for r in report(iam)[1]] == ["<root_account>", "early", "late"]


def test_reports_need_permission(tessera):
    _, creds = tessera.user_with_key("carol")
    with aws_error("AccessDenied", 403):
        tessera.iam(creds).generate_credential_report()
    with aws_error("AccessDenied", 403):
        tessera.iam(creds).get_credential_report()
