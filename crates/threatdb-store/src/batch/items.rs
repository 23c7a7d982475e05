//! One batch item written inside its own savepoint: a group or an indicator created or updated
//! (found by its key, so a resubmitted file creates nothing), its nested data as the job's
//! write types say, its links; or deleted. A failure the client caused undoes the item alone and
//! becomes its error record; a failure of the database fails the chunk.

use crate::db::{Db, Sql};
use crate::{associations, attributes, incidents, indicators, items, nested};
use threatdb_core::batch::{
    AttributeWrite, BatchClass, BatchCode, BatchEnd, BatchGroup, BatchIndicator, BatchLinks,
    BatchNested, BatchOp, BatchSettings, GroupKind, SetWrite,
};
use threatdb_core::{
    Actor, IncidentPatch, IncidentStatus, IndicatorValue, ItemKind, ItemPatch, NestedChanges,
    NewIncident, NewItem, Owner, SetMode, StoreError, StoreResult, Subject, Target,
};

/// A problem that leaves what was written in place (a link that could not be made).
type Soft = (BatchCode, String);

/// Writes one item; returns its error records (none when it went through).
pub(super) async fn write<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    settings: &BatchSettings,
    op: &BatchOp,
    class: BatchClass,
) -> StoreResult<Vec<Soft>> {
    db.execute(Sql::new("SAVEPOINT batch_item")).await?;
    let done = match op {
        BatchOp::Group(g) => group(db, actor, owner, settings, g).await,
        BatchOp::Indicator(i) => indicator(db, actor, owner, settings, i).await,
        BatchOp::Links(l) => links(db, actor, owner, l).await,
        BatchOp::Associate(a, b) => link(db, actor, owner, a, b).await,
        BatchOp::DeleteGroup(xid) => delete_group(db, actor, owner, xid).await,
        BatchOp::DeleteIndicator(v) => items::delete_indicator(db, actor, owner, v)
            .await
            .map(|()| Vec::new()),
    };
    match done {
        Ok(soft) => {
            db.execute(Sql::new("RELEASE SAVEPOINT batch_item")).await?;
            Ok(soft)
        }
        Err(e @ StoreError::Backend(_)) => Err(e),
        Err(e) => {
            db.execute(Sql::new("ROLLBACK TO SAVEPOINT batch_item"))
                .await?;
            db.execute(Sql::new("RELEASE SAVEPOINT batch_item")).await?;
            Ok(vec![record(op, class, &e)])
        }
    }
}

/// The record of an item that failed as a whole.
fn record(op: &BatchOp, class: BatchClass, e: &StoreError) -> Soft {
    let code = match (e, class, op) {
        (StoreError::Forbidden, ..) => BatchCode::Permission,
        (StoreError::NotFound, ..) => BatchCode::NotFound,
        (_, _, BatchOp::Links(_) | BatchOp::Associate(..)) => BatchCode::Association,
        (_, BatchClass::Group, _) => BatchCode::InvalidGroup,
        (_, BatchClass::Indicator, _) => BatchCode::InvalidIndicator,
        (_, BatchClass::Association, _) => BatchCode::Association,
    };
    let what = match e {
        StoreError::NotFound => "was not found".to_string(),
        StoreError::Forbidden => "may not be written by the job's user".to_string(),
        other => other.to_string(),
    };
    (code, format!("{}: {what}", describe(op)))
}

/// The item as a reason names it.
fn describe(op: &BatchOp) -> String {
    match op {
        BatchOp::Group(g) => format!("{} xid {}", g.kind.type_name(), g.xid),
        BatchOp::Links(l) => format!("The links of group xid {}", l.xid),
        BatchOp::DeleteGroup(xid) => format!("Group xid {xid}"),
        BatchOp::Indicator(BatchIndicator { value, .. }) | BatchOp::DeleteIndicator(value) => {
            indicator_name(value)
        }
        BatchOp::Associate(..) => "Association".to_string(),
    }
}

fn indicator_name(v: &IndicatorValue) -> String {
    format!("{} {}", v.kind().type_name(), v.as_str())
}

/// A group of the owner, found by xid.
#[derive(Debug, Clone, Copy)]
enum Found {
    Incident(i64),
    Item(ItemKind, i64),
}

