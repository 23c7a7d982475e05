//! Import: objects from outside written with the dates they carry (`Store::import_objects`),
//! and their associations (`Store::import_links`). Every step is the operation the API's
//! writes run (`incidents::create`, `tags::add`, `attributes::add`, ...) under the importer's
//! grant; the dates are put back afterwards. Each object runs inside a savepoint, so one that
//! is refused leaves nothing behind and the others still go in.

use crate::db::{Db, Sql};
use crate::guard;
use crate::subject::Kind;
use crate::{associations, attributes, incidents, items, nested, rows};
use threatdb_core::policy::Access;
use threatdb_core::{
    Actor, Candidate, ImportLink, ImportObject, ImportOutcome, ImportWhat, Imported, IncidentPatch,
    IndicatorScores, ItemPatch, Local, NestedChanges, NewIncident, NewItem, Owner, SameObject,
    SetMode, StoreError, StoreResult, Subject, Target, Timestamp, label_key,
};

/// Imports `objects` into `owner`, one savepoint each.
pub async fn objects<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    objects: &[ImportObject],
    same: &SameObject,
) -> StoreResult<Vec<ImportOutcome>> {
    let granted = guard::owner(actor, owner, Access::Write)?;
    let owner = (*guard::for_write(&granted)?).clone();
    let mut out = Vec::with_capacity(objects.len());
    for object in objects {
        db.execute(Sql::with("SAVEPOINT import_object", vec![]))
            .await?;
        match one(db, actor, &owner, object, same).await {
            Ok(done) => {
                db.execute(Sql::with("RELEASE SAVEPOINT import_object", vec![]))
                    .await?;
                out.push(Ok(done));
            }
            Err(e @ StoreError::Backend(_)) => return Err(e),
            Err(e) => {
                db.execute(Sql::with("ROLLBACK TO SAVEPOINT import_object", vec![]))
                    .await?;
                db.execute(Sql::with("RELEASE SAVEPOINT import_object", vec![]))
                    .await?;
                out.push(Err(refusal(&e)));
            }
        }
    }
    Ok(out)
}

/// Imports associations: each new one is added, the incidents' lastModified kept as it was
/// (an import carries the dates of the objects it writes).
pub async fn links<D: Db>(
    db: &mut D,
    actor: &Actor,
    links: &[ImportLink],
) -> StoreResult<Vec<Result<bool, String>>> {
    let mut out = Vec::with_capacity(links.len());
    for link in links {
        db.execute(Sql::with("SAVEPOINT import_link", vec![]))
            .await?;
        match one_link(db, actor, link).await {
            Ok(new) => {
                db.execute(Sql::with("RELEASE SAVEPOINT import_link", vec![]))
                    .await?;
                out.push(Ok(new));
            }
            Err(e @ StoreError::Backend(_)) => return Err(e),
            Err(e) => {
                db.execute(Sql::with("ROLLBACK TO SAVEPOINT import_link", vec![]))
                    .await?;
                db.execute(Sql::with("RELEASE SAVEPOINT import_link", vec![]))
                    .await?;
                out.push(Err(refusal(&e)));
            }
        }
    }
    Ok(out)
}

/// The object of `owner` stored with the STIX id `xid`: a group whose xid it is, or an
/// indicator imported with it (read access on the owner).
pub async fn stored_by_stix_id<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    xid: &str,
) -> StoreResult<Option<Local>> {
    let owner = guard::owner(actor, owner, Access::Read)?;
    let owner_id = owner.get().id;
    for kind in [Kind::Incident, Kind::Item, Kind::Indicator] {
        let found = db
            .fetch_optional(by_stix_id(kind, owner_id, xid), |r| {
                Ok((r.int(0)?, r.text(1)?, r.text(2)?))
            })
            .await?;
        if let Some((id, what, value)) = found {
            return Ok(local_of(kind, id, &what, &value));
        }
    }
    // A group whose xid is the STIX id (another tool may have set it so).
    let incident = db
        .fetch_optional(incident_by_xid(xid), |r| Ok((r.int(0)?, r.int(1)?)))
        .await?;
    if let Some((id, owner)) = incident {
        return Ok((owner == owner_id).then_some(Local::Incident(id)));
    }
    let item = db
        .fetch_optional(item_by_xid(owner_id, xid), |r| Ok((r.int(0)?, r.text(1)?)))
        .await?;
    Ok(item.and_then(|(id, kind)| {
        threatdb_core::ItemKind::from_url(&kind).map(|k| Local::Item(k, id))
    }))
}

