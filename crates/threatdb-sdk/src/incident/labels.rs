//! An incident's security labels: queued adds and deletes, and loading them now.

use super::Incident;
use super::queue::{BASE, Step};
use crate::error::Result;
use crate::read;
use crate::request::{ApiRequest, Method};
use threatdb_wire::dto::SecurityLabelDto;

impl Incident {
    /// The security labels loaded by [`load_security_labels`](Self::load_security_labels).
    pub fn security_labels(&self) -> &[SecurityLabelDto] {
        &self.security_labels
    }

    /// Queues `POST .../securityLabels/{label}` (the same as
    /// [`add_security_label`](Self::add_security_label)).
    pub fn set_security_label(&mut self, label: &str) -> &mut Self {
        self.add_security_label(label)
    }

    /// Queues `POST .../securityLabels/{label}`.
    pub fn add_security_label(&mut self, label: &str) -> &mut Self {
        self.queue.push(Step::AddLabel(label.to_string()));
        self
    }

    /// Queues `DELETE .../securityLabels/{label}`.
    pub fn delete_security_label(&mut self, label: &str) -> &mut Self {
        self.queue.push(Step::DeleteLabel(label.to_string()));
        self
    }

    /// Loads the incident's security labels now (`GET .../securityLabels?owner=…`) into
    /// [`security_labels`](Self::security_labels). Unlike the Python SDK's
    /// `load_security_label`, all labels are kept, not only the last.
    pub async fn load_security_labels(&mut self) -> Result<&[SecurityLabelDto]> {
        let id = self.existing_id("load security labels")?;
        let req = self.with_owner(ApiRequest::new(
            Method::Get,
            format!("{BASE}/{id}/securityLabels"),
        ));
        let body = self.transport.call(req).await?;
        self.security_labels = read::list::<SecurityLabelDto>(&body, "securityLabel")?.items;
        Ok(&self.security_labels)
    }
}
