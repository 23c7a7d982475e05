//! Import: objects from outside written with the dates they carry (`Store::import_objects`),
//! and their associations (`Store::import_links`). Every step is the operation the API's
//! writes run (`incidents::create`, `tags::add`, `attributes::add`, ...) under the importer's
//! grant; the dates are put back afterwards. Each object runs inside a savepoint, so one that
//! is refused leaves nothing behind and the others still go in.

use crate::db::{Db, Sql};
mod create;

use std::collections::HashMap;

use crate::guard;
use crate::subject::Kind;
use crate::{associations, attributes, incidents, items, nested, rows};
use threatdb_core::policy::Access;
use threatdb_core::{
    Actor, Candidate, ImportLink, ImportObject, ImportOutcome, ImportWhat, Imported, IncidentPatch,
    IndicatorScores, ItemPatch, Local, NestedChanges, Owner, SameObject, SetMode, StoreError,
    StoreResult, Subject, Timestamp, label_key,
};

/// Imports `objects` into `owner`: a new object through [`create`] (nothing written when it is
/// refused), a stored one that changes (and a label) inside a savepoint.
pub async fn objects<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    objects: &[ImportObject],
    same: &SameObject,
) -> StoreResult<Vec<ImportOutcome>> {
    let granted = guard::owner(actor, owner, Access::Write)?;
    let owner = (*guard::for_write(&granted)?).clone();
    let mut known = create::Known::default();
    let mut out: Vec<ImportOutcome> = Vec::with_capacity(objects.len());
    // New objects wait to be created together; one that could be the same as a waiting one
    // (same id, key or value) first has them created, then is looked for.
    let mut waiting: Vec<(usize, &ImportObject)> = Vec::new();
    let mut names: std::collections::HashSet<String> = std::collections::HashSet::new();
    // What the chunk's objects are stored as, read in a few statements; given up (each object
    // looked for alone) once an object comes twice in the chunk.
    let mut stored = Some(Prefetched::read(db, &owner, objects).await?);
    for o in objects {
        let marks = identities(o);
        if marks.iter().any(|m| names.contains(m)) {
            create_waiting(db, actor, &owner, &mut waiting, &mut out, &mut known).await?;
            names.clear();
            stored = None;
        }
        let outcome = match &o.what {
            ImportWhat::Label { name, description } => {
                begin(db).await?;
                let done = label(db, actor, &owner, name, description, o.created).await;
                settle(db, done).await?
            }
            _ => match find(db, &owner, o, same, stored.as_ref()).await {
                Err(e @ StoreError::Backend(_)) => return Err(e),
                // Nothing was written: finding only reads.
                Err(e) => Err(refusal(&e)),
                Ok(None) => {
                    waiting.push((out.len(), o));
                    // Decided when the waiting objects are created.
                    Err(String::new())
                }
                Ok(Some(found)) if found.stix_id.is_some() && o.modified <= found.modified => {
                    let imported = if o.modified == found.modified {
                        Imported::Unchanged
                    } else {
                        Imported::Older
                    };
                    Ok((imported, found.local))
                }
                Ok(Some(found)) => {
                    begin(db).await?;
                    let done = existing(db, actor, &owner, o, found).await;
                    settle(db, done).await?
                }
            },
        };
        names.extend(marks);
        out.push(outcome);
    }
    create_waiting(db, actor, &owner, &mut waiting, &mut out, &mut known).await?;
    Ok(out)
}

/// The stored rows a chunk's objects may be: incidents by xid, indicators by value.
#[derive(Default)]
struct Prefetched {
    incidents: HashMap<String, (i64, i64, Timestamp, Option<String>)>,
    indicators: HashMap<(threatdb_core::IndicatorKind, String), (i64, Timestamp, Option<String>)>,
}

/// Values per `IN (...)` list.
const IN_LIST: usize = 400;

impl Prefetched {
    async fn read<D: Db>(db: &mut D, owner: &Owner, objects: &[ImportObject]) -> StoreResult<Self> {
        let mut out = Prefetched::default();
        let mut incident_xids = Vec::new();
        let mut values: HashMap<threatdb_core::IndicatorKind, Vec<&str>> = HashMap::new();
        for o in objects {
            let xids = o.key.iter().chain(std::iter::once(&o.external_id));
            match &o.what {
                ImportWhat::Incident { .. } => incident_xids.extend(xids.map(String::as_str)),
                ImportWhat::Indicator { value, .. } => {
                    values.entry(value.kind()).or_default().push(value.as_str())
                }
                ImportWhat::Item { .. } | ImportWhat::Label { .. } => {}
            }
        }
        for part in incident_xids.chunks(IN_LIST) {
            let rows = db
                .fetch(incidents_by_xids(part), |r| {
                    Ok((
                        r.text(0)?,
                        (r.int(1)?, r.int(2)?, r.time(3)?, r.opt_text(4)?),
                    ))
                })
                .await?;
            out.incidents.extend(rows);
        }
        for (kind, values) in values {
            for part in values.chunks(IN_LIST) {
                let rows = db
                    .fetch(indicators_by_values(owner.id, kind, part), |r| {
                        Ok(((kind, r.text(0)?), (r.int(1)?, r.time(2)?, r.opt_text(3)?)))
                    })
                    .await?;
                out.indicators.extend(rows);
            }
        }
        Ok(out)
    }
}