/// The local object a stored STIX id names: `what` is an item's kind or an indicator's type.
fn local_of(kind: Kind, id: i64, what: &str, value: &str) -> Option<Local> {
    match kind {
        Kind::Incident => Some(Local::Incident(id)),
        Kind::Item => threatdb_core::ItemKind::from_url(what).map(|k| Local::Item(k, id)),
        Kind::Indicator => {
            let kind = threatdb_core::IndicatorKind::from_url(what)?;
            let value = threatdb_core::IndicatorValue::parse(kind, value).ok()?;
            Some(Local::Indicator(id, value))
        }
    }
}

/// An incident, item or indicator of an owner by the STIX id it was imported with: its id,
/// kind (or type) and value.
fn by_stix_id(kind: Kind, owner: i64, id: &str) -> Sql<'_> {
    let text = match kind {
        Kind::Incident => "SELECT id, '', '' FROM incidents WHERE owner_id = ? AND stix_id = ?",
        Kind::Item => "SELECT id, kind, '' FROM items WHERE owner_id = ? AND stix_id = ?",
        Kind::Indicator => {
            "SELECT id, kind, value FROM indicators WHERE owner_id = ? AND stix_id = ?"
        }
    };
    Sql::with(text, vec![owner.into(), id.into()])
}

fn refusal(e: &StoreError) -> String {
    match e {
        StoreError::NotFound => "not found, or not readable by the importer".to_string(),
        StoreError::Forbidden => "the importer may not write this here".to_string(),
        other => other.to_string(),
    }
}

async fn one_link<D: Db>(db: &mut D, actor: &Actor, link: &ImportLink) -> StoreResult<bool> {
    let mut ends = vec![link.incident];
    if let Target::Incident(other) = &link.target {
        ends.push(*other);
    }
    let mut kept = Vec::with_capacity(ends.len());
    for id in &ends {
        let modified = rows::one(
            db,
            Sql::with(
                "SELECT last_modified FROM incidents WHERE id = ?",
                vec![(*id).into()],
            ),
            |r| r.time(0),
        )
        .await?;
        kept.push((*id, modified));
    }
    let new = associations::associate_new(db, actor, link.incident, &link.target).await?;
    for (id, modified) in kept {
        set_modified(db, Kind::Incident, id, modified).await?;
    }
    Ok(new)
}

async fn one<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    o: &ImportObject,
    same: &SameObject,
) -> StoreResult<(Imported, Local)> {
    if let ImportWhat::Label { name, description } = &o.what {
        return label(db, actor, owner, name, description, o.created).await;
    }
    let found = find(db, owner, o, same).await?;
    if let Some((local, _)) = &found {
        keep_stix_id(db, local, &o.external_id).await?;
    }
    let (imported, local) = match found {
        Some((local, stored)) if o.modified == stored => return Ok((Imported::Unchanged, local)),
        Some((local, stored)) if o.modified < stored => return Ok((Imported::Older, local)),
        Some((local, _)) => {
            update(db, actor, owner, &local, o).await?;
            (Imported::Updated, local)
        }
        None => (Imported::Created, create(db, actor, owner, o).await?),
    };
    carried(db, actor, owner, &local, o, imported == Imported::Updated).await?;
    if imported == Imported::Created {
        keep_stix_id(db, &local, &o.external_id).await?;
    }
    dates(db, &local, o).await?;
    Ok((imported, local))
}

/// An object keeps the first STIX id it is imported with (a relationship posted later finds
/// it by that id; an indicator's export gives it back). Another object of the owner with the
/// same id is a conflict.
async fn keep_stix_id<D: Db>(db: &mut D, local: &Local, stix_id: &str) -> StoreResult<()> {
    let (kind, id) = row_of(local)?;
    let mut sql = Sql::new(format!(
        "UPDATE {} SET stix_id = ? WHERE id = ? AND stix_id IS NULL",
        kind.table()
    ));
    sql.params = vec![stix_id.into(), id.into()];
    db.execute(sql)
        .await
        .map_err(|e| e.on_duplicate(format!("{stix_id} is another object here")))?;
    Ok(())
}

