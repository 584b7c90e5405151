"""Inline and attached role policies through boto3, on roles created with CreateRole."""

import json

from harness import aws_error, policy_of_size

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]})
DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}]}
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def make_role(tessera, name="deployer"):
    return tessera.iam().create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)["Role"]


def test_inline_role_policies(tessera):
    iam = tessera.iam()
    make_role(tessera)
    iam.put_role_policy(RoleName="deployer", PolicyName="read", PolicyDocument=json.dumps(DOC))
    got = iam.get_role_policy(RoleName="DEPLOYER", PolicyName="read")
    assert got["RoleName"] == "deployer" and got["PolicyDocument"] == DOC
    assert iam.list_role_policies(RoleName="deployer")["PolicyNames"] == ["read"]
    iam.delete_role_policy(RoleName="deployer", PolicyName="read")
    with aws_error("NoSuchEntity", 404, message="The role policy with name read cannot be found."):
        iam.get_role_policy(RoleName="deployer", PolicyName="read")


def test_role_policy_size_quota(tessera):
    iam = tessera.iam()
    make_role(tessera)
    iam.put_role_policy(RoleName="deployer", PolicyName="a",
                        PolicyDocument=policy_of_size(10240))
    with aws_error("LimitExceeded", 409, message="Maximum policy size of 10240 bytes exceeded for role deployer"):
        iam.put_role_policy(RoleName="deployer", PolicyName="b", PolicyDocument=policy_of_size(70))


def test_missing_role(tessera):
    with aws_error("NoSuchEntity", 404, message="The role with name ghost cannot be found."):
        tessera.iam().put_role_policy(RoleName="ghost", PolicyName="p", PolicyDocument=json.dumps(DOC))
    make_role(tessera)
    with aws_error("NoSuchEntity", 404, message="The role with name ghost cannot be found."):
        tessera.iam().attach_role_policy(RoleName="ghost", PolicyArn=ADMIN)


def test_attached_role_policies(tessera):
    iam = tessera.iam()
    make_role(tessera)
    iam.attach_role_policy(RoleName="deployer", PolicyArn=ADMIN)
    assert iam.list_attached_role_policies(RoleName="deployer")["AttachedPolicies"] == [
        {"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN}]
    iam.detach_role_policy(RoleName="deployer", PolicyArn=ADMIN)
    with aws_error("NoSuchEntity", 404):
        iam.detach_role_policy(RoleName="deployer", PolicyArn=ADMIN)
    assert iam.list_attached_role_policies(RoleName="deployer")["AttachedPolicies"] == []
