//! `/api/v3/groups[/{id}]`: groups (incidents, and every other type v2 stores) as tcex's v3
//! client reads and writes them. One POST or PUT writes the group and its nested tags, labels,
//! attributes and associations in one transaction (`Store::write_incident`,
//! `Store::write_item`); incident lists compile `tql=` into the filter tree v2 uses
//! (`tql::incident_filter`), so both APIs share one authorization policy and one set of indexes.

use super::common::{
    self, MAX_NESTED, NestedBody, PageState, create_owner, explained, include, nested, owner_named,
    page_links, params, query_of, tql_error, written,
};
use super::items::{
    Kind, group_kind, item_answer, item_fields, item_group, item_list, item_of, only_item_type,
};
use super::params::V3Params;
use super::{V3Error, V3Result, reply};
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::reply::JsonBody;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use std::collections::HashMap;
use threatdb_core::{
    Actor, Cmp, Cond, Filter, IncidentDetails, IncidentName, IncidentOrder, IncidentPatch,
    IncidentQuery, IncidentStatus, IncidentTarget, ItemKind, ItemPatch, ItemTarget, LinkSet,
    Linked, NewIncident, NewItem, Paging, StoreError, Target, format_timestamp, parse_timestamp,
};
use threatdb_wire::tql;
use threatdb_wire::v3::{
    self, DataList, FieldName, Fields, Group, GroupBody, GroupDetails, IncidentFields, List,
    Message, Object, User,
};

const MAX_XID_CHARS: usize = 100;

type Body = Result<JsonBody<GroupBody>, ApiError>;

/// An incident as a v3 group; nested collections when they were read.
pub fn group(public_url: &str, d: &IncidentDetails) -> Group {
    let i = &d.incident;
    Group {
        id: i.id,
        owner_id: i.owner.id,
        owner_name: i.owner.name.clone(),
        date_added: format_timestamp(i.date_added),
        last_modified: format_timestamp(i.last_modified),
        web_link: threatdb_wire::dto::incident_link(public_url, i.id),
        details: GroupDetails::Incident(IncidentFields {
            event_date: Some(format_timestamp(i.event_date)),
            status: Some(i.status.as_str().to_string()),
        }),
        name: i.name.clone(),
        created_by: Some(User {
            id: 0,
            user_name: i.created_by.clone(),
            first_name: None,
            last_name: None,
            pseudonym: None,
            owner: Some(i.owner.name.clone()),
        }),
        up_vote_count: "0".into(),
        down_vote_count: "0".into(),
        xid: Some(i.xid.clone()),
        first_seen: None,
        last_seen: None,
        legacy_link: None,
        tags: common::tags(&d.tags),
        security_labels: common::labels(&d.labels),
        attributes: common::attributes(&d.attributes),
        associated_groups: None,
        associated_indicators: None,
    }
}

