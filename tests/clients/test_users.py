"""CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser through boto3 (iam-mfa.md §5.1–5.4)."""

import re

import pytest

from harness import ACCOUNT_ID, aws_error, near_now, validation_message

USER_ID = re.compile(r"^AIDA[A-Z2-7]{17}$")
NAME_PATTERN = r"[\w+=,.@-]+"


# --- CreateUser ------------------------------------------------------------------------------


def test_create_user_returns_the_user(tessera):
    resp = tessera.iam().create_user(UserName="alice")
    user = resp["User"]
    assert user["UserName"] == "alice"
    assert user["Path"] == "/"
    assert USER_ID.match(user["UserId"]), user
    assert user["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:user/alice"
    assert near_now(user["CreateDate"])
    assert "Tags" not in user
    assert "PermissionsBoundary" not in user
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_create_user_with_path_and_tags(tessera):
    user = tessera.iam().create_user(
        UserName="bob",
        Path="/division_abc/subdivision_xyz/",
        Tags=[{"Key": "Dept", "Value": "Ops"}, {"Key": "cost center", "Value": "Ünïcode välue"},
              {"Key": "empty", "Value": ""}],
    )["User"]
    assert user["Path"] == "/division_abc/subdivision_xyz/"
    assert user["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:user/division_abc/subdivision_xyz/bob"
    assert sorted((t["Key"], t["Value"]) for t in user["Tags"]) == [
        ("Dept", "Ops"), ("cost center", "Ünïcode välue"), ("empty", "")]
    got = tessera.iam().get_user(UserName="bob")["User"]
    assert got["Arn"] == user["Arn"] and got["UserId"] == user["UserId"]
    assert sorted(t["Key"] for t in got["Tags"]) == ["Dept", "cost center", "empty"]


def test_create_user_with_empty_tag_list(tessera):
    # botocore sends `Tags=` for an empty list (wire-protocol.md §2.4).
    user = tessera.iam().create_user(UserName="notags", Tags=[])["User"]
    assert "Tags" not in user
    assert tessera.iam().list_user_tags(UserName="notags")["Tags"] == []


def test_user_ids_are_distinct(tessera):
    ids = {tessera.create_user(f"u{i}")["UserId"] for i in range(5)}
    assert len(ids) == 5


def test_create_user_duplicate_name_is_case_insensitive(tessera):
    tessera.create_user("Alice")
    for name in ("Alice", "alice", "ALICE"):
        with aws_error("EntityAlreadyExists", 409) as e:
            tessera.iam().create_user(UserName=name)
        assert e.error["Message"] in (f"User with name {name} already exists.",
                                      "User with name Alice already exists.")
    users = tessera.iam().list_users()["Users"]
    assert [u["UserName"] for u in users] == ["Alice"]


def test_create_user_named_like_the_account_id(tessera):
    with aws_error("EntityAlreadyExists", 409,
                   message=f"User with name {ACCOUNT_ID} already exists."):
        tessera.iam().create_user(UserName=ACCOUNT_ID)


def test_create_user_name_too_long(tessera):
    name = "a" * 65
    with aws_error("ValidationError", 400) as e:
        tessera.iam().create_user(UserName=name)
    assert e.error["Message"] == validation_message(
        name, "userName", "Member must have length less than or equal to 64")


def test_create_user_name_64_chars_is_fine(tessera):
    name = "b" * 64
    assert tessera.create_user(name)["UserName"] == name


@pytest.mark.parametrize("name", ["bad name", "bad!name", "naïve", "a/b", "tab\tname"])
def test_create_user_name_bad_pattern(tessera, name):
    with aws_error("ValidationError", 400) as e:
        tessera.iam().create_user(UserName=name)
    assert e.error["Message"] == validation_message(
        name, "userName", f"Member must satisfy regular expression pattern: {NAME_PATTERN}")
    assert tessera.iam().list_users()["Users"] == []


def test_create_user_name_too_long_and_bad_pattern(tessera):
    name = "x!" * 40
    with aws_error("ValidationError", 400, prefix="2 validation errors detected: ") as e:
        tessera.iam().create_user(UserName=name)
    assert "Member must have length less than or equal to 64" in e.error["Message"]
    assert "Member must satisfy regular expression pattern" in e.error["Message"]


@pytest.mark.parametrize("path", ["noslash", "/noend", "no/start/", "/two//slashes ok?/ x/"])
def test_create_user_bad_path(tessera, path):
    with aws_error("ValidationError", 400):
        tessera.iam().create_user(UserName="pathy", Path=path)
    with aws_error("NoSuchEntity", 404):
        tessera.iam().get_user(UserName="pathy")


def test_create_user_missing_name_is_validation_error(tessera):
    iam = tessera.iam(validate=False)
    with aws_error("ValidationError", 400,
                   message=validation_message(None, "userName", "Member must not be null")):
        iam.create_user()


def test_create_user_with_bad_tag_creates_nothing(tessera):
    with aws_error("InvalidInput", 400):
        tessera.iam().create_user(UserName="tagged",
                                  Tags=[{"Key": "ok", "Value": "1"}, {"Key": "aws:x", "Value": "2"}])
    with aws_error("NoSuchEntity", 404):
        tessera.iam().get_user(UserName="tagged")


# --- GetUser ---------------------------------------------------------------------------------


def test_get_user_by_name_any_case(tessera):
    created = tessera.create_user("Carol", Path="/team/")
    for name in ("Carol", "carol", "CAROL"):
        user = tessera.iam().get_user(UserName=name)["User"]
        assert user["UserName"] == "Carol"
        assert user["UserId"] == created["UserId"]
        assert user["Path"] == "/team/"
        assert user["Arn"] == created["Arn"]
        assert user["CreateDate"] == created["CreateDate"]
        assert "PasswordLastUsed" not in user


def test_get_user_missing(tessera):
    with aws_error("NoSuchEntity", 404, message="The user with name ghost cannot be found."):
        tessera.iam().get_user(UserName="ghost")


def test_get_user_without_name_as_root(tessera):
    user = tessera.iam().get_user()["User"]
    assert user["UserId"] == ACCOUNT_ID
    assert user["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:root"
    assert user["Arn"].endswith(":root")
    assert "CreateDate" in user
    assert "UserName" not in user and "Path" not in user


def test_get_user_without_name_as_user(tessera):
    created, creds = tessera.user_with_key("dave", Path="/eng/")
    tessera.grant("dave", ["iam:GetUser"])
    user = tessera.iam(creds).get_user()["User"]
    assert user["UserName"] == "dave"
    assert user["UserId"] == created["UserId"]
    assert user["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:user/eng/dave"


def test_get_user_as_user_without_permission(tessera):
    _, creds = tessera.user_with_key("erin")
    with aws_error("AccessDenied", 403,
                   prefix=f"User: arn:aws:iam::{ACCOUNT_ID}:user/erin is not authorized to "
                          "perform: iam:GetUser on resource: ",
                   contains="because no identity-based policy allows the iam:GetUser action"):
        tessera.iam(creds).get_user()


def test_get_user_name_too_long(tessera):
    name = "n" * 129
    with aws_error("ValidationError", 400, message=validation_message(
            name, "userName", "Member must have length less than or equal to 128")):
        tessera.iam().get_user(UserName=name)


# --- ListUsers -------------------------------------------------------------------------------


def test_list_users_empty(tessera):
    resp = tessera.iam().list_users()
    assert resp["Users"] == []
    assert resp["IsTruncated"] is False
    assert "Marker" not in resp


def test_list_users_sorted_case_insensitively_without_tags(tessera):
    names = ["bob", "Alice", "carol", "Dave", "alex0", "_under", "Zed", "0zero"]
    for n in names:
        tessera.create_user(n, Tags=[{"Key": "k", "Value": "v"}])
    resp = tessera.iam().list_users()
    got = [u["UserName"] for u in resp["Users"]]
    assert got == sorted(names, key=str.lower)
    assert resp["IsTruncated"] is False
    for u in resp["Users"]:
        assert set(u) >= {"Path", "UserName", "UserId", "Arn", "CreateDate"}
        assert "Tags" not in u and "PermissionsBoundary" not in u
    # Root is never listed.
    assert all(not u["Arn"].endswith(":root") for u in resp["Users"])


def test_list_users_path_prefix(tessera):
    tessera.create_user("a1", Path="/eng/")
    tessera.create_user("a2", Path="/eng/backend/")
    tessera.create_user("a3", Path="/sales/")
    tessera.create_user("a4")
    iam = tessera.iam()
    assert [u["UserName"] for u in iam.list_users(PathPrefix="/eng/")["Users"]] == ["a1", "a2"]
    assert [u["UserName"] for u in iam.list_users(PathPrefix="/eng/b")["Users"]] == ["a2"]
    assert [u["UserName"] for u in iam.list_users(PathPrefix="/")["Users"]] == ["a1", "a2", "a3", "a4"]
    assert iam.list_users(PathPrefix="/nothing/")["Users"] == []


def test_list_users_bad_path_prefix(tessera):
    with aws_error("ValidationError", 400):
        tessera.iam().list_users(PathPrefix="eng/")


def _make_users(tessera, n=25):
    # Mixed case so that the order is the lower-cased one.
    names = [(f"User{i:02d}" if i % 2 else f"user{i:02d}") for i in range(n)]
    for name in reversed(names):
        tessera.create_user(name)
    return names


def test_list_users_pagination_with_marker(tessera):
    names = _make_users(tessera)
    iam = tessera.iam()
    seen, pages, marker = [], 0, None
    while True:
        kw = {"MaxItems": 7}
        if marker:
            kw["Marker"] = marker
        resp = iam.list_users(**kw)
        pages += 1
        batch = [u["UserName"] for u in resp["Users"]]
        assert 1 <= len(batch) <= 7
        seen += batch
        if resp["IsTruncated"]:
            assert resp.get("Marker"), resp
            marker = resp["Marker"]
        else:
            assert "Marker" not in resp
            break
        assert pages < 20, "pagination does not end"
    assert seen == sorted(names, key=str.lower)
    assert pages == 4


def test_list_users_boto3_paginator(tessera):
    names = _make_users(tessera)
    pages = list(tessera.iam().get_paginator("list_users").paginate(
        PaginationConfig={"PageSize": 4}))
    assert len(pages) == 7
    assert [u["UserName"] for p in pages for u in p["Users"]] == sorted(names, key=str.lower)
    assert all(p["IsTruncated"] for p in pages[:-1]) and not pages[-1]["IsTruncated"]


def test_list_users_exact_page_boundary(tessera):
    for i in range(4):
        tessera.create_user(f"p{i}")
    resp = tessera.iam().list_users(MaxItems=4)
    assert len(resp["Users"]) == 4 and resp["IsTruncated"] is False and "Marker" not in resp


def test_list_users_pages_survive_changes(tessera):
    # wire-protocol.md §7: inserts/deletes between pages never repeat or skip surviving items.
    for i in range(10):
        tessera.create_user(f"s{i:02d}")
    iam = tessera.iam()
    first = iam.list_users(MaxItems=4)
    assert [u["UserName"] for u in first["Users"]] == ["s00", "s01", "s02", "s03"]
    iam.delete_user(UserName="s02")
    iam.delete_user(UserName="s05")
    tessera.create_user("s00a")  # sorts before the marker: not on later pages
    tessera.create_user("s07a")  # after the marker: appears
    rest, marker = [], first["Marker"]
    while marker:
        page = iam.list_users(MaxItems=3, Marker=marker)
        rest += [u["UserName"] for u in page["Users"]]
        marker = page.get("Marker") if page["IsTruncated"] else None
        assert len(rest) < 50
    assert rest == ["s04", "s06", "s07", "s07a", "s08", "s09"]


@pytest.mark.parametrize("marker", ["Zm9yZ2Vk", "not a marker", "x" * 300])
def test_list_users_forged_marker(tessera, marker):
    for i in range(3):
        tessera.create_user(f"m{i}")
    with aws_error("ValidationError", 400):
        tessera.iam().list_users(Marker=marker)


def test_list_users_tampered_marker(tessera):
    for i in range(3):
        tessera.create_user(f"m{i}")
    marker = tessera.iam().list_users(MaxItems=1)["Marker"]
    flipped = marker[:-2] + ("A" if marker[-2] != "A" else "B") + marker[-1]
    with aws_error("ValidationError", 400):
        tessera.iam().list_users(Marker=flipped)


def test_list_users_marker_from_another_operation(tessera):
    tessera.create_user("k")
    iam = tessera.iam()
    iam.create_access_key(UserName="k")
    iam.create_access_key(UserName="k")
    marker = iam.list_access_keys(UserName="k", MaxItems=1)["Marker"]
    with aws_error("ValidationError", 400):
        iam.list_users(Marker=marker)


@pytest.mark.parametrize("max_items,constraint", [
    (1001, "Member must have value less than or equal to 1000"),
])
def test_list_users_max_items_out_of_range(tessera, max_items, constraint):
    with aws_error("ValidationError", 400,
                   message=validation_message(max_items, "maxItems", constraint)):
        tessera.iam().list_users(MaxItems=max_items)


def test_list_users_max_items_zero(tessera):
    with aws_error("ValidationError", 400, message=validation_message(
            0, "maxItems", "Member must have value greater than or equal to 1")):
        tessera.iam(validate=False).list_users(MaxItems=0)


# --- UpdateUser ------------------------------------------------------------------------------


def test_update_user_rename_and_path(tessera):
    created, creds = tessera.user_with_key("frank")
    iam = tessera.iam()
    iam.create_login_profile(UserName="frank", Password="Str0ng-Passw0rd")
    resp = iam.update_user(UserName="frank", NewUserName="franklin", NewPath="/renamed/")
    assert set(resp) == {"ResponseMetadata"}
    with aws_error("NoSuchEntity", 404, message="The user with name frank cannot be found."):
        iam.get_user(UserName="frank")
    user = iam.get_user(UserName="franklin")["User"]
    assert user["UserId"] == created["UserId"]
    assert user["Path"] == "/renamed/"
    assert user["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:user/renamed/franklin"
    assert user["CreateDate"] == created["CreateDate"]
    # Keys and the login profile follow the rename.
    keys = iam.list_access_keys(UserName="franklin")["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in keys] == [creds.access_key_id]
    assert keys[0]["UserName"] == "franklin"
    assert iam.get_login_profile(UserName="franklin")["LoginProfile"]["UserName"] == "franklin"
    with aws_error("NoSuchEntity", 404):
        iam.get_login_profile(UserName="frank")
    ident = tessera.sts(creds).get_caller_identity()
    assert ident["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:user/renamed/franklin"
    assert ident["UserId"] == created["UserId"]
    # The old name is free again.
    assert tessera.create_user("frank")["UserId"] != created["UserId"]


def test_update_user_path_only(tessera):
    tessera.create_user("gina")
    tessera.iam().update_user(UserName="gina", NewPath="/x/y/")
    assert tessera.iam().get_user(UserName="gina")["User"]["Arn"].endswith(":user/x/y/gina")


def test_update_user_to_taken_name(tessera):
    tessera.create_user("ivan")
    tessera.create_user("Judy")
    with aws_error("EntityAlreadyExists", 409):
        tessera.iam().update_user(UserName="ivan", NewUserName="judy")
    assert tessera.iam().get_user(UserName="ivan")["User"]["UserName"] == "ivan"


def test_update_user_missing(tessera):
    with aws_error("NoSuchEntity", 404, message="The user with name ghost cannot be found."):
        tessera.iam().update_user(UserName="ghost", NewUserName="ghoul")


def test_update_user_bad_new_name(tessera):
    tessera.create_user("kim")
    with aws_error("ValidationError", 400, message=validation_message(
            "k m", "newUserName",
            f"Member must satisfy regular expression pattern: {NAME_PATTERN}")):
        tessera.iam().update_user(UserName="kim", NewUserName="k m")
    with aws_error("ValidationError", 400):
        tessera.iam().update_user(UserName="kim", NewPath="bad")


# --- DeleteUser ------------------------------------------------------------------------------


def test_delete_user(tessera):
    tessera.create_user("leo")
    resp = tessera.iam().delete_user(UserName="leo")
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    with aws_error("NoSuchEntity", 404, message="The user with name leo cannot be found."):
        tessera.iam().get_user(UserName="leo")
    assert tessera.iam().list_users()["Users"] == []


def test_delete_user_by_other_case(tessera):
    tessera.create_user("Mia")
    tessera.iam().delete_user(UserName="mia")
    assert tessera.iam().list_users()["Users"] == []


def test_delete_user_missing(tessera):
    with aws_error("NoSuchEntity", 404, message="The user with name ghost cannot be found."):
        tessera.iam().delete_user(UserName="ghost")


def test_delete_user_conflicts_in_order(tessera):
    _, creds = tessera.user_with_key("ned")
    iam = tessera.iam()
    iam.create_login_profile(UserName="ned", Password="Str0ng-Passw0rd")
    with aws_error("DeleteConflict", 409,
                   message="Cannot delete entity, must delete login profile first."):
        iam.delete_user(UserName="ned")
    iam.delete_login_profile(UserName="ned")
    with aws_error("DeleteConflict", 409,
                   message="Cannot delete entity, must delete access keys first."):
        iam.delete_user(UserName="ned")
    # Nothing was deleted by the failed attempts: the key still signs.
    assert tessera.sts(creds).get_caller_identity()["Arn"].endswith(":user/ned")
    iam.delete_access_key(UserName="ned", AccessKeyId=creds.access_key_id)
    iam.delete_user(UserName="ned")
    with aws_error("NoSuchEntity", 404):
        iam.get_user(UserName="ned")


def test_delete_user_with_inline_policy_conflicts(tessera):
    tessera.create_user("olga")
    tessera.grant("olga", ["iam:GetUser"])
    with aws_error("DeleteConflict", 409,
                   message="Cannot delete entity, must delete policies first."):
        tessera.iam().delete_user(UserName="olga")
    tessera.iam().delete_user_policy(UserName="olga", PolicyName="grant")
    tessera.iam().delete_user(UserName="olga")


def test_delete_user_removes_tags_and_frees_name(tessera):
    first = tessera.create_user("pat", Tags=[{"Key": "a", "Value": "b"}])
    tessera.iam().delete_user(UserName="pat")
    again = tessera.create_user("pat")
    assert again["UserId"] != first["UserId"]
    assert tessera.iam().list_user_tags(UserName="pat")["Tags"] == []
