//! Tombstones: a deleted incident, group or indicator keeps its last state (fields, tags,
//! security labels, attributes with their labels, associations) in the `tombstones` table,
//! written by the deletion in its transaction ([`keep`]). Someone with write rights on its
//! owner lists ([`list`]) and restores it with its id ([`restore`]) until the retention sweep
//! purges it ([`purge`]), which the history records.

use crate::db::{Db, Dialect, ROWS_PER_STATEMENT, Sql, Value, insert_rows};
use crate::subject::{Kind, Row};
use crate::{associations, attributes, guard, history, labels, now, rows, tags};
use serde::{Deserialize, Serialize};
use threatdb_core::history::{Deleted, Family, Restored, SWEEPER};
use threatdb_core::policy::Access;
use threatdb_core::{
    Actor, IndicatorKind, IndicatorValue, ItemKind, NewAttribute, Owner, Page, Paging, PlanStep,
    StoreError, StoreResult, Subject, TagName, Target, Timestamp,
};

/// An object's last state, as its tombstone keeps it (JSON).
#[derive(Debug, Default, Serialize, Deserialize)]
struct State {
    /// Its name, or an indicator's value.
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    event_date: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    xid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fields: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rating: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    confidence: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stix_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stix_key: Option<i64>,
    date_added: i64,
    created_by: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    labels: Vec<String>,
    #[serde(default)]
    attributes: Vec<AttributeState>,
    /// An incident's associations as the history names them (`adversary 7`); for an item or an
    /// indicator, the incidents associated with it (`incident 12`).
    #[serde(default)]
    links: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct AttributeState {
    #[serde(rename = "type")]
    kind: String,
    value: String,
    displayed: bool,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    labels: Vec<String>,
}

fn seconds(t: Timestamp) -> i64 {
    t.unix_timestamp()
}

fn time(s: i64) -> StoreResult<Timestamp> {
    Timestamp::from_unix_timestamp(s)
        .map_err(|_| StoreError::backend_msg("a tombstone holds a time out of range"))
}

fn by_id(text: String, id: i64) -> Sql<'static> {
    let mut sql = Sql::new(text);
    sql.params.push(id.into());
    sql
}

/// The object's own columns: its type name and its state without its collections.
async fn fields<D: Db>(db: &mut D, row: &Row) -> StoreResult<(String, State)> {
    let sql = match row.kind {
        Kind::Incident => {
            "SELECT 'incident', name, date_added, created_by, stix_id, stix_key, event_date, status, xid \
             FROM incidents WHERE id = ?"
        }
        Kind::Item => {
            "SELECT kind, name, date_added, created_by, stix_id, stix_key, fields, xid \
             FROM items WHERE id = ?"
        }
        Kind::Indicator => {
            "SELECT kind, value, date_added, created_by, stix_id, stix_key, rating, confidence \
             FROM indicators WHERE id = ?"
        }
    };
    let kind = row.kind;
    rows::one(db, by_id(sql.into(), row.id), move |r| {
        let mut state = State {
            name: r.text(1)?,
            date_added: seconds(r.time(2)?),
            created_by: r.text(3)?,
            stix_id: r.opt_text(4)?,
            stix_key: r.opt_int(5)?,
            ..State::default()
        };
        match kind {
            Kind::Incident => {
                state.event_date = Some(seconds(r.time(6)?));
                state.status = Some(r.text(7)?);
                state.xid = Some(r.text(8)?);
            }
            Kind::Item => {
                state.fields = Some(r.text(6)?);
                state.xid = r.opt_text(7)?;
            }
            Kind::Indicator => {
                state.rating = r.opt_float(6)?;
                state.confidence = r.opt_int(7)?;
            }
        }
        Ok((r.text(0)?, state))
    })
    .await
}

