"""TagMFADevice, UntagMFADevice and ListMFADeviceTags through boto3 (iam-mfa.md §0.5,
§4.9–§4.11): virtual devices only, keys case-insensitive, at most 50."""

import pytest
from botocore.exceptions import ClientError

from harness import ACCOUNT_ID, MFA_NOW, aws_error, enable_device, run_import_hardware
from harness import virtual_device

HW_SERIAL = "TAGHW0000001"
DUPLICATE = "Duplicate tag keys found. Please note that Tag keys are case insensitive."


def tags_of(iam, serial):
    return [(t["Key"], t["Value"]) for t in iam.list_mfa_device_tags(SerialNumber=serial)["Tags"]]


def test_tag_list_untag(tessera):
    iam = tessera.iam()
    serial, _ = virtual_device(iam, "dev")
    empty = iam.list_mfa_device_tags(SerialNumber=serial)
    assert empty["Tags"] == [] and empty["IsTruncated"] is False and "Marker" not in empty
    resp = iam.tag_mfa_device(SerialNumber=serial, Tags=[
        {"Key": "team", "Value": "blue"}, {"Key": "Env", "Value": "prod"},
        {"Key": "cost center", "Value": "Ünï 42"}, {"Key": "empty", "Value": ""}])
    assert set(resp) == {"ResponseMetadata"}
    # Sorted by key, case-insensitively.
    assert tags_of(iam, serial) == [("cost center", "Ünï 42"), ("empty", ""), ("Env", "prod"),
                                    ("team", "blue")]
    iam.untag_mfa_device(SerialNumber=serial, TagKeys=["TEAM", "absent", "empty"])
    assert tags_of(iam, serial) == [("cost center", "Ünï 42"), ("Env", "prod")]
    iam.untag_mfa_device(SerialNumber=serial, TagKeys=[])  # a no-op
    assert tags_of(iam, serial) == [("cost center", "Ünï 42"), ("Env", "prod")]


def test_tag_key_replaced_case_insensitively(tessera):
    iam = tessera.iam()
    serial, _ = virtual_device(iam, "dev", Tags=[{"Key": "Team", "Value": "a"}])
    iam.tag_mfa_device(SerialNumber=serial, Tags=[{"Key": "TEAM", "Value": "b"}])
    assert tags_of(iam, serial) == [("TEAM", "b")]


def test_duplicate_keys_in_one_request(tessera):
    iam = tessera.iam()
    serial, _ = virtual_device(iam, "dev")
    with aws_error("InvalidInput", 400, message=DUPLICATE):
        iam.tag_mfa_device(SerialNumber=serial, Tags=[{"Key": "k", "Value": "1"},
                                                      {"Key": "K", "Value": "2"}])
    assert tags_of(iam, serial) == []


@pytest.mark.parametrize("key", ["aws:x", "AWS:Secret"])
def test_aws_prefix_reserved(tessera, key):
    iam = tessera.iam()
    serial, _ = virtual_device(iam, "dev")
    with aws_error("InvalidInput", 400):
        iam.tag_mfa_device(SerialNumber=serial, Tags=[{"Key": "ok", "Value": "1"},
                                                      {"Key": key, "Value": "2"}])
    assert tags_of(iam, serial) == []


@pytest.mark.parametrize("tag", [
    {"Key": "k" * 129, "Value": "v"},
    {"Key": "", "Value": "v"},
    {"Key": "bad#key", "Value": "v"},
    {"Key": "ok", "Value": "v" * 257},
])
def test_invalid_tag(tessera, tag):
    iam = tessera.iam()
    serial, _ = virtual_device(iam, "dev")
    with aws_error("ValidationError", 400):
        tessera.iam(validate=False).tag_mfa_device(SerialNumber=serial, Tags=[tag])
    assert tags_of(iam, serial) == []


