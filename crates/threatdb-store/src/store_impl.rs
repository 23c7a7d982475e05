//! The `Store` and `AdminStore` traits for a backend, once: `impl_store!(MyBackend)` in the
//! backend's crate (the traits and the backend type are both foreign to this crate, so the impl
//! must be written there). Each method is one operation in one transaction.

/// Implements [`threatdb_core::Store`] and [`threatdb_core::AdminStore`] for a type that
/// implements [`crate::Backend`].
#[macro_export]
macro_rules! impl_store {
    ($ty:ty) => {
        #[$crate::async_trait::async_trait]
        impl $crate::core::Store for $ty {
            async fn credentials(
                &self,
                access_id: &str,
            ) -> $crate::core::StoreResult<
                Option<($crate::core::ApiCredentials, $crate::core::Actor)>,
            > {
                $crate::read!(self, $crate::backend::Reading::OneStatement, |db| {
                    $crate::accounts::credentials(db, access_id)
                })
            }

            async fn create_incident(
                &self,
                actor: &$crate::core::Actor,
                owner: &$crate::core::Owner,
                new: $crate::core::NewIncident,
            ) -> $crate::core::StoreResult<$crate::core::Incident> {
                $crate::write!(
                    self,
                    (actor, owner) | db | $crate::incidents::create(db, &actor, &owner, &new)
                )
            }

            async fn get_incident(
                &self,
                actor: &$crate::core::Actor,
                id: i64,
                include: $crate::core::Include,
            ) -> $crate::core::StoreResult<$crate::core::IncidentDetails> {
                let reading = if include.attributes || include.tags || include.labels {
                    $crate::backend::Reading::Snapshot
                } else {
                    $crate::backend::Reading::OneStatement
                };
                $crate::read!(self, reading, |db| $crate::incidents::get(
                    db, actor, id, include
                ))
            }

            async fn update_incident(
                &self,
                actor: &$crate::core::Actor,
                id: i64,
                patch: $crate::core::IncidentPatch,
            ) -> $crate::core::StoreResult<$crate::core::Incident> {
                $crate::write!(
                    self,
                    (actor) | db | $crate::incidents::update(db, &actor, id, &patch)
                )
            }

            async fn delete_incident(
                &self,
                actor: &$crate::core::Actor,
                id: i64,
            ) -> $crate::core::StoreResult<()> {
                $crate::write!(
                    self,
                    (actor) | db | $crate::incidents::delete(db, &actor, id)
                )
            }

            async fn list_incidents(
                &self,
                actor: &$crate::core::Actor,
                query: &$crate::core::IncidentQuery,
            ) -> $crate::core::StoreResult<$crate::core::Page<$crate::core::IncidentDetails>> {
                $crate::read!(self, |db| $crate::list::incidents(db, actor, query))
            }

            async fn get_tag(
                &self,
                actor: &$crate::core::Actor,
                owner: &$crate::core::Owner,
                name: &str,
            ) -> $crate::core::StoreResult<$crate::core::Tag> {
                $crate::read!(self, $crate::backend::Reading::OneStatement, |db| {
                    $crate::tags::get(db, actor, owner, name)
                })
            }

            async fn list_tags(
                &self,
                actor: &$crate::core::Actor,
                owner: &$crate::core::Owner,
                paging: $crate::core::Paging,
            ) -> $crate::core::StoreResult<$crate::core::Page<$crate::core::Tag>> {
                $crate::read!(self, |db| $crate::tags::list(db, actor, owner, paging))
            }

            async fn list_labels(
                &self,
                actor: &$crate::core::Actor,
                owner: &$crate::core::Owner,
            ) -> $crate::core::StoreResult<Vec<$crate::core::SecurityLabel>> {
                $crate::read!(self, $crate::backend::Reading::OneStatement, |db| {
                    $crate::labels::usable(db, actor, owner)
                })
            }

            async fn create_item(
                &self,
                actor: &$crate::core::Actor,
                owner: &$crate::core::Owner,
                new: $crate::core::NewItem,
            ) -> $crate::core::StoreResult<$crate::core::Item> {
                $crate::write!(
                    self,
                    (actor, owner) | db | $crate::items::create_item(db, &actor, &owner, &new)
                )
            }

            async fn get_item(
                &self,
                actor: &$crate::core::Actor,
                kind: $crate::core::ItemKind,
                id: i64,
            ) -> $crate::core::StoreResult<$crate::core::Item> {
                $crate::read!(self, $crate::backend::Reading::OneStatement, |db| {
                    $crate::items::get_item(db, actor, kind, id)
                })
            }

            async fn update_item(
                &self,
                actor: &$crate::core::Actor,
                kind: $crate::core::ItemKind,
                id: i64,
                patch: $crate::core::ItemPatch,
            ) -> $crate::core::StoreResult<$crate::core::Item> {
                $crate::write!(
                    self,
                    (actor) | db | $crate::items::update_item(db, &actor, kind, id, &patch)
                )
            }

            async fn delete_item(
                &self,
                actor: &$crate::core::Actor,
                kind: $crate::core::ItemKind,
                id: i64,
            ) -> $crate::core::StoreResult<()> {
                $crate::write!(
                    self,
                    (actor) | db | $crate::items::delete_item(db, &actor, kind, id)
                )
            }

            async fn list_items(
                &self,
                actor: &$crate::core::Actor,
                owner: &$crate::core::Owner,
                kind: Option<$crate::core::ItemKind>,
                paging: $crate::core::Paging,
            ) -> $crate::core::StoreResult<$crate::core::Page<$crate::core::Item>> {
                $crate::read!(self, |db| $crate::catalogue::items(
                    db, actor, owner, kind, paging
                ))
            }

            async fn list_indicators(
                &self,
                actor: &$crate::core::Actor,
                owner: &$crate::core::Owner,
                kind: Option<$crate::core::IndicatorKind>,
                paging: $crate::core::Paging,
            ) -> $crate::core::StoreResult<$crate::core::Page<$crate::core::Indicator>> {
                $crate::read!(self, |db| $crate::catalogue::indicators(
                    db, actor, owner, kind, paging
                ))
            }

            async fn create_indicator(
                &self,
                actor: &$crate::core::Actor,
                owner: &$crate::core::Owner,
                value: &$crate::core::IndicatorValue,
            ) -> $crate::core::StoreResult<$crate::core::Indicator> {
                $crate::write!(
                    self,
                    (actor, owner, value)
                        | db
                        | $crate::items::create_indicator(db, &actor, &owner, &value)
                )
            }

            async fn get_indicator(
                &self,
                actor: &$crate::core::Actor,
                owner: &$crate::core::Owner,
                value: &$crate::core::IndicatorValue,
            ) -> $crate::core::StoreResult<$crate::core::Indicator> {
                $crate::read!(self, $crate::backend::Reading::OneStatement, |db| {
                    $crate::items::get_indicator(db, actor, owner, value)
                })
            }

            async fn delete_indicator(
                &self,
                actor: &$crate::core::Actor,
                owner: &$crate::core::Owner,
                value: &$crate::core::IndicatorValue,
            ) -> $crate::core::StoreResult<()> {
                $crate::write!(
                    self,
                    (actor, owner, value)
                        | db
                        | $crate::items::delete_indicator(db, &actor, &owner, &value)
                )
            }

            async fn associate(
                &self,
                actor: &$crate::core::Actor,
                incident: i64,
                target: &$crate::core::Target,
            ) -> $crate::core::StoreResult<()> {
                $crate::write!(
                    self,
                    (actor, target)
                        | db
                        | $crate::associations::associate(db, &actor, incident, &target)
                )
            }

            async fn disassociate(
                &self,
                actor: &$crate::core::Actor,
                incident: i64,
                target: &$crate::core::Target,
            ) -> $crate::core::StoreResult<()> {
                $crate::write!(
                    self,
                    (actor, target)
                        | db
                        | $crate::associations::disassociate(db, &actor, incident, &target)
                )
            }

            async fn associations(
                &self,
                actor: &$crate::core::Actor,
                incident: i64,
                set: $crate::core::LinkSet,
                paging: $crate::core::Paging,
            ) -> $crate::core::StoreResult<$crate::core::Page<$crate::core::Linked>> {
                $crate::read!(self, |db| $crate::associations::list(
                    db, actor, incident, set, paging
                ))
            }

            async fn tags_of(
                &self,
                actor: &$crate::core::Actor,
                on: &$crate::core::Subject,
            ) -> $crate::core::StoreResult<Vec<$crate::core::Tag>> {
                $crate::read!(self, |db| $crate::tags::of(db, actor, on))
            }

            async fn tag(
                &self,
                actor: &$crate::core::Actor,
                on: &$crate::core::Subject,
                tag: &$crate::core::TagName,
            ) -> $crate::core::StoreResult<()> {
                $crate::write!(
                    self,
                    (actor, on, tag) | db | $crate::tags::add(db, &actor, &on, &tag)
                )
            }

            async fn untag(
                &self,
                actor: &$crate::core::Actor,
                on: &$crate::core::Subject,
                tag: &str,
            ) -> $crate::core::StoreResult<()> {
                $crate::write!(
                    self,
                    (actor, on, tag) | db | $crate::tags::remove(db, &actor, &on, &tag)
                )
            }

            async fn labels_of(
                &self,
                actor: &$crate::core::Actor,
                on: &$crate::core::Subject,
            ) -> $crate::core::StoreResult<Vec<$crate::core::SecurityLabel>> {
                $crate::read!(self, |db| $crate::labels::of(db, actor, on))
            }

            async fn label(
                &self,
                actor: &$crate::core::Actor,
                on: &$crate::core::Subject,
                label: &str,
            ) -> $crate::core::StoreResult<()> {
                $crate::write!(
                    self,
                    (actor, on, label) | db | $crate::labels::add(db, &actor, &on, &label)
                )
            }

            async fn unlabel(
                &self,
                actor: &$crate::core::Actor,
                on: &$crate::core::Subject,
                label: &str,
            ) -> $crate::core::StoreResult<()> {
                $crate::write!(
                    self,
                    (actor, on, label) | db | $crate::labels::remove(db, &actor, &on, &label)
                )
            }

            async fn attributes_of(
                &self,
                actor: &$crate::core::Actor,
                on: &$crate::core::Subject,
            ) -> $crate::core::StoreResult<Vec<$crate::core::Attribute>> {
                $crate::read!(self, |db| $crate::attributes::of(db, actor, on))
            }

            async fn attribute_of(
                &self,
                actor: &$crate::core::Actor,
                on: &$crate::core::Subject,
                attribute: i64,
            ) -> $crate::core::StoreResult<$crate::core::Attribute> {
                $crate::read!(self, |db| $crate::attributes::one(db, actor, on, attribute))
            }

            async fn add_attribute(
                &self,
                actor: &$crate::core::Actor,
                on: &$crate::core::Subject,
                new: $crate::core::NewAttribute,
            ) -> $crate::core::StoreResult<$crate::core::Attribute> {
                $crate::write!(
                    self,
                    (actor, on) | db | $crate::attributes::add(db, &actor, &on, &new)
                )
            }

            async fn update_attribute(
                &self,
                actor: &$crate::core::Actor,
                on: &$crate::core::Subject,
                attribute: i64,
                patch: $crate::core::AttributePatch,
            ) -> $crate::core::StoreResult<$crate::core::Attribute> {
                $crate::write!(
                    self,
                    (actor, on)
                        | db
                        | $crate::attributes::update(db, &actor, &on, attribute, &patch)
                )
            }

            async fn delete_attribute(
                &self,
                actor: &$crate::core::Actor,
                on: &$crate::core::Subject,
                attribute: i64,
            ) -> $crate::core::StoreResult<()> {
                $crate::write!(
                    self,
                    (actor, on) | db | $crate::attributes::delete(db, &actor, &on, attribute)
                )
            }

            async fn attribute_labels(
                &self,
                actor: &$crate::core::Actor,
                on: &$crate::core::Subject,
                attribute: i64,
            ) -> $crate::core::StoreResult<Vec<$crate::core::SecurityLabel>> {
                $crate::read!(self, |db| $crate::attributes::labels_of(
                    db, actor, on, attribute
                ))
            }

            async fn label_attribute(
                &self,
                actor: &$crate::core::Actor,
                on: &$crate::core::Subject,
                attribute: i64,
                label: &str,
            ) -> $crate::core::StoreResult<()> {
                $crate::write!(
                    self,
                    (actor, on, label)
                        | db
                        | $crate::attributes::label(db, &actor, &on, attribute, &label)
                )
            }

            async fn unlabel_attribute(
                &self,
                actor: &$crate::core::Actor,
                on: &$crate::core::Subject,
                attribute: i64,
                label: &str,
            ) -> $crate::core::StoreResult<()> {
                $crate::write!(
                    self,
                    (actor, on, label)
                        | db
                        | $crate::attributes::unlabel(db, &actor, &on, attribute, &label)
                )
            }

            async fn web_login(
                &self,
                login: &str,
            ) -> $crate::core::StoreResult<Option<($crate::core::WebLogin, $crate::core::Actor)>>
            {
                $crate::read!(self, $crate::backend::Reading::OneStatement, |db| {
                    $crate::accounts::web_login(db, login)
                })
            }

            async fn web_session(
                &self,
                user_id: i64,
            ) -> $crate::core::StoreResult<Option<($crate::core::WebLogin, $crate::core::Actor)>>
            {
                $crate::read!(self, $crate::backend::Reading::OneStatement, |db| {
                    $crate::accounts::web_session(db, user_id)
                })
            }

            async fn end_web_sessions(
                &self,
                actor: &$crate::core::Actor,
            ) -> $crate::core::StoreResult<()> {
                $crate::write!(
                    self,
                    (actor) | db | $crate::accounts::end_web_sessions(db, &actor)
                )
            }
        }

        #[$crate::async_trait::async_trait]
        impl $crate::core::AdminStore for $ty {
            async fn create_owner(
                &self,
                name: &str,
                kind: $crate::core::OwnerKind,
            ) -> $crate::core::StoreResult<$crate::core::Owner> {
                $crate::write!(
                    self,
                    (name) | db | $crate::admin::create_owner(db, &name, kind)
                )
            }

            async fn all_owners(&self) -> $crate::core::StoreResult<Vec<$crate::core::Owner>> {
                $crate::read!(self, $crate::backend::Reading::OneStatement, |db| {
                    $crate::admin::owners(db)
                })
            }

            async fn owner_by_name(
                &self,
                name: &str,
            ) -> $crate::core::StoreResult<$crate::core::Owner> {
                $crate::read!(self, $crate::backend::Reading::OneStatement, |db| {
                    $crate::admin::owner_by_name(db, name)
                })
            }

            async fn create_api_user(
                &self,
                user: $crate::core::NewApiUser,
            ) -> $crate::core::StoreResult<i64> {
                $crate::write!(self, () | db | $crate::admin::create_api_user(db, &user))
            }

            async fn set_membership(
                &self,
                access_id: &str,
                owner: i64,
                role: $crate::core::Role,
            ) -> $crate::core::StoreResult<()> {
                $crate::write!(
                    self,
                    (access_id) | db | $crate::admin::set_membership(db, &access_id, owner, role)
                )
            }

            async fn create_label(
                &self,
                owner: i64,
                name: &str,
                description: &str,
                color: &str,
            ) -> $crate::core::StoreResult<$crate::core::SecurityLabel> {
                $crate::write!(
                    self,
                    (name, description, color)
                        | db
                        | $crate::admin::create_label(db, owner, &name, &description, &color)
                )
            }

            async fn api_user_count(&self) -> $crate::core::StoreResult<u64> {
                $crate::read!(self, $crate::backend::Reading::OneStatement, |db| {
                    $crate::admin::api_user_count(db)
                })
            }

            async fn create_web_login(
                &self,
                new: $crate::core::NewWebLogin,
            ) -> $crate::core::StoreResult<()> {
                $crate::write!(self, () | db | $crate::admin::create_web_login(db, &new))
            }

            async fn set_web_password(
                &self,
                login: &str,
                password_hash: &str,
            ) -> $crate::core::StoreResult<()> {
                $crate::write!(
                    self,
                    (login, password_hash)
                        | db
                        | $crate::admin::set_web_password(db, &login, &password_hash)
                )
            }
        }
    };
}
