//! Import's way of creating objects that are not stored yet: each table's rows of a chunk by a
//! few multi-row statements (the objects with their dates, ids and scores, then their tags,
//! labels and attributes), tag and label ids looked up once per transaction. The labels are
//! resolved before anything is written and an object's insert gives way on any unique key
//! (`ON CONFLICT DO NOTHING`), so a refused object writes nothing without a savepoint. What the
//! API's writes do besides (the name index, the owner and tag counters) the database's triggers
//! do for both.

use std::collections::HashMap;

use crate::db::{Db, ROWS_PER_STATEMENT, Sql, Value, insert_rows, statements};
use crate::subject::Kind;
use crate::{labels, rows};
use threatdb_core::stix_id;
use threatdb_core::{
    Actor, ImportObject, ImportWhat, Local, Owner, StoreError, StoreResult, label_key,
};

/// Tag and label ids of one owner, found or made during one transaction.
#[derive(Default)]
pub(super) struct Known {
    tags: HashMap<String, i64>,
    labels: HashMap<String, i64>,
}

impl Known {
    async fn tag<D: Db>(
        &mut self,
        db: &mut D,
        owner: i64,
        tag: &threatdb_core::TagName,
    ) -> StoreResult<i64> {
        if let Some(id) = self.tags.get(tag.key().as_str()) {
            return Ok(*id);
        }
        let id = crate::tags::upsert(db, owner, tag).await?;
        self.tags.insert(tag.key(), id);
        Ok(id)
    }

    async fn label<D: Db>(&mut self, db: &mut D, owner: i64, name: &str) -> StoreResult<i64> {
        let key = label_key(name);
        if let Some(id) = self.labels.get(&key) {
            return Ok(*id);
        }
        let id = labels::resolve(db, owner, name).await?;
        self.labels.insert(key, id);
        Ok(id)
    }
}

/// One new object, once its labels are resolved.
struct Ready<'o> {
    at: usize,
    o: &'o ImportObject,
    labels: Vec<i64>,
    attribute_labels: Vec<Vec<i64>>,
}

