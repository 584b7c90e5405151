//! IAM actions, one file per resource, and what they share: addressing the target principal,
//! pagination, and the `User` output structure.

pub mod access_keys;
pub mod account;
pub mod attached_policies;
pub mod credential_report;
pub mod groups;
pub mod inline_policies;
pub mod login_profiles;
pub mod managed_policies;
pub mod mfa_devices;
pub mod policy_documents;
pub mod policy_owners;
pub mod policy_versions;
pub mod role_tags;
pub mod roles;
pub mod user_tags;
pub mod users;
pub mod virtual_mfa_devices;

use super::{Caller, Ctx};
use crate::domain::{Account, PrincipalIdentity, Tag, User};
use crate::store::{PageRequest, Target};
use crate::wire::shapes::{MARKER, MAX_ITEMS, TAG_KEY, TAG_LIST_MAX, TAG_VALUE};
use crate::wire::validate::Validator;
use crate::wire::xml::{Xml, timestamp};
use crate::wire::{ApiError, ErrorCode, Params};

/// The principal an optional `UserName` designates: the named user, or the caller itself. A
/// role session is no user, so it must name one [AWS].
pub fn target(caller: &Caller, user_name: Option<&str>) -> Result<Target, ApiError> {
    match (user_name, &caller.principal) {
        (Some(name), _) => Ok(Target::UserNamed(name.to_owned())),
        (None, PrincipalIdentity::Root { .. }) => Ok(Target::Root),
        (None, PrincipalIdentity::User { user }) => Ok(Target::UserNamed(user.name.clone())),
        (None, PrincipalIdentity::AssumedRole { .. }) => Err(must_name_user()),
    }
}

/// AWS's answer when an operation defaults `UserName` to a caller that is not an IAM user.
pub fn must_name_user() -> ApiError {
    ApiError::new(
        ErrorCode::ValidationError,
        "Must specify userName when calling with non-User credentials",
    )
}

/// The ARN a target is evaluated as (`iam-mfa.md` §3.5); a named user that may not exist is
/// described by the caller's account and its name.
pub fn target_arn(caller: &Caller, target: &Target) -> String {
    let account = caller.principal.account_id().as_str();
    match target {
        Target::Root => format!("arn:aws:iam::{account}:root"),
        Target::UserNamed(name) => match &caller.principal {
            PrincipalIdentity::User { user } if user.name.eq_ignore_ascii_case(name) => user.arn(),
            _ => format!("arn:aws:iam::{account}:user/{name}"),
        },
    }
}

/// How a required `UserName` output member names a key's owner: the user's stored name, or
/// the account ID for root (§0.4).
pub fn owner_user_name(caller: &Caller, owner_name: Option<String>) -> String {
    owner_name.unwrap_or_else(|| caller.principal.account_id().as_str().to_owned())
}

/// Permissions boundaries name managed policies; none can be attached to users or roles yet.
pub fn no_boundary_policy() -> ApiError {
    ApiError::new(
        ErrorCode::NoSuchEntity,
        "The permissions boundary policy does not exist.",
    )
}

/// Policy documents are answered URL-encoded (RFC 3986) [AWS]; SDKs decode them.
pub fn encoded_document(text: &str) -> String {
    const KEPT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(text, KEPT).to_string()
}

/// `Marker` and `MaxItems` as validated, decoded later against the account and operation.
pub struct Paging {
    marker: Option<String>,
    max_items: Option<i64>,
}

impl Paging {
    pub fn parse(v: &mut Validator, params: &Params) -> Self {
        Self {
            marker: v.optional(params, "Marker", &MARKER),
            max_items: v.optional_int(params, "MaxItems", &MAX_ITEMS),
        }
    }

    fn scope(ctx: &Ctx<'_>, operation: &str) -> String {
        format!("{}/{operation}/", ctx.caller.principal.account_id().as_str())
    }

    /// The store's page request; a forged or foreign marker → `ValidationError`.
    pub fn request(&self, ctx: &Ctx<'_>, operation: &str) -> Result<PageRequest, ApiError> {
        let after = match &self.marker {
            Some(marker) => Some(ctx.state.markers.decode(&Self::scope(ctx, operation), marker)?),
            None => None,
        };
        // MaxItems defaults to 100 (§7).
        let limit = u32::try_from(self.max_items.unwrap_or(100)).unwrap_or(100);
        Ok(PageRequest { after, limit })
    }