/// The owner's group with this xid (incident xids are unique across owners: another owner's
/// is Invalid, never shown).
async fn by_xid<D: Db>(db: &mut D, owner: &Owner, xid: &str) -> StoreResult<Option<Found>> {
    let incident = db
        .fetch_optional(
            Sql::with(
                "SELECT id, owner_id FROM incidents WHERE xid = ?",
                vec![xid.into()],
            ),
            |r| Ok((r.int(0)?, r.int(1)?)),
        )
        .await?;
    match incident {
        Some((id, o)) if o == owner.id => return Ok(Some(Found::Incident(id))),
        Some(_) => {
            return Err(StoreError::Invalid(format!(
                "xid {xid} belongs to a group of another owner"
            )));
        }
        None => {}
    }
    let item = db
        .fetch_optional(
            Sql::with(
                "SELECT id, kind FROM items WHERE owner_id = ? AND xid = ?",
                vec![owner.id.into(), xid.into()],
            ),
            |r| Ok((r.int(0)?, r.text(1)?)),
        )
        .await?;
    if let Some(found) =
        item.and_then(|(id, kind)| ItemKind::from_url(&kind).map(|k| Found::Item(k, id)))
    {
        return Ok(Some(found));
    }
    // A group without an xid is named by its derived id in a tc-json export
    // (`stix_id::item_ref`): the same file imported again finds it.
    Ok(match crate::import::by_derived_id(db, owner, xid).await? {
        Some(threatdb_core::Local::Item(k, id)) => Some(Found::Item(k, id)),
        _ => None,
    })
}

async fn group<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    settings: &BatchSettings,
    g: &BatchGroup,
) -> StoreResult<Vec<Soft>> {
    let found = by_xid(db, owner, &g.xid).await?;
    let on = match (g.kind, found) {
        (GroupKind::Incident, Some(Found::Incident(id))) => {
            let current = incidents::load(db, id).await?;
            let patch = IncidentPatch {
                name: (current.name != g.name.as_str()).then(|| g.name.clone()),
                event_date: g.event_date.filter(|d| *d != current.event_date),
                status: g.status.filter(|s| *s != current.status),
            };
            if !patch.is_empty() {
                incidents::update(db, actor, id, &patch).await?;
            }
            Subject::Incident(id)
        }
        (GroupKind::Item(kind), Some(Found::Item(k, id))) if k == kind => {
            let current = items::find_item(db, actor, id).await?;
            let patch = ItemPatch {
                name: (current.name != g.name.as_str()).then(|| g.name.clone()),
                fields: (g.fields != "{}" && g.fields != current.fields).then(|| g.fields.clone()),
            };
            if patch.name.is_some() || patch.fields.is_some() {
                items::update_item(db, actor, kind, id, &patch).await?;
            }
            Subject::Item(kind, id)
        }
        (GroupKind::Incident, None) => {
            let event_date = g.event_date.ok_or_else(|| {
                StoreError::Invalid("an Incident needs an eventDate when it is created".into())
            })?;
            let new = NewIncident {
                name: g.name.clone(),
                event_date,
                status: g.status.unwrap_or(IncidentStatus::New),
                xid: Some(g.xid.clone()),
            };
            Subject::Incident(incidents::create(db, actor, owner, &new).await?.id)
        }
        (GroupKind::Item(kind), None) => {
            let new = NewItem {
                kind,
                name: g.name.clone(),
                fields: g.fields.clone(),
            };
            let made = items::create_item(db, actor, owner, &new).await?;
            // Its STIX id derives from its xid now: the key follows in the same statement.
            let key = threatdb_core::stix_id::item_key(kind, &owner.name, made.id, Some(&g.xid));
            db.execute(Sql::with(
                "UPDATE items SET xid = ?, stix_key = ? WHERE id = ?",
                vec![g.xid.as_str().into(), key.into(), made.id.into()],
            ))
            .await?;
            Subject::Item(kind, made.id)
        }
        (_, Some(other)) => {
            let stored = match other {
                Found::Incident(_) => "Incident",
                Found::Item(k, _) => k.type_name(),
            };
            return Err(StoreError::Invalid(format!(
                "xid {} is a {stored} here, not a {}",
                g.xid,
                g.kind.type_name()
            )));
        }
    };
    write_nested(db, actor, &on, settings, &g.nested).await?;
    Ok(Vec::new())
}

async fn indicator<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    settings: &BatchSettings,
    i: &BatchIndicator,
) -> StoreResult<Vec<Soft>> {
    let found = match items::find_indicator(db, owner.id, &i.value).await {
        Ok(found) => found,
        Err(StoreError::NotFound) => items::create_indicator(db, actor, owner, &i.value).await?,
        Err(e) => return Err(e),
    };
    indicators::set_scores(db, actor, &found, &i.scores).await?;
    let on = indicators::subject(&found)?;
    write_nested(db, actor, &on, settings, &i.nested).await?;
    let mut soft = Vec::new();
    let me = BatchEnd::Indicator(i.value.clone());
    for xid in &i.group_xids {
        soft.extend(link(db, actor, owner, &me, &BatchEnd::Group(xid.clone())).await?);
    }
    Ok(soft)
}

async fn links<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    l: &BatchLinks,
) -> StoreResult<Vec<Soft>> {
    // A group that was not written has its own record already.
    if by_xid(db, owner, &l.xid).await?.is_none() {
        return Ok(Vec::new());
    }
    let me = BatchEnd::Group(l.xid.clone());
    let groups = l.group_xids.iter().cloned().map(BatchEnd::Group);
    let indicators = l.indicators.iter().cloned().map(BatchEnd::Indicator);
    let mut soft = Vec::new();
    for other in groups.chain(indicators) {
        soft.extend(link(db, actor, owner, &me, &other).await?);
    }
    Ok(soft)
}

