//! The same API without `async`, for scripts: each type owns (a share of) a single-threaded
//! tokio runtime and waits for every call. Do not use it inside an async runtime (that is an
//! [`Error::InvalidInput`], not a panic); use the async types there.
//!
//! ```no_run
//! use threatdb_sdk::blocking::ThreatConnect;
//!
//! fn main() -> Result<(), threatdb_sdk::Error> {
//!     let tc = ThreatConnect::from_env()?;
//!
//!     // instantiate Incidents object
//!     let mut incidents = tc.incidents();
//!
//!     let owner = "Example Community";
//!
//!     // set a filter to only retrieve Incidents in the 'Example Community' tagged: 'Nation State'
//!     let filter1 = incidents.add_filter();
//!     filter1.add_owner(owner);
//!     filter1.add_tag("Nation State");
//!
//!     // retrieve the Incidents
//!     incidents.retrieve()?;
//!
//!     // iterate through the retrieved Incidents and print their properties
//!     for incident in &incidents {
//!         println!("{}", incident.id());
//!         println!("{}", incident.name());
//!         println!("{}", incident.date_added());
//!         println!("{}", incident.weblink());
//!
//!         // Incident specific property
//!         println!("{}", incident.event_date().unwrap_or_default());
//!
//!         println!();
//!     }
//!     Ok(())
//! }
//! ```

use crate::client::User;
use crate::config::Credentials;
use crate::error::{Error, Result};
use crate::filter::IncidentFilter;
use crate::retrieve::Progress;
use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use threatdb_wire::dto::{AttributeDto, OwnerDto, SecurityLabelDto, TagDto};

/// The runtime every blocking object waits on.
#[derive(Clone)]
struct Runtime(Arc<OwnedRuntime>);

/// Shuts its runtime down without waiting, so that dropping the last blocking object inside an
/// async context does not panic.
struct OwnedRuntime(Option<tokio::runtime::Runtime>);

impl Drop for OwnedRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

impl Runtime {
    fn new() -> Result<Self> {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map(|rt| Runtime(Arc::new(OwnedRuntime(Some(rt)))))
            .map_err(|e| Error::Config(format!("cannot start a tokio runtime: {e}")))
    }

    fn block_on<T>(&self, f: impl Future<Output = Result<T>>) -> Result<T> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::InvalidInput(
                "the blocking API cannot be used inside an async runtime: use the async API".into(),
            ));
        }
        match &self.0.0 {
            Some(rt) => rt.block_on(f),
            None => Err(Error::Config("the runtime has shut down".into())),
        }
    }
}

/// The blocking [`crate::ThreatConnect`].
///
/// ```no_run
/// # fn main() -> Result<(), threatdb_sdk::Error> {
/// use threatdb_sdk::blocking::ThreatConnect;
///
/// let tc = ThreatConnect::new("12345678901234567890", "secret", "Example Organization",
///                             "http://127.0.0.1:8450/api")?;
/// let mut incidents = tc.incidents();
/// incidents.add_filter().add_id(123456);
/// incidents.retrieve()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ThreatConnect {
    inner: crate::ThreatConnect,
    rt: Runtime,
}

impl std::fmt::Debug for ThreatConnect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.fmt(f)
    }
}

impl ThreatConnect {
    /// See [`crate::ThreatConnect::new`].
    pub fn new(
        api_access_id: impl Into<String>,
        api_secret_key: impl Into<String>,
        api_default_org: impl Into<String>,
        api_base_url: impl AsRef<str>,
    ) -> Result<Self> {
        Self::wrap(crate::ThreatConnect::new(
            api_access_id,
            api_secret_key,
            api_default_org,
            api_base_url,
        )?)
    }

    /// Blocking calls on an async client's settings.
    pub fn wrap(inner: crate::ThreatConnect) -> Result<Self> {
        Ok(ThreatConnect {
            inner,
            rt: Runtime::new()?,
        })
    }

    /// See [`crate::ThreatConnect::from_env`].
    pub fn from_env() -> Result<Self> {
        Self::wrap(crate::ThreatConnect::from_env()?)
    }

    /// See [`crate::ThreatConnect::from_config_file`].
    pub fn from_config_file(path: impl AsRef<Path>) -> Result<Self> {
        Self::wrap(crate::ThreatConnect::from_config_file(path)?)
    }

