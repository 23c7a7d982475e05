//! Tags: an owner's catalogue of names, and the tags on a subject. A tag's identity is its name
//! compared case-insensitively; the first spelling is kept.

use crate::db::{Db, Sql};
use crate::guard::{self, Granted};
use crate::subject::{self, Kind, Row};
use crate::{now, rows};
use threatdb_core::policy::Access;
use threatdb_core::tag::tag_key;
use threatdb_core::{Actor, Owner, Page, Paging, StoreError, StoreResult, Subject, Tag, TagName};

/// The subject's tags, by name.
pub async fn of<D: Db>(db: &mut D, actor: &Actor, on: &Subject) -> StoreResult<Vec<Tag>> {
    let row = subject::resolve(db, actor, on, Access::Read)
        .await?
        .into_inner();
    let sql = format!(
        "SELECT t.name, t.id FROM {} x JOIN tags t ON t.id = x.tag_id WHERE x.{} = ? ORDER BY t.name_key",
        row.kind.tags(),
        row.kind.column()
    );
    let mut sql = Sql::new(sql);
    sql.params.push(row.id.into());
    db.fetch(sql, |r| {
        Ok(Tag {
            name: r.text(0)?,
            id: r.int(1)?,
        })
    })
    .await
}

/// The id of a tag in the subject's owner, creating it with this spelling if it is new. A later
/// `apt29` finds `APT29` and changes nothing.
async fn id<D: Db>(db: &mut D, on: &Granted<Row>, tag: &TagName) -> StoreResult<i64> {
    let owner = guard::for_write(on)?.owner;
    id_in(db, on, owner, tag).await
}

/// The id of a tag in `owner`, made with this spelling if it is new, under a write grant on
/// something of that owner.
pub(crate) async fn id_in<D: Db, T>(
    db: &mut D,
    proof: &Granted<T>,
    owner: i64,
    tag: &TagName,
) -> StoreResult<i64> {
    guard::for_write(proof)?;
    upsert(db, owner, tag).await
}

/// The id of a tag in `owner`, made with this spelling if it is new (the caller holds a write
/// grant there).
pub(crate) async fn upsert<D: Db>(db: &mut D, owner: i64, tag: &TagName) -> StoreResult<i64> {
    rows::int(
        db,
        Sql::with(
            "INSERT INTO tags (owner_id, name, name_key) VALUES (?, ?, ?) \
             ON CONFLICT (owner_id, name_key) DO UPDATE SET name = tags.name RETURNING id",
            vec![owner.into(), tag.as_str().into(), tag.key().into()],
        ),
    )
    .await?
    .ok_or_else(|| StoreError::backend_msg("tag upsert returned no id"))
}

/// Tags the subject (idempotent).
pub async fn add<D: Db>(db: &mut D, actor: &Actor, on: &Subject, tag: &TagName) -> StoreResult<()> {
    let granted = subject::resolve(db, actor, on, Access::Write).await?;
    let tag_id = id(db, &granted, tag).await?;
    let row = granted.get();
    let sql = match row.kind {
        // incident_tags keeps a copy of the event date for its indexes.
        Kind::Incident => Sql::with(
            "INSERT INTO incident_tags (incident_id, tag_id, event_date) \
             SELECT id, ?, event_date FROM incidents WHERE id = ? ON CONFLICT DO NOTHING",
            vec![tag_id.into(), row.id.into()],
        ),
        kind => {
            let mut sql = Sql::new(format!(
                "INSERT INTO {} ({}, tag_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                kind.tags(),
                kind.column()
            ));
            sql.params = vec![row.id.into(), tag_id.into()];
            sql
        }
    };
    if db.execute(sql).await? > 0 {
        subject::touch(db, &granted, now()).await?;
        let change = crate::history::change("tag", None, Some(tag.as_str()));
        crate::history::record(db, actor, row, vec![change]).await?;
    }
    Ok(())
}

/// Untags the subject (NotFound when the tag is not on it).
pub async fn remove<D: Db>(db: &mut D, actor: &Actor, on: &Subject, tag: &str) -> StoreResult<()> {
    let granted = subject::resolve(db, actor, on, Access::Write).await?;
    let row = guard::for_write(&granted)?;
    let mut sql = Sql::new(format!(
        "DELETE FROM {} WHERE {} = ? AND tag_id = (SELECT id FROM tags WHERE owner_id = ? AND name_key = ?)",
        row.kind.tags(),
        row.kind.column()
    ));
    sql.params = vec![row.id.into(), row.owner.into(), tag_key(tag).into()];
    if db.execute(sql).await? == 0 {
        return Err(StoreError::NotFound);
    }
    subject::touch(db, &granted, now()).await?;
    let change = crate::history::change("tag", Some(tag), None);
    crate::history::record(db, actor, row, vec![change]).await
}

/// One tag of an owner, by name.
pub async fn get<D: Db>(db: &mut D, actor: &Actor, owner: &Owner, name: &str) -> StoreResult<Tag> {
    let owner = guard::owner(actor, owner, Access::Read)?;
    rows::one(
        db,
        Sql::with(
            "SELECT name, id FROM tags WHERE owner_id = ? AND name_key = ?",
            vec![owner.get().id.into(), tag_key(name).into()],
        ),
        |r| {
            Ok(Tag {
                name: r.text(0)?,
                id: r.int(1)?,
            })
        },
    )
    .await
}

/// An owner's tags by name, counted on the first page.
pub async fn list<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    paging: Paging,
) -> StoreResult<Page<Tag>> {
    let id = guard::owner(actor, owner, Access::Read)?.get().id;
    let total = if paging.start == 0 {
        let sql = Sql::with(
            "SELECT count(*) FROM tags WHERE owner_id = ?",
            vec![id.into()],
        );
        Some(rows::count(db, sql).await?)
    } else {
        None
    };
    let items = db
        .fetch(
            Sql::with(
                "SELECT name, id FROM tags WHERE owner_id = ? ORDER BY name_key LIMIT ? OFFSET ?",
                vec![
                    id.into(),
                    rows::int_of(paging.limit).into(),
                    rows::int_of(paging.start).into(),
                ],
            ),
            |r| {
                Ok(Tag {
                    name: r.text(0)?,
                    id: r.int(1)?,
                })
            },
        )
        .await?;
    Ok(Page { total, items })
}
