//! `/api/v3/indicators[/{id}]`: indicators as tcex's v3 client reads and writes them. One POST
//! or PUT writes the indicator and its nested tags, labels and attributes in one transaction
//! (`Store::write_indicator`); lists compile `tql=` into an [`IndicatorFilter`] that every store
//! serves from an index (`tql::indicator_filter`).
//!
//! [`IndicatorFilter`]: threatdb_core::IndicatorFilter

use super::common::{
    self, MAX_NESTED, NestedBody, PageState, create_owner, explained, include, nested, owner_named,
    page_links, params, query_of, tql_error, written,
};
use super::params::V3Params;
use super::{V3Result, reply};
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::reply::JsonBody;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use threatdb_core::{
    Actor, Cond, IncidentQuery, Indicator, IndicatorDetails, IndicatorFilter, IndicatorKind,
    IndicatorQuery, IndicatorTarget, IndicatorValue, NestedChanges, Paging, Target,
    format_timestamp,
};
use threatdb_wire::paths::encode_segment;
use threatdb_wire::tql;
use threatdb_wire::v3::{self, DataList, FieldName, Fields, IndicatorBody, List, Message, Object};

type Body = Result<JsonBody<IndicatorBody>, ApiError>;

/// An indicator as v3 shows it; nested collections when they were read.
pub fn indicator(public_url: &str, d: &IndicatorDetails) -> v3::Indicator {
    let i = &d.indicator;
    let value = i.value.clone();
    let details = match i.kind {
        IndicatorKind::Address => v3::IndicatorDetails::Address { ip: value.clone() },
        IndicatorKind::EmailAddress => v3::IndicatorDetails::EmailAddress {
            address: value.clone(),
        },
        IndicatorKind::File => {
            let hash = |len: usize| (value.len() == len).then(|| value.clone());
            v3::IndicatorDetails::File {
                md5: hash(32),
                sha1: hash(40),
                sha256: hash(64),
                size: None,
            }
        }
        IndicatorKind::Host => v3::IndicatorDetails::Host {
            host_name: value.clone(),
            dns_active: false,
            whois_active: false,
        },
        IndicatorKind::Url => v3::IndicatorDetails::Url {
            text: value.clone(),
        },
    };
    v3::Indicator {
        id: i.id,
        owner_id: i.owner.id,
        owner_name: i.owner.name.clone(),
        date_added: format_timestamp(i.date_added),
        last_modified: format_timestamp(i.last_modified),
        web_link: format!(
            "{public_url}/indicators/{}/{}",
            i.kind.url_name(),
            encode_segment(&i.value)
        ),
        details,
        summary: value,
        rating: i.rating.map(threatdb_core::rating_number),
        confidence: i.confidence.map(i64::from),
        description: None,
        source: None,
        private_flag: false,
        active: true,
        active_locked: false,
        first_seen: None,
        last_seen: None,
        false_positives: None,
        last_false_positive: None,
        observations: None,
        last_observed: None,
        value1: None,
        value2: None,
        value3: None,
        legacy_link: None,
        tags: common::tags(&d.tags),
        security_labels: common::labels(&d.labels),
        attributes: common::attributes(&d.attributes),
        associated_groups: None,
        associated_indicators: None,
    }
}

fn fields(p: &V3Params) -> ApiResult<Fields> {
    p.fields(Object::Indicator)
}

