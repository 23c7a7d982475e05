//! What each `threatdb incidents` subcommand does through the SDK: the dispatch, and the
//! create, update, delete and get calls (the others have a file each).

use super::args::{IncidentsArgs, IncidentsCommand};
use super::attributes::attribute;
use super::list::list;
use super::{meta, show};
use crate::client::associations;
use crate::client::output::Format;
use anyhow::{Result, anyhow, bail};
use threatdb_sdk::{Incident, ThreatConnect};

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
        IncidentsCommand::Tag(m) => meta::tag(&tc, m).await,
        IncidentsCommand::Untag(m) => meta::untag(&tc, m).await,
        IncidentsCommand::Label(m) => meta::label(&tc, m).await,
        IncidentsCommand::Unlabel(m) => meta::unlabel(&tc, m).await,
        IncidentsCommand::Associate(a) => associations::link(&tc, a, true).await,
        IncidentsCommand::Disassociate(a) => associations::link(&tc, a, false).await,
        IncidentsCommand::Associations(a) => associations::list(&tc, a).await,
        IncidentsCommand::Attribute { id, owner, command } => {
            attribute(&tc, id, owner, command).await
        }
    }
}

/// Shows an incident as the server now has it (with its canonical status), read back.
async fn show_fresh(tc: &ThreatConnect, i: &Incident, format: Format) -> Result<()> {
    let mut incidents = tc.incidents();
    incidents.set_include_additional(true);
    match incidents.get(i.id(), i.owner_name()).await? {
        Some(fresh) => show::one(&fresh, format),
        None => show::one(i, format),
    }
}

/// `get`: the incident with its attributes, tags and security labels.
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
    show::details(&i, format)
}