/// `GET /api/v3/groups`.
pub async fn list(
    State(state): State<AppState>,
    auth: Result<Auth, ApiError>,
    RawQuery(query): RawQuery,
) -> V3Result {
    let Auth(actor) = auth?;
    let p = params(&query);
    let (owner, typed) = query_of(&actor, &p, &tql::GROUPS)?;
    let fields = p.fields(Object::Group)?;
    let mut q = IncidentQuery::owner(owner.clone());
    let paging = p.paging()?;
    common::bounded_page(paging.limit, common::associations_asked(&fields))?;
    q.paging = paging;
    q.order = p.order()?;
    q.include = include(&fields);
    if let Some(typed) = typed {
        if let Some(kind) = only_item_type(&typed) {
            if p.explain {
                return Err(ApiError::BadRequest(
                    "explain=true is served for incident and indicator lists".into(),
                )
                .into());
            }
            return item_list(&state, &actor, owner, kind, &p, &fields).await;
        }
        let filter = tql::incident_filter(&typed, threatdb_core::date::now()).map_err(tql_error)?;
        q.filter = associated_targets(&state, &actor, owner, filter).await?;
    }
    // In id order, `next` pages by the last id seen (`afterId`), not by offset: a row deleted
    // from an earlier page cannot make the next page skip one (tc-v3-wire §6 asks that a list
    // being written to is paged without repeats or gaps).
    let by_id = q.order == IncidentOrder::default();
    let after = p.after()?;
    if let Some(after) = after {
        if !by_id {
            return Err(ApiError::BadRequest(
                "afterId pages the default order (id ascending) only".into(),
            )
            .into());
        }
        q.and(Cond::IdRange(Cmp::Gt, after));
        q.paging = Paging::new(0, paging.limit)?;
    }
    // v3 shows a count only when asked, on the first page: no other page counts every match
    // (a `next` page by `afterId` is a first page to the store).
    q.count = p.count && after.is_none();
    if p.explain {
        return Ok(explained(state.store.explain_incidents(&actor, &q).await?));
    }
    let page = state.store.list_incidents(&actor, &q).await?;
    let mut answer = List::new(
        page.items
            .iter()
            .map(|d| group(&state.public_url, d))
            .collect(),
    );
    for g in &mut answer.data {
        associated(&state, &actor, &fields, g).await?;
    }
    let state_of_page = PageState {
        paging,
        shown: u64::try_from(page.items.len()).unwrap_or(u64::MAX),
        total: page.total,
        after,
        last: page.items.last().map(|d| d.incident.id).filter(|_| by_id),
    };
    page_links(&mut answer, &state.public_url, "groups", &p, state_of_page);
    Ok(reply(StatusCode::OK, &answer))
}

/// The targets of `hasIndicator(...)` and `hasGroup(...)` resolved against the store: a group
/// id becomes the group of whatever type it is, and a target that does not exist or that the
/// caller cannot read matches nothing (a TQL list is never a 404).
pub(super) async fn associated_targets(
    state: &AppState,
    actor: &Actor,
    owner: &threatdb_core::Owner,
    filter: Filter,
) -> ApiResult<Filter> {
    let mut resolved: HashMap<Target, Option<Target>> = HashMap::new();
    for c in filter.conditions() {
        let Cond::Associated(target) = c else {
            continue;
        };
        if resolved.contains_key(target) {
            continue;
        }
        let found = match target {
            Target::Indicator(value) => {
                match state.store.get_indicator(actor, owner, value).await {
                    Ok(_) => Some(target.clone()),
                    Err(StoreError::NotFound) => None,
                    Err(e) => return Err(e.into()),
                }
            }
            Target::Incident(id) | Target::Item(_, id) => match item_of(state, actor, *id).await? {
                Some(item) => Some(Target::Item(item.kind, item.id)),
                None => match state
                    .store
                    .get_incident(actor, *id, threatdb_core::Include::default())
                    .await
                {
                    Ok(_) => Some(Target::Incident(*id)),
                    Err(StoreError::NotFound) => None,
                    Err(e) => return Err(e.into()),
                },
            },
        };
        resolved.insert(target.clone(), found);
    }
    fn rebuild(f: Filter, resolved: &HashMap<Target, Option<Target>>) -> Filter {
        match f {
            Filter::Cond(Cond::Associated(target)) => match resolved.get(&target) {
                Some(Some(t)) => Filter::Cond(Cond::Associated(t.clone())),
                _ => Filter::Or(Vec::new()),
            },
            Filter::And(parts) => {
                Filter::And(parts.into_iter().map(|p| rebuild(p, resolved)).collect())
            }
            Filter::Or(parts) => {
                Filter::Or(parts.into_iter().map(|p| rebuild(p, resolved)).collect())
            }
            Filter::Not(part) => Filter::Not(Box::new(rebuild(*part, resolved))),
            other => other,
        }
    }
    Ok(if resolved.is_empty() {
        filter
    } else {
        rebuild(filter, &resolved)
    })
}