/// `GET /api/v3/indicators`: a page in id order; `next` pages by the last id (`afterId`).
pub async fn list(
    State(state): State<AppState>,
    auth: Result<Auth, ApiError>,
    RawQuery(query): RawQuery,
) -> V3Result {
    let Auth(actor) = auth?;
    let p = params(&query);
    let (owner, typed) = query_of(&actor, &p, &tql::INDICATORS)?;
    let fields = fields(&p)?;
    p.id_order_only("indicators")?;
    let paging = p.paging()?;
    common::bounded_page(paging.limit, common::associations_asked(&fields))?;
    let mut q = IndicatorQuery::owner(owner.clone());
    q.paging = paging;
    q.include = include(&fields);
    if let Some(typed) = typed {
        q.filter = tql::indicator_filter(&typed, threatdb_core::date::now()).map_err(tql_error)?;
    }
    let after = p.after()?;
    if let Some(after) = after {
        q.filter = q.filter.and(IndicatorFilter {
            id_above: Some(after),
            ..IndicatorFilter::default()
        });
        q.paging = Paging::new(0, paging.limit)?;
    }
    // The count costs a walk of every match: only when asked (tcex asks with `count=true`).
    q.count = p.count && paging.start == 0 && after.is_none();
    if p.explain {
        return Ok(explained(state.store.explain_indicators(&actor, &q).await?));
    }
    let page = state.store.query_indicators(&actor, &q).await?;
    let mut answer = List::new(Vec::with_capacity(page.items.len()));
    for d in &page.items {
        let mut one = indicator(&state.public_url, d);
        associated(&state, &actor, &fields, &d.indicator, &mut one).await?;
        answer.data.push(one);
    }
    let state_of_page = PageState {
        paging,
        shown: u64::try_from(page.items.len()).unwrap_or(u64::MAX),
        total: page.total,
        after,
        last: page.items.last().map(|d| d.indicator.id),
    };
    page_links(
        &mut answer,
        &state.public_url,
        "indicators",
        &p,
        state_of_page,
    );
    Ok(reply(StatusCode::OK, &answer))
}

/// `fields=associatedGroups`: the first [`MAX_NESTED`] incidents associated with the indicator
/// that the caller can read; `associatedIndicators` is empty (threatdb associates indicators
/// with groups only).
async fn associated(
    state: &AppState,
    actor: &Actor,
    fields: &Fields,
    found: &Indicator,
    out: &mut v3::Indicator,
) -> ApiResult<()> {
    if fields.has(FieldName::AssociatedGroups) {
        let mut q = IncidentQuery::owner(found.owner.clone());
        q.and(Cond::Associated(Target::Indicator(IndicatorValue::parse(
            found.kind,
            &found.value,
        )?)));
        q.paging = Paging::new(0, MAX_NESTED as u64)?;
        let page = state.store.list_incidents(actor, &q).await?;
        out.associated_groups = Some(DataList::new(
            page.items
                .iter()
                .map(|g| super::groups::group(&state.public_url, g))
                .collect(),
        ));
    }
    if fields.has(FieldName::AssociatedIndicators) {
        out.associated_indicators = Some(DataList::default());
    }
    Ok(())
}

/// The indicator `{id}` names: a number is an id, anything else a value (of any type that can
/// hold it) in `owner=`'s owner.
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
    let values: Vec<IndicatorValue> = IndicatorKind::ALL
        .into_iter()
        .filter_map(|k| IndicatorValue::parse(k, raw).ok())
        .collect();
    let mut q = IndicatorQuery::owner(owner.clone());
    q.filter.values = Some(values);
    q.paging = Paging::new(0, 2)?;
    let page = state.store.query_indicators(actor, &q).await?;
    match &page.items[..] {
        [one] => Ok(one.indicator.id),
        [] => Err(ApiError::NotFound),
        _ => Err(ApiError::BadRequest(format!(
            "'{raw}' is the value of more than one indicator type here: name it by id"
        ))),
    }
}

/// The indicator `id` as the answer to a request.
async fn answer(
    state: &AppState,
    actor: &Actor,
    id: i64,
    fields: &Fields,
    status: StatusCode,
) -> V3Result {
    let d = state
        .store
        .indicator_details(actor, id, include(fields))
        .await?;
    let mut data = indicator(&state.public_url, &d);
    associated(state, actor, fields, &d.indicator, &mut data).await?;
    Ok(common::single(status, data))
}

/// `GET /api/v3/indicators/{id}` (an id, or a value with `owner=`).
pub async fn get(
    State(state): State<AppState>,
    auth: Result<Auth, ApiError>,
    RawQuery(query): RawQuery,
    Path(raw): Path<String>,
) -> V3Result {
    let Auth(actor) = auth?;
    let p = params(&query);
    let fields = fields(&p)?;
    let id = resolve(&state, &actor, &p, &raw).await?;
    answer(&state, &actor, id, &fields, StatusCode::OK).await
}

