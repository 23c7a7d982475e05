//! What `/v3/groups` and `/v3/indicators` share: the owner a request names, `fields=`, the
//! `next` links, the nested collections of a body (tags, security labels, attributes) read into
//! one [`NestedChanges`], and the nested collections of an answer.

use super::V3Error;
use super::params::V3Params;
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use threatdb_core::{
    Actor, Attribute, AttributeEdit, AttributePatch, Include, IndicatorValue, NestedChanges,
    NewAttribute, Owner, SecurityLabel, SetMode, StoreError, Tag, TagName, format_timestamp,
};
use threatdb_wire::tql;
use threatdb_wire::v3::{
    self, AttributeItem, DataList, FieldName, Fields, GroupBody, IndicatorBody, LabelRef, Mode,
    Nested, TagRef,
};

/// The most items one nested collection of a request may carry: a body is at most 1 MiB, but
/// 50,000 tags in it would hold the writer in one long transaction (DECISIONS 53).
pub const MAX_NESTED: usize = 500;

/// The parameters of a request's query string.
pub fn params(query: &Option<String>) -> V3Params {
    V3Params::parse(query.as_deref().unwrap_or(""))
}

/// The owner `owner=` names among the actor's (its organization when none): else 403.
pub fn owner_named<'a>(actor: &'a Actor, name: Option<&str>) -> ApiResult<&'a Owner> {
    actor
        .resolve_owner(name)
        .ok_or_else(|| ApiError::Forbidden("Access Denied".into()))
}

/// The owner a list is of and its TQL: `ownerName = "…"` at the top of the query (DECISIONS 60)
/// or `owner=` (they must agree), else the caller's organization; and the query without the
/// owner (`None`: everything in the owner).
pub fn query_of<'a>(
    actor: &'a Actor,
    p: &V3Params,
    table: &'static tql::Table,
) -> ApiResult<(&'a Owner, Option<tql::TypedExpr>)> {
    let (named, rest) = match &p.tql {
        Some(text) => {
            let typed = tql::analyze(text, table).map_err(tql_error)?;
            tql::take_owner(typed).map_err(tql_error)?
        }
        None => (None, None),
    };
    let name = match (p.owner.as_deref(), named.as_deref()) {
        (Some(a), Some(b)) if a.trim() != b.trim() => {
            return Err(ApiError::BadRequest(format!(
                "owner={a} and ownerName \"{b}\" name two owners: a list is of one"
            )));
        }
        (a, b) => b.or(a),
    };
    Ok((owner_named(actor, name)?, rest))
}

/// The owner a create names: `ownerId`, else `ownerName`, else `owner=`, else the actor's
/// organization; one the actor is not a member of is a 403.
pub fn create_owner<'a>(
    actor: &'a Actor,
    p: &V3Params,
    owner_id: Option<i64>,
    owner_name: Option<&str>,
) -> ApiResult<&'a Owner> {
    match (owner_id, owner_name) {
        (Some(id), _) => actor
            .memberships
            .iter()
            .find(|m| m.owner.id == id)
            .map(|m| &m.owner)
            .ok_or_else(|| ApiError::Forbidden("Access Denied".into())),
        (None, Some(name)) => owner_named(actor, Some(name)),
        (None, None) => owner_named(actor, p.owner.as_deref()),
    }
}

/// What a store read loads for these `fields=`.
pub fn include(fields: &Fields) -> Include {
    Include {
        additional: false,
        attributes: fields.has(FieldName::Attributes),
        tags: fields.has(FieldName::Tags),
        labels: fields.has(FieldName::SecurityLabels),
    }
}

/// The largest page whose rows each cost their own store reads: `associatedGroups` or
/// `associatedIndicators` on any list, and any nested collection on a list of another group type
/// than Incident. A page of 10,000 such rows would be 20,000 reads for one request, and with up to
/// 500 associations each ([`MAX_NESTED`]) a page of 100 is already 100,000 nested objects.
pub const MAX_PAGE_READ_PER_ROW: u64 = 100;

