//! The storage contract. Every method is one domain operation in one transaction; every method
//! that touches an owner's data takes the [`Actor`] and applies [`crate::policy`] to the rows it
//! loads, so no backend can forget a check.

use crate::{
    Actor, ApiToken, ApiUserInfo, Attribute, AttributePatch, Incident, IncidentDetails,
    IncidentPatch, IncidentQuery, Include, Indicator, IndicatorKind, IndicatorValue, Invalid, Item,
    ItemKind, ItemPatch, LinkSet, Linked, NewApiToken, NewAttribute, NewIncident, NewItem, Owner,
    OwnerKind, Page, Paging, PlanStep, Role, SecurityLabel, Subject, Tag, TagName, Target,
    TokenCredentials, WebLogin, web::NewWebLogin,
};
use async_trait::async_trait;

/// What can go wrong in a store.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The item does not exist, or the actor may not see it (the two are never told apart).
    #[error("The requested resource was not found")]
    NotFound,
    /// The actor may see the item but not do this to it.
    #[error("Access Denied")]
    Forbidden,
    /// The change clashes with what is stored (a duplicate name, say).
    #[error("{0}")]
    Conflict(String),
    /// A uniqueness rule of the database refused the write; names the constraint (or, on
    /// SQLite, its columns). Operations turn the ones they expect into a [`StoreError::Conflict`]
    /// with a message for the client.
    #[error("duplicate value for {0}")]
    Duplicate(String),
    /// The input breaks a domain rule; the message says what to fix.
    #[error("{0}")]
    Invalid(String),
    /// The database failed. The error is for the log, never for the client.
    #[error("storage backend error: {0}")]
    Backend(#[source] BackendError),
}

impl StoreError {
    /// A backend failure from any error (kept as the source).
    pub fn backend(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        StoreError::Backend(BackendError(std::sync::Arc::new(e)))
    }

    /// A backend failure described by a message (data the database should not hold, say).
    pub fn backend_msg(message: impl Into<String>) -> Self {
        StoreError::Backend(BackendError(std::sync::Arc::new(Message(message.into()))))
    }

    /// A [`StoreError::Duplicate`] turned into a conflict with `message`; other errors as they are.
    pub fn on_duplicate(self, message: impl Into<String>) -> Self {
        match self {
            StoreError::Duplicate(_) => StoreError::Conflict(message.into()),
            other => other,
        }
    }
}

/// A database error, kept whole (cheap to clone; equal when their texts are).
#[derive(Debug, Clone)]
pub struct BackendError(pub std::sync::Arc<dyn std::error::Error + Send + Sync>);

impl std::fmt::Display for BackendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for BackendError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl PartialEq for BackendError {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_string() == other.0.to_string()
    }
}

impl Eq for BackendError {}

#[derive(Debug)]
struct Message(String);

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Message {}

impl From<Invalid> for StoreError {
    fn from(e: Invalid) -> Self {
        StoreError::Invalid(e.0)
    }
}

/// Result of a store method.
pub type StoreResult<T> = Result<T, StoreError>;

/// What authentication needs of an API user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiCredentials {
    /// The user's id.
    pub user_id: i64,
    /// The public access id.
    pub access_id: String,
    /// The secret key, sealed with the master key (never stored in the clear).
    pub sealed_secret: Vec<u8>,
    /// A disabled key authenticates nobody.
    pub disabled: bool,
}

/// A new API user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiUser {
    /// Display name (recorded as `createdBy`).
    pub name: String,
    /// The public access id.
    pub access_id: String,
    /// The secret key, sealed with the master key.
    pub sealed_secret: Vec<u8>,
    /// The user's organization; the user becomes a member of it with `role`.
    pub organization_id: i64,
    /// The role in that organization.
    pub role: Role,
}

