//! The catalogues tcex reads beside groups and indicators: `/api/v3/tags` (an owner's tags),
//! `/api/v3/securityLabels` (the labels usable in an owner), `/api/v3/security/owners` (the
//! caller's owners) and `/api/v3/attributeTypes`. Lists take `resultStart`, `resultLimit`,
//! `count=true` and a `next` link; tags and labels take `tql=` with `id`, `name` and `summary`
//! (`=`, `IN`, `!=`, `NOT IN`) joined by `AND`.

use super::common::{PageState, owner_named, page_links, params, tql_error};
use super::params::V3Params;
use super::{V3Result, reply};
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde::Serialize;
use threatdb_core::attribute::ATTRIBUTE_TYPES;
use threatdb_core::{Paging, Role, format_timestamp, label_key, tag::tag_key};
use threatdb_wire::tql::{self, Field, Op, TypedExpr, TypedValue};
use threatdb_wire::v3::{self, List, Single};

/// A condition on a catalogue entry's id or name.
enum Test {
    /// The id is (not) one of these.
    Id(bool, Vec<i64>),
    /// The name is (not) one of these; `exact` compares case-sensitively, else by identity
    /// (regardless of case, as tags and labels are matched everywhere).
    Name(bool, bool, Vec<String>),
}

/// Every test must hold.
struct Tests(Vec<Test>);

impl Tests {
    fn all() -> Self {
        Tests(Vec::new())
    }

    fn parse(p: &V3Params, table: &'static tql::Table, key: fn(&str) -> String) -> ApiResult<Self> {
        let Some(text) = &p.tql else {
            return Ok(Tests::all());
        };
        let typed = tql::analyze(text, table).map_err(tql_error)?;
        let parts = match typed {
            TypedExpr::And(parts) => parts,
            other => vec![other],
        };
        let mut out = Vec::new();
        for part in parts {
            let TypedExpr::Cmp(c) = &part else {
                return Err(ApiError::BadRequest(format!(
                    "Invalid TQL: only id, name and summary comparisons joined by AND are served on /v3/{}",
                    table.endpoint
                )));
            };
            let negative = c.op.is_negative();
            if !matches!(c.op, Op::Eq | Op::In | Op::Ne | Op::NotIn) {
                return Err(unserved(table, c.keyword.name, c.op, c.column));
            }
            let texts = || {
                c.values
                    .iter()
                    .map(|v| match v {
                        TypedValue::Text(s) => s.clone(),
                        TypedValue::Integer(n) => n.to_string(),
                        _ => String::new(),
                    })
                    .collect::<Vec<_>>()
            };
            out.push(match c.keyword.field {
                Field::Id => Test::Id(
                    negative,
                    c.values
                        .iter()
                        .filter_map(|v| match v {
                            TypedValue::Integer(n) => Some(*n),
                            _ => None,
                        })
                        .collect(),
                ),
                Field::Name if c.keyword.exact_case => Test::Name(negative, true, texts()),
                Field::Name | Field::Summary => {
                    Test::Name(negative, false, texts().iter().map(|t| key(t)).collect())
                }
                _ => return Err(unserved(table, c.keyword.name, c.op, c.column)),
            });
        }
        Ok(Tests(out))
    }

    fn admits(&self, id: i64, name: &str, key: fn(&str) -> String) -> bool {
        self.0.iter().all(|t| match t {
            Test::Id(neg, ids) => ids.contains(&id) != *neg,
            Test::Name(neg, true, names) => names.iter().any(|n| n == name) != *neg,
            Test::Name(neg, false, keys) => keys.contains(&key(name)) != *neg,
        })
    }
}

fn unserved(table: &tql::Table, keyword: &str, op: Op, column: usize) -> ApiError {
    tql_error(tql::TqlError {
        message: format!(
            "{keyword} {op} at column {column} is not served yet on /v3/{}: use id, name or summary with =, IN, != or NOT IN",
            table.endpoint
        ),
        column,
    })
}