/// Refuses a page of more than [`MAX_PAGE_READ_PER_ROW`] rows when `per_row` (each row is read
/// on its own).
pub fn bounded_page(limit: u64, per_row: bool) -> ApiResult<()> {
    if per_row && limit > MAX_PAGE_READ_PER_ROW {
        return Err(ApiError::BadRequest(format!(
            "with associatedGroups or associatedIndicators (or nested fields of a list of another \
             group type than Incident) a page holds at most {MAX_PAGE_READ_PER_ROW} rows: \
             resultLimit={limit} is too many"
        )));
    }
    Ok(())
}

/// Whether `fields` asks for associations (read row by row).
pub fn associations_asked(fields: &Fields) -> bool {
    fields.has(FieldName::AssociatedGroups) || fields.has(FieldName::AssociatedIndicators)
}

/// A `next`/`prev` link (tc-v3-wire.md §6): absolute under an `https` public URL, else relative
/// to the API root (tcex prefixes anything that does not start with `https`).
pub fn link(public_url: &str, endpoint: &str, query: &str) -> String {
    if public_url.starts_with("https") {
        format!("{public_url}/api/v3/{endpoint}?{query}")
    } else {
        format!("/v3/{endpoint}?{query}")
    }
}

/// Where a page of a list stands: what decides its `count`, `next` and `prev`.
pub struct PageState {
    /// `resultStart` and `resultLimit` as the request gave them.
    pub paging: threatdb_core::Paging,
    /// Rows on this page.
    pub shown: u64,
    /// Every match, when they were counted (first pages).
    pub total: Option<u64>,
    /// The request's `afterId`.
    pub after: Option<i64>,
    /// The id the next page starts after (lists in id order); `None`: the next page is by
    /// offset.
    pub last: Option<i64>,
}

/// Sets a list's `count` (first pages, when asked), `next` (while more rows may follow; past
/// the first page there is no count, so a full page has one) and `prev` (pages by offset).
pub fn page_links<T>(
    answer: &mut threatdb_wire::v3::List<T>,
    public_url: &str,
    endpoint: &str,
    p: &V3Params,
    s: PageState,
) {
    let (start, limit) = (s.paging.start, s.paging.limit);
    if p.count && start == 0 && s.after.is_none() {
        answer.count = Some(s.total.unwrap_or(s.shown));
    }
    let more = match s.total {
        Some(total) => {
            s.shown < total && (s.after.is_some() || start.saturating_add(limit) < total)
        }
        None => s.shown == limit,
    };
    if more {
        let next = p.next_query(start.saturating_add(limit), limit, s.last);
        answer.next = Some(link(public_url, endpoint, &next));
    }
    if start > 0 && s.after.is_none() {
        let prev = p.next_query(start.saturating_sub(limit), limit, None);
        answer.prev = Some(link(public_url, endpoint, &prev));
    }
}

/// A TQL error as the 400 it is.
pub fn tql_error(e: tql::TqlError) -> ApiError {
    ApiError::BadRequest(format!("Invalid TQL: {}", e.message))
}

/// Tags as an answer shows them.
pub fn tags(tags: &Option<Vec<Tag>>) -> Option<DataList<v3::Tag>> {
    tags.as_ref().map(|tags| {
        DataList::new(
            tags.iter()
                .map(|t| v3::Tag {
                    id: t.id,
                    name: t.name.clone(),
                    description: None,
                    last_used: None,
                    technique_id: None,
                })
                .collect(),
        )
    })
}

/// Security labels as an answer shows them.
pub fn labels(labels: &Option<Vec<SecurityLabel>>) -> Option<DataList<v3::SecurityLabel>> {
    labels.as_ref().map(|labels| {
        DataList::new(
            labels
                .iter()
                .map(|l| v3::SecurityLabel {
                    id: l.id,
                    name: l.name.clone(),
                    color: l.color.clone(),
                    description: l.description.clone(),
                    owner: None,
                    date_added: Some(format_timestamp(l.date_added)),
                })
                .collect(),
        )
    })
}