    /// `IsTruncated`, and `Marker` only when truncated.
    pub fn write(ctx: &Ctx<'_>, operation: &str, xml: &mut Xml, more: bool, last_key: Option<&str>) {
        xml.leaf("IsTruncated", if more { "true" } else { "false" });
        if let (true, Some(key)) = (more, last_key) {
            xml.leaf("Marker", &ctx.state.markers.encode(&Self::scope(ctx, operation), key));
        }
    }
}

/// Tags of a request (`Tags.member.N.Key/Value`), validated against the tag shapes.
pub fn parse_tags(v: &mut Validator, params: &Params, required: bool) -> Result<Vec<Tag>, ApiError> {
    let Some(items) = params.struct_list("Tags", &["Key", "Value"])? else {
        if required {
            v.missing("tags");
        }
        return Ok(Vec::new());
    };
    v.list_len("tags", items.len(), TAG_LIST_MAX);
    let mut tags = Vec::with_capacity(items.len());
    for (index, item) in (1..).zip(items) {
        let (Some(key), Some(value)) = (item.first(), item.get(1)) else {
            continue;
        };
        v.check(&format!("tags.{index}.member.key"), key, &TAG_KEY);
        v.check(&format!("tags.{index}.member.value"), value, &TAG_VALUE);
        tags.push(Tag {
            key: key.clone(),
            value: value.clone(),
        });
    }
    Ok(tags)
}

/// `TagKeys.member.N` of an untag request (required; may be empty).
pub fn parse_tag_keys(v: &mut Validator, params: &Params) -> Result<Vec<String>, ApiError> {
    let Some(keys) = params.list("TagKeys")? else {
        v.missing("tagKeys");
        return Ok(Vec::new());
    };
    v.list_len("tagKeys", keys.len(), TAG_LIST_MAX);
    for key in &keys {
        v.check("tagKeys.member", key, &TAG_KEY);
    }
    Ok(keys)
}

pub fn write_tags(xml: &mut Xml, tags: &[Tag]) {
    xml.list("Tags", tags, |xml, tag| {
        xml.leaf("Key", &tag.key).leaf("Value", &tag.value);
    });
}

/// One page of a tag list (`Tags`, `IsTruncated`, `Marker`), sorted by lower-cased key then
/// key [AWS], paged by that key so a tag removed between pages skips nothing.
pub fn tag_page(ctx: &Ctx<'_>, operation: &str, request: PageRequest, mut tags: Vec<Tag>) -> Result<Xml, ApiError> {
    tags.sort_by(|a, b| {
        a.key
            .to_lowercase()
            .cmp(&b.key.to_lowercase())
            .then_with(|| a.key.cmp(&b.key))
    });
    let rest: Vec<Tag> = tags
        .into_iter()
        .filter(|t| request.after.as_ref().is_none_or(|after| t.key.to_lowercase() > *after))
        .collect();
    let limit = usize::try_from(request.limit).unwrap_or(usize::MAX);
    let more = rest.len() > limit;
    let page: Vec<Tag> = rest.into_iter().take(limit).collect();
    let mut xml = Xml::new();
    write_tags(&mut xml, &page);
    let last = page.last().map(|t| t.key.to_lowercase());
    Paging::write(ctx, operation, &mut xml, more, last.as_deref());
    Ok(xml)
}

/// The `User` structure (`iam-mfa.md` §0.3); `Tags` only where the operation returns them.
pub fn write_user(xml: &mut Xml, user: &User, with_tags: bool) {
    xml.leaf("Path", &user.path)
        .leaf("UserName", &user.name)
        .leaf("UserId", user.id.as_str())
        .leaf("Arn", &user.arn())
        .leaf("CreateDate", &timestamp(user.created_at))
        .leaf_opt("PasswordLastUsed", user.password_last_used.map(timestamp).as_deref());
    if with_tags && !user.tags.is_empty() {
        write_tags(xml, &user.tags);
    }
}

/// Root described as a `User`: no `Path`, no `UserName` [AWS].
pub fn write_root_user(xml: &mut Xml, account: &Account) {
    xml.leaf("UserId", account.id.as_str())
        .leaf("Arn", &account.root_arn())
        .leaf("CreateDate", &timestamp(account.created_at));
}
