//! An owner's objects in the order they last changed ([`threatdb_core::ChangeQuery`]): one
//! keyset statement per table, `(last_modified, id) > (?, ?)` on an (owner_id, last_modified,
//! id) index, merged in (last change, table, id) order, then what hangs off the page loaded
//! at once per table (attributes, tags, labels, the attributes' labels).

use crate::db::{Db, Sql};
use crate::metadata::Metadata;
use crate::subject::Kind;
use crate::{guard, rows};
use std::collections::HashMap;
use threatdb_core::policy::Access;
use threatdb_core::{
    Actor, Change, ChangeKey, ChangeQuery, Changed, ChangedKind, IncidentDetails, Include,
    IndicatorDetails, ItemDetails, ItemKind, Linked, SecurityLabel, StoreResult, Timestamp,
};

/// Everything an exported object carries.
const EVERYTHING: Include = Include {
    additional: true,
    attributes: true,
    tags: true,
    labels: true,
};

/// The `(time, id)` a table's rows must follow for the merged order to continue strictly after
/// `after`: rows of an earlier table at the same time are already behind it, rows of a later
/// one are all ahead.
fn bound(after: Option<ChangeKey>, kind: ChangedKind) -> Option<(Timestamp, i64)> {
    let after = after?;
    let id = match kind.cmp(&after.kind) {
        std::cmp::Ordering::Less => i64::MAX,
        std::cmp::Ordering::Equal => after.id,
        std::cmp::Ordering::Greater => i64::MIN,
    };
    Some((after.modified, id))
}

/// `SELECT columns FROM table alias JOIN owners o ... WHERE owner ... ORDER BY the change
/// order LIMIT n`, after `bound`.
pub fn statement<'a>(kind: ChangedKind, owner: i64, q: &'a ChangeQuery) -> Sql<'a> {
    let (columns, table, alias) = match kind {
        ChangedKind::Incident => (rows::INCIDENT_COLUMNS, "incidents", "i"),
        ChangedKind::Item => (rows::ITEM_COLUMNS, "items", "it"),
        ChangedKind::Indicator => (rows::INDICATOR_COLUMNS, "indicators", "d"),
    };
    let mut sql = Sql::new(format!(
        "SELECT {columns} FROM {table} {alias} JOIN owners o ON o.id = {alias}.owner_id \
         WHERE {alias}.owner_id = "
    ));
    sql.bind(owner);
    if kind == ChangedKind::Item {
        sql.push(" AND it.kind IN ")
            .bind_list(q.items.iter().map(|k| k.url_name()));
    }
    if let Some(keys) = &q.stix_keys {
        sql.push(&format!(" AND {alias}.stix_key IN "))
            .bind_list(keys.iter().copied());
    }
    // Looked up by keys, the position is applied to the few rows found (see `changes`).
    if let Some((modified, id)) = bound(q.after, kind).filter(|_| q.stix_keys.is_none()) {
        sql.push(&format!(" AND ({alias}.last_modified, {alias}.id) > ("))
            .bind(modified)
            .push(", ")
            .bind(id)
            .push(")");
    }
    // Looked up by keys, the rows found are few (at most the keys, and rarely one more): they
    // are placed after the position, ordered and cut to the page after the merge, so the
    // planner has no reason to walk the change order instead of the key index.
    if q.stix_keys.is_none() {
        sql.push(&format!(
            " ORDER BY {alias}.last_modified, {alias}.id LIMIT "
        ))
        .bind(rows::int_of(q.limit));
    }
    sql
}

/// The kinds a query reads.
fn kinds(q: &ChangeQuery) -> Vec<ChangedKind> {
    let mut out = Vec::new();
    if q.incidents {
        out.push(ChangedKind::Incident);
    }
    if !q.items.is_empty() {
        out.push(ChangedKind::Item);
    }
    if q.indicators {
        out.push(ChangedKind::Indicator);
    }
    out
}

/// A page of the owner's objects in change order.
pub async fn changes<D: Db>(
    db: &mut D,
    actor: &Actor,
    q: &ChangeQuery,
) -> StoreResult<Vec<Change>> {
    q.check()?;
    let owner = guard::owner(actor, &q.owner, Access::Read)?.get().id;
    let mut page: Vec<Changed> = Vec::new();
    for kind in kinds(q) {
        let sql = statement(kind, owner, q);
        match kind {
            ChangedKind::Incident => page.extend(
                db.fetch(sql, rows::incident)
                    .await?
                    .into_iter()
                    .map(|i| Changed::Incident(IncidentDetails::from(i))),
            ),
            ChangedKind::Item => {
                page.extend(db.fetch(sql, rows::item).await?.into_iter().map(|item| {
                    Changed::Item(ItemDetails {
                        item,
                        attributes: None,
                        tags: None,
                        labels: None,
                    })
                }))
            }
            ChangedKind::Indicator => page.extend(
                db.fetch(sql, rows::indicator)
                    .await?
                    .into_iter()
                    .map(|i| Changed::Indicator(IndicatorDetails::from(i))),
            ),
        }
    }
    let mut page: Vec<Change> = page
        .into_iter()
        .map(|object| Change {
            object,
            attribute_labels: Vec::new(),
            links: Vec::new(),
        })
        .collect();
    if q.stix_keys.is_some()
        && let Some(after) = q.after
    {
        page.retain(|c| c.key() > after);
    }
    page.sort_by_key(Change::key);
    page.truncate(usize::try_from(q.limit).unwrap_or(usize::MAX));
    load(db, &mut page).await?;
    let owners: Vec<i64> = actor.memberships.iter().map(|m| m.owner.id).collect();
    load_links(db, &mut page, &owners).await?;
    load_report_refs(db, &mut page, owner).await?;
    Ok(page)
}

