"""Groups and membership through boto3: CreateGroup, GetGroup, ListGroups, UpdateGroup,
DeleteGroup, AddUserToGroup, RemoveUserFromGroup, ListGroupsForUser."""

import json
import re

from harness import ACCOUNT_ID, aws_error, near_now

GROUP_ID = re.compile(r"^AGPA[A-Z2-7]{17}$")
DOC = json.dumps({"Version": "2012-10-17",
                  "Statement": [{"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}]})


def test_create_get_and_list_groups(tessera):
    iam = tessera.iam()
    group = iam.create_group(GroupName="Admins")["Group"]
    assert GROUP_ID.match(group["GroupId"]), group
    assert group["Path"] == "/" and group["GroupName"] == "Admins"
    assert group["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:group/Admins"
    assert near_now(group["CreateDate"])
    ops = iam.create_group(GroupName="ops", Path="/eng/ops/")["Group"]
    assert ops["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:group/eng/ops/ops"

    got = iam.get_group(GroupName="admins")
    assert got["Group"]["GroupId"] == group["GroupId"] and got["Users"] == []
    assert got["IsTruncated"] is False

    assert [g["GroupName"] for g in iam.list_groups()["Groups"]] == ["Admins", "ops"]
    assert [g["GroupName"] for g in iam.list_groups(PathPrefix="/eng/")["Groups"]] == ["ops"]
    page = iam.list_groups(MaxItems=1)
    assert page["IsTruncated"] is True and [g["GroupName"] for g in page["Groups"]] == ["Admins"]
    rest = iam.list_groups(Marker=page["Marker"])
    assert [g["GroupName"] for g in rest["Groups"]] == ["ops"] and rest["IsTruncated"] is False


def test_group_errors(tessera):
    iam = tessera.iam()
    iam.create_group(GroupName="devs")
    with aws_error("EntityAlreadyExists", 409, message="Group with name DEVS already exists."):
        iam.create_group(GroupName="DEVS")
    with aws_error("NoSuchEntity", 404, message="The group with name nope cannot be found."):
        iam.get_group(GroupName="nope")
    with aws_error("NoSuchEntity", 404):
        iam.delete_group(GroupName="nope")
    with aws_error("ValidationError", 400, contains="groupName"):
        tessera.iam(validate=False).create_group(GroupName="bad name")


def test_update_group_renames_and_moves(tessera):
    iam = tessera.iam()
    iam.create_group(GroupName="a")
    iam.create_group(GroupName="b")
    iam.update_group(GroupName="a", NewGroupName="c", NewPath="/x/")
    got = iam.get_group(GroupName="c")["Group"]
    assert got["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:group/x/c"
    with aws_error("EntityAlreadyExists", 409):
        iam.update_group(GroupName="c", NewGroupName="B")
    with aws_error("NoSuchEntity", 404):
        iam.update_group(GroupName="a", NewGroupName="d")


def test_membership(tessera):
    iam = tessera.iam()
    iam.create_group(GroupName="g1")
    iam.create_group(GroupName="g2")
    tessera.create_user("bob")
    tessera.create_user("alice")
    iam.add_user_to_group(GroupName="g1", UserName="bob")
    iam.add_user_to_group(GroupName="g1", UserName="bob")  # already a member: success
    iam.add_user_to_group(GroupName="g1", UserName="alice")
    iam.add_user_to_group(GroupName="g2", UserName="bob")
    members = iam.get_group(GroupName="g1")
    assert [u["UserName"] for u in members["Users"]] == ["alice", "bob"]
    first = iam.get_group(GroupName="g1", MaxItems=1)
    assert first["IsTruncated"] is True and [u["UserName"] for u in first["Users"]] == ["alice"]
    second = iam.get_group(GroupName="g1", Marker=first["Marker"])
    assert [u["UserName"] for u in second["Users"]] == ["bob"]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="bob")["Groups"]] == ["g1", "g2"]

    iam.remove_user_from_group(GroupName="g2", UserName="bob")
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="bob")["Groups"]] == ["g1"]
    with aws_error("NoSuchEntity", 404):
        iam.remove_user_from_group(GroupName="g2", UserName="bob")
    with aws_error("NoSuchEntity", 404, message="The user with name carol cannot be found."):
        iam.add_user_to_group(GroupName="g1", UserName="carol")
    with aws_error("NoSuchEntity", 404, message="The group with name g9 cannot be found."):
        iam.add_user_to_group(GroupName="g9", UserName="bob")
    with aws_error("NoSuchEntity", 404):
        iam.list_groups_for_user(UserName="carol")


def test_groups_per_user_quota(tessera):
    iam = tessera.iam()
    tessera.create_user("busy")
    for i in range(11):
        iam.create_group(GroupName=f"g{i:02}")
    for i in range(10):
        iam.add_user_to_group(GroupName=f"g{i:02}", UserName="busy")
    with aws_error("LimitExceeded", 409, message="Cannot exceed quota for GroupsPerUser: 10"):
        iam.add_user_to_group(GroupName="g10", UserName="busy")


def test_delete_group_conflicts_in_aws_order(tessera):
    iam = tessera.iam()
    iam.create_group(GroupName="full")
    tessera.create_user("m")
    iam.add_user_to_group(GroupName="full", UserName="m")
    iam.put_group_policy(GroupName="full", PolicyName="inline", PolicyDocument=DOC)
    iam.attach_group_policy(GroupName="full", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    for message, fix in [
        ("Cannot delete entity, must remove users from group first.",
         lambda: iam.remove_user_from_group(GroupName="full", UserName="m")),
        ("Cannot delete entity, must delete policies first.",
         lambda: iam.delete_group_policy(GroupName="full", PolicyName="inline")),
        ("Cannot delete entity, must detach all policies first.",
         lambda: iam.detach_group_policy(GroupName="full",
                                         PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")),
    ]:
        with aws_error("DeleteConflict", 409, message=message):
            iam.delete_group(GroupName="full")
        fix()
    iam.delete_group(GroupName="full")
    assert iam.list_groups()["Groups"] == []


def test_delete_user_conflicts_for_policies_and_groups(tessera):
    iam = tessera.iam()
    tessera.create_user("leaver")
    iam.create_group(GroupName="team")
    iam.add_user_to_group(GroupName="team", UserName="leaver")
    iam.put_user_policy(UserName="leaver", PolicyName="p", PolicyDocument=DOC)
    iam.attach_user_policy(UserName="leaver", PolicyArn="arn:aws:iam::aws:policy/IAMUserChangePassword")
    for message, fix in [
        ("Cannot delete entity, must delete policies first.",
         lambda: iam.delete_user_policy(UserName="leaver", PolicyName="p")),
        ("Cannot delete entity, must detach all policies first.",
         lambda: iam.detach_user_policy(UserName="leaver",
                                        PolicyArn="arn:aws:iam::aws:policy/IAMUserChangePassword")),
        ("Cannot delete entity, must remove user from all groups first.",
         lambda: iam.remove_user_from_group(GroupName="team", UserName="leaver")),
    ]:
        with aws_error("DeleteConflict", 409, message=message):
            iam.delete_user(UserName="leaver")
        fix()
    iam.delete_user(UserName="leaver")


def test_account_summary_counts_groups_policies_and_attachments(tessera):
    iam = tessera.iam()
    iam.create_group(GroupName="g")
    tessera.create_user("u")
    arn = iam.create_policy(PolicyName="p", PolicyDocument=DOC)["Policy"]["Arn"]
    iam.attach_user_policy(UserName="u", PolicyArn=arn)
    iam.attach_group_policy(GroupName="g", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    summary = iam.get_account_summary()["SummaryMap"]
    assert (summary["Groups"], summary["Policies"], summary["PolicyVersionsInUse"], summary["Roles"]) == (1, 1, 2, 0)
