//! Items (the other group types, victims, tasks) and indicators: create, read, update, delete.

use crate::db::{Db, Dialect, Sql};
use crate::guard::{self, Granted};
use crate::{history, now, rows, subject};
use threatdb_core::policy::Access;
use threatdb_core::{
    Actor, Indicator, IndicatorValue, Item, ItemKind, ItemPatch, NewItem, Owner, StoreError,
    StoreResult,
};

/// An item by id, without a permission check (the caller checks the loaded owner).
pub(crate) async fn load_item<D: Db>(db: &mut D, id: i64) -> StoreResult<Item> {
    let mut sql = Sql::new(format!(
        "SELECT {} FROM items it JOIN owners o ON o.id = it.owner_id WHERE it.id = ?",
        rows::ITEM_COLUMNS
    ));
    sql.params.push(id.into());
    rows::one(db, sql, rows::item).await
}

/// Loads an item of `kind` and grants `access` on it (NotFound when missing, of another kind,
/// or hidden).
pub async fn granted_item<D: Db>(
    db: &mut D,
    actor: &Actor,
    kind: ItemKind,
    id: i64,
    access: Access,
) -> StoreResult<Granted<Item>> {
    let item = load_item(db, id).await?;
    if item.kind != kind {
        return Err(StoreError::NotFound);
    }
    guard::grant(actor, item.owner.id, access, item)
}

/// Reads one item by id, whatever its kind (ids are unique across every group type:
/// DECISIONS 47).
pub async fn find_item<D: Db>(db: &mut D, actor: &Actor, id: i64) -> StoreResult<Item> {
    let item = load_item(db, id).await?;
    Ok(guard::grant(actor, item.owner.id, Access::Read, item)?.into_inner())
}

/// Reads one item of `kind`.
pub async fn get_item<D: Db>(
    db: &mut D,
    actor: &Actor,
    kind: ItemKind,
    id: i64,
) -> StoreResult<Item> {
    Ok(granted_item(db, actor, kind, id, Access::Read)
        .await?
        .into_inner())
}

/// Reads one item of `kind` with what `include` asks for.
pub async fn details<D: Db>(
    db: &mut D,
    actor: &Actor,
    kind: ItemKind,
    id: i64,
    include: threatdb_core::Include,
) -> StoreResult<threatdb_core::ItemDetails> {
    let item = get_item(db, actor, kind, id).await?;
    let (attributes, tags, labels) =
        crate::metadata::Metadata::load(db, crate::subject::Kind::Item, &[id], include)
            .await?
            .take(id);
    Ok(threatdb_core::ItemDetails {
        item,
        attributes,
        tags,
        labels,
    })
}

/// Creates an item in `owner` (write access there).
pub async fn create_item<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    new: &NewItem,
) -> StoreResult<Item> {
    let owner = guard::owner(actor, owner, Access::Write)?;
    let owner = guard::for_write(&owner)?;
    let t = now();
    let sql = Sql::with(
        "INSERT INTO items (owner_id, kind, name, fields, date_added, last_modified, created_by) \
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vec![
            owner.id.into(),
            new.kind.url_name().into(),
            new.name.as_str().into(),
            new.fields.as_str().into(),
            t.into(),
            t.into(),
            actor.name.as_str().into(),
        ],
    );
    let id = rows::one(db, sql, |r| r.int(0)).await?;
    set_stix_key(db, new.kind, &owner.name, id, None).await?;
    let row = item_row(id, owner.id);
    let change = history::change("created", None, Some(new.name.as_str()));
    history::record(db, actor, &row, vec![change]).await?;
    load_item(db, id).await
}

fn item_row(id: i64, owner: i64) -> subject::Row {
    subject::Row {
        kind: subject::Kind::Item,
        id,
        owner,
    }
}

fn indicator_row(found: &Indicator) -> subject::Row {
    subject::Row {
        kind: subject::Kind::Indicator,
        id: found.id,
        owner: found.owner.id,
    }
}

/// An indicator's last state, as the history keeps a deleted one's, and its tombstone.
pub(crate) async fn record_indicator_deleted<D: Db>(
    db: &mut D,
    actor: &Actor,
    found: &Indicator,
) -> StoreResult<()> {
    let last = serde_json::json!({
        "type": found.kind.url_name(),
        "summary": found.value,
        "owner": found.owner.name,
        "dateAdded": threatdb_core::format_timestamp(found.date_added),
    })
    .to_string();
    let change = history::change("deleted", Some(&last), None);
    let row = indicator_row(found);
    history::record(db, actor, &row, vec![change]).await?;
    crate::tombstones::keep(db, actor, &row).await
}

