//! Associations of an incident with other incidents, items and indicators: add, remove, list.

use crate::db::{Db, Sql};
use crate::guard;
use crate::{incidents, items, now, rows, subject};
use threatdb_core::policy::Access;
use threatdb_core::{
    Actor, GroupFilter, ItemKind, LinkSet, Linked, Page, Paging, StoreError, StoreResult, Target,
};

/// The statements (insert, delete) and the two bound ids of one association, after checking
/// write access on the incident and read access on the target.
async fn link<D: Db>(
    db: &mut D,
    actor: &Actor,
    incident: i64,
    target: &Target,
) -> StoreResult<Link> {
    let granted = subject::incident(db, actor, incident, Access::Write).await?;
    let owner = guard::for_write(&granted)?.owner;
    let (insert, delete, values) = match target {
        Target::Incident(other) => {
            if *other == incident {
                return Err(StoreError::Invalid(
                    "an incident cannot be associated with itself".into(),
                ));
            }
            subject::incident(db, actor, *other, Access::Read).await?;
            (
                "INSERT INTO incident_links (incident_id, other_id) VALUES (?, ?), (?, ?) ON CONFLICT DO NOTHING",
                "DELETE FROM incident_links WHERE (incident_id = ? AND other_id = ?) OR (incident_id = ? AND other_id = ?)",
                // Both rows in one order whichever end asks, so two concurrent links of the
                // same pair never wait on each other crosswise.
                {
                    let (a, b) = (incident.min(*other), incident.max(*other));
                    vec![a, b, b, a]
                },
            )
        }
        Target::Item(kind, id) => {
            items::get_item(db, actor, *kind, *id).await?;
            (
                "INSERT INTO incident_items (incident_id, item_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                "DELETE FROM incident_items WHERE incident_id = ? AND item_id = ?",
                vec![incident, *id],
            )
        }
        Target::Indicator(value) => {
            let found = items::find_indicator(db, owner, value).await?;
            (
                "INSERT INTO incident_indicators (incident_id, indicator_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                "DELETE FROM incident_indicators WHERE incident_id = ? AND indicator_id = ?",
                vec![incident, found.id],
            )
        }
    };
    Ok(Link {
        incident: granted,
        insert,
        delete,
        values,
    })
}

/// One association's statements, its bound ids, and the incident it changes.
struct Link {
    incident: guard::Granted<subject::Row>,
    insert: &'static str,
    delete: &'static str,
    values: Vec<i64>,
}

