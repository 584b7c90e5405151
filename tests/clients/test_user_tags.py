"""TagUser, UntagUser, ListUserTags (iam-mfa.md §0.5)."""

import pytest
from botocore.exceptions import ClientError

from harness import aws_error

DUPLICATE = "Duplicate tag keys found. Please note that Tag keys are case insensitive."


def tags_of(tessera, user):
    return {t["Key"]: t["Value"] for t in tessera.iam().list_user_tags(UserName=user)["Tags"]}


def test_tag_list_untag(tessera):
    tessera.create_user("alice")
    iam = tessera.iam()
    resp = iam.tag_user(UserName="alice", Tags=[{"Key": "Dept", "Value": "Ops"},
                                                {"Key": "Cost Center", "Value": "12+3 / x"}])
    assert set(resp) == {"ResponseMetadata"}
    listed = iam.list_user_tags(UserName="alice")
    assert listed["IsTruncated"] is False and "Marker" not in listed
    assert {t["Key"]: t["Value"] for t in listed["Tags"]} == {"Dept": "Ops",
                                                              "Cost Center": "12+3 / x"}
    assert {t["Key"] for t in iam.get_user(UserName="alice")["User"]["Tags"]} == {
        "Dept", "Cost Center"}
    iam.untag_user(UserName="alice", TagKeys=["Dept"])
    assert tags_of(tessera, "alice") == {"Cost Center": "12+3 / x"}
    iam.untag_user(UserName="alice", TagKeys=["Cost Center", "never-set"])
    assert tags_of(tessera, "alice") == {}
    assert "Tags" not in iam.get_user(UserName="alice")["User"]


def test_tag_user_overwrites_value(tessera):
    tessera.create_user("bob", Tags=[{"Key": "env", "Value": "dev"}])
    tessera.iam().tag_user(UserName="bob", Tags=[{"Key": "env", "Value": "prod"}])
    assert tags_of(tessera, "bob") == {"env": "prod"}


def test_tag_keys_are_unique_case_insensitively(tessera):
    tessera.create_user("carol", Tags=[{"Key": "Dept", "Value": "Ops"}])
    tessera.iam().tag_user(UserName="carol", Tags=[{"Key": "DEPT", "Value": "Eng"}])
    tags = tessera.iam().list_user_tags(UserName="carol")["Tags"]
    assert len(tags) == 1, tags
    assert tags[0]["Key"].lower() == "dept" and tags[0]["Value"] == "Eng"


def test_duplicate_keys_in_one_request(tessera):
    tessera.create_user("dave")
    with aws_error("InvalidInput", 400, message=DUPLICATE):
        tessera.iam().tag_user(UserName="dave", Tags=[{"Key": "team", "Value": "a"},
                                                      {"Key": "Team", "Value": "b"}])
    assert tags_of(tessera, "dave") == {}
    with aws_error("InvalidInput", 400, message=DUPLICATE):
        tessera.iam().create_user(UserName="dave2", Tags=[{"Key": "x", "Value": "1"},
                                                          {"Key": "X", "Value": "2"}])
    with aws_error("NoSuchEntity", 404):
        tessera.iam().get_user(UserName="dave2")


@pytest.mark.parametrize("key", ["aws:secret", "AWS:Secret", "Aws:x"])
def test_aws_prefix_is_reserved(tessera, key):
    tessera.create_user("erin")
    with aws_error("InvalidInput", 400):
        tessera.iam().tag_user(UserName="erin", Tags=[{"Key": "fine", "Value": "1"},
                                                      {"Key": key, "Value": "2"}])
    assert tags_of(tessera, "erin") == {}


