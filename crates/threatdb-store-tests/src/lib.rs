//! The conformance suite every threatdb [`Store`] passes, whatever its database.
//!
//! Each case is a `pub async fn case<S: Store + AdminStore>(store: &S)` that panics on failure.
//! Cases never assume a fresh database: each builds its own owners and users under unique names
//! ([`fixture::fixture`]), so every case can run against one shared database, in any order and
//! concurrently with the others. A harness either calls [`run_all`] or generates one test per
//! case with [`for_each_case!`].
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![warn(missing_docs)]

pub mod account;
pub mod admin;
pub mod assoc_concurrency;
pub mod associations;
pub mod attributes;
pub mod audit;
pub mod authz;
pub mod batch;
pub mod bulk;
pub mod changes;
pub mod concurrency;
pub mod dashboard;
pub mod delete;
pub mod fixture;
pub mod history;
pub mod incidents;
pub mod include;
pub mod item_attributes;
pub mod item_tags;
pub mod labels;
pub mod listing;
pub mod ordering;
pub mod plans;
pub mod search;
pub mod stix_keys;
pub mod tag_dates;
pub mod tags;
pub mod tombstones;
pub mod trees;
pub mod unicode;
mod util;
pub mod web;

pub use account::own_tokens_and_password;
pub use admin::{admin_api_users, admin_memberships_grant_access, admin_owners, store_is_ready};
pub use assoc_concurrency::concurrent_incident_links;
pub use associations::{
    associations_authorization, associations_round_trip, bulk_indicator_links, catalogue_lists,
};
pub use attributes::{attribute_labels, attributes_crud, attributes_scoped_to_incident};
pub use audit::audit_log_chains_and_pages;
pub use authz::{authorization_matrix, hidden_is_missing, roles_are_per_owner};
pub use batch::{batch_jobs_follow_the_users_rights, batch_jobs_resume_under_lease};
pub use bulk::bulk_load;
pub use changes::changes_walk_an_owner_in_change_order;
pub use concurrency::{concurrent_incident_creates, concurrent_tag_adds};
pub use dashboard::dashboard_counts_follow_writes;
pub use delete::{delete_cascades, ids_never_reused};
pub use history::history_records_every_change;
pub use incidents::{create_get_round_trip, update_patch};
pub use include::include_flags;
pub use item_attributes::{item_and_indicator_attributes, item_update_merges_fields};
pub use item_tags::item_and_indicator_tags;
pub use labels::{custom_labels, incident_labels, system_labels};
pub use listing::{list_filters, list_filters_dates, list_paging};
pub use ordering::{list_sort_orders, list_status_and_name_search};
pub use search::search_finds_what_the_actor_reads;
pub use stix_keys::stix_ids_find_their_objects;
pub use tag_dates::tag_event_dates_follow_updates;
pub use tags::{list_tags_per_owner, tag_identity};
pub use tombstones::deleted_objects_restore_whole;
pub use trees::{
    counters_stay_exact, folded_name_filters, id_xid_and_modified_filters, list_filter_trees,
};
pub use unicode::unicode_and_injection_round_trip;
pub use web::{web_logins, web_sessions_end};

use threatdb_core::{AdminStore, Store};

/// Calls `$m! { case, case, ... }` with the name of every case, so a harness can generate one
/// test per case without repeating (or forgetting) any:
///
/// ```text
/// macro_rules! sqlite_tests { ($($case:ident),*) => { $( #[tokio::test] async fn $case() {
///     threatdb_store_tests::$case(&open().await).await } )* } }
/// threatdb_store_tests::for_each_case!(sqlite_tests);
/// ```
#[macro_export]
macro_rules! for_each_case {
    ($m:ident) => {
        $m! {
            create_get_round_trip,
            unicode_and_injection_round_trip,
            update_patch,
            delete_cascades,
            ids_never_reused,
            list_paging,
            list_filters,
            list_filters_dates,
            list_filter_trees,
            id_xid_and_modified_filters,
            folded_name_filters,
            counters_stay_exact,
            list_status_and_name_search,
            list_sort_orders,
            include_flags,
            tag_identity,
            list_tags_per_owner,
            system_labels,
            incident_labels,
            custom_labels,
            attributes_crud,
            attributes_scoped_to_incident,
            attribute_labels,
            authorization_matrix,
            hidden_is_missing,
            roles_are_per_owner,
            admin_owners,
            admin_api_users,
            admin_memberships_grant_access,
            store_is_ready,
            concurrent_tag_adds,
            concurrent_incident_creates,
            bulk_load,
            tag_event_dates_follow_updates,
            web_logins,
            web_sessions_end,
            associations_round_trip,
            associations_authorization,
            bulk_indicator_links,
            catalogue_lists,
            item_and_indicator_tags,
            concurrent_incident_links,
            item_and_indicator_attributes,
            item_update_merges_fields,
            batch_jobs_resume_under_lease,
            batch_jobs_follow_the_users_rights,
            changes_walk_an_owner_in_change_order,
            stix_ids_find_their_objects,
            audit_log_chains_and_pages,
            own_tokens_and_password,
            history_records_every_change,
            deleted_objects_restore_whole,
            dashboard_counts_follow_writes,
            search_finds_what_the_actor_reads
        }
    };
}

macro_rules! run_cases {
    ($store:ident; $($case:ident),*) => {
        $( util::run_case(stringify!($case), $case($store)).await; )*
    };
}

macro_rules! run_all_cases {
    ($($case:ident),*) => {
        /// Runs every case in sequence on `store`; a failure panics with the case's name.
        pub async fn run_all<
            S: Store + AdminStore + threatdb_core::BulkLoad + threatdb_core::BulkLinks,
        >(
            store: &S,
        ) {
            run_cases!(store; $($case),*);
        }
    };
}

for_each_case!(run_all_cases);