/// Sets the STIX look-up key of item `id` with this xid (its STIX id derives from it, or from the
/// row id while it has none).
async fn set_stix_key<D: Db>(
    db: &mut D,
    kind: ItemKind,
    owner: &str,
    id: i64,
    xid: Option<&str>,
) -> StoreResult<()> {
    if let Some(key) = threatdb_core::stix_id::item_key(kind, owner, id, xid) {
        db.execute(Sql::with(
            "UPDATE items SET stix_key = ? WHERE id = ?",
            vec![key.into(), id.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Renames an item or merges fields into its type-specific ones (a null removes a field).
pub async fn update_item<D: Db>(
    db: &mut D,
    actor: &Actor,
    kind: ItemKind,
    id: i64,
    patch: &ItemPatch,
) -> StoreResult<Item> {
    let granted = granted_item(db, actor, kind, id, Access::Write).await?;
    guard::for_write(&granted)?;
    if patch.name.is_some() || patch.fields.is_some() {
        let before = load_item(db, id).await?;
        let text = match db.dialect() {
            Dialect::Sqlite => {
                "UPDATE items SET name = coalesce(?, name), \
                 fields = CASE WHEN ? IS NULL THEN fields ELSE json_patch(fields, ?) END, \
                 last_modified = ? WHERE id = ?"
            }
            // jsonb_strip_nulls after || : a null removes the field, as SQLite's json_patch does.
            Dialect::Postgres => {
                "UPDATE items SET name = coalesce(?, name), \
                 fields = CASE WHEN ?::text IS NULL THEN fields \
                          ELSE jsonb_strip_nulls(fields::jsonb || ?::jsonb)::text END, \
                 last_modified = ? WHERE id = ?"
            }
        };
        let fields = patch.fields.as_deref();
        let sql = Sql::with(
            text,
            vec![
                patch.name.as_ref().map(|n| n.as_str()).into(),
                fields.into(),
                fields.into(),
                now().into(),
                id.into(),
            ],
        );
        db.execute(sql).await?;
        let after = load_item(db, id).await?;
        let mut changes = Vec::new();
        if after.name != before.name {
            changes.push(history::change(
                "name",
                Some(&before.name),
                Some(&after.name),
            ));
        }
        if after.fields != before.fields {
            changes.push(history::change(
                "fields",
                Some(&before.fields),
                Some(&after.fields),
            ));
        }
        let row = item_row(id, before.owner.id);
        history::record(db, actor, &row, changes).await?;
        return Ok(after);
    }
    load_item(db, id).await
}

/// Deletes an item and its associations (the foreign keys cascade).
pub async fn delete_item<D: Db>(
    db: &mut D,
    actor: &Actor,
    kind: ItemKind,
    id: i64,
) -> StoreResult<()> {
    let granted = granted_item(db, actor, kind, id, Access::Write).await?;
    guard::for_write(&granted)?;
    let last = load_item(db, id).await?;
    let state = serde_json::json!({
        "type": last.kind.url_name(),
        "name": last.name,
        "fields": last.fields,
        "xid": last.xid,
        "owner": last.owner.name,
        "dateAdded": threatdb_core::format_timestamp(last.date_added),
    })
    .to_string();
    let change = history::change("deleted", Some(&state), None);
    let row = item_row(id, last.owner.id);
    history::record(db, actor, &row, vec![change]).await?;
    crate::tombstones::keep(db, actor, &row).await?;
    db.execute(Sql::with("DELETE FROM items WHERE id = ?", vec![id.into()]))
        .await?;
    Ok(())
}

/// The indicator with this value in `owner_id`, without a permission check (the caller holds
/// a grant on the owner).
pub async fn find_indicator<D: Db>(
    db: &mut D,
    owner_id: i64,
    value: &IndicatorValue,
) -> StoreResult<Indicator> {
    let mut sql = Sql::new(format!(
        "SELECT {} FROM indicators d JOIN owners o ON o.id = d.owner_id \
         WHERE d.owner_id = ? AND d.kind = ? AND d.value = ?",
        rows::INDICATOR_COLUMNS
    ));
    sql.params = vec![
        owner_id.into(),
        value.kind().url_name().into(),
        value.as_str().into(),
    ];
    rows::one(db, sql, rows::indicator).await
}

/// An indicator by id, without a permission check (the caller checks the loaded owner).
pub(crate) async fn load_indicator<D: Db>(db: &mut D, id: i64) -> StoreResult<Indicator> {
    let mut sql = Sql::new(format!(
        "SELECT {} FROM indicators d JOIN owners o ON o.id = d.owner_id WHERE d.id = ?",
        rows::INDICATOR_COLUMNS
    ));
    sql.params.push(id.into());
    rows::one(db, sql, rows::indicator).await
}

/// Creates an indicator in `owner`; one that exists already is a Conflict.
pub async fn create_indicator<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    value: &IndicatorValue,
) -> StoreResult<Indicator> {
    let owner = guard::owner(actor, owner, Access::Write)?;
    let owner = guard::for_write(&owner)?;
    let t = now();
    let sql = Sql::with(
        "INSERT INTO indicators (owner_id, kind, value, date_added, last_modified, created_by, \
         stix_key) VALUES (?, ?, ?, ?, ?, ?, ?)",
        vec![
            owner.id.into(),
            value.kind().url_name().into(),
            value.as_str().into(),
            t.into(),
            t.into(),
            actor.name.as_str().into(),
            threatdb_core::stix_id::indicator_key(&owner.name, value.kind(), value.as_str(), None)
                .into(),
        ],
    );
    db.execute(sql)
        .await
        .map_err(|e| e.on_duplicate("this indicator exists already"))?;
    let found = find_indicator(db, owner.id, value).await?;
    let change = history::change("created", None, Some(&found.value));
    history::record(db, actor, &indicator_row(&found), vec![change]).await?;
    Ok(found)
}

/// Reads the indicator with this value in `owner`.
pub async fn get_indicator<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    value: &IndicatorValue,
) -> StoreResult<Indicator> {
    let owner = guard::owner(actor, owner, Access::Read)?;
    find_indicator(db, owner.get().id, value).await
}

/// Deletes an indicator and its associations.
pub async fn delete_indicator<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    value: &IndicatorValue,
) -> StoreResult<()> {
    let owner = guard::owner(actor, owner, Access::Write)?;
    guard::for_write(&owner)?;
    let found = find_indicator(db, owner.get().id, value).await?;
    record_indicator_deleted(db, actor, &found).await?;
    db.execute(Sql::with(
        "DELETE FROM indicators WHERE id = ?",
        vec![found.id.into()],
    ))
    .await?;
    Ok(())
}