fn is_report(change: &Change) -> bool {
    matches!(&change.object, Changed::Item(d) if d.item.kind == ItemKind::Report)
}

fn is_incident(change: &Change) -> bool {
    matches!(change.object, Changed::Incident(_))
}

/// The ids of the page's changes that `which` admits.
fn ids_of(page: &[Change], which: fn(&Change) -> bool) -> Vec<i64> {
    page.iter()
        .filter(|c| which(c))
        .map(|c| c.key().id)
        .collect()
}

/// Gives each change `which` admits its links from `found` (none when it has none).
fn attach(page: &mut [Change], mut found: HashMap<i64, Vec<Linked>>, which: fn(&Change) -> bool) {
    for change in page.iter_mut().filter(|c| which(c)) {
        change.links = found.remove(&change.key().id).unwrap_or_default();
    }
}

/// The incidents each report of the page refers to (those of `owner` associated with it), as
/// the report's links: one statement, from the reports' ids on `incident_items_item`.
async fn load_report_refs<D: Db>(db: &mut D, page: &mut [Change], owner: i64) -> StoreResult<()> {
    let ids = ids_of(page, is_report);
    if ids.is_empty() {
        return Ok(());
    }
    let mut found: HashMap<i64, Vec<Linked>> = HashMap::new();
    for (at, incident) in db
        .fetch(report_refs_statement(&ids, owner), |r| {
            Ok((r.int(0)?, rows::incident_at(r, 1)?))
        })
        .await?
    {
        found
            .entry(at)
            .or_default()
            .push(Linked::Incident(incident));
    }
    attach(page, found, is_report);
    Ok(())
}

/// The statement of [`load_report_refs`].
fn report_refs_statement(ids: &[i64], owner: i64) -> Sql<'static> {
    let mut sql = Sql::new(format!(
        "SELECT x.item_id, {} FROM incident_items x JOIN incidents i ON i.id = x.incident_id \
         JOIN owners o ON o.id = i.owner_id WHERE x.item_id IN ",
        rows::INCIDENT_COLUMNS
    ));
    // `+`: the owner filters incidents found by key, never a way in.
    sql.bind_list(ids.iter().copied())
        .push(" AND +i.owner_id = ")
        .bind(owner)
        .push(" ORDER BY x.item_id, i.id");
    sql
}

/// The associations of the page's incidents with what `owners` hold: three statements (other
/// incidents, items, indicators), each keyed by the link table's (incident_id, ...) primary key.
async fn load_links<D: Db>(db: &mut D, page: &mut [Change], owners: &[i64]) -> StoreResult<()> {
    let ids = ids_of(page, is_incident);
    if ids.is_empty() || owners.is_empty() {
        return Ok(());
    }
    let mut found: HashMap<i64, Vec<Linked>> = HashMap::new();
    let [others, items, indicators] = link_statements(&ids, owners);
    for (at, other) in db
        .fetch(others, |r| Ok((r.int(0)?, rows::incident_at(r, 1)?)))
        .await?
    {
        found.entry(at).or_default().push(Linked::Incident(other));
    }
    for (at, item) in db
        .fetch(items, |r| Ok((r.int(0)?, rows::item_at(r, 1)?)))
        .await?
    {
        found.entry(at).or_default().push(Linked::Item(item));
    }
    for (at, indicator) in db
        .fetch(indicators, |r| Ok((r.int(0)?, rows::indicator_at(r, 1)?)))
        .await?
    {
        found
            .entry(at)
            .or_default()
            .push(Linked::Indicator(indicator));
    }
    attach(page, found, is_incident);
    Ok(())
}

