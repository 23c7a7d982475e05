//! `threatdb incidents ...`: list, get, create, update, delete, tag, untag, label, unlabel,
//! attribute, all through the SDK.

use super::connect::ConnectArgs;
use super::output::{Format, FormatArgs, RowWriter, print_json, print_line, table};
use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::io::IsTerminal;
use threatdb_sdk::dto::{
    Attribute as AttributeDto, IncidentDto, SecurityLabel as SecurityLabelDto, Tag as TagDto,
};
use threatdb_sdk::server_filters::{Clause, Field, Op};
use threatdb_sdk::{Incident, ThreatConnect};

/// `threatdb incidents`.
#[derive(Args, Debug)]
pub struct IncidentsArgs {
    #[command(flatten)]
    connect: ConnectArgs,
    #[command(subcommand)]
    command: IncidentsCommand,
}

#[derive(Subcommand, Debug)]
enum IncidentsCommand {
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
    Associate(super::associations::LinkArgs),
    /// Remove associations of an incident.
    Disassociate(super::associations::LinkArgs),
    /// List an incident's associated groups, indicators and victims.
    Associations(super::associations::ListArgs),
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

#[derive(Args, Debug)]
struct MetaArgs {
    /// The incident's id.
    id: i64,
    /// The tags or labels.
    #[arg(required = true)]
    names: Vec<String>,
    /// Send this owner.
    #[arg(long)]
    owner: Option<String>,
}

#[derive(Subcommand, Debug)]
enum AttributeCommand {
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
struct ListArgs {
    /// Only this owner's incidents (repeatable; default: your organization).
    #[arg(long = "owner")]
    owners: Vec<String>,
    /// Only incidents with this tag (repeatable: all of them).
    #[arg(long = "tag")]
    tags: Vec<String>,
    /// Only incidents with this security label (repeatable: all of them).
    #[arg(long = "label")]
    labels: Vec<String>,
    /// Only incidents with exactly this name (server-side `filters=name=`).
    #[arg(long)]
    name: Option<String>,
    /// Only incidents whose name starts with this (server-side `filters=name^`).
    #[arg(long)]
    name_prefix: Option<String>,
    /// Only incidents whose event date is after this (server-side `filters=eventDate>`).
    #[arg(long)]
    event_after: Option<String>,
    /// Only incidents whose event date is before this (server-side `filters=eventDate<`).
    #[arg(long)]
    event_before: Option<String>,
    /// Only incidents with this status, any case (checked here, on `includeAdditional` data).
    #[arg(long)]
    status: Option<String>,
    #[command(flatten)]
    format: FormatArgs,
}

const HEADER: [&str; 6] = ["ID", "Name", "Owner", "Status", "Event Date", "Date Added"];
const CSV_HEADER: [&str; 7] = [
    "id",
    "name",
    "owner",
    "status",
    "eventDate",
    "dateAdded",
    "webLink",
];

fn cells(i: &Incident, format: Format) -> Vec<String> {
    let mut c = vec![
        i.id().to_string(),
        i.name().to_string(),
        i.owner_name().unwrap_or_default().to_string(),
        i.status().unwrap_or_default().to_string(),
        i.event_date().unwrap_or_default().to_string(),
        i.date_added().to_string(),
    ];
    if format == Format::Csv {
        c.push(i.weblink().to_string());
    }
    c
}

fn header(format: Format) -> &'static [&'static str] {
    if format == Format::Csv {
        &CSV_HEADER
    } else {
        &HEADER
    }
}

/// Runs `threatdb incidents ...`.
pub async fn run(args: IncidentsArgs) -> Result<()> {
    let tc = args.connect.connect()?;
    match args.command {
        IncidentsCommand::List(l) => list(&tc, l).await,
        IncidentsCommand::Get { id, owner, format } => get(&tc, id, owner, format.format()).await,
        IncidentsCommand::Create {
            name,
            event_date,
            status,
            owner,
            attributes,
            tags,
            labels,
            format,
        } => {
            let owner = owner.unwrap_or_else(|| tc.default_org().to_string());
            let mut i = tc.incidents().add(name, owner);
            i.set_event_date(event_date);
            if let Some(s) = status {
                i.set_status(s);
            }
            for a in &attributes {
                let (kind, value) = a
                    .split_once('=')
                    .ok_or_else(|| anyhow!("--attribute '{a}': expected TYPE=VALUE"))?;
                i.add_attribute(kind.trim(), value);
            }
            for t in &tags {
                i.add_tag(t);
            }
            for l in &labels {
                i.add_security_label(l);
            }
            i.commit().await?;
            show_fresh(&tc, &i, format.format()).await
        }
        IncidentsCommand::Update {
            id,
            owner,
            name,
            event_date,
            status,
            format,
        } => {
            if name.is_none() && event_date.is_none() && status.is_none() {
                bail!("nothing to update: give --name, --event-date or --status");
            }
            let mut i = tc.incidents().update(id, owner.as_deref());
            if let Some(n) = name {
                i.set_name(n);
            }
            if let Some(d) = event_date {
                i.set_event_date(d);
            }
            if let Some(s) = status {
                i.set_status(s);
            }
            i.commit().await?;
            show_fresh(&tc, &i, format.format()).await
        }
        IncidentsCommand::Delete { id, owner } => {
            tc.incidents().delete(id, owner.as_deref()).await?;
            eprintln!("deleted incident {id}");
            Ok(())
        }
        IncidentsCommand::Tag(m) => {
            meta(
                &tc,
                m,
                |i, n| {
                    i.add_tag(n);
                },
                "tagged",
            )
            .await
        }
        IncidentsCommand::Untag(m) => {
            meta(
                &tc,
                m,
                |i, n| {
                    i.delete_tag(n);
                },
                "untagged",
            )
            .await
        }
        IncidentsCommand::Label(m) => {
            meta(
                &tc,
                m,
                |i, n| {
                    i.add_security_label(n);
                },
                "labelled",
            )
            .await
        }
        IncidentsCommand::Unlabel(m) => {
            meta(
                &tc,
                m,
                |i, n| {
                    i.delete_security_label(n);
                },
                "unlabelled",
            )
            .await
        }
        IncidentsCommand::Associate(a) => super::associations::link(&tc, a, true).await,
        IncidentsCommand::Disassociate(a) => super::associations::link(&tc, a, false).await,
        IncidentsCommand::Associations(a) => super::associations::list(&tc, a).await,
        IncidentsCommand::Attribute { id, owner, command } => {
            attribute(&tc, id, owner, command).await
        }
    }
}

async fn meta(
    tc: &ThreatConnect,
    m: MetaArgs,
    queue: impl Fn(&mut Incident, &str),
    done: &str,
) -> Result<()> {
    let mut i = tc.incidents().update(m.id, m.owner.as_deref());
    for n in &m.names {
        queue(&mut i, n);
    }
    i.commit().await?;
    eprintln!("{done} incident {}: {}", m.id, m.names.join(", "));
    Ok(())
}

async fn attribute(
    tc: &ThreatConnect,
    id: i64,
    owner: Option<String>,
    command: AttributeCommand,
) -> Result<()> {
    let mut i = tc.incidents().update(id, owner.as_deref());
    match command {
        AttributeCommand::List { format } => {
            let attrs = i.load_attributes().await?;
            let format = format.format();
            let mut w = RowWriter::new(
                format,
                if format == Format::Csv {
                    &[
                        "id",
                        "type",
                        "value",
                        "displayed",
                        "dateAdded",
                        "lastModified",
                    ]
                } else {
                    &[
                        "ID",
                        "Type",
                        "Value",
                        "Displayed",
                        "Date Added",
                        "Last Modified",
                    ]
                },
            )?;
            for a in attrs {
                w.row(
                    vec![
                        a.id.to_string(),
                        a.kind.clone(),
                        a.value.clone(),
                        a.displayed.to_string(),
                        a.date_added.clone(),
                        a.last_modified.clone(),
                    ],
                    a,
                )?;
            }
            w.finish()?;
            return Ok(());
        }
        AttributeCommand::Add {
            kind,
            value,
            hidden,
        } => {
            i.add_attribute_displayed(&kind, &value, !hidden);
            i.commit().await?;
            let added = i
                .attributes()
                .last()
                .map(|a| a.id.to_string())
                .unwrap_or_default();
            print_line(&added)?;
        }
        AttributeCommand::Update {
            attribute_id,
            value,
        } => {
            i.update_attribute(attribute_id, &value);
            i.commit().await?;
        }
        AttributeCommand::Delete { attribute_id } => {
            i.delete_attribute(attribute_id);
            i.commit().await?;
        }
    }
    Ok(())
}

/// Shows an incident as the server now has it (with its canonical status), read back.
async fn show_fresh(tc: &ThreatConnect, i: &Incident, format: Format) -> Result<()> {
    let mut incidents = tc.incidents();
    incidents.set_include_additional(true);
    match incidents.get(i.id(), i.owner_name()).await? {
        Some(fresh) => show_one(&fresh, format),
        None => show_one(i, format),
    }
}

fn show_one(i: &Incident, format: Format) -> Result<()> {
    match format {
        Format::Json => print_json(i.data()),
        Format::Csv | Format::Table => {
            let mut w = RowWriter::new(format, header(format))?;
            w.row(cells(i, format), &())?;
            w.finish().map(|_| ())
        }
    }
}

async fn get(tc: &ThreatConnect, id: i64, owner: Option<String>, format: Format) -> Result<()> {
    let mut incidents = tc.incidents();
    incidents.set_include_additional(true);
    let mut i = incidents
        .get(id, owner.as_deref())
        .await?
        .ok_or_else(|| anyhow!("incident {id}: The requested resource was not found"))?;
    i.load_attributes().await?;
    i.load_tags().await?;
    i.load_security_labels().await?;
    match format {
        Format::Json => {
            #[derive(Serialize)]
            #[serde(rename_all = "camelCase")]
            struct Details<'a> {
                incident: &'a IncidentDto,
                attribute: &'a [AttributeDto],
                tag: &'a [TagDto],
                security_label: &'a [SecurityLabelDto],
            }
            print_json(&Details {
                incident: i.data(),
                attribute: i.attributes(),
                tag: i.tags(),
                security_label: i.security_labels(),
            })
        }
        Format::Csv => show_one(&i, format),
        Format::Table => {
            let tags: Vec<&str> = i.tags().iter().map(|t| t.name.as_str()).collect();
            let labels: Vec<&str> = i
                .security_labels()
                .iter()
                .map(|l| l.name.as_str())
                .collect();
            let rows = vec![
                vec!["ID".into(), i.id().to_string()],
                vec!["Name".into(), i.name().to_string()],
                vec!["Owner".into(), i.owner_name().unwrap_or_default().into()],
                vec!["Status".into(), i.status().unwrap_or_default().into()],
                vec![
                    "Event Date".into(),
                    i.event_date().unwrap_or_default().into(),
                ],
                vec!["Date Added".into(), i.date_added().into()],
                vec!["Last Modified".into(), i.last_modified().into()],
                vec!["Web Link".into(), i.weblink().into()],
                vec!["Tags".into(), tags.join(", ")],
                vec!["Security Labels".into(), labels.join(", ")],
            ];
            print_line(&table(&["Field", "Value"], rows).to_string())?;
            if !i.attributes().is_empty() {
                let rows = i
                    .attributes()
                    .iter()
                    .map(|a| vec![a.id.to_string(), a.kind.clone(), a.value.clone()])
                    .collect();
                print_line(&table(&["Attribute ID", "Type", "Value"], rows).to_string())?;
            }
            Ok(())
        }
    }
}

