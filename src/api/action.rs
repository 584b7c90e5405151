//! Every action Tessera answers, by service (`wire-protocol.md` §2.3).

use crate::wire::Service;

macro_rules! actions {
    ($($service:ident: [$($action:ident),* $(,)?]),* $(,)?) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Action { $($($action,)*)* }

        impl Action {
            pub fn name(self) -> &'static str {
                match self { $($(Self::$action => stringify!($action),)*)* }
            }
            pub fn service(self) -> Service {
                match self { $($(Self::$action => Service::$service,)*)* }
            }
            /// The action named `name` of `service`, if Tessera implements it.
            pub fn find(service: Service, name: &str) -> Option<Self> {
                [$($(Self::$action,)*)*].into_iter().find(|a| a.service() == service && a.name() == name)
            }
        }
    };
}

actions! {
    Iam: [
        CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser,
        TagUser, UntagUser, ListUserTags,
        CreateLoginProfile, GetLoginProfile, UpdateLoginProfile, DeleteLoginProfile,
        CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey, GetAccessKeyLastUsed,
        CreateAccountAlias, DeleteAccountAlias, ListAccountAliases, GetAccountSummary,
        GenerateCredentialReport, GetCredentialReport,
        CreateVirtualMFADevice, DeleteVirtualMFADevice, ListVirtualMFADevices,
        EnableMFADevice, DeactivateMFADevice, ResyncMFADevice, ListMFADevices, GetMFADevice,
        TagMFADevice, UntagMFADevice, ListMFADeviceTags,
        // Groups, inline and managed policies.
        CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup,
        AddUserToGroup, RemoveUserFromGroup, ListGroupsForUser,
        PutUserPolicy, GetUserPolicy, ListUserPolicies, DeleteUserPolicy,
        PutGroupPolicy, GetGroupPolicy, ListGroupPolicies, DeleteGroupPolicy,
        PutRolePolicy, GetRolePolicy, ListRolePolicies, DeleteRolePolicy,
        CreatePolicy, GetPolicy, ListPolicies, DeletePolicy,
        CreatePolicyVersion, GetPolicyVersion, ListPolicyVersions, DeletePolicyVersion, SetDefaultPolicyVersion,
        AttachUserPolicy, DetachUserPolicy, ListAttachedUserPolicies,
        AttachGroupPolicy, DetachGroupPolicy, ListAttachedGroupPolicies,
        AttachRolePolicy, DetachRolePolicy, ListAttachedRolePolicies,
        // Roles
        CreateRole, GetRole, ListRoles, UpdateRole, UpdateAssumeRolePolicy, DeleteRole,
        TagRole, UntagRole, ListRoleTags,
    ],
    Sts: [
        GetCallerIdentity, GetAccessKeyInfo, GetSessionToken,
        // Roles
        AssumeRole,
    ],
    CloudTrail: [LookupEvents],
}

impl Action {
    /// The IAM policy action, e.g. `iam:CreateUser`.
    pub fn policy_name(self) -> String {
        format!("{}:{}", self.service().signing_name(), self.name())
    }

    /// Whether identity policies decide this action in the common authorization step.
    /// `GetCallerIdentity` and `GetSessionToken` need no permission, not even against an
    /// explicit deny [AWS]; `AssumeRole` weighs the caller's policies together with the role's
    /// trust policy, in the operation.
    pub fn needs_permission(self) -> bool {
        !matches!(self, Self::GetCallerIdentity | Self::GetSessionToken | Self::AssumeRole)
    }

    /// Whether AWS's `AccessDenied` message names the resource. CloudTrail's `LookupEvents`
    /// has no resource-level permissions, and its denials name none (`cloudtrail.md` §8.4).
    pub fn denial_names_resource(self) -> bool {
        self.service() != Service::CloudTrail
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_resolve_only_in_their_service() {
        assert_eq!(Action::find(Service::Iam, "CreateUser"), Some(Action::CreateUser));
        assert_eq!(Action::find(Service::Sts, "CreateUser"), None);
        assert_eq!(
            Action::find(Service::Sts, "GetCallerIdentity"),
            Some(Action::GetCallerIdentity)
        );
        assert_eq!(Action::find(Service::Iam, "createuser"), None);
        assert_eq!(Action::GetCallerIdentity.policy_name(), "sts:GetCallerIdentity");
        assert_eq!(
            Action::find(Service::CloudTrail, "LookupEvents"),
            Some(Action::LookupEvents)
        );
        assert_eq!(Action::find(Service::Iam, "LookupEvents"), None);
        assert_eq!(Action::LookupEvents.policy_name(), "cloudtrail:LookupEvents");
    }
}
