//! Domain outcomes → AWS errors. Conversions are exhaustive (no catch-all arm), so a new
//! outcome forces a decision here.

use crate::domain::version_id;
use crate::store::{DeleteBlocker, Entity, IamError, OwnerKind, Quota, StoreError};
use crate::wire::{ApiError, ErrorCode};

/// An unexpected failure: logged here with its cause, answered without it.
pub fn internal(error: impl std::fmt::Display) -> ApiError {
    tracing::error!(error = %error, "internal failure");
    ApiError::new(
        ErrorCode::ServiceFailure,
        "An internal error occurred. Please try again later.",
    )
}

/// How AWS's messages name an owner kind ("user policy", "for group NAME").
fn kind_word(kind: OwnerKind) -> &'static str {
    match kind {
        OwnerKind::User => "user",
        OwnerKind::Group => "group",
        OwnerKind::Role => "role",
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(_) => {
                tracing::error!(error = %error, "storage unavailable");
                ApiError::new(
                    ErrorCode::ServiceUnavailable,
                    "The service is temporarily unavailable. Please try again.",
                )
            }
            StoreError::Corrupt(_) | StoreError::UniqueViolation | StoreError::Backend(_) | StoreError::BadUrl(_) => {
                internal(error)
            }
        }
    }
}

impl From<IamError> for ApiError {
    fn from(error: IamError) -> Self {
        match error {
            IamError::NotFound(entity) => ApiError::new(
                ErrorCode::NoSuchEntity,
                match entity {
                    Entity::User(name) => format!("The user with name {name} cannot be found."),
                    Entity::LoginProfile(name) => format!("Login Profile for User {name} cannot be found."),
                    Entity::AccessKey(id) => format!("The Access Key with id {id} cannot be found."),
                    Entity::AccountAlias(alias) => format!("The account alias {alias} cannot be found."),
                    Entity::MfaDevice(serial) => format!("MFA device with serial number {serial} does not exist."),
                    Entity::VirtualMfaDevice(serial) => {
                        format!("VirtualMFADevice with serial number {serial} doesn't exist.")
                    }
                    Entity::MfaDeviceAssignment { serial, user } => {
                        format!("MFA device with serial number {serial} is not assigned to user {user}.")
                    }
                    Entity::MfaDeviceName | Entity::MfaDeviceInUse => "MFA device does not exist.".to_owned(),
                    Entity::HardwareToken(serial) => format!("Hardware token {serial} does not exist."),
                    Entity::Group(name) => format!("The group with name {name} cannot be found."),
                    Entity::Role(name) => format!("The role with name {name} cannot be found."),
                    Entity::GroupMember { user, group } => format!("User {user} is not in group {group}."),
                    Entity::InlinePolicy { kind, name } => {
                        format!("The {} policy with name {name} cannot be found.", kind_word(kind))
                    }
                    Entity::Policy(arn) | Entity::PolicyName(arn) => format!("Policy {arn} was not found."),
                    Entity::AttachablePolicy(arn) => format!("Policy {arn} does not exist or is not attachable."),
                    Entity::PolicyVersion { arn, version } => format!(
                        "Policy {arn} version {} does not exist or is not attachable.",
                        version_id(version)
                    ),
                },
            ),
            IamError::AlreadyExists(entity) => ApiError::new(
                ErrorCode::EntityAlreadyExists,
                match entity {
                    Entity::User(name) => format!("User with name {name} already exists."),
                    Entity::LoginProfile(name) => format!("Login Profile for user {name} already exists."),
                    Entity::AccessKey(id) => format!("The Access Key with id {id} already exists."),
                    Entity::AccountAlias(alias) => format!("The account alias {alias} already exists."),
                    Entity::MfaDeviceName => "MFADevice entity at the same path and name already exists.".to_owned(),
                    Entity::MfaDeviceInUse => "MFA device is already in use.".to_owned(),
                    Entity::HardwareToken(serial) => format!("Hardware token {serial} is already in the inventory."),
                    Entity::Group(name) => format!("Group with name {name} already exists."),
                    Entity::Role(name) => format!("Role with name {name} already exists."),
                    Entity::PolicyName(name) => {
                        format!("A policy called {name} already exists. Duplicate names are not allowed.")
                    }
                    Entity::Policy(arn) | Entity::AttachablePolicy(arn) | Entity::PolicyVersion { arn, .. } => {
                        format!("Policy {arn} already exists.")
                    }
                    Entity::GroupMember { user, group } => format!("User {user} is already in group {group}."),
                    Entity::InlinePolicy { name, .. } => format!("Policy {name} already exists."),
                    Entity::MfaDevice(serial)
                    | Entity::VirtualMfaDevice(serial)
                    | Entity::MfaDeviceAssignment { serial, .. } => {
                        format!("MFA device with serial number {serial} already exists.")
                    }
                },
            ),
            IamError::LimitExceeded(quota) => ApiError::new(
                ErrorCode::LimitExceeded,
                match quota {
                    Quota::UsersPerAccount => "Cannot exceed quota for UsersPerAccount: 5000",
                    Quota::AccessKeysPerUser => "Cannot exceed quota for AccessKeysPerUser: 2",
                    Quota::TagsPerUser => "The number of tags has reached the maximum limit.",
                    Quota::DevicesPerPrincipal => "Cannot exceed quota for MFADevicesPerUser: 8",
                    Quota::VirtualDevicesPerAccount => "Cannot exceed quota for VirtualMFADevicesPerAccount: 5000",
                    Quota::TagsPerMfaDevice => "Cannot exceed quota for TagsPerMFADevice: 50",
                    Quota::GroupsPerAccount => "Cannot exceed quota for GroupsPerAccount: 300",
                    Quota::GroupsPerUser => "Cannot exceed quota for GroupsPerUser: 10",
                    Quota::PoliciesPerAccount => "Cannot exceed quota for PoliciesPerAccount: 1500",
                    Quota::VersionsPerPolicy => {
                        "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version."
                    }
                    Quota::PolicySize => "Cannot exceed quota for PolicySize: 6144",
                    Quota::PolicyAttachments(OwnerKind::User) => "Cannot exceed quota for PolicyAttachmentsPerUser: 10",
                    Quota::PolicyAttachments(OwnerKind::Group) => {
                        "Cannot exceed quota for PolicyAttachmentsPerGroup: 10"
                    }
                    Quota::PolicyAttachments(OwnerKind::Role) => "Cannot exceed quota for PolicyAttachmentsPerRole: 10",
                    Quota::TagsPerPolicy => "The number of tags has reached the maximum limit.",
                    Quota::RolesPerAccount => "Cannot exceed quota for RolesPerAccount: 1000",
                    Quota::TagsPerRole => "Cannot exceed quota for TagsPerRole: 50",
                },
            ),
            IamError::PolicySizeExceeded { kind, name } => ApiError::new(
                ErrorCode::LimitExceeded,
                format!(
                    "Maximum policy size of {} bytes exceeded for {} {name}",
                    kind.inline_size_quota(),
                    kind_word(kind)
                ),
            ),
            IamError::DeleteConflict(blocker) => ApiError::new(
                ErrorCode::DeleteConflict,
                match blocker {
                    DeleteBlocker::LoginProfile => "Cannot delete entity, must delete login profile first.",
                    DeleteBlocker::AccessKeys => "Cannot delete entity, must delete access keys first.",
                    DeleteBlocker::MfaDevices => "Cannot delete entity, must delete MFA device first.",
                    DeleteBlocker::DeviceAssigned => "MFA device is still assigned to a user; deactivate it first.",
                    DeleteBlocker::InlinePolicies => "Cannot delete entity, must delete policies first.",
                    DeleteBlocker::AttachedPolicies => "Cannot delete entity, must detach all policies first.",
                    DeleteBlocker::GroupMemberships => "Cannot delete entity, must remove user from all groups first.",
                    DeleteBlocker::GroupMembers => "Cannot delete entity, must remove users from group first.",
                    DeleteBlocker::PolicyAttached => "Cannot delete a policy attached to entities.",
                    DeleteBlocker::PolicyVersions => {
                        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy."
                    }
                    DeleteBlocker::DefaultPolicyVersion => "Cannot delete the default version of a policy.",
                },
            ),
            IamError::CannotResyncFido => ApiError::new(
                ErrorCode::InvalidAuthenticationCode,
                "FIDO security keys cannot be resynchronized.",
            ),
            IamError::Invalid(message) => ApiError::new(ErrorCode::InvalidInput, message),
            IamError::Store(error) => error.into(),
        }
    }
}
