//! `threatdb incidents associate|disassociate|associations`, through the SDK's queued
//! associate/disassociate calls and its association getters.

use super::output::{Format, FormatArgs, RowWriter};
use anyhow::{Result, anyhow, bail};
use clap::Args;
use serde_json::json;
use threatdb_sdk::{GroupType, IndicatorType, ThreatConnect};

/// What to (dis)associate an incident with.
#[derive(Args, Debug)]
pub struct LinkArgs {
    /// The incident's id.
    id: i64,
    /// A group, TYPE:ID (repeatable); TYPE is adversaries, campaigns, documents, emails,
    /// incidents, signatures or threats.
    #[arg(long = "group", value_name = "TYPE:ID")]
    groups: Vec<String>,
    /// An indicator, TYPE:VALUE (repeatable); TYPE is addresses, emailAddresses, files, hosts
    /// or urls.
    #[arg(long = "indicator", value_name = "TYPE:VALUE")]
    indicators: Vec<String>,
    /// A victim's id (repeatable).
    #[arg(long = "victim", value_name = "ID")]
    victims: Vec<i64>,
    /// Send this owner.
    #[arg(long)]
    owner: Option<String>,
}

/// Whose associations to list.
#[derive(Args, Debug)]
pub struct ListArgs {
    /// The incident's id.
    id: i64,
    /// Send this owner.
    #[arg(long)]
    owner: Option<String>,
    #[command(flatten)]
    format: FormatArgs,
}

const GROUPS: [GroupType; 7] = [
    GroupType::Adversaries,
    GroupType::Campaigns,
    GroupType::Documents,
    GroupType::Emails,
    GroupType::Incidents,
    GroupType::Signatures,
    GroupType::Threats,
];

const INDICATORS: [IndicatorType; 5] = [
    IndicatorType::Addresses,
    IndicatorType::EmailAddresses,
    IndicatorType::Files,
    IndicatorType::Hosts,
    IndicatorType::Urls,
];

fn group(spec: &str) -> Result<(GroupType, i64)> {
    let (kind, id) = spec
        .split_once(':')
        .ok_or_else(|| anyhow!("--group wants TYPE:ID, e.g. adversaries:12, not '{spec}'"))?;
    let kind = GROUPS
        .into_iter()
        .find(|g| g.branch() == kind)
        .ok_or_else(|| anyhow!("unknown group type '{kind}'"))?;
    let id = id
        .parse()
        .map_err(|_| anyhow!("'{id}' is not a group id"))?;
    Ok((kind, id))
}

fn indicator(spec: &str) -> Result<(IndicatorType, &str)> {
    let (kind, value) = spec.split_once(':').ok_or_else(|| {
        anyhow!("--indicator wants TYPE:VALUE, e.g. hosts:evil.example, not '{spec}'")
    })?;
    let kind = INDICATORS
        .into_iter()
        .find(|i| i.branch() == kind)
        .ok_or_else(|| anyhow!("unknown indicator type '{kind}'"))?;
    Ok((kind, value))
}

/// `associate` (`add`) or `disassociate`: every link in one commit.
pub async fn link(tc: &ThreatConnect, a: LinkArgs, add: bool) -> Result<()> {
    if a.groups.is_empty() && a.indicators.is_empty() && a.victims.is_empty() {
        bail!("name at least one --group, --indicator or --victim");
    }
    let mut i = tc.incidents().update(a.id, a.owner.as_deref());
    for spec in &a.groups {
        let (kind, id) = group(spec)?;
        if add {
            i.associate_group(kind, id);
        } else {
            i.disassociate_group(kind, id);
        }
    }
    for spec in &a.indicators {
        let (kind, value) = indicator(spec)?;
        if add {
            i.associate_indicator(kind, value);
        } else {
            i.disassociate_indicator(kind, value);
        }
    }
    for vid in &a.victims {
        if add {
            i.associate_victim(*vid);
        } else {
            i.disassociate_victim(*vid);
        }
    }
    i.commit().await?;
    let verb = if add { "associated" } else { "disassociated" };
    let n = a.groups.len() + a.indicators.len() + a.victims.len();
    eprintln!("{verb} incident {}: {n} item(s)", a.id);
    Ok(())
}

/// `associations`: the incident's groups, indicators and victims.
pub async fn list(tc: &ThreatConnect, a: ListArgs) -> Result<()> {
    let i = tc.incidents().update(a.id, a.owner.as_deref());
    let groups = i.group_associations().await?;
    let indicators = i.indicator_associations().await?;
    let victims = i.victim_associations().await?;
    let format = a.format.format();
    if let Format::Json = format {
        let all = json!({"group": groups, "indicator": indicators, "victim": victims});
        return super::output::print_json(&all);
    }
    let mut w = RowWriter::new(format, &["association", "type", "id", "name", "owner"])?;
    let owner = |o: &Option<String>| o.clone().unwrap_or_default();
    for g in &groups {
        let kind = g.kind.clone().unwrap_or_default();
        let cells = vec![
            "group".into(),
            kind,
            g.id.to_string(),
            g.name.clone(),
            owner(&g.owner_name),
        ];
        w.row(cells, g)?;
    }
    for d in &indicators {
        let kind = d.kind.clone().unwrap_or_default();
        let cells = vec![
            "indicator".into(),
            kind,
            d.id.to_string(),
            d.summary.clone(),
            owner(&d.owner_name),
        ];
        w.row(cells, d)?;
    }
    for v in &victims {
        let cells = vec![
            "victim".into(),
            "Victim".into(),
            v.id.to_string(),
            v.name.clone(),
            owner(&v.owner_name),
        ];
        w.row(cells, v)?;
    }
    w.finish()?;
    Ok(())
}
