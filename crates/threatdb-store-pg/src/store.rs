//! `Store` for SQLite: each method one transaction around the module functions.

use crate::{
    PgStore, association_lists, associations, backend, catalogue, incidents, item_attributes,
    item_tags, metadata,
};
use async_trait::async_trait;
use threatdb_core::policy::Access;
use threatdb_core::{
    Actor, ApiCredentials, Attribute, AttributePatch, Incident, IncidentDetails, IncidentPatch,
    IncidentQuery, Include, Indicator, IndicatorKind, IndicatorValue, Item, ItemKind, ItemPatch,
    LinkSet, Linked, NewAttribute, NewIncident, NewItem, Owner, Page, Paging, SecurityLabel, Store,
    StoreResult, Tag, TagName, Taggable, Target, WebLogin,
};

/// Runs `$body` with `$conn` inside a write transaction, committing on success.
macro_rules! write {
    ($self:ident, |$conn:ident| $body:expr) => {{
        let mut tx = $self.begin_write().await?;
        let $conn = &mut *tx;
        let out = $body.await?;
        tx.commit().await.map_err(backend)?;
        Ok(out)
    }};
}

/// Runs `$body` with `$conn` on a pooled connection, outside a transaction: for reads of one
/// statement, where BEGIN and COMMIT would only add two round trips to the server.
macro_rules! read_one {
    ($self:ident, |$conn:ident| $body:expr) => {{
        let mut conn = $self.pool().acquire().await.map_err(backend)?;
        let $conn = &mut *conn;
        $body.await
    }};
}

/// Runs `$body` with `$conn` inside a read transaction (one snapshot).
macro_rules! read {
    ($self:ident, |$conn:ident| $body:expr) => {{
        let mut tx = $self.begin_read().await?;
        let $conn = &mut *tx;
        let out = $body.await?;
        tx.commit().await.map_err(backend)?;
        Ok(out)
    }};
}

#[async_trait]
impl Store for PgStore {
    async fn credentials(&self, access_id: &str) -> StoreResult<Option<(ApiCredentials, Actor)>> {
        self.load_credentials(access_id).await
    }

    async fn create_incident(
        &self,
        actor: &Actor,
        owner: &Owner,
        new: NewIncident,
    ) -> StoreResult<Incident> {
        write!(self, |c| incidents::create(c, actor, owner, new))
    }

    async fn get_incident(
        &self,
        actor: &Actor,
        id: i64,
        include: Include,
    ) -> StoreResult<IncidentDetails> {
        if include.attributes || include.tags || include.labels {
            read!(self, |c| incidents::get(c, actor, id, include))
        } else {
            read_one!(self, |c| incidents::get(c, actor, id, include))
        }
    }

    async fn update_incident(
        &self,
        actor: &Actor,
        id: i64,
        patch: IncidentPatch,
    ) -> StoreResult<Incident> {
        write!(self, |c| incidents::update(c, actor, id, patch))
    }

    async fn delete_incident(&self, actor: &Actor, id: i64) -> StoreResult<()> {
        write!(self, |c| incidents::delete(c, actor, id))
    }

    async fn list_incidents(
        &self,
        actor: &Actor,
        query: &IncidentQuery,
    ) -> StoreResult<Page<IncidentDetails>> {
        read!(self, |c| async {
            associations::check_associated(&mut *c, actor, query).await?;
            incidents::list(c, actor, query).await
        })
    }

    async fn list_attributes(&self, actor: &Actor, incident: i64) -> StoreResult<Vec<Attribute>> {
        read!(self, |c| metadata::attributes(c, actor, incident))
    }

    async fn get_attribute(
        &self,
        actor: &Actor,
        incident: i64,
        attribute: i64,
    ) -> StoreResult<Attribute> {
        read!(self, |c| metadata::attribute(
            c,
            actor,
            incident,
            attribute,
            Access::Read
        ))
    }

    async fn add_attribute(
        &self,
        actor: &Actor,
        incident: i64,
        new: NewAttribute,
    ) -> StoreResult<Attribute> {
        write!(self, |c| metadata::add_attribute(c, actor, incident, new))
    }

    async fn update_attribute(
        &self,
        actor: &Actor,
        incident: i64,
        attribute: i64,
        patch: AttributePatch,
    ) -> StoreResult<Attribute> {
        write!(self, |c| metadata::update_attribute(
            c, actor, incident, attribute, patch
        ))
    }

