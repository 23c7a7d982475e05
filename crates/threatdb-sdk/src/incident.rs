//! [`Incident`]: one incident, retrieved or new, with its setters, its queue of metadata calls,
//! `commit()` and `delete()` (tc-v2-wire.md §7.4, §7.5).

mod associations;

use crate::error::{Error, Result};
use crate::read;
use crate::request::{ApiRequest, Method};
use crate::transport::Transport;
use crate::types::{GroupType, IndicatorType};
use std::sync::Arc;
use threatdb_wire::dto::{
    AttributeBody, AttributeDto, IncidentBody, IncidentDto, SecurityLabelDto, TagDto,
};
use threatdb_wire::paths::encode_segment;

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

/// A queued metadata call.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    AddAttribute(AttributeBody),
    UpdateAttribute(i64, AttributeBody),
    DeleteAttribute(i64),
    AddTag(String),
    DeleteTag(String),
    AddLabel(String),
    DeleteLabel(String),
    Group(bool, GroupType, i64),
    Indicator(bool, IndicatorType, String),
    Victim(bool, i64),
}

const BASE: &str = "/v2/groups/incidents";

impl Step {
    fn method_for(add: bool) -> Method {
        if add { Method::Post } else { Method::Delete }
    }

    fn request(&self, id: i64) -> ApiRequest {
        let me = format!("{BASE}/{id}");
        let json = |b: &AttributeBody| serde_json::to_string(b).unwrap_or_default();
        match self {
            Step::AddAttribute(b) => {
                ApiRequest::new(Method::Post, format!("{me}/attributes")).body(json(b))
            }
            Step::UpdateAttribute(aid, b) => {
                ApiRequest::new(Method::Put, format!("{me}/attributes/{aid}")).body(json(b))
            }
            Step::DeleteAttribute(aid) => {
                ApiRequest::new(Method::Delete, format!("{me}/attributes/{aid}"))
            }
            Step::AddTag(t) => {
                ApiRequest::new(Method::Post, format!("{me}/tags/{}", encode_segment(t)))
            }
            Step::DeleteTag(t) => {
                ApiRequest::new(Method::Delete, format!("{me}/tags/{}", encode_segment(t)))
            }
            Step::AddLabel(l) => ApiRequest::new(
                Method::Post,
                format!("{me}/securityLabels/{}", encode_segment(l)),
            ),
            Step::DeleteLabel(l) => ApiRequest::new(
                Method::Delete,
                format!("{me}/securityLabels/{}", encode_segment(l)),
            ),
            Step::Group(add, t, gid) => ApiRequest::new(
                Self::method_for(*add),
                format!("{me}/groups/{}/{gid}", t.branch()),
            ),
            // The legacy SDK uses the indicator-side path (§6.5).
            Step::Indicator(add, t, v) => ApiRequest::new(
                Self::method_for(*add),
                format!(
                    "/v2/indicators/{}/{}/groups/incidents/{id}",
                    t.branch(),
                    encode_segment(v)
                ),
            ),
            Step::Victim(add, vid) => {
                ApiRequest::new(Self::method_for(*add), format!("{me}/victims/{vid}"))
            }
        }
    }

    fn describe(&self) -> String {
        let verb = |add: bool| if add { "associate" } else { "disassociate" };
        match self {
            Step::AddAttribute(b) => format!(
                "add attribute {} '{}'",
                b.kind.as_deref().unwrap_or(""),
                b.value.as_deref().unwrap_or("")
            ),
            Step::UpdateAttribute(aid, _) => format!("update attribute {aid}"),
            Step::DeleteAttribute(aid) => format!("delete attribute {aid}"),
            Step::AddTag(t) => format!("add tag '{t}'"),
            Step::DeleteTag(t) => format!("delete tag '{t}'"),
            Step::AddLabel(l) => format!("add security label '{l}'"),
            Step::DeleteLabel(l) => format!("delete security label '{l}'"),
            Step::Group(add, t, gid) => format!("{} group {}/{gid}", verb(*add), t.branch()),
            Step::Indicator(add, t, v) => format!("{} indicator {}/{v}", verb(*add), t.branch()),
            Step::Victim(add, vid) => format!("{} victim {vid}", verb(*add)),
        }
    }
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

    /// The attributes loaded by [`load_attributes`](Self::load_attributes) or retrieved with the
    /// incident, plus those added by a commit.
    pub fn attributes(&self) -> &[AttributeDto] {
        &self.attributes
    }

    /// The tags loaded by [`load_tags`](Self::load_tags).
    pub fn tags(&self) -> &[TagDto] {
        &self.tags
    }

    /// The security labels loaded by [`load_security_labels`](Self::load_security_labels).
    pub fn security_labels(&self) -> &[SecurityLabelDto] {
        &self.security_labels
    }

    /// What `commit()` will send after the incident itself, in order (descriptions).
    pub fn pending(&self) -> Vec<String> {
        self.queue.iter().map(Step::describe).collect()
    }

    /// Forgets the queued metadata calls (not the changed fields).
    pub fn clear_pending(&mut self) {
        self.queue.clear();
    }

    /// For an update object made without a name: the name is not sent.
    pub(crate) fn forget_name(&mut self) {
        self.changes.name = None;
    }

    fn changed(&mut self) {
        if self.phase == Phase::Unchanged {
            self.phase = Phase::Update;
        }
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

    fn with_owner(&self, req: ApiRequest) -> ApiRequest {
        req.owner(self.owner_name.as_deref())
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

    /// Loads the incident's tags now (`GET .../tags?owner=…`) into [`tags`](Self::tags).
    pub async fn load_tags(&mut self) -> Result<&[TagDto]> {
        let id = self.existing_id("load tags")?;
        let req = self.with_owner(ApiRequest::new(Method::Get, format!("{BASE}/{id}/tags")));
        let body = self.transport.call(req).await?;
        self.tags = read::list::<TagDto>(&body, "tag")?.items;
        Ok(&self.tags)
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
