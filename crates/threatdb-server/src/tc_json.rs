//! tc-json, one owner's groups and indicators as a ThreatConnect Batch file
//! (`{"group":[…],"indicator":[…]}`, `threatdb_wire::batch_export`), produced piece by piece
//! in the order objects last changed: the groups in one walk, the indicators in a second, a page
//! of the store at a time, so memory does not grow with the owner. `threatdb export --format
//! tc-json` writes the pieces to a file; `GET /api/v2/batch/tc-json` streams them.

use std::collections::BTreeMap;
use std::sync::Arc;
use threatdb_core::{
    Actor, ChangeKey, ChangeQuery, Changed, ItemKind, Owner, Store, StoreError, Timestamp,
};
use threatdb_wire::batch_export::{self, Part};

/// Objects read from the store per page.
const PAGE: u64 = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Start,
    Walk(Part),
    Done,
}

/// A tc-json file being made; [`TcJson::next`] gives its pieces in order.
pub struct TcJson {
    store: Arc<dyn Store>,
    actor: Arc<Actor>,
    owner: Owner,
    since: Option<ChangeKey>,
    after: Option<ChangeKey>,
    stage: Stage,
    /// Groups written so far.
    pub groups: u64,
    /// Indicators written so far.
    pub indicators: u64,
    /// What the format has no place for (victims, tasks), by type.
    pub left_out: BTreeMap<&'static str, u64>,
}

impl TcJson {
    /// The file of `owner` as `actor` reads it; only what changed at or after `since`.
    pub fn new(
        store: Arc<dyn Store>,
        actor: Arc<Actor>,
        owner: Owner,
        since: Option<Timestamp>,
    ) -> Result<TcJson, StoreError> {
        let since = since.map(ChangeKey::before).transpose()?;
        Ok(TcJson {
            store,
            actor,
            owner,
            since,
            after: since,
            stage: Stage::Start,
            groups: 0,
            indicators: 0,
            left_out: BTreeMap::new(),
        })
    }

    /// The next piece of the file (perhaps empty), or `None` after its end.
    pub async fn next(&mut self) -> Result<Option<Vec<u8>>, StoreError> {
        let part = match self.stage {
            Stage::Start => {
                self.stage = Stage::Walk(Part::Group);
                return Ok(Some(b"{\"group\":[".to_vec()));
            }
            Stage::Walk(part) => part,
            Stage::Done => return Ok(None),
        };
        let groups = part == Part::Group;
        let query = ChangeQuery {
            owner: self.owner.clone(),
            after: self.after,
            incidents: groups,
            items: if groups {
                ItemKind::ALL.to_vec()
            } else {
                Vec::new()
            },
            indicators: !groups,
            limit: PAGE,
            stix_keys: None,
        };
        let page = self.store.changes(&self.actor, &query).await?;
        let Some(last) = page.last() else {
            self.after = self.since;
            if groups {
                self.stage = Stage::Walk(Part::Indicator);
                return Ok(Some(b"\n],\"indicator\":[".to_vec()));
            }
            self.stage = Stage::Done;
            return Ok(Some(b"\n]}\n".to_vec()));
        };
        self.after = Some(last.key());
        let mut out = Vec::with_capacity(page.len().saturating_mul(256));
        for change in &page {
            let Some((_, item)) = batch_export::item(change) else {
                if let Changed::Item(d) = &change.object {
                    let n = self.left_out.entry(d.item.kind.type_name()).or_default();
                    *n = n.saturating_add(1);
                }
                continue;
            };
            // Items written so far in this array.
            let n = if groups {
                &mut self.groups
            } else {
                &mut self.indicators
            };
            out.extend_from_slice(if *n == 0 { b"\n" } else { b",\n" });
            serde_json::to_writer(&mut out, &item).map_err(StoreError::backend)?;
            *n = n.saturating_add(1);
        }
        Ok(Some(out))
    }
}