/// An end of a link as stored: a group by xid, an indicator by value (`None`: not in the owner).
async fn resolve<D: Db>(db: &mut D, owner: &Owner, end: &BatchEnd) -> StoreResult<Option<End>> {
    Ok(match end {
        BatchEnd::Group(xid) => by_xid(db, owner, xid).await?.map(End::Group),
        BatchEnd::Indicator(v) => match items::find_indicator(db, owner.id, v).await {
            Ok(_) => Some(End::Indicator(v.clone())),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e),
        },
    })
}

enum End {
    Group(Found),
    Indicator(IndicatorValue),
}

fn end_name(end: &BatchEnd) -> String {
    match end {
        BatchEnd::Group(xid) => format!("group xid {xid}"),
        BatchEnd::Indicator(v) => format!("indicator {}", indicator_name(v)),
    }
}

/// Links two ends. threatdb keeps every association with an incident on one side: a link
/// between two groups of other types, or between an indicator and a group of another type, is
/// a record (DECISIONS 69), as is an end that is in neither the job nor the owner.
async fn link<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    a: &BatchEnd,
    b: &BatchEnd,
) -> StoreResult<Vec<Soft>> {
    let soft = |why: String| Ok(vec![(BatchCode::Association, why)]);
    let x = resolve(db, owner, a).await?;
    let y = resolve(db, owner, b).await?;
    let missing = if x.is_none() { a } else { b };
    let (Some(x), Some(y)) = (x, y) else {
        return soft(format!(
            "Association of {} with {}: {} is in neither this job nor its owner",
            end_name(a),
            end_name(b),
            end_name(missing)
        ));
    };
    let (incident, target) = match (x, y) {
        (End::Group(Found::Incident(i)), other) | (other, End::Group(Found::Incident(i))) => {
            let target = match other {
                End::Group(Found::Incident(j)) => Target::Incident(j),
                End::Group(Found::Item(k, j)) => Target::Item(k, j),
                End::Indicator(v) => Target::Indicator(v),
            };
            (i, target)
        }
        _ => {
            return soft(format!(
                "Association of {} with {}: threatdb associates groups and indicators with incidents only",
                end_name(a),
                end_name(b)
            ));
        }
    };
    if target == Target::Incident(incident) {
        return Ok(Vec::new());
    }
    associations::associate(db, actor, incident, &target).await?;
    Ok(Vec::new())
}

async fn delete_group<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    xid: &str,
) -> StoreResult<Vec<Soft>> {
    match by_xid(db, owner, xid).await? {
        Some(Found::Incident(id)) => incidents::delete(db, actor, id).await?,
        Some(Found::Item(kind, id)) => items::delete_item(db, actor, kind, id).await?,
        None => return Err(StoreError::NotFound),
    }
    Ok(Vec::new())
}

/// Tags, labels and attributes as the job's write types say (an array the item does not carry
/// leaves that collection alone).
async fn write_nested<D: Db>(
    db: &mut D,
    actor: &Actor,
    on: &Subject,
    settings: &BatchSettings,
    n: &BatchNested,
) -> StoreResult<()> {
    let mode = |w: SetWrite| match w {
        SetWrite::Append => SetMode::Append,
        SetWrite::Replace => SetMode::Replace,
    };
    let changes = NestedChanges {
        tags: n.tags.clone().map(|t| (mode(settings.tags), t)),
        labels: n.labels.clone().map(|l| (mode(settings.labels), l)),
        ..NestedChanges::default()
    };
    nested::apply(db, actor, on, &changes).await?;
    let Some(incoming) = &n.attributes else {
        return Ok(());
    };
    let only_their_types = match settings.attributes {
        AttributeWrite::Static => return Ok(()),
        AttributeWrite::Append => {
            for a in incoming {
                attributes::add(db, actor, on, a).await?;
            }
            return Ok(());
        }
        AttributeWrite::Replace => false,
        AttributeWrite::Singleton => true,
    };
    // Replace and Singleton keep an attribute that is already there as it is (same type,
    // value, displayed flag and source), so a resubmitted file changes nothing.
    let mut missing: Vec<_> = incoming.iter().collect();
    for current in attributes::of(db, actor, on).await? {
        if only_their_types && !incoming.iter().any(|a| a.kind.name == current.kind) {
            continue;
        }
        let same = missing.iter().position(|a| {
            a.kind.name == current.kind
                && a.value == current.value
                && a.displayed == current.displayed
                && a.source == current.source
        });
        match same {
            Some(at) => {
                missing.remove(at);
            }
            None => attributes::delete(db, actor, on, current.id).await?,
        }
    }
    for a in missing {
        attributes::add(db, actor, on, a).await?;
    }
    Ok(())
}
