//! A filter object turned into requests: its API filters' paths in one owner, with the
//! `filters=` clauses on the paginated ones.

use super::IncidentFilter;
use super::api::{ApiFilter, FilterRequest};
use crate::request::{ApiRequest, Method};

impl IncidentFilter {
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
