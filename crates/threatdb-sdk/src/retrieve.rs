//! The retrieval algorithm of tc-v2-wire.md §7.3, one page at a time.
//!
//! Every filter object runs each of its requests once per owner; a request's results are
//! checked against that owner and the object's post-filters; an object's results are the union
//! of its requests'. The first object's results are the seed; each later object intersects
//! (`And`) or unions (`Or`) with them. Incidents are de-duplicated by id. A 404 retrieves
//! nothing. With no filter object, one paginated list request without an owner is sent.

use crate::error::{Error, Result};
use crate::filter::{FilterSetOperator, IncidentFilter, PostFilter};
use crate::incident::Incident;
use crate::read;
use crate::request::{ApiRequest, Method};
use crate::transport::Transport;
use crate::transport::paging::PageCursor;
use std::collections::HashSet;
use std::sync::Arc;
use threatdb_wire::dto::IncidentDto;

/// How far a retrieval has got, for progress displays.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Requests (pages) sent so far.
    pub pages: u64,
    /// Incidents received so far, before owner checks, post-filters and de-duplication.
    pub received: u64,
    /// Incidents the server announced (`resultCount`) for the requests started so far.
    pub announced: u64,
    /// Paginated requests not yet started, of all the retrieval's requests.
    pub requests_left: usize,
}

/// One request of the plan: which filter object it belongs to and which owner its results must
/// have.
struct Unit {
    filter: usize,
    owner_check: Option<String>,
    request: ApiRequest,
    paginated: bool,
}

/// The per-filter-object rules.
struct Rule {
    operator: FilterSetOperator,
    post: Vec<PostFilter>,
}

/// A retrieval in progress: [`Incidents::retrieve_pages`](crate::Incidents::retrieve_pages)
/// makes one; each [`next_page`](Self::next_page) sends one request.
pub struct Pages {
    transport: Arc<Transport>,
    units: Vec<Unit>,
    rules: Vec<Rule>,
    include_additional: bool,
    next_unit: usize,
    /// Paging of the current unit.
    cursor: PageCursor,
    /// Ids already returned (streaming) or in `acc` (combining).
    seen: HashSet<i64>,
    /// Several filter objects: the combined result so far.
    acc: Option<Vec<Incident>>,
    /// Several filter objects: the current object's results and their ids.
    current: Vec<Incident>,
    current_ids: HashSet<i64>,
    current_filter: usize,
    progress: Progress,
    done: bool,
}

impl std::fmt::Debug for Pages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("requests", &self.units.len())
            .field("progress", &self.progress)
            .field("done", &self.done)
            .finish()
    }
}

impl Pages {
    pub(crate) fn new(
        transport: Arc<Transport>,
        filters: Vec<IncidentFilter>,
        include_additional: bool,
    ) -> Result<Self> {
        let errors: Vec<String> = filters.iter().flat_map(|f| f.errors.clone()).collect();
        if !errors.is_empty() {
            return Err(Error::InvalidInput(errors.join("; ")));
        }
        let mut units = Vec::new();
        let mut rules = Vec::new();
        if filters.is_empty() {
            rules.push(Rule {
                operator: FilterSetOperator::And,
                post: Vec::new(),
            });
            units.push(Unit {
                filter: 0,
                owner_check: None,
                request: ApiRequest::new(Method::Get, "/v2/groups/incidents"),
                paginated: true,
            });
        }
        for (i, f) in filters.into_iter().enumerate() {
            let owners = if f.owners.is_empty() {
                vec![transport.default_org().to_string()]
            } else {
                f.owners.clone()
            };
            for owner in owners {
                for (request, paginated) in f.requests(&owner) {
                    units.push(Unit {
                        filter: i,
                        owner_check: Some(owner.clone()),
                        request,
                        paginated,
                    });
                }
            }
            rules.push(Rule {
                operator: f.operator,
                post: f.post,
            });
        }
        let progress = Progress {
            requests_left: units.len(),
            ..Progress::default()
        };
        Ok(Pages {
            transport,
            units,
            rules,
            include_additional,
            next_unit: 0,
            cursor: PageCursor::default(),
            seen: HashSet::new(),
            acc: None,
            current: Vec::new(),
            current_ids: HashSet::new(),
            current_filter: 0,
            progress,
            done: false,
        })
    }