fn ids(text: &'static str, values: &[i64]) -> Sql<'static> {
    Sql::with(text, values.iter().map(|v| (*v).into()).collect())
}

/// Associates the incident with `target` (idempotent).
pub async fn associate<D: Db>(
    db: &mut D,
    actor: &Actor,
    incident: i64,
    target: &Target,
) -> StoreResult<()> {
    associate_new(db, actor, incident, target).await.map(|_| ())
}

/// Associates the incident with `target` (idempotent) without marking either end changed (an
/// import keeps the dates its objects carry); whether the association is new. The checks come
/// before the one write.
pub async fn associate_keeping_dates<D: Db>(
    db: &mut D,
    actor: &Actor,
    incident: i64,
    target: &Target,
) -> StoreResult<bool> {
    insert(db, actor, incident, target)
        .await
        .map(|(_, new)| new)
}

/// Associates the incident with `target` (idempotent); whether the association is new.
async fn associate_new<D: Db>(
    db: &mut D,
    actor: &Actor,
    incident: i64,
    target: &Target,
) -> StoreResult<bool> {
    let (link, new) = insert(db, actor, incident, target).await?;
    // A new association changes the incident (a TAXII poller then gets its relationships);
    // one that was already there changes nothing.
    if new {
        changed(db, &link, target).await?;
        let change = crate::history::change("association", None, Some(&target.described()));
        crate::history::record(db, actor, link.incident.get(), vec![change]).await?;
    }
    Ok(new)
}

/// The association's checks, then its insert: the link and whether it is new.
async fn insert<D: Db>(
    db: &mut D,
    actor: &Actor,
    incident: i64,
    target: &Target,
) -> StoreResult<(Link, bool)> {
    let link = link(db, actor, incident, target).await?;
    let new = db.execute(ids(link.insert, &link.values)).await? > 0;
    Ok((link, new))
}

/// Marks the incident changed now, and for a link between incidents the other one too (its
/// associations changed as well, and STIX sends the pair's relationship with one of them).
async fn changed<D: Db>(db: &mut D, link: &Link, target: &Target) -> StoreResult<()> {
    let t = now();
    let Target::Incident(other) = target else {
        return subject::touch(db, &link.incident, t).await;
    };
    // Both ends in one statement, lower id first whichever end asks: two transactions that
    // link overlapping pairs take the rows' locks in one order and never wait in a circle.
    // (`link` checked write access on this end and read access on the other.)
    let mine = link.incident.get().id;
    subject::touch_incidents(db, &[mine.min(*other), mine.max(*other)], t).await
}

/// Removes an association (NotFound when absent).
pub async fn disassociate<D: Db>(
    db: &mut D,
    actor: &Actor,
    incident: i64,
    target: &Target,
) -> StoreResult<()> {
    let link = link(db, actor, incident, target).await?;
    if db.execute(ids(link.delete, &link.values)).await? == 0 {
        return Err(StoreError::NotFound);
    }
    changed(db, &link, target).await?;
    let change = crate::history::change("association", Some(&target.described()), None);
    crate::history::record(db, actor, link.incident.get(), vec![change]).await
}

fn push_items(sql: &mut Sql<'_>, incident: i64, owners: &[i64], kinds: &[ItemKind]) {
    sql.push("SELECT 1 AS w, it.id AS id FROM incident_items x JOIN items it ON it.id = x.item_id WHERE x.incident_id = ")
        .bind(incident)
        .push(" AND it.owner_id IN ")
        .bind_list(owners.iter().copied())
        .push(" AND it.kind IN ")
        .bind_list(kinds.iter().map(|k| k.url_name()));
}

fn push_links(sql: &mut Sql<'_>, incident: i64, owners: &[i64]) {
    sql.push("SELECT 0 AS w, i.id AS id FROM incident_links x JOIN incidents i ON i.id = x.other_id WHERE x.incident_id = ")
        .bind(incident)
        .push(" AND i.owner_id IN ")
        .bind_list(owners.iter().copied());
}

/// `(SELECT w, id ...) AS linked`: one row per association of the set, `w` telling what it is
/// (0 = incident, 1 = item, 2 = indicator), only in owners the actor reads.
fn push_set(sql: &mut Sql<'_>, incident: i64, owners: &[i64], set: LinkSet) {
    let groups: Vec<ItemKind> = ItemKind::ALL.into_iter().filter(|k| k.is_group()).collect();
    sql.push("(");
    match set {
        LinkSet::Groups(None) => {
            push_links(sql, incident, owners);
            sql.push(" UNION ALL ");
            push_items(sql, incident, owners, &groups);
        }
        LinkSet::Groups(Some(GroupFilter::Incidents)) => push_links(sql, incident, owners),
        LinkSet::Groups(Some(GroupFilter::Items(kind))) => {
            push_items(sql, incident, owners, &[kind])
        }
        LinkSet::Victims => push_items(sql, incident, owners, &[ItemKind::Victim]),
        LinkSet::Tasks => push_items(sql, incident, owners, &[ItemKind::Task]),
        LinkSet::Indicators(kind) => {
            sql.push("SELECT 2 AS w, d.id AS id FROM incident_indicators x JOIN indicators d ON d.id = x.indicator_id WHERE x.incident_id = ")
                .bind(incident)
                .push(" AND d.owner_id IN ")
                .bind_list(owners.iter().copied());
            if let Some(kind) = kind {
                sql.push(" AND d.kind = ").bind(kind.url_name());
            }
        }
    }
    sql.push(") AS linked");
}

/// The incident's associations of one set, in list order, only those the actor can read.
pub async fn list<D: Db>(
    db: &mut D,
    actor: &Actor,
    incident: i64,
    set: LinkSet,
    paging: Paging,
) -> StoreResult<Page<Linked>> {
    subject::incident(db, actor, incident, Access::Read).await?;
    let owners: Vec<i64> = actor.memberships.iter().map(|m| m.owner.id).collect();
    let total = if paging.start == 0 {
        let mut sql = Sql::new("SELECT count(*) FROM ");
        push_set(&mut sql, incident, &owners, set);
        Some(rows::count(db, sql).await?)
    } else {
        None
    };
    let mut sql = Sql::new("SELECT w, id FROM ");
    push_set(&mut sql, incident, &owners, set);
    sql.push(" ORDER BY w, id LIMIT ")
        .bind(rows::int_of(paging.limit))
        .push(" OFFSET ")
        .bind(rows::int_of(paging.start));
    let found = db.fetch(sql, |r| Ok((r.int(0)?, r.int(1)?))).await?;
    let mut out = Vec::with_capacity(found.len());
    for (what, id) in found {
        out.push(match what {
            0 => Linked::Incident(incidents::load(db, id).await?),
            1 => Linked::Item(items::load_item(db, id).await?),
            _ => Linked::Indicator(items::load_indicator(db, id).await?),
        });
    }
    Ok(Page { total, items: out })
}
