//! [`Incidents`]: the container `tc.incidents()` returns (the Python SDK's `Incidents` resource).

use crate::error::Result;
use crate::filter::IncidentFilter;
use crate::incident::Incident;
use crate::read;
use crate::request::{ApiRequest, Method};
use crate::retrieve::Pages;
use crate::transport::Transport;
use std::sync::Arc;
use threatdb_wire::dto::IncidentDto;

/// Incidents: filter objects to retrieve with, the incidents retrieved, and the way to make new
/// incident objects.
///
/// ```no_run
/// # async fn run(tc: threatdb_sdk::ThreatConnect) -> Result<(), threatdb_sdk::Error> {
/// // instantiate Incidents object
/// let mut incidents = tc.incidents();
///
/// // set a filter to retrieve only the Incident with ID: 123456
/// let filter1 = incidents.add_filter();
/// filter1.add_id(123456);
///
/// // retrieve the Incident
/// incidents.retrieve().await?;
///
/// // iterate through the retrieved Incidents (in this case there should only be one)
/// for incident in &incidents {
///     println!("{}", incident.id());
///     println!("{}", incident.name());
///     println!("{}", incident.date_added());
///     println!("{}", incident.weblink());
///
///     // Incident specific property
///     println!("{}", incident.event_date().unwrap_or_default());
///
///     println!();
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Incidents {
    transport: Arc<Transport>,
    filters: Vec<IncidentFilter>,
    objects: Vec<Incident>,
    include_additional: bool,
}

impl Incidents {
    pub(crate) fn new(transport: Arc<Transport>) -> Self {
        Incidents {
            transport,
            filters: Vec::new(),
            objects: Vec::new(),
            include_additional: false,
        }
    }

    /// Adds a filter object and returns it to be filled in. Several filter objects combine by
    /// their [`add_filter_operator`](IncidentFilter::add_filter_operator) (AND by default).
    pub fn add_filter(&mut self) -> &mut IncidentFilter {
        self.filters.push(IncidentFilter::default());
        let last = self.filters.len() - 1;
        &mut self.filters[last]
    }

    /// The filter objects added so far.
    pub fn filter_objects(&self) -> &[IncidentFilter] {
        &self.filters
    }

    /// **Not in the Python SDK.** Asks for `includeAdditional=true` on retrievals, so that
    /// [`Incident::status`] is filled in (the Python SDK never reads the status).
    pub fn set_include_additional(&mut self, include: bool) -> &mut Self {
        self.include_additional = include;
        self
    }

    /// Retrieves the incidents the filters describe (all pages), replacing those retrieved before,
    /// and clears the filters. Without filters: every incident of the default organization.
    /// Incidents that do not exist (404) are simply not there; any other failure is an error.
    pub async fn retrieve(&mut self) -> Result<&mut Self> {
        let mut pages = self.retrieve_pages()?;
        let mut all = Vec::new();
        while let Some(batch) = pages.next_page().await? {
            all.extend(batch);
        }
        self.objects = all;
        Ok(self)
    }

    /// Like [`retrieve`](Self::retrieve), but one request at a time, so that a long listing can
    /// be shown as it arrives and its progress reported. Takes the filters; the incidents go to
    /// the caller, not into this container.
    ///
    /// ```no_run
    /// # async fn run(tc: threatdb_sdk::ThreatConnect) -> Result<(), threatdb_sdk::Error> {
    /// let mut incidents = tc.incidents();
    /// incidents.add_filter().add_owner("Example Community");
    /// let mut pages = incidents.retrieve_pages()?;
    /// while let Some(batch) = pages.next_page().await? {
    ///     for incident in batch {
    ///         println!("{} {}", incident.id(), incident.name());
    ///     }
    ///     eprintln!("{:?}", pages.progress());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn retrieve_pages(&mut self) -> Result<Pages> {
        let filters = std::mem::take(&mut self.filters);
        Pages::new(
            Arc::clone(&self.transport),
            filters,
            self.include_additional,
        )
    }

    /// **Not in the Python SDK.** Reads one incident by id (`GET /v2/groups/incidents/{id}`, with
    /// `owner=` only if given), wherever its owner is; `None` if the server answers 404. Unlike
    /// the `add_id` filter, no owner check drops it.
    pub async fn get(&self, id: i64, owner: Option<&str>) -> Result<Option<Incident>> {
        let mut req =
            ApiRequest::new(Method::Get, format!("/v2/groups/incidents/{id}")).owner(owner);
        if self.include_additional {
            req = req.param("includeAdditional", "true");
        }
        match self.transport.call(req).await {
            Ok(body) => {
                let dto = read::one::<IncidentDto>(&body, "incident")?;
                Ok(Some(Incident::retrieved(Arc::clone(&self.transport), dto)))
            }
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// A new incident object named `name` in `owner`. Nothing is sent until its
    /// [`commit`](Incident::commit); it needs an event date first.
    pub fn add(&self, name: impl Into<String>, owner: impl Into<String>) -> Incident {
        Incident::new(Arc::clone(&self.transport), name.into(), Some(owner.into()))
    }

    /// An object for the existing incident `id` (in `owner`, if given), to change and commit
    /// (PUT) without retrieving it first.
    pub fn update(&self, id: i64, owner: Option<&str>) -> Incident {
        let mut i = Incident::new(
            Arc::clone(&self.transport),
            String::new(),
            owner.map(str::to_string),
        );
        i.set_id(id);
        i.forget_name();
        i
    }

    /// Deletes the incident `id` now: `DELETE /v2/groups/incidents/{id}` (with `owner=` if
    /// given).
    pub async fn delete(&self, id: i64, owner: Option<&str>) -> Result<()> {
        let req =
            ApiRequest::new(Method::Delete, format!("/v2/groups/incidents/{id}")).owner(owner);
        self.transport.call(req).await.map(|_| ())
    }

    /// The retrieved incidents.
    pub fn iter(&self) -> std::slice::Iter<'_, Incident> {
        self.objects.iter()
    }

    /// The retrieved incidents, to change and commit.
    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, Incident> {
        self.objects.iter_mut()
    }

    /// How many incidents were retrieved.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// Whether nothing was retrieved.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// The retrieved incident with this id.
    pub fn get_resource_by_id(&self, id: i64) -> Option<&Incident> {
        self.objects.iter().find(|i| i.id() == id)
    }

    /// The retrieved incidents with this name.
    pub fn get_resource_by_name(&self, name: &str) -> Vec<&Incident> {
        self.objects.iter().filter(|i| i.name() == name).collect()
    }
}

impl<'a> IntoIterator for &'a Incidents {
    type Item = &'a Incident;
    type IntoIter = std::slice::Iter<'a, Incident>;

    fn into_iter(self) -> Self::IntoIter {
        self.objects.iter()
    }
}

impl<'a> IntoIterator for &'a mut Incidents {
    type Item = &'a mut Incident;
    type IntoIter = std::slice::IterMut<'a, Incident>;

    fn into_iter(self) -> Self::IntoIter {
        self.objects.iter_mut()
    }
}

impl IntoIterator for Incidents {
    type Item = Incident;
    type IntoIter = std::vec::IntoIter<Incident>;

    fn into_iter(self) -> Self::IntoIter {
        self.objects.into_iter()
    }
}
