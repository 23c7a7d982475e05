//! `Store` for SQLite: reads inline in one read transaction, writes through the group-committing
//! writer thread (see the crate documentation).

use crate::{
    SqliteStore, admin, associations, catalogue, incidents, item_attributes, item_tags, metadata,
};
use async_trait::async_trait;
use threatdb_core::policy::Access;
use threatdb_core::{
    Actor, ApiCredentials, Attribute, AttributePatch, Incident, IncidentDetails, IncidentPatch,
    IncidentQuery, Include, Indicator, IndicatorKind, IndicatorValue, Item, ItemKind, ItemPatch,
    LinkSet, Linked, NewAttribute, NewIncident, NewItem, Owner, Page, Paging, SecurityLabel, Store,
    StoreResult, Tag, TagName, Taggable, Target, WebLogin,
};

#[async_trait]
impl Store for SqliteStore {
    async fn credentials(&self, access_id: &str) -> StoreResult<Option<(ApiCredentials, Actor)>> {
        self.read(|c| admin::load_credentials(c, access_id))
    }

    async fn create_incident(
        &self,
        actor: &Actor,
        owner: &Owner,
        new: NewIncident,
    ) -> StoreResult<Incident> {
        let (actor, owner) = (actor.clone(), owner.clone());
        self.write(move |c| incidents::create(c, &actor, &owner, &new))
            .await
    }

    async fn get_incident(
        &self,
        actor: &Actor,
        id: i64,
        include: Include,
    ) -> StoreResult<IncidentDetails> {
        self.read(|c| incidents::get(c, actor, id, include))
    }

    async fn update_incident(
        &self,
        actor: &Actor,
        id: i64,
        patch: IncidentPatch,
    ) -> StoreResult<Incident> {
        let actor = actor.clone();
        self.write(move |c| incidents::update(c, &actor, id, &patch))
            .await
    }

    async fn delete_incident(&self, actor: &Actor, id: i64) -> StoreResult<()> {
        let actor = actor.clone();
        self.write(move |c| incidents::delete(c, &actor, id)).await
    }

    async fn list_incidents(
        &self,
        actor: &Actor,
        query: &IncidentQuery,
    ) -> StoreResult<Page<IncidentDetails>> {
        self.read(|c| {
            associations::check_associated(c, actor, query)?;
            incidents::list(c, actor, query)
        })
    }

    async fn list_attributes(&self, actor: &Actor, incident: i64) -> StoreResult<Vec<Attribute>> {
        self.read(|c| metadata::attributes(c, actor, incident))
    }

    async fn get_attribute(
        &self,
        actor: &Actor,
        incident: i64,
        attribute: i64,
    ) -> StoreResult<Attribute> {
        self.read(|c| Ok(metadata::attribute(c, actor, incident, attribute, Access::Read)?.1))
    }

    async fn add_attribute(
        &self,
        actor: &Actor,
        incident: i64,
        new: NewAttribute,
    ) -> StoreResult<Attribute> {
        let actor = actor.clone();
        self.write(move |c| metadata::add_attribute(c, &actor, incident, &new))
            .await
    }

    async fn update_attribute(
        &self,
        actor: &Actor,
        incident: i64,
        attribute: i64,
        patch: AttributePatch,
    ) -> StoreResult<Attribute> {
        let actor = actor.clone();
        self.write(move |c| metadata::update_attribute(c, &actor, incident, attribute, &patch))
            .await
    }

    async fn delete_attribute(
        &self,
        actor: &Actor,
        incident: i64,
        attribute: i64,
    ) -> StoreResult<()> {
        let actor = actor.clone();
        self.write(move |c| metadata::delete_attribute(c, &actor, incident, attribute))
            .await
    }

    async fn attribute_labels(
        &self,
        actor: &Actor,
        incident: i64,
        attribute: i64,
    ) -> StoreResult<Vec<SecurityLabel>> {
        self.read(|c| metadata::attribute_labels(c, actor, incident, attribute))
    }

    async fn add_attribute_label(
        &self,
        actor: &Actor,
        incident: i64,
        attribute: i64,
        label: &str,
    ) -> StoreResult<()> {
        let (actor, label) = (actor.clone(), label.to_string());
        self.write(move |c| metadata::add_attribute_label(c, &actor, incident, attribute, &label))
            .await
    }

