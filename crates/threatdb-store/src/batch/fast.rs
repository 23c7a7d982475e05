//! The common cases of a feed, settled set-wise: the indicators of a chunk that do not exist yet
//! are inserted, with their tags, labels, attributes and links to the owner's incidents, by a
//! few statements for the whole chunk instead of a dozen for each; those that exist and that
//! the item would not change (a feed sent again) are read in a few statements and left alone.
//! Whatever this path cannot settle alone (an indicator the item changes, a value the chunk
//! holds twice, a link to anything but an incident of the owner, an unknown label) is left to
//! the item-by-item path, which gives the same result; so is everything when the job halts on
//! errors (there, nothing after a failing item may be written).

use crate::db::{Db, ROWS_PER_STATEMENT, Sql, Value, insert_rows, statements};
use crate::{guard, labels, now, rows, subject, tags};
use std::collections::{HashMap, HashSet};
use threatdb_core::batch::{
    AttributeWrite, BatchIndicator, BatchItem, BatchOp, BatchSettings, SetWrite,
};
use threatdb_core::policy::Access;
use threatdb_core::stix_id;
use threatdb_core::{
    Actor, IndicatorKind, Owner, StoreError, StoreResult, label_key, rating_number,
};

/// Writes the chunk's new indicators; returns the indexes of the items it wrote.
pub(super) async fn new_indicators<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    settings: &BatchSettings,
    items: &[BatchItem],
) -> StoreResult<HashSet<u64>> {
    if settings.halt_on_error {
        return Ok(HashSet::new());
    }
    db.execute(Sql::new("SAVEPOINT batch_fast")).await?;
    match write(db, actor, owner, settings, items).await {
        Ok(done) => {
            db.execute(Sql::new("RELEASE SAVEPOINT batch_fast")).await?;
            Ok(done)
        }
        Err(e @ StoreError::Backend(_)) => Err(e),
        // Anything else is left to the item-by-item path, which records it.
        Err(_) => {
            db.execute(Sql::new("ROLLBACK TO SAVEPOINT batch_fast"))
                .await?;
            db.execute(Sql::new("RELEASE SAVEPOINT batch_fast")).await?;
            Ok(HashSet::new())
        }
    }
}

