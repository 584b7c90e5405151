"""Managed policies through boto3 and the AWS CLI: CreatePolicy, GetPolicy, ListPolicies,
DeletePolicy, policy versions, attachments, and AWS's built-in catalogue."""

import json
import re

import pytest

from harness import ACCOUNT_ID, aws_error, near_now

POLICY_ID = re.compile(r"^ANPA[A-Z2-7]{17}$")
DOC = {"Version": "2012-10-17",
       "Statement": [{"Effect": "Allow", "Action": "iam:List*", "Resource": "*"}]}
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
AWS_NAMES = ["AdministratorAccess", "IAMFullAccess", "IAMReadOnlyAccess", "IAMUserChangePassword"]


def create(iam, name="p", **kw):
    return iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(DOC), **kw)["Policy"]


def test_create_and_get_policy(tessera):
    iam = tessera.iam()
    policy = create(iam, "ReadLogs", Path="/team/", Description="reads logs",
                    Tags=[{"Key": "owner", "Value": "ops"}])
    assert POLICY_ID.match(policy["PolicyId"]), policy
    assert policy["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:policy/team/ReadLogs"
    assert policy["DefaultVersionId"] == "v1" and policy["AttachmentCount"] == 0
    assert policy["IsAttachable"] is True and policy["Path"] == "/team/"
    assert near_now(policy["CreateDate"]) and policy["UpdateDate"] == policy["CreateDate"]
    got = iam.get_policy(PolicyArn=policy["Arn"])["Policy"]
    assert got["PolicyId"] == policy["PolicyId"] and got["Description"] == "reads logs"
    assert got["Tags"] == [{"Key": "owner", "Value": "ops"}]
    version = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId="v1")["PolicyVersion"]
    assert version["Document"] == DOC and version["IsDefaultVersion"] is True


def test_create_and_get_errors(tessera):
    iam = tessera.iam()
    create(iam, "dup")
    with aws_error("EntityAlreadyExists", 409,
                   message="A policy called DUP already exists. Duplicate names are not allowed."):
        create(iam, "DUP")
    with aws_error("MalformedPolicyDocument", 400):
        iam.create_policy(PolicyName="bad", PolicyDocument="[]")
    big = json.dumps({"Statement": "x" * 6200})
    with aws_error("LimitExceeded", 409, message="Cannot exceed quota for PolicySize: 6144"):
        iam.create_policy(PolicyName="big", PolicyDocument=big)
    missing = f"arn:aws:iam::{ACCOUNT_ID}:policy/nope"
    with aws_error("NoSuchEntity", 404, message=f"Policy {missing} was not found."):
        iam.get_policy(PolicyArn=missing)
    with aws_error("InvalidInput", 400, message=f"ARN arn:aws:iam::{ACCOUNT_ID}:user/alice is not valid."):
        iam.get_policy(PolicyArn=f"arn:aws:iam::{ACCOUNT_ID}:user/alice")
    with aws_error("NoSuchEntity", 404):  # the path is part of the ARN
        iam.get_policy(PolicyArn=f"arn:aws:iam::{ACCOUNT_ID}:policy/other/dup")