/// The operations behind the API. All of them enforce the authorization policy.
#[async_trait]
pub trait Store: Send + Sync {
    /// Loads an API user's credentials and the actor it acts as, by access id.
    async fn credentials(&self, access_id: &str) -> StoreResult<Option<(ApiCredentials, Actor)>>;
    /// Loads an API token's state and the actor its user acts as, by the SHA-256 of the token.
    /// The caller checks [`TokenCredentials::usable_at`].
    async fn token_credentials(
        &self,
        token_hash: &[u8],
    ) -> StoreResult<Option<(TokenCredentials, Actor)>>;
    /// Records that a token authenticated a request now (`last_used`).
    async fn token_used(&self, token_id: i64) -> StoreResult<()>;
    /// The credential generation: it moves in the transaction of every change that takes
    /// access away (a token or key revoked, a key rotated, a user disabled, a membership
    /// removed or changed), so a server knows when to forget the credentials it cached.
    async fn credential_generation(&self) -> StoreResult<i64>;
    /// Whether the store can serve requests: the database answers, and its schema is exactly
    /// the one this build knows (every migration applied, none of a newer build). For
    /// `/readyz`; the error says what is wrong.
    async fn ready(&self) -> StoreResult<()>;
    /// Returns when the credential generation may have moved: at once when another process
    /// says so (PostgreSQL's LISTEN), else after the polling interval (at most 250 ms when no
    /// such notice can come). The caller then reads [`Store::credential_generation`].
    async fn credential_change(&self);

    /// Creates an incident in `owner` (needs write access there).
    async fn create_incident(
        &self,
        actor: &Actor,
        owner: &Owner,
        new: NewIncident,
    ) -> StoreResult<Incident>;
    /// Reads one incident with the metadata asked for.
    async fn get_incident(
        &self,
        actor: &Actor,
        id: i64,
        include: Include,
    ) -> StoreResult<IncidentDetails>;
    /// Changes the fields the patch carries; an empty patch changes nothing.
    async fn update_incident(
        &self,
        actor: &Actor,
        id: i64,
        patch: IncidentPatch,
    ) -> StoreResult<Incident>;
    /// Creates or updates an incident together with changes to its tags, labels and
    /// attributes, in one transaction: all of it or, on any error, none of it.
    async fn write_incident(
        &self,
        actor: &Actor,
        target: crate::IncidentTarget,
        nested: crate::NestedChanges,
    ) -> StoreResult<Incident>;
    /// Deletes an incident and everything hanging off it.
    async fn delete_incident(&self, actor: &Actor, id: i64) -> StoreResult<()>;
    /// Applies the same change (the patch and the nested changes) to each of these incidents in
    /// one transaction (write access on each; a missing one is skipped). Returns how many changed.
    async fn update_incidents(
        &self,
        actor: &Actor,
        ids: Vec<i64>,
        patch: IncidentPatch,
        nested: crate::NestedChanges,
    ) -> StoreResult<u64>;
    /// Applies the same nested changes to each of these indicators in one transaction (write
    /// access on each; a missing one is skipped). Returns how many changed.
    async fn update_indicators(
        &self,
        actor: &Actor,
        ids: Vec<i64>,
        nested: crate::NestedChanges,
    ) -> StoreResult<u64>;
    /// Deletes these incidents in one transaction (write access on each; a missing one is
    /// skipped). Returns how many were deleted.
    async fn delete_incidents(&self, actor: &Actor, ids: Vec<i64>) -> StoreResult<u64>;
    /// Lists an owner's incidents matching the query, in id order.
    async fn list_incidents(
        &self,
        actor: &Actor,
        query: &IncidentQuery,
    ) -> StoreResult<Page<IncidentDetails>>;

    /// The statements [`Store::list_incidents`] would run for `query` and the database's plan
    /// for each (which indexes, what it scans), without running them.
    async fn explain_incidents(
        &self,
        actor: &Actor,
        query: &IncidentQuery,
    ) -> StoreResult<Vec<PlanStep>>;
    /// One tag of an owner, by name (case-insensitively).
    async fn get_tag(&self, actor: &Actor, owner: &Owner, name: &str) -> StoreResult<Tag>;
    /// The tags defined in an owner.
    async fn list_tags(
        &self,
        actor: &Actor,
        owner: &Owner,
        paging: Paging,
    ) -> StoreResult<Page<Tag>>;
    /// The labels usable in an owner: the system ones and its own.
    async fn list_labels(&self, actor: &Actor, owner: &Owner) -> StoreResult<Vec<SecurityLabel>>;

