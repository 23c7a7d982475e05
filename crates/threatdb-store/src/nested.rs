//! One write of a subject with its nested collections ([`NestedChanges`]): the v3 API's `POST`
//! and `PUT` of `/v3/groups` and `/v3/indicators`. Every step is the same operation the
//! single-purpose methods run (`incidents::create`, `tags::add`, `labels::remove`,
//! `attributes::update`, ...), inside the one transaction the backend runs this in, so a failing
//! step leaves nothing behind.

use crate::db::Db;
use crate::{associations, attributes, incidents, items, labels, subject, tags};
use threatdb_core::policy::Access;
use threatdb_core::{
    Actor, AttributeEdit, AttributePatch, Incident, IncidentTarget, Indicator, IndicatorTarget,
    IndicatorValue, Item, ItemTarget, LinkSet, Linked, NestedChanges, Paging, SetMode, StoreError,
    StoreResult, Subject, Target, label_key, tag::tag_key,
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

/// The same change to each of `ids` (a bulk update), in the caller's one transaction; one that
/// is gone already is skipped. Returns how many were changed.
pub async fn update_incidents<D: Db>(
    db: &mut D,
    actor: &Actor,
    ids: &[i64],
    patch: &threatdb_core::IncidentPatch,
    nested: &NestedChanges,
) -> StoreResult<u64> {
    let mut changed = 0u64;
    for id in ids {
        // Gone since it was listed: skipped. Any other failure (a label that does not exist,
        // no write access) fails the whole chunk.
        match subject::incident(db, actor, *id, Access::Write).await {
            Err(StoreError::NotFound) => continue,
            other => other?,
        };
        let target = IncidentTarget::Update(*id, patch.clone());
        write_incident(db, actor, &target, nested).await?;
        changed = changed.saturating_add(1);
    }
    Ok(changed)
}

/// The same nested changes to each of `ids` (a bulk update), in the caller's one transaction.
pub async fn update_indicators<D: Db>(
    db: &mut D,
    actor: &Actor,
    ids: &[i64],
    nested: &NestedChanges,
) -> StoreResult<u64> {
    let mut changed = 0u64;
    for id in ids {
        match crate::indicators::writable(db, actor, *id).await {
            Err(StoreError::NotFound) => continue,
            other => other?,
        };
        write_indicator(db, actor, &IndicatorTarget::Existing(*id), nested).await?;
        changed = changed.saturating_add(1);
    }
    Ok(changed)
}

/// Creates or updates a group of another type, then applies the nested changes. Returns the
/// group as it stands afterwards.
pub async fn write_item<D: Db>(
    db: &mut D,
    actor: &Actor,
    target: &ItemTarget,
    nested: &NestedChanges,
) -> StoreResult<Item> {
    let (kind, id) = match target {
        ItemTarget::Create(owner, new) => {
            let made = items::create_item(db, actor, owner, new).await?;
            (made.kind, made.id)
        }
        ItemTarget::Update(kind, id, patch) => {
            let changed = items::update_item(db, actor, *kind, *id, patch).await?;
            (changed.kind, changed.id)
        }
    };
    apply(db, actor, &Subject::Item(kind, id), nested).await?;
    items::get_item(db, actor, kind, id).await
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
    crate::indicators::set_scores(db, actor, &found, &nested.scores).await?;
    let on = crate::indicators::subject(&found)?;
    apply(db, actor, &on, nested).await?;
    items::load_indicator(db, found.id).await
}

/// Applies the nested changes to `on` in order: tags, labels, attributes. Each step checks write
/// access on `on` itself; the callers check it when they create or load the subject, so a
/// write with no nested change is refused as well.
pub(crate) async fn apply<D: Db>(
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
    associate(db, actor, on, nested).await
}

/// The group an id names, as an association's target (ids are one space for every group).
async fn group_target<D: Db>(db: &mut D, actor: &Actor, id: i64) -> StoreResult<Target> {
    match subject::incident(db, actor, id, Access::Read).await {
        Ok(_) => return Ok(Target::Incident(id)),
        Err(StoreError::NotFound) => {}
        Err(e) => return Err(e),
    }
    match items::find_item(db, actor, id).await {
        Ok(item) if item.kind.is_group() => Ok(Target::Item(item.kind, id)),
        Ok(_) | Err(StoreError::NotFound) => {
            Err(StoreError::Invalid(format!("group {id} was not found")))
        }
        Err(e) => Err(e),
    }
}

/// Every association of one set of the incident (all pages).
async fn linked<D: Db>(
    db: &mut D,
    actor: &Actor,
    incident: i64,
    set: LinkSet,
) -> StoreResult<Vec<Linked>> {
    let mut out = Vec::new();
    let mut start = 0u64;
    loop {
        let page = associations::list(
            db,
            actor,
            incident,
            set,
            Paging::new(start, Paging::MAX_LIMIT)?,
        )
        .await?;
        let n = page.items.len();
        out.extend(page.items);
        if n < usize::try_from(Paging::MAX_LIMIT).unwrap_or(usize::MAX) {
            return Ok(out);
        }
        start = start.saturating_add(Paging::MAX_LIMIT);
    }
}

/// A missing target is the request's mistake, not a 404 of the subject.
fn found<T>(done: StoreResult<T>, what: impl FnOnce() -> String) -> StoreResult<T> {
    match done {
        Err(StoreError::NotFound) => Err(StoreError::Invalid(what())),
        other => other,
    }
}

/// The associations of the nested changes: groups and indicators of an incident, incidents of
/// an indicator (in the indicator's owner) or of a group of another type.
async fn associate<D: Db>(
    db: &mut D,
    actor: &Actor,
    on: &Subject,
    nested: &NestedChanges,
) -> StoreResult<()> {
    match on {
        Subject::Incident(incident) => {
            if let Some((mode, ids)) = &nested.groups {
                let mut wanted = Vec::with_capacity(ids.len());
                for id in ids {
                    wanted.push(group_target(db, actor, *id).await?);
                }
                set_links(db, actor, *incident, LinkSet::Groups(None), *mode, &wanted).await?;
            }
            if let Some((mode, values)) = &nested.indicators {
                let wanted: Vec<Target> = values.iter().cloned().map(Target::Indicator).collect();
                set_links(
                    db,
                    actor,
                    *incident,
                    LinkSet::Indicators(None),
                    *mode,
                    &wanted,
                )
                .await?;
            }
            Ok(())
        }
        // A link is looked up by value in the incident's owner: the incident must be the
        // indicator's owner's.
        Subject::Indicator(owner, value) => {
            let target = Target::Indicator(value.clone());
            from_incidents(db, actor, &target, Some(owner.id), "an indicator", nested).await
        }
        Subject::Item(kind, id) => {
            let what = format!("a {}", kind.type_name());
            from_incidents(db, actor, &Target::Item(*kind, *id), None, &what, nested).await
        }
    }
}

/// The incident's links of one set, as `mode` says with `wanted`: added, removed, or exactly
/// these afterwards.
async fn set_links<D: Db>(
    db: &mut D,
    actor: &Actor,
    incident: i64,
    set: LinkSet,
    mode: SetMode,
    wanted: &[Target],
) -> StoreResult<()> {
    if mode == SetMode::Replace {
        for current in linked(db, actor, incident, set).await? {
            let target = match current {
                Linked::Incident(i) => Target::Incident(i.id),
                Linked::Item(it) => Target::Item(it.kind, it.id),
                Linked::Indicator(ind) => {
                    Target::Indicator(IndicatorValue::parse(ind.kind, &ind.value)?)
                }
            };
            if !wanted.contains(&target) {
                associations::disassociate(db, actor, incident, &target).await?;
            }
        }
    }
    for target in wanted {
        match mode {
            SetMode::Delete => {
                absent_is_fine(associations::disassociate(db, actor, incident, target).await)?
            }
            SetMode::Append | SetMode::Replace => found(
                associations::associate(db, actor, incident, target).await,
                || match target {
                    Target::Indicator(v) => format!(
                        "indicator {} is not in this group's owner: create it first",
                        v.as_str()
                    ),
                    Target::Incident(id) | Target::Item(_, id) => {
                        format!("group {id} was not found")
                    }
                },
            )?,
        }
    }
    Ok(())
}

/// `associatedGroups` of an indicator or of a group of another type (`what`): the incidents
/// linked to `target`, added or removed (not replaced); with `owner`, they must be of it.
async fn from_incidents<D: Db>(
    db: &mut D,
    actor: &Actor,
    target: &Target,
    owner: Option<i64>,
    what: &str,
    nested: &NestedChanges,
) -> StoreResult<()> {
    if nested.indicators.is_some() {
        return Err(StoreError::Invalid(format!(
            "{what} is associated with incidents here, not with indicators"
        )));
    }
    let Some((mode, ids)) = &nested.groups else {
        return Ok(());
    };
    if *mode == SetMode::Replace {
        return Err(StoreError::Invalid(format!(
            "associatedGroups of {what} take mode append or delete here"
        )));
    }
    for id in ids {
        let row = found(
            subject::incident(db, actor, *id, Access::Read).await,
            || format!("group {id} is not an incident {what} can be associated with"),
        )?;
        if owner.is_some_and(|o| row.get().owner != o) {
            return Err(StoreError::Invalid(format!(
                "group {id} is in another owner than {what}"
            )));
        }
        match mode {
            SetMode::Delete => {
                absent_is_fine(associations::disassociate(db, actor, *id, target).await)?
            }
            SetMode::Append | SetMode::Replace => {
                associations::associate(db, actor, *id, target).await?
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
