//! The arguments of `threatdb incidents ...`: what clap parses, nothing else.

use crate::client::associations::{LinkArgs, ListArgs as AssociationsArgs};
use crate::client::connect::ConnectArgs;
use crate::client::output::FormatArgs;
use clap::{Args, Subcommand};

/// `threatdb incidents`.
#[derive(Args, Debug)]
pub struct IncidentsArgs {
    #[command(flatten)]
    pub(super) connect: ConnectArgs,
    #[command(subcommand)]
    pub(super) command: IncidentsCommand,
}

/// The subcommands of `threatdb incidents`; the doc comments are their help.
#[derive(Subcommand, Debug)]
pub(super) enum IncidentsCommand {
    /// List incidents, page by page; filters combine with AND.
    List(ListArgs),
    /// Show one incident with its attributes, tags and security labels.
    Get {
        /// The incident's id.
        id: i64,
        /// Send this owner (default: none, the server's default organization).
        #[arg(long)]
        owner: Option<String>,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Create an incident.
    Create {
        /// Its name.
        #[arg(long)]
        name: String,
        /// When the event happened (ISO-8601, e.g. 2017-03-21T00:00:00Z).
        #[arg(long)]
        event_date: String,
        /// Its status (New, Open, Stalled, Containment Achieved, ...); default New.
        #[arg(long)]
        status: Option<String>,
        /// The owner to create it in (default: your organization).
        #[arg(long)]
        owner: Option<String>,
        /// An attribute, TYPE=VALUE (repeatable), e.g. "Description=Seen at 3am".
        #[arg(long = "attribute", value_name = "TYPE=VALUE")]
        attributes: Vec<String>,
        /// A tag (repeatable).
        #[arg(long = "tag")]
        tags: Vec<String>,
        /// A security label (repeatable), e.g. "TLP:GREEN".
        #[arg(long = "label")]
        labels: Vec<String>,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Change an incident's name, event date or status.
    Update {
        /// The incident's id.
        id: i64,
        /// Send this owner.
        #[arg(long)]
        owner: Option<String>,
        /// New name.
        #[arg(long)]
        name: Option<String>,
        /// New event date.
        #[arg(long)]
        event_date: Option<String>,
        /// New status.
        #[arg(long)]
        status: Option<String>,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Delete an incident.
    Delete {
        /// The incident's id.
        id: i64,
        /// Send this owner.
        #[arg(long)]
        owner: Option<String>,
    },
    /// Add tags to an incident.
    Tag(MetaArgs),
    /// Remove tags from an incident.
    Untag(MetaArgs),
    /// Add security labels to an incident.
    Label(MetaArgs),
    /// Remove security labels from an incident.
    Unlabel(MetaArgs),
    /// Associate an incident with groups, indicators or victims.
    Associate(LinkArgs),
    /// Remove associations of an incident.
    Disassociate(LinkArgs),
    /// List an incident's associated groups, indicators and victims.
    Associations(AssociationsArgs),
    /// List, add, update or delete an incident's attributes.
    Attribute {
        /// The incident's id.
        id: i64,
        /// Send this owner.
        #[arg(long)]
        owner: Option<String>,
        #[command(subcommand)]
        command: AttributeCommand,
    },
}

/// `tag`, `untag`, `label`, `unlabel`: an incident and the names to add or remove.
#[derive(Args, Debug)]
pub(super) struct MetaArgs {
    /// The incident's id.
    pub(super) id: i64,
    /// The tags or labels.
    #[arg(required = true)]
    pub(super) names: Vec<String>,
    /// Send this owner.
    #[arg(long)]
    pub(super) owner: Option<String>,
}

/// The subcommands of `threatdb incidents attribute ID`.
#[derive(Subcommand, Debug)]
pub(super) enum AttributeCommand {
    /// List the attributes.
    List {
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Add an attribute.
    Add {
        /// Its type, e.g. Description.
        kind: String,
        /// Its value.
        value: String,
        /// Do not show it at the top of the incident's page.
        #[arg(long)]
        hidden: bool,
    },
    /// Change an attribute's value.
    Update {
        /// The attribute's id.
        attribute_id: i64,
        /// The new value.
        value: String,
    },
    /// Delete an attribute.
    Delete {
        /// The attribute's id.
        attribute_id: i64,
    },
}

/// `threatdb incidents list`.
#[derive(Args, Debug)]
pub(super) struct ListArgs {
    /// Only this owner's incidents (repeatable; default: your organization).
    #[arg(long = "owner")]
    pub(super) owners: Vec<String>,
    /// Only incidents with this tag (repeatable: all of them).
    #[arg(long = "tag")]
    pub(super) tags: Vec<String>,
    /// Only incidents with this security label (repeatable: all of them).
    #[arg(long = "label")]
    pub(super) labels: Vec<String>,
    /// Only incidents with exactly this name (server-side `filters=name=`).
    #[arg(long)]
    pub(super) name: Option<String>,
    /// Only incidents whose name starts with this (server-side `filters=name^`).
    #[arg(long)]
    pub(super) name_prefix: Option<String>,
    /// Only incidents whose event date is after this (server-side `filters=eventDate>`).
    #[arg(long)]
    pub(super) event_after: Option<String>,
    /// Only incidents whose event date is before this (server-side `filters=eventDate<`).
    #[arg(long)]
    pub(super) event_before: Option<String>,
    /// Only incidents with this status, any case (checked here, on `includeAdditional` data).
    #[arg(long)]
    pub(super) status: Option<String>,
    #[command(flatten)]
    pub(super) format: FormatArgs,
}
