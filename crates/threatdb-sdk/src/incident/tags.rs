//! An incident's tags: queued adds and deletes, and loading them now.

use super::Incident;
use super::queue::{BASE, Step};
use crate::error::Result;
use crate::read;
use crate::request::{ApiRequest, Method};
use threatdb_wire::dto::TagDto;

impl Incident {
    /// The tags loaded by [`load_tags`](Self::load_tags).
    pub fn tags(&self) -> &[TagDto] {
        &self.tags
    }

    /// Queues `POST .../tags/{tag}`.
    pub fn add_tag(&mut self, tag: &str) -> &mut Self {
        self.queue.push(Step::AddTag(tag.to_string()));
        self
    }

    /// Queues `DELETE .../tags/{tag}`.
    pub fn delete_tag(&mut self, tag: &str) -> &mut Self {
        self.queue.push(Step::DeleteTag(tag.to_string()));
        self
    }

    /// Loads the incident's tags now (`GET .../tags?owner=…`) into [`tags`](Self::tags).
    pub async fn load_tags(&mut self) -> Result<&[TagDto]> {
        let id = self.existing_id("load tags")?;
        let req = self.with_owner(ApiRequest::new(Method::Get, format!("{BASE}/{id}/tags")));
        let body = self.transport.call(req).await?;
        self.tags = read::list::<TagDto>(&body, "tag")?.items;
        Ok(&self.tags)
    }
}