/// An incident by xid (xids are unique across owners).
fn incident_by_xid(xid: &str) -> Sql<'_> {
    Sql::with(
        "SELECT id, owner_id, last_modified FROM incidents WHERE xid = ?",
        vec![xid.into()],
    )
}

/// A group of another type by owner and xid.
fn item_by_xid(owner: i64, xid: &str) -> Sql<'_> {
    Sql::with(
        "SELECT id, kind, last_modified FROM items WHERE owner_id = ? AND xid = ?",
        vec![owner.into(), xid.into()],
    )
}

/// An owner's groups of a kind with this name and no xid (at most 100 candidates).
fn items_by_name(owner: i64, kind: threatdb_core::ItemKind, name: &str) -> Sql<'_> {
    Sql::with(
        "SELECT id, last_modified FROM items \
         WHERE owner_id = ? AND kind = ? AND name = ? AND xid IS NULL LIMIT 100",
        vec![owner.into(), kind.url_name().into(), name.into()],
    )
}

/// The statements an import finds stored objects with (an indicator is found as the API finds
/// it, by owner, type and value) and the database's plan for each.
pub async fn explain<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
) -> StoreResult<Vec<threatdb_core::PlanStep>> {
    guard::owner(actor, owner, Access::Read)?;
    let xid = "incident--00000000-0000-4000-8000-000000000000";
    let mut out = Vec::new();
    for sql in [
        incident_by_xid(xid),
        item_by_xid(owner.id, xid),
        by_stix_id(Kind::Incident, owner.id, xid),
        by_stix_id(Kind::Item, owner.id, xid),
        by_stix_id(Kind::Indicator, owner.id, xid),
        items_by_name(owner.id, threatdb_core::ItemKind::Adversary, "a name"),
    ] {
        let statement = sql.text.to_string();
        let plan = db.explain(sql).await?;
        out.push(threatdb_core::PlanStep { statement, plan });
    }
    Ok(out)
}

/// The stored object this one is, and its lastModified: a group by its xid (the key, or the
/// external id itself), a group of the same owner, kind and name without an xid that `same`
/// accepts, an indicator by owner and value.
async fn find<D: Db>(
    db: &mut D,
    owner: &Owner,
    o: &ImportObject,
    same: &SameObject,
) -> StoreResult<Option<(Local, Timestamp)>> {
    let xids = o.key.iter().chain(std::iter::once(&o.external_id));
    match &o.what {
        ImportWhat::Incident { .. } => {
            for xid in xids {
                let found = db
                    .fetch_optional(incident_by_xid(xid), |r| {
                        Ok((r.int(0)?, r.int(1)?, r.time(2)?))
                    })
                    .await?;
                if let Some((id, owner_id, modified)) = found {
                    if owner_id != owner.id {
                        return Err(StoreError::Conflict(format!(
                            "{} is an incident of another owner here",
                            o.external_id
                        )));
                    }
                    return Ok(Some((Local::Incident(id), modified)));
                }
            }
            Ok(None)
        }
        ImportWhat::Item { kind, name, .. } => {
            for xid in xids {
                let found = db
                    .fetch_optional(item_by_xid(owner.id, xid), |r| {
                        Ok((r.int(0)?, r.text(1)?, r.time(2)?))
                    })
                    .await?;
                if let Some((id, stored_kind, modified)) = found {
                    if stored_kind != kind.url_name() {
                        return Err(StoreError::Conflict(format!(
                            "{} is a {stored_kind} here, not a {}",
                            o.external_id,
                            kind.url_name()
                        )));
                    }
                    return Ok(Some((Local::Item(*kind, id), modified)));
                }
            }
            let named = db
                .fetch(
                    Sql::with(
                        "SELECT id, last_modified FROM items \
                         WHERE owner_id = ? AND kind = ? AND name = ? AND xid IS NULL LIMIT 100",
                        vec![
                            owner.id.into(),
                            kind.url_name().into(),
                            name.as_str().into(),
                        ],
                    ),
                    |r| Ok((r.int(0)?, r.time(1)?)),
                )
                .await?;
            Ok(named.into_iter().find_map(|(id, modified)| {
                let candidate = Candidate {
                    local: Local::Item(*kind, id),
                    owner: owner.name.clone(),
                    xid: None,
                };
                same(&candidate, &o.external_id).then_some((candidate.local, modified))
            }))
        }
        ImportWhat::Indicator { value, .. } => {
            match items::find_indicator(db, owner.id, value).await {
                Ok(found) => Ok(Some((
                    Local::Indicator(found.id, value.clone()),
                    found.last_modified,
                ))),
                Err(StoreError::NotFound) => Ok(None),
                Err(e) => Err(e),
            }
        }
        ImportWhat::Label { .. } => Ok(None),
    }
}