async fn write<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    settings: &BatchSettings,
    items: &[BatchItem],
) -> StoreResult<HashSet<u64>> {
    let granted = guard::owner(actor, owner, Access::Write)?;
    let owner_id = guard::for_write(&granted)?.id;
    // A value the chunk holds twice keeps its order through the item-by-item path.
    let mut times: HashMap<(IndicatorKind, &str), u32> = HashMap::new();
    for item in items {
        if let Ok(BatchOp::Indicator(i)) = &item.work {
            let n = times.entry((i.value.kind(), i.value.as_str())).or_default();
            *n = n.saturating_add(1);
        }
    }
    let mut wanted: Vec<(u64, &BatchIndicator)> = items
        .iter()
        .filter_map(|item| match &item.work {
            Ok(BatchOp::Indicator(i))
                if times.get(&(i.value.kind(), i.value.as_str())) == Some(&1) =>
            {
                Some((item.index, i))
            }
            _ => None,
        })
        .collect();
    // Group links settle here only when every xid names an incident of the owner; any other
    // link (a group of another type, an xid of another owner or of nothing) has a record to
    // make, which is the item-by-item path's.
    let incidents = incidents_by_xid(db, owner_id, &wanted).await?;
    wanted.retain(|(_, i)| i.group_xids.iter().all(|x| incidents.contains_key(x)));
    if wanted.is_empty() {
        return Ok(HashSet::new());
    }

    // The ones that exist already: settled here when the item would change nothing (a feed
    // sent again), else left to the item-by-item path.
    let mut existing: HashMap<(String, String), Stored> = HashMap::new();
    for kind in IndicatorKind::ALL {
        let values: Vec<&str> = wanted
            .iter()
            .filter(|(_, i)| i.value.kind() == kind)
            .map(|(_, i)| i.value.as_str())
            .collect();
        for part in values.chunks(ROWS_PER_STATEMENT) {
            let mut sql = Sql::new(format!(
                "SELECT {} FROM indicators d JOIN owners o ON o.id = d.owner_id WHERE d.owner_id = ",
                rows::INDICATOR_COLUMNS
            ));
            sql.bind(owner_id)
                .push(" AND d.kind = ")
                .bind(kind.url_name());
            sql.push(" AND d.value IN ").bind_list(part.iter().copied());
            for found in db.fetch(sql, rows::indicator).await? {
                let stored = Stored {
                    id: found.id,
                    rating: found.rating,
                    confidence: found.confidence,
                    ..Stored::default()
                };
                existing.insert((kind.url_name().to_string(), found.value), stored);
            }
        }
    }
    let key = |i: &BatchIndicator| {
        (
            i.value.kind().url_name().to_string(),
            i.value.as_str().to_string(),
        )
    };
    let mut done = HashSet::new();
    if !existing.is_empty() {
        load_nested(db, &mut existing).await?;
        for (index, i) in &wanted {
            let linked = |s: &Stored| {
                i.group_xids
                    .iter()
                    .filter_map(|x| incidents.get(x))
                    .all(|incident| s.incidents.contains(incident))
            };
            if existing
                .get(&key(i))
                .is_some_and(|s| s.unchanged_by(i, settings) && linked(s))
            {
                done.insert(*index);
            }
        }
    }
    wanted.retain(|(_, i)| !existing.contains_key(&key(i)));

    // Labels by name (an unknown one is the item-by-item path's to record).
    let mut label_ids: HashMap<String, Option<i64>> = HashMap::new();
    for (_, i) in &wanted {
        for name in i.nested.labels.iter().flatten() {
            let key = label_key(name);
            if label_ids.contains_key(&key) {
                continue;
            }
            let id = match labels::resolve(db, owner_id, name).await {
                Ok(id) => Some(id),
                Err(StoreError::Invalid(_)) => None,
                Err(e) => return Err(e),
            };
            label_ids.insert(key, id);
        }
    }
    wanted.retain(|(_, i)| {
        i.nested
            .labels
            .iter()
            .flatten()
            .all(|n| label_ids.get(&label_key(n)).copied().flatten().is_some())
    });
    if wanted.is_empty() {
        return Ok(done);
    }

    // Tags by key, each made once with the first spelling met (as tags::add would).
    let mut tag_ids: HashMap<String, i64> = HashMap::new();
    for (_, i) in &wanted {
        for tag in i.nested.tags.iter().flatten() {
            if tag_ids.contains_key(&tag.key()) {
                continue;
            }
            let id = tags::id_in(db, &granted, owner_id, tag).await?;
            tag_ids.insert(tag.key(), id);
        }
    }

    // The indicators; one a concurrent writer made meanwhile is not returned and goes the
    // item-by-item way.
    let t = now();
    let mut made: HashMap<(String, String), i64> = HashMap::new();
    for part in wanted.chunks(ROWS_PER_STATEMENT) {
        let mut sql = Sql::new(
            "INSERT INTO indicators (owner_id, kind, value, date_added, last_modified, created_by, \
             rating, confidence, stix_key) VALUES ",
        );
        for (n, (_, i)) in part.iter().enumerate() {
            if n > 0 {
                sql.push(", ");
            }
            let row: [Value<'_>; 9] = [
                owner_id.into(),
                i.value.kind().url_name().into(),
                i.value.as_str().into(),
                t.into(),
                t.into(),
                actor.name.as_str().into(),
                i.scores.rating.flatten().map(rating_number).into(),
                i.scores.confidence.flatten().map(i64::from).into(),
                stix_id::indicator_key(&owner.name, i.value.kind(), i.value.as_str(), None).into(),
            ];
            sql.bind_list(row);
        }
        sql.push(" ON CONFLICT DO NOTHING RETURNING id, kind, value");
        for (id, kind, value) in db
            .fetch(sql, |r| Ok((r.int(0)?, r.text(1)?, r.text(2)?)))
            .await?
        {
            made.insert((kind, value), id);
        }
    }
    let id_of = |i: &BatchIndicator| {
        made.get(&(
            i.value.kind().url_name().to_string(),
            i.value.as_str().to_string(),
        ))
        .copied()
    };

    let mut history = crate::history::Many::new(actor);
    let mut described: HashMap<i64, String> = HashMap::new();
    let mut tag_rows: Vec<[Value<'_>; 2]> = Vec::new();
    let mut label_rows: Vec<[Value<'_>; 3]> = Vec::new();
    let mut attribute_rows: Vec<[Value<'_>; 7]> = Vec::new();
    let mut link_rows: Vec<[Value<'_>; 2]> = Vec::new();
    for (index, i) in &wanted {
        let Some(id) = id_of(i) else {
            continue;
        };
        done.insert(*index);
        let subject = (subject::Kind::Indicator, id, owner_id);
        let attributes = match settings.attributes {
            AttributeWrite::Static => None,
            _ => i.nested.attributes.as_ref(),
        };
        history.created(
            subject,
            i.value.as_str(),
            i.nested.tags.iter().flatten().map(|t| t.as_str()),
            i.nested.labels.iter().flatten().map(String::as_str),
            attributes
                .into_iter()
                .flatten()
                .map(|a| (a.kind.name, a.value.as_str())),
        );
        if let Some(r) = i.scores.rating.flatten() {
            history.add(subject, "rating", None, Some(&rating_number(r).to_string()));
        }
        if let Some(c) = i.scores.confidence.flatten() {
            history.add(subject, "confidence", None, Some(&c.to_string()));
        }
        if !i.group_xids.is_empty() {
            described.insert(
                id,
                threatdb_core::Target::Indicator(i.value.clone()).described(),
            );
        }
        for incident in i.group_xids.iter().filter_map(|x| incidents.get(x)) {
            link_rows.push([(*incident).into(), id.into()]);
        }
        for tag in i.nested.tags.iter().flatten() {
            if let Some(tag_id) = tag_ids.get(&tag.key()) {
                tag_rows.push([id.into(), (*tag_id).into()]);
            }
        }
        for name in i.nested.labels.iter().flatten() {
            if let Some(Some(label)) = label_ids.get(&label_key(name)) {
                label_rows.push([id.into(), (*label).into(), owner_id.into()]);
            }
        }
        if settings.attributes != AttributeWrite::Static {
            for a in i.nested.attributes.iter().flatten() {
                attribute_rows.push([
                    id.into(),
                    a.kind.name.into(),
                    a.value.as_str().into(),
                    a.displayed.into(),
                    a.source.as_deref().into(),
                    t.into(),
                    t.into(),
                ]);
            }
        }
    }
    // An incident that gains an indicator has changed (a TAXII poller then gets the new
    // relationship); one whose links were all there already has not.
    let mut linked: Vec<i64> = Vec::new();
    for sql in statements(
        "INSERT INTO incident_indicators (incident_id, indicator_id) VALUES ",
        link_rows,
        " ON CONFLICT DO NOTHING RETURNING incident_id, indicator_id",
    ) {
        for (incident, indicator) in db.fetch(sql, |r| Ok((r.int(0)?, r.int(1)?))).await? {
            // Recorded on the incident, as associating one does.
            if let Some(what) = described.get(&indicator) {
                let subject = (subject::Kind::Incident, incident, owner_id);
                history.add(subject, "association", None, Some(what));
            }
            linked.push(incident);
        }
    }
    linked.sort_unstable();
    linked.dedup();
    subject::touch_incidents(db, &linked, t).await?;
    insert_rows(
        db,
        "INSERT INTO indicator_tags (indicator_id, tag_id) VALUES ",
        tag_rows,
        " ON CONFLICT DO NOTHING",
    )
    .await?;
    insert_rows(
        db,
        "INSERT INTO indicator_labels (indicator_id, label_id, owner_id) VALUES ",
        label_rows,
        " ON CONFLICT DO NOTHING",
    )
    .await?;
    insert_rows(
        db,
        "INSERT INTO item_attributes (indicator_id, type, value, displayed, source, date_added, \
         last_modified) VALUES ",
        attribute_rows,
        "",
    )
    .await?;
    history.write(db).await?;
    Ok(done)
}

/// An indicator as stored, with what an item could change in it.
#[derive(Default)]
struct Stored {
    id: i64,
    rating: Option<u16>,
    confidence: Option<u8>,
    tags: Vec<String>,
    labels: Vec<String>,
    /// Type, value, displayed, source.
    attributes: Vec<(String, String, bool, Option<String>)>,
    /// The incidents it is associated with.
    incidents: Vec<i64>,
}

impl Stored {
    /// Whether writing the item would leave the indicator exactly as it is.
    fn unchanged_by(&self, i: &BatchIndicator, settings: &BatchSettings) -> bool {
        let same_set = |wanted: Vec<String>, have: &[String], replace: bool| {
            let have: HashSet<&String> = have.iter().collect();
            wanted.iter().all(|w| have.contains(w)) && (!replace || wanted.len() == have.len())
        };
        let replace = |w: SetWrite| w == SetWrite::Replace;
        let tags_same = i.nested.tags.as_ref().is_none_or(|tags| {
            let mut keys: Vec<String> = tags.iter().map(|t| t.key()).collect();
            keys.sort();
            keys.dedup();
            same_set(keys, &self.tags, replace(settings.tags))
        });
        let labels_same = i.nested.labels.as_ref().is_none_or(|labels| {
            let mut keys: Vec<String> = labels.iter().map(|l| label_key(l)).collect();
            keys.sort();
            keys.dedup();
            same_set(keys, &self.labels, replace(settings.labels))
        });
        let attributes_same = match (&i.nested.attributes, settings.attributes) {
            (None, _) | (_, AttributeWrite::Static) => true,
            (Some(list), AttributeWrite::Append) => list.is_empty(),
            (Some(list), write) => {
                let mut wanted: Vec<(String, String, bool, Option<String>)> = list
                    .iter()
                    .map(|a| {
                        (
                            a.kind.name.to_string(),
                            a.value.clone(),
                            a.displayed,
                            a.source.clone(),
                        )
                    })
                    .collect();
                let mut have: Vec<_> = self
                    .attributes
                    .iter()
                    .filter(|h| {
                        write == AttributeWrite::Replace || list.iter().any(|a| a.kind.name == h.0)
                    })
                    .cloned()
                    .collect();
                wanted.sort();
                have.sort();
                wanted == have
            }
        };
        i.scores.rating.is_none_or(|r| self.rating == r)
            && i.scores.confidence.is_none_or(|c| self.confidence == c)
            && tags_same
            && labels_same
            && attributes_same
    }
}

/// The owner's incidents among the xids the items link to, by xid (an xid of another owner's
/// incident, or of a group of another type, is not among them).
async fn incidents_by_xid<D: Db>(
    db: &mut D,
    owner_id: i64,
    wanted: &[(u64, &BatchIndicator)],
) -> StoreResult<HashMap<String, i64>> {
    let mut xids: Vec<&str> = wanted
        .iter()
        .flat_map(|(_, i)| i.group_xids.iter().map(String::as_str))
        .collect();
    xids.sort_unstable();
    xids.dedup();
    let mut found = HashMap::new();
    for part in xids.chunks(ROWS_PER_STATEMENT) {
        let mut sql = Sql::new("SELECT xid, id FROM incidents WHERE owner_id = ");
        sql.bind(owner_id)
            .push(" AND xid IN ")
            .bind_list(part.iter().copied());
        found.extend(db.fetch(sql, |r| Ok((r.text(0)?, r.int(1)?))).await?);
    }
    Ok(found)
}

/// Reads the tags, labels, attributes and incidents of the stored indicators.
async fn load_nested<D: Db>(
    db: &mut D,
    stored: &mut HashMap<(String, String), Stored>,
) -> StoreResult<()> {
    let mut by_id: HashMap<i64, &mut Stored> = stored.values_mut().map(|s| (s.id, s)).collect();
    let ids: Vec<i64> = by_id.keys().copied().collect();
    for part in ids.chunks(ROWS_PER_STATEMENT) {
        let mut sql = Sql::new(
            "SELECT x.indicator_id, t.name_key FROM indicator_tags x JOIN tags t ON t.id = x.tag_id \
             WHERE x.indicator_id IN ",
        );
        sql.bind_list(part.iter().copied());
        for (id, key) in db.fetch(sql, |r| Ok((r.int(0)?, r.text(1)?))).await? {
            if let Some(s) = by_id.get_mut(&id) {
                s.tags.push(key);
            }
        }
        let mut sql = Sql::new(
            "SELECT x.indicator_id, l.name_key FROM indicator_labels x \
             JOIN security_labels l ON l.id = x.label_id WHERE x.indicator_id IN ",
        );
        sql.bind_list(part.iter().copied());
        for (id, key) in db.fetch(sql, |r| Ok((r.int(0)?, r.text(1)?))).await? {
            if let Some(s) = by_id.get_mut(&id) {
                s.labels.push(key);
            }
        }
        let mut sql = Sql::new(
            "SELECT indicator_id, type, value, displayed, source FROM item_attributes \
             WHERE indicator_id IN ",
        );
        sql.bind_list(part.iter().copied());
        let rows = db
            .fetch(sql, |r| {
                Ok((
                    r.int(0)?,
                    (r.text(1)?, r.text(2)?, r.boolean(3)?, r.opt_text(4)?),
                ))
            })
            .await?;
        for (id, attribute) in rows {
            if let Some(s) = by_id.get_mut(&id) {
                s.attributes.push(attribute);
            }
        }
        let mut sql = Sql::new(
            "SELECT indicator_id, incident_id FROM incident_indicators WHERE indicator_id IN ",
        );
        sql.bind_list(part.iter().copied());
        for (id, incident) in db.fetch(sql, |r| Ok((r.int(0)?, r.int(1)?))).await? {
            if let Some(s) = by_id.get_mut(&id) {
                s.incidents.push(incident);
            }
        }
    }
    Ok(())
}
