//! The v3 API (`/v3/groups`, `/v3/indicators`), as tcex's v3 objects use it: a collection with
//! a TQL filter and `fields=`, iterated page by page through the server's `next` links.
//!
//! ```no_run
//! # async fn run(tc: threatdb_sdk::ThreatConnect) -> Result<(), threatdb_sdk::Error> {
//! // like tcex: groups = tcex.api.tc.v3.groups(); groups.filter.tql = '...'
//! let mut groups = tc.v3().groups();
//! groups.filter().tql(r#"typeName EQ "Incident" AND hasTag(summary EQ "Phishing")"#);
//! groups.fields(["tags", "attributes"]);
//! let mut pages = groups.pages();
//! while let Some(page) = pages.next_page().await? {
//!     for group in page {
//!         println!("{} {}", group.id, group.name);
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! Writing, as tcex's `group.create()` with staged tags: one request, all or nothing.
//!
//! ```no_run
//! # async fn run(tc: threatdb_sdk::ThreatConnect) -> Result<(), threatdb_sdk::Error> {
//! use threatdb_sdk::v3::{GroupBody, Mode, Nested, TagRef};
//!
//! let body = GroupBody {
//!     kind: Some("Incident".into()),
//!     name: Some("Phish wave 12".into()),
//!     tags: Some(Nested::new(Mode::Append, vec![TagRef { id: None, name: Some("Phishing".into()) }])),
//!     ..GroupBody::default()
//! };
//! let created = tc.v3().create_group(&body, &["tags"]).await?;
//! tc.v3().delete_group(created.id).await?;
//! # Ok(()) }
//! ```

use crate::error::{Error, Result};
use crate::request::{ApiRequest, Method};
use crate::transport::Transport;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::marker::PhantomData;
use std::sync::Arc;

pub use threatdb_wire::v3::{
    AttributeItem, Change, DeletedObject, Group, GroupBody, Indicator, IndicatorBody, LabelRef,
    Mode, Nested, Restored, Revert, TagRef,
};

/// The v3 API of a [`ThreatConnect`](crate::ThreatConnect) client.
#[derive(Clone)]
pub struct V3 {
    transport: Arc<Transport>,
}

impl V3 {
    pub(crate) fn new(transport: Arc<Transport>) -> Self {
        V3 { transport }
    }

    /// Every group the filter selects (`/v3/groups`), as `tcex.api.tc.v3.groups()`.
    pub fn groups(&self) -> Collection<Group> {
        Collection::new(Arc::clone(&self.transport), "/v3/groups")
    }

    /// Every indicator the filter selects (`/v3/indicators`), as `tcex.api.tc.v3.indicators()`.
    pub fn indicators(&self) -> Collection<Indicator> {
        Collection::new(Arc::clone(&self.transport), "/v3/indicators")
    }

    /// One group by id, with the nested collections named in `fields`.
    pub async fn group(&self, id: i64, fields: &[&str]) -> Result<Group> {
        self.one(&format!("/v3/groups/{id}"), fields).await
    }

    /// One indicator by id, with the nested collections named in `fields`.
    pub async fn indicator(&self, id: i64, fields: &[&str]) -> Result<Indicator> {
        self.one(&format!("/v3/indicators/{id}"), fields).await
    }

    /// The changes recorded on a group (`/v3/groups/{id}/history`, a threatdb extension),
    /// newest first: the first `filter.limit` of those the filter keeps.
    pub async fn group_history(&self, id: i64, filter: &HistoryFilter) -> Result<Vec<Change>> {
        self.history(&format!("/v3/groups/{id}/history"), filter)
            .await
    }

    /// The changes recorded on an indicator (`/v3/indicators/{id}/history`), newest first.
    pub async fn indicator_history(&self, id: i64, filter: &HistoryFilter) -> Result<Vec<Change>> {
        self.history(&format!("/v3/indicators/{id}/history"), filter)
            .await
    }