fn body_nested(body: &IndicatorBody) -> NestedBody<'_> {
    NestedBody {
        tags: &body.tags,
        labels: &body.security_labels,
        attributes: &body.attributes,
        groups: &body.associated_groups,
        indicators: &body.associated_indicators,
    }
}

/// The body's `rating` (0 to 5) and `confidence` (0 to 100); `null` clears one.
fn scores(body: &IndicatorBody) -> ApiResult<threatdb_core::IndicatorScores> {
    Ok(threatdb_core::IndicatorScores::parse(
        body.rating,
        body.confidence,
    )?)
}

/// Fields of ThreatConnect's indicators that threatdb does not store yet: a body that sets one
/// is refused rather than answered as if it were kept (DECISIONS 54).
fn unstored(body: &IndicatorBody) -> ApiResult<()> {
    let set = [
        ("firstSeen", matches!(body.first_seen, Some(Some(_)))),
        ("lastSeen", matches!(body.last_seen, Some(Some(_)))),
        ("size", body.size.is_some()),
        ("value1", body.value1.is_some()),
        ("value2", body.value2.is_some()),
        ("value3", body.value3.is_some()),
        ("privateFlag", body.private_flag == Some(true)),
        ("active", body.active == Some(false)),
        ("activeLocked", body.active_locked == Some(true)),
        ("dnsActive", body.dns_active == Some(true)),
        ("whoisActive", body.whois_active == Some(true)),
    ];
    match set.iter().find(|(_, given)| *given) {
        Some((name, _)) => Err(ApiError::BadRequest(format!(
            "{name} is not stored by this server yet: leave it out"
        ))),
        None => Ok(()),
    }
}

/// The value a create names: the field of its type (`ip`, `address`, `hostName`, `text`, one
/// of `md5`/`sha1`/`sha256`).
pub(super) fn value_of(body: &IndicatorBody) -> ApiResult<IndicatorValue> {
    let type_name = body
        .kind
        .as_deref()
        .ok_or_else(|| ApiError::BadRequest("type is required".into()))?;
    let kind = IndicatorKind::from_type_name(type_name).ok_or_else(|| {
        ApiError::BadRequest(format!(
            "indicators of type '{type_name}' are not stored by this server: use Address, \
                 EmailAddress, File, Host or URL"
        ))
    })?;
    let (field, raw) = match kind {
        IndicatorKind::Address => ("ip", body.ip.as_deref()),
        IndicatorKind::EmailAddress => ("address", body.address.as_deref()),
        IndicatorKind::Host => ("hostName", body.host_name.as_deref()),
        IndicatorKind::Url => ("text", body.text.as_deref()),
        IndicatorKind::File => {
            let hashes: Vec<&str> = [&body.md5, &body.sha1, &body.sha256]
                .into_iter()
                .filter_map(|h| h.as_deref())
                .collect();
            match hashes[..] {
                [one] => ("md5, sha1 or sha256", Some(one)),
                [] => ("md5, sha1 or sha256", None),
                _ => {
                    return Err(ApiError::BadRequest(
                        "a File is stored by one hash here: give one of md5, sha1 or sha256".into(),
                    ));
                }
            }
        }
    };
    let raw = raw.ok_or_else(|| {
        ApiError::BadRequest(format!("a {} indicator needs {field}", kind.type_name()))
    })?;
    Ok(IndicatorValue::parse(kind, raw)?)
}

