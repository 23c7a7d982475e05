//! The incident filter object: the Python SDK's `IncidentFilterObject` (tc-v2-wire.md §7.2).
//!
//! This file holds the type; [`builder`](self::builder) its `add_*` calls,
//! [`api`](self::api) the request-making filters, [`post`](self::post) the client-side ones,
//! [`query`](self::query) the requests with `filters=`, [`display`](self::display) its
//! `print(filter1)`.

mod api;
mod builder;
mod display;
mod post;
mod query;

pub use post::FilterOperator;
pub(crate) use post::PostFilter;

use api::ApiFilter;
use threatdb_wire::filters::Clause;

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