    /// Undoes one change of a group, or every change after a time (`revert.to`); the changes
    /// the undoing recorded (`POST /v3/groups/{id}/history/revert`, a threatdb extension).
    pub async fn revert_group(&self, id: i64, revert: &Revert) -> Result<Vec<Change>> {
        let path = format!("/v3/groups/{id}/history/revert");
        self.write(Method::Post, &path, revert, &[]).await
    }

    /// Undoes one change of an indicator, or every change after a time.
    pub async fn revert_indicator(&self, id: i64, revert: &Revert) -> Result<Vec<Change>> {
        let path = format!("/v3/indicators/{id}/history/revert");
        self.write(Method::Post, &path, revert, &[]).await
    }

    /// The deleted groups of `owner` (default: your organization) kept for restoring, newest
    /// deletion first, at most `limit` (`/v3/groups/deleted`, a threatdb extension).
    pub async fn deleted_groups(
        &self,
        owner: Option<&str>,
        limit: u32,
    ) -> Result<Vec<DeletedObject>> {
        self.deleted("/v3/groups/deleted", owner, limit).await
    }

    /// The deleted indicators of `owner` kept for restoring, newest deletion first.
    pub async fn deleted_indicators(
        &self,
        owner: Option<&str>,
        limit: u32,
    ) -> Result<Vec<DeletedObject>> {
        self.deleted("/v3/indicators/deleted", owner, limit).await
    }

    /// Restores a deleted group with its id and last state; what could not be put back is in
    /// `skipped`.
    pub async fn restore_group(&self, id: i64) -> Result<Restored> {
        let req = ApiRequest::new(Method::Post, format!("/v3/groups/{id}/restore"));
        data(&self.transport.call(req).await?)
    }

    /// Restores a deleted indicator.
    pub async fn restore_indicator(&self, id: i64) -> Result<Restored> {
        let req = ApiRequest::new(Method::Post, format!("/v3/indicators/{id}/restore"));
        data(&self.transport.call(req).await?)
    }

    async fn deleted(
        &self,
        path: &str,
        owner: Option<&str>,
        limit: u32,
    ) -> Result<Vec<DeletedObject>> {
        let mut req = ApiRequest::new(Method::Get, path)
            .param("resultLimit", limit.clamp(1, 10_000).to_string());
        if let Some(owner) = owner {
            req = req.param("owner", owner.to_string());
        }
        data(&self.transport.call(req).await?)
    }

    async fn history(&self, path: &str, filter: &HistoryFilter) -> Result<Vec<Change>> {
        let mut req = ApiRequest::new(Method::Get, path)
            .param("resultLimit", filter.limit.clamp(1, 10_000).to_string());
        for (name, value) in [
            ("field", &filter.field),
            ("user", &filter.user),
            ("since", &filter.since),
        ] {
            if let Some(v) = value {
                req = req.param(name, v.clone());
            }
        }
        data(&self.transport.call(req).await?)
    }

    /// Creates a group (any type) with its nested collections, in one request; the group as
    /// stored, with the nested collections named in `fields`.
    pub async fn create_group(&self, body: &GroupBody, fields: &[&str]) -> Result<Group> {
        self.write(Method::Post, "/v3/groups", body, fields).await
    }

    /// Changes a group: the fields `body` carries, each nested collection by its mode.
    pub async fn update_group(&self, id: i64, body: &GroupBody, fields: &[&str]) -> Result<Group> {
        self.write(Method::Put, &format!("/v3/groups/{id}"), body, fields)
            .await
    }

    /// Deletes a group.
    pub async fn delete_group(&self, id: i64) -> Result<()> {
        self.delete(&format!("/v3/groups/{id}")).await
    }

    /// Creates an indicator with its nested collections, in one request.
    pub async fn create_indicator(
        &self,
        body: &IndicatorBody,
        fields: &[&str],
    ) -> Result<Indicator> {
        self.write(Method::Post, "/v3/indicators", body, fields)
            .await
    }