    /// Creates an item (a group of another type, a victim, a task) in `owner` (write access).
    async fn create_item(&self, actor: &Actor, owner: &Owner, new: NewItem) -> StoreResult<Item>;
    /// A page of an owner's objects (incidents, items of the kinds asked, indicators) in the
    /// order they last changed, strictly after `query.after`, each with its attributes (and
    /// their labels), tags and labels. Served from (owner, last change, id) indexes.
    async fn changes(
        &self,
        actor: &Actor,
        query: &crate::ChangeQuery,
    ) -> StoreResult<Vec<crate::Change>>;
    /// The statements [`Store::changes`] would run for `query` and the database's plan for
    /// each, without running them.
    async fn explain_changes(
        &self,
        actor: &Actor,
        query: &crate::ChangeQuery,
    ) -> StoreResult<Vec<PlanStep>>;
    /// Imports objects into `owner` (write access there; a label needs the admin role), in one
    /// transaction: each is found by its external id (a group's xid), by its hint when `same`
    /// accepts the stored candidate, or by owner and value (an indicator), then created,
    /// updated (the incoming copy is newer) or left alone, with the dates it carries. One
    /// outcome per object, in order; a refused object leaves nothing behind and does not stop
    /// the others.
    async fn import_objects(
        &self,
        actor: &Actor,
        owner: &Owner,
        objects: Vec<crate::ImportObject>,
        same: crate::SameObject,
    ) -> StoreResult<Vec<crate::ImportOutcome>>;
    /// Imports associations in one transaction (write access on each incident), without
    /// changing the incidents' lastModified: whether each was new, or why it was refused.
    async fn import_links(
        &self,
        actor: &Actor,
        links: Vec<crate::ImportLink>,
    ) -> StoreResult<Vec<Result<bool, String>>>;
    /// The object of `owner` stored with this STIX id: a group (incident or item) whose xid it
    /// is, or an indicator imported with it.
    async fn stored_by_stix_id(
        &self,
        actor: &Actor,
        owner: &Owner,
        xid: &str,
    ) -> StoreResult<Option<crate::Local>>;
    /// Keeps a TAXII status resource (JSON) for the user who posted (`poster`); statuses
    /// older than two days are deleted.
    async fn save_taxii_status(
        &self,
        poster: &str,
        owner: i64,
        id: &str,
        body: &str,
    ) -> StoreResult<()>;
    /// A TAXII status resource, when `poster` posted it.
    async fn taxii_status(&self, poster: &str, id: &str) -> StoreResult<Option<String>>;
    /// The statements an import finds stored objects with, and the database's plan for each.
    async fn explain_import(&self, actor: &Actor, owner: &Owner) -> StoreResult<Vec<PlanStep>>;
    /// Reads one item by id, whatever its kind.
    async fn find_item(&self, actor: &Actor, id: i64) -> StoreResult<Item>;
    /// Reads one item of `kind`.
    async fn get_item(&self, actor: &Actor, kind: ItemKind, id: i64) -> StoreResult<Item>;
    /// Reads one item of `kind` with what `include` asks for, in one read.
    async fn item_details(
        &self,
        actor: &Actor,
        kind: ItemKind,
        id: i64,
        include: Include,
    ) -> StoreResult<crate::ItemDetails>;
    /// Changes an item's name or merges fields into its type-specific ones (write access).
    async fn update_item(
        &self,
        actor: &Actor,
        kind: ItemKind,
        id: i64,
        patch: ItemPatch,
    ) -> StoreResult<Item>;
    /// Creates or updates a group of another type than Incident together with changes to its
    /// tags, labels, attributes and incidents, in one transaction: all of it or none of it.
    async fn write_item(
        &self,
        actor: &Actor,
        target: crate::ItemTarget,
        nested: crate::NestedChanges,
    ) -> StoreResult<Item>;
    /// Deletes an item and its associations, in one transaction.
    async fn delete_item(&self, actor: &Actor, kind: ItemKind, id: i64) -> StoreResult<()>;
    /// The items of `kind` in `owner` (`None`: the groups of every kind), in id order.
    async fn list_items(
        &self,
        actor: &Actor,
        owner: &Owner,
        kind: Option<ItemKind>,
        paging: Paging,
    ) -> StoreResult<Page<Item>>;
    /// The indicators in `owner` (of one type, or all), in id order.
    async fn list_indicators(
        &self,
        actor: &Actor,
        owner: &Owner,
        kind: Option<IndicatorKind>,
        paging: Paging,
    ) -> StoreResult<Page<Indicator>>;
    /// Creates an indicator in `owner`; one that exists already is a Conflict.
    async fn create_indicator(
        &self,
        actor: &Actor,
        owner: &Owner,
        value: &IndicatorValue,
    ) -> StoreResult<Indicator>;
    /// Reads the indicator with this value in `owner`.
    async fn get_indicator(
        &self,
        actor: &Actor,
        owner: &Owner,
        value: &IndicatorValue,
    ) -> StoreResult<Indicator>;
    /// Deletes an indicator and its associations, in one transaction.
    async fn delete_indicator(
        &self,
        actor: &Actor,
        owner: &Owner,
        value: &IndicatorValue,
    ) -> StoreResult<()>;
    /// Reads one indicator by id (NotFound when missing or hidden).
    async fn indicator_by_id(&self, actor: &Actor, id: i64) -> StoreResult<Indicator>;
    /// Reads one indicator by id with what `include` asks for, in one read.
    async fn indicator_details(
        &self,
        actor: &Actor,
        id: i64,
        include: Include,
    ) -> StoreResult<crate::IndicatorDetails>;
    /// A page of an owner's indicators matching the query, in id order, each with what the
    /// query includes; counted on a first page when the query asks.
    async fn query_indicators(
        &self,
        actor: &Actor,
        query: &crate::IndicatorQuery,
    ) -> StoreResult<Page<crate::IndicatorDetails>>;
    /// The statements [`Store::query_indicators`] would run for `query` and the database's
    /// plan for each, without running them.
    async fn explain_indicators(
        &self,
        actor: &Actor,
        query: &crate::IndicatorQuery,
    ) -> StoreResult<Vec<PlanStep>>;
    /// Creates an indicator, or takes an existing one by id, together with changes to its tags,
    /// labels and attributes, in one transaction: all of it or, on any error, none of it.
    async fn write_indicator(
        &self,
        actor: &Actor,
        target: crate::IndicatorTarget,
        nested: crate::NestedChanges,
    ) -> StoreResult<Indicator>;
    /// Deletes an indicator by id and its associations, in one transaction.
    async fn delete_indicator_by_id(&self, actor: &Actor, id: i64) -> StoreResult<()>;
    /// Deletes these indicators in one transaction (write access on each; a missing one is
    /// skipped). Returns how many were deleted.
    async fn delete_indicators(&self, actor: &Actor, ids: Vec<i64>) -> StoreResult<u64>;
    /// Creates a Batch job writing `owner` (write access there) with its settings and, when
    /// given, its file (the job is then Queued; without it, Created until its upload).
    async fn create_batch(
        &self,
        actor: &Actor,
        owner: &Owner,
        settings: crate::batch::BatchSettings,
        file: Option<Vec<u8>>,
    ) -> StoreResult<crate::batch::BatchStatus>;
    /// Gives a Created job its file (write access on its owner; a job in another state is a
    /// Conflict).
    async fn upload_batch(
        &self,
        actor: &Actor,
        id: i64,
        file: Vec<u8>,
    ) -> StoreResult<crate::batch::BatchStatus>;
    /// A job's status (read access on its owner; else NotFound).
    async fn batch_status(&self, actor: &Actor, id: i64) -> StoreResult<crate::batch::BatchStatus>;
    /// A job's error records, in the order they were made (read access on its owner).
    async fn batch_errors(
        &self,
        actor: &Actor,
        id: i64,
    ) -> StoreResult<Vec<crate::batch::BatchError>>;
    /// Hands the oldest waiting job (Queued, or Running under a lease that ran out) to a
    /// runner, leased for `lease_seconds`; also forgets jobs completed more than
    /// `keep_seconds` ago.
    async fn claim_batch(
        &self,
        lease_seconds: i64,
        keep_seconds: i64,
    ) -> StoreResult<Option<crate::batch::BatchClaim>>;
    /// Brings the planner's statistics of what batch jobs write up to date (PostgreSQL plans
    /// from them: a table that grew from nothing since they were taken is planned as empty).
    async fn refresh_batch_statistics(&self) -> StoreResult<()>;
    /// Writes a chunk of a job in one transaction with its error records and the job's new
    /// progress (the lease must still be the runner's: else Conflict).
    async fn write_batch_chunk(
        &self,
        chunk: crate::batch::BatchChunk,
    ) -> StoreResult<crate::batch::ChunkOutcome>;
    /// Writes Batch items into `owner` as `actor` (write access there) in one transaction,
    /// without a job, as a job's chunk writes them: what each item recorded, in order (nothing:
    /// it was written).
    async fn apply_batch(
        &self,
        actor: &Actor,
        owner: &Owner,
        settings: crate::batch::BatchSettings,
        items: Vec<crate::batch::BatchItem>,
    ) -> StoreResult<Vec<Vec<crate::batch::BatchError>>>;
    /// Associates the incident with `target` (write access on the incident, read access on
    /// the target; an indicator is the one in the incident's owner). Idempotent; a missing or
    /// hidden target is NotFound.
    async fn associate(&self, actor: &Actor, incident: i64, target: &Target) -> StoreResult<()>;
    /// Removes an association (same access as [`Store::associate`]); NotFound when absent.
    async fn disassociate(&self, actor: &Actor, incident: i64, target: &Target) -> StoreResult<()>;
    /// The incident's associations of one kind, in id order, only those the actor can read.
    async fn associations(
        &self,
        actor: &Actor,
        incident: i64,
        set: LinkSet,
        paging: Paging,
    ) -> StoreResult<Page<Linked>>;