/// Incidents by xid (xids are unique across owners): xid, id, owner, last change, STIX id.
fn incidents_by_xids<'a>(xids: &[&'a str]) -> Sql<'a> {
    let mut sql =
        Sql::new("SELECT xid, id, owner_id, last_modified, stix_id FROM incidents WHERE xid IN ");
    sql.bind_list(xids.iter().copied());
    sql
}

/// An owner's indicators of a type by value: value, id, last change, STIX id.
fn indicators_by_values<'a>(
    owner: i64,
    kind: threatdb_core::IndicatorKind,
    values: &[&'a str],
) -> Sql<'a> {
    let mut sql =
        Sql::new("SELECT value, id, last_modified, stix_id FROM indicators WHERE owner_id = ");
    sql.bind(owner)
        .push(" AND kind = ")
        .bind(kind.url_name())
        .push(" AND value IN ")
        .bind_list(values.iter().copied());
    sql
}

/// What a new object could be met again by within a chunk: its external id, its key, an
/// indicator's value.
fn identities(o: &ImportObject) -> Vec<String> {
    let mut out = vec![o.external_id.clone()];
    out.extend(o.key.clone());
    if let ImportWhat::Indicator { value, .. } = &o.what {
        out.push(format!("{}|{}", value.kind().url_name(), value.as_str()));
    }
    out
}

/// Creates the waiting objects and puts their outcomes in their places.
async fn create_waiting<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    waiting: &mut Vec<(usize, &ImportObject)>,
    out: &mut [ImportOutcome],
    known: &mut create::Known,
) -> StoreResult<()> {
    if waiting.is_empty() {
        return Ok(());
    }
    let objects: Vec<&ImportObject> = waiting.iter().map(|(_, o)| *o).collect();
    let made = create::create_many(db, actor, owner, &objects, known).await?;
    for ((at, _), result) in waiting.iter().zip(made) {
        if let Some(slot) = out.get_mut(*at) {
            *slot = result.map(|local| (Imported::Created, local));
        }
    }
    waiting.clear();
    Ok(())
}

/// Starts a savepoint.
async fn begin<D: Db>(db: &mut D) -> StoreResult<()> {
    db.execute(Sql::with("SAVEPOINT import_step", vec![]))
        .await?;
    Ok(())
}

