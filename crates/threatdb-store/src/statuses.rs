//! TAXII status resources: what a POST of objects did, kept for the user who posted them at
//! least 24 hours (each save deletes those older than 48).

use crate::db::{Db, Sql};
use crate::now;
use threatdb_core::{StoreResult, shift};

/// Saves a status; deletes statuses older than two days.
pub async fn save<D: Db>(
    db: &mut D,
    poster: &str,
    owner: i64,
    id: &str,
    body: &str,
) -> StoreResult<()> {
    let t = now();
    let old = shift(t, time::Duration::days(-2), "status age")?;
    db.execute(Sql::with(
        "DELETE FROM taxii_statuses WHERE date_added < ?",
        vec![old.into()],
    ))
    .await?;
    db.execute(Sql::with(
        "INSERT INTO taxii_statuses (id, poster, owner_id, date_added, body) VALUES (?, ?, ?, ?, ?)",
        vec![id.into(), poster.into(), owner.into(), t.into(), body.into()],
    ))
    .await?;
    Ok(())
}

/// A status, when `poster` posted it.
pub async fn get<D: Db>(db: &mut D, poster: &str, id: &str) -> StoreResult<Option<String>> {
    db.fetch_optional(
        Sql::with(
            "SELECT body FROM taxii_statuses WHERE id = ? AND poster = ?",
            vec![id.into(), poster.into()],
        ),
        |r| r.text(0),
    )
    .await
}
