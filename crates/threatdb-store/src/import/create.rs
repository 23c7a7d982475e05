//! Import's way of creating an object that is not stored yet: the object with its dates, ids and
//! scores in one statement, then its tags, labels and attributes a statement each, tag and
//! label ids looked up once per transaction. The labels are resolved before anything is written
//! and the object's insert gives way on any unique key (`ON CONFLICT DO NOTHING`), so a refused
//! object writes nothing without a savepoint. What the API's writes do besides (the name index,
//! the owner and tag counters) the database's triggers do for both.

use std::collections::HashMap;

use crate::db::{Db, Sql};
use crate::subject::Kind;
use crate::{labels, rows};
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
        let id = rows::int(
            db,
            Sql::with(
                "INSERT INTO tags (owner_id, name, name_key) VALUES (?, ?, ?) \
                 ON CONFLICT (owner_id, name_key) DO UPDATE SET name = tags.name RETURNING id",
                vec![owner.into(), tag.as_str().into(), tag.key().into()],
            ),
        )
        .await?
        .ok_or_else(|| StoreError::backend_msg("tag upsert returned no id"))?;
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

/// Creates `o` in `owner` (the caller holds the write grant on it): the local object, or why it
/// is refused (a unique key taken, an unknown label) with nothing written.
pub(super) async fn create<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    o: &ImportObject,
    known: &mut Known,
) -> StoreResult<Result<Local, String>> {
    let mut label_ids = Vec::with_capacity(o.labels.len());
    let mut attribute_labels = Vec::with_capacity(o.attributes.len());
    let resolved = async {
        for l in &o.labels {
            label_ids.push(known.label(db, owner.id, l).await?);
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
        Ok(()) => {}
        Err(StoreError::Invalid(why)) => return Ok(Err(why)),
        Err(e) => return Err(e),
    }
    let xid = o.key.as_deref().unwrap_or(&o.external_id);
    let (kind, sql, local): (Kind, Sql<'_>, fn(i64, &ImportWhat) -> Local) = match &o.what {
        ImportWhat::Incident {
            name,
            event_date,
            status,
            created_by,
        } => (
            Kind::Incident,
            Sql::with(
                "INSERT INTO incidents (owner_id, name, event_date, status, date_added, last_modified, \
                 created_by, xid, stix_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT DO NOTHING RETURNING id",
                vec![
                    owner.id.into(),
                    name.as_str().into(),
                    (*event_date).into(),
                    status.as_str().into(),
                    o.created.into(),
                    o.modified.into(),
                    created_by.as_deref().unwrap_or(&actor.name).into(),
                    xid.into(),
                    o.external_id.as_str().into(),
                ],
            ),
            |id, _| Local::Incident(id),
        ),
        ImportWhat::Item { kind, name, fields } => (
            Kind::Item,
            Sql::with(
                "INSERT INTO items (owner_id, kind, name, fields, date_added, last_modified, created_by, \
                 xid, stix_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT DO NOTHING RETURNING id",
                vec![
                    owner.id.into(),
                    kind.url_name().into(),
                    name.as_str().into(),
                    fields.as_str().into(),
                    o.created.into(),
                    o.modified.into(),
                    actor.name.as_str().into(),
                    xid.into(),
                    o.external_id.as_str().into(),
                ],
            ),
            |id, what| match what {
                ImportWhat::Item { kind, .. } => Local::Item(*kind, id),
                _ => Local::Incident(id),
            },
        ),
        ImportWhat::Indicator {
            value,
            rating,
            confidence,
        } => (
            Kind::Indicator,
            Sql::with(
                "INSERT INTO indicators (owner_id, kind, value, date_added, last_modified, created_by, \
                 rating, confidence, stix_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT DO NOTHING RETURNING id",
                vec![
                    owner.id.into(),
                    value.kind().url_name().into(),
                    value.as_str().into(),
                    o.created.into(),
                    o.modified.into(),
                    actor.name.as_str().into(),
                    rating.map(threatdb_core::rating_number).into(),
                    confidence.map(i64::from).into(),
                    o.external_id.as_str().into(),
                ],
            ),
            |id, what| match what {
                ImportWhat::Indicator { value, .. } => Local::Indicator(id, value.clone()),
                _ => Local::Incident(id),
            },
        ),
        ImportWhat::Label { .. } => {
            return Err(StoreError::Invalid("a label is not a subject".into()));
        }
    };
    let Some(id) = rows::int(db, sql).await? else {
        return Ok(Err(format!(
            "{} cannot be created: its xid or STIX id is another object's here",
            o.external_id
        )));
    };
    for tag in &o.tags {
        let tag_id = known.tag(db, owner.id, tag).await?;
        let sql = match (&o.what, kind) {
            // incident_tags keeps a copy of the event date for its indexes.
            (ImportWhat::Incident { event_date, .. }, _) => Sql::with(
                "INSERT INTO incident_tags (incident_id, tag_id, event_date) VALUES (?, ?, ?) \
                 ON CONFLICT DO NOTHING",
                vec![id.into(), tag_id.into(), (*event_date).into()],
            ),
            (_, kind) => {
                let mut sql = Sql::new(format!(
                    "INSERT INTO {} ({}, tag_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    kind.tags(),
                    kind.column()
                ));
                sql.params = vec![id.into(), tag_id.into()];
                sql
            }
        };
        db.execute(sql).await?;
    }
    for label in &label_ids {
        let mut sql = Sql::new(format!(
            "INSERT INTO {} ({}, label_id, owner_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            kind.labels(),
            kind.column()
        ));
        sql.params = vec![id.into(), (*label).into(), owner.id.into()];
        db.execute(sql).await?;
    }
    for (a, labels) in o.attributes.iter().zip(&attribute_labels) {
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
    }
    Ok(Ok(local(id, &o.what)))
}