/// Creates new objects of `owner` (the caller holds the write grant on it) set-wise: each
/// table's rows by multi-row statements (SQLite journals a statement's pages once per
/// statement, and FTS5 flushes once per statement: a statement per row cost a journal write of
/// every page it touched). For each object, in order: the local object, or why it is refused
/// (an unknown label, a unique key taken) with nothing of it written. The objects must not
/// share an external id, a key or (indicators) a value.
pub(super) async fn create_many<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    objects: &[&ImportObject],
    known: &mut Known,
) -> StoreResult<Vec<Result<Local, String>>> {
    let mut out: Vec<Result<Local, String>> = Vec::with_capacity(objects.len());
    let mut ready = Vec::with_capacity(objects.len());
    for (at, o) in objects.iter().enumerate() {
        out.push(Err(String::new()));
        let mut labels = Vec::with_capacity(o.labels.len());
        let mut attribute_labels = Vec::with_capacity(o.attributes.len());
        let resolved = async {
            for l in &o.labels {
                labels.push(known.label(db, owner.id, l).await?);
            }
            for a in &o.attributes {
                let mut ids = Vec::with_capacity(a.labels.len());
                for l in &a.labels {
                    ids.push(known.label(db, owner.id, l).await?);
                }
                attribute_labels.push(ids);
            }
            StoreResult::Ok(())
        }
        .await;
        match resolved {
            Ok(()) => ready.push(Ready {
                at,
                o,
                labels,
                attribute_labels,
            }),
            Err(StoreError::Invalid(why)) => {
                if let Some(slot) = out.get_mut(at) {
                    *slot = Err(why);
                }
            }
            Err(e) => return Err(e),
        }
    }
    let mut made: Vec<(&Ready<'_>, Kind, i64)> = Vec::with_capacity(ready.len());
    for kind in [Kind::Incident, Kind::Item, Kind::Indicator] {
        let rows: Vec<&Ready<'_>> = ready
            .iter()
            .filter(|r| kind_of(r.o) == Some(kind))
            .collect();
        for part in rows.chunks(ROWS_PER_STATEMENT) {
            let ids = insert(db, actor, owner, kind, part).await?;
            for r in part {
                match ids.get(&row_key(kind, r.o)) {
                    Some(id) => made.push((r, kind, *id)),
                    None => {
                        if let Some(slot) = out.get_mut(r.at) {
                            *slot = Err(format!(
                                "{} cannot be created: its xid or STIX id is another object's here",
                                r.o.external_id
                            ));
                        }
                    }
                }
            }
        }
    }
    // The tags not known yet, in one statement (each spelling once: an upsert may not meet a
    // row twice).
    let mut new_tags: Vec<&threatdb_core::TagName> = Vec::new();
    let mut keys = std::collections::HashSet::new();
    for (r, _, _) in &made {
        for tag in &r.o.tags {
            let key = tag.key();
            if !known.tags.contains_key(&key) && keys.insert(key) {
                new_tags.push(tag);
            }
        }
    }
    let rows = new_tags
        .iter()
        .map(|tag| [owner.id.into(), tag.as_str().into(), tag.key().into()])
        .collect();
    let head = "INSERT INTO tags (owner_id, name, name_key) VALUES ";
    let tail =
        " ON CONFLICT (owner_id, name_key) DO UPDATE SET name = tags.name RETURNING name_key, id";
    for sql in statements(head, rows, tail) {
        known
            .tags
            .extend(db.fetch(sql, |r| Ok((r.text(0)?, r.int(1)?))).await?);
    }
    // Tags, labels and attributes, a few statements for all of them.
    let mut tag_rows: HashMap<Kind, Vec<(i64, i64, Option<threatdb_core::Timestamp>)>> =
        HashMap::new();
    let mut label_rows: HashMap<Kind, Vec<(i64, i64)>> = HashMap::new();
    let mut attribute_rows: HashMap<Kind, Vec<(i64, &threatdb_core::ImportAttribute)>> =
        HashMap::new();
    let mut history = crate::history::Many::new(actor);
    for (r, kind, id) in &made {
        record(&mut history, (*kind, *id, owner.id), r.o);
        let event_date = match &r.o.what {
            ImportWhat::Incident { event_date, .. } => Some(*event_date),
            _ => None,
        };
        for tag in &r.o.tags {
            let tag_id = known.tag(db, owner.id, tag).await?;
            tag_rows
                .entry(*kind)
                .or_default()
                .push((*id, tag_id, event_date));
        }
        for label in &r.labels {
            label_rows.entry(*kind).or_default().push((*id, *label));
        }
        if r.attribute_labels.iter().any(|l| !l.is_empty()) {
            // Labelled attributes need their ids: this object's go in one at a time, in order.
            for (a, labels) in r.o.attributes.iter().zip(&r.attribute_labels) {
                labelled_attribute(db, *kind, *id, a, labels).await?;
            }
        } else {
            for a in &r.o.attributes {
                attribute_rows.entry(*kind).or_default().push((*id, a));
            }
        }
        if let Some(slot) = out.get_mut(r.at) {
            *slot = Ok(local_of(r.o, *id));
        }
    }
    for (kind, rows) in tag_rows {
        match kind {
            // incident_tags keeps a copy of the event date for its indexes.
            Kind::Incident => {
                let rows = rows
                    .into_iter()
                    .map(|(id, tag, date)| [id.into(), tag.into(), date.into()])
                    .collect();
                let head = "INSERT INTO incident_tags (incident_id, tag_id, event_date) VALUES ";
                insert_rows(db, head, rows, " ON CONFLICT DO NOTHING").await?;
            }
            kind => {
                let rows = rows
                    .into_iter()
                    .map(|(id, tag, _)| [id.into(), tag.into()])
                    .collect();
                let head = format!(
                    "INSERT INTO {} ({}, tag_id) VALUES ",
                    kind.tags(),
                    kind.column()
                );
                insert_rows(db, &head, rows, " ON CONFLICT DO NOTHING").await?;
            }
        }
    }
    for (kind, rows) in label_rows {
        let rows = rows
            .into_iter()
            .map(|(id, label)| [id.into(), label.into(), owner.id.into()])
            .collect();
        let head = format!(
            "INSERT INTO {} ({}, label_id, owner_id) VALUES ",
            kind.labels(),
            kind.column()
        );
        insert_rows(db, &head, rows, " ON CONFLICT DO NOTHING").await?;
    }
    for (kind, rows) in attribute_rows {
        // In the order given: attribute ids follow it, and an export lists them by id.
        let rows = rows
            .into_iter()
            .map(|(id, a)| {
                [
                    id.into(),
                    a.attribute.kind.name.into(),
                    a.attribute.value.as_str().into(),
                    a.attribute.displayed.into(),
                    a.attribute.source.as_deref().into(),
                    a.date_added.into(),
                    a.last_modified.into(),
                ]
            })
            .collect();
        let head = format!(
            "INSERT INTO {} ({}, type, value, displayed, source, date_added, last_modified) VALUES ",
            kind.attributes(),
            kind.column()
        );
        insert_rows(db, &head, rows, "").await?;
    }
    history.write(db).await?;
    Ok(out)
}

/// What the history records of a new object: its creation with its tags, labels and
/// attributes (and their labels), an indicator's rating and confidence.
fn record(history: &mut crate::history::Many, subject: (Kind, i64, i64), o: &ImportObject) {
    let name = match &o.what {
        ImportWhat::Incident { name, .. } | ImportWhat::Item { name, .. } => name.as_str(),
        ImportWhat::Indicator { value, .. } => value.as_str(),
        ImportWhat::Label { .. } => return,
    };
    history.created(
        subject,
        name,
        o.tags.iter().map(|t| t.as_str()),
        o.labels.iter().map(String::as_str),
        o.attributes
            .iter()
            .map(|a| (a.attribute.kind.name, a.attribute.value.as_str())),
    );
    for a in &o.attributes {
        let field = format!("attribute:{}:securityLabel", a.attribute.kind.name);
        for label in &a.labels {
            history.add(subject, &field, None, Some(label));
        }
    }
    if let ImportWhat::Indicator {
        rating, confidence, ..
    } = &o.what
    {
        if let Some(r) = rating {
            let shown = threatdb_core::rating_number(*r).to_string();
            history.add(subject, "rating", None, Some(&shown));
        }
        if let Some(c) = confidence {
            history.add(subject, "confidence", None, Some(&c.to_string()));
        }
    }
}

/// The table a new object goes to.
fn kind_of(o: &ImportObject) -> Option<Kind> {
    match o.what {
        ImportWhat::Incident { .. } => Some(Kind::Incident),
        ImportWhat::Item { .. } => Some(Kind::Item),
        ImportWhat::Indicator { .. } => Some(Kind::Indicator),
        ImportWhat::Label { .. } => None,
    }
}

/// What an inserted row is known by in `RETURNING` (rows come back in no set order): an
/// incident's xid, a group's or an indicator's STIX id.
fn row_key(kind: Kind, o: &ImportObject) -> String {
    match kind {
        Kind::Incident => o.key.clone().unwrap_or_else(|| o.external_id.clone()),
        Kind::Item | Kind::Indicator => o.external_id.clone(),
    }
}

fn local_of(o: &ImportObject, id: i64) -> Local {
    match &o.what {
        ImportWhat::Item { kind, .. } => Local::Item(*kind, id),
        ImportWhat::Indicator { value, .. } => Local::Indicator(id, value.clone()),
        _ => Local::Incident(id),
    }
}

/// Inserts the rows of one table; the ids of those inserted, by [`row_key`] (a row whose
/// unique key is taken is not inserted).
async fn insert<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    kind: Kind,
    rows: &[&Ready<'_>],
) -> StoreResult<HashMap<String, i64>> {
    let head = match kind {
        Kind::Incident => {
            "INSERT INTO incidents (owner_id, name, event_date, status, date_added, last_modified, \
             created_by, xid, stix_id, stix_key) VALUES "
        }
        Kind::Item => {
            "INSERT INTO items (owner_id, kind, name, fields, date_added, last_modified, created_by, \
             xid, stix_id, stix_key) VALUES "
        }
        Kind::Indicator => {
            "INSERT INTO indicators (owner_id, kind, value, date_added, last_modified, created_by, \
             rating, confidence, stix_id, stix_key) VALUES "
        }
    };
    let tail = match kind {
        Kind::Incident => " ON CONFLICT DO NOTHING RETURNING id, xid",
        Kind::Item | Kind::Indicator => " ON CONFLICT DO NOTHING RETURNING id, stix_id",
    };
    let mut values: Vec<[Value<'_>; 10]> = Vec::with_capacity(rows.len());
    for r in rows {
        let o = r.o;
        let xid = o.key.as_deref().unwrap_or(&o.external_id);
        let (created, modified, stix_id) = (
            o.created.into(),
            o.modified.into(),
            o.external_id.as_str().into(),
        );
        values.push(match &o.what {
            ImportWhat::Incident {
                name,
                event_date,
                status,
                created_by,
            } => [
                owner.id.into(),
                name.as_str().into(),
                (*event_date).into(),
                status.as_str().into(),
                created,
                modified,
                created_by.as_deref().unwrap_or(&actor.name).into(),
                xid.into(),
                stix_id,
                stix_id::incident_key(&owner.name, xid).into(),
            ],
            ImportWhat::Item { kind, name, fields } => [
                owner.id.into(),
                kind.url_name().into(),
                name.as_str().into(),
                fields.as_str().into(),
                created,
                modified,
                actor.name.as_str().into(),
                xid.into(),
                stix_id,
                stix_id::item_key(*kind, &owner.name, 0, Some(xid)).into(),
            ],
            ImportWhat::Indicator {
                value,
                rating,
                confidence,
            } => [
                owner.id.into(),
                value.kind().url_name().into(),
                value.as_str().into(),
                created,
                modified,
                actor.name.as_str().into(),
                rating.map(threatdb_core::rating_number).into(),
                confidence.map(i64::from).into(),
                stix_id,
                stix_id::indicator_key(
                    &owner.name,
                    value.kind(),
                    value.as_str(),
                    Some(&o.external_id),
                )
                .into(),
            ],
            ImportWhat::Label { .. } => {
                return Err(StoreError::Invalid("a label is not a subject".into()));
            }
        });
    }
    let mut ids = HashMap::with_capacity(rows.len());
    for sql in statements(head, values, tail) {
        ids.extend(db.fetch(sql, |r| Ok((r.text(1)?, r.int(0)?))).await?);
    }
    Ok(ids)
}

/// One attribute with its labels (their ids are needed, so it goes in alone).
async fn labelled_attribute<D: Db>(
    db: &mut D,
    kind: Kind,
    id: i64,
    a: &threatdb_core::ImportAttribute,
    labels: &[i64],
) -> StoreResult<()> {
    let mut sql = Sql::new(format!(
        "INSERT INTO {} ({}, type, value, displayed, source, date_added, last_modified) \
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        kind.attributes(),
        kind.column()
    ));
    sql.params = vec![
        id.into(),
        a.attribute.kind.name.into(),
        a.attribute.value.as_str().into(),
        a.attribute.displayed.into(),
        a.attribute.source.as_deref().into(),
        a.date_added.into(),
        a.last_modified.into(),
    ];
    let attribute = rows::one(db, sql, |r| r.int(0)).await?;
    for label in labels {
        let mut sql = Sql::new(format!(
            "INSERT INTO {} (attribute_id, label_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            kind.attribute_labels()
        ));
        sql.params = vec![attribute.into(), (*label).into()];
        db.execute(sql).await?;
    }
    Ok(())
}