async fn create<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    o: &ImportObject,
) -> StoreResult<Local> {
    Ok(match &o.what {
        ImportWhat::Incident {
            name,
            event_date,
            status,
            created_by,
        } => {
            let new = NewIncident {
                name: name.clone(),
                event_date: *event_date,
                status: *status,
                xid: Some(o.key.clone().unwrap_or_else(|| o.external_id.clone())),
            };
            let made = incidents::create(db, actor, owner, &new)
                .await
                .map_err(|e| match e {
                    StoreError::Duplicate(_) => StoreError::Conflict(format!(
                        "{} is an incident of another owner here",
                        o.external_id
                    )),
                    other => other,
                })?;
            if let Some(by) = created_by {
                db.execute(Sql::with(
                    "UPDATE incidents SET created_by = ? WHERE id = ?",
                    vec![by.as_str().into(), made.id.into()],
                ))
                .await?;
            }
            Local::Incident(made.id)
        }
        ImportWhat::Item { kind, name, fields } => {
            let new = NewItem {
                kind: *kind,
                name: name.clone(),
                fields: fields.clone(),
            };
            let made = items::create_item(db, actor, owner, &new).await?;
            db.execute(Sql::with(
                "UPDATE items SET xid = ? WHERE id = ?",
                vec![
                    o.key.as_deref().unwrap_or(&o.external_id).into(),
                    made.id.into(),
                ],
            ))
            .await?;
            Local::Item(*kind, made.id)
        }
        ImportWhat::Indicator {
            value,
            rating,
            confidence,
        } => {
            let made = items::create_indicator(db, actor, owner, value).await?;
            let scores = IndicatorScores {
                rating: Some(*rating),
                confidence: Some(*confidence),
            };
            crate::indicators::set_scores(db, actor, &made, &scores).await?;
            Local::Indicator(made.id, value.clone())
        }
        ImportWhat::Label { .. } => {
            return Err(StoreError::Invalid("a label is not a subject".into()));
        }
    })
}

/// Changes the object's own fields to the incoming ones.
async fn update<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    local: &Local,
    o: &ImportObject,
) -> StoreResult<()> {
    match (&o.what, local) {
        (
            ImportWhat::Incident {
                name,
                event_date,
                status,
                ..
            },
            Local::Incident(id),
        ) => {
            let patch = IncidentPatch {
                name: Some(name.clone()),
                event_date: Some(*event_date),
                status: Some(*status),
            };
            incidents::update(db, actor, *id, &patch).await?;
        }
        (ImportWhat::Item { name, fields, .. }, Local::Item(kind, id)) => {
            // Replaces the fields: those the incoming copy lacks are removed.
            db.execute(Sql::with(
                "UPDATE items SET fields = '{}' WHERE id = ?",
                vec![(*id).into()],
            ))
            .await?;
            let patch = ItemPatch {
                name: Some(name.clone()),
                fields: Some(fields.clone()),
            };
            items::update_item(db, actor, *kind, *id, &patch).await?;
        }
        (
            ImportWhat::Indicator {
                value,
                rating,
                confidence,
            },
            Local::Indicator(..),
        ) => {
            let found = items::find_indicator(db, owner.id, value).await?;
            let scores = IndicatorScores {
                rating: Some(*rating),
                confidence: Some(*confidence),
            };
            crate::indicators::set_scores(db, actor, &found, &scores).await?;
        }
        _ => {
            return Err(StoreError::Invalid(
                "the stored object is of another kind".into(),
            ));
        }
    }
    Ok(())
}