/// `POST /api/v3/indicators`: the indicator with its tags, labels and attributes, all or
/// nothing. One that exists already in the owner is a 400.
pub async fn create(
    State(state): State<AppState>,
    auth: Result<Auth, ApiError>,
    RawQuery(query): RawQuery,
    body: Body,
) -> V3Result {
    let Auth(actor) = auth?;
    let p = params(&query);
    let fields = fields(&p)?;
    let JsonBody(body) = body?;
    unstored(&body)?;
    let value = value_of(&body)?;
    let owner = create_owner(&actor, &p, body.owner_id, body.owner_name.as_deref())?;
    let mut changes = nested(&state, &actor, body_nested(&body), true).await?;
    changes.scores = scores(&body)?;
    let created = state
        .store
        .write_indicator(
            &actor,
            IndicatorTarget::Create(owner.clone(), value),
            changes,
        )
        .await
        .map_err(written)?;
    answer(&state, &actor, created.id, &fields, StatusCode::CREATED).await
}

/// `PUT /api/v3/indicators/{id}`: each nested collection by its mode, all or nothing. The
/// value and type of an indicator do not change.
pub async fn update(
    State(state): State<AppState>,
    auth: Result<Auth, ApiError>,
    RawQuery(query): RawQuery,
    Path(raw): Path<String>,
    body: Body,
) -> V3Result {
    let Auth(actor) = auth?;
    let p = params(&query);
    let fields = fields(&p)?;
    let JsonBody(body) = body?;
    unstored(&body)?;
    let id = resolve(&state, &actor, &p, &raw).await?;
    let mut changes: NestedChanges = nested(&state, &actor, body_nested(&body), false).await?;
    changes.scores = scores(&body)?;
    state
        .store
        .write_indicator(&actor, IndicatorTarget::Existing(id), changes)
        .await
        .map_err(written)?;
    answer(&state, &actor, id, &fields, StatusCode::ACCEPTED).await
}

/// `DELETE /api/v3/indicators/{id}`.
pub async fn delete(
    State(state): State<AppState>,
    auth: Result<Auth, ApiError>,
    RawQuery(query): RawQuery,
    Path(raw): Path<String>,
) -> V3Result {
    let Auth(actor) = auth?;
    let p = params(&query);
    let id = resolve(&state, &actor, &p, &raw).await?;
    state.store.delete_indicator_by_id(&actor, id).await?;
    Ok(reply(StatusCode::OK, &Message::deleted()))
}

/// `OPTIONS /api/v3/indicators/tql`: the TQL keywords.
pub async fn options_tql(auth: Result<Auth, ApiError>) -> V3Result {
    auth?;
    Ok(reply(StatusCode::OK, &v3::tql_keywords(&tql::INDICATORS)))
}

/// `OPTIONS /api/v3/indicators/fields`: the names `fields=` takes.
pub async fn options_fields(auth: Result<Auth, ApiError>) -> V3Result {
    auth?;
    Ok(reply(StatusCode::OK, &v3::field_infos(Object::Indicator)))
}

/// `OPTIONS /api/v3/indicators`: the writable fields of the indicator types threatdb stores.
pub async fn options_indicators(auth: Result<Auth, ApiError>) -> V3Result {
    auth?;
    let types: Vec<&str> = IndicatorKind::ALL.iter().map(|k| k.type_name()).collect();
    let body = serde_json::json!({
        "type": {"type": "String", "required": true, "updatable": false, "allowableValues": types},
        "ip": {"type": "String", "appliesTo": ["Address"], "updatable": false},
        "address": {"type": "String", "appliesTo": ["EmailAddress"], "updatable": false},
        "hostName": {"type": "String", "appliesTo": ["Host"], "updatable": false},
        "text": {"type": "String", "appliesTo": ["URL"], "updatable": false, "maxLength": 2048},
        "md5": {"type": "String", "appliesTo": ["File"], "updatable": false},
        "sha1": {"type": "String", "appliesTo": ["File"], "updatable": false},
        "sha256": {"type": "String", "appliesTo": ["File"], "updatable": false},
        "tags": {"data": [{"type": "Tag", "description": "Tags applied to the indicator"}]},
        "securityLabels": {"data": [{"type": "SecurityLabel"}]},
        "attributes": {"data": [{"type": "IndicatorAttribute"}]},
        "ownerName": {"type": "String", "updatable": false},
    });
    Ok(reply(StatusCode::OK, &body))
}