    /// How far the retrieval has got.
    pub fn progress(&self) -> Progress {
        self.progress
    }

    /// Whether results can be handed out as pages arrive (one filter object at most); with
    /// several, they are known only at the end.
    fn streaming(&self) -> bool {
        self.rules.len() <= 1
    }

    /// Sends the next request and returns the incidents that became final with it: with one
    /// filter object (or none), the new incidents of that page; with several, nothing until the
    /// last request, then all of them. `None` once everything has been fetched.
    pub async fn next_page(&mut self) -> Result<Option<Vec<Incident>>> {
        if self.done {
            return Ok(None);
        }
        let Some(unit) = self.units.get(self.next_unit) else {
            self.done = true;
            if self.streaming() {
                return Ok(None);
            }
            self.fold_current();
            return Ok(Some(self.acc.take().unwrap_or_default()));
        };
        let filter = unit.filter;
        if filter != self.current_filter {
            self.fold_current();
            self.current_filter = filter;
        }
        let Some(unit) = self.units.get(self.next_unit) else {
            return Ok(None);
        };
        let limit = u64::from(self.transport.result_limit());
        let start = self.cursor.start();
        let mut req = unit.request.clone();
        if unit.paginated {
            req = req
                .param("resultLimit", limit.to_string())
                .param("resultStart", start.to_string());
        }
        if self.include_additional {
            req = req.param("includeAdditional", "true");
        }
        let owner_check = unit.owner_check.clone();
        let paginated = unit.paginated;
        if !self.cursor.is_started() {
            self.progress.requests_left = self.progress.requests_left.saturating_sub(1);
        }
        self.progress.pages += 1;

        let (count, items) = match self.transport.call(req).await {
            Ok(body) => {
                let page = read::list::<IncidentDto>(&body, "incident")?;
                (page.result_count, page.items)
            }
            // The legacy SDK logs a 404 and carries on: a missing id or tag retrieves nothing.
            Err(e) if e.is_not_found() => (Some(0), Vec::new()),
            Err(e) => return Err(e),
        };
        let got = items.len() as u64;
        self.progress.received += got;
        if start == 0 {
            self.progress.announced += count.unwrap_or(got);
        }
        if !self.cursor.advance(paginated, limit, count, got) {
            self.next_unit += 1;
        }

        let rule = &self.rules[self.current_filter];
        let owner_upper = owner_check.as_ref().map(|o| o.to_uppercase());
        let kept = items.into_iter().filter_map(|dto| {
            if let (Some(owner), Some(upper)) = (&owner_check, &owner_upper) {
                // The Python SDK compares `owner_name.upper()`; equal names need no upper-casing.
                let same = dto
                    .owner_name()
                    .is_some_and(|o| o == owner || o.to_uppercase() == *upper);
                if !same {
                    return None;
                }
            }
            let incident = Incident::retrieved(Arc::clone(&self.transport), dto);
            rule.post
                .iter()
                .all(|p| p.keeps(incident.name(), incident.date_added()))
                .then_some(incident)
        });
        if self.streaming() {
            let fresh: Vec<Incident> = kept.filter(|i| self.seen.insert(i.id())).collect();
            Ok(Some(fresh))
        } else {
            for i in kept {
                if self.current_ids.insert(i.id()) {
                    self.current.push(i);
                }
            }
            Ok(Some(Vec::new()))
        }
    }

    /// Combines the finished filter object's results into the accumulated ones.
    fn fold_current(&mut self) {
        if self.streaming() {
            return;
        }
        let current = std::mem::take(&mut self.current);
        let ids = std::mem::take(&mut self.current_ids);
        let operator = self.rules[self.current_filter].operator;
        self.acc = Some(match self.acc.take() {
            None => {
                self.seen = ids;
                current
            }
            Some(mut acc) => match operator {
                FilterSetOperator::And => {
                    acc.retain(|i| ids.contains(&i.id()));
                    self.seen = acc.iter().map(Incident::id).collect();
                    acc
                }
                FilterSetOperator::Or => {
                    for i in current {
                        if self.seen.insert(i.id()) {
                            acc.push(i);
                        }
                    }
                    acc
                }
            },
        });
    }
}
