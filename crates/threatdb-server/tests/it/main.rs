//! Black-box tests: a real server on 127.0.0.1:0, driven by signed HTTP requests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod assoc_authz;
mod associations;
mod audit;
mod authentication;
mod authorization;
mod bad_input;
mod batch;
mod catalogue;
mod golden;
mod helpers;
mod history;
mod hostile_props;
mod openapi;
mod route_matrix;
mod tql_props;
mod v3;
mod v3_associations;
mod v3_bulk;
mod v3_hostile_props;
mod v3_indicators;
mod v3_meta;
mod v3_other_groups;
mod web;
mod workflows;