/// Attributes as an answer shows them.
pub fn attributes(attributes: &Option<Vec<Attribute>>) -> Option<DataList<v3::Attribute>> {
    attributes.as_ref().map(|attributes| {
        DataList::new(
            attributes
                .iter()
                .map(|a| v3::Attribute {
                    id: a.id,
                    kind: a.kind.clone(),
                    value: a.value.clone(),
                    default: a.displayed,
                    pinned: None,
                    source: a.source.clone(),
                    date_added: format_timestamp(a.date_added),
                    last_modified: format_timestamp(a.last_modified),
                    created_by: None,
                    security_labels: None,
                })
                .collect(),
        )
    })
}

fn set_mode(mode: Mode) -> SetMode {
    match mode {
        Mode::Append => SetMode::Append,
        Mode::Delete => SetMode::Delete,
        Mode::Replace => SetMode::Replace,
    }
}

fn tag_names(items: &[TagRef]) -> ApiResult<Vec<TagName>> {
    items
        .iter()
        .map(|t| match &t.name {
            Some(name) => Ok(TagName::parse(name)?),
            None => Err(ApiError::BadRequest(
                "a tag is named by its name here (a tag given only by id is not served yet)".into(),
            )),
        })
        .collect()
}

fn label_names(items: &[LabelRef]) -> ApiResult<Vec<String>> {
    items
        .iter()
        .map(|l| {
            l.name.clone().ok_or_else(|| {
                ApiError::BadRequest(
                    "a security label is named by its name here (a label given only by id is \
                     not served yet)"
                        .into(),
                )
            })
        })
        .collect()
}

fn attribute_edits(items: &[AttributeItem]) -> ApiResult<Vec<AttributeEdit>> {
    items
        .iter()
        .map(|a| {
            if a.security_labels.is_some() {
                return Err(ApiError::BadRequest(
                    "security labels of an attribute are not served by v3 yet: use the v2 \
                     route .../attributes/{attributeId}/securityLabels"
                        .into(),
                ));
            }
            Ok(match a.id {
                Some(id) => AttributeEdit::Existing {
                    id,
                    patch: AttributePatch {
                        value: a.value.clone(),
                        displayed: a.default,
                        source: a.source.clone(),
                    },
                },
                None => {
                    let kind = a.kind.as_deref().ok_or_else(|| {
                        ApiError::BadRequest("a new attribute needs its type".into())
                    })?;
                    let value = a.value.as_deref().ok_or_else(|| {
                        ApiError::BadRequest("a new attribute needs its value".into())
                    })?;
                    AttributeEdit::New(NewAttribute::parse(
                        kind,
                        value,
                        a.default.unwrap_or(false),
                        a.source.clone(),
                    )?)
                }
            })
        })
        .collect()
}

/// The nested collections of a body.
pub struct NestedBody<'a> {
    /// `tags`.
    pub tags: &'a Option<Nested<TagRef>>,
    /// `securityLabels`.
    pub labels: &'a Option<Nested<LabelRef>>,
    /// `attributes`.
    pub attributes: &'a Option<Nested<AttributeItem>>,
    /// `associatedGroups`: existing groups, by id.
    pub groups: &'a Option<Nested<GroupBody>>,
    /// `associatedIndicators`: existing indicators, by id or by type and value.
    pub indicators: &'a Option<Nested<IndicatorBody>>,
}

/// Refuses a nested collection of more than [`MAX_NESTED`] items.
fn bounded<T>(n: &Option<Nested<T>>) -> ApiResult<()> {
    match n {
        Some(n) if n.data.len() > MAX_NESTED => Err(ApiError::BadRequest(format!(
            "at most {MAX_NESTED} items per nested collection in one request, not {}",
            n.data.len()
        ))),
        _ => Ok(()),
    }
}

