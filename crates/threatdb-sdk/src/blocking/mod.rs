//! The same API without `async`, for scripts: each type owns (a share of) a single-threaded
//! tokio runtime and waits for every call. Do not use it inside an async runtime (that is an
//! [`Error::InvalidInput`](crate::Error::InvalidInput), not a panic); use the async types there.
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

#[macro_use]
mod forward;
mod runtime;

use crate::client::User;
use crate::config::Credentials;
use crate::error::Result;
use crate::filter::IncidentFilter;
use crate::retrieve::Progress;
use runtime::Runtime;
use std::path::Path;
use std::time::Duration;
use threatdb_wire::assoc::{IndicatorDto, ItemDto};
use threatdb_wire::dto::{AttributeDto, OwnerDto, SecurityLabelDto, TagDto};

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
    forward! { ThreatConnect;
        make new(
            api_access_id: impl Into<String>,
            api_secret_key: impl Into<String>,
            api_default_org: impl Into<String>,
            api_base_url: impl AsRef<str>
        );
        make with_token(
            api_token: impl Into<String>,
            api_default_org: impl Into<String>,
            api_base_url: impl AsRef<str>
        );
        make from_env();
        make from_config_file(path: impl AsRef<Path>);
        make from_credentials(c: Credentials);
        try_set set_api_result_limit(limit: u32);
        try_set set_api_request_timeout(timeout: Duration);
        set set_api_retries(retries: u32);
        set set_api_sleep(sleep: Duration);
        try_set set_proxies(proxy_url: impl Into<String>);
        try_set set_api_ca_cert(path: impl AsRef<Path>);
        set set_activity_log(enabled: bool);
        wait owners() -> Vec<OwnerDto>;
        wait whoami() -> User;
    }

    /// Blocking calls on an async client's settings.
    pub fn wrap(inner: crate::ThreatConnect) -> Result<Self> {
        Ok(ThreatConnect {
            inner,
            rt: Runtime::new()?,
        })
    }

    /// The async client underneath.
    pub fn as_async(&self) -> &crate::ThreatConnect {
        &self.inner
    }

    /// A new, empty [`Incidents`] container. Nothing is sent.
    pub fn incidents(&self) -> Incidents {
        Incidents {
            inner: self.inner.incidents(),
            objects: Vec::new(),
            rt: self.rt.clone(),
        }
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

    forward! { Incidents;
        borrow add_filter() -> &mut IncidentFilter;
        set set_include_additional(include: bool);
        wait_wrap get(id: i64, owner: Option<&str>);
        wrap add(name: impl Into<String>, owner: impl Into<String>);
        wrap update(id: i64, owner: Option<&str>);
        wait delete(id: i64, owner: Option<&str>) -> ();
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
    forward! { Incident;
        wait_self commit();
        wait_mut delete() -> ();
        load load_attributes() -> attributes: AttributeDto;
        load load_tags() -> tags: TagDto;
        load load_security_labels() -> security_labels: SecurityLabelDto;
        wait group_associations() -> Vec<ItemDto>;
        wait indicator_associations() -> Vec<IndicatorDto>;
        wait victim_associations() -> Vec<ItemDto>;
    }

    /// The async incident underneath.
    pub fn into_async(self) -> crate::Incident {
        self.inner
    }
}