/// `fields=associatedGroups` and `associatedIndicators`: the first [`MAX_NESTED`] of each that
/// the caller can read.
async fn associated(
    state: &AppState,
    actor: &Actor,
    fields: &Fields,
    g: &mut Group,
) -> ApiResult<()> {
    let cap = Paging::new(0, MAX_NESTED as u64)?;
    if fields.has(FieldName::AssociatedGroups) {
        let page = state
            .store
            .associations(actor, g.id, LinkSet::Groups(None), cap)
            .await?;
        g.associated_groups = Some(DataList::new(
            page.items
                .iter()
                .filter_map(|l| match l {
                    Linked::Incident(i) => Some(group(&state.public_url, &i.clone().into())),
                    Linked::Item(it) => Some(item_group(&state.public_url, it)),
                    Linked::Indicator(_) => None,
                })
                .collect(),
        ));
    }
    if fields.has(FieldName::AssociatedIndicators) {
        let page = state
            .store
            .associations(actor, g.id, LinkSet::Indicators(None), cap)
            .await?;
        g.associated_indicators = Some(DataList::new(
            page.items
                .iter()
                .filter_map(|l| match l {
                    Linked::Indicator(ind) => Some(super::indicators::indicator(
                        &state.public_url,
                        &ind.clone().into(),
                    )),
                    _ => None,
                })
                .collect(),
        ));
    }
    Ok(())
}

/// The incident `{id}` names: a number is an id, anything else an xid in `owner=`'s owner.
pub(super) async fn resolve(
    state: &AppState,
    actor: &Actor,
    p: &V3Params,
    raw: &str,
) -> ApiResult<i64> {
    // An `owner=` the caller cannot use is a 403 whatever `{id}` is.
    let owner = owner_named(actor, p.owner.as_deref())?;
    if let Ok(id) = raw.trim().parse::<i64>() {
        return Ok(id);
    }
    let mut q = IncidentQuery::owner(owner.clone());
    q.and(Cond::Xid(raw.to_string()));
    let page = state.store.list_incidents(actor, &q).await?;
    page.items
        .first()
        .map(|d| d.incident.id)
        .ok_or(ApiError::NotFound)
}

async fn answer(
    state: &AppState,
    actor: &Actor,
    id: i64,
    fields: &Fields,
    status: StatusCode,
) -> V3Result {
    let details = state.store.get_incident(actor, id, include(fields)).await?;
    let mut data = group(&state.public_url, &details);
    associated(state, actor, fields, &mut data).await?;
    Ok(common::single(status, data))
}

/// The answer to a write: the incident as the write's transaction left it when `fields=` asks
/// for nothing nested (no second read), else read again with what it asks for.
async fn written_answer(
    state: &AppState,
    actor: &Actor,
    incident: threatdb_core::Incident,
    fields: &Fields,
    status: StatusCode,
) -> V3Result {
    if !fields.names().is_empty() {
        return answer(state, actor, incident.id, fields, status).await;
    }
    let data = group(&state.public_url, &incident.into());
    Ok(common::single(status, data))
}

/// `GET /api/v3/groups/{id}` (an id, or an xid with `owner=`): an incident, or a group of any
/// other type by id, each with the nested collections `fields=` asks for.
pub async fn get(
    State(state): State<AppState>,
    auth: Result<Auth, ApiError>,
    RawQuery(query): RawQuery,
    Path(raw): Path<String>,
) -> V3Result {
    let Auth(actor) = auth?;
    let p = params(&query);
    let fields = p.fields(Object::Group)?;
    let id = resolve(&state, &actor, &p, &raw).await?;
    // Incidents first: they are what v3 clients read most, and one read answers them.
    match answer(&state, &actor, id, &fields, StatusCode::OK).await {
        Err(V3Error(ApiError::NotFound)) => match item_of(&state, &actor, id).await? {
            Some(item) => item_answer(&state, &actor, &item, &fields, StatusCode::OK).await,
            None => Err(ApiError::NotFound.into()),
        },
        other => other,
    }
}

fn body_nested(body: &GroupBody) -> NestedBody<'_> {
    NestedBody {
        tags: &body.tags,
        labels: &body.security_labels,
        attributes: &body.attributes,
        groups: &body.associated_groups,
        indicators: &body.associated_indicators,
    }
}

