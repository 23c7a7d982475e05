//! An incident's own fields: the getters, and the setters `commit()` sends as a POST or PUT.

use super::queue::Step;
use super::{Incident, Phase};
use threatdb_wire::dto::IncidentDto;

impl Incident {
    /// The id; `0` for a new incident until it is committed.
    pub fn id(&self) -> i64 {
        self.data.id
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.data.name
    }

    /// When it was added, as the server wrote it (`2017-03-21T00:00:00Z`); empty until created.
    pub fn date_added(&self) -> &str {
        &self.data.date_added
    }

    /// When it last changed, as the server wrote it.
    pub fn last_modified(&self) -> &str {
        &self.data.last_modified
    }

    /// Its page in the web UI; empty until created.
    pub fn weblink(&self) -> &str {
        &self.data.web_link
    }

    /// The event date, as the server wrote it (or as set, before commit).
    pub fn event_date(&self) -> Option<&str> {
        self.data.event_date.as_deref()
    }

    /// The owner's name.
    pub fn owner_name(&self) -> Option<&str> {
        self.owner_name.as_deref()
    }

    /// The status (`New`, `Open`, ...). Servers send it only when asked
    /// ([`Incidents::set_include_additional`](crate::Incidents::set_include_additional)); after
    /// [`set_status`](Self::set_status), the status set.
    pub fn status(&self) -> Option<&str> {
        self.data.status.as_deref()
    }

    /// Everything the server sent about this incident, as its JSON shape.
    pub fn data(&self) -> &IncidentDto {
        &self.data
    }

    /// Where this object stands: new, changed, unchanged or deleted.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// What `commit()` will send after the incident itself, in order (descriptions).
    pub fn pending(&self) -> Vec<String> {
        self.queue.iter().map(Step::describe).collect()
    }

    /// Forgets the queued metadata calls (not the changed fields).
    pub fn clear_pending(&mut self) {
        self.queue.clear();
    }

    /// Sets the name (sent with the POST or PUT of `commit()`).
    pub fn set_name(&mut self, name: impl Into<String>) -> &mut Self {
        let name = name.into();
        self.data.name = name.clone();
        self.changes.name = Some(name);
        self.changed();
        self
    }

    /// Sets the event date, e.g. `2017-03-21T00:00:00Z`. Required to create an incident.
    pub fn set_event_date(&mut self, event_date: impl Into<String>) -> &mut Self {
        let d = event_date.into();
        self.data.event_date = Some(d.clone());
        self.changes.event_date = Some(d);
        self.changed();
        self
    }

    /// Sets the status (`New`, `Open`, `Stalled`, `Containment Achieved`, `Restoration Achieved`,
    /// `Incident Reported`, `Closed`, `Rejected`, `Deleted`). The Python SDK cannot; the API can.
    pub fn set_status(&mut self, status: impl Into<String>) -> &mut Self {
        let s = status.into();
        self.data.status = Some(s.clone());
        self.changes.status = Some(s);
        self.changed();
        self
    }

    /// Points this object at the existing incident `id`: `commit()` then updates it (PUT) instead
    /// of creating one, and `delete()` deletes it.
    pub fn set_id(&mut self, id: i64) -> &mut Self {
        self.data.id = id;
        if self.phase != Phase::Deleted {
            self.phase = Phase::Update;
        }
        self
    }
}
