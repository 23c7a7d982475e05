//! Groups of the other types than Incident through `/api/v3/groups` (v2's items: Adversary,
//! Email, Threat, ...): their type from a body, their own fields, reading one with `fields=`, and
//! a list of one type. The routes themselves are `groups`'s, which hands these groups here.

use super::common::{self, MAX_NESTED, PageState, include, page_links};
use super::groups::group;
use super::params::V3Params;
use super::{V3Result, reply};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use axum::http::StatusCode;
use threatdb_core::{
    Actor, Cond, IncidentQuery, Item, ItemKind, Owner, Paging, StoreError, Target, format_timestamp,
};
use threatdb_wire::tql;
use threatdb_wire::v3::{
    DataList, FieldName, Fields, Group, GroupBody, GroupDetails, GroupType, List,
};

/// The group type of another kind than Incident that a query names alone (`typeName = "Threat"`,
/// or `IN` with that one type): such a list is the owner's groups of that type.
pub(super) fn only_item_type(expr: &tql::TypedExpr) -> Option<ItemKind> {
    let tql::TypedExpr::Cmp(c) = expr else {
        return None;
    };
    if c.keyword.field != tql::Field::TypeName
        || !matches!(c.op, tql::Op::Eq | tql::Op::In)
        || c.values.len() != 1
    {
        return None;
    }
    let name = match c.values.first()? {
        tql::TypedValue::Choice(s) => (*s).to_string(),
        tql::TypedValue::Text(s) => s.clone(),
        _ => return None,
    };
    match group_kind(&name).ok()? {
        Kind::Item(kind) => Some(kind),
        Kind::Incident => None,
    }
}

/// `GET /api/v3/groups?tql=typeName = "<type>"` for a type other than Incident: the owner's
/// groups of that type in id order, paged by offset, counted on the first page.
pub(super) async fn item_list(
    state: &AppState,
    actor: &Actor,
    owner: &Owner,
    kind: ItemKind,
    p: &V3Params,
    fields: &Fields,
) -> V3Result {
    let what = format!("{} groups", kind.type_name());
    p.id_order_only(&what)?;
    if p.after_id.is_some() {
        return Err(ApiError::BadRequest(format!(
            "a list of {what} is paged by resultStart, not afterId"
        ))
        .into());
    }
    let paging = p.paging()?;
    common::bounded_page(paging.limit, !fields.names().is_empty())?;
    let page = state
        .store
        .list_items(actor, owner, Some(kind), paging)
        .await?;
    let mut answer = List::new(Vec::with_capacity(page.items.len()));
    for item in &page.items {
        answer
            .data
            .push(item_details(state, actor, item, fields).await?);
    }
    let state_of_page = PageState {
        paging,
        shown: u64::try_from(page.items.len()).unwrap_or(u64::MAX),
        total: page.total,
        after: None,
        last: None,
    };
    page_links(&mut answer, &state.public_url, "groups", p, state_of_page);
    Ok(reply(StatusCode::OK, &answer))
}

/// A group of another type than Incident, as v3 shows it: its type's own fields from the
/// fields v2 stores (a field whose stored form v3 cannot read is left out).
pub(super) fn item_group(public_url: &str, item: &Item) -> Group {
    let type_name = item.kind.type_name();
    let mut fields =
        serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&item.fields)
            .unwrap_or_default();
    fields.insert("type".into(), type_name.into());
    let details = serde_json::from_value::<GroupDetails>(fields.into())
        .or_else(|_| serde_json::from_value(serde_json::json!({ "type": type_name })))
        .unwrap_or(GroupDetails::Adversary);
    Group {
        id: item.id,
        owner_id: item.owner.id,
        owner_name: item.owner.name.clone(),
        date_added: format_timestamp(item.date_added),
        last_modified: format_timestamp(item.last_modified),
        web_link: format!("{public_url}/{}/{}", item.kind.url_name(), item.id),
        details,
        name: item.name.clone(),
        created_by: None,
        up_vote_count: "0".into(),
        down_vote_count: "0".into(),
        xid: None,
        first_seen: None,
        last_seen: None,
        legacy_link: None,
        tags: None,
        security_labels: None,
        attributes: None,
        associated_groups: None,
        associated_indicators: None,
    }
}