    /// See [`crate::ThreatConnect::from_credentials`].
    pub fn from_credentials(c: Credentials) -> Result<Self> {
        Self::wrap(crate::ThreatConnect::from_credentials(c)?)
    }

    /// The async client underneath.
    pub fn as_async(&self) -> &crate::ThreatConnect {
        &self.inner
    }

    /// See [`crate::ThreatConnect::set_api_result_limit`].
    pub fn set_api_result_limit(&mut self, limit: u32) -> Result<&mut Self> {
        self.inner.set_api_result_limit(limit)?;
        Ok(self)
    }

    /// See [`crate::ThreatConnect::set_api_request_timeout`].
    pub fn set_api_request_timeout(&mut self, timeout: Duration) -> Result<&mut Self> {
        self.inner.set_api_request_timeout(timeout)?;
        Ok(self)
    }

    /// See [`crate::ThreatConnect::set_api_retries`].
    pub fn set_api_retries(&mut self, retries: u32) -> &mut Self {
        self.inner.set_api_retries(retries);
        self
    }

    /// See [`crate::ThreatConnect::set_api_sleep`].
    pub fn set_api_sleep(&mut self, sleep: Duration) -> &mut Self {
        self.inner.set_api_sleep(sleep);
        self
    }

    /// See [`crate::ThreatConnect::set_proxies`].
    pub fn set_proxies(&mut self, proxy_url: impl Into<String>) -> Result<&mut Self> {
        self.inner.set_proxies(proxy_url)?;
        Ok(self)
    }

    /// See [`crate::ThreatConnect::set_activity_log`].
    pub fn set_activity_log(&mut self, enabled: bool) -> &mut Self {
        self.inner.set_activity_log(enabled);
        self
    }

    /// A new, empty [`Incidents`] container. Nothing is sent.
    pub fn incidents(&self) -> Incidents {
        Incidents {
            inner: self.inner.incidents(),
            objects: Vec::new(),
            rt: self.rt.clone(),
        }
    }

    /// See [`crate::ThreatConnect::owners`].
    pub fn owners(&self) -> Result<Vec<OwnerDto>> {
        self.rt.block_on(self.inner.owners())
    }

    /// See [`crate::ThreatConnect::whoami`].
    pub fn whoami(&self) -> Result<User> {
        self.rt.block_on(self.inner.whoami())
    }
}

/// The blocking [`crate::Incidents`].
#[derive(Clone)]
pub struct Incidents {
    inner: crate::Incidents,
    objects: Vec<Incident>,
    rt: Runtime,
}

impl std::fmt::Debug for Incidents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Incidents")
            .field("filters", &self.inner.filter_objects())
            .field("objects", &self.objects)
            .finish()
    }
}

impl Incidents {
    fn wrap(&self, inner: crate::Incident) -> Incident {
        Incident {
            inner,
            rt: self.rt.clone(),
        }
    }

    /// See [`crate::Incidents::add_filter`].
    pub fn add_filter(&mut self) -> &mut IncidentFilter {
        self.inner.add_filter()
    }

    /// See [`crate::Incidents::set_include_additional`].
    pub fn set_include_additional(&mut self, include: bool) -> &mut Self {
        self.inner.set_include_additional(include);
        self
    }

    /// See [`crate::Incidents::retrieve`].
    pub fn retrieve(&mut self) -> Result<&mut Self> {
        let mut pages = self.inner.retrieve_pages()?;
        let mut all = Vec::new();
        while let Some(batch) = self.rt.block_on(pages.next_page())? {
            all.extend(batch.into_iter().map(|i| self.wrap(i)));
        }
        self.objects = all;
        Ok(self)
    }

    /// See [`crate::Incidents::retrieve_pages`].
    pub fn retrieve_pages(&mut self) -> Result<Pages> {
        Ok(Pages {
            inner: self.inner.retrieve_pages()?,
            rt: self.rt.clone(),
        })
    }

    /// See [`crate::Incidents::get`].
    pub fn get(&self, id: i64, owner: Option<&str>) -> Result<Option<Incident>> {
        Ok(self
            .rt
            .block_on(self.inner.get(id, owner))?
            .map(|i| self.wrap(i)))
    }

    /// See [`crate::Incidents::add`].
    pub fn add(&self, name: impl Into<String>, owner: impl Into<String>) -> Incident {
        self.wrap(self.inner.add(name, owner))
    }

