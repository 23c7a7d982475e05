//! [`BulkLinks`] for SQLite: indicators and their incident links in one write.

use crate::{SqliteStore, backend, now};
use async_trait::async_trait;
use rusqlite::params;
use std::collections::HashMap;
use threatdb_core::{BulkLinks, IndicatorKind, StoreResult};

#[async_trait]
impl BulkLinks for SqliteStore {
    async fn bulk_indicator_links(
        &self,
        owner_id: i64,
        kind: IndicatorKind,
        links: Vec<(String, i64)>,
    ) -> StoreResult<u64> {
        self.write_sync(move |conn| {
            let t = now();
            let owner: String = conn
                .query_row("SELECT name FROM owners WHERE id = ?1", [owner_id], |r| r.get(0))
                .map_err(backend)?;
            let mut add = conn
                .prepare_cached(
                    "INSERT OR IGNORE INTO indicators (owner_id, kind, value, date_added, last_modified, created_by, stix_key) \
                     VALUES (?1, ?2, ?3, ?4, ?4, 'bulk', ?5)",
                )
                .map_err(backend)?;
            let mut find = conn
                .prepare_cached(
                    "SELECT id FROM indicators WHERE owner_id = ?1 AND kind = ?2 AND value = ?3",
                )
                .map_err(backend)?;
            let mut link = conn
                .prepare_cached(
                    "INSERT OR IGNORE INTO incident_indicators (incident_id, indicator_id) VALUES (?1, ?2)",
                )
                .map_err(backend)?;
            // Each distinct value is created and looked up once per batch.
            let mut ids: HashMap<&str, i64> = HashMap::new();
            for (value, incident) in &links {
                let id = match ids.get(value.as_str()) {
                    Some(id) => *id,
                    None => {
                        let key = threatdb_core::stix_id::indicator_key(&owner, kind, value, None);
                        add.execute(params![owner_id, kind.url_name(), value, t, key])
                            .map_err(backend)?;
                        let id: i64 = find
                            .query_row(params![owner_id, kind.url_name(), value], |r| r.get(0))
                            .map_err(backend)?;
                        ids.insert(value.as_str(), id);
                        id
                    }
                };
                link.execute(params![incident, id]).map_err(backend)?;
            }
            Ok(links.len() as u64)
        })
        .await
    }
}