    /// Changes an indicator's nested collections, each by its mode.
    pub async fn update_indicator(
        &self,
        id: i64,
        body: &IndicatorBody,
        fields: &[&str],
    ) -> Result<Indicator> {
        self.write(Method::Put, &format!("/v3/indicators/{id}"), body, fields)
            .await
    }

    /// Deletes an indicator.
    pub async fn delete_indicator(&self, id: i64) -> Result<()> {
        self.delete(&format!("/v3/indicators/{id}")).await
    }

    async fn write<B: serde::Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: &B,
        fields: &[&str],
    ) -> Result<T> {
        let json = serde_json::to_string(body)
            .map_err(|e| Error::InvalidInput(format!("the body: {e}")))?;
        let mut req = ApiRequest::new(method, path).body(json);
        if !fields.is_empty() {
            req = req.param("fields", fields.join(","));
        }
        data(&self.transport.call(req).await?)
    }

    async fn delete(&self, path: &str) -> Result<()> {
        self.transport
            .call(ApiRequest::new(Method::Delete, path))
            .await
            .map(drop)
    }

    async fn one<T: DeserializeOwned>(&self, path: &str, fields: &[&str]) -> Result<T> {
        let mut req = ApiRequest::new(Method::Get, path);
        if !fields.is_empty() {
            req = req.param("fields", fields.join(","));
        }
        data(&self.transport.call(req).await?)
    }
}

/// Which changes of an object's history to read.
#[derive(Debug, Clone)]
pub struct HistoryFilter {
    /// Changes of this field only (`status`, `tag`, `attribute:Description`, ...).
    pub field: Option<String>,
    /// Changes by this user only (their name).
    pub user: Option<String>,
    /// Changes at or after this date (ISO 8601).
    pub since: Option<String>,
    /// How many, newest first (at most 10,000).
    pub limit: u32,
}

impl Default for HistoryFilter {
    fn default() -> Self {
        HistoryFilter {
            field: None,
            user: None,
            since: None,
            limit: 100,
        }
    }
}

/// The `data` of a v3 answer.
fn data<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    #[derive(Deserialize)]
    struct One<T> {
        data: T,
    }
    serde_json::from_slice::<One<T>>(body)
        .map(|o| o.data)
        .map_err(|e| Error::UnexpectedResponse(format!("a v3 answer: {e}")))
}

/// The filter of a collection: TQL, as tcex's `filter.tql`.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    tql: Option<String>,
}

impl Filter {
    /// The whole query, in TQL (`typeName EQ "Incident" AND ...`). Checked by the server: a
    /// bad one is an [`Error::Api`] with status 400 whose message names the column.
    pub fn tql(&mut self, query: impl Into<String>) -> &mut Self {
        self.tql = Some(query.into());
        self
    }
}

