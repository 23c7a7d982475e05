//! An incident's associations, listed: one query yields `(what, id)` rows in list order
//! (0 = incident, 1 = item, 2 = indicator), restricted to owners the actor can read.

use crate::associations::{INDICATOR_COLUMNS, indicator_row, load_item};
use crate::backend;
use crate::incidents::{self, authorize_incident};
use sqlx::{PgConnection, Postgres, QueryBuilder};
use threatdb_core::policy::Access;
use threatdb_core::{Actor, GroupFilter, ItemKind, LinkSet, Linked, Page, Paging, StoreResult};

fn push_items(
    qb: &mut QueryBuilder<'_, Postgres>,
    incident: i64,
    owners: &[i64],
    kinds: &[ItemKind],
) {
    qb.push("SELECT 1 AS w, it.id AS id FROM incident_items x JOIN items it ON it.id = x.item_id WHERE x.incident_id = ")
        .push_bind(incident)
        .push(" AND it.owner_id = ANY(")
        .push_bind(owners.to_vec())
        .push(") AND it.kind = ANY(")
        .push_bind(kinds.iter().map(|k| k.url_name().to_string()).collect::<Vec<_>>())
        .push(")");
}

fn push_links(qb: &mut QueryBuilder<'_, Postgres>, incident: i64, owners: &[i64]) {
    qb.push("SELECT 0 AS w, i.id AS id FROM incident_links x JOIN incidents i ON i.id = x.other_id WHERE x.incident_id = ")
        .push_bind(incident)
        .push(" AND i.owner_id = ANY(")
        .push_bind(owners.to_vec())
        .push(")");
}

fn push_set(qb: &mut QueryBuilder<'_, Postgres>, incident: i64, owners: &[i64], set: LinkSet) {
    let groups: Vec<ItemKind> = ItemKind::ALL.into_iter().filter(|k| k.is_group()).collect();
    qb.push("(");
    match set {
        LinkSet::Groups(None) => {
            push_links(qb, incident, owners);
            qb.push(" UNION ALL ");
            push_items(qb, incident, owners, &groups);
        }
        LinkSet::Groups(Some(GroupFilter::Incidents)) => push_links(qb, incident, owners),
        LinkSet::Groups(Some(GroupFilter::Items(kind))) => {
            push_items(qb, incident, owners, &[kind])
        }
        LinkSet::Victims => push_items(qb, incident, owners, &[ItemKind::Victim]),
        LinkSet::Tasks => push_items(qb, incident, owners, &[ItemKind::Task]),
        LinkSet::Indicators(kind) => {
            qb.push("SELECT 2 AS w, d.id AS id FROM incident_indicators x JOIN indicators d ON d.id = x.indicator_id WHERE x.incident_id = ")
                .push_bind(incident)
                .push(" AND d.owner_id = ANY(")
                .push_bind(owners.to_vec())
                .push(")");
            if let Some(kind) = kind {
                qb.push(" AND d.kind = ").push_bind(kind.url_name());
            }
        }
    }
    qb.push(") AS linked");
}

pub async fn associations(
    conn: &mut PgConnection,
    actor: &Actor,
    incident: i64,
    set: LinkSet,
    paging: Paging,
) -> StoreResult<Page<Linked>> {
    authorize_incident(conn, actor, incident, Access::Read).await?;
    let owners: Vec<i64> = actor.memberships.iter().map(|m| m.owner.id).collect();
    let total = if paging.start == 0 {
        let mut qb = QueryBuilder::new("SELECT count(*) FROM ");
        push_set(&mut qb, incident, &owners, set);
        let n: i64 = qb
            .build_query_scalar()
            .fetch_one(&mut *conn)
            .await
            .map_err(backend)?;
        Some(n as u64)
    } else {
        None
    };
    let mut qb = QueryBuilder::new("SELECT w, id FROM ");
    push_set(&mut qb, incident, &owners, set);
    qb.push(" ORDER BY w, id LIMIT ")
        .push_bind(paging.limit as i64)
        .push(" OFFSET ")
        .push_bind(paging.start as i64);
    let rows: Vec<(i32, i64)> = qb
        .build_query_as()
        .fetch_all(&mut *conn)
        .await
        .map_err(backend)?;
    let mut out = Vec::with_capacity(rows.len());
    for (what, id) in rows {
        out.push(match what {
            0 => Linked::Incident(incidents::load(conn, id).await?),
            1 => Linked::Item(load_item(conn, id).await?),
            _ => {
                let sql = format!(
                    "SELECT {INDICATOR_COLUMNS} FROM indicators d JOIN owners o ON o.id = d.owner_id WHERE d.id = $1"
                );
                let row = sqlx::query(&sql)
                    .bind(id)
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(backend)?;
                Linked::Indicator(indicator_row(&row)?)
            }
        });
    }
    Ok(Page { total, items: out })
}