    /// The subject's tags, by name.
    async fn tags_of(&self, actor: &Actor, on: &Subject) -> StoreResult<Vec<Tag>>;
    /// Tags the subject (write access), creating the tag in its owner if needed (idempotent).
    async fn tag(&self, actor: &Actor, on: &Subject, tag: &TagName) -> StoreResult<()>;
    /// Untags the subject (NotFound when the tag is not on it).
    async fn untag(&self, actor: &Actor, on: &Subject, tag: &str) -> StoreResult<()>;
    /// The subject's security labels.
    async fn labels_of(&self, actor: &Actor, on: &Subject) -> StoreResult<Vec<SecurityLabel>>;
    /// Labels the subject (write access; idempotent); the label must exist (system or the
    /// owner's own).
    async fn label(&self, actor: &Actor, on: &Subject, label: &str) -> StoreResult<()>;
    /// Takes a label off the subject (NotFound when it is not on it).
    async fn unlabel(&self, actor: &Actor, on: &Subject, label: &str) -> StoreResult<()>;
    /// The subject's attributes, in id order.
    async fn attributes_of(&self, actor: &Actor, on: &Subject) -> StoreResult<Vec<Attribute>>;
    /// One attribute of the subject.
    async fn attribute_of(
        &self,
        actor: &Actor,
        on: &Subject,
        attribute: i64,
    ) -> StoreResult<Attribute>;
    /// Adds an attribute to the subject (write access).
    async fn add_attribute(
        &self,
        actor: &Actor,
        on: &Subject,
        new: NewAttribute,
    ) -> StoreResult<Attribute>;
    /// Changes an attribute of the subject (its value checked against its type).
    async fn update_attribute(
        &self,
        actor: &Actor,
        on: &Subject,
        attribute: i64,
        patch: AttributePatch,
    ) -> StoreResult<Attribute>;
    /// Deletes an attribute of the subject.
    async fn delete_attribute(
        &self,
        actor: &Actor,
        on: &Subject,
        attribute: i64,
    ) -> StoreResult<()>;
    /// The security labels on one of the subject's attributes.
    async fn attribute_labels(
        &self,
        actor: &Actor,
        on: &Subject,
        attribute: i64,
    ) -> StoreResult<Vec<SecurityLabel>>;
    /// Puts a security label on one of the subject's attributes (write access; idempotent).
    async fn label_attribute(
        &self,
        actor: &Actor,
        on: &Subject,
        attribute: i64,
        label: &str,
    ) -> StoreResult<()>;
    /// Takes a security label off one of the subject's attributes (NotFound when it is not
    /// there).
    async fn unlabel_attribute(
        &self,
        actor: &Actor,
        on: &Subject,
        attribute: i64,
        label: &str,
    ) -> StoreResult<()>;