/// A v3 list: what it selects, and which nested collections each item carries.
pub struct Collection<T> {
    transport: Arc<Transport>,
    path: &'static str,
    filter: Filter,
    fields: Vec<String>,
    owner: Option<String>,
    limit: Option<u32>,
    _items: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> Collection<T> {
    fn new(transport: Arc<Transport>, path: &'static str) -> Self {
        Collection {
            transport,
            path,
            filter: Filter::default(),
            fields: Vec::new(),
            owner: None,
            limit: None,
            _items: PhantomData,
        }
    }

    /// The filter, to set its TQL.
    pub fn filter(&mut self) -> &mut Filter {
        &mut self.filter
    }

    /// The nested collections each item carries (`tags`, `securityLabels`, `attributes`,
    /// `associatedGroups`, `associatedIndicators`).
    pub fn fields<I, S>(&mut self, names: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.fields = names.into_iter().map(Into::into).collect();
        self
    }

    /// The owner to list (default: the API user's organization).
    pub fn owner(&mut self, owner: impl Into<String>) -> &mut Self {
        self.owner = Some(owner.into());
        self
    }

    /// The page size (default: the client's result limit).
    pub fn result_limit(&mut self, limit: u32) -> &mut Self {
        self.limit = Some(limit);
        self
    }

    /// The pages, fetched one at a time as [`Pages::next_page`] is called.
    pub fn pages(&self) -> Pages<T> {
        // A page whose rows carry nested collections read row by row is at most 100 rows on
        // the server (associations, or a list of another group type than Incident).
        let limit = self.limit.unwrap_or_else(|| self.transport.result_limit());
        let limit = if self.fields.is_empty() {
            limit
        } else {
            limit.min(NESTED_PAGE)
        };
        let mut first = ApiRequest::new(Method::Get, self.path)
            .param("resultLimit", limit.to_string())
            .param("resultStart", "0")
            .param("count", "true");
        if let Some(q) = &self.filter.tql {
            first = first.param("tql", q.clone());
        }
        if !self.fields.is_empty() {
            first = first.param("fields", self.fields.join(","));
        }
        if let Some(o) = &self.owner {
            first = first.param("owner", o.clone());
        }
        Pages {
            transport: Arc::clone(&self.transport),
            path: self.path,
            next: Some(first),
            count: None,
            _items: PhantomData,
        }
    }

    /// Every item, all pages read.
    pub async fn all(&self) -> Result<Vec<T>> {
        let mut pages = self.pages();
        let mut out = Vec::new();
        while let Some(page) = pages.next_page().await? {
            out.extend(page);
        }
        Ok(out)
    }
}

/// A collection read page by page, following the server's `next` links.
pub struct Pages<T> {
    transport: Arc<Transport>,
    path: &'static str,
    next: Option<ApiRequest>,
    count: Option<u64>,
    _items: PhantomData<fn() -> T>,
}

#[derive(Deserialize)]
struct ListAnswer<T> {
    data: Vec<T>,
    #[serde(default)]
    count: Option<u64>,
    #[serde(default)]
    next: Option<String>,
}

/// The page size when items carry nested collections (the server's bound for some of them).
pub const NESTED_PAGE: u32 = 100;

/// The parameters a `next` link carries that a request repeats (names the server reads).
const NEXT_PARAMS: [&str; 8] = [
    "tql",
    "fields",
    "sorting",
    "owner",
    "count",
    "afterId",
    "resultLimit",
    "resultStart",
];

impl<T: DeserializeOwned> Pages<T> {
    /// The number of matches, known once the first page is read.
    pub fn count(&self) -> Option<u64> {
        self.count
    }

    /// The next page; `None` once every page was read.
    pub async fn next_page(&mut self) -> Result<Option<Vec<T>>> {
        let Some(req) = self.next.take() else {
            return Ok(None);
        };
        let body = self.transport.call(req).await?;
        let answer: ListAnswer<T> = serde_json::from_slice(&body)
            .map_err(|e| Error::UnexpectedResponse(format!("a v3 list: {e}")))?;
        if answer.count.is_some() {
            self.count = answer.count;
        }
        if let Some(link) = answer.next {
            self.next = Some(self.follow(&link)?);
        }
        Ok(Some(answer.data))
    }

    /// The request a `next` link names (its query, on this collection's path: the link may be
    /// relative to the API root or absolute).
    fn follow(&self, link: &str) -> Result<ApiRequest> {
        let query = link.split_once('?').map(|(_, q)| q).unwrap_or_default();
        // Only the query matters (the link may be relative to the API root or absolute).
        let mut url = reqwest::Url::parse("http://next.invalid/")
            .map_err(|e| Error::UnexpectedResponse(format!("a next link: {e}")))?;
        url.set_query(Some(query));
        let mut req = ApiRequest::new(Method::Get, self.path);
        for (name, value) in url.query_pairs() {
            if let Some(known) = NEXT_PARAMS.iter().find(|n| **n == name) {
                req = req.param(known, value.into_owned());
            }
        }
        if req.params.is_empty() {
            return Err(Error::UnexpectedResponse(format!(
                "a next link without a query: {link}"
            )));
        }
        Ok(req)
    }
}