    async fn delete_attribute(
        &self,
        actor: &Actor,
        incident: i64,
        attribute: i64,
    ) -> StoreResult<()> {
        write!(self, |c| metadata::delete_attribute(
            c, actor, incident, attribute
        ))
    }

    async fn attribute_labels(
        &self,
        actor: &Actor,
        incident: i64,
        attribute: i64,
    ) -> StoreResult<Vec<SecurityLabel>> {
        read!(self, |c| metadata::attribute_labels(
            c, actor, incident, attribute
        ))
    }

    async fn add_attribute_label(
        &self,
        actor: &Actor,
        incident: i64,
        attribute: i64,
        label: &str,
    ) -> StoreResult<()> {
        write!(self, |c| metadata::add_attribute_label(
            c, actor, incident, attribute, label
        ))
    }

    async fn remove_attribute_label(
        &self,
        actor: &Actor,
        incident: i64,
        attribute: i64,
        label: &str,
    ) -> StoreResult<()> {
        write!(self, |c| metadata::remove_attribute_label(
            c, actor, incident, attribute, label
        ))
    }

    async fn incident_tags(&self, actor: &Actor, incident: i64) -> StoreResult<Vec<Tag>> {
        read!(self, |c| metadata::tags(c, actor, incident))
    }

    async fn add_incident_tag(
        &self,
        actor: &Actor,
        incident: i64,
        tag: &TagName,
    ) -> StoreResult<()> {
        write!(self, |c| metadata::add_tag(c, actor, incident, tag))
    }

    async fn remove_incident_tag(
        &self,
        actor: &Actor,
        incident: i64,
        tag: &str,
    ) -> StoreResult<()> {
        write!(self, |c| metadata::remove_tag(c, actor, incident, tag))
    }

    async fn get_tag(&self, actor: &Actor, owner: &Owner, name: &str) -> StoreResult<Tag> {
        crate::authorize(actor, owner.id, Access::Read)?;
        read!(self, |c| metadata::owner_tag(c, owner.id, name))
    }

    async fn list_tags(
        &self,
        actor: &Actor,
        owner: &Owner,
        paging: Paging,
    ) -> StoreResult<Page<Tag>> {
        crate::authorize(actor, owner.id, Access::Read)?;
        let result: StoreResult<_> = read!(self, |c| metadata::owner_tags(
            c,
            owner.id,
            paging.start,
            paging.limit
        ));
        let (total, items) = result?;
        Ok(Page { total, items })
    }

    async fn incident_labels(
        &self,
        actor: &Actor,
        incident: i64,
    ) -> StoreResult<Vec<SecurityLabel>> {
        read!(self, |c| metadata::labels(c, actor, incident))
    }

    async fn add_incident_label(
        &self,
        actor: &Actor,
        incident: i64,
        label: &str,
    ) -> StoreResult<()> {
        write!(self, |c| metadata::add_label(c, actor, incident, label))
    }

    async fn remove_incident_label(
        &self,
        actor: &Actor,
        incident: i64,
        label: &str,
    ) -> StoreResult<()> {
        write!(self, |c| metadata::remove_label(c, actor, incident, label))
    }

    async fn list_labels(&self, actor: &Actor, owner: &Owner) -> StoreResult<Vec<SecurityLabel>> {
        crate::authorize(actor, owner.id, Access::Read)?;
        read!(self, |c| metadata::owner_labels(c, owner.id))
    }

    async fn create_item(&self, actor: &Actor, owner: &Owner, new: NewItem) -> StoreResult<Item> {
        write!(self, |c| associations::create_item(c, actor, owner, &new))
    }

    async fn get_item(&self, actor: &Actor, kind: ItemKind, id: i64) -> StoreResult<Item> {
        read!(self, |c| associations::get_item(c, actor, kind, id))
    }

    async fn update_item(
        &self,
        actor: &Actor,
        kind: ItemKind,
        id: i64,
        patch: ItemPatch,
    ) -> StoreResult<Item> {
        write!(self, |c| associations::update_item(
            c, actor, kind, id, patch
        ))
    }

    async fn delete_item(&self, actor: &Actor, kind: ItemKind, id: i64) -> StoreResult<()> {
        write!(self, |c| associations::delete_item(c, actor, kind, id))
    }

    async fn list_items(
        &self,
        actor: &Actor,
        owner: &Owner,
        kind: Option<ItemKind>,
        paging: Paging,
    ) -> StoreResult<Page<Item>> {
        read!(self, |c| catalogue::list_items(
            c, actor, owner, kind, paging
        ))
    }

