"""STS GetCallerIdentity (sts.md §5) and GetAccessKeyInfo."""

import pytest

from harness import ACCOUNT_ID, ROOT_ACCESS_KEY_ID, Creds, aws_error, validation_message

INVALID_TOKEN = "The security token included in the request is invalid."


def test_caller_identity_root(tessera):
    ident = tessera.sts().get_caller_identity()
    assert ident["UserId"] == ACCOUNT_ID
    assert ident["Account"] == ACCOUNT_ID
    assert ident["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:root"


def test_caller_identity_user(tessera):
    user, creds = tessera.user_with_key("alice", Path="/team/a/")
    ident = tessera.sts(creds).get_caller_identity()
    assert ident["UserId"] == user["UserId"]
    assert ident["UserId"].startswith("AIDA") and len(ident["UserId"]) == 21
    assert ident["Account"] == ACCOUNT_ID
    assert ident["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:user/team/a/alice"


def test_caller_identity_needs_no_permission_even_under_deny(tessera):
    import json

    _, creds = tessera.user_with_key("bob")
    deny = {"Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
    tessera.iam().put_user_policy(UserName="bob", PolicyName="deny",
                                  PolicyDocument=json.dumps(deny))
    assert tessera.sts(creds).get_caller_identity()["Arn"].endswith(":user/bob")


@pytest.mark.parametrize("region", ["us-east-1", "us-west-2", "eu-central-1", "ap-southeast-2"])
def test_caller_identity_any_region(tessera, region):
    # wire-protocol.md §1: SDKs sign with whatever region they are configured with.
    assert tessera.sts(region=region).get_caller_identity()["Account"] == ACCOUNT_ID


def test_caller_identity_unknown_key(tessera):
    with aws_error("InvalidClientTokenId", 403, message=INVALID_TOKEN):
        tessera.sts(Creds("AKIAAAAAAAAAAAAAAAAA", "x" * 40)).get_caller_identity()


def test_caller_identity_wrong_secret(tessera):
    with aws_error("SignatureDoesNotMatch", 403):
        tessera.sts(Creds(ROOT_ACCESS_KEY_ID, "y" * 40)).get_caller_identity()


def test_access_key_info_root_key(tessera):
    assert tessera.sts().get_access_key_info(AccessKeyId=ROOT_ACCESS_KEY_ID)["Account"] == ACCOUNT_ID


def test_access_key_info_user_key(tessera):
    _, creds = tessera.user_with_key("carol")
    resp = tessera.sts().get_access_key_info(AccessKeyId=creds.access_key_id)
    assert resp["Account"] == ACCOUNT_ID
    assert set(resp) == {"Account", "ResponseMetadata"}


def test_access_key_info_bad_id(tessera):
    with aws_error("ValidationError", 400, message=validation_message(
            "AKIA", "accessKeyId", "Member must have length greater than or equal to 16")):
        tessera.sts(validate=False).get_access_key_info(AccessKeyId="AKIA")


def test_access_key_info_missing_id(tessera):
    with aws_error("ValidationError", 400, message=validation_message(
            None, "accessKeyId", "Member must not be null")):
        tessera.sts(validate=False).get_access_key_info()


def test_unimplemented_sts_action(tessera):
    with aws_error("InvalidAction", 400,
                   message="Could not find operation DecodeAuthorizationMessage for version "
                           "2011-06-15"):
        tessera.sts().decode_authorization_message(EncodedMessage="x")
