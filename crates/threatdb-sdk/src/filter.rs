//! The incident filter object: the Python SDK's `IncidentFilterObject` (tc-v2-wire.md §7.2).

use crate::request::{ApiRequest, Method};
use crate::types::IndicatorType;
use std::fmt;
use threatdb_core::{Timestamp, parse_timestamp};
use threatdb_wire::filters::Clause;
use threatdb_wire::paths::encode_segment;

/// How a post-filter compares an incident's value with the filter's: the Python SDK's
/// `FilterOperator` (`EQ`, `NE`, `GT`, `GE`, `LT`, `LE`). `Gt` keeps incidents whose value is
/// greater than the filter's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FilterOperator {
    /// Equal (the default in Python).
    #[default]
    Eq,
    /// Not equal.
    Ne,
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Ge,
    /// Less than.
    Lt,
    /// Less than or equal.
    Le,
}

impl FilterOperator {
    fn holds<T: PartialOrd + ?Sized>(self, value: &T, filter: &T) -> bool {
        match self {
            FilterOperator::Eq => value == filter,
            FilterOperator::Ne => value != filter,
            FilterOperator::Gt => value > filter,
            FilterOperator::Ge => value >= filter,
            FilterOperator::Lt => value < filter,
            FilterOperator::Le => value <= filter,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            FilterOperator::Eq => "==",
            FilterOperator::Ne => "!=",
            FilterOperator::Gt => ">",
            FilterOperator::Ge => ">=",
            FilterOperator::Lt => "<",
            FilterOperator::Le => "<=",
        }
    }
}

/// How a filter object's results combine with those of the filter objects before it: the
/// Python SDK's `FilterSetOperator`. The first filter object's operator is not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FilterSetOperator {
    /// Keep only incidents found by both (the default).
    #[default]
    And,
    /// Keep incidents found by either.
    Or,
}

/// The names `filters()` returns for incidents: the API filters sorted, then the post-filters
/// sorted, exactly as the Python SDK's `filter1.filters`.
pub const INCIDENT_FILTERS: [&str; 16] = [
    "add_adversary_id",
    "add_campaign_id",
    "add_document_id",
    "add_email_id",
    "add_id",
    "add_incident_id",
    "add_indicator",
    "add_security_label",
    "add_signature_id",
    "add_tag",
    "add_task_id",
    "add_threat_id",
    "add_victim_id",
    "add_pf_date_added",
    "add_pf_file_type",
    "add_pf_name",
];

/// One request-making filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ApiFilter {
    /// `GET /v2/groups/incidents/{id}?owner=` (not paginated).
    Id(i64),
    /// `GET /v2/groups/{branch}/{id}/groups/incidents` (no owner).
    Group { branch: &'static str, id: i64 },
    /// `GET /v2/indicators/{branch}/{value}/groups/incidents?owner=`.
    Indicator { branch: &'static str, value: String },
    /// `GET /v2/securityLabels/{label}/groups/incidents?owner=`.
    SecurityLabel(String),
    /// `GET /v2/tags/{tag}/groups/incidents?owner=`.
    Tag(String),
    /// `GET /v2/tasks/{id}/groups/incidents?owner=`.
    Task(i64),
    /// `GET /v2/victims/{id}/groups/incidents` (no owner).
    Victim(i64),
}

/// What a filter request looks like before owner, paging and `filters=` are added.
pub(crate) struct FilterRequest {
    pub path: String,
    pub owner_allowed: bool,
    pub paginated: bool,
}

impl ApiFilter {
    pub(crate) fn request(&self) -> FilterRequest {
        let (path, owner_allowed, paginated) = match self {
            ApiFilter::Id(id) => (format!("/v2/groups/incidents/{id}"), true, false),
            ApiFilter::Group { branch, id } => (
                format!("/v2/groups/{branch}/{id}/groups/incidents"),
                false,
                true,
            ),
            ApiFilter::Indicator { branch, value } => (
                format!(
                    "/v2/indicators/{branch}/{}/groups/incidents",
                    encode_segment(value)
                ),
                true,
                true,
            ),
            ApiFilter::SecurityLabel(l) => (
                format!("/v2/securityLabels/{}/groups/incidents", encode_segment(l)),
                true,
                true,
            ),
            ApiFilter::Tag(t) => (
                format!("/v2/tags/{}/groups/incidents", encode_segment(t)),
                true,
                true,
            ),
            ApiFilter::Task(id) => (format!("/v2/tasks/{id}/groups/incidents"), true, true),
            ApiFilter::Victim(id) => (format!("/v2/victims/{id}/groups/incidents"), false, true),
        };
        FilterRequest {
            path,
            owner_allowed,
            paginated,
        }
    }

    fn describe(&self) -> String {
        match self {
            ApiFilter::Id(id) => format!("api filter by id {id}"),
            ApiFilter::Group { branch, id } => {
                format!("api filter by {} id {id}", branch.trim_end_matches('s'))
            }
            ApiFilter::Indicator { value, .. } => format!("api filter by indicator \"{value}\""),
            ApiFilter::SecurityLabel(l) => format!("api filter by security label \"{l}\""),
            ApiFilter::Tag(t) => format!("api filter by tag \"{t}\""),
            ApiFilter::Task(id) => format!("api filter by task id {id}"),
            ApiFilter::Victim(id) => format!("api filter by victim id {id}"),
        }
    }
}

/// A client-side filter applied to what the requests returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PostFilter {
    Name(String, FilterOperator),
    DateAdded(Timestamp, String, FilterOperator),
    FileType(String, FilterOperator),
}