    /// Web sign-in: the login named `login` (compared case-insensitively) and the actor its API
    /// user acts as, with the same memberships as through the API. `None` when no such login
    /// exists. The caller verifies the password and checks `disabled`.
    async fn web_login(&self, login: &str) -> StoreResult<Option<(WebLogin, Actor)>>;
    /// Web session check: the login of API user `user_id` and its actor, loaded afresh (so a
    /// membership change or a disabled user takes effect on the next request). `None` when the
    /// user has no web login (any more).
    async fn web_session(&self, user_id: i64) -> StoreResult<Option<(WebLogin, Actor)>>;
    /// Ends every web session of the actor (sign-out): bumps its login's session epoch.
    /// NotFound when the actor has no web login.
    async fn end_web_sessions(&self, actor: &Actor) -> StoreResult<()>;

    /// The changes recorded on a subject (read access on it), newest first; counted on a first
    /// page.
    async fn history(
        &self,
        actor: &Actor,
        on: &Subject,
        query: &crate::history::HistoryQuery,
    ) -> StoreResult<Page<crate::history::HistoryEntry>>;

    /// The deleted objects of one family in `owner`, kept for restoring (write rights there),
    /// newest deletion first; counted on a first page.
    async fn deleted(
        &self,
        actor: &Actor,
        owner: &Owner,
        family: crate::history::Family,
        paging: Paging,
    ) -> StoreResult<Page<crate::history::Deleted>>;