def test_aws_managed_catalogue(tessera):
    iam = tessera.iam()
    create(iam, "Mine")
    aws = iam.list_policies(Scope="AWS")["Policies"]
    assert [p["PolicyName"] for p in aws] == AWS_NAMES
    assert all(p["Arn"] == f"arn:aws:iam::aws:policy/{p['PolicyName']}" for p in aws)
    local = iam.list_policies(Scope="Local")["Policies"]
    assert [p["PolicyName"] for p in local] == ["Mine"] and "Tags" not in local[0]
    everything = [p["PolicyName"] for p in iam.list_policies()["Policies"]]
    assert everything == sorted(AWS_NAMES + ["Mine"], key=str.lower)

    admin = iam.get_policy(PolicyArn=ADMIN)["Policy"]
    assert admin["PolicyId"] == "ANPAIWMBCKSKIEE64ZLYK" and admin["DefaultVersionId"] == "v1"
    version = iam.get_policy_version(PolicyArn=ADMIN, VersionId="v1")["PolicyVersion"]
    assert version["Document"] == {"Version": "2012-10-17",
                                   "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    with aws_error("NoSuchEntity", 404):
        iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/NoSuchPolicy")
    # AWS's policies cannot be changed by any account.
    with aws_error("AccessDenied", 403, contains="iam:DeletePolicy"):
        iam.delete_policy(PolicyArn=ADMIN)
    with aws_error("AccessDenied", 403, contains="iam:CreatePolicyVersion"):
        iam.create_policy_version(PolicyArn=ADMIN, PolicyDocument=json.dumps(DOC))
    with aws_error("AccessDenied", 403):
        iam.set_default_policy_version(PolicyArn=ADMIN, VersionId="v1")


def test_list_policies_filters_and_pages(tessera):
    iam = tessera.iam()
    a = create(iam, "a", Path="/x/")
    create(iam, "b")
    tessera.create_user("u")
    iam.attach_user_policy(UserName="u", PolicyArn=a["Arn"])
    iam.attach_user_policy(UserName="u", PolicyArn=ADMIN)
    attached = iam.list_policies(OnlyAttached=True)["Policies"]
    assert [(p["PolicyName"], p["AttachmentCount"]) for p in attached] == [("a", 1), ("AdministratorAccess", 1)]
    assert [p["PolicyName"] for p in iam.list_policies(PathPrefix="/x/")["Policies"]] == ["a"]
    assert iam.list_policies(PolicyUsageFilter="PermissionsBoundary")["Policies"] == []
    names, marker = [], None
    while True:
        page = iam.list_policies(MaxItems=2, **({"Marker": marker} if marker else {}))
        names += [p["PolicyName"] for p in page["Policies"]]
        if not page["IsTruncated"]:
            break
        marker = page["Marker"]
    assert names == sorted(AWS_NAMES + ["a", "b"], key=str.lower)
    with aws_error("ValidationError", 400):
        tessera.iam(validate=False).list_policies(Scope="Mine")


def test_versions(tessera):
    iam = tessera.iam()
    arn = create(iam)["Arn"]
    v2 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(DOC))["PolicyVersion"]
    assert v2["VersionId"] == "v2" and v2["IsDefaultVersion"] is False and "Document" not in v2
    v3 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(DOC), SetAsDefault=True)
    assert v3["PolicyVersion"]["IsDefaultVersion"] is True
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(DOC))
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(DOC))
    with aws_error("LimitExceeded", 409, prefix="A managed policy can have up to 5 versions."):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(DOC))
    listed = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in listed] == [
        ("v5", False), ("v4", False), ("v3", True), ("v2", False), ("v1", False)]
    page = iam.list_policy_versions(PolicyArn=arn, MaxItems=2)
    assert [v["VersionId"] for v in page["Versions"]] == ["v5", "v4"] and page["IsTruncated"]
    rest = iam.list_policy_versions(PolicyArn=arn, Marker=page["Marker"])
    assert [v["VersionId"] for v in rest["Versions"]] == ["v3", "v2", "v1"]

    with aws_error("DeleteConflict", 409, message="Cannot delete the default version of a policy."):
        iam.delete_policy_version(PolicyArn=arn, VersionId="v3")
    iam.delete_policy_version(PolicyArn=arn, VersionId="v5")
    # Numbers are never reused.
    assert iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(DOC))["PolicyVersion"]["VersionId"] == "v6"
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    assert iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]["IsDefaultVersion"] is True
    missing = f"Policy {arn} version v5 does not exist or is not attachable."
    for call in (iam.get_policy_version, iam.delete_policy_version, iam.set_default_policy_version):
        with aws_error("NoSuchEntity", 404, message=missing):
            call(PolicyArn=arn, VersionId="v5")
    with aws_error("ValidationError", 400):
        tessera.iam(validate=False).get_policy_version(PolicyArn=arn, VersionId="1")


def test_delete_policy_conflicts(tessera):
    iam = tessera.iam()
    arn = create(iam)["Arn"]
    iam.create_group(GroupName="g")
    iam.attach_group_policy(GroupName="g", PolicyArn=arn)
    with aws_error("DeleteConflict", 409, message="Cannot delete a policy attached to entities."):
        iam.delete_policy(PolicyArn=arn)
    iam.detach_group_policy(GroupName="g", PolicyArn=arn)
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(DOC))
    with aws_error("DeleteConflict", 409, prefix="This policy has more than one version."):
        iam.delete_policy(PolicyArn=arn)
    iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    iam.delete_policy(PolicyArn=arn)
    with aws_error("NoSuchEntity", 404):
        iam.get_policy(PolicyArn=arn)
    with aws_error("NoSuchEntity", 404):
        iam.delete_policy(PolicyArn=arn)


