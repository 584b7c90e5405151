"""Create/List/Update/DeleteAccessKey and GetAccessKeyLastUsed (iam-mfa.md §5.6)."""

import re

from harness import ACCOUNT_ID, ROOT_ACCESS_KEY_ID, Creds, aws_error, near_now, validation_message

AKID = re.compile(r"^AKIA[A-Z2-7]{16}$")
SECRET = re.compile(r"^[A-Za-z0-9+/]{40}$")
INVALID_TOKEN = "The security token included in the request is invalid."
QUOTA = "Cannot exceed quota for AccessKeysPerUser: 2"


def test_create_access_key(tessera):
    tessera.create_user("alice")
    key = tessera.iam().create_access_key(UserName="alice")["AccessKey"]
    assert key["UserName"] == "alice"
    assert AKID.match(key["AccessKeyId"]), key
    assert SECRET.match(key["SecretAccessKey"]), key
    assert key["Status"] == "Active"
    assert near_now(key["CreateDate"])


def test_new_key_signs_as_the_user(tessera):
    user, creds = tessera.user_with_key("bob", Path="/eng/")
    ident = tessera.sts(creds).get_caller_identity()
    assert ident["UserId"] == user["UserId"]
    assert ident["Account"] == ACCOUNT_ID
    assert ident["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:user/eng/bob"


def test_two_keys_per_user_then_limit(tessera):
    tessera.create_user("carol")
    iam = tessera.iam()
    k1 = iam.create_access_key(UserName="carol")["AccessKey"]
    k2 = iam.create_access_key(UserName="carol")["AccessKey"]
    assert k1["AccessKeyId"] != k2["AccessKeyId"]
    assert k1["SecretAccessKey"] != k2["SecretAccessKey"]
    with aws_error("LimitExceeded", 409, message=QUOTA):
        iam.create_access_key(UserName="carol")
    assert len(iam.list_access_keys(UserName="carol")["AccessKeyMetadata"]) == 2
    # Inactive keys still count.
    iam.update_access_key(UserName="carol", AccessKeyId=k1["AccessKeyId"], Status="Inactive")
    with aws_error("LimitExceeded", 409, message=QUOTA):
        iam.create_access_key(UserName="carol")
    iam.delete_access_key(UserName="carol", AccessKeyId=k1["AccessKeyId"])
    iam.create_access_key(UserName="carol")


def test_create_access_key_missing_user(tessera):
    with aws_error("NoSuchEntity", 404, message="The user with name ghost cannot be found."):
        tessera.iam().create_access_key(UserName="ghost")


def test_root_access_keys(tessera):
    iam = tessera.iam()
    listed = iam.list_access_keys()["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in listed] == [ROOT_ACCESS_KEY_ID]
    assert listed[0]["Status"] == "Active"
    tessera.tick()
    key = iam.create_access_key()["AccessKey"]
    try:
        assert key["UserName"] == ACCOUNT_ID  # iam-mfa.md §0.3/§0.4
        assert AKID.match(key["AccessKeyId"])
        creds = Creds(key["AccessKeyId"], key["SecretAccessKey"])
        assert tessera.sts(creds).get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:root"
        with aws_error("LimitExceeded", 409, message=QUOTA):
            iam.create_access_key()
        ids = [k["AccessKeyId"] for k in iam.list_access_keys()["AccessKeyMetadata"]]
        assert ids == [ROOT_ACCESS_KEY_ID, key["AccessKeyId"]]
    finally:
        iam.delete_access_key(AccessKeyId=key["AccessKeyId"])
    assert [k["AccessKeyId"] for k in iam.list_access_keys()["AccessKeyMetadata"]] == [
        ROOT_ACCESS_KEY_ID]


def test_list_access_keys(tessera):
    tessera.create_user("dave")
    iam = tessera.iam()
    empty = iam.list_access_keys(UserName="dave")
    assert empty["AccessKeyMetadata"] == [] and empty["IsTruncated"] is False
    k1 = iam.create_access_key(UserName="dave")["AccessKey"]
    tessera.tick()
    k2 = iam.create_access_key(UserName="dave")["AccessKey"]
    resp = iam.list_access_keys(UserName="dave")
    assert resp["IsTruncated"] is False and "Marker" not in resp
    meta = resp["AccessKeyMetadata"]
    assert [m["AccessKeyId"] for m in meta] == [k1["AccessKeyId"], k2["AccessKeyId"]]
    for m, k in zip(meta, (k1, k2)):
        assert m["UserName"] == "dave"
        assert m["Status"] == "Active"
        assert m["CreateDate"] == k["CreateDate"]
        assert "SecretAccessKey" not in m
    page1 = iam.list_access_keys(UserName="dave", MaxItems=1)
    assert page1["IsTruncated"] is True and len(page1["AccessKeyMetadata"]) == 1
    page2 = iam.list_access_keys(UserName="dave", MaxItems=1, Marker=page1["Marker"])
    assert page2["IsTruncated"] is False
    assert [m["AccessKeyId"] for m in page1["AccessKeyMetadata"] + page2["AccessKeyMetadata"]] == [
        k1["AccessKeyId"], k2["AccessKeyId"]]


def test_list_access_keys_missing_user(tessera):
    with aws_error("NoSuchEntity", 404):
        tessera.iam().list_access_keys(UserName="ghost")


def test_list_access_keys_as_the_user(tessera):
    _, creds = tessera.user_with_key("erin")
    tessera.grant("erin", ["iam:ListAccessKeys"])
    meta = tessera.iam(creds).list_access_keys()["AccessKeyMetadata"]
    assert [m["AccessKeyId"] for m in meta] == [creds.access_key_id]
    assert meta[0]["UserName"] == "erin"


def test_inactive_key_is_refused_then_reactivated(tessera):
    _, creds = tessera.user_with_key("frank")
    iam = tessera.iam()
    resp = iam.update_access_key(UserName="frank", AccessKeyId=creds.access_key_id,
                                 Status="Inactive")
    assert set(resp) == {"ResponseMetadata"}
    meta = iam.list_access_keys(UserName="frank")["AccessKeyMetadata"]
    assert meta[0]["Status"] == "Inactive"
    with aws_error("InvalidClientTokenId", 403, message=INVALID_TOKEN):
        tessera.sts(creds).get_caller_identity()
    with aws_error("InvalidClientTokenId", 403, message=INVALID_TOKEN):
        tessera.iam(creds).list_users()
    iam.update_access_key(UserName="frank", AccessKeyId=creds.access_key_id, Status="Active")
    assert tessera.sts(creds).get_caller_identity()["Arn"].endswith(":user/frank")


def test_update_access_key_expired_is_invalid_input(tessera):
    _, creds = tessera.user_with_key("gina")
    with aws_error("InvalidInput", 400):
        tessera.iam().update_access_key(UserName="gina", AccessKeyId=creds.access_key_id,
                                        Status="Expired")
    assert tessera.iam().list_access_keys(UserName="gina")["AccessKeyMetadata"][0][
        "Status"] == "Active"


def test_update_access_key_bad_status(tessera):
    _, creds = tessera.user_with_key("hank")
    with aws_error("ValidationError", 400, message=validation_message(
            "Sleeping", "status", "Member must satisfy enum value set: [Active, Inactive, Expired]")):
        tessera.iam().update_access_key(UserName="hank", AccessKeyId=creds.access_key_id,
                                        Status="Sleeping")


def test_update_access_key_of_another_user(tessera):
    tessera.create_user("ivan")
    _, creds = tessera.user_with_key("judy")
    with aws_error("NoSuchEntity", 404,
                   message=f"The Access Key with id {creds.access_key_id} cannot be found."):
        tessera.iam().update_access_key(UserName="ivan", AccessKeyId=creds.access_key_id,
                                        Status="Inactive")
    assert tessera.sts(creds).get_caller_identity()["Arn"].endswith(":user/judy")


def test_update_access_key_unknown(tessera):
    tessera.create_user("kim")
    with aws_error("NoSuchEntity", 404,
                   message="The Access Key with id AKIAAAAAAAAAAAAAAAAA cannot be found."):
        tessera.iam().update_access_key(UserName="kim", AccessKeyId="AKIAAAAAAAAAAAAAAAAA",
                                        Status="Inactive")


def test_delete_access_key(tessera):
    _, creds = tessera.user_with_key("leo")
    iam = tessera.iam()
    resp = iam.delete_access_key(UserName="leo", AccessKeyId=creds.access_key_id)
    assert set(resp) == {"ResponseMetadata"}
    assert iam.list_access_keys(UserName="leo")["AccessKeyMetadata"] == []
    with aws_error("InvalidClientTokenId", 403, message=INVALID_TOKEN):
        tessera.sts(creds).get_caller_identity()
    with aws_error("NoSuchEntity", 404):
        iam.delete_access_key(UserName="leo", AccessKeyId=creds.access_key_id)


def test_delete_access_key_missing_user(tessera):
    with aws_error("NoSuchEntity", 404):
        tessera.iam().delete_access_key(UserName="ghost", AccessKeyId="AKIAAAAAAAAAAAAAAAAA")


def test_access_key_id_too_short(tessera):
    tessera.create_user("mia")
    with aws_error("ValidationError", 400, message=validation_message(
            "AKIASHORT", "accessKeyId", "Member must have length greater than or equal to 16")):
        tessera.iam(validate=False).delete_access_key(UserName="mia", AccessKeyId="AKIASHORT")


def test_keys_of_deleted_user_stop_working(tessera):
    _, creds = tessera.user_with_key("ned")
    tessera.iam().delete_access_key(UserName="ned", AccessKeyId=creds.access_key_id)
    tessera.iam().delete_user(UserName="ned")
    with aws_error("InvalidClientTokenId", 403):
        tessera.sts(creds).get_caller_identity()


# --- GetAccessKeyLastUsed --------------------------------------------------------------------


def test_access_key_last_used_before_use(tessera):
    _, creds = tessera.user_with_key("olga")
    resp = tessera.iam().get_access_key_last_used(AccessKeyId=creds.access_key_id)
    assert resp["UserName"] == "olga"
    assert resp["AccessKeyLastUsed"] == {"ServiceName": "N/A", "Region": "N/A"}


def test_access_key_last_used_after_sts_call(tessera):
    _, creds = tessera.user_with_key("pat")
    tessera.sts(creds, region="eu-west-1").get_caller_identity()
    used = tessera.iam().get_access_key_last_used(AccessKeyId=creds.access_key_id)
    assert used["UserName"] == "pat"
    last = used["AccessKeyLastUsed"]
    assert last["ServiceName"] == "sts"
    assert last["Region"] == "eu-west-1"
    assert near_now(last["LastUsedDate"])


def test_access_key_last_used_after_iam_call(tessera):
    _, creds = tessera.user_with_key("quinn")
    tessera.grant("quinn", ["iam:ListUsers"])
    tessera.iam(creds, region="us-west-2").list_users()
    last = tessera.iam().get_access_key_last_used(
        AccessKeyId=creds.access_key_id)["AccessKeyLastUsed"]
    assert (last["ServiceName"], last["Region"]) == ("iam", "us-west-2")
    assert near_now(last["LastUsedDate"])


def test_root_key_last_used(tessera):
    tessera.iam().list_users()
    last = tessera.iam().get_access_key_last_used(
        AccessKeyId=ROOT_ACCESS_KEY_ID)["AccessKeyLastUsed"]
    assert (last["ServiceName"], last["Region"]) == ("iam", "us-east-1")
    assert near_now(last["LastUsedDate"])


def test_access_key_last_used_bad_id(tessera):
    with aws_error("ValidationError", 400, message=validation_message(
            "AKIASHORT", "accessKeyId", "Member must have length greater than or equal to 16")):
        tessera.iam(validate=False).get_access_key_last_used(AccessKeyId="AKIASHORT")


def test_failed_signature_does_not_count_as_use(tessera):
    # wire-protocol.md §8.6: last-used data is recorded only after the signature is verified.
    _, creds = tessera.user_with_key("rita")
    bad = Creds(creds.access_key_id, "x" * 40)
    with aws_error("SignatureDoesNotMatch", 403):
        tessera.sts(bad).get_caller_identity()
    last = tessera.iam().get_access_key_last_used(
        AccessKeyId=creds.access_key_id)["AccessKeyLastUsed"]
    assert last == {"ServiceName": "N/A", "Region": "N/A"}
