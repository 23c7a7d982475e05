//! An incident's association getters (tc-v2-wire.md §7.4): immediate, paginated `GET`s of its
//! groups, indicators and victims, with `owner=` as the Python SDK sends it.

use super::{BASE, Incident};
use crate::error::Result;
use crate::request::{ApiRequest, Method};
use serde::de::DeserializeOwned;
use threatdb_wire::assoc::{IndicatorDto, ItemDto};

impl Incident {
    /// Every page of `GET {BASE}/{id}/{what}?owner=…` under `key`.
    async fn all_pages<T: DeserializeOwned>(&self, what: &str, key: &str) -> Result<Vec<T>> {
        let id = self.existing_id(&format!("load {what}"))?;
        let req = self.with_owner(ApiRequest::new(Method::Get, format!("{BASE}/{id}/{what}")));
        self.transport.all_pages(req, key).await
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