/// The nested changes of a body; on a create every mode is append (tc-v3-wire.md §4). An
/// associated indicator given by id is looked up (read access) to name it by value.
pub async fn nested(
    state: &AppState,
    actor: &Actor,
    body: NestedBody<'_>,
    create: bool,
) -> ApiResult<NestedChanges> {
    bounded(body.tags)?;
    bounded(body.labels)?;
    bounded(body.attributes)?;
    bounded(body.groups)?;
    bounded(body.indicators)?;
    let mode = |n_mode: Mode| {
        if create {
            SetMode::Append
        } else {
            set_mode(n_mode)
        }
    };
    fn each<T, U>(
        n: &Option<Nested<T>>,
        mode: impl Fn(Mode) -> SetMode,
        read: impl Fn(&[T]) -> ApiResult<Vec<U>>,
    ) -> ApiResult<Option<(SetMode, Vec<U>)>> {
        n.as_ref()
            .map(|n| Ok((mode(n.mode), read(&n.data)?)))
            .transpose()
    }
    let indicators = match body.indicators {
        None => None,
        Some(n) => {
            let mut values = Vec::with_capacity(n.data.len());
            for item in &n.data {
                values.push(match item.id {
                    Some(id) => {
                        let found = match state.store.indicator_by_id(actor, id).await {
                            Err(StoreError::NotFound) => {
                                return Err(ApiError::BadRequest(format!(
                                    "indicator {id} was not found"
                                )));
                            }
                            other => other?,
                        };
                        IndicatorValue::parse(found.kind, &found.value)?
                    }
                    None => super::indicators::value_of(item)?,
                });
            }
            Some((mode(n.mode), values))
        }
    };
    Ok(NestedChanges {
        tags: each(body.tags, mode, tag_names)?,
        labels: each(body.labels, mode, label_names)?,
        attributes: each(body.attributes, mode, attribute_edits)?,
        groups: each(body.groups, mode, |items| {
            items
                .iter()
                .map(|g| {
                    g.id.ok_or_else(|| {
                        ApiError::BadRequest(
                            "an associated group is named by its id here (create it first)".into(),
                        )
                    })
                })
                .collect()
        })?,
        indicators,
        scores: threatdb_core::IndicatorScores::default(),
    })
}

/// A duplicate is the request's mistake (tc-v3-wire.md §4): 400.
pub fn written(e: StoreError) -> V3Error {
    match e {
        StoreError::Duplicate(what) => V3Error(ApiError::BadRequest(format!(
            "This already exists (duplicate {what})"
        ))),
        StoreError::Conflict(m) => V3Error(ApiError::BadRequest(m)),
        other => V3Error(other.into()),
    }
}

/// The answer to `explain=true`: the statements a list runs and the database's plan of each
/// (SQLite's `EXPLAIN QUERY PLAN`, PostgreSQL's `EXPLAIN`), and the plan lines that read a whole
/// table or index (`SCAN …`, `Seq Scan on …`), which an index-served list does not have.
pub fn explained(steps: Vec<threatdb_core::PlanStep>) -> axum::response::Response {
    let scans: Vec<String> = steps
        .iter()
        .flat_map(|s| s.plan.iter())
        .filter(|line| {
            let line = line.trim_start();
            (line.starts_with("SCAN ") && !line.contains("VIRTUAL TABLE"))
                || line.starts_with("Seq Scan on ")
        })
        .cloned()
        .collect();
    let note = steps.is_empty().then_some(
        "nothing can match (a tag, label or owner that does not exist): no statement runs",
    );
    let body = serde_json::json!({
        "status": "Success",
        "data": {
            "statements": steps
                .iter()
                .map(|s| serde_json::json!({"statement": s.statement, "plan": s.plan}))
                .collect::<Vec<_>>(),
            "fullScan": !scans.is_empty(),
            "scans": scans,
            "note": note,
        }
    });
    super::reply(axum::http::StatusCode::OK, &body)
}

/// One object as the answer to a read (200), a create (`CREATED`: 201, "Created") or an update
/// (`ACCEPTED` stands for it: 200, "Updated").
pub fn single<T: serde::Serialize>(
    status: axum::http::StatusCode,
    data: T,
) -> axum::response::Response {
    use axum::http::StatusCode;
    use threatdb_wire::v3::Single;
    match status {
        StatusCode::CREATED => super::reply(status, &Single::created(data)),
        StatusCode::ACCEPTED => super::reply(StatusCode::OK, &Single::updated(data)),
        _ => super::reply(status, &Single::read(data)),
    }
}
