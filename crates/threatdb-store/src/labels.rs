//! Security labels: the system TLP labels and an owner's own, and the labels on a subject.

use crate::db::{Db, Sql};
use crate::guard::{self, Granted};
use crate::subject::{self, Row};
use crate::{now, rows};
use threatdb_core::policy::Access;
use threatdb_core::{Actor, Owner, SecurityLabel, StoreError, StoreResult, Subject, label_key};

/// Resolves a label name usable in `owner`: its own labels first, then the system ones. An
/// unknown label is Invalid (DECISIONS.md #7).
pub async fn resolve<D: Db>(db: &mut D, owner: i64, name: &str) -> StoreResult<i64> {
    rows::int(
        db,
        Sql::with(
            "SELECT id FROM security_labels WHERE (owner_id = ? OR owner_id IS NULL) AND name_key = ? \
             ORDER BY owner_id IS NULL LIMIT 1",
            vec![owner.into(), label_key(name).into()],
        ),
    )
    .await?
    .ok_or_else(|| StoreError::Invalid(format!("Security label '{}' does not exist", name.trim())))
}

/// The labels of rows linked through `table` (`column` = `id`), by name.
pub(crate) async fn linked<D: Db>(
    db: &mut D,
    table: &str,
    column: &str,
    id: i64,
) -> StoreResult<Vec<SecurityLabel>> {
    let mut sql = Sql::new(format!(
        "SELECT {} FROM {table} x JOIN security_labels l ON l.id = x.label_id \
         WHERE x.{column} = ? ORDER BY l.name_key",
        rows::LABEL_COLUMNS
    ));
    sql.params.push(id.into());
    db.fetch(sql, |r| rows::label(r, 0)).await
}

/// Links `label_id` through `table`, under a write grant on what the row belongs to; whether a
/// row was added. A subject's own label links carry its `owner` (their index leads from the
/// label to the owner: migration 11); an attribute's carry none.
pub(crate) async fn link<D: Db, T>(
    db: &mut D,
    proof: &Granted<T>,
    (table, column, id): (&str, &str, i64),
    owner: Option<i64>,
    label: i64,
) -> StoreResult<bool> {
    guard::for_write(proof)?;
    let mut sql = Sql::new(match owner {
        Some(_) => format!(
            "INSERT INTO {table} ({column}, label_id, owner_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
        ),
        None => {
            format!("INSERT INTO {table} ({column}, label_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
        }
    });
    sql.params = vec![id.into(), label.into()];
    sql.params.extend(owner.map(Into::into));
    Ok(db.execute(sql).await? > 0)
}

/// Unlinks the label named `name` through `table`, under a write grant on what the row belongs
/// to; NotFound when it was not there.
pub(crate) async fn unlink<D: Db, T>(
    db: &mut D,
    proof: &Granted<T>,
    (table, column, id): (&str, &str, i64),
    name: &str,
) -> StoreResult<()> {
    guard::for_write(proof)?;
    let mut sql = Sql::new(format!(
        "DELETE FROM {table} WHERE {column} = ? AND label_id IN \
         (SELECT id FROM security_labels WHERE name_key = ?)"
    ));
    sql.params = vec![id.into(), label_key(name).into()];
    if db.execute(sql).await? == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The subject's labels.
pub async fn of<D: Db>(db: &mut D, actor: &Actor, on: &Subject) -> StoreResult<Vec<SecurityLabel>> {
    let row: Row = subject::resolve(db, actor, on, Access::Read)
        .await?
        .into_inner();
    linked(db, row.kind.labels(), row.kind.column(), row.id).await
}

/// Labels the subject (idempotent).
pub async fn add<D: Db>(db: &mut D, actor: &Actor, on: &Subject, label: &str) -> StoreResult<()> {
    let granted = subject::resolve(db, actor, on, Access::Write).await?;
    let row = *guard::for_write(&granted)?;
    let name = label;
    let label = resolve(db, row.owner, label).await?;
    let target = (row.kind.labels(), row.kind.column(), row.id);
    if link(db, &granted, target, Some(row.owner), label).await? {
        subject::touch(db, &granted, now()).await?;
        let change = crate::history::change("securityLabel", None, Some(name));
        crate::history::record(db, actor, &row, vec![change]).await?;
    }
    Ok(())
}

/// Takes a label off the subject (NotFound when it is not on it).
pub async fn remove<D: Db>(
    db: &mut D,
    actor: &Actor,
    on: &Subject,
    label: &str,
) -> StoreResult<()> {
    let granted = subject::resolve(db, actor, on, Access::Write).await?;
    let row = *guard::for_write(&granted)?;
    let target = (row.kind.labels(), row.kind.column(), row.id);
    unlink(db, &granted, target, label).await?;
    subject::touch(db, &granted, now()).await?;
    let change = crate::history::change("securityLabel", Some(label), None);
    crate::history::record(db, actor, &row, vec![change]).await
}

/// The labels usable in an owner: the system ones and its own.
pub async fn usable<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
) -> StoreResult<Vec<SecurityLabel>> {
    let id = guard::owner(actor, owner, Access::Read)?.get().id;
    let sql = Sql::with(
        "SELECT l.name, l.description, l.color, l.date_added, l.id FROM security_labels l \
         WHERE l.owner_id IS NULL OR l.owner_id = ? ORDER BY l.name_key",
        vec![id.into()],
    );
    db.fetch(sql, |r| rows::label(r, 0)).await
}
