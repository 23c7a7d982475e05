//! An incident's association getters (tc-v2-wire.md §7.4): immediate, paginated `GET`s of its
//! groups, indicators and victims, with `owner=` as the Python SDK sends it.

use super::{BASE, Incident};
use crate::error::Result;
use crate::read;
use crate::request::{ApiRequest, Method};
use serde::de::DeserializeOwned;
use threatdb_wire::assoc::{IndicatorDto, ItemDto};

impl Incident {
    /// Every page of `GET {BASE}/{id}/{what}?owner=…` under `key`.
    async fn all_pages<T: DeserializeOwned>(&self, what: &str, key: &str) -> Result<Vec<T>> {
        let id = self.existing_id(&format!("load {what}"))?;
        let limit = u64::from(self.tc.inner.result_limit);
        let mut items = Vec::new();
        let mut expected: Option<u64> = None;
        loop {
            let start = items.len() as u64;
            let req = self.with_owner(
                ApiRequest::new(Method::Get, format!("{BASE}/{id}/{what}"))
                    .param("resultLimit", limit.to_string())
                    .param("resultStart", start.to_string()),
            );
            let body = self.tc.inner.call(req).await?;
            let page = read::list::<T>(&body, key)?;
            expected = expected.or(page.result_count);
            let short = (page.items.len() as u64) < limit;
            items.extend(page.items);
            if short || expected.is_some_and(|n| items.len() as u64 >= n) {
                return Ok(items);
            }
        }
    }

    /// The groups associated with the incident (`GET .../groups`, key `group`), each with its
    /// `type` (`Adversary`, `Incident`, ...).
    pub async fn group_associations(&self) -> Result<Vec<ItemDto>> {
        self.all_pages("groups", "group").await
    }

    /// The indicators associated with the incident (`GET .../indicators`, key `indicator`).
    pub async fn indicator_associations(&self) -> Result<Vec<IndicatorDto>> {
        self.all_pages("indicators", "indicator").await
    }

    /// The victims associated with the incident (`GET .../victims`, key `victim`).
    pub async fn victim_associations(&self) -> Result<Vec<ItemDto>> {
        self.all_pages("victims", "victim").await
    }
}
