//! The `Store` and `AdminStore` traits for a backend, once: `impl_store!(MyBackend)` in the
//! backend's crate (the traits and the backend type are both foreign to this crate, so the impl
//! must be written there). Each method is one operation in one transaction: a read on a
//! connection the backend hands out, or a write the backend runs and commits. Each is timed
//! once, into `threatdb_store_op_duration_seconds{op="<method>"}` (see [`crate::health`]).

/// Implements [`threatdb_core::Store`] and [`threatdb_core::AdminStore`] for a type that
/// implements [`crate::Backend`].
#[rustfmt::skip]
#[macro_export]
macro_rules! impl_store {
    ($ty:ty) => {
        #[$crate::async_trait::async_trait]
        impl $crate::t::Store for $ty {
            async fn credentials(&self, access_id: &str) -> $crate::t::StoreResult<Option<($crate::t::ApiCredentials, $crate::t::Actor)>> {
                $crate::timed_op!("credentials", {
                    $crate::read!(self, $crate::backend::Reading::OneStatement, |db| $crate::accounts::credentials(db, access_id))
                })
            }
            async fn token_credentials(&self, token_hash: &[u8]) -> $crate::t::StoreResult<Option<($crate::t::TokenCredentials, $crate::t::Actor)>> {
                $crate::timed_op!("token_credentials", {
                    $crate::read!(self, $crate::backend::Reading::OneStatement, |db| $crate::accounts::token_credentials(db, token_hash))
                })
            }
            async fn token_used(&self, token_id: i64) -> $crate::t::StoreResult<()> {
                $crate::timed_op!("token_used", {
                    $crate::write!(self, () |db| $crate::accounts::token_used(db, token_id))
                })
            }
            async fn credential_generation(&self) -> $crate::t::StoreResult<i64> {
                $crate::timed_op!("credential_generation", {
                    $crate::read!(self, $crate::backend::Reading::OneStatement, |db| $crate::accounts::credential_generation(db))
                })
            }
            async fn ready(&self) -> $crate::t::StoreResult<()> {
                $crate::timed_op!("ready", {
                    let applied = $crate::read!(self, $crate::backend::Reading::OneStatement, |db| $crate::health::schema_version(db))?;
                    $crate::health::check_schema(applied, $crate::Backend::schema_version(self))
                })
            }
            // A wait for a notice, not a query: not timed.
            async fn credential_change(&self) {
                $crate::Backend::credential_change(self).await
            }
            async fn create_incident(&self, actor: &$crate::t::Actor, owner: &$crate::t::Owner, new: $crate::t::NewIncident) -> $crate::t::StoreResult<$crate::t::Incident> {
                $crate::timed_op!("create_incident", {
                    $crate::write!(self, (actor, owner) |db| $crate::incidents::create(db, &actor, &owner, &new))
                })
            }
            async fn get_incident(&self, actor: &$crate::t::Actor, id: i64, include: $crate::t::Include) -> $crate::t::StoreResult<$crate::t::IncidentDetails> {
                $crate::timed_op!("get_incident", {
                    let reading = if include.attributes || include.tags || include.labels { $crate::backend::Reading::Snapshot } else { $crate::backend::Reading::OneStatement };
                    $crate::read!(self, reading, |db| $crate::incidents::get(db, actor, id, include))
                })
            }
            async fn update_incident(&self, actor: &$crate::t::Actor, id: i64, patch: $crate::t::IncidentPatch) -> $crate::t::StoreResult<$crate::t::Incident> {
                $crate::timed_op!("update_incident", {
                    $crate::write!(self, (actor) |db| $crate::incidents::update(db, &actor, id, &patch))
                })
            }
            async fn write_incident(&self, actor: &$crate::t::Actor, target: $crate::t::IncidentTarget, nested: $crate::t::NestedChanges) -> $crate::t::StoreResult<$crate::t::Incident> {
                $crate::timed_op!("write_incident", {
                    $crate::write!(self, (actor, target) |db| $crate::nested::write_incident(db, &actor, &target, &nested))
                })
            }
            async fn update_incidents(&self, actor: &$crate::t::Actor, ids: Vec<i64>, patch: $crate::t::IncidentPatch, nested: $crate::t::NestedChanges) -> $crate::t::StoreResult<u64> {
                $crate::timed_op!("update_incidents", {
                    $crate::write!(self, (actor) |db| $crate::nested::update_incidents(db, &actor, &ids, &patch, &nested))
                })
            }
            async fn update_indicators(&self, actor: &$crate::t::Actor, ids: Vec<i64>, nested: $crate::t::NestedChanges) -> $crate::t::StoreResult<u64> {
                $crate::timed_op!("update_indicators", {
                    $crate::write!(self, (actor) |db| $crate::nested::update_indicators(db, &actor, &ids, &nested))
                })
            }
            async fn delete_incidents(&self, actor: &$crate::t::Actor, ids: Vec<i64>) -> $crate::t::StoreResult<u64> {
                $crate::timed_op!("delete_incidents", {
                    $crate::write!(self, (actor) |db| $crate::incidents::delete_many(db, &actor, &ids))
                })
            }
            async fn create_batch(&self, actor: &$crate::t::Actor, owner: &$crate::t::Owner, settings: $crate::t::batch::BatchSettings, file: Option<Vec<u8>>) -> $crate::t::StoreResult<$crate::t::batch::BatchStatus> {
                $crate::timed_op!("create_batch", {
                    $crate::write!(self, (actor, owner) |db| $crate::batch::create(db, &actor, &owner, &settings, file.as_deref()))
                })
            }
            async fn upload_batch(&self, actor: &$crate::t::Actor, id: i64, file: Vec<u8>) -> $crate::t::StoreResult<$crate::t::batch::BatchStatus> {
                $crate::timed_op!("upload_batch", {
                    $crate::write!(self, (actor) |db| $crate::batch::upload(db, &actor, id, &file))
                })
            }
            async fn batch_status(&self, actor: &$crate::t::Actor, id: i64) -> $crate::t::StoreResult<$crate::t::batch::BatchStatus> {
                $crate::timed_op!("batch_status", {
                    $crate::read!(self, $crate::backend::Reading::OneStatement, |db| $crate::batch::status(db, actor, id))
                })
            }
            async fn batch_errors(&self, actor: &$crate::t::Actor, id: i64) -> $crate::t::StoreResult<Vec<$crate::t::batch::BatchError>> {
                $crate::timed_op!("batch_errors", {
                    $crate::read!(self, |db| $crate::batch::errors(db, actor, id))
                })
            }
            async fn claim_batch(&self, lease_seconds: i64, keep_seconds: i64) -> $crate::t::StoreResult<Option<$crate::t::batch::BatchClaim>> {
                $crate::timed_op!("claim_batch", {
                    $crate::write!(self, () |db| $crate::batch::claim(db, lease_seconds, keep_seconds))
                })
            }
            async fn refresh_batch_statistics(&self) -> $crate::t::StoreResult<()> {
                $crate::timed_op!("refresh_batch_statistics", {
                    $crate::write!(self, () |db| $crate::batch::refresh_statistics(db))
                })
            }
            async fn write_batch_chunk(&self, chunk: $crate::t::batch::BatchChunk) -> $crate::t::StoreResult<$crate::t::batch::ChunkOutcome> {
                $crate::timed_op!("write_batch_chunk", {
                    $crate::write!(self, () |db| $crate::batch::write_chunk(db, &chunk))
                })
            }
            async fn apply_batch(&self, actor: &$crate::t::Actor, owner: &$crate::t::Owner, settings: $crate::t::batch::BatchSettings, items: Vec<$crate::t::batch::BatchItem>) -> $crate::t::StoreResult<Vec<Vec<$crate::t::batch::BatchError>>> {
                $crate::timed_op!("apply_batch", {
                    $crate::write!(self, (actor, owner) |db| $crate::batch::apply(db, &actor, &owner, &settings, &items))
                })
            }
            async fn delete_incident(&self, actor: &$crate::t::Actor, id: i64) -> $crate::t::StoreResult<()> {
                $crate::timed_op!("delete_incident", {
                    $crate::write!(self, (actor) |db| $crate::incidents::delete(db, &actor, id))
                })
            }
            async fn list_incidents(&self, actor: &$crate::t::Actor, query: &$crate::t::IncidentQuery) -> $crate::t::StoreResult<$crate::t::Page<$crate::t::IncidentDetails>> {
                $crate::timed_op!("list_incidents", {
                    $crate::read!(self, |db| $crate::list::incidents(db, actor, query, $crate::Backend::name_sample(self)))
                })
            }
            async fn explain_incidents(&self, actor: &$crate::t::Actor, query: &$crate::t::IncidentQuery) -> $crate::t::StoreResult<Vec<$crate::t::PlanStep>> {
                $crate::timed_op!("explain_incidents", {
                    $crate::read!(self, |db| $crate::list::explain(db, actor, query, $crate::Backend::name_sample(self)))
                })
            }
            async fn get_tag(&self, actor: &$crate::t::Actor, owner: &$crate::t::Owner, name: &str) -> $crate::t::StoreResult<$crate::t::Tag> {
                $crate::timed_op!("get_tag", {
                    $crate::read!(self, $crate::backend::Reading::OneStatement, |db| $crate::tags::get(db, actor, owner, name))
                })
            }
            async fn list_tags(&self, actor: &$crate::t::Actor, owner: &$crate::t::Owner, paging: $crate::t::Paging) -> $crate::t::StoreResult<$crate::t::Page<$crate::t::Tag>> {
                $crate::timed_op!("list_tags", {
                    $crate::read!(self, |db| $crate::tags::list(db, actor, owner, paging))
                })
            }
            async fn list_labels(&self, actor: &$crate::t::Actor, owner: &$crate::t::Owner) -> $crate::t::StoreResult<Vec<$crate::t::SecurityLabel>> {
                $crate::timed_op!("list_labels", {
                    $crate::read!(self, $crate::backend::Reading::OneStatement, |db| $crate::labels::usable(db, actor, owner))
                })
            }
            async fn create_item(&self, actor: &$crate::t::Actor, owner: &$crate::t::Owner, new: $crate::t::NewItem) -> $crate::t::StoreResult<$crate::t::Item> {
                $crate::timed_op!("create_item", {
                    $crate::write!(self, (actor, owner) |db| $crate::items::create_item(db, &actor, &owner, &new))
                })
            }
            async fn import_objects(&self, actor: &$crate::t::Actor, owner: &$crate::t::Owner, objects: Vec<$crate::t::ImportObject>, same: $crate::t::SameObject) -> $crate::t::StoreResult<Vec<$crate::t::ImportOutcome>> {
                $crate::timed_op!("import_objects", {
                    $crate::write!(self, (actor, owner) |db| $crate::import::objects(db, &actor, &owner, &objects, &same))
                })
            }
            async fn import_links(&self, actor: &$crate::t::Actor, links: Vec<$crate::t::ImportLink>) -> $crate::t::StoreResult<Vec<Result<bool, String>>> {
                $crate::timed_op!("import_links", {
                    $crate::write!(self, (actor) |db| $crate::import::links(db, &actor, &links))
                })
            }
            async fn stored_by_stix_id(&self, actor: &$crate::t::Actor, owner: &$crate::t::Owner, xid: &str) -> $crate::t::StoreResult<Option<$crate::t::Local>> {
                $crate::timed_op!("stored_by_stix_id", {
                    $crate::read!(self, $crate::backend::Reading::Snapshot, |db| $crate::import::stored_by_stix_id(db, actor, owner, xid))
                })
            }
            async fn find_item(&self, actor: &$crate::t::Actor, id: i64) -> $crate::t::StoreResult<$crate::t::Item> {
                $crate::timed_op!("find_item", {
                    $crate::read!(self, $crate::backend::Reading::OneStatement, |db| $crate::items::find_item(db, actor, id))
                })
            }
            async fn item_details(&self, actor: &$crate::t::Actor, kind: $crate::t::ItemKind, id: i64, include: $crate::t::Include) -> $crate::t::StoreResult<$crate::t::ItemDetails> {
                $crate::timed_op!("item_details", {
                    $crate::read!(self, |db| $crate::items::details(db, actor, kind, id, include))
                })
            }
            async fn get_item(&self, actor: &$crate::t::Actor, kind: $crate::t::ItemKind, id: i64) -> $crate::t::StoreResult<$crate::t::Item> {
                $crate::timed_op!("get_item", {
                    $crate::read!(self, $crate::backend::Reading::OneStatement, |db| $crate::items::get_item(db, actor, kind, id))
                })
            }
            async fn update_item(&self, actor: &$crate::t::Actor, kind: $crate::t::ItemKind, id: i64, patch: $crate::t::ItemPatch) -> $crate::t::StoreResult<$crate::t::Item> {
                $crate::timed_op!("update_item", {
                    $crate::write!(self, (actor) |db| $crate::items::update_item(db, &actor, kind, id, &patch))
                })
            }
            async fn delete_item(&self, actor: &$crate::t::Actor, kind: $crate::t::ItemKind, id: i64) -> $crate::t::StoreResult<()> {
                $crate::timed_op!("delete_item", {
                    $crate::write!(self, (actor) |db| $crate::items::delete_item(db, &actor, kind, id))
                })
            }
            async fn changes(&self, actor: &$crate::t::Actor, query: &$crate::t::ChangeQuery) -> $crate::t::StoreResult<Vec<$crate::t::Change>> {
                $crate::timed_op!("changes", {
                    $crate::read!(self, |db| $crate::changes::changes(db, actor, query))
                })
            }
            async fn save_taxii_status(&self, poster: &str, owner: i64, id: &str, body: &str) -> $crate::t::StoreResult<()> {
                $crate::timed_op!("save_taxii_status", {
                    $crate::write!(self, (poster, id, body) |db| $crate::statuses::save(db, &poster, owner, &id, &body))
                })
            }
            async fn taxii_status(&self, poster: &str, id: &str) -> $crate::t::StoreResult<Option<String>> {
                $crate::timed_op!("taxii_status", {
                    $crate::read!(self, $crate::backend::Reading::OneStatement, |db| $crate::statuses::get(db, poster, id))
                })
            }
            async fn explain_import(&self, actor: &$crate::t::Actor, owner: &$crate::t::Owner) -> $crate::t::StoreResult<Vec<$crate::t::PlanStep>> {
                $crate::read!(self, |db| $crate::import::explain(db, actor, owner))
            }
            async fn explain_changes(&self, actor: &$crate::t::Actor, query: &$crate::t::ChangeQuery) -> $crate::t::StoreResult<Vec<$crate::t::PlanStep>> {
                $crate::read!(self, |db| $crate::changes::explain(db, actor, query))
            }
            async fn list_items(&self, actor: &$crate::t::Actor, owner: &$crate::t::Owner, kind: Option<$crate::t::ItemKind>, paging: $crate::t::Paging) -> $crate::t::StoreResult<$crate::t::Page<$crate::t::Item>> {
                $crate::timed_op!("list_items", {
                    $crate::read!(self, |db| $crate::catalogue::items(db, actor, owner, kind, paging))
                })
            }
            async fn list_indicators(&self, actor: &$crate::t::Actor, owner: &$crate::t::Owner, kind: Option<$crate::t::IndicatorKind>, paging: $crate::t::Paging) -> $crate::t::StoreResult<$crate::t::Page<$crate::t::Indicator>> {
                $crate::timed_op!("list_indicators", {
                    $crate::read!(self, |db| $crate::catalogue::indicators(db, actor, owner, kind, paging))
                })
            }
            async fn create_indicator(&self, actor: &$crate::t::Actor, owner: &$crate::t::Owner, value: &$crate::t::IndicatorValue) -> $crate::t::StoreResult<$crate::t::Indicator> {
                $crate::timed_op!("create_indicator", {
                    $crate::write!(self, (actor, owner, value) |db| $crate::items::create_indicator(db, &actor, &owner, &value))
                })
            }
            async fn get_indicator(&self, actor: &$crate::t::Actor, owner: &$crate::t::Owner, value: &$crate::t::IndicatorValue) -> $crate::t::StoreResult<$crate::t::Indicator> {
                $crate::timed_op!("get_indicator", {
                    $crate::read!(self, $crate::backend::Reading::OneStatement, |db| $crate::items::get_indicator(db, actor, owner, value))
                })
            }
            async fn delete_indicator(&self, actor: &$crate::t::Actor, owner: &$crate::t::Owner, value: &$crate::t::IndicatorValue) -> $crate::t::StoreResult<()> {
                $crate::timed_op!("delete_indicator", {
                    $crate::write!(self, (actor, owner, value) |db| $crate::items::delete_indicator(db, &actor, &owner, &value))
                })
            }
            async fn indicator_by_id(&self, actor: &$crate::t::Actor, id: i64) -> $crate::t::StoreResult<$crate::t::Indicator> {
                $crate::timed_op!("indicator_by_id", {
                    $crate::read!(self, $crate::backend::Reading::OneStatement, |db| $crate::indicators::by_id(db, actor, id))
                })
            }
            async fn indicator_details(&self, actor: &$crate::t::Actor, id: i64, include: $crate::t::Include) -> $crate::t::StoreResult<$crate::t::IndicatorDetails> {
                $crate::timed_op!("indicator_details", {
                    let reading = if include.attributes || include.tags || include.labels { $crate::backend::Reading::Snapshot } else { $crate::backend::Reading::OneStatement };
                    $crate::read!(self, reading, |db| $crate::indicators::details(db, actor, id, include))
                })
            }
            async fn query_indicators(&self, actor: &$crate::t::Actor, query: &$crate::t::IndicatorQuery) -> $crate::t::StoreResult<$crate::t::Page<$crate::t::IndicatorDetails>> {
                $crate::timed_op!("query_indicators", {
                    $crate::read!(self, |db| $crate::indicators::query(db, actor, query))
                })
            }
            async fn delete_indicators(&self, actor: &$crate::t::Actor, ids: Vec<i64>) -> $crate::t::StoreResult<u64> {
                $crate::timed_op!("delete_indicators", {
                    $crate::write!(self, (actor) |db| $crate::indicators::delete_many(db, &actor, &ids))
                })
            }
            async fn explain_indicators(&self, actor: &$crate::t::Actor, query: &$crate::t::IndicatorQuery) -> $crate::t::StoreResult<Vec<$crate::t::PlanStep>> {
                $crate::timed_op!("explain_indicators", {
                    $crate::read!(self, |db| $crate::indicators::explain(db, actor, query))
                })
            }
            async fn write_item(&self, actor: &$crate::t::Actor, target: $crate::t::ItemTarget, nested: $crate::t::NestedChanges) -> $crate::t::StoreResult<$crate::t::Item> {
                $crate::timed_op!("write_item", {
                    $crate::write!(self, (actor, target) |db| $crate::nested::write_item(db, &actor, &target, &nested))
                })
            }
            async fn write_indicator(&self, actor: &$crate::t::Actor, target: $crate::t::IndicatorTarget, nested: $crate::t::NestedChanges) -> $crate::t::StoreResult<$crate::t::Indicator> {
                $crate::timed_op!("write_indicator", {
                    $crate::write!(self, (actor, target) |db| $crate::nested::write_indicator(db, &actor, &target, &nested))
                })
            }
            async fn delete_indicator_by_id(&self, actor: &$crate::t::Actor, id: i64) -> $crate::t::StoreResult<()> {
                $crate::timed_op!("delete_indicator_by_id", {
                    $crate::write!(self, (actor) |db| $crate::indicators::delete_by_id(db, &actor, id))
                })
            }
            async fn associate(&self, actor: &$crate::t::Actor, incident: i64, target: &$crate::t::Target) -> $crate::t::StoreResult<()> {
                $crate::timed_op!("associate", {
                    $crate::write!(self, (actor, target) |db| $crate::associations::associate(db, &actor, incident, &target))
                })
            }
            async fn disassociate(&self, actor: &$crate::t::Actor, incident: i64, target: &$crate::t::Target) -> $crate::t::StoreResult<()> {
                $crate::timed_op!("disassociate", {
                    $crate::write!(self, (actor, target) |db| $crate::associations::disassociate(db, &actor, incident, &target))
                })
            }
            async fn associations(&self, actor: &$crate::t::Actor, incident: i64, set: $crate::t::LinkSet, paging: $crate::t::Paging) -> $crate::t::StoreResult<$crate::t::Page<$crate::t::Linked>> {
                $crate::timed_op!("associations", {
                    $crate::read!(self, |db| $crate::associations::list(db, actor, incident, set, paging))
                })
            }
            async fn tags_of(&self, actor: &$crate::t::Actor, on: &$crate::t::Subject) -> $crate::t::StoreResult<Vec<$crate::t::Tag>> {
                $crate::timed_op!("tags_of", {
                    $crate::read!(self, |db| $crate::tags::of(db, actor, on))
                })
            }
            async fn tag(&self, actor: &$crate::t::Actor, on: &$crate::t::Subject, tag: &$crate::t::TagName) -> $crate::t::StoreResult<()> {
                $crate::timed_op!("tag", {
                    $crate::write!(self, (actor, on, tag) |db| $crate::tags::add(db, &actor, &on, &tag))
                })
            }
            async fn untag(&self, actor: &$crate::t::Actor, on: &$crate::t::Subject, tag: &str) -> $crate::t::StoreResult<()> {
                $crate::timed_op!("untag", {
                    $crate::write!(self, (actor, on, tag) |db| $crate::tags::remove(db, &actor, &on, &tag))
                })
            }
            async fn labels_of(&self, actor: &$crate::t::Actor, on: &$crate::t::Subject) -> $crate::t::StoreResult<Vec<$crate::t::SecurityLabel>> {
                $crate::timed_op!("labels_of", {
                    $crate::read!(self, |db| $crate::labels::of(db, actor, on))
                })
            }
            async fn label(&self, actor: &$crate::t::Actor, on: &$crate::t::Subject, label: &str) -> $crate::t::StoreResult<()> {
                $crate::timed_op!("label", {
                    $crate::write!(self, (actor, on, label) |db| $crate::labels::add(db, &actor, &on, &label))
                })
            }
            async fn unlabel(&self, actor: &$crate::t::Actor, on: &$crate::t::Subject, label: &str) -> $crate::t::StoreResult<()> {
                $crate::timed_op!("unlabel", {
                    $crate::write!(self, (actor, on, label) |db| $crate::labels::remove(db, &actor, &on, &label))
                })
            }
            async fn attributes_of(&self, actor: &$crate::t::Actor, on: &$crate::t::Subject) -> $crate::t::StoreResult<Vec<$crate::t::Attribute>> {
                $crate::timed_op!("attributes_of", {
                    $crate::read!(self, |db| $crate::attributes::of(db, actor, on))
                })
            }
            async fn attribute_of(&self, actor: &$crate::t::Actor, on: &$crate::t::Subject, attribute: i64) -> $crate::t::StoreResult<$crate::t::Attribute> {
                $crate::timed_op!("attribute_of", {
                    $crate::read!(self, |db| $crate::attributes::one(db, actor, on, attribute))
                })
            }
            async fn add_attribute(&self, actor: &$crate::t::Actor, on: &$crate::t::Subject, new: $crate::t::NewAttribute) -> $crate::t::StoreResult<$crate::t::Attribute> {
                $crate::timed_op!("add_attribute", {
                    $crate::write!(self, (actor, on) |db| $crate::attributes::add(db, &actor, &on, &new))
                })
            }
            async fn update_attribute(&self, actor: &$crate::t::Actor, on: &$crate::t::Subject, attribute: i64, patch: $crate::t::AttributePatch) -> $crate::t::StoreResult<$crate::t::Attribute> {
                $crate::timed_op!("update_attribute", {
                    $crate::write!(self, (actor, on) |db| $crate::attributes::update(db, &actor, &on, attribute, &patch))
                })
            }
            async fn delete_attribute(&self, actor: &$crate::t::Actor, on: &$crate::t::Subject, attribute: i64) -> $crate::t::StoreResult<()> {
                $crate::timed_op!("delete_attribute", {
                    $crate::write!(self, (actor, on) |db| $crate::attributes::delete(db, &actor, &on, attribute))
                })
            }
            async fn attribute_labels(&self, actor: &$crate::t::Actor, on: &$crate::t::Subject, attribute: i64) -> $crate::t::StoreResult<Vec<$crate::t::SecurityLabel>> {
                $crate::timed_op!("attribute_labels", {
                    $crate::read!(self, |db| $crate::attributes::labels_of(db, actor, on, attribute))
                })
            }
            async fn label_attribute(&self, actor: &$crate::t::Actor, on: &$crate::t::Subject, attribute: i64, label: &str) -> $crate::t::StoreResult<()> {
                $crate::timed_op!("label_attribute", {
                    $crate::write!(self, (actor, on, label) |db| $crate::attributes::label(db, &actor, &on, attribute, &label))
                })
            }
            async fn unlabel_attribute(&self, actor: &$crate::t::Actor, on: &$crate::t::Subject, attribute: i64, label: &str) -> $crate::t::StoreResult<()> {
                $crate::timed_op!("unlabel_attribute", {
                    $crate::write!(self, (actor, on, label) |db| $crate::attributes::unlabel(db, &actor, &on, attribute, &label))
                })
            }
            async fn web_login(&self, login: &str) -> $crate::t::StoreResult<Option<($crate::t::WebLogin, $crate::t::Actor)>> {
                $crate::timed_op!("web_login", {
                    $crate::read!(self, $crate::backend::Reading::OneStatement, |db| $crate::accounts::web_login(db, login))
                })
            }
            async fn web_session(&self, user_id: i64) -> $crate::t::StoreResult<Option<($crate::t::WebLogin, $crate::t::Actor)>> {
                $crate::timed_op!("web_session", {
                    $crate::read!(self, $crate::backend::Reading::OneStatement, |db| $crate::accounts::web_session(db, user_id))
                })
            }
            async fn end_web_sessions(&self, actor: &$crate::t::Actor) -> $crate::t::StoreResult<()> {
                $crate::timed_op!("end_web_sessions", {
                    $crate::write!(self, (actor) |db| $crate::accounts::end_web_sessions(db, &actor))
                })
            }
            async fn history(&self, actor: &$crate::t::Actor, on: &$crate::t::Subject, query: &$crate::t::history::HistoryQuery) -> $crate::t::StoreResult<$crate::t::Page<$crate::t::history::HistoryEntry>> {
                $crate::timed_op!("history", {
                    $crate::read!(self, |db| $crate::history::list(db, actor, on, query))
                })
            }
            async fn deleted(&self, actor: &$crate::t::Actor, owner: &$crate::t::Owner, family: $crate::t::history::Family, paging: $crate::t::Paging) -> $crate::t::StoreResult<$crate::t::Page<$crate::t::history::Deleted>> {
                $crate::timed_op!("deleted", {
                    $crate::read!(self, |db| $crate::tombstones::list(db, actor, owner, family, paging))
                })
            }
            async fn restore(&self, actor: &$crate::t::Actor, family: $crate::t::history::Family, id: i64) -> $crate::t::StoreResult<$crate::t::history::Restored> {
                $crate::timed_op!("restore", {
                    $crate::write!(self, (actor) |db| $crate::tombstones::restore(db, &actor, family, id))
                })
            }
            async fn purge_deleted(&self, before: $crate::t::Timestamp, limit: u64) -> $crate::t::StoreResult<u64> {
                $crate::timed_op!("purge_deleted", {
                    $crate::write!(self, () |db| $crate::tombstones::purge(db, before, limit))
                })
            }
            async fn dashboard(&self, actor: &$crate::t::Actor, owner: &$crate::t::Owner) -> $crate::t::StoreResult<$crate::t::dashboard::Dashboard> {
                $crate::timed_op!("dashboard", {
                    $crate::read!(self, |db| $crate::dashboard::load(db, actor, owner, $crate::now()))
                })
            }
            async fn search(&self, actor: &$crate::t::Actor, query: &str) -> $crate::t::StoreResult<$crate::t::search::SearchResults> {
                $crate::timed_op!("search", {
                    $crate::read!(self, |db| $crate::search::run(db, actor, query, $crate::Backend::name_sample(self)))
                })
            }
            async fn own_tokens(&self, actor: &$crate::t::Actor) -> $crate::t::StoreResult<Vec<$crate::t::ApiToken>> {
                $crate::timed_op!("own_tokens", {
                    $crate::read!(self, |db| $crate::account::tokens(db, actor))
                })
            }
            async fn create_own_token(&self, actor: &$crate::t::Actor, token_hash: Vec<u8>, expires: Option<$crate::t::Timestamp>) -> $crate::t::StoreResult<i64> {
                $crate::timed_op!("create_own_token", {
                    $crate::write!(self, (actor) |db| $crate::account::create_token(db, &actor, &token_hash, expires))
                })
            }
            async fn revoke_own_token(&self, actor: &$crate::t::Actor, id: i64) -> $crate::t::StoreResult<()> {
                $crate::timed_op!("revoke_own_token", {
                    $crate::write!(self, (actor) |db| $crate::account::revoke_token(db, &actor, id))
                })
            }
            async fn change_web_password(&self, actor: &$crate::t::Actor, password_hash: String) -> $crate::t::StoreResult<()> {
                $crate::timed_op!("change_web_password", {
                    $crate::write!(self, (actor) |db| $crate::account::change_password(db, &actor, &password_hash))
                })
            }
            async fn append_audit(&self, records: Vec<$crate::t::audit::AuditRecord>) -> $crate::t::StoreResult<$crate::t::audit::AuditHead> {
                $crate::timed_op!("append_audit", {
                    $crate::write!(self, () |db| $crate::audit::append(db, &records))
                })
            }
        }

        #[$crate::async_trait::async_trait]
        impl $crate::t::AdminStore for $ty {
            async fn create_owner(&self, name: &str, kind: $crate::t::OwnerKind) -> $crate::t::StoreResult<$crate::t::Owner> {
                $crate::timed_op!("create_owner", {
                    $crate::write!(self, (name) |db| $crate::admin::create_owner(db, &name, kind))
                })
            }
            async fn all_owners(&self) -> $crate::t::StoreResult<Vec<$crate::t::Owner>> {
                $crate::timed_op!("all_owners", {
                    $crate::read!(self, $crate::backend::Reading::OneStatement, |db| $crate::admin::owners(db))
                })
            }
            async fn owner_by_name(&self, name: &str) -> $crate::t::StoreResult<$crate::t::Owner> {
                $crate::timed_op!("owner_by_name", {
                    $crate::read!(self, $crate::backend::Reading::OneStatement, |db| $crate::admin::owner_by_name(db, name))
                })
            }
            async fn create_api_user(&self, user: $crate::t::NewApiUser) -> $crate::t::StoreResult<i64> {
                $crate::timed_op!("create_api_user", {
                    $crate::write!(self, () |db| $crate::admin::create_api_user(db, &user))
                })
            }
            async fn set_membership(&self, access_id: &str, owner: i64, role: $crate::t::Role) -> $crate::t::StoreResult<()> {
                $crate::timed_op!("set_membership", {
                    $crate::write!(self, (access_id) |db| $crate::admin::set_membership(db, &access_id, owner, role))
                })
            }
            async fn create_label(&self, owner: i64, name: &str, description: &str, color: &str) -> $crate::t::StoreResult<$crate::t::SecurityLabel> {
                $crate::timed_op!("create_label", {
                    $crate::write!(self, (name, description, color) |db| $crate::admin::create_label(db, owner, &name, &description, &color))
                })
            }
            async fn api_user_count(&self) -> $crate::t::StoreResult<u64> {
                $crate::timed_op!("api_user_count", {
                    $crate::read!(self, $crate::backend::Reading::OneStatement, |db| $crate::admin::api_user_count(db))
                })
            }
            async fn create_web_login(&self, new: $crate::t::NewWebLogin) -> $crate::t::StoreResult<()> {
                $crate::timed_op!("create_web_login", {
                    $crate::write!(self, () |db| $crate::admin::create_web_login(db, &new))
                })
            }
            async fn set_web_password(&self, login: &str, password_hash: &str) -> $crate::t::StoreResult<()> {
                $crate::timed_op!("set_web_password", {
                    $crate::write!(self, (login, password_hash) |db| $crate::admin::set_web_password(db, &login, &password_hash))
                })
            }
            async fn find_user(&self, user: &str) -> $crate::t::StoreResult<$crate::t::ApiUserInfo> {
                $crate::timed_op!("find_user", {
                    $crate::read!(self, |db| $crate::admin::find_user(db, user))
                })
            }
            async fn users(&self) -> $crate::t::StoreResult<Vec<$crate::t::ApiUserInfo>> {
                $crate::timed_op!("users", {
                    $crate::read!(self, $crate::backend::Reading::OneStatement, |db| $crate::admin::users(db))
                })
            }
            async fn create_token(&self, new: $crate::t::NewApiToken) -> $crate::t::StoreResult<i64> {
                $crate::timed_op!("create_token", {
                    $crate::write!(self, () |db| $crate::admin::create_token(db, &new))
                })
            }
            async fn tokens(&self) -> $crate::t::StoreResult<Vec<$crate::t::ApiToken>> {
                $crate::timed_op!("tokens", {
                    $crate::read!(self, $crate::backend::Reading::OneStatement, |db| $crate::admin::tokens(db))
                })
            }
            async fn revoke_token(&self, id: i64) -> $crate::t::StoreResult<()> {
                $crate::timed_op!("revoke_token", {
                    $crate::write!(self, () |db| $crate::admin::revoke_token(db, id))
                })
            }
            async fn set_api_key(&self, user_id: i64, sealed_secret: Vec<u8>) -> $crate::t::StoreResult<()> {
                $crate::timed_op!("set_api_key", {
                    $crate::write!(self, () |db| $crate::admin::set_api_key(db, user_id, &sealed_secret))
                })
            }
            async fn revoke_api_key(&self, user_id: i64) -> $crate::t::StoreResult<()> {
                $crate::timed_op!("revoke_api_key", {
                    $crate::write!(self, () |db| $crate::admin::revoke_api_key(db, user_id))
                })
            }
            async fn set_user_disabled(&self, user_id: i64, disabled: bool) -> $crate::t::StoreResult<()> {
                $crate::timed_op!("set_user_disabled", {
                    $crate::write!(self, () |db| $crate::admin::set_user_disabled(db, user_id, disabled))
                })
            }
            async fn remove_membership(&self, user_id: i64, owner: i64) -> $crate::t::StoreResult<()> {
                $crate::timed_op!("remove_membership", {
                    $crate::write!(self, () |db| $crate::admin::remove_membership(db, user_id, owner))
                })
            }
            async fn audit_entries(&self, filter: &$crate::t::audit::AuditFilter, from: $crate::t::audit::AuditCursor, limit: u32) -> $crate::t::StoreResult<Vec<$crate::t::audit::AuditEntry>> {
                $crate::timed_op!("audit_entries", {
                    $crate::read!(self, |db| $crate::audit::entries(db, filter, from, limit))
                })
            }
            async fn audit_head(&self) -> $crate::t::StoreResult<$crate::t::audit::AuditHead> {
                $crate::timed_op!("audit_head", {
                    $crate::read!(self, $crate::backend::Reading::OneStatement, |db| $crate::audit::head(db))
                })
            }
            async fn explain_history(&self, incident: i64, owner: i64) -> $crate::t::StoreResult<Vec<$crate::t::PlanStep>> {
                $crate::timed_op!("explain_history", {
                    $crate::read!(self, |db| $crate::history::explain(db, incident, owner))
                })
            }
            async fn explain_dashboard(&self, owner: i64) -> $crate::t::StoreResult<Vec<$crate::t::PlanStep>> {
                $crate::timed_op!("explain_dashboard", {
                    $crate::read!(self, |db| $crate::dashboard::explain(db, owner))
                })
            }
            async fn explain_search(&self, owner: i64, query: &str) -> $crate::t::StoreResult<Vec<$crate::t::PlanStep>> {
                $crate::timed_op!("explain_search", {
                    $crate::read!(self, |db| $crate::search::explain(db, owner, query, $crate::Backend::name_sample(self)))
                })
            }
            async fn explain_audit(&self) -> $crate::t::StoreResult<Vec<$crate::t::PlanStep>> {
                $crate::timed_op!("explain_audit", {
                    $crate::read!(self, |db| $crate::audit::explain(db))
                })
            }
        }
    };
}