@pytest.mark.parametrize("kind", ["user", "group"])
def test_attach_detach_list(tessera, kind):
    iam = tessera.iam()
    if kind == "user":
        tessera.create_user("o")
    else:
        iam.create_group(GroupName="o")
    member = {"user": "UserName", "group": "GroupName"}[kind]
    attach = getattr(iam, f"attach_{kind}_policy")
    detach = getattr(iam, f"detach_{kind}_policy")
    listed = getattr(iam, f"list_attached_{kind}_policies")
    mine = create(iam, "Mine", Path="/p/")["Arn"]
    attach(**{member: "o"}, PolicyArn=mine)
    attach(**{member: "o"}, PolicyArn=ADMIN)
    attach(**{member: "o"}, PolicyArn=ADMIN)  # already attached: success
    got = listed(**{member: "o"})
    assert got["AttachedPolicies"] == [{"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN},
                                       {"PolicyName": "Mine", "PolicyArn": mine}]
    assert [p["PolicyName"] for p in listed(**{member: "o"}, PathPrefix="/p/")["AttachedPolicies"]] == ["Mine"]
    page = listed(**{member: "o"}, MaxItems=1)
    assert page["IsTruncated"] and len(page["AttachedPolicies"]) == 1
    assert [p["PolicyName"] for p in listed(**{member: "o"}, Marker=page["Marker"])["AttachedPolicies"]] == ["Mine"]
    assert iam.get_policy(PolicyArn=mine)["Policy"]["AttachmentCount"] == 1

    ghost = f"arn:aws:iam::{ACCOUNT_ID}:policy/ghost"
    with aws_error("NoSuchEntity", 404, message=f"Policy {ghost} does not exist or is not attachable."):
        attach(**{member: "o"}, PolicyArn=ghost)
    detach(**{member: "o"}, PolicyArn=mine)
    with aws_error("NoSuchEntity", 404, message=f"Policy {mine} was not found."):
        detach(**{member: "o"}, PolicyArn=mine)
    with aws_error("NoSuchEntity", 404):
        attach(**{member: "nobody"}, PolicyArn=ADMIN)
    with aws_error("InvalidInput", 400):
        attach(**{member: "o"}, PolicyArn="arn:aws:iam::123456789012:group/o")


@pytest.mark.parametrize("kind", ["user", "group"])
def test_attachment_quota(tessera, kind):
    iam = tessera.iam()
    if kind == "user":
        tessera.create_user("q")
    else:
        iam.create_group(GroupName="q")
    member = {"user": "UserName", "group": "GroupName"}[kind]
    attach = getattr(iam, f"attach_{kind}_policy")
    for i in range(10):
        attach(**{member: "q"}, PolicyArn=create(iam, f"p{i}")["Arn"])
    quota = {"user": "PolicyAttachmentsPerUser", "group": "PolicyAttachmentsPerGroup"}[kind]
    with aws_error("LimitExceeded", 409, message=f"Cannot exceed quota for {quota}: 10"):
        attach(**{member: "q"}, PolicyArn=ADMIN)


def test_aws_cli_managed_policies(tessera, tmp_path):
    from test_aws_cli import Cli

    cli = Cli(tessera.url, tmp_path)
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(DOC))
    policy = cli.ok("iam", "create-policy", "--policy-name", "clip", "--policy-document", f"file://{path}")["Policy"]
    arn = policy["Arn"]
    assert arn == f"arn:aws:iam::{ACCOUNT_ID}:policy/clip"
    version = cli.ok("iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v1")["PolicyVersion"]
    assert version["Document"] == DOC
    cli.ok("iam", "create-user", "--user-name", "cu")
    cli.ok("iam", "attach-user-policy", "--user-name", "cu", "--policy-arn", arn)
    attached = cli.ok("iam", "list-attached-user-policies", "--user-name", "cu")["AttachedPolicies"]
    assert attached == [{"PolicyName": "clip", "PolicyArn": arn}]
    cli.fails("DeleteConflict", "iam", "delete-policy", "--policy-arn", arn)
    cli.ok("iam", "detach-user-policy", "--user-name", "cu", "--policy-arn", arn)
    cli.ok("iam", "delete-policy", "--policy-arn", arn)
    names = [p["PolicyName"] for p in cli.ok("iam", "list-policies", "--scope", "AWS")["Policies"]]
    assert names == AWS_NAMES
