//! Attributes of a subject and their security labels: typed values, checked against their
//! type on every change.

use crate::db::{Db, Sql};
use crate::guard::{self, Granted};
use crate::subject::{self, Row};
use crate::{labels, now, rows};
use threatdb_core::policy::Access;
use threatdb_core::{
    Actor, Attribute, AttributePatch, AttributeType, NewAttribute, SecurityLabel, StoreResult,
    Subject,
};

fn select(row: &Row, one: bool) -> Sql<'static> {
    let mut sql = Sql::new(format!(
        "SELECT {} FROM {} a WHERE a.{} = ?",
        rows::ATTRIBUTE_COLUMNS,
        row.kind.attributes(),
        row.kind.column()
    ));
    sql.params.push(row.id.into());
    if one {
        sql.push(" AND a.id = ?");
    } else {
        sql.push(" ORDER BY a.id");
    }
    sql
}

/// One attribute of the subject (NotFound when it is another's).
async fn load<D: Db>(db: &mut D, row: &Row, id: i64) -> StoreResult<Attribute> {
    let mut sql = select(row, true);
    sql.params.push(id.into());
    rows::one(db, sql, |r| rows::attribute(r, 0)).await
}

/// The subject's attributes, in id order.
pub async fn of<D: Db>(db: &mut D, actor: &Actor, on: &Subject) -> StoreResult<Vec<Attribute>> {
    let row = subject::resolve(db, actor, on, Access::Read)
        .await?
        .into_inner();
    db.fetch(select(&row, false), |r| rows::attribute(r, 0))
        .await
}

/// The subject granted `access`, and one of its attributes.
async fn granted<D: Db>(
    db: &mut D,
    actor: &Actor,
    on: &Subject,
    id: i64,
    access: Access,
) -> StoreResult<(Granted<Row>, Attribute)> {
    let granted = subject::resolve(db, actor, on, access).await?;
    let attribute = load(db, granted.get(), id).await?;
    Ok((granted, attribute))
}

/// One attribute of the subject.
pub async fn one<D: Db>(
    db: &mut D,
    actor: &Actor,
    on: &Subject,
    id: i64,
) -> StoreResult<Attribute> {
    Ok(granted(db, actor, on, id, Access::Read).await?.1)
}

/// Adds an attribute (checked against its type when it was parsed).
pub async fn add<D: Db>(
    db: &mut D,
    actor: &Actor,
    on: &Subject,
    new: &NewAttribute,
) -> StoreResult<Attribute> {
    let granted = subject::resolve(db, actor, on, Access::Write).await?;
    let row = *guard::for_write(&granted)?;
    let t = now();
    let mut sql = Sql::new(format!(
        "INSERT INTO {} ({}, type, value, displayed, source, date_added, last_modified) \
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        row.kind.attributes(),
        row.kind.column()
    ));
    sql.params = vec![
        row.id.into(),
        new.kind.name.into(),
        new.value.as_str().into(),
        new.displayed.into(),
        new.source.as_deref().into(),
        t.into(),
        t.into(),
    ];
    let id = rows::one(db, sql, |r| r.int(0)).await?;
    subject::touch(db, &granted, t).await?;
    let field = format!("attribute:{}", new.kind.name);
    let change = crate::history::change(&field, None, Some(new.value.as_str()));
    crate::history::record(db, actor, &row, vec![change]).await?;
    load(db, &row, id).await
}

/// Changes an attribute: only what the patch carries; a new value is checked against the type.
pub async fn update<D: Db>(
    db: &mut D,
    actor: &Actor,
    on: &Subject,
    id: i64,
    patch: &AttributePatch,
) -> StoreResult<Attribute> {
    let (granted, current) = granted(db, actor, on, id, Access::Write).await?;
    if let Some(value) = &patch.value {
        AttributeType::lookup(&current.kind)?.check_value(value)?;
    }
    let row = *guard::for_write(&granted)?;
    let t = now();
    let mut sql = Sql::new(format!(
        "UPDATE {} SET value = coalesce(?, value), displayed = coalesce(?, displayed), \
         source = coalesce(?, source), last_modified = ? WHERE id = ?",
        row.kind.attributes()
    ));
    sql.params = vec![
        patch.value.as_deref().into(),
        patch.displayed.into(),
        patch.source.as_deref().into(),
        t.into(),
        id.into(),
    ];
    db.execute(sql).await?;
    subject::touch(db, &granted, t).await?;
    let field = format!("attribute:{}", current.kind);
    let mut changes = Vec::new();
    if let Some(value) = patch.value.as_deref().filter(|v| *v != current.value) {
        changes.push(crate::history::change(
            &field,
            Some(&current.value),
            Some(value),
        ));
    }
    if let Some(source) = patch
        .source
        .as_deref()
        .filter(|s| Some(*s) != current.source.as_deref())
    {
        let old = current.source.as_deref();
        changes.push(crate::history::change(
            &format!("{field}:source"),
            old,
            Some(source),
        ));
    }
    crate::history::record(db, actor, &row, changes).await?;
    load(db, &row, id).await
}

/// Deletes an attribute.
pub async fn delete<D: Db>(db: &mut D, actor: &Actor, on: &Subject, id: i64) -> StoreResult<()> {
    let (granted, current) = granted(db, actor, on, id, Access::Write).await?;
    let row = *guard::for_write(&granted)?;
    let mut sql = Sql::new(format!(
        "DELETE FROM {} WHERE id = ?",
        row.kind.attributes()
    ));
    sql.params.push(id.into());
    db.execute(sql).await?;
    subject::touch(db, &granted, now()).await?;
    let field = format!("attribute:{}", current.kind);
    let change = crate::history::change(&field, Some(&current.value), None);
    crate::history::record(db, actor, &row, vec![change]).await
}

/// The labels on one of the subject's attributes.
pub async fn labels_of<D: Db>(
    db: &mut D,
    actor: &Actor,
    on: &Subject,
    id: i64,
) -> StoreResult<Vec<SecurityLabel>> {
    let (granted, _) = granted(db, actor, on, id, Access::Read).await?;
    labels::linked(
        db,
        granted.get().kind.attribute_labels(),
        "attribute_id",
        id,
    )
    .await
}

/// Labels one of the subject's attributes (idempotent).
pub async fn label<D: Db>(
    db: &mut D,
    actor: &Actor,
    on: &Subject,
    id: i64,
    label: &str,
) -> StoreResult<()> {
    let (granted, attribute) = granted(db, actor, on, id, Access::Write).await?;
    let row = *granted.get();
    let label_id = labels::resolve(db, row.owner, label).await?;
    let target = (row.kind.attribute_labels(), "attribute_id", id);
    if labels::link(db, &granted, target, None, label_id).await? {
        let field = format!("attribute:{}:securityLabel", attribute.kind);
        let change = crate::history::change(&field, None, Some(label.trim()));
        crate::history::record(db, actor, &row, vec![change]).await?;
    }
    Ok(())
}

/// Takes a label off one of the subject's attributes (NotFound when it is not there).
pub async fn unlabel<D: Db>(
    db: &mut D,
    actor: &Actor,
    on: &Subject,
    id: i64,
    label: &str,
) -> StoreResult<()> {
    let (granted, attribute) = granted(db, actor, on, id, Access::Write).await?;
    let row = *granted.get();
    let target = (row.kind.attribute_labels(), "attribute_id", id);
    labels::unlink(db, &granted, target, label).await?;
    let field = format!("attribute:{}:securityLabel", attribute.kind);
    let change = crate::history::change(&field, Some(label.trim()), None);
    crate::history::record(db, actor, &row, vec![change]).await
}