impl PostFilter {
    /// Whether an incident with this name and `dateAdded` passes.
    pub(crate) fn keeps(&self, name: &str, date_added: &str) -> bool {
        match self {
            PostFilter::Name(v, op) => op.holds(name, v.as_str()),
            PostFilter::DateAdded(t, _, op) => parse_timestamp(date_added)
                .map(|added| op.holds(&added, t))
                .unwrap_or(false),
            // Incidents have no file type: this filter keeps everything, as in Python.
            PostFilter::FileType(..) => true,
        }
    }

    fn describe(&self) -> String {
        match self {
            PostFilter::Name(v, op) => format!("post filter by name {} \"{v}\"", op.symbol()),
            PostFilter::DateAdded(_, v, op) => {
                format!("post filter by date added {} \"{v}\"", op.symbol())
            }
            PostFilter::FileType(v, op) => {
                format!("post filter by file type {} \"{v}\"", op.symbol())
            }
        }
    }
}

/// A filter object, as `incidents.add_filter()` returns it: API filters (each one request,
/// their results **OR**ed), owners (each API filter runs once per owner), post-filters (applied
/// to the results, **AND**ed) and how the whole combines with the filter objects before it.
///
/// Methods return `&mut Self`, so calls chain. An invalid argument (an empty tag, a value
/// [`add_indicator`](Self::add_indicator) cannot classify, an unparsable date) is remembered
/// and makes `retrieve()` fail before any request is sent.
///
/// ```no_run
/// # async fn run(tc: threatdb_sdk::ThreatConnect) -> Result<(), threatdb_sdk::Error> {
/// let mut incidents = tc.incidents();
///
/// let owner = "Example Community";
///
/// // set a filter to only retrieve Incidents in the 'Example Community' tagged: 'Nation State'
/// let filter1 = incidents.add_filter();
/// filter1.add_owner(owner);
/// filter1.add_tag("Nation State");
/// println!("{:?}", filter1.filters());
///
/// incidents.retrieve().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentFilter {
    pub(crate) operator: FilterSetOperator,
    pub(crate) owners: Vec<String>,
    pub(crate) api: Vec<ApiFilter>,
    pub(crate) post: Vec<PostFilter>,
    pub(crate) server: Vec<Clause>,
    pub(crate) errors: Vec<String>,
}

/// One owner or several, for [`IncidentFilter::add_owner`].
pub trait IntoOwners {
    /// The owner names.
    fn into_owners(self) -> Vec<String>;
}

impl IntoOwners for &str {
    fn into_owners(self) -> Vec<String> {
        vec![self.to_string()]
    }
}

impl IntoOwners for String {
    fn into_owners(self) -> Vec<String> {
        vec![self]
    }
}

impl IntoOwners for &String {
    fn into_owners(self) -> Vec<String> {
        vec![self.clone()]
    }
}

impl<T: Into<String>> IntoOwners for Vec<T> {
    fn into_owners(self) -> Vec<String> {
        self.into_iter().map(Into::into).collect()
    }
}

impl<T: Into<String> + Clone> IntoOwners for &[T] {
    fn into_owners(self) -> Vec<String> {
        self.iter().cloned().map(Into::into).collect()
    }
}

impl<T: Into<String>, const N: usize> IntoOwners for [T; N] {
    fn into_owners(self) -> Vec<String> {
        self.into_iter().map(Into::into).collect()
    }
}

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

    /// The requests this object sends for one owner, before paging is added: `(request,
    /// paginated)`. With no API filter, the incident list itself.
    pub(crate) fn requests(&self, owner: &str) -> Vec<(ApiRequest, bool)> {
        let base = [FilterRequest {
            path: "/v2/groups/incidents".to_string(),
            owner_allowed: true,
            paginated: true,
        }];
        let made: Vec<FilterRequest> = self.api.iter().map(ApiFilter::request).collect();
        let list = if made.is_empty() { &base[..] } else { &made };
        list.iter()
            .map(|f| {
                let mut r = ApiRequest::new(Method::Get, f.path.clone());
                if f.owner_allowed {
                    r = r.param("owner", owner);
                }
                if f.paginated && !self.server.is_empty() {
                    r = r.param("filters", threatdb_wire::filters::render(&self.server));
                }
                (r, f.paginated)
            })
            .collect()
    }
}

impl fmt::Display for IncidentFilter {
    /// The Python SDK's `print(filter1)` sections.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "_____Filter Object_____")?;
        writeln!(f)?;
        writeln!(f, "Filter Properties")?;
        let op = match self.operator {
            FilterSetOperator::And => "FilterSetOperator.AND",
            FilterSetOperator::Or => "FilterSetOperator.OR",
        };
        writeln!(f, "  {:<24}{op}", "Operator")?;
        writeln!(f, "  {:<24}{}", "Request Objects", self.api.len().max(1))?;
        writeln!(f)?;
        writeln!(f, "Owners")?;
        for o in &self.owners {
            writeln!(f, "  {:<24}{o}", "Owner")?;
        }
        writeln!(f)?;
        writeln!(f, "Filters")?;
        for a in &self.api {
            writeln!(f, "  {:<24}{}", "Description", a.describe())?;
        }
        for p in &self.post {
            writeln!(f, "  {:<24}{}", "Description", p.describe())?;
        }
        writeln!(f)?;
        writeln!(f, "API Filters")?;
        for a in &self.api {
            writeln!(f, "  {:<24}{}", "Filter", a.describe())?;
        }
        for c in &self.server {
            writeln!(f, "  {:<24}filters={c}", "Filter")?;
        }
        writeln!(f)?;
        writeln!(f, "Post Filters")?;
        for p in &self.post {
            writeln!(f, "  {:<24}{}", "Filter", p.describe())?;
        }
        Ok(())
    }
}
