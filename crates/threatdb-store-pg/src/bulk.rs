//! The bulk path on PostgreSQL: one transaction per batch, multi-row inserts via UNNEST.

use crate::{PgStore, backend};
use async_trait::async_trait;
use threatdb_core::tag::tag_key;
use threatdb_core::{BulkLoad, SeedIncident, StoreError, StoreResult, label_key};

#[async_trait]
impl BulkLoad for PgStore {
    async fn bulk_tags(&self, owner_id: i64, names: Vec<String>) -> StoreResult<Vec<i64>> {
        let keys: Vec<String> = names.iter().map(|n| tag_key(n)).collect();
        let mut tx = self.pool().begin().await.map_err(backend)?;
        sqlx::query(
            "INSERT INTO tags (owner_id, name, name_key) SELECT $1, n, k FROM UNNEST($2::text[], $3::text[]) AS t(n, k) \
             ON CONFLICT (owner_id, name_key) DO NOTHING",
        )
        .bind(owner_id)
        .bind(&names)
        .bind(&keys)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        let found: Vec<(String, i64)> = sqlx::query_as(
            "SELECT name_key, id FROM tags WHERE owner_id = $1 AND name_key = ANY($2)",
        )
        .bind(owner_id)
        .bind(&keys)
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        let ids: std::collections::HashMap<String, i64> = found.into_iter().collect();
        keys.iter()
            .map(|k| ids.get(k).copied().ok_or(StoreError::NotFound))
            .collect()
    }

    async fn label_id(&self, name: &str) -> StoreResult<i64> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM security_labels WHERE owner_id IS NULL AND name_key = $1",
        )
        .bind(label_key(name))
        .fetch_optional(self.pool())
        .await
        .map_err(backend)?;
        id.ok_or_else(|| StoreError::Invalid(format!("Security label '{name}' does not exist")))
    }

    async fn bulk_incidents(&self, batch: Vec<SeedIncident>) -> StoreResult<u64> {
        let mut tx = self.pool().begin().await.map_err(backend)?;
        // Owner names, which the incidents' STIX ids derive from.
        let owners: std::collections::HashMap<i64, String> =
            sqlx::query_as("SELECT id, name FROM owners")
                .fetch_all(&mut *tx)
                .await
                .map_err(backend)?
                .into_iter()
                .collect();
        let xids: Vec<String> = batch
            .iter()
            .map(|_| uuid::Uuid::new_v4().simple().to_string())
            .collect();
        let keys: Vec<Option<i64>> = batch
            .iter()
            .zip(&xids)
            .map(|(s, xid)| {
                owners
                    .get(&s.owner_id)
                    .and_then(|owner| threatdb_core::stix_id::incident_key(owner, xid))
            })
            .collect();
        let ids: Vec<i64> = sqlx::query_scalar(
            "INSERT INTO incidents (owner_id, name, event_date, status, date_added, last_modified, created_by, xid, stix_key) \
             SELECT o, n, e, s, d, d, c, x, k \
             FROM UNNEST($1::bigint[], $2::text[], $3::timestamptz[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::bigint[]) \
             WITH ORDINALITY AS t(o, n, e, s, d, c, x, k, i) ORDER BY i RETURNING id",
        )
        .bind(batch.iter().map(|s| s.owner_id).collect::<Vec<_>>())
        .bind(batch.iter().map(|s| s.name.clone()).collect::<Vec<_>>())
        .bind(batch.iter().map(|s| s.event_date).collect::<Vec<_>>())
        .bind(batch.iter().map(|s| s.status.as_str().to_string()).collect::<Vec<_>>())
        .bind(batch.iter().map(|s| s.date_added).collect::<Vec<_>>())
        .bind(batch.iter().map(|s| s.created_by.clone()).collect::<Vec<_>>())
        .bind(&xids)
        .bind(&keys)
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
        let (mut a_inc, mut a_type, mut a_value, mut a_disp, mut a_date) =
            (vec![], vec![], vec![], vec![], vec![]);
        let (mut t_inc, mut t_tag, mut t_date) = (vec![], vec![], vec![]);
        let (mut l_inc, mut l_label, mut l_owner) = (vec![], vec![], vec![]);
        for (id, s) in ids.iter().zip(&batch) {
            for (kind, value) in &s.attributes {
                a_inc.push(*id);
                a_type.push(kind.name.to_string());
                a_value.push(value.clone());
                a_disp.push(kind.displayable);
                a_date.push(s.date_added);
            }
            for t in &s.tag_ids {
                t_inc.push(*id);
                t_tag.push(*t);
                t_date.push(s.event_date);
            }
            if let Some(l) = s.label_id {
                l_inc.push(*id);
                l_label.push(l);
                l_owner.push(s.owner_id);
            }
        }
        sqlx::query(
            "INSERT INTO attributes (incident_id, type, value, displayed, date_added, last_modified) \
             SELECT i, t, v, d, a, a FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::bool[], $5::timestamptz[]) AS x(i, t, v, d, a)",
        )
        .bind(a_inc)
        .bind(a_type)
        .bind(a_value)
        .bind(a_disp)
        .bind(a_date)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        sqlx::query(
            "INSERT INTO incident_tags (incident_id, tag_id, event_date) \
             SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::timestamptz[]) ON CONFLICT DO NOTHING",
        )
            .bind(t_inc)
            .bind(t_tag)
            .bind(t_date)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        sqlx::query("INSERT INTO incident_labels (incident_id, label_id, owner_id) SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::bigint[]) ON CONFLICT DO NOTHING")
            .bind(l_inc)
            .bind(l_label)
            .bind(l_owner)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(ids.len() as u64)
    }

    async fn bulk_done(&self) -> StoreResult<()> {
        // What autovacuum would get to eventually: planner statistics, and the visibility map
        // that lets counts be index-only scans.
        sqlx::query(
            "VACUUM (ANALYZE) incidents, incident_tags, incident_labels, attributes, tags, items, audit_log, history, tombstones, status_counts, tag_counts, label_counts",
        )
        .execute(self.pool())
        .await
        .map_err(backend)?;
        Ok(())
    }
}