/// A page of `items` (already filtered) as a v3 list, with `count` and `next`/`prev`.
fn page<T: Serialize>(
    state: &AppState,
    endpoint: &str,
    p: &V3Params,
    items: Vec<T>,
) -> ApiResult<axum::response::Response> {
    let paging: Paging = p.paging()?;
    let total = u64::try_from(items.len()).unwrap_or(u64::MAX);
    let skip = usize::try_from(paging.start).unwrap_or(usize::MAX);
    let take = usize::try_from(paging.limit).unwrap_or(usize::MAX);
    let mut answer = List::new(items.into_iter().skip(skip).take(take).collect());
    let shown = u64::try_from(answer.data.len()).unwrap_or(u64::MAX);
    let state_of_page = PageState {
        paging,
        shown,
        total: Some(total),
        after: None,
        last: None,
    };
    page_links(&mut answer, &state.public_url, endpoint, p, state_of_page);
    Ok(reply(StatusCode::OK, &answer))
}

fn no_tql(p: &V3Params, endpoint: &str) -> ApiResult<()> {
    match p.tql {
        Some(_) => Err(ApiError::BadRequest(format!(
            "tql is not served on /v3/{endpoint}: list it whole (it is short)"
        ))),
        None => Ok(()),
    }
}

fn tag(t: &threatdb_core::Tag) -> v3::Tag {
    v3::Tag {
        id: t.id,
        name: t.name.clone(),
        description: None,
        last_used: None,
        technique_id: None,
    }
}

/// The most tags one request reads from the store to filter by id: an owner's tag catalogue is
/// paged by the store, and a filter other than by name walks at most this many.
const MAX_TAGS_SCANNED: u64 = 10_000;

