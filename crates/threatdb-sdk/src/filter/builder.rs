//! The filter object's builder: the Python SDK's `add_*` calls, each recording an API filter,
//! an owner, a post-filter or a server-side `filters=` clause.

use super::api::ApiFilter;
use super::post::{FilterOperator, PostFilter};
use super::{FilterSetOperator, INCIDENT_FILTERS, IncidentFilter, IntoOwners};
use crate::types::IndicatorType;
use threatdb_core::parse_timestamp;
use threatdb_wire::filters::Clause;

impl IncidentFilter {
    /// The names of the filters this object supports, as the Python SDK's `filter1.filters`.
    pub fn filters(&self) -> Vec<&'static str> {
        INCIDENT_FILTERS.to_vec()
    }

    fn non_empty(&mut self, what: &str, value: &str) -> Option<String> {
        if value.trim().is_empty() {
            self.errors.push(format!("{what} must not be empty"));
            None
        } else {
            Some(value.to_string())
        }
    }

    fn group(&mut self, branch: &'static str, id: i64) -> &mut Self {
        self.api.push(ApiFilter::Group { branch, id });
        self
    }

    /// The incident with this id: `GET /v2/groups/incidents/{id}?owner=…` (not paginated). An
    /// id that does not exist retrieves nothing, without error.
    pub fn add_id(&mut self, id: i64) -> &mut Self {
        self.api.push(ApiFilter::Id(id));
        self
    }

    /// Incidents associated with this adversary: `GET /v2/groups/adversaries/{id}/groups/incidents`
    /// (no owner parameter).
    pub fn add_adversary_id(&mut self, id: i64) -> &mut Self {
        self.group("adversaries", id)
    }

    /// Incidents associated with this campaign: `GET /v2/groups/campaigns/{id}/groups/incidents`
    /// (no owner parameter).
    pub fn add_campaign_id(&mut self, id: i64) -> &mut Self {
        self.group("campaigns", id)
    }

    /// Incidents associated with this document: `GET /v2/groups/documents/{id}/groups/incidents`
    /// (no owner parameter).
    pub fn add_document_id(&mut self, id: i64) -> &mut Self {
        self.group("documents", id)
    }

    /// Incidents associated with this email: `GET /v2/groups/emails/{id}/groups/incidents` (no
    /// owner parameter).
    pub fn add_email_id(&mut self, id: i64) -> &mut Self {
        self.group("emails", id)
    }

    /// Incidents associated with this incident: `GET /v2/groups/incidents/{id}/groups/incidents`
    /// (no owner parameter).
    pub fn add_incident_id(&mut self, id: i64) -> &mut Self {
        self.group("incidents", id)
    }

    /// Incidents associated with this signature: `GET /v2/groups/signatures/{id}/groups/incidents`
    /// (no owner parameter).
    pub fn add_signature_id(&mut self, id: i64) -> &mut Self {
        self.group("signatures", id)
    }

    /// Incidents associated with this threat: `GET /v2/groups/threats/{id}/groups/incidents` (no
    /// owner parameter).
    pub fn add_threat_id(&mut self, id: i64) -> &mut Self {
        self.group("threats", id)
    }

    /// Incidents associated with this indicator: `GET /v2/indicators/{type}/{value}/groups/incidents?owner=…`,
    /// the type recognised from the value (an IP address, an email address, an MD5/SHA-1/SHA-256
    /// hash, a URL or a host name), as the Python SDK does.
    pub fn add_indicator(&mut self, indicator: &str) -> &mut Self {
        match IndicatorType::recognise(indicator) {
            Some(t) => self.api.push(ApiFilter::Indicator {
                branch: t.branch(),
                value: indicator.trim().to_string(),
            }),
            None => self.errors.push(format!(
                "'{indicator}' is not an address, email address, file hash, host or URL"
            )),
        }
        self
    }

    /// Incidents carrying this security label: `GET /v2/securityLabels/{label}/groups/incidents?owner=…`.
    pub fn add_security_label(&mut self, label: &str) -> &mut Self {
        if let Some(l) = self.non_empty("a security label", label) {
            self.api.push(ApiFilter::SecurityLabel(l));
        }
        self
    }

    /// Incidents carrying this tag: `GET /v2/tags/{tag}/groups/incidents?owner=…`.
    pub fn add_tag(&mut self, tag: &str) -> &mut Self {
        if let Some(t) = self.non_empty("a tag", tag) {
            self.api.push(ApiFilter::Tag(t));
        }
        self
    }

    /// Incidents associated with this task: `GET /v2/tasks/{id}/groups/incidents?owner=…`.
    pub fn add_task_id(&mut self, id: i64) -> &mut Self {
        self.api.push(ApiFilter::Task(id));
        self
    }

    /// Incidents associated with this victim: `GET /v2/victims/{id}/groups/incidents` (no owner
    /// parameter).
    pub fn add_victim_id(&mut self, id: i64) -> &mut Self {
        self.api.push(ApiFilter::Victim(id));
        self
    }

    /// Runs every API filter of this object in this owner (or in each of several owners:
    /// `add_owner(["A", "B"])`), and keeps only incidents whose owner is that one. Without an
    /// owner, the default organization is used.
    pub fn add_owner(&mut self, owner: impl IntoOwners) -> &mut Self {
        for o in owner.into_owners() {
            if let Some(o) = self.non_empty("an owner", &o) {
                self.owners.push(o);
            }
        }
        self
    }

    /// How this object's results combine with those of the filter objects added before it.
    pub fn add_filter_operator(&mut self, operator: FilterSetOperator) -> &mut Self {
        self.operator = operator;
        self
    }

    /// Keeps incidents whose name compares with `name` by `operator` (client-side).
    pub fn add_pf_name(&mut self, name: &str, operator: FilterOperator) -> &mut Self {
        self.post.push(PostFilter::Name(name.to_string(), operator));
        self
    }

    /// Keeps incidents whose `dateAdded` compares with `date_added` (ISO-8601, e.g.
    /// `2015-06-18T20:21:45-05:00`) by `operator` (client-side, to the second).
    pub fn add_pf_date_added(&mut self, date_added: &str, operator: FilterOperator) -> &mut Self {
        match parse_timestamp(date_added) {
            Ok(t) => self
                .post
                .push(PostFilter::DateAdded(t, date_added.to_string(), operator)),
            Err(e) => self.errors.push(e.0),
        }
        self
    }

    /// The Python SDK's file-type post-filter. Incidents have no file type, so it keeps every
    /// incident; it exists so that code listing [`filters`](Self::filters) finds it.
    pub fn add_pf_file_type(&mut self, file_type: &str, operator: FilterOperator) -> &mut Self {
        self.post
            .push(PostFilter::FileType(file_type.to_string(), operator));
        self
    }

    /// **Not in the Python SDK.** Adds a `filters=` clause (e.g. `name^APT`, `eventDate>2017-07-13`)
    /// to every paginated request of this object, so the server does the filtering. threatdb
    /// honours it on every list path; the ThreatConnect docs document it for group lists.
    pub fn add_server_filter(&mut self, clause: Clause) -> &mut Self {
        if clause.value.trim().is_empty() {
            self.errors
                .push(format!("the filter '{clause}' has no value"));
        } else {
            self.server.push(clause);
        }
        self
    }
}
