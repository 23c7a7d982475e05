//! One write of a subject with its nested collections ([`NestedChanges`]): the v3 API's `POST`
//! and `PUT` of `/v3/groups` and `/v3/indicators`. Every step is the same operation the
//! single-purpose methods run (`incidents::create`, `tags::add`, `labels::remove`,
//! `attributes::update`, ...), inside the one transaction the backend runs this in, so a failing
//! step leaves nothing behind.

use crate::db::Db;
use crate::{attributes, incidents, items, labels, tags};
use threatdb_core::{
    Actor, AttributeEdit, AttributePatch, Incident, IncidentTarget, Indicator, IndicatorTarget,
    NestedChanges, SetMode, StoreError, StoreResult, Subject, label_key, tag::tag_key,
};

/// Creates or updates the incident, then applies the nested changes. Returns the incident as it
/// stands afterwards.
pub async fn write_incident<D: Db>(
    db: &mut D,
    actor: &Actor,
    target: &IncidentTarget,
    nested: &NestedChanges,
) -> StoreResult<Incident> {
    let id = match target {
        IncidentTarget::Create(owner, new) => incidents::create(db, actor, owner, new).await?.id,
        IncidentTarget::Update(id, patch) => incidents::update(db, actor, *id, patch).await?.id,
    };
    apply(db, actor, &Subject::Incident(id), nested).await?;
    incidents::load(db, id).await
}

/// Creates the indicator or finds it by id (write access), then applies the nested changes.
/// Returns the indicator as it stands afterwards.
pub async fn write_indicator<D: Db>(
    db: &mut D,
    actor: &Actor,
    target: &IndicatorTarget,
    nested: &NestedChanges,
) -> StoreResult<Indicator> {
    let found = match target {
        IndicatorTarget::Create(owner, value) => {
            items::create_indicator(db, actor, owner, value).await?
        }
        IndicatorTarget::Existing(id) => crate::indicators::writable(db, actor, *id).await?,
    };
    let on = crate::indicators::subject(&found)?;
    apply(db, actor, &on, nested).await?;
    items::load_indicator(db, found.id).await
}

/// Applies the nested changes to `on` in order: tags, labels, attributes. Each step checks write
/// access on `on` itself; the callers check it when they create or load the subject, so a
/// write with no nested change is refused as well.
async fn apply<D: Db>(
    db: &mut D,
    actor: &Actor,
    on: &Subject,
    nested: &NestedChanges,
) -> StoreResult<()> {
    if let Some((mode, wanted)) = &nested.tags {
        if *mode == SetMode::Replace {
            for tag in tags::of(db, actor, on).await? {
                let key = tag_key(&tag.name);
                if !wanted.iter().any(|w| w.key() == key) {
                    tags::remove(db, actor, on, &tag.name).await?;
                }
            }
        }
        for tag in wanted {
            match mode {
                SetMode::Delete => absent_is_fine(tags::remove(db, actor, on, tag.as_str()).await)?,
                SetMode::Append | SetMode::Replace => tags::add(db, actor, on, tag).await?,
            }
        }
    }
    if let Some((mode, wanted)) = &nested.labels {
        if *mode == SetMode::Replace {
            for label in labels::of(db, actor, on).await? {
                let key = label_key(&label.name);
                if !wanted.iter().any(|w| label_key(w) == key) {
                    labels::remove(db, actor, on, &label.name).await?;
                }
            }
        }
        for label in wanted {
            match mode {
                SetMode::Delete => absent_is_fine(labels::remove(db, actor, on, label).await)?,
                SetMode::Append | SetMode::Replace => labels::add(db, actor, on, label).await?,
            }
        }
    }
    if let Some((mode, edits)) = &nested.attributes {
        if *mode == SetMode::Replace {
            for current in attributes::of(db, actor, on).await? {
                let kept = edits
                    .iter()
                    .any(|e| matches!(e, AttributeEdit::Existing { id, .. } if *id == current.id));
                if !kept {
                    attributes::delete(db, actor, on, current.id).await?;
                }
            }
        }
        for edit in edits {
            match (mode, edit) {
                (SetMode::Delete, AttributeEdit::Existing { id, .. }) => {
                    not_ours(attributes::delete(db, actor, on, *id).await, *id)?
                }
                (SetMode::Delete, AttributeEdit::New(_)) => {
                    return Err(StoreError::Invalid(
                        "an attribute to delete is named by its id".into(),
                    ));
                }
                (_, AttributeEdit::New(new)) => {
                    attributes::add(db, actor, on, new).await?;
                }
                (_, AttributeEdit::Existing { id, patch })
                    if *patch == AttributePatch::default() =>
                {
                    not_ours(attributes::one(db, actor, on, *id).await, *id)?;
                }
                (_, AttributeEdit::Existing { id, patch }) => {
                    not_ours(attributes::update(db, actor, on, *id, patch).await, *id)?;
                }
            }
        }
    }
    Ok(())
}

/// Removing what is not there changes nothing (a v3 delete-mode item is no error).
fn absent_is_fine(done: StoreResult<()>) -> StoreResult<()> {
    match done {
        Err(StoreError::NotFound) => Ok(()),
        other => other,
    }
}

/// An attribute id that is not one of the incident's is the request's mistake, not a 404 of
/// the incident.
fn not_ours<T>(done: StoreResult<T>, id: i64) -> StoreResult<()> {
    match done {
        Err(StoreError::NotFound) => Err(StoreError::Invalid(format!(
            "attribute {id} is not an attribute of this group"
        ))),
        other => other.map(|_| ()),
    }
}