/// The names a subject's link table joins to (`tags`/`security_labels`), sorted.
async fn names<D: Db>(
    db: &mut D,
    row: &Row,
    links: &str,
    table: &str,
    key: &str,
) -> StoreResult<Vec<String>> {
    let text = format!(
        "SELECT t.name FROM {links} x JOIN {table} t ON t.id = x.{key} WHERE x.{} = ? ORDER BY t.name",
        row.kind.column()
    );
    db.fetch(by_id(text, row.id), |r| r.text(0)).await
}

/// The subject's state with everything that hangs off it.
async fn snapshot<D: Db>(db: &mut D, row: &Row) -> StoreResult<(String, State)> {
    let (type_name, mut state) = fields(db, row).await?;
    state.tags = names(db, row, row.kind.tags(), "tags", "tag_id").await?;
    state.labels = names(db, row, row.kind.labels(), "security_labels", "label_id").await?;
    let column = row.kind.column();
    let text = format!(
        "SELECT a.id, a.type, a.value, a.displayed, a.source FROM {} a WHERE a.{column} = ? ORDER BY a.id",
        row.kind.attributes()
    );
    let found = db
        .fetch(by_id(text, row.id), |r| {
            Ok((
                r.int(0)?,
                AttributeState {
                    kind: r.text(1)?,
                    value: r.text(2)?,
                    displayed: r.boolean(3)?,
                    source: r.opt_text(4)?,
                    labels: Vec::new(),
                },
            ))
        })
        .await?;
    let text = format!(
        "SELECT x.attribute_id, l.name FROM {} x JOIN {} a ON a.id = x.attribute_id \
         JOIN security_labels l ON l.id = x.label_id WHERE a.{column} = ? ORDER BY l.name",
        row.kind.attribute_labels(),
        row.kind.attributes()
    );
    let mut labelled = db
        .fetch(by_id(text, row.id), |r| Ok((r.int(0)?, r.text(1)?)))
        .await?;
    for (id, mut attribute) in found {
        labelled.retain(|(of, name)| {
            let mine = *of == id;
            if mine {
                attribute.labels.push(name.clone());
            }
            !mine
        });
        state.attributes.push(attribute);
    }
    state.links = links(db, row).await?;
    Ok((type_name, state))
}

/// The subject's associations as the history names them.
async fn links<D: Db>(db: &mut D, row: &Row) -> StoreResult<Vec<String>> {
    let incident = |r: &dyn crate::db::Cells| Ok(format!("incident {}", r.int(0)?));
    match row.kind {
        Kind::Incident => {
            let mut out = db
                .fetch(
                    by_id(
                        "SELECT other_id FROM incident_links WHERE incident_id = ?".into(),
                        row.id,
                    ),
                    incident,
                )
                .await?;
            out.extend(
                db.fetch(
                    by_id(
                        "SELECT it.kind, it.id FROM incident_items x JOIN items it ON it.id = x.item_id \
                         WHERE x.incident_id = ?"
                            .into(),
                        row.id,
                    ),
                    |r| Ok(format!("{} {}", r.text(0)?, r.int(1)?)),
                )
                .await?,
            );
            out.extend(
                db.fetch(
                    by_id(
                        "SELECT d.kind, d.value FROM incident_indicators x JOIN indicators d \
                         ON d.id = x.indicator_id WHERE x.incident_id = ?"
                            .into(),
                        row.id,
                    ),
                    |r| Ok(format!("{} {}", r.text(0)?, r.text(1)?)),
                )
                .await?,
            );
            Ok(out)
        }
        Kind::Item => {
            let sql = "SELECT incident_id FROM incident_items WHERE item_id = ?";
            db.fetch(by_id(sql.into(), row.id), incident).await
        }
        Kind::Indicator => {
            let sql = "SELECT incident_id FROM incident_indicators WHERE indicator_id = ?";
            db.fetch(by_id(sql.into(), row.id), incident).await
        }
    }
}

fn family_of(kind: Kind) -> Family {
    match kind {
        Kind::Incident | Kind::Item => Family::Groups,
        Kind::Indicator => Family::Indicators,
    }
}

