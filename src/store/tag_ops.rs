//! Tag sets, shared by every taggable entity: keys unique case-insensitively, order kept.

use super::StoreError;
use super::sql::SqlTx;
use crate::domain::Tag;

/// Which entity's tags, and where they live.
#[derive(Clone, Copy, Debug)]
pub(super) enum TagSet {
    User,
    MfaDevice,
    Policy,
    Role,
}

impl TagSet {
    /// (table, column naming the tagged entity)
    fn place(self) -> (&'static str, &'static str) {
        match self {
            Self::User => ("user_tags", "user_id"),
            Self::MfaDevice => ("mfa_device_tags", "serial"),
            Self::Policy => ("policy_tags", "policy_id"),
            Self::Role => ("role_tags", "role_id"),
        }
    }
}

pub(super) fn read_tags(tx: &mut dyn SqlTx, set: TagSet, owner: &str) -> Result<Vec<Tag>, StoreError> {
    let (table, column) = set.place();
    tx.query(
        &format!("SELECT tag_key, tag_value FROM {table} WHERE {column} = $1 ORDER BY position"),
        &[owner.into()],
    )?
    .iter()
    .map(|row| {
        Ok(Tag {
            key: row.text(0)?,
            value: row.text(1)?,
        })
    })
    .collect()
}

/// Replaces the whole tag set (the caller has merged and checked it).
pub(super) fn write_tags(tx: &mut dyn SqlTx, set: TagSet, owner: &str, tags: &[Tag]) -> Result<(), StoreError> {
    let (table, column) = set.place();
    tx.execute(&format!("DELETE FROM {table} WHERE {column} = $1"), &[owner.into()])?;
    for (position, tag) in (0_i64..).zip(tags) {
        tx.execute(
            &format!(
                "INSERT INTO {table} ({column}, key_lower, tag_key, tag_value, position) VALUES ($1, $2, $3, $4, $5)"
            ),
            &[
                owner.into(),
                tag.key.to_lowercase().into(),
                tag.key.as_str().into(),
                tag.value.as_str().into(),
                position.into(),
            ],
        )?;
    }
    Ok(())
}