/// Ends the savepoint [`begin`] started: kept when the step succeeded, rolled back (and the
/// step refused, with the reason) when it failed on what it was given; a failure of the
/// database itself fails the whole transaction.
async fn settle<D: Db, T>(db: &mut D, done: StoreResult<T>) -> StoreResult<Result<T, String>> {
    match done {
        Ok(v) => {
            db.execute(Sql::with("RELEASE SAVEPOINT import_step", vec![]))
                .await?;
            Ok(Ok(v))
        }
        Err(e @ StoreError::Backend(_)) => Err(e),
        Err(e) => {
            db.execute(Sql::with("ROLLBACK TO SAVEPOINT import_step", vec![]))
                .await?;
            db.execute(Sql::with("RELEASE SAVEPOINT import_step", vec![]))
                .await?;
            Ok(Err(refusal(&e)))
        }
    }
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
        // The checks (write access on the incident, read access on the other end, not itself)
        // come before the one insert: a refused link writes nothing.
        match associations::associate_keeping_dates(db, actor, link.incident, &link.target).await {
            Ok(new) => out.push(Ok(new)),
            Err(e @ StoreError::Backend(_)) => return Err(e),
            Err(e) => out.push(Err(refusal(&e))),
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
    if let Some(found) = item
        .and_then(|(id, kind)| threatdb_core::ItemKind::from_url(&kind).map(|k| Local::Item(k, id)))
    {
        return Ok(Some(found));
    }
    by_derived_id(db, owner.get(), xid).await
}

/// The object of `owner` exported with the STIX id `id` that was made here (its id derived
/// from its natural key; for a group, its `stix_id::item_ref`): found by the id's look-up
/// key, the whole id compared.
pub(crate) async fn by_derived_id<D: Db>(
    db: &mut D,
    owner: &Owner,
    id: &str,
) -> StoreResult<Option<Local>> {
    use threatdb_core::stix_id::{KEYED_TABLES, key, row_id};
    let Some(wanted) = key(id) else {
        return Ok(None);
    };
    for (table, columns) in KEYED_TABLES {
        let Some(kind) = [Kind::Incident, Kind::Item, Kind::Indicator]
            .into_iter()
            .find(|k| k.table() == table)
        else {
            continue;
        };
        let sql = by_stix_key(table, columns, owner.id, wanted);
        let rows = db
            .fetch(sql, |r| {
                Ok((r.int(0)?, [r.opt_text(1)?, r.opt_text(2)?, r.opt_text(3)?]))
            })
            .await?;
        for (row, columns) in rows {
            let [first, what, value] = columns.each_ref().map(Option::as_deref);
            if row_id(table, row, &owner.name, [first, what, value]).as_deref() == Some(id) {
                return Ok(local_of(
                    kind,
                    row,
                    what.unwrap_or_default(),
                    value.unwrap_or_default(),
                ));
            }
        }
    }
    Ok(None)
}

/// The rows of `table` (one of `KEYED_TABLES`) of an owner with this STIX look-up key.
fn by_stix_key(table: &str, columns: &str, owner: i64, key: i64) -> Sql<'static> {
    let mut sql = Sql::new(format!(
        "SELECT t.id, {columns} FROM {table} t WHERE t.owner_id = "
    ));
    sql.bind(owner).push(" AND t.stix_key = ").bind(key);
    sql
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

/// A stored object met again: it keeps the incoming STIX id if it has none, and is updated
/// when the incoming copy is newer.
async fn existing<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    o: &ImportObject,
    found: Found,
) -> StoreResult<(Imported, Local)> {
    keep_stix_id(db, &found.local, &o.external_id).await?;
    if o.modified == found.modified {
        return Ok((Imported::Unchanged, found.local));
    }
    if o.modified < found.modified {
        return Ok((Imported::Older, found.local));
    }
    update(db, actor, owner, &found.local, o).await?;
    carried(db, actor, owner, &found.local, o).await?;
    dates(db, &found.local, o).await?;
    Ok((Imported::Updated, found.local))
}

/// An object keeps the first STIX id it is imported with (a relationship posted later finds
/// it by that id; an indicator's export gives it back). Another object of the owner with the
/// same id is a conflict.
async fn keep_stix_id<D: Db>(db: &mut D, local: &Local, stix_id: &str) -> StoreResult<()> {
    let (kind, id) = row_of(local)?;
    // An indicator is exported with the id it keeps (a group with the one its xid gives).
    let key = match kind {
        Kind::Indicator => threatdb_core::stix_id::stored("indicator", stix_id)
            .and_then(threatdb_core::stix_id::key),
        _ => None,
    };
    let mut sql = Sql::new(format!(
        "UPDATE {} SET stix_id = ?, stix_key = coalesce(?, stix_key) WHERE id = ? AND stix_id IS NULL",
        kind.table()
    ));
    sql.params = vec![stix_id.into(), key.into(), id.into()];
    db.execute(sql)
        .await
        .map_err(|e| e.on_duplicate(format!("{stix_id} is another object here")))?;
    Ok(())
}

/// An incident by xid (xids are unique across owners).
fn incident_by_xid(xid: &str) -> Sql<'_> {
    Sql::with(
        "SELECT id, owner_id, last_modified, stix_id FROM incidents WHERE xid = ?",
        vec![xid.into()],
    )
}

/// A group of another type by owner and xid.
fn item_by_xid(owner: i64, xid: &str) -> Sql<'_> {
    Sql::with(
        "SELECT id, kind, last_modified, stix_id FROM items WHERE owner_id = ? AND xid = ?",
        vec![owner.into(), xid.into()],
    )
}

/// An owner's groups of a kind with this name and no xid (at most 100 candidates).
fn items_by_name(owner: i64, kind: threatdb_core::ItemKind, name: &str) -> Sql<'_> {
    Sql::with(
        "SELECT id, last_modified, stix_id FROM items \
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
        incidents_by_xids(&[xid, "x"]),
        indicators_by_values(
            owner.id,
            threatdb_core::IndicatorKind::Host,
            &["a.example", "b.example"],
        ),
        incident_by_xid(xid),
        item_by_xid(owner.id, xid),
        by_stix_id(Kind::Incident, owner.id, xid),
        by_stix_id(Kind::Item, owner.id, xid),
        by_stix_id(Kind::Indicator, owner.id, xid),
        items_by_name(owner.id, threatdb_core::ItemKind::Adversary, "a name"),
    ]
    .into_iter()
    .chain(
        threatdb_core::stix_id::KEYED_TABLES
            .iter()
            .map(|(table, columns)| by_stix_key(table, columns, owner.id, 17)),
    ) {
        let statement = sql.text.to_string();
        let plan = db.explain(sql).await?;
        out.push(threatdb_core::PlanStep { statement, plan });
    }
    Ok(out)
}