/// Keeps the subject's last state as its tombstone: called by a deletion (the caller holds a
/// write grant on it) before it deletes, in its transaction.
pub async fn keep<D: Db>(db: &mut D, actor: &Actor, row: &Row) -> StoreResult<()> {
    let (type_name, state) = snapshot(db, row).await?;
    let json = serde_json::to_string(&state)
        .map_err(|e| StoreError::backend_msg(format!("a tombstone could not be written: {e}")))?;
    let values: [Value; 9] = [
        history::kind_name(row.kind).into(),
        row.id.into(),
        family_of(row.kind).as_str().into(),
        row.owner.into(),
        type_name.into(),
        state.name.into(),
        now().into(),
        actor.name.clone().into(),
        json.into(),
    ];
    insert_rows(
        db,
        "INSERT INTO tombstones (object_kind, object_id, family, owner_id, type_name, name, \
         deleted_at, deleted_by, state) VALUES ",
        vec![values],
        // A second deletion of the same id (restored, then deleted again) keeps the newer state.
        " ON CONFLICT (object_kind, object_id) DO UPDATE SET owner_id = excluded.owner_id, \
         type_name = excluded.type_name, name = excluded.name, deleted_at = excluded.deleted_at, \
         deleted_by = excluded.deleted_by, state = excluded.state",
    )
    .await
}

/// The count (on a first page) and the page of an owner's list of tombstones.
fn list_statements(
    family: Family,
    owner: i64,
    paging: Paging,
) -> (Option<Sql<'static>>, Sql<'static>) {
    let mut filter = Sql::new(" FROM tombstones t WHERE t.family = ");
    filter
        .bind(family.as_str())
        .push(" AND t.owner_id = ")
        .bind(owner);
    let count = (paging.start == 0).then(|| {
        let mut count = Sql::new("SELECT count(*)");
        count.push(&filter.text);
        count.params = filter.params.clone();
        count
    });
    let mut sql = Sql::new("SELECT t.object_id, t.type_name, t.name, t.deleted_at, t.deleted_by");
    sql.push(&filter.text);
    sql.params = filter.params;
    sql.push(" ORDER BY t.deleted_at DESC, t.object_id DESC LIMIT ")
        .bind(rows::int_of(paging.limit))
        .push(" OFFSET ")
        .bind(rows::int_of(paging.start));
    (count, sql)
}

/// The deleted objects of one family in `owner` (write rights there: they are for restoring),
/// newest deletion first; counted on a first page.
pub async fn list<D: Db>(
    db: &mut D,
    actor: &Actor,
    owner: &Owner,
    family: Family,
    paging: Paging,
) -> StoreResult<Page<Deleted>> {
    let granted = guard::owner(actor, owner, Access::Write)?;
    let owner = guard::for_write(&granted)?;
    let (count, sql) = list_statements(family, owner.id, paging);
    let total = match count {
        Some(count) => Some(rows::count(db, count).await?),
        None => None,
    };
    let name = owner.name.clone();
    let items = db
        .fetch(sql, move |r| {
            Ok(Deleted {
                id: r.int(0)?,
                type_name: r.text(1)?,
                name: r.text(2)?,
                owner: name.clone(),
                deleted_at: r.time(3)?,
                deleted_by: r.text(4)?,
            })
        })
        .await?;
    Ok(Page { total, items })
}

fn kinds_of(family: Family) -> &'static [&'static str] {
    match family {
        Family::Groups => &["incident", "group"],
        Family::Indicators => &["indicator"],
    }
}

fn unknown_type() -> StoreError {
    StoreError::backend_msg("a tombstone names an unknown type")
}

/// Inserts a restored row of `table` with its id (the first of `columns`); `taken` is the
/// conflict a unique key already held means.
async fn put_back<D: Db>(
    db: &mut D,
    table: &str,
    columns: &str,
    values: Vec<Value<'_>>,
    taken: &str,
) -> StoreResult<()> {
    // PostgreSQL's identity columns take an id only when told.
    let overriding = match db.dialect() {
        Dialect::Sqlite => "",
        Dialect::Postgres => " OVERRIDING SYSTEM VALUE",
    };
    let marks = vec!["?"; values.len()].join(", ");
    let mut sql = Sql::new(format!(
        "INSERT INTO {table} ({columns}){overriding} VALUES ({marks})"
    ));
    sql.params = values;
    db.execute(sql).await.map_err(|e| e.on_duplicate(taken))?;
    Ok(())
}