/// The group `id` when it is of another type than Incident (ids are one space, DECISIONS 47).
pub(super) async fn item_of(state: &AppState, actor: &Actor, id: i64) -> ApiResult<Option<Item>> {
    match state.store.find_item(actor, id).await {
        Ok(item) if item.kind.is_group() => Ok(Some(item)),
        Ok(_) | Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// A group of another type as the answer to a request, with what `fields=` asks for: its tags,
/// labels and attributes, and the incidents it is associated with (the first [`MAX_NESTED`]).
pub(super) async fn item_answer(
    state: &AppState,
    actor: &Actor,
    item: &Item,
    fields: &Fields,
    status: StatusCode,
) -> V3Result {
    let data = item_details(state, actor, item, fields).await?;
    Ok(common::single(status, data))
}

pub(super) async fn item_details(
    state: &AppState,
    actor: &Actor,
    item: &Item,
    fields: &Fields,
) -> ApiResult<Group> {
    let mut g = item_group(&state.public_url, item);
    let wanted = include(fields);
    if wanted.tags || wanted.labels || wanted.attributes {
        let d = state
            .store
            .item_details(actor, item.kind, item.id, wanted)
            .await?;
        g.tags = common::tags(&d.tags);
        g.security_labels = common::labels(&d.labels);
        g.attributes = common::attributes(&d.attributes);
    }
    if fields.has(FieldName::AssociatedGroups) {
        let mut q = IncidentQuery::owner(item.owner.clone());
        q.and(Cond::Associated(Target::Item(item.kind, item.id)));
        q.paging = Paging::new(0, MAX_NESTED as u64)?;
        let page = state.store.list_incidents(actor, &q).await?;
        g.associated_groups = Some(DataList::new(
            page.items
                .iter()
                .map(|d| group(&state.public_url, d))
                .collect(),
        ));
    }
    if fields.has(FieldName::AssociatedIndicators) {
        g.associated_indicators = Some(DataList::default());
    }
    Ok(g)
}

/// The type a body names: Incident, or one of the other group types v2 stores.
pub(super) enum Kind {
    /// An incident.
    Incident,
    /// A group of another type.
    Item(ItemKind),
}

pub(super) fn group_kind(raw: &str) -> ApiResult<Kind> {
    let named = GroupType::parse(raw).map_err(ApiError::BadRequest)?;
    if named == GroupType::Incident {
        return Ok(Kind::Incident);
    }
    ItemKind::ALL
        .into_iter()
        .find(|k| k.is_group() && k.type_name() == named.as_str())
        .map(Kind::Item)
        .ok_or_else(|| {
            ApiError::BadRequest(format!(
                "groups of type {} are not stored by this server",
                named.as_str()
            ))
        })
}

/// Body keys that are not a group's own fields.
const NOT_FIELDS: &[&str] = &[
    "id",
    "type",
    "name",
    "ownerId",
    "ownerName",
    "xid",
    "tags",
    "securityLabels",
    "attributes",
    "associatedGroups",
    "associatedIndicators",
];

/// A group's own fields from a body (as v2 keeps them: a JSON object; on an update a `null`
/// removes one), with the fields its type requires (on an update: not emptied).
pub(super) fn item_fields(
    body: &GroupBody,
    kind: ItemKind,
    create: bool,
) -> ApiResult<Option<String>> {
    if body.xid.is_some() {
        return Err(ApiError::BadRequest(format!(
            "xid is kept for incidents only: a {} has none here",
            kind.type_name()
        )));
    }
    let value = serde_json::to_value(body).map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut map = match value {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    map.retain(|k, v| {
        let common = NOT_FIELDS.contains(&k.as_str());
        let unset = create && v.is_null();
        !(common || unset)
    });
    for field in kind.required_fields() {
        match map.get(*field) {
            None if !create => {}
            Some(serde_json::Value::String(s)) if !s.trim().is_empty() => {}
            _ => {
                return Err(ApiError::BadRequest(format!(
                    "{field} is required for a {}",
                    kind.type_name()
                )));
            }
        }
    }
    if map.is_empty() {
        return Ok(None);
    }
    serde_json::to_string(&map)
        .map(Some)
        .map_err(|e| ApiError::Internal(e.to_string()))
}
