//! An incident's associations with groups, indicators and victims: queued associate and
//! disassociate calls (sent by `commit()`), and the getters (tc-v2-wire.md §7.4), immediate,
//! paginated `GET`s with `owner=` as the Python SDK sends it.

use super::Incident;
use super::queue::{BASE, Step};
use crate::error::Result;
use crate::request::{ApiRequest, Method};
use crate::types::{GroupType, IndicatorType};
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

impl Incident {
    /// Queues `POST /v2/groups/incidents/{id}/groups/{type}/{group_id}`.
    pub fn associate_group(&mut self, group_type: GroupType, group_id: i64) -> &mut Self {
        self.queue.push(Step::Group(true, group_type, group_id));
        self
    }

    /// Queues `DELETE /v2/groups/incidents/{id}/groups/{type}/{group_id}`.
    pub fn disassociate_group(&mut self, group_type: GroupType, group_id: i64) -> &mut Self {
        self.queue.push(Step::Group(false, group_type, group_id));
        self
    }

    /// Queues `POST /v2/indicators/{type}/{indicator}/groups/incidents/{id}`.
    pub fn associate_indicator(
        &mut self,
        indicator_type: IndicatorType,
        indicator: &str,
    ) -> &mut Self {
        self.queue
            .push(Step::Indicator(true, indicator_type, indicator.to_string()));
        self
    }

    /// Queues `DELETE /v2/indicators/{type}/{indicator}/groups/incidents/{id}`.
    pub fn disassociate_indicator(
        &mut self,
        indicator_type: IndicatorType,
        indicator: &str,
    ) -> &mut Self {
        self.queue.push(Step::Indicator(
            false,
            indicator_type,
            indicator.to_string(),
        ));
        self
    }

    /// Queues `POST /v2/groups/incidents/{id}/victims/{victim_id}`.
    pub fn associate_victim(&mut self, victim_id: i64) -> &mut Self {
        self.queue.push(Step::Victim(true, victim_id));
        self
    }

    /// Queues `DELETE /v2/groups/incidents/{id}/victims/{victim_id}`.
    pub fn disassociate_victim(&mut self, victim_id: i64) -> &mut Self {
        self.queue.push(Step::Victim(false, victim_id));
        self
    }
}