/// The three statements that read the associations of the incidents `ids` with what `owners`
/// hold: other incidents, items, indicators, each keyed by its link table's
/// (incident_id, ...) primary key.
fn link_statements(ids: &[i64], owners: &[i64]) -> [Sql<'static>; 3] {
    let statement = |head: String, owner_column: &str, order: &str| {
        let mut sql = Sql::new(head);
        sql.bind_list(ids.iter().copied())
            // `+`: the owner is a filter on rows found by key, never a way in (SQLite would
            // otherwise walk the owner's incidents and probe the link table for each).
            .push(&format!(" AND +{owner_column} IN "))
            .bind_list(owners.iter().copied())
            .push(order);
        sql
    };
    [
        statement(
            format!(
                "SELECT x.incident_id, {} FROM incident_links x JOIN incidents i ON i.id = x.other_id \
                 JOIN owners o ON o.id = i.owner_id WHERE x.incident_id IN ",
                rows::INCIDENT_COLUMNS
            ),
            "i.owner_id",
            " ORDER BY x.incident_id, i.id",
        ),
        statement(
            format!(
                "SELECT x.incident_id, {} FROM incident_items x JOIN items it ON it.id = x.item_id \
                 JOIN owners o ON o.id = it.owner_id WHERE x.incident_id IN ",
                rows::ITEM_COLUMNS
            ),
            "it.owner_id",
            " ORDER BY x.incident_id, it.id",
        ),
        statement(
            format!(
                "SELECT x.incident_id, {} FROM incident_indicators x JOIN indicators d \
                 ON d.id = x.indicator_id JOIN owners o ON o.id = d.owner_id WHERE x.incident_id IN ",
                rows::INDICATOR_COLUMNS
            ),
            "d.owner_id",
            " ORDER BY x.incident_id, d.id",
        ),
    ]
}

/// The statements [`changes`] runs to choose a page and to read its incidents' associations,
/// and the database's plan for each.
pub async fn explain<D: Db>(
    db: &mut D,
    actor: &Actor,
    q: &ChangeQuery,
) -> StoreResult<Vec<threatdb_core::PlanStep>> {
    q.check()?;
    let owner = guard::owner(actor, &q.owner, Access::Read)?.get().id;
    let mut out = Vec::new();
    for kind in kinds(q) {
        let sql = statement(kind, owner, q);
        let statement = sql.text.to_string();
        let plan = db.explain(sql).await?;
        out.push(threatdb_core::PlanStep { statement, plan });
    }
    // What a page reads next (planned for three ids): its incidents' associations, its
    // reports' incidents.
    let mut next = Vec::new();
    if q.incidents {
        let owners: Vec<i64> = actor.memberships.iter().map(|m| m.owner.id).collect();
        next.extend(link_statements(&[1, 2, 3], &owners));
    }
    if q.items.contains(&ItemKind::Report) {
        next.push(report_refs_statement(&[1, 2, 3], owner));
    }
    for sql in next {
        let statement = sql.text.to_string();
        let plan = db.explain(sql).await?;
        out.push(threatdb_core::PlanStep { statement, plan });
    }
    Ok(out)
}

/// Fills in each object's attributes, tags, labels and attribute labels, a few statements per
/// table.
async fn load<D: Db>(db: &mut D, page: &mut [Change]) -> StoreResult<()> {
    for (kind, changed) in [
        (Kind::Incident, ChangedKind::Incident),
        (Kind::Item, ChangedKind::Item),
        (Kind::Indicator, ChangedKind::Indicator),
    ] {
        let ids: Vec<i64> = page
            .iter()
            .map(Change::key)
            .filter(|k| k.kind == changed)
            .map(|k| k.id)
            .collect();
        if ids.is_empty() {
            continue;
        }
        let mut loaded = Metadata::load(db, kind, &ids, EVERYTHING).await?;
        let mut attribute_ids = Vec::new();
        for change in page.iter_mut().filter(|c| c.key().kind == changed) {
            let id = change.key().id;
            let (attributes, tags, labels) = loaded.take(id);
            attribute_ids.extend(attributes.iter().flatten().map(|a| a.id));
            match &mut change.object {
                Changed::Incident(d) => {
                    (d.attributes, d.tags, d.labels) = (attributes, tags, labels)
                }
                Changed::Item(d) => (d.attributes, d.tags, d.labels) = (attributes, tags, labels),
                Changed::Indicator(d) => {
                    (d.attributes, d.tags, d.labels) = (attributes, tags, labels)
                }
            }
        }
        if attribute_ids.is_empty() {
            continue;
        }
        let mut sql = Sql::new(format!(
            "SELECT x.attribute_id, {} FROM {} x JOIN security_labels l ON l.id = x.label_id \
             WHERE x.attribute_id IN ",
            rows::LABEL_COLUMNS,
            kind.attribute_labels()
        ));
        sql.bind_list(attribute_ids.iter().copied())
            .push(" ORDER BY x.attribute_id, l.name_key");
        let mut by_attribute: HashMap<i64, Vec<SecurityLabel>> = HashMap::new();
        for (attribute, label) in db
            .fetch(sql, |r| Ok((r.int(0)?, rows::label(r, 1)?)))
            .await?
        {
            by_attribute.entry(attribute).or_default().push(label);
        }
        for change in page.iter_mut().filter(|c| c.key().kind == changed) {
            let attributes = match &change.object {
                Changed::Incident(d) => d.attributes.as_deref(),
                Changed::Item(d) => d.attributes.as_deref(),
                Changed::Indicator(d) => d.attributes.as_deref(),
            };
            let ids: Vec<i64> = attributes
                .unwrap_or_default()
                .iter()
                .map(|a| a.id)
                .collect();
            for id in ids {
                if let Some(labels) = by_attribute.remove(&id) {
                    change.attribute_labels.push((id, labels));
                }
            }
        }
    }
    Ok(())
}
