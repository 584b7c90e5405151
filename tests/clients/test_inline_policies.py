"""Inline user and group policies through boto3 and the AWS CLI (iam-mfa.md §5.7)."""

import json
import urllib.parse

import pytest

from harness import ACCOUNT_ID, aws_error, call, child, parse_xml, policy_of_size

DOC = {"Version": "2012-10-17",
       "Statement": [{"Effect": "Allow", "Action": ["iam:GetUser", "iam:ListUsers"], "Resource": "*"}]}


@pytest.mark.parametrize("kind", ["user", "group"])
def test_put_get_list_delete(tessera, kind):
    iam = tessera.iam()
    if kind == "user":
        tessera.create_user("Owner")
    else:
        iam.create_group(GroupName="Owner")
    member = {"user": "UserName", "group": "GroupName"}[kind]
    put = getattr(iam, f"put_{kind}_policy")
    get = getattr(iam, f"get_{kind}_policy")
    lst = getattr(iam, f"list_{kind}_policies")
    delete = getattr(iam, f"delete_{kind}_policy")

    put(**{member: "owner"}, PolicyName="read", PolicyDocument=json.dumps(DOC))
    got = get(**{member: "OWNER"}, PolicyName="read")
    assert got[member] == "Owner" and got["PolicyName"] == "read"
    assert got["PolicyDocument"] == DOC  # botocore URL-decodes and parses it
    # Upsert by name.
    replaced = {"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}}
    put(**{member: "Owner"}, PolicyName="read", PolicyDocument=json.dumps(replaced))
    assert get(**{member: "Owner"}, PolicyName="read")["PolicyDocument"] == replaced
    put(**{member: "Owner"}, PolicyName="a-second", PolicyDocument=json.dumps(DOC))
    listed = lst(**{member: "Owner"})
    assert listed["PolicyNames"] == ["a-second", "read"] and listed["IsTruncated"] is False
    page = lst(**{member: "Owner"}, MaxItems=1)
    assert page["PolicyNames"] == ["a-second"] and page["IsTruncated"] is True
    assert lst(**{member: "Owner"}, Marker=page["Marker"])["PolicyNames"] == ["read"]

    delete(**{member: "Owner"}, PolicyName="read")
    with aws_error("NoSuchEntity", 404, message=f"The {kind} policy with name read cannot be found."):
        get(**{member: "Owner"}, PolicyName="read")
    with aws_error("NoSuchEntity", 404):
        delete(**{member: "Owner"}, PolicyName="read")
    with aws_error("NoSuchEntity", 404, message=f"The {kind} with name ghost cannot be found."):
        put(**{member: "ghost"}, PolicyName="p", PolicyDocument=json.dumps(DOC))
    with aws_error("NoSuchEntity", 404):
        lst(**{member: "ghost"})


@pytest.mark.parametrize("kind,quota", [("user", 2048), ("group", 5120)])
def test_aggregate_size_quota_ignores_whitespace(tessera, kind, quota):
    iam = tessera.iam()
    if kind == "user":
        tessera.create_user("big")
    else:
        iam.create_group(GroupName="big")
    member = {"user": "UserName", "group": "GroupName"}[kind]
    put = getattr(iam, f"put_{kind}_policy")
    put(**{member: "big"}, PolicyName="half", PolicyDocument=policy_of_size(quota // 2))
    # Whitespace is not counted: a padded document of the remaining size fits exactly.
    padded = policy_of_size(quota - quota // 2).replace('": "', '":          "')
    put(**{member: "big"}, PolicyName="rest", PolicyDocument=padded)
    with aws_error("LimitExceeded", 409,
                   message=f"Maximum policy size of {quota} bytes exceeded for {kind} big"):
        put(**{member: "big"}, PolicyName="more", PolicyDocument=policy_of_size(70))
    # Replacing a policy counts its new size instead of its old one.
    put(**{member: "big"}, PolicyName="rest", PolicyDocument=policy_of_size(quota - quota // 2))


def test_malformed_documents(tessera):
    iam = tessera.iam()
    tessera.create_user("m")
    for bad in ["not json", "[1, 2]", '"text"', "{"]:
        with aws_error("MalformedPolicyDocument", 400, message="Syntax errors in policy."):
            iam.put_user_policy(UserName="m", PolicyName="p", PolicyDocument=bad)
    assert iam.list_user_policies(UserName="m")["PolicyNames"] == []


def test_document_is_url_encoded_on_the_wire(tessera):
    tessera.create_user("wire")
    text = '{"Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "arn:aws:iam::*:user/${aws:username}"}]}'
    tessera.iam().put_user_policy(UserName="wire", PolicyName="p", PolicyDocument=text)
    resp = call(tessera.url, {"Action": "GetUserPolicy", "Version": "2010-05-08",
                              "UserName": "wire", "PolicyName": "p"})
    assert resp.status_code == 200
    result = child(parse_xml(resp), "GetUserPolicyResult")
    raw = child(result, "PolicyDocument").text
    assert raw == urllib.parse.quote(text, safe="-._~")
    assert urllib.parse.unquote(raw) == text  # stored exactly as received
    assert child(result, "UserName").text == "wire"


def test_aws_cli_put_and_get_user_policy(tessera, tmp_path):
    from test_aws_cli import Cli

    cli = Cli(tessera.url, tmp_path)
    cli.ok("iam", "create-user", "--user-name", "cliuser")
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(DOC, indent=2))
    cli.ok("iam", "put-user-policy", "--user-name", "cliuser", "--policy-name", "fromfile",
           "--policy-document", f"file://{path}")
    got = cli.ok("iam", "get-user-policy", "--user-name", "cliuser", "--policy-name", "fromfile")
    assert got["PolicyDocument"] == DOC and got["UserName"] == "cliuser"
    assert cli.ok("iam", "list-user-policies", "--user-name", "cliuser")["PolicyNames"] == ["fromfile"]
    stderr = cli.fails("NoSuchEntity", "iam", "get-user-policy", "--user-name", "cliuser",
                       "--policy-name", "missing")
    assert "The user policy with name missing cannot be found." in stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json")
    cli.fails("MalformedPolicyDocument", "iam", "put-user-policy", "--user-name", "cliuser",
              "--policy-name", "bad", "--policy-document", f"file://{bad}")
    cli.ok("iam", "delete-user-policy", "--user-name", "cliuser", "--policy-name", "fromfile")
    assert cli.ok("iam", "list-user-policies", "--user-name", "cliuser")["PolicyNames"] == []