def test_fifty_tags_then_one_more_is_limit_exceeded(tessera):
    tessera.create_user("frank")
    iam = tessera.iam()
    fifty = [{"Key": f"k{i:02d}", "Value": str(i)} for i in range(50)]
    iam.tag_user(UserName="frank", Tags=fifty)
    assert len(tags_of(tessera, "frank")) == 50
    with aws_error("LimitExceeded", 409):
        iam.tag_user(UserName="frank", Tags=[{"Key": "k50", "Value": "x"}])
    # Changing an existing key is not a new tag.
    iam.tag_user(UserName="frank", Tags=[{"Key": "K01", "Value": "changed"}])
    tags = tags_of(tessera, "frank")
    assert len(tags) == 50 and "k50" not in tags
    assert [v for k, v in tags.items() if k.lower() == "k01"] == ["changed"]


def test_fifty_one_tags_in_one_request(tessera):
    # The model caps the list at 50; AWS answers with a limit or validation error and creates
    # or changes nothing either way.
    tessera.create_user("gina")
    many = [{"Key": f"k{i:02d}", "Value": str(i)} for i in range(51)]
    allowed = {("LimitExceeded", 409), ("ValidationError", 400)}
    for attempt in (lambda: tessera.iam().tag_user(UserName="gina", Tags=many),
                    lambda: tessera.iam().create_user(UserName="gina2", Tags=many)):
        with pytest.raises(ClientError) as ei:
            attempt()
        r = ei.value.response
        assert (r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"]) in allowed, r
    assert tags_of(tessera, "gina") == {}
    with aws_error("NoSuchEntity", 404):
        tessera.iam().get_user(UserName="gina2")


@pytest.mark.parametrize("tag", [
    {"Key": "k" * 129, "Value": "v"},
    {"Key": "", "Value": "v"},
    {"Key": "bad#key", "Value": "v"},
    {"Key": "ok", "Value": "v" * 257},
    {"Key": "ok", "Value": "semi;colon"},
])
def test_invalid_tag_is_validation_error(tessera, tag):
    tessera.create_user("hank")
    with aws_error("ValidationError", 400, prefix="1 validation error detected: "):
        tessera.iam(validate=False).tag_user(UserName="hank", Tags=[tag])
    assert tags_of(tessera, "hank") == {}


def test_tag_key_and_value_limits_accepted(tessera):
    tessera.create_user("ivan")
    tag = {"Key": "k" * 128, "Value": "v" * 256}
    tessera.iam().tag_user(UserName="ivan", Tags=[tag, {"Key": "ÄÖ 9_.:/=+-@", "Value": ""}])
    assert tags_of(tessera, "ivan") == {"k" * 128: "v" * 256, "ÄÖ 9_.:/=+-@": ""}


def test_tag_operations_on_missing_user(tessera):
    iam = tessera.iam()
    msg = "The user with name ghost cannot be found."
    with aws_error("NoSuchEntity", 404, message=msg):
        iam.tag_user(UserName="ghost", Tags=[{"Key": "a", "Value": "b"}])
    with aws_error("NoSuchEntity", 404, message=msg):
        iam.untag_user(UserName="ghost", TagKeys=["a"])
    with aws_error("NoSuchEntity", 404, message=msg):
        iam.list_user_tags(UserName="ghost")


def test_tag_user_requires_tags(tessera):
    tessera.create_user("judy")
    with aws_error("ValidationError", 400,
                   message="1 validation error detected: Value null at 'tags' failed to satisfy "
                           "constraint: Member must not be null"):
        tessera.iam(validate=False).tag_user(UserName="judy")


def test_list_user_tags_pagination(tessera):
    tessera.create_user("kim", Tags=[{"Key": f"t{i}", "Value": str(i)} for i in range(5)])
    iam = tessera.iam()
    seen, marker = {}, None
    for _ in range(10):
        kw = {"UserName": "kim", "MaxItems": 2}
        if marker:
            kw["Marker"] = marker
        page = iam.list_user_tags(**kw)
        assert len(page["Tags"]) <= 2
        for t in page["Tags"]:
            assert t["Key"] not in seen
            seen[t["Key"]] = t["Value"]
        if not page["IsTruncated"]:
            assert "Marker" not in page
            break
        marker = page["Marker"]
    assert seen == {f"t{i}": str(i) for i in range(5)}