/// The table row of a subject (a label is not one).
fn row_of(local: &Local) -> StoreResult<(Kind, i64)> {
    match local {
        Local::Incident(id) => Ok((Kind::Incident, *id)),
        Local::Item(_, id) => Ok((Kind::Item, *id)),
        Local::Indicator(id, _) => Ok((Kind::Indicator, *id)),
        Local::Label(_) => Err(StoreError::Invalid("a label carries nothing".into())),
    }
}

fn subject_of(owner: &Owner, local: &Local) -> StoreResult<Subject> {
    Ok(match local {
        Local::Incident(id) => Subject::Incident(*id),
        Local::Item(kind, id) => Subject::Item(*kind, *id),
        Local::Indicator(_, value) => Subject::Indicator(owner.clone(), value.clone()),
        Local::Label(_) => return Err(StoreError::Invalid("a label carries nothing".into())),
    })
}

/// Tags, labels and attributes as the incoming object carries them (replacing what an updated
/// object had).
async fn carried<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    local: &Local,
    o: &ImportObject,
    replace: bool,
) -> StoreResult<()> {
    let on = subject_of(owner, local)?;
    let mode = if replace {
        SetMode::Replace
    } else {
        SetMode::Append
    };
    let nested = NestedChanges {
        tags: Some((mode, o.tags.clone())),
        labels: Some((mode, o.labels.clone())),
        ..NestedChanges::default()
    };
    nested::apply(db, actor, &on, &nested).await?;
    let (kind, id) = row_of(local)?;
    if replace {
        let mut sql = Sql::new(format!(
            "DELETE FROM {} WHERE {} = ?",
            kind.attributes(),
            kind.column()
        ));
        sql.params.push(id.into());
        db.execute(sql).await?;
    }
    for a in &o.attributes {
        let made = attributes::add(db, actor, &on, &a.attribute).await?;
        let mut sql = Sql::new(format!(
            "UPDATE {} SET date_added = ?, last_modified = ? WHERE id = ?",
            kind.attributes()
        ));
        sql.params = vec![a.date_added.into(), a.last_modified.into(), made.id.into()];
        db.execute(sql).await?;
        for label in &a.labels {
            attributes::label(db, actor, &on, made.id, label).await?;
        }
    }
    Ok(())
}

/// Puts back the incoming dates (every step above set lastModified to now).
async fn dates<D: Db>(db: &mut D, local: &Local, o: &ImportObject) -> StoreResult<()> {
    let (kind, id) = row_of(local)?;
    let mut sql = Sql::new(format!(
        "UPDATE {} SET date_added = ?, last_modified = ? WHERE id = ?",
        kind.table()
    ));
    sql.params = vec![o.created.into(), o.modified.into(), id.into()];
    db.execute(sql).await?;
    Ok(())
}

async fn set_modified<D: Db>(db: &mut D, kind: Kind, id: i64, at: Timestamp) -> StoreResult<()> {
    let mut sql = Sql::new(format!(
        "UPDATE {} SET last_modified = ? WHERE id = ?",
        kind.table()
    ));
    sql.params = vec![at.into(), id.into()];
    db.execute(sql).await?;
    Ok(())
}

/// An owner's own label: found by name, or created with the incoming time (the owner's admin
/// role). A system label's name is refused.
async fn label<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    name: &str,
    description: &str,
    created: Timestamp,
) -> StoreResult<(Imported, Local)> {
    let name = threatdb_core::parse_label_name(name)?;
    let key = label_key(&name);
    let found = rows::int(
        db,
        Sql::with(
            "SELECT id FROM security_labels WHERE owner_id = ? AND name_key = ?",
            vec![owner.id.into(), key.as_str().into()],
        ),
    )
    .await?;
    if let Some(id) = found {
        return Ok((Imported::Unchanged, Local::Label(id)));
    }
    let admin = guard::owner(actor, owner, Access::Admin)?;
    guard::for_write(&admin)?;
    let made = crate::admin::create_label(db, owner.id, &name, description, "FFFFFF").await?;
    db.execute(Sql::with(
        "UPDATE security_labels SET date_added = ? WHERE id = ?",
        vec![created.into(), made.id.into()],
    ))
    .await?;
    Ok((Imported::Created, Local::Label(made.id)))
}