def test_fifty_tags_limit(tessera):
    iam = tessera.iam()
    serial, _ = virtual_device(iam, "dev",
                               Tags=[{"Key": f"k{i:02d}", "Value": str(i)} for i in range(49)])
    with aws_error("LimitExceeded", 409):
        iam.tag_mfa_device(SerialNumber=serial, Tags=[{"Key": "new1", "Value": "x"},
                                                      {"Key": "new2", "Value": "y"}])
    assert len(tags_of(iam, serial)) == 49  # nothing changed
    iam.tag_mfa_device(SerialNumber=serial, Tags=[{"Key": "new1", "Value": "x"}])
    assert len(tags_of(iam, serial)) == 50
    # Replacing an existing key is not a new tag, even at the limit.
    iam.tag_mfa_device(SerialNumber=serial, Tags=[{"Key": "K00", "Value": "changed"}])
    tags = dict(tags_of(iam, serial))
    assert len(tags) == 50 and tags["K00"] == "changed" and "k00" not in tags
    with aws_error("LimitExceeded", 409):
        iam.tag_mfa_device(SerialNumber=serial, Tags=[{"Key": "K01", "Value": "changed"},
                                                      {"Key": "one-more", "Value": "x"}])
    assert dict(tags_of(iam, serial))["k01"] == "1"


def test_tags_on_assigned_device_and_kept_after_deactivation(tessera):
    tessera.freeze(MFA_NOW)
    iam = tessera.iam()
    tessera.create_user("alice")
    serial, seed = virtual_device(iam, "dev")
    enable_device(iam, "alice", serial, seed)
    iam.tag_mfa_device(SerialNumber=serial, Tags=[{"Key": "owner", "Value": "alice"}])
    iam.deactivate_mfa_device(UserName="alice", SerialNumber=serial)
    assert tags_of(iam, serial) == [("owner", "alice")]
    assert "Tags" not in iam.list_virtual_mfa_devices()["VirtualMFADevices"][0]


def test_list_tags_pagination(tessera):
    iam = tessera.iam()
    keys = [f"t{i}" for i in range(5)]
    serial, _ = virtual_device(iam, "dev", Tags=[{"Key": k, "Value": k} for k in keys])
    seen, marker = [], None
    for _ in range(10):
        kw = {"SerialNumber": serial, "MaxItems": 2}
        if marker:
            kw["Marker"] = marker
        page = iam.list_mfa_device_tags(**kw)
        assert len(page["Tags"]) <= 2
        seen += [t["Key"] for t in page["Tags"]]
        if not page["IsTruncated"]:
            assert "Marker" not in page
            break
        marker = page["Marker"]
    assert seen == keys


@pytest.mark.parametrize("serial", [
    f"arn:aws:iam::{ACCOUNT_ID}:mfa/never-created",
    f"arn:aws:iam::{ACCOUNT_ID}:u2f/user/alice/key-7XNL7NFNLZ3Q2B5HV4KD6MEXAM",
    "arn:aws:iam::210987654321:mfa/elsewhere",
])
def test_unknown_serial(tessera, serial):
    iam = tessera.iam()
    with aws_error("NoSuchEntity", 404):
        iam.tag_mfa_device(SerialNumber=serial, Tags=[{"Key": "k", "Value": "v"}])
    with aws_error("NoSuchEntity", 404):
        iam.untag_mfa_device(SerialNumber=serial, TagKeys=["k"])
    with aws_error("NoSuchEntity", 404):
        iam.list_mfa_device_tags(SerialNumber=serial)


def test_hardware_serial_is_not_taggable(tessera, tmp_path):
    f = tmp_path / "hw.csv"
    f.write_text(f"{HW_SERIAL},0123456789abcdef0123456789abcdef01234567,6,30\n")
    p = run_import_hardware(tessera.server.database, f)
    assert p.returncode == 0, p.stderr
    iam = tessera.iam()
    with aws_error("NoSuchEntity", 404):
        iam.tag_mfa_device(SerialNumber=HW_SERIAL, Tags=[{"Key": "k", "Value": "v"}])
    with aws_error("NoSuchEntity", 404):
        iam.untag_mfa_device(SerialNumber=HW_SERIAL, TagKeys=["k"])
    with aws_error("NoSuchEntity", 404):
        iam.list_mfa_device_tags(SerialNumber=HW_SERIAL)


def test_tag_requires_tags(tessera):
    serial, _ = virtual_device(tessera.iam(), "dev")
    with pytest.raises(ClientError) as ei:
        tessera.iam(validate=False).tag_mfa_device(SerialNumber=serial)
    assert ei.value.response["Error"]["Code"] == "ValidationError"
