//! Sending what an incident recorded: `commit()` (its own POST or PUT, then the queued calls in
//! order) and the immediate `delete()` (tc-v2-wire.md §7.5).

use super::queue::{BASE, Step};
use super::{Incident, Phase};
use crate::error::{Error, Result};
use crate::read;
use crate::request::{ApiRequest, Method};
use threatdb_wire::dto::{AttributeDto, IncidentBody, IncidentDto};

impl Incident {
    /// The changed fields, as the POST or PUT body.
    fn body_json(&self) -> String {
        serde_json::to_string(&self.changes).unwrap_or_default()
    }

    /// The POST or PUT `commit()` sends first, if any, with its description.
    fn own_request(&self) -> Result<Option<(ApiRequest, String)>> {
        match self.phase {
            Phase::Deleted => Err(Error::InvalidInput(format!(
                "cannot commit: incident {} was deleted",
                self.data.id
            ))),
            Phase::Add => {
                if self.changes.event_date.is_none() {
                    return Err(Error::IncompleteResource(
                        "a new incident needs an event date (set_event_date)".into(),
                    ));
                }
                let req =
                    self.with_owner(ApiRequest::new(Method::Post, BASE).body(self.body_json()));
                Ok(Some((req, format!("create incident '{}'", self.data.name))))
            }
            Phase::Update if self.changes != IncidentBody::default() => {
                let id = self.data.id;
                let req = self.with_owner(
                    ApiRequest::new(Method::Put, format!("{BASE}/{id}")).body(self.body_json()),
                );
                Ok(Some((req, format!("update incident {id}"))))
            }
            Phase::Update | Phase::Unchanged => Ok(None),
        }
    }

    /// Sends what was recorded: first the incident itself (POST for a new one, PUT with the
    /// changed fields after a setter or [`set_id`](Self::set_id)), then each queued call in the
    /// order it was made, with `owner=` when the incident has an owner.
    ///
    /// A new incident without an event date is refused before anything is sent
    /// ([`Error::IncompleteResource`]). The first failing call stops the commit with an
    /// [`Error::Commit`] naming the step, the server's answer and the steps already applied;
    /// the failed step and those after it stay queued, so `commit()` can be called again.
    pub async fn commit(&mut self) -> Result<&mut Self> {
        let mut applied = Vec::new();
        if let Some((req, step)) = self.own_request()? {
            let created = self.phase == Phase::Add;
            let result = async {
                let body = self.transport.call(req).await?;
                read::one::<IncidentDto>(&body, "incident")
            }
            .await;
            match result {
                Ok(mut dto) => {
                    let owner = dto.owner_name().map(str::to_string);
                    // Servers send the status only when asked: keep the one just set.
                    if dto.status.is_none() {
                        dto.status = self.changes.status.take().or(self.data.status.take());
                    }
                    self.data = dto;
                    // Like the Python SDK, later calls keep the owner this object was given.
                    if self.owner_name.is_none() {
                        self.owner_name = owner;
                    }
                    self.changes = IncidentBody::default();
                    self.phase = Phase::Unchanged;
                    applied.push(if created {
                        format!("{step} (id {})", self.data.id)
                    } else {
                        step
                    });
                }
                Err(e) => {
                    return Err(Error::Commit {
                        step,
                        applied,
                        error: Box::new(e),
                    });
                }
            }
        }
        if self.queue.is_empty() {
            self.phase = Phase::Unchanged;
            return Ok(self);
        }
        let id = self.existing_id("send the queued calls")?;
        while !self.queue.is_empty() {
            let step = self.queue.remove(0);
            let req = self.with_owner(step.request(id));
            match self.transport.call(req).await {
                Ok(body) => {
                    if let (Step::AddAttribute(_), Ok(a)) =
                        (&step, read::one::<AttributeDto>(&body, "attribute"))
                    {
                        self.attributes.push(a);
                    }
                    applied.push(step.describe());
                }
                Err(e) => {
                    let described = step.describe();
                    self.queue.insert(0, step);
                    return Err(Error::Commit {
                        step: described,
                        applied,
                        error: Box::new(e),
                    });
                }
            }
        }
        self.phase = Phase::Unchanged;
        Ok(self)
    }

    /// Deletes the incident now: `DELETE /v2/groups/incidents/{id}?owner=…`. Queued calls are
    /// dropped.
    pub async fn delete(&mut self) -> Result<()> {
        let id = self.existing_id("delete")?;
        let req = self.with_owner(ApiRequest::new(Method::Delete, format!("{BASE}/{id}")));
        self.transport.call(req).await?;
        self.queue.clear();
        self.phase = Phase::Deleted;
        Ok(())
    }
}