    /// Restores a deleted object with its id and its last state (write rights on its owner):
    /// NotFound when nothing of this family with this id is kept, Conflict when its xid or
    /// value was taken since.
    async fn restore(
        &self,
        actor: &Actor,
        family: crate::history::Family,
        id: i64,
    ) -> StoreResult<crate::history::Restored>;

    /// The dashboard of `owner` (read access there): its incidents by status and label, its
    /// top tags, the incidents added per week, the incidents changed last.
    async fn dashboard(
        &self,
        actor: &Actor,
        owner: &Owner,
    ) -> StoreResult<crate::dashboard::Dashboard>;

    /// Searches `query` (see [`crate::search`]) in every owner the actor reads: group names,
    /// indicator values, tags and attribute values, each from an index, best hits first.
    async fn search(&self, actor: &Actor, query: &str)
    -> StoreResult<crate::search::SearchResults>;

    /// The retention sweep: purges at most `limit` deleted objects deleted before `before`,
    /// oldest first, recording each purge in the history; how many it purged.
    async fn purge_deleted(&self, before: crate::Timestamp, limit: u64) -> StoreResult<u64>;

    /// The actor's own API tokens.
    async fn own_tokens(&self, actor: &Actor) -> StoreResult<Vec<ApiToken>>;

    /// Creates an API token acting as the actor (its SHA-256 hash; refused past 50 working
    /// ones); its id.
    async fn create_own_token(
        &self,
        actor: &Actor,
        token_hash: Vec<u8>,
        expires: Option<crate::Timestamp>,
    ) -> StoreResult<i64>;

    /// Revokes one of the actor's own tokens (NotFound for any other).
    async fn revoke_own_token(&self, actor: &Actor, id: i64) -> StoreResult<()>;

    /// Replaces the actor's web password (its hash), ending every session of it.
    async fn change_web_password(&self, actor: &Actor, password_hash: String) -> StoreResult<()>;

    /// Appends entries to the audit log, in order, chained after its last entry (one
    /// transaction); the new head.
    async fn append_audit(
        &self,
        records: Vec<crate::audit::AuditRecord>,
    ) -> StoreResult<crate::audit::AuditHead>;
}

