//! `threatdb groups list --tql '…'` and `threatdb indicators list --tql '…'`: a v3 TQL list,
//! every page through the server's `next` links (the SDK's `v3` module), written as it
//! arrives, with a progress line on a terminal.

use super::connect::ConnectArgs;
use super::output::{Format, FormatArgs, RowWriter, terminal_safe};
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::io::IsTerminal;
use threatdb_sdk::v3::{Collection, Group, Indicator};
use threatdb_wire::v3::DataList;

/// `threatdb groups` (v3).
#[derive(Args, Debug)]
pub struct GroupsArgs {
    #[command(flatten)]
    connect: ConnectArgs,
    #[command(subcommand)]
    command: ListCommand,
}

/// `threatdb indicators` (v3).
#[derive(Args, Debug)]
pub struct IndicatorsArgs {
    #[command(flatten)]
    connect: ConnectArgs,
    #[command(subcommand)]
    command: ListCommand,
}

#[derive(Subcommand, Debug)]
enum ListCommand {
    /// List through the v3 API, every page, filtered by a TQL query.
    List(ListArgs),
}

#[derive(Args, Debug)]
struct ListArgs {
    /// The TQL query, e.g. 'typeName EQ "Incident" AND hasTag(summary EQ "Phishing")'.
    #[arg(long)]
    tql: Option<String>,
    /// Nested collections to include (tags, securityLabels, attributes, associatedGroups,
    /// associatedIndicators), comma-separated or repeated.
    #[arg(long, value_delimiter = ',')]
    fields: Vec<String>,
    /// The owner to list (default: your organization).
    #[arg(long)]
    owner: Option<String>,
    #[command(flatten)]
    format: FormatArgs,
}

/// Runs `threatdb groups list`.
pub async fn groups(args: GroupsArgs) -> Result<()> {
    let tc = args.connect.connect()?;
    let ListCommand::List(l) = args.command;
    let mut c = tc.v3().groups();
    run(
        &mut c,
        l,
        "groups",
        &["ID", "Type", "Name", "Owner", "Added", "Tags"],
        |g: &Group| {
            vec![
                g.id.to_string(),
                g.details.group_type().as_str().to_string(),
                g.name.clone(),
                g.owner_name.clone(),
                g.date_added.clone(),
                tag_names(&g.tags),
            ]
        },
    )
    .await
}

/// Runs `threatdb indicators list`.
pub async fn indicators(args: IndicatorsArgs) -> Result<()> {
    let tc = args.connect.connect()?;
    let ListCommand::List(l) = args.command;
    let mut c = tc.v3().indicators();
    run(
        &mut c,
        l,
        "indicators",
        &["ID", "Type", "Summary", "Owner", "Added", "Tags"],
        |i: &Indicator| {
            vec![
                i.id.to_string(),
                i.details.type_name().to_string(),
                i.summary.clone(),
                i.owner_name.clone(),
                i.date_added.clone(),
                tag_names(&i.tags),
            ]
        },
    )
    .await
}

fn tag_names(tags: &Option<DataList<threatdb_wire::v3::Tag>>) -> String {
    tags.as_ref()
        .map(|t| {
            t.data
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

async fn run<T: Serialize + serde::de::DeserializeOwned>(
    c: &mut Collection<T>,
    l: ListArgs,
    noun: &str,
    header: &'static [&'static str],
    cells: impl Fn(&T) -> Vec<String>,
) -> Result<()> {
    if let Some(q) = l.tql {
        c.filter().tql(q);
    }
    if !l.fields.is_empty() {
        c.fields(l.fields);
    }
    if let Some(o) = l.owner {
        c.owner(o);
    }
    let format = l.format.format();
    let csv_header: Vec<String> = header.iter().map(|h| h.to_ascii_lowercase()).collect();
    let csv_header: Vec<&str> = csv_header.iter().map(String::as_str).collect();
    let mut w = RowWriter::new(
        format,
        if format == Format::Csv {
            &csv_header
        } else {
            header
        },
    )?;
    let bar = progress(noun);
    let mut pages = c.pages();
    while let Some(page) = pages
        .next_page()
        .await
        .with_context(|| format!("listing {noun}"))?
    {
        if let Some(n) = pages.count() {
            bar.set_length(n);
        }
        for item in &page {
            let row = cells(item)
                .into_iter()
                .map(|c| terminal_safe(&c, false))
                .collect();
            w.row(row, item)?;
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    w.finish()?;
    Ok(())
}

/// `{spinner} 1200/4300 groups received` on a terminal; nothing otherwise.
fn progress(noun: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    if let Ok(style) =
        ProgressStyle::with_template(&format!("{{spinner}} {{pos}}/{{len}} {noun} received"))
    {
        bar.set_style(style);
    }
    bar
}