    /// See [`crate::Incidents::update`].
    pub fn update(&self, id: i64, owner: Option<&str>) -> Incident {
        self.wrap(self.inner.update(id, owner))
    }

    /// See [`crate::Incidents::delete`].
    pub fn delete(&self, id: i64, owner: Option<&str>) -> Result<()> {
        self.rt.block_on(self.inner.delete(id, owner))
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

/// The blocking [`crate::retrieve::Pages`].
pub struct Pages {
    inner: crate::retrieve::Pages,
    rt: Runtime,
}

impl Pages {
    /// See [`crate::retrieve::Pages::next_page`].
    pub fn next_page(&mut self) -> Result<Option<Vec<Incident>>> {
        let rt = self.rt.clone();
        Ok(rt.block_on(self.inner.next_page())?.map(|batch| {
            batch
                .into_iter()
                .map(|inner| Incident {
                    inner,
                    rt: rt.clone(),
                })
                .collect()
        }))
    }

    /// See [`crate::retrieve::Pages::progress`].
    pub fn progress(&self) -> Progress {
        self.inner.progress()
    }
}

/// The blocking [`crate::Incident`]. Its getters and setters are those of [`crate::Incident`]
/// (through `Deref`); `commit`, `delete` and the `load_*` calls wait here.
///
/// ```no_run
/// # fn run(tc: threatdb_sdk::blocking::ThreatConnect) -> Result<(), threatdb_sdk::Error> {
/// let incidents = tc.incidents();
///
/// let owner = "Example Community";
///
/// // create an Incident with an updated name
/// let mut incident = incidents.add("Updated Incident", owner);
/// // set the ID of the new Incident to the ID of the existing Incident you want to update
/// incident.set_id(123456);
///
/// // update the Incident - no API calls are made until this line
/// incident.commit()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Incident {
    inner: crate::Incident,
    rt: Runtime,
}

impl std::fmt::Debug for Incident {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.fmt(f)
    }
}

impl std::ops::Deref for Incident {
    type Target = crate::Incident;

    fn deref(&self) -> &crate::Incident {
        &self.inner
    }
}

impl std::ops::DerefMut for Incident {
    fn deref_mut(&mut self) -> &mut crate::Incident {
        &mut self.inner
    }
}

impl Incident {
    /// See [`crate::Incident::commit`].
    pub fn commit(&mut self) -> Result<&mut Self> {
        self.rt.block_on(self.inner.commit())?;
        Ok(self)
    }

    /// See [`crate::Incident::delete`].
    pub fn delete(&mut self) -> Result<()> {
        self.rt.block_on(self.inner.delete())
    }

    /// See [`crate::Incident::load_attributes`].
    pub fn load_attributes(&mut self) -> Result<&[AttributeDto]> {
        let rt = self.rt.clone();
        rt.block_on(async { self.inner.load_attributes().await.map(|_| ()) })?;
        Ok(self.inner.attributes())
    }

    /// See [`crate::Incident::load_tags`].
    pub fn load_tags(&mut self) -> Result<&[TagDto]> {
        let rt = self.rt.clone();
        rt.block_on(async { self.inner.load_tags().await.map(|_| ()) })?;
        Ok(self.inner.tags())
    }

    /// See [`crate::Incident::load_security_labels`].
    pub fn load_security_labels(&mut self) -> Result<&[SecurityLabelDto]> {
        let rt = self.rt.clone();
        rt.block_on(async { self.inner.load_security_labels().await.map(|_| ()) })?;
        Ok(self.inner.security_labels())
    }

    /// See [`crate::Incident::group_associations`].
    pub fn group_associations(&self) -> Result<Vec<threatdb_wire::assoc::ItemDto>> {
        self.rt.block_on(self.inner.group_associations())
    }

    /// See [`crate::Incident::indicator_associations`].
    pub fn indicator_associations(&self) -> Result<Vec<threatdb_wire::assoc::IndicatorDto>> {
        self.rt.block_on(self.inner.indicator_associations())
    }

    /// See [`crate::Incident::victim_associations`].
    pub fn victim_associations(&self) -> Result<Vec<threatdb_wire::assoc::ItemDto>> {
        self.rt.block_on(self.inner.victim_associations())
    }

    /// The async incident underneath.
    pub fn into_async(self) -> crate::Incident {
        self.inner
    }
}