/// Operator operations, run by `threatdb admin` directly on the database (no actor).
#[async_trait]
pub trait AdminStore: Send + Sync {
    /// Creates an owner; a name already taken (case-insensitively) is a Conflict.
    async fn create_owner(&self, name: &str, kind: OwnerKind) -> StoreResult<Owner>;
    /// Every owner.
    async fn all_owners(&self) -> StoreResult<Vec<Owner>>;
    /// Finds an owner by name (case-insensitively).
    async fn owner_by_name(&self, name: &str) -> StoreResult<Owner>;
    /// Creates an API user, member of its organization.
    async fn create_api_user(&self, user: NewApiUser) -> StoreResult<i64>;
    /// Makes a user a member of an owner with a role (or changes its role there).
    async fn set_membership(&self, access_id: &str, owner: i64, role: Role) -> StoreResult<()>;
    /// Defines a custom security label in an owner.
    async fn create_label(
        &self,
        owner: i64,
        name: &str,
        description: &str,
        color: &str,
    ) -> StoreResult<SecurityLabel>;
    /// How many API users exist (zero means a fresh database to bootstrap).
    async fn api_user_count(&self) -> StoreResult<u64>;
    /// Lets the API user with `new.access_id` sign in to the web UI as `new.login` (checked
    /// with [`crate::web::parse_login`]). An unknown access id is Invalid; a login name already
    /// taken (case-insensitively), or a user that has a login already, is a Conflict.
    async fn create_web_login(&self, new: NewWebLogin) -> StoreResult<()>;
    /// Replaces the password hash of `login` and ends its sessions (bumps the session epoch).
    /// NotFound when there is no such login.
    async fn set_web_password(&self, login: &str, password_hash: &str) -> StoreResult<()>;
    /// An API user named by access id, web login or (unique) display name; NotFound when none
    /// matches, Invalid when a display name is shared.
    async fn find_user(&self, user: &str) -> StoreResult<ApiUserInfo>;
    /// Every API user.
    async fn users(&self) -> StoreResult<Vec<ApiUserInfo>>;
    /// Stores a new API token (only its hash); its id.
    async fn create_token(&self, new: NewApiToken) -> StoreResult<i64>;
    /// Every API token (never the token itself).
    async fn tokens(&self) -> StoreResult<Vec<ApiToken>>;
    /// Revokes a token; NotFound when there is none with this id.
    async fn revoke_token(&self, id: i64) -> StoreResult<()>;
    /// Replaces a user's HMAC secret (sealed with the master key) and lifts a revocation.
    async fn set_api_key(&self, user_id: i64, sealed_secret: Vec<u8>) -> StoreResult<()>;
    /// Revokes a user's HMAC key (the user, its tokens and web login stay).
    async fn revoke_api_key(&self, user_id: i64) -> StoreResult<()>;
    /// Disables or enables a user (a disabled user authenticates by no means).
    async fn set_user_disabled(&self, user_id: i64, disabled: bool) -> StoreResult<()>;
    /// Ends a user's membership of an owner; NotFound when not a member, Invalid for the user's
    /// own organization.
    async fn remove_membership(&self, user_id: i64, owner: i64) -> StoreResult<()>;

    /// A page of the audit log (at most 10,000 entries) that `filter` keeps, from `from`.
    async fn audit_entries(
        &self,
        filter: &crate::audit::AuditFilter,
        from: crate::audit::AuditCursor,
        limit: u32,
    ) -> StoreResult<Vec<crate::audit::AuditEntry>>;

    /// The audit log's last entry.
    async fn audit_head(&self) -> StoreResult<crate::audit::AuditHead>;

    /// The plans of the audit log's reads.
    async fn explain_audit(&self) -> StoreResult<Vec<PlanStep>>;

    /// The plans of the reads of incident `incident`'s history (in owner `owner`), and of the
    /// deleted objects' (tombstones') list, look-up and sweep.
    async fn explain_history(&self, incident: i64, owner: i64) -> StoreResult<Vec<PlanStep>>;

    /// The plans of the dashboard's reads of `owner`.
    async fn explain_dashboard(&self, owner: i64) -> StoreResult<Vec<PlanStep>>;

    /// The plans of a search's reads of `query` in `owner`.
    async fn explain_search(&self, owner: i64, query: &str) -> StoreResult<Vec<PlanStep>>;
}