    async fn remove_attribute_label(
        &self,
        actor: &Actor,
        incident: i64,
        attribute: i64,
        label: &str,
    ) -> StoreResult<()> {
        let (actor, label) = (actor.clone(), label.to_string());
        self.write(move |c| {
            metadata::remove_attribute_label(c, &actor, incident, attribute, &label)
        })
        .await
    }

    async fn incident_tags(&self, actor: &Actor, incident: i64) -> StoreResult<Vec<Tag>> {
        self.read(|c| metadata::tags(c, actor, incident))
    }

    async fn add_incident_tag(
        &self,
        actor: &Actor,
        incident: i64,
        tag: &TagName,
    ) -> StoreResult<()> {
        let (actor, tag) = (actor.clone(), tag.clone());
        self.write(move |c| metadata::add_tag(c, &actor, incident, &tag))
            .await
    }

    async fn remove_incident_tag(
        &self,
        actor: &Actor,
        incident: i64,
        tag: &str,
    ) -> StoreResult<()> {
        let (actor, tag) = (actor.clone(), tag.to_string());
        self.write(move |c| metadata::remove_tag(c, &actor, incident, &tag))
            .await
    }

    async fn get_tag(&self, actor: &Actor, owner: &Owner, name: &str) -> StoreResult<Tag> {
        crate::authorize(actor, owner.id, Access::Read)?;
        self.read(|c| metadata::owner_tag(c, owner.id, name))
    }

    async fn list_tags(
        &self,
        actor: &Actor,
        owner: &Owner,
        paging: Paging,
    ) -> StoreResult<Page<Tag>> {
        crate::authorize(actor, owner.id, Access::Read)?;
        let (total, items) =
            self.read(|c| metadata::owner_tags(c, owner.id, paging.start, paging.limit))?;
        Ok(Page { total, items })
    }

    async fn incident_labels(
        &self,
        actor: &Actor,
        incident: i64,
    ) -> StoreResult<Vec<SecurityLabel>> {
        self.read(|c| metadata::labels(c, actor, incident))
    }

    async fn add_incident_label(
        &self,
        actor: &Actor,
        incident: i64,
        label: &str,
    ) -> StoreResult<()> {
        let (actor, label) = (actor.clone(), label.to_string());
        self.write(move |c| metadata::add_label(c, &actor, incident, &label))
            .await
    }

    async fn remove_incident_label(
        &self,
        actor: &Actor,
        incident: i64,
        label: &str,
    ) -> StoreResult<()> {
        let (actor, label) = (actor.clone(), label.to_string());
        self.write(move |c| metadata::remove_label(c, &actor, incident, &label))
            .await
    }

    async fn list_labels(&self, actor: &Actor, owner: &Owner) -> StoreResult<Vec<SecurityLabel>> {
        crate::authorize(actor, owner.id, Access::Read)?;
        self.read(|c| metadata::owner_labels(c, owner.id))
    }

    async fn create_item(&self, actor: &Actor, owner: &Owner, new: NewItem) -> StoreResult<Item> {
        let (actor, owner) = (actor.clone(), owner.clone());
        self.write(move |c| associations::create_item(c, &actor, &owner, &new))
            .await
    }

    async fn get_item(&self, actor: &Actor, kind: ItemKind, id: i64) -> StoreResult<Item> {
        self.read(|c| associations::get_item(c, actor, kind, id))
    }

    async fn update_item(
        &self,
        actor: &Actor,
        kind: ItemKind,
        id: i64,
        patch: ItemPatch,
    ) -> StoreResult<Item> {
        let actor = actor.clone();
        self.write(move |c| associations::update_item(c, &actor, kind, id, &patch))
            .await
    }

    async fn delete_item(&self, actor: &Actor, kind: ItemKind, id: i64) -> StoreResult<()> {
        let actor = actor.clone();
        self.write(move |c| associations::delete_item(c, &actor, kind, id))
            .await
    }

    async fn list_items(
        &self,
        actor: &Actor,
        owner: &Owner,
        kind: Option<ItemKind>,
        paging: Paging,
    ) -> StoreResult<Page<Item>> {
        self.read(|c| catalogue::list_items(c, actor, owner, kind, paging))
    }

    async fn list_indicators(
        &self,
        actor: &Actor,
        owner: &Owner,
        kind: Option<IndicatorKind>,
        paging: Paging,
    ) -> StoreResult<Page<Indicator>> {
        self.read(|c| catalogue::list_indicators(c, actor, owner, kind, paging))
    }

