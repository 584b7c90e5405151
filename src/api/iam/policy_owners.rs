//! How requests name the user, group or role whose policies they act on, so that the inline
//! and attached policy operations are written once for all three kinds.

use super::groups::group_resource;
use super::target_arn;
use crate::api::Caller;
use crate::api::action::Action;
use crate::store::{OwnerKind, PolicyOwner, Target};
use crate::wire::Params;
use crate::wire::shapes::{EXISTING_USER_NAME, GROUP_NAME, ROLE_NAME, StrShape, USER_NAME};
use crate::wire::validate::Validator;

/// One owner kind's request members and actions.
pub trait OwnerSpec: Send + Sync + 'static {
    const KIND: OwnerKind;
    /// The request (and response) member naming the owner.
    const MEMBER: &'static str;
    const PUT: Action;
    const GET: Action;
    const LIST: Action;
    const DELETE: Action;
    const ATTACH: Action;
    const DETACH: Action;
    const LIST_ATTACHED: Action;
    /// The owner name's shape in inline-policy operations.
    fn inline_shape() -> &'static StrShape;
    /// The owner name's shape in attach, detach and list-attached operations.
    fn attach_shape() -> &'static StrShape;
    /// The resource the owner is evaluated as (`iam-mfa.md` §3.5).
    fn resource(caller: &Caller, name: &str) -> String;

    /// The owner named by `MEMBER`, checked against `shape`.
    fn parse_owner(v: &mut Validator, params: &Params, shape: &StrShape) -> PolicyOwner {
        let name = v.required(params, Self::MEMBER, shape).unwrap_or_default();
        PolicyOwner { kind: Self::KIND, name }
    }
}

pub struct UserOwner;
pub struct GroupOwner;
pub struct RoleOwner;

impl OwnerSpec for UserOwner {
    const KIND: OwnerKind = OwnerKind::User;
    const MEMBER: &'static str = "UserName";
    const PUT: Action = Action::PutUserPolicy;
    const GET: Action = Action::GetUserPolicy;
    const LIST: Action = Action::ListUserPolicies;
    const DELETE: Action = Action::DeleteUserPolicy;
    const ATTACH: Action = Action::AttachUserPolicy;
    const DETACH: Action = Action::DetachUserPolicy;
    const LIST_ATTACHED: Action = Action::ListAttachedUserPolicies;
    fn inline_shape() -> &'static StrShape {
        &EXISTING_USER_NAME
    }
    fn attach_shape() -> &'static StrShape {
        &USER_NAME
    }
    fn resource(caller: &Caller, name: &str) -> String {
        target_arn(caller, &Target::UserNamed(name.to_owned()))
    }
}

impl OwnerSpec for GroupOwner {
    const KIND: OwnerKind = OwnerKind::Group;
    const MEMBER: &'static str = "GroupName";
    const PUT: Action = Action::PutGroupPolicy;
    const GET: Action = Action::GetGroupPolicy;
    const LIST: Action = Action::ListGroupPolicies;
    const DELETE: Action = Action::DeleteGroupPolicy;
    const ATTACH: Action = Action::AttachGroupPolicy;
    const DETACH: Action = Action::DetachGroupPolicy;
    const LIST_ATTACHED: Action = Action::ListAttachedGroupPolicies;
    fn inline_shape() -> &'static StrShape {
        &GROUP_NAME
    }
    fn attach_shape() -> &'static StrShape {
        &GROUP_NAME
    }
    fn resource(caller: &Caller, name: &str) -> String {
        group_resource(caller, name)
    }
}

impl OwnerSpec for RoleOwner {
    const KIND: OwnerKind = OwnerKind::Role;
    const MEMBER: &'static str = "RoleName";
    const PUT: Action = Action::PutRolePolicy;
    const GET: Action = Action::GetRolePolicy;
    const LIST: Action = Action::ListRolePolicies;
    const DELETE: Action = Action::DeleteRolePolicy;
    const ATTACH: Action = Action::AttachRolePolicy;
    const DETACH: Action = Action::DetachRolePolicy;
    const LIST_ATTACHED: Action = Action::ListAttachedRolePolicies;
    fn inline_shape() -> &'static StrShape {
        &ROLE_NAME
    }
    fn attach_shape() -> &'static StrShape {
        &ROLE_NAME
    }
    /// The role's path is not known before the lookup; the root path stands in.
    fn resource(caller: &Caller, name: &str) -> String {
        format!("arn:aws:iam::{}:role/{name}", caller.principal.account_id().as_str())
    }
}