/// `GET /api/v3/tags`: the owner's tags (`owner=`, default the caller's organization), by name.
pub async fn tags(
    State(state): State<AppState>,
    auth: Result<Auth, ApiError>,
    RawQuery(query): RawQuery,
) -> V3Result {
    let Auth(actor) = auth?;
    let p = params(&query);
    let owner = owner_named(&actor, p.owner.as_deref())?;
    let tests = Tests::parse(&p, &tql::TAGS, tag_key)?;
    if tests.0.is_empty() {
        // The store pages and counts the catalogue itself.
        let paging = p.paging()?;
        let found = state.store.list_tags(&actor, owner, paging).await?;
        let mut answer = List::new(found.items.iter().map(tag).collect());
        let state_of_page = PageState {
            paging,
            shown: u64::try_from(found.items.len()).unwrap_or(u64::MAX),
            total: found.total,
            after: None,
            last: None,
        };
        page_links(&mut answer, &state.public_url, "tags", &p, state_of_page);
        return Ok(reply(StatusCode::OK, &answer));
    }
    // With names, each is one look-up of the (owner, name) index; otherwise the first
    // MAX_TAGS_SCANNED tags are filtered.
    let named: Option<Vec<String>> = tests.0.iter().find_map(|t| match t {
        Test::Name(false, _, names) => Some(names.clone()),
        _ => None,
    });
    let mut found = Vec::new();
    match named {
        Some(names) => {
            for name in names {
                match state.store.get_tag(&actor, owner, &name).await {
                    Ok(t) => found.push(t),
                    Err(threatdb_core::StoreError::NotFound) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            found.sort_by_key(|t| tag_key(&t.name));
            found.dedup_by_key(|t| t.id);
        }
        None => {
            let all = state
                .store
                .list_tags(&actor, owner, Paging::new(0, MAX_TAGS_SCANNED)?)
                .await?;
            if all.total.is_some_and(|n| n > MAX_TAGS_SCANNED) {
                return Err(ApiError::BadRequest(format!(
                    "this owner has more than {MAX_TAGS_SCANNED} tags: filter them by name"
                ))
                .into());
            }
            found = all.items;
        }
    }
    let items: Vec<v3::Tag> = found
        .iter()
        .filter(|t| tests.admits(t.id, &t.name, tag_key))
        .map(tag)
        .collect();
    Ok(page(&state, "tags", &p, items)?)
}

fn label(l: &threatdb_core::SecurityLabel) -> v3::SecurityLabel {
    v3::SecurityLabel {
        id: l.id,
        name: l.name.clone(),
        color: l.color.clone(),
        description: l.description.clone(),
        owner: None,
        date_added: Some(format_timestamp(l.date_added)),
    }
}

fn label_key_of(name: &str) -> String {
    label_key(name)
}

/// `GET /api/v3/securityLabels`: the labels usable in the owner (the system ones and its own).
pub async fn security_labels(
    State(state): State<AppState>,
    auth: Result<Auth, ApiError>,
    RawQuery(query): RawQuery,
) -> V3Result {
    let Auth(actor) = auth?;
    let p = params(&query);
    let owner = owner_named(&actor, p.owner.as_deref())?;
    let tests = Tests::parse(&p, &tql::SECURITY_LABELS, label_key_of)?;
    let labels = state.store.list_labels(&actor, owner).await?;
    let items: Vec<v3::SecurityLabel> = labels
        .iter()
        .filter(|l| tests.admits(l.id, &l.name, label_key_of))
        .map(label)
        .collect();
    Ok(page(&state, "securityLabels", &p, items)?)
}

/// `GET /api/v3/securityLabels/{id}`.
pub async fn security_label(
    State(state): State<AppState>,
    auth: Result<Auth, ApiError>,
    RawQuery(query): RawQuery,
    Path(id): Path<String>,
) -> V3Result {
    let Auth(actor) = auth?;
    let p = params(&query);
    let owner = owner_named(&actor, p.owner.as_deref())?;
    let labels = state.store.list_labels(&actor, owner).await?;
    let found = labels
        .iter()
        .find(|l| l.id.to_string() == id.trim() || label_key(&l.name) == label_key(&id))
        .ok_or(ApiError::NotFound)?;
    Ok(reply(StatusCode::OK, &Single::read(label(found))))
}

/// An owner as `/v3/security/owners` shows it.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = V3Owner)]
pub(super) struct OwnerInfo {
    id: i64,
    name: String,
    #[serde(rename = "type")]
    kind: &'static str,
    owner_role: &'static str,
}

fn owners_of(actor: &threatdb_core::Actor) -> Vec<OwnerInfo> {
    let mut out: Vec<OwnerInfo> = actor
        .memberships
        .iter()
        .map(|m| OwnerInfo {
            id: m.owner.id,
            name: m.owner.name.clone(),
            kind: m.owner.kind.as_str(),
            owner_role: match m.role {
                Role::Admin => "Organization Administrator",
                Role::Write => "Standard User",
                Role::Read => "Read Only User",
            },
        })
        .collect();
    out.sort_by_key(|o| o.id);
    out
}

/// `GET /api/v3/security/owners`: the owners the caller is a member of, with its role in each.
pub async fn owners(
    auth: Result<Auth, ApiError>,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> V3Result {
    let Auth(actor) = auth?;
    let p = params(&query);
    no_tql(&p, "security/owners")?;
    Ok(page(&state, "security/owners", &p, owners_of(&actor))?)
}

/// `GET /api/v3/security/owners/{id}` (one of the caller's owners; another is a 404).
pub async fn owner(auth: Result<Auth, ApiError>, Path(id): Path<String>) -> V3Result {
    let Auth(actor) = auth?;
    let found = owners_of(&actor)
        .into_iter()
        .find(|o| o.id.to_string() == id.trim())
        .ok_or(ApiError::NotFound)?;
    Ok(reply(StatusCode::OK, &Single::read(found)))
}

/// An attribute type as `/v3/attributeTypes` shows it.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = V3AttributeType)]
pub(super) struct AttributeTypeInfo {
    id: i64,
    name: &'static str,
    description: &'static str,
    max_size: usize,
    allow_markdown: bool,
}

fn attribute_types_all() -> Vec<AttributeTypeInfo> {
    ATTRIBUTE_TYPES
        .iter()
        .map(|t| AttributeTypeInfo {
            id: t.id,
            name: t.name,
            description: t.description,
            max_size: t.max_length,
            allow_markdown: false,
        })
        .collect()
}

/// `GET /api/v3/attributeTypes`: the attribute types every group and indicator takes.
pub async fn attribute_types(
    auth: Result<Auth, ApiError>,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> V3Result {
    auth?;
    let p = params(&query);
    no_tql(&p, "attributeTypes")?;
    Ok(page(&state, "attributeTypes", &p, attribute_types_all())?)
}

/// `GET /api/v3/attributeTypes/{id}`.
pub async fn attribute_type(auth: Result<Auth, ApiError>, Path(id): Path<String>) -> V3Result {
    auth?;
    let found = attribute_types_all()
        .into_iter()
        .find(|t| t.id.to_string() == id.trim())
        .ok_or(ApiError::NotFound)?;
    Ok(reply(StatusCode::OK, &Single::read(found)))
}