    async fn create_indicator(
        &self,
        actor: &Actor,
        owner: &Owner,
        value: &IndicatorValue,
    ) -> StoreResult<Indicator> {
        let (actor, owner, value) = (actor.clone(), owner.clone(), value.clone());
        self.write(move |c| associations::create_indicator(c, &actor, &owner, &value))
            .await
    }

    async fn get_indicator(
        &self,
        actor: &Actor,
        owner: &Owner,
        value: &IndicatorValue,
    ) -> StoreResult<Indicator> {
        self.read(|c| associations::get_indicator(c, actor, owner, value))
    }

    async fn delete_indicator(
        &self,
        actor: &Actor,
        owner: &Owner,
        value: &IndicatorValue,
    ) -> StoreResult<()> {
        let (actor, owner, value) = (actor.clone(), owner.clone(), value.clone());
        self.write(move |c| associations::delete_indicator(c, &actor, &owner, &value))
            .await
    }

    async fn associate(&self, actor: &Actor, incident: i64, target: &Target) -> StoreResult<()> {
        let (actor, target) = (actor.clone(), target.clone());
        self.write(move |c| associations::associate(c, &actor, incident, &target))
            .await
    }

    async fn disassociate(&self, actor: &Actor, incident: i64, target: &Target) -> StoreResult<()> {
        let (actor, target) = (actor.clone(), target.clone());
        self.write(move |c| associations::disassociate(c, &actor, incident, &target))
            .await
    }

    async fn associations(
        &self,
        actor: &Actor,
        incident: i64,
        set: LinkSet,
        paging: Paging,
    ) -> StoreResult<Page<Linked>> {
        self.read(|c| associations::associations(c, actor, incident, set, paging))
    }

    async fn tags_of(&self, actor: &Actor, on: &Taggable) -> StoreResult<Vec<Tag>> {
        self.read(|c| item_tags::tags_of(c, actor, on))
    }

    async fn tag(&self, actor: &Actor, on: &Taggable, tag: &TagName) -> StoreResult<()> {
        let (actor, on, tag) = (actor.clone(), on.clone(), tag.clone());
        self.write(move |c| item_tags::tag(c, &actor, &on, &tag))
            .await
    }

    async fn untag(&self, actor: &Actor, on: &Taggable, tag: &str) -> StoreResult<()> {
        let (actor, on, tag) = (actor.clone(), on.clone(), tag.to_string());
        self.write(move |c| item_tags::untag(c, &actor, &on, &tag))
            .await
    }

    async fn labels_of(&self, actor: &Actor, on: &Taggable) -> StoreResult<Vec<SecurityLabel>> {
        self.read(|c| item_tags::labels_of(c, actor, on))
    }

    async fn label(&self, actor: &Actor, on: &Taggable, label: &str) -> StoreResult<()> {
        let (actor, on, label) = (actor.clone(), on.clone(), label.to_string());
        self.write(move |c| item_tags::label(c, &actor, &on, &label))
            .await
    }

    async fn unlabel(&self, actor: &Actor, on: &Taggable, label: &str) -> StoreResult<()> {
        let (actor, on, label) = (actor.clone(), on.clone(), label.to_string());
        self.write(move |c| item_tags::unlabel(c, &actor, &on, &label))
            .await
    }

    async fn attributes_on(&self, actor: &Actor, on: &Taggable) -> StoreResult<Vec<Attribute>> {
        self.read(|c| item_attributes::list(c, actor, on))
    }

    async fn add_attribute_on(
        &self,
        actor: &Actor,
        on: &Taggable,
        new: NewAttribute,
    ) -> StoreResult<Attribute> {
        let (actor, on) = (actor.clone(), on.clone());
        self.write(move |c| item_attributes::add(c, &actor, &on, &new))
            .await
    }

    async fn update_attribute_on(
        &self,
        actor: &Actor,
        on: &Taggable,
        attribute: i64,
        patch: AttributePatch,
    ) -> StoreResult<Attribute> {
        let (actor, on) = (actor.clone(), on.clone());
        self.write(move |c| item_attributes::update(c, &actor, &on, attribute, &patch))
            .await
    }

    async fn delete_attribute_on(
        &self,
        actor: &Actor,
        on: &Taggable,
        attribute: i64,
    ) -> StoreResult<()> {
        let (actor, on) = (actor.clone(), on.clone());
        self.write(move |c| item_attributes::delete(c, &actor, &on, attribute))
            .await
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