/// `POST /api/v3/groups`: the group with its tags, labels and attributes, all or nothing.
pub async fn create(
    State(state): State<AppState>,
    auth: Result<Auth, ApiError>,
    RawQuery(query): RawQuery,
    body: Body,
) -> V3Result {
    let Auth(actor) = auth?;
    let p = params(&query);
    let fields = p.fields(Object::Group)?;
    let JsonBody(body) = body?;
    let kind = group_kind(
        body.kind
            .as_deref()
            .ok_or_else(|| ApiError::BadRequest("type is required".into()))?,
    )?;
    let name = IncidentName::parse(
        body.name
            .as_deref()
            .ok_or_else(|| ApiError::BadRequest("name is required".into()))?,
    )?;
    if let Kind::Item(kind) = kind {
        let own = item_fields(&body, kind, true)?.unwrap_or_else(|| "{}".into());
        let owner = create_owner(&actor, &p, body.owner_id, body.owner_name.as_deref())?;
        let changes = nested(&state, &actor, body_nested(&body), true).await?;
        let item = state
            .store
            .write_item(
                &actor,
                ItemTarget::Create(
                    owner.clone(),
                    NewItem {
                        kind,
                        name,
                        fields: own,
                    },
                ),
                changes,
            )
            .await
            .map_err(written)?;
        return item_answer(&state, &actor, &item, &fields, StatusCode::CREATED).await;
    }
    let event_date = match &body.event_date {
        Some(Some(raw)) => parse_timestamp(raw)
            .map_err(|e| ApiError::BadRequest(format!("eventDate is not valid: {e}")))?,
        _ => threatdb_core::date::now(),
    };
    let status = match &body.status {
        Some(Some(raw)) => IncidentStatus::parse(raw)?,
        _ => IncidentStatus::New,
    };
    let owner = create_owner(&actor, &p, body.owner_id, body.owner_name.as_deref())?;
    let xid = body
        .xid
        .as_deref()
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string);
    if xid
        .as_ref()
        .is_some_and(|x| x.chars().count() > MAX_XID_CHARS)
    {
        return Err(ApiError::BadRequest(format!(
            "xid must be at most {MAX_XID_CHARS} characters"
        ))
        .into());
    }
    let changes = nested(&state, &actor, body_nested(&body), true).await?;
    let incident = state
        .store
        .write_incident(
            &actor,
            IncidentTarget::Create(
                owner.clone(),
                NewIncident {
                    name,
                    event_date,
                    status,
                    xid,
                },
            ),
            changes,
        )
        .await
        .map_err(written)?;
    written_answer(&state, &actor, incident, &fields, StatusCode::CREATED).await
}

/// `PUT /api/v3/groups/{id}`: the fields the body carries and each nested collection by its
/// mode, all or nothing.
pub async fn update(
    State(state): State<AppState>,
    auth: Result<Auth, ApiError>,
    RawQuery(query): RawQuery,
    Path(raw): Path<String>,
    body: Body,
) -> V3Result {
    let Auth(actor) = auth?;
    let p = params(&query);
    let fields = p.fields(Object::Group)?;
    let JsonBody(body) = body?;
    let named = body.kind.as_deref().map(group_kind).transpose()?;
    let id = resolve(&state, &actor, &p, &raw).await?;
    if let Some(item) = item_of(&state, &actor, id).await? {
        let other = match &named {
            Some(Kind::Item(k)) if *k != item.kind => Some(k.type_name()),
            Some(Kind::Incident) => Some("Incident"),
            _ => None,
        };
        if let Some(other) = other {
            return Err(ApiError::BadRequest(format!(
                "group {id} is a {}: it cannot become a {other} (a group's type does not change)",
                item.kind.type_name()
            ))
            .into());
        }
        let patch = ItemPatch {
            name: body.name.as_deref().map(IncidentName::parse).transpose()?,
            fields: item_fields(&body, item.kind, false)?,
        };
        let changes = nested(&state, &actor, body_nested(&body), false).await?;
        let item = state
            .store
            .write_item(&actor, ItemTarget::Update(item.kind, id, patch), changes)
            .await
            .map_err(written)?;
        return item_answer(&state, &actor, &item, &fields, StatusCode::ACCEPTED).await;
    }
    if let Some(Kind::Item(other)) = named {
        return Err(ApiError::BadRequest(format!(
            "group {id} is an Incident: it cannot become a {} (a group's type does not change)",
            other.type_name()
        ))
        .into());
    }
    let patch = IncidentPatch {
        name: body.name.as_deref().map(IncidentName::parse).transpose()?,
        event_date: match &body.event_date {
            None => None,
            Some(None) => {
                return Err(ApiError::BadRequest(
                    "eventDate cannot be cleared: every incident has one".into(),
                )
                .into());
            }
            Some(Some(raw)) => Some(
                parse_timestamp(raw)
                    .map_err(|e| ApiError::BadRequest(format!("eventDate is not valid: {e}")))?,
            ),
        },
        status: status_of(&body)?,
    };
    let changes = nested(&state, &actor, body_nested(&body), false).await?;
    let incident = state
        .store
        .write_incident(&actor, IncidentTarget::Update(id, patch), changes)
        .await
        .map_err(written)?;
    written_answer(&state, &actor, incident, &fields, StatusCode::ACCEPTED).await
}