async fn list(tc: &ThreatConnect, l: ListArgs) -> Result<()> {
    let format = l.format.format();
    let mut incidents = tc.incidents();
    incidents.set_include_additional(true);
    let mut server = Vec::new();
    let mut clause = |field, op, value: &Option<String>| {
        if let Some(v) = value {
            server.push(Clause {
                field,
                op,
                value: v.clone(),
            });
        }
    };
    clause(Field::Name, Op::Eq, &l.name);
    clause(Field::Name, Op::StartsWith, &l.name_prefix);
    clause(Field::EventDate, Op::Gt, &l.event_after);
    clause(Field::EventDate, Op::Lt, &l.event_before);

    // One filter object per tag and per label, ANDed; none of them: the owners' lists.
    let mut objects: Vec<(Option<&String>, Option<&String>)> = l
        .tags
        .iter()
        .map(|t| (Some(t), None))
        .chain(l.labels.iter().map(|x| (None, Some(x))))
        .collect();
    if objects.is_empty() {
        objects.push((None, None));
    }
    for (tag, label) in objects {
        let f = incidents.add_filter();
        if !l.owners.is_empty() {
            f.add_owner(l.owners.clone());
        }
        if let Some(t) = tag {
            f.add_tag(t);
        }
        if let Some(x) = label {
            f.add_security_label(x);
        }
        for c in &server {
            f.add_server_filter(c.clone());
        }
    }

    let bar = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(0);
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} {pos}/{len} incidents received ({msg})")
        {
            bar.set_style(style);
        }
        bar
    } else {
        ProgressBar::hidden()
    };
    let status = l.status.as_deref().map(|s| s.trim().to_lowercase());
    let mut pages = incidents.retrieve_pages()?;
    let mut w = RowWriter::new(format, header(format))?;
    while let Some(batch) = pages.next_page().await.context("listing incidents")? {
        let p = pages.progress();
        bar.set_length(p.announced.max(p.received));
        bar.set_position(p.received);
        bar.set_message(format!("{} pages", p.pages));
        for i in batch {
            let wrong_status = status.as_ref().is_some_and(|want| {
                i.status().map(str::to_lowercase).as_deref() != Some(want.as_str())
            });
            if wrong_status {
                continue;
            }
            w.row(cells(&i, format), i.data())?;
        }
    }
    bar.finish_and_clear();
    w.finish()?;
    Ok(())
}