/// A stored object an incoming one is.
struct Found {
    local: Local,
    /// Its last change.
    modified: Timestamp,
    /// The STIX id it keeps, if any.
    stix_id: Option<String>,
}

/// The stored object this one is: a group by its xid (the key, or the external id itself), a
/// group of the same owner, kind and name without an xid that `same` accepts, an indicator by
/// owner and value.
async fn find<D: Db>(
    db: &mut D,
    owner: &Owner,
    o: &ImportObject,
    same: &SameObject,
    stored: Option<&Prefetched>,
) -> StoreResult<Option<Found>> {
    let xids = o.key.iter().chain(std::iter::once(&o.external_id));
    match &o.what {
        ImportWhat::Incident { .. } => {
            for xid in xids {
                let found = match stored {
                    Some(p) => p.incidents.get(xid.as_str()).cloned(),
                    None => {
                        db.fetch_optional(incident_by_xid(xid), |r| {
                            Ok((r.int(0)?, r.int(1)?, r.time(2)?, r.opt_text(3)?))
                        })
                        .await?
                    }
                };
                if let Some((id, owner_id, modified, stix_id)) = found {
                    if owner_id != owner.id {
                        return Err(StoreError::Conflict(format!(
                            "{} is an incident of another owner here",
                            o.external_id
                        )));
                    }
                    return Ok(Some(Found {
                        local: Local::Incident(id),
                        modified,
                        stix_id,
                    }));
                }
            }
            Ok(None)
        }
        ImportWhat::Item { kind, name, .. } => {
            // Groups of other types are few in a feed: each is looked for alone.
            for xid in xids {
                let found = db
                    .fetch_optional(item_by_xid(owner.id, xid), |r| {
                        Ok((r.int(0)?, r.text(1)?, r.time(2)?, r.opt_text(3)?))
                    })
                    .await?;
                if let Some((id, stored_kind, modified, stix_id)) = found {
                    if stored_kind != kind.url_name() {
                        return Err(StoreError::Conflict(format!(
                            "{} is a {stored_kind} here, not a {}",
                            o.external_id,
                            kind.url_name()
                        )));
                    }
                    return Ok(Some(Found {
                        local: Local::Item(*kind, id),
                        modified,
                        stix_id,
                    }));
                }
            }
            let named = db
                .fetch(items_by_name(owner.id, *kind, name.as_str()), |r| {
                    Ok((r.int(0)?, r.time(1)?, r.opt_text(2)?))
                })
                .await?;
            Ok(named.into_iter().find_map(|(id, modified, stix_id)| {
                let candidate = Candidate {
                    local: Local::Item(*kind, id),
                    owner: owner.name.clone(),
                };
                same(&candidate, &o.external_id).then_some(Found {
                    local: candidate.local,
                    modified,
                    stix_id,
                })
            }))
        }
        ImportWhat::Indicator { value, .. } if stored.is_some() => Ok(stored
            .and_then(|p| {
                p.indicators
                    .get(&(value.kind(), value.as_str().to_string()))
            })
            .map(|(id, modified, stix_id)| Found {
                local: Local::Indicator(*id, value.clone()),
                modified: *modified,
                stix_id: stix_id.clone(),
            })),
        ImportWhat::Indicator { value, .. } => {
            match items::find_indicator(db, owner.id, value).await {
                Ok(found) => Ok(Some(Found {
                    local: Local::Indicator(found.id, value.clone()),
                    modified: found.last_modified,
                    stix_id: found.stix_id,
                })),
                Err(StoreError::NotFound) => Ok(None),
                Err(e) => Err(e),
            }
        }
        ImportWhat::Label { .. } => Ok(None),
    }
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

/// Tags, labels and attributes as the incoming object carries them, replacing what the stored
/// object had.
async fn carried<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    local: &Local,
    o: &ImportObject,
) -> StoreResult<()> {
    let on = subject_of(owner, local)?;
    let nested = NestedChanges {
        tags: Some((SetMode::Replace, o.tags.clone())),
        labels: Some((SetMode::Replace, o.labels.clone())),
        ..NestedChanges::default()
    };
    nested::apply(db, actor, &on, &nested).await?;
    let (kind, id) = row_of(local)?;
    let mut sql = Sql::new(format!(
        "DELETE FROM {} WHERE {} = ?",
        kind.attributes(),
        kind.column()
    ));
    sql.params.push(id.into());
    db.execute(sql).await?;
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