/// Goes on after putting back one part of a restored object: an error that means "leave that
/// part out" is named in `skipped`, any other ends the restore.
fn keep_going(skipped: &mut Vec<String>, what: String, r: StoreResult<()>) -> StoreResult<()> {
    match r {
        Ok(()) => Ok(()),
        Err(e) if skippable(&e) => {
            skipped.push(format!("{what}: {e}"));
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// Whether an error of putting back one part of the state means "leave that part out" (the
/// part no longer fits: a label undefined, an association's other end gone or not readable).
fn skippable(e: &StoreError) -> bool {
    matches!(
        e,
        StoreError::NotFound | StoreError::Forbidden | StoreError::Invalid(_)
    )
}

/// Restores a deleted object with its id, fields, tags, labels, attributes and associations
/// (write rights on its owner; NotFound when no tombstone of this family has this id, or it
/// was purged). Conflict when an object with the same xid or value was created since. What
/// no longer fits is left out and named.
pub async fn restore<D: Db>(
    db: &mut D,
    actor: &Actor,
    family: Family,
    id: i64,
) -> StoreResult<Restored> {
    let mut find = Sql::new(
        "SELECT object_kind, owner_id, type_name, state FROM tombstones WHERE object_kind IN ",
    );
    find.bind_list(kinds_of(family).iter().copied())
        .push(" AND object_id = ")
        .bind(id);
    let (object_kind, owner_id, type_name, state) = rows::one(db, find, |r| {
        Ok((r.text(0)?, r.int(1)?, r.text(2)?, r.text(3)?))
    })
    .await?;
    let granted = guard::grant(actor, owner_id, Access::Write, owner_id)?;
    guard::for_write(&granted)?;
    let owner = actor
        .memberships
        .iter()
        .find(|m| m.owner.id == owner_id)
        .map(|m| m.owner.clone())
        .ok_or(StoreError::NotFound)?;
    let state: State = serde_json::from_str(&state)
        .map_err(|e| StoreError::backend_msg(format!("a tombstone could not be read: {e}")))?;
    let t = now();
    let (kind, subject) = match object_kind.as_str() {
        "incident" => {
            let columns = "id, owner_id, name, event_date, status, date_added, last_modified, \
                 created_by, xid, stix_id, stix_key";
            let values = vec![
                id.into(),
                owner_id.into(),
                state.name.as_str().into(),
                time(state.event_date.unwrap_or(state.date_added))?.into(),
                state.status.clone().unwrap_or_else(|| "New".into()).into(),
                time(state.date_added)?.into(),
                t.into(),
                state.created_by.as_str().into(),
                state.xid.clone().into(),
                state.stix_id.clone().into(),
                state.stix_key.into(),
            ];
            let taken = "an incident with this xid has been created since: delete it first";
            put_back(db, "incidents", columns, values, taken).await?;
            (Kind::Incident, Subject::Incident(id))
        }
        "group" => {
            let item = ItemKind::from_url(&type_name).ok_or_else(unknown_type)?;
            let columns = "id, owner_id, kind, name, fields, date_added, last_modified, \
                 created_by, xid, stix_id, stix_key";
            let values = vec![
                id.into(),
                owner_id.into(),
                type_name.as_str().into(),
                state.name.as_str().into(),
                state.fields.clone().unwrap_or_else(|| "{}".into()).into(),
                time(state.date_added)?.into(),
                t.into(),
                state.created_by.as_str().into(),
                state.xid.clone().into(),
                state.stix_id.clone().into(),
                state.stix_key.into(),
            ];
            let taken = "a group with this xid has been created since: delete it first";
            put_back(db, "items", columns, values, taken).await?;
            (Kind::Item, Subject::Item(item, id))
        }
        _ => {
            let indicator = IndicatorKind::from_url(&type_name).ok_or_else(unknown_type)?;
            let value = IndicatorValue::parse(indicator, &state.name)
                .map_err(|e| StoreError::backend_msg(format!("a tombstone's value: {e}")))?;
            let columns = "id, owner_id, kind, value, date_added, last_modified, created_by, \
                 rating, confidence, stix_id, stix_key";
            let values = vec![
                id.into(),
                owner_id.into(),
                type_name.as_str().into(),
                state.name.as_str().into(),
                time(state.date_added)?.into(),
                t.into(),
                state.created_by.as_str().into(),
                state.rating.into(),
                state.confidence.into(),
                state.stix_id.clone().into(),
                state.stix_key.into(),
            ];
            let taken = "this indicator has been created again since: delete it first";
            put_back(db, "indicators", columns, values, taken).await?;
            (Kind::Indicator, Subject::Indicator(owner, value))
        }
    };
    let row = Row {
        kind,
        id,
        owner: owner_id,
    };
    let change = history::change("restored", None, Some(&state.name));
    history::record(db, actor, &row, vec![change]).await?;
    let mut skipped = Vec::new();
    for tag in &state.tags {
        let r = match TagName::parse(tag) {
            Ok(name) => tags::add(db, actor, &subject, &name).await,
            Err(e) => Err(e.into()),
        };
        keep_going(&mut skipped, format!("tag {tag}"), r)?;
    }
    for label in &state.labels {
        let r = labels::add(db, actor, &subject, label).await;
        keep_going(&mut skipped, format!("security label {label}"), r)?;
    }
    for a in &state.attributes {
        let r = match NewAttribute::parse(&a.kind, &a.value, a.displayed, a.source.clone()) {
            Ok(new) => match attributes::add(db, actor, &subject, &new).await {
                Ok(added) => {
                    for label in &a.labels {
                        let r = attributes::label(db, actor, &subject, added.id, label).await;
                        keep_going(
                            &mut skipped,
                            format!("security label {label} of a {} attribute", a.kind),
                            r,
                        )?;
                    }
                    Ok(())
                }
                Err(e) => Err(e),
            },
            Err(e) => Err(e.into()),
        };
        keep_going(&mut skipped, format!("{} attribute", a.kind), r)?;
    }
    for link in &state.links {
        let r = match (&subject, Target::from_described(link)) {
            (Subject::Incident(me), Some(target)) => {
                match associations::associate(db, actor, *me, &target).await {
                    // The other end is deleted too: its tombstone takes the association, and
                    // restoring it restores the association.
                    Err(StoreError::NotFound) if hand_over(db, &target, *me).await? => {
                        skipped.push(format!(
                            "association with {link}: it is deleted too; restoring it restores the association"
                        ));
                        Ok(())
                    }
                    r => r,
                }
            }
            (Subject::Item(item, me), Some(Target::Incident(other))) => {
                associations::associate(db, actor, other, &Target::Item(*item, *me)).await
            }
            (Subject::Indicator(_, value), Some(Target::Incident(other))) => {
                associations::associate(db, actor, other, &Target::Indicator(value.clone())).await
            }
            _ => Err(StoreError::Invalid("not an association".into())),
        };
        keep_going(&mut skipped, format!("association with {link}"), r)?;
    }
    let mut gone = Sql::new("DELETE FROM tombstones WHERE object_kind = ");
    gone.bind(object_kind).push(" AND object_id = ").bind(id);
    db.execute(gone).await?;
    Ok(Restored { subject, skipped })
}

/// Adds `incident {incident}` to the links of the deleted group `target`'s tombstone; whether
/// there was one.
async fn hand_over<D: Db>(db: &mut D, target: &Target, incident: i64) -> StoreResult<bool> {
    let (kind, id) = match target {
        Target::Incident(id) => ("incident", *id),
        Target::Item(_, id) => ("group", *id),
        Target::Indicator(_) => return Ok(false),
    };
    let mut find = Sql::new("SELECT state FROM tombstones WHERE object_kind = ");
    find.bind(kind).push(" AND object_id = ").bind(id);
    let Some(text) = db.fetch_optional(find, |r| r.text(0)).await? else {
        return Ok(false);
    };
    let mut state: State = serde_json::from_str(&text)
        .map_err(|e| StoreError::backend_msg(format!("a tombstone could not be read: {e}")))?;
    let link = Target::Incident(incident).described();
    if !state.links.contains(&link) {
        state.links.push(link);
    }
    let json = serde_json::to_string(&state)
        .map_err(|e| StoreError::backend_msg(format!("a tombstone could not be written: {e}")))?;
    let mut update = Sql::new("UPDATE tombstones SET state = ");
    update
        .bind(json)
        .push(" WHERE object_kind = ")
        .bind(kind)
        .push(" AND object_id = ")
        .bind(id);
    db.execute(update).await?;
    Ok(true)
}

/// The tombstones deleted before `before`, oldest first, at most `limit`.
fn expired(before: Timestamp, limit: u64) -> Sql<'static> {
    let mut sql =
        Sql::new("SELECT object_kind, object_id, owner_id FROM tombstones WHERE deleted_at < ");
    sql.bind(before)
        .push(" ORDER BY deleted_at LIMIT ")
        .bind(rows::int_of(limit));
    sql
}

/// Purges at most `limit` tombstones deleted before `before` (oldest first), recording a
/// `purged` change for each in the history. How many it purged: the sweep calls again while
/// that is `limit`.
pub async fn purge<D: Db>(db: &mut D, before: Timestamp, limit: u64) -> StoreResult<u64> {
    let found = db
        .fetch(expired(before, limit), |r| {
            Ok((r.text(0)?, r.int(1)?, r.int(2)?))
        })
        .await?;
    if found.is_empty() {
        return Ok(0);
    }
    let mut purged = history::Many::by_server(SWEEPER, "sweep");
    for kind in [Kind::Incident, Kind::Item, Kind::Indicator] {
        let name = history::kind_name(kind);
        let ids: Vec<i64> = found
            .iter()
            .filter(|(k, _, _)| k == name)
            .map(|(_, id, owner)| {
                purged.add((kind, *id, *owner), "purged", None, None);
                *id
            })
            .collect();
        for part in ids.chunks(ROWS_PER_STATEMENT) {
            let mut gone = Sql::new("DELETE FROM tombstones WHERE object_kind = ");
            gone.bind(name)
                .push(" AND object_id IN ")
                .bind_list(part.iter().copied());
            db.execute(gone).await?;
        }
    }
    purged.write(db).await?;
    Ok(u64::try_from(found.len()).unwrap_or(u64::MAX))
}

/// The plans of the tombstones' reads: an owner's list, first page and further on, a restore's look-up and the sweep's.
pub async fn explain<D: Db>(db: &mut D, owner: i64) -> StoreResult<Vec<PlanStep>> {
    let paging = |start| Paging { start, limit: 100 };
    let mut statements = Vec::new();
    for start in [0, 100] {
        let (count, page) = list_statements(Family::Groups, owner, paging(start));
        statements.extend(count);
        statements.push(page);
    }
    let mut find = Sql::new("SELECT state FROM tombstones WHERE object_kind IN ");
    find.bind_list(kinds_of(Family::Groups).iter().copied())
        .push(" AND object_id = ")
        .bind(1i64);
    statements.push(find);
    // The sweep, as it runs: nothing or little is older than the retention.
    statements.push(expired(
        now().saturating_sub(time::Duration::days(30)),
        1000,
    ));
    let mut out = Vec::new();
    for sql in statements {
        let statement = sql.text.to_string();
        let plan = db.explain(sql).await?;
        out.push(PlanStep { statement, plan });
    }
    Ok(out)
}