/// The status a PUT body sets (`None`: unchanged); `null` is a 400, every incident has one.
pub(super) fn status_of(body: &GroupBody) -> ApiResult<Option<IncidentStatus>> {
    match &body.status {
        None => Ok(None),
        Some(None) => Err(ApiError::BadRequest(
            "status cannot be cleared: every incident has one".into(),
        )),
        Some(Some(raw)) => Ok(Some(IncidentStatus::parse(raw)?)),
    }
}

/// `DELETE /api/v3/groups/{id}`.
pub async fn delete(
    State(state): State<AppState>,
    auth: Result<Auth, ApiError>,
    RawQuery(query): RawQuery,
    Path(raw): Path<String>,
) -> V3Result {
    let Auth(actor) = auth?;
    let p = params(&query);
    let id = resolve(&state, &actor, &p, &raw).await?;
    match state.store.delete_incident(&actor, id).await {
        Err(StoreError::NotFound) => match item_of(&state, &actor, id).await? {
            Some(item) => state.store.delete_item(&actor, item.kind, id).await?,
            None => return Err(ApiError::NotFound.into()),
        },
        other => other?,
    }
    Ok(reply(StatusCode::OK, &Message::deleted()))
}

/// `OPTIONS /api/v3/groups/tql`: the TQL keywords.
pub async fn options_tql(auth: Result<Auth, ApiError>) -> V3Result {
    auth?;
    Ok(reply(StatusCode::OK, &v3::tql_keywords(&tql::GROUPS)))
}

/// `OPTIONS /api/v3/groups/fields`: the names `fields=` takes.
pub async fn options_fields(auth: Result<Auth, ApiError>) -> V3Result {
    auth?;
    Ok(reply(StatusCode::OK, &v3::field_infos(Object::Group)))
}

/// `OPTIONS /api/v3/groups`: the writable fields of an Incident (tc-v3-wire.md §9).
pub async fn options_groups(auth: Result<Auth, ApiError>) -> V3Result {
    auth?;
    let statuses: Vec<&str> = IncidentStatus::ALL.iter().map(|s| s.as_str()).collect();
    let types: Vec<&str> = std::iter::once("Incident")
        .chain(
            ItemKind::ALL
                .into_iter()
                .filter(|k| k.is_group())
                .map(ItemKind::type_name),
        )
        .collect();
    let body = serde_json::json!({
        "name": {"type": "String", "description": "The name of the group", "required": true, "maxLength": 500},
        "type": {"type": "String", "required": true, "updatable": false, "allowableValues": types},
        "eventDate": {"type": "Date", "appliesTo": ["Incident"]},
        "status": {"type": "String", "appliesTo": ["Incident"], "allowableValues": statuses},
        "tags": {"data": [{"type": "Tag", "description": "Tags applied to the group"}]},
        "securityLabels": {"data": [{"type": "SecurityLabel"}]},
        "attributes": {"data": [{"type": "GroupAttribute"}]},
        "xid": {"type": "String", "updatable": false},
        "ownerName": {"type": "String", "updatable": false},
    });
    Ok(reply(StatusCode::OK, &body))
}
