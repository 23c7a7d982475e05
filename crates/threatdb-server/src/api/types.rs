//! `/v2/types/attributeTypes[/{name}]` and `/v2/types/indicatorTypes`.

use crate::error::{ApiError, ApiResult};
use crate::reply::{many, one};
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;
use threatdb_core::attribute::{ATTRIBUTE_TYPES, AttributeType};
use threatdb_wire::dto::AttributeTypeDto;
use threatdb_wire::paths::INDICATOR_TYPES;

/// `GET /v2/types/attributeTypes`.
pub async fn attribute_types() -> Response {
    let types: Vec<AttributeTypeDto> = ATTRIBUTE_TYPES.iter().map(AttributeTypeDto::from).collect();
    many("attributeType", Some(types.len() as u64), types)
}

/// `GET /v2/types/attributeTypes/{name}`.
pub async fn attribute_type(Path(name): Path<String>) -> ApiResult<Response> {
    let t = AttributeType::lookup(&name).map_err(|_| ApiError::NotFound)?;
    Ok(one(
        StatusCode::OK,
        "attributeType",
        AttributeTypeDto::from(t),
    ))
}

/// An indicator type of `/v2/types/indicatorTypes`.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct IndicatorType {
    name: &'static str,
    custom: &'static str,
    parsable: &'static str,
    api_branch: &'static str,
    api_entity: &'static str,
}

/// `GET /v2/types/indicatorTypes`: the five basic types (clients call this first, DECISIONS.md #21).
pub async fn indicator_types() -> Response {
    let types: Vec<IndicatorType> = INDICATOR_TYPES
        .iter()
        .map(|(branch, name, entity)| IndicatorType {
            name,
            custom: "false",
            parsable: "true",
            api_branch: branch,
            api_entity: entity,
        })
        .collect();
    many("indicatorType", Some(types.len() as u64), types)
}
