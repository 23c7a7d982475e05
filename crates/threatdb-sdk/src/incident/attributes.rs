//! An incident's attributes: queued adds, updates and deletes, and loading them now.

use super::Incident;
use super::queue::{BASE, Step};
use crate::error::Result;
use crate::read;
use crate::request::{ApiRequest, Method};
use threatdb_wire::dto::{AttributeBody, AttributeDto};

impl Incident {
    /// The attributes loaded by [`load_attributes`](Self::load_attributes) or retrieved with the
    /// incident, plus those added by a commit.
    pub fn attributes(&self) -> &[AttributeDto] {
        &self.attributes
    }

    /// Queues `POST .../attributes {"type","value","displayed":true}`.
    pub fn add_attribute(&mut self, kind: &str, value: &str) -> &mut Self {
        self.add_attribute_displayed(kind, value, true)
    }

    /// Queues `POST .../attributes` with `displayed` as given (whether the attribute is shown at
    /// the top of the incident's page; meaningful for Description and Source).
    pub fn add_attribute_displayed(
        &mut self,
        kind: &str,
        value: &str,
        displayed: bool,
    ) -> &mut Self {
        self.queue.push(Step::AddAttribute(AttributeBody {
            kind: Some(kind.to_string()),
            value: Some(value.to_string()),
            displayed: Some(displayed),
            source: None,
        }));
        self
    }

    /// Queues `PUT .../attributes/{attribute_id} {"value":...}`.
    pub fn update_attribute(&mut self, attribute_id: i64, value: &str) -> &mut Self {
        self.queue.push(Step::UpdateAttribute(
            attribute_id,
            AttributeBody {
                value: Some(value.to_string()),
                ..AttributeBody::default()
            },
        ));
        self
    }

    /// Queues `DELETE .../attributes/{attribute_id}`.
    pub fn delete_attribute(&mut self, attribute_id: i64) -> &mut Self {
        self.queue.push(Step::DeleteAttribute(attribute_id));
        self
    }

    /// Loads the incident's attributes now (`GET .../attributes?owner=…`) into
    /// [`attributes`](Self::attributes).
    pub async fn load_attributes(&mut self) -> Result<&[AttributeDto]> {
        let id = self.existing_id("load attributes")?;
        let req = self.with_owner(ApiRequest::new(
            Method::Get,
            format!("{BASE}/{id}/attributes"),
        ));
        let body = self.transport.call(req).await?;
        self.attributes = read::list::<AttributeDto>(&body, "attribute")?.items;
        Ok(&self.attributes)
    }
}