    async fn list_indicators(
        &self,
        actor: &Actor,
        owner: &Owner,
        kind: Option<IndicatorKind>,
        paging: Paging,
    ) -> StoreResult<Page<Indicator>> {
        read!(self, |c| catalogue::list_indicators(
            c, actor, owner, kind, paging
        ))
    }

    async fn create_indicator(
        &self,
        actor: &Actor,
        owner: &Owner,
        value: &IndicatorValue,
    ) -> StoreResult<Indicator> {
        write!(self, |c| associations::create_indicator(
            c, actor, owner, value
        ))
    }

    async fn get_indicator(
        &self,
        actor: &Actor,
        owner: &Owner,
        value: &IndicatorValue,
    ) -> StoreResult<Indicator> {
        read!(self, |c| associations::get_indicator(
            c, actor, owner, value
        ))
    }

    async fn delete_indicator(
        &self,
        actor: &Actor,
        owner: &Owner,
        value: &IndicatorValue,
    ) -> StoreResult<()> {
        write!(self, |c| associations::delete_indicator(
            c, actor, owner, value
        ))
    }

    async fn associate(&self, actor: &Actor, incident: i64, target: &Target) -> StoreResult<()> {
        write!(self, |c| associations::associate(
            c, actor, incident, target
        ))
    }

    async fn disassociate(&self, actor: &Actor, incident: i64, target: &Target) -> StoreResult<()> {
        write!(self, |c| associations::disassociate(
            c, actor, incident, target
        ))
    }

    async fn associations(
        &self,
        actor: &Actor,
        incident: i64,
        set: LinkSet,
        paging: Paging,
    ) -> StoreResult<Page<Linked>> {
        read!(self, |c| association_lists::associations(
            c, actor, incident, set, paging
        ))
    }

    async fn tags_of(&self, actor: &Actor, on: &Taggable) -> StoreResult<Vec<Tag>> {
        read!(self, |c| item_tags::tags_of(c, actor, on))
    }

    async fn tag(&self, actor: &Actor, on: &Taggable, tag: &TagName) -> StoreResult<()> {
        write!(self, |c| item_tags::tag(c, actor, on, tag))
    }

    async fn untag(&self, actor: &Actor, on: &Taggable, tag: &str) -> StoreResult<()> {
        write!(self, |c| item_tags::untag(c, actor, on, tag))
    }

    async fn labels_of(&self, actor: &Actor, on: &Taggable) -> StoreResult<Vec<SecurityLabel>> {
        read!(self, |c| item_tags::labels_of(c, actor, on))
    }

    async fn label(&self, actor: &Actor, on: &Taggable, label: &str) -> StoreResult<()> {
        write!(self, |c| item_tags::label(c, actor, on, label))
    }

    async fn unlabel(&self, actor: &Actor, on: &Taggable, label: &str) -> StoreResult<()> {
        write!(self, |c| item_tags::unlabel(c, actor, on, label))
    }

    async fn attributes_on(&self, actor: &Actor, on: &Taggable) -> StoreResult<Vec<Attribute>> {
        read!(self, |c| item_attributes::list(c, actor, on))
    }

    async fn add_attribute_on(
        &self,
        actor: &Actor,
        on: &Taggable,
        new: NewAttribute,
    ) -> StoreResult<Attribute> {
        write!(self, |c| item_attributes::add(c, actor, on, new))
    }

    async fn update_attribute_on(
        &self,
        actor: &Actor,
        on: &Taggable,
        attribute: i64,
        patch: AttributePatch,
    ) -> StoreResult<Attribute> {
        write!(self, |c| item_attributes::update(
            c, actor, on, attribute, patch
        ))
    }

    async fn delete_attribute_on(
        &self,
        actor: &Actor,
        on: &Taggable,
        attribute: i64,
    ) -> StoreResult<()> {
        write!(self, |c| item_attributes::delete(c, actor, on, attribute))
    }

    async fn web_login(&self, login: &str) -> StoreResult<Option<(WebLogin, Actor)>> {
        self.load_web_login(login).await
    }

    async fn web_session(&self, user_id: i64) -> StoreResult<Option<(WebLogin, Actor)>> {
        self.load_web_session(user_id).await
    }

    async fn end_web_sessions(&self, actor: &Actor) -> StoreResult<()> {
        self.bump_session_epoch(actor).await
    }
}
