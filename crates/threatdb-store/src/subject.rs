//! A subject (incident, item, indicator) resolved to its row and the tables that hang off it.
//! Table and column names come only from the closed [`Kind`] enum, never from input.

use crate::db::{Db, Sql};
use crate::guard::{self, Granted};
use crate::{items, rows};
use threatdb_core::policy::Access;
use threatdb_core::{Actor, StoreError, StoreResult, Subject, Timestamp};

/// Which of the three kinds of subject a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An incident (`incidents`).
    Incident,
    /// An item (`items`).
    Item,
    /// An indicator (`indicators`).
    Indicator,
}

impl Kind {
    /// The subject's own table.
    pub fn table(self) -> &'static str {
        match self {
            Kind::Incident => "incidents",
            Kind::Item => "items",
            Kind::Indicator => "indicators",
        }
    }

    /// The column naming the subject in the tables hanging off it.
    pub fn column(self) -> &'static str {
        match self {
            Kind::Incident => "incident_id",
            Kind::Item => "item_id",
            Kind::Indicator => "indicator_id",
        }
    }

    /// Its tag links.
    pub fn tags(self) -> &'static str {
        match self {
            Kind::Incident => "incident_tags",
            Kind::Item => "item_tags",
            Kind::Indicator => "indicator_tags",
        }
    }

    /// Its security label links.
    pub fn labels(self) -> &'static str {
        match self {
            Kind::Incident => "incident_labels",
            Kind::Item => "item_labels",
            Kind::Indicator => "indicator_labels",
        }
    }

    /// Its attributes.
    pub fn attributes(self) -> &'static str {
        match self {
            Kind::Incident => "attributes",
            Kind::Item | Kind::Indicator => "item_attributes",
        }
    }

    /// The security label links of its attributes.
    pub fn attribute_labels(self) -> &'static str {
        match self {
            Kind::Incident => "attribute_labels",
            Kind::Item | Kind::Indicator => "item_attribute_labels",
        }
    }
}

/// A loaded subject: its kind, id and owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// Which kind.
    pub kind: Kind,
    /// Its id in its own table.
    pub id: i64,
    /// Its owner's id.
    pub owner: i64,
}

/// Loads the subject and grants `access` on it (NotFound when missing or hidden).
pub async fn resolve<D: Db>(
    db: &mut D,
    actor: &Actor,
    on: &Subject,
    access: Access,
) -> StoreResult<Granted<Row>> {
    match on {
        Subject::Incident(id) => incident(db, actor, *id, access).await,
        Subject::Item(kind, id) => {
            let found = rows::one(
                db,
                Sql::with(
                    "SELECT owner_id, kind FROM items WHERE id = ?",
                    vec![(*id).into()],
                ),
                |r| Ok((r.int(0)?, r.text(1)?)),
            )
            .await?;
            if found.1 != kind.url_name() {
                return Err(StoreError::NotFound);
            }
            let row = Row {
                kind: Kind::Item,
                id: *id,
                owner: found.0,
            };
            guard::grant(actor, row.owner, access, row)
        }
        Subject::Indicator(owner, value) => {
            let owner = guard::owner(actor, owner, access)?;
            let found = items::find_indicator(db, owner.get().id, value).await?;
            Ok(owner.map(|o| Row {
                kind: Kind::Indicator,
                id: found.id,
                owner: o.id,
            }))
        }
    }
}

/// Loads an incident's owner and grants `access` on the incident.
pub async fn incident<D: Db>(
    db: &mut D,
    actor: &Actor,
    id: i64,
    access: Access,
) -> StoreResult<Granted<Row>> {
    let owner = rows::int(
        db,
        Sql::with(
            "SELECT owner_id FROM incidents WHERE id = ?",
            vec![id.into()],
        ),
    )
    .await?
    .ok_or(StoreError::NotFound)?;
    let row = Row {
        kind: Kind::Incident,
        id,
        owner,
    };
    guard::grant(actor, owner, access, row)
}

/// Marks incidents changed at `now` because something they are linked with changed (an
/// association added or removed): the caller has checked the write that causes it. Several
/// hundred ids a statement, in the order given (callers give ascending ids, so transactions
/// take the rows' locks in one order).
pub async fn touch_incidents<D: Db>(db: &mut D, ids: &[i64], now: Timestamp) -> StoreResult<()> {
    for chunk in ids.chunks(400) {
        let mut sql = Sql::new("UPDATE incidents SET last_modified = ");
        sql.bind(now)
            .push(" WHERE id IN ")
            .bind_list(chunk.iter().copied());
        db.execute(sql).await?;
    }
    Ok(())
}

/// Marks the subject changed now.
pub async fn touch<D: Db>(db: &mut D, on: &Granted<Row>, now: Timestamp) -> StoreResult<()> {
    let row = guard::for_write(on)?;
    let sql = format!(
        "UPDATE {} SET last_modified = ? WHERE id = ?",
        row.kind.table()
    );
    let mut sql = Sql::new(sql);
    sql.params = vec![now.into(), row.id.into()];
    db.execute(sql).await?;
    Ok(())
}
