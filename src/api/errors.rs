//! Domain outcomes → AWS errors. Conversions are exhaustive (no catch-all arm), so a new
//! outcome forces a decision here.

use crate::store::{DeleteBlocker, Entity, IamError, Quota, StoreError};
use crate::wire::{ApiError, ErrorCode};

/// An unexpected failure: logged here with its cause, answered without it.
pub fn internal(error: impl std::fmt::Display) -> ApiError {
    tracing::error!(error = %error, "internal failure");
    ApiError::new(
        ErrorCode::ServiceFailure,
        "An internal error occurred. Please try again later.",
    )
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
                    Entity::Role(name) => format!("The role with name {name} cannot be found."),
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
                    Entity::Role(name) => format!("Role with name {name} already exists."),
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
                    Quota::RolesPerAccount => "Cannot exceed quota for RolesPerAccount: 1000",
                    Quota::TagsPerRole => "Cannot exceed quota for TagsPerRole: 50",
                },
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
