//! [`Incident`]: one incident, retrieved or new, with its setters, its queue of metadata calls,
//! `commit()` and `delete()` (tc-v2-wire.md §7.4, §7.5).
//!
//! This file holds the type and what its parts share; each concern is an `impl Incident` of its
//! own: [`fields`](self::fields), [`attributes`](self::attributes), [`tags`](self::tags),
//! [`labels`](self::labels), [`associations`](self::associations), [`commit`](self::commit).
//! [`queue`](self::queue) is the queued calls' requests.

mod associations;
mod attributes;
mod commit;
mod fields;
mod labels;
mod queue;
mod tags;

use crate::error::{Error, Result};
use crate::request::ApiRequest;
use crate::transport::Transport;
use queue::Step;
use std::sync::Arc;
use threatdb_wire::dto::{AttributeDto, IncidentBody, IncidentDto, SecurityLabelDto, TagDto};

/// Where an incident object stands, as the Python SDK's phases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Retrieved or committed, with no change to its own fields (metadata calls may be queued).
    Unchanged,
    /// New: `commit()` creates it (POST).
    Add,
    /// Existing and changed (or given an id with [`Incident::set_id`]): `commit()` updates it (PUT).
    Update,
    /// Deleted.
    Deleted,
}

/// One incident: retrieved (iterate [`crate::Incidents`]) or made with
/// [`Incidents::add`](crate::Incidents::add). Setters and metadata calls only record what to do;
/// nothing is sent until [`commit`](Self::commit) (or the immediate [`delete`](Self::delete)
/// and `load_*` calls).
///
/// ```no_run
/// # async fn run(tc: threatdb_sdk::ThreatConnect) -> Result<(), threatdb_sdk::Error> {
/// let incidents = tc.incidents();
///
/// let owner = "Example Community";
///
/// // create a new Incident in 'Example Community' with the name: 'New Incident'
/// let mut incident = incidents.add("New Incident", owner);
/// // set the event date for the Incident
/// incident.set_event_date("2017-03-21T00:00:00Z"); // REQUIRED
///
/// // add a description attribute
/// incident.add_attribute("Description", "Description Example");
/// // add a tag
/// incident.add_tag("Example");
/// // add a security label
/// incident.set_security_label("TLP Green");
///
/// // create the Incident - no API calls are made until this line
/// incident.commit().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Incident {
    transport: Arc<Transport>,
    data: IncidentDto,
    owner_name: Option<String>,
    phase: Phase,
    changes: IncidentBody,
    queue: Vec<Step>,
    attributes: Vec<AttributeDto>,
    tags: Vec<TagDto>,
    security_labels: Vec<SecurityLabelDto>,
}

impl Incident {
    /// A new incident object (phase [`Phase::Add`]) named `name` in `owner`.
    pub(crate) fn new(transport: Arc<Transport>, name: String, owner: Option<String>) -> Self {
        Incident {
            transport,
            data: IncidentDto {
                id: 0,
                name: name.clone(),
                kind: None,
                owner: None,
                owner_name: owner.clone(),
                created_by: None,
                date_added: String::new(),
                last_modified: String::new(),
                web_link: String::new(),
                xid: None,
                event_date: None,
                status: None,
                attribute: None,
                security_label: None,
                tag: None,
            },
            owner_name: owner,
            phase: Phase::Add,
            changes: IncidentBody {
                name: Some(name),
                ..IncidentBody::default()
            },
            queue: Vec::new(),
            attributes: Vec::new(),
            tags: Vec::new(),
            security_labels: Vec::new(),
        }
    }

    /// An incident object for what the server sent (phase [`Phase::Unchanged`]).
    pub(crate) fn retrieved(transport: Arc<Transport>, mut data: IncidentDto) -> Self {
        let owner_name = data.owner_name().map(str::to_string);
        let attributes = data.attribute.take().unwrap_or_default();
        let tags = data.tag.take().unwrap_or_default();
        let security_labels = data.security_label.take().unwrap_or_default();
        Incident {
            transport,
            data,
            owner_name,
            phase: Phase::Unchanged,
            changes: IncidentBody::default(),
            queue: Vec::new(),
            attributes,
            tags,
            security_labels,
        }
    }

    /// For an update object made without a name: the name is not sent.
    pub(crate) fn forget_name(&mut self) {
        self.changes.name = None;
    }

    /// A field was set: an unchanged incident now needs a PUT.
    fn changed(&mut self) {
        if self.phase == Phase::Unchanged {
            self.phase = Phase::Update;
        }
    }

    /// The id of an incident that exists on the server, or why `what` cannot be done.
    fn existing_id(&self, what: &str) -> Result<i64> {
        if self.phase == Phase::Deleted {
            return Err(Error::InvalidInput(format!(
                "cannot {what}: incident {} was deleted",
                self.data.id
            )));
        }
        if self.data.id == 0 || self.phase == Phase::Add {
            return Err(Error::InvalidInput(format!(
                "cannot {what}: the incident has no id yet (commit it or call set_id first)"
            )));
        }
        Ok(self.data.id)
    }

    /// `req` with `owner=` when the incident has an owner.
    fn with_owner(&self, req: ApiRequest) -> ApiRequest {
        req.owner(self.owner_name.as_deref())
    }
}
