//! Incidents: create, read, update, delete, and the metadata read with them.

use crate::db::{Db, Sql};
use crate::guard;
use crate::metadata::Metadata;
use crate::subject;
use crate::subject::Kind;
use crate::{history, now, rows};
use threatdb_core::policy::Access;
use threatdb_core::{
    Actor, Incident, IncidentDetails, IncidentPatch, Include, NewIncident, Owner, StoreResult,
};

/// An incident by id, without a permission check (the caller checks the loaded owner).
pub async fn load<D: Db>(db: &mut D, id: i64) -> StoreResult<Incident> {
    let mut sql = Sql::new(format!(
        "SELECT {} FROM incidents i JOIN owners o ON o.id = i.owner_id WHERE i.id = ?",
        rows::INCIDENT_COLUMNS
    ));
    sql.params.push(id.into());
    rows::one(db, sql, rows::incident).await
}

/// Creates an incident in `owner` (write access there). A missing xid gets a random one.
pub async fn create<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    new: &NewIncident,
) -> StoreResult<Incident> {
    let owner = guard::owner(actor, owner, Access::Write)?;
    let owner = guard::for_write(&owner)?;
    let t = now();
    let xid = match &new.xid {
        Some(xid) => xid.clone(),
        None => uuid::Uuid::new_v4().simple().to_string(),
    };
    let sql = Sql::with(
        "INSERT INTO incidents (owner_id, name, event_date, status, date_added, last_modified, created_by, xid, \
         stix_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vec![
            owner.id.into(),
            new.name.as_str().into(),
            new.event_date.into(),
            new.status.as_str().into(),
            t.into(),
            t.into(),
            actor.name.as_str().into(),
            xid.as_str().into(),
            threatdb_core::stix_id::incident_key(&owner.name, &xid).into(),
        ],
    );
    let id = rows::one(db, sql, |r| r.int(0))
        .await
        .map_err(|e| e.on_duplicate("an incident with this xid already exists"))?;
    let row = subject::Row {
        kind: Kind::Incident,
        id,
        owner: owner.id,
    };
    let change = history::change("created", None, Some(new.name.as_str()));
    history::record(db, actor, &row, vec![change]).await?;
    load(db, id).await
}

/// An incident's fields as the history keeps a deleted one's last state.
fn last_state(i: &Incident) -> String {
    serde_json::json!({
        "name": i.name,
        "eventDate": threatdb_core::format_timestamp(i.event_date),
        "status": i.status.as_str(),
        "xid": i.xid,
        "owner": i.owner.name,
        "createdBy": i.created_by,
        "dateAdded": threatdb_core::format_timestamp(i.date_added),
    })
    .to_string()
}

/// Reads one incident with the metadata asked for.
pub async fn get<D: Db>(
    db: &mut D,
    actor: &Actor,
    id: i64,
    include: Include,
) -> StoreResult<IncidentDetails> {
    let incident = load(db, id).await?;
    let incident = guard::grant(actor, incident.owner.id, Access::Read, incident)?.into_inner();
    let mut details = with_metadata(db, vec![incident], include).await?;
    details.pop().ok_or(threatdb_core::StoreError::NotFound)
}

/// Changes the fields the patch carries; an empty patch changes nothing.
pub async fn update<D: Db>(
    db: &mut D,
    actor: &Actor,
    id: i64,
    patch: &IncidentPatch,
) -> StoreResult<Incident> {
    let granted = subject::incident(db, actor, id, Access::Write).await?;
    let row = *guard::for_write(&granted)?;
    if !patch.is_empty() {
        let before = load(db, id).await?;
        let sql = Sql::with(
            "UPDATE incidents SET name = coalesce(?, name), event_date = coalesce(?, event_date), \
             status = coalesce(?, status), last_modified = ? WHERE id = ?",
            vec![
                patch.name.as_ref().map(|n| n.as_str()).into(),
                patch.event_date.into(),
                patch.status.map(|s| s.as_str()).into(),
                now().into(),
                id.into(),
            ],
        );
        db.execute(sql).await?;
        if let Some(date) = patch.event_date {
            // incident_tags keeps a copy of the event date for its indexes.
            let sql = Sql::with(
                "UPDATE incident_tags SET event_date = ? WHERE incident_id = ?",
                vec![date.into(), id.into()],
            );
            db.execute(sql).await?;
        }
        let mut changes = Vec::new();
        if let Some(name) = patch.name.as_ref().filter(|n| n.as_str() != before.name) {
            changes.push(history::change(
                "name",
                Some(&before.name),
                Some(name.as_str()),
            ));
        }
        if let Some(date) = patch.event_date.filter(|d| *d != before.event_date) {
            let (old, new) = (
                threatdb_core::format_timestamp(before.event_date),
                threatdb_core::format_timestamp(date),
            );
            changes.push(history::change("eventDate", Some(&old), Some(&new)));
        }
        if let Some(status) = patch.status.filter(|s| *s != before.status) {
            let old = before.status.as_str();
            changes.push(history::change("status", Some(old), Some(status.as_str())));
        }
        history::record(db, actor, &row, changes).await?;
    }
    load(db, id).await
}

/// Deletes an incident and everything hanging off it (the foreign keys cascade).
pub async fn delete<D: Db>(db: &mut D, actor: &Actor, id: i64) -> StoreResult<()> {
    let granted = subject::incident(db, actor, id, Access::Write).await?;
    let row = *guard::for_write(&granted)?;
    let last = load(db, id).await?;
    let change = history::change("deleted", Some(&last_state(&last)), None);
    history::record(db, actor, &row, vec![change]).await?;
    crate::tombstones::keep(db, actor, &row).await?;
    db.execute(Sql::with(
        "DELETE FROM incidents WHERE id = ?",
        vec![id.into()],
    ))
    .await?;
    Ok(())
}

/// Deletes each of `ids` (write access on each; one that is gone already is skipped), in the
/// caller's one transaction. Returns how many were deleted.
pub async fn delete_many<D: Db>(db: &mut D, actor: &Actor, ids: &[i64]) -> StoreResult<u64> {
    let mut deleted = 0u64;
    for id in ids {
        match delete(db, actor, *id).await {
            Ok(()) => deleted = deleted.saturating_add(1),
            Err(threatdb_core::StoreError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(deleted)
}

/// Loads the metadata `include` asks for, for many incidents at once (one query per kind).
pub async fn with_metadata<D: Db>(
    db: &mut D,
    incidents: Vec<Incident>,
    include: Include,
) -> StoreResult<Vec<IncidentDetails>> {
    let ids: Vec<i64> = incidents.iter().map(|i| i.id).collect();
    let mut found = Metadata::load(db, Kind::Incident, &ids, include).await?;
    Ok(incidents
        .into_iter()
        .map(|incident| {
            let (attributes, tags, labels) = found.take(incident.id);
            IncidentDetails {
                incident,
                attributes,
                tags,
                labels,
            }
        })
        .collect())
}
