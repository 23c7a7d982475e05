//! [`BulkLinks`] for PostgreSQL: indicators and their incident links in one transaction, two
//! statements over arrays.

use crate::{PgStore, backend, now};
use async_trait::async_trait;
use threatdb_core::{BulkLinks, IndicatorKind, StoreResult};

#[async_trait]
impl BulkLinks for PgStore {
    async fn bulk_indicator_links(
        &self,
        owner_id: i64,
        kind: IndicatorKind,
        links: Vec<(String, i64)>,
    ) -> StoreResult<u64> {
        let (values, incidents): (Vec<String>, Vec<i64>) = links.into_iter().unzip();
        let mut tx = self.pool().begin().await.map_err(backend)?;
        let owner: String = sqlx::query_scalar("SELECT name FROM owners WHERE id = $1")
            .bind(owner_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
        let keys: Vec<Option<i64>> = values
            .iter()
            .map(|v| threatdb_core::stix_id::indicator_key(&owner, kind, v, None))
            .collect();
        sqlx::query(
            "INSERT INTO indicators (owner_id, kind, value, date_added, last_modified, created_by, stix_key) \
             SELECT $1, $2, v, $4, $4, 'bulk', k FROM UNNEST($3::text[], $5::bigint[]) AS t(v, k) \
             ON CONFLICT DO NOTHING",
        )
        .bind(owner_id)
        .bind(kind.url_name())
        .bind(&values)
        .bind(now())
        .bind(&keys)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        sqlx::query(
            "INSERT INTO incident_indicators (incident_id, indicator_id) \
             SELECT l.inc, d.id FROM UNNEST($3::text[], $4::bigint[]) AS l(v, inc) \
             JOIN indicators d ON d.owner_id = $1 AND d.kind = $2 AND d.value = l.v \
             ON CONFLICT DO NOTHING",
        )
        .bind(owner_id)
        .bind(kind.url_name())
        .bind(&values)
        .bind(&incidents)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(values.len() as u64)
    }

    async fn links_done(&self) -> StoreResult<()> {
        // Planner statistics and the visibility map (index-only scans of the links).
        sqlx::query("VACUUM (ANALYZE) indicators, incident_indicators")
            .execute(self.pool())
            .await
            .map_err(backend)?;
        Ok(())
    }
}
