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
    /// The changes recorded on one, newest first: who, when, through what, each field's old
    /// and new value.
    History(HistoryArgs),
    /// Undo one change (--change, default the newest) or every change after a time (--to);
    /// the undoing is recorded as changes of its own.
    Revert(RevertArgs),
    /// The deleted ones of an owner, kept for restoring (you need write rights there).
    Deleted(DeletedArgs),
    /// Restore a deleted one with its id, fields, tags, labels, attributes and associations.
    Restore(RestoreArgs),
}

#[derive(Args, Debug)]
struct RevertArgs {
    /// Its id.
    id: i64,
    /// The id of the change to undo (from `history`); default: the newest.
    #[arg(long, conflicts_with = "to")]
    change: Option<i64>,
    /// Put it back as it was at this time (ISO 8601): every later change undone, newest first.
    #[arg(long)]
    to: Option<String>,
    /// Undo the change even when a later change touched the same field or value.
    #[arg(long)]
    overwrite: bool,
    #[command(flatten)]
    format: FormatArgs,
}

#[derive(Args, Debug)]
struct DeletedArgs {
    /// The owner (default: your organization).
    #[arg(long)]
    owner: Option<String>,
    /// How many, newest deletion first.
    #[arg(long, default_value_t = 100)]
    limit: u32,
    #[command(flatten)]
    format: FormatArgs,
}

#[derive(Args, Debug)]
struct RestoreArgs {
    /// Its id (from `deleted`).
    id: i64,
}

/// Runs the history, revert, deleted and restore commands (`None`: the command is `list`).
async fn kept(
    tc: &threatdb_sdk::ThreatConnect,
    group: bool,
    command: ListCommand,
) -> Result<Option<ListArgs>> {
    match command {
        ListCommand::List(l) => return Ok(Some(l)),
        ListCommand::History(h) => history(tc, group, h).await?,
        ListCommand::Revert(r) => revert(tc, group, r).await?,
        ListCommand::Deleted(d) => deleted(tc, group, d).await?,
        ListCommand::Restore(r) => restore(tc, group, r).await?,
    }
    Ok(None)
}

/// Writes changes as a table (or JSON / CSV).
fn changes_table(changes: &[threatdb_sdk::v3::Change], format: Format) -> Result<()> {
    let header = &["ID", "Date", "User", "Via", "Field", "Old", "New"];
    let mut w = RowWriter::new(format, header)?;
    for c in changes {
        let cells = [
            c.id.to_string(),
            c.date.clone(),
            c.user.clone(),
            c.via.clone(),
            c.field.clone(),
            c.old_value.clone().unwrap_or_default(),
            c.new_value.clone().unwrap_or_default(),
        ];
        w.safe_row(cells, c)?;
    }
    w.finish()?;
    Ok(())
}

async fn revert(tc: &threatdb_sdk::ThreatConnect, group: bool, r: RevertArgs) -> Result<()> {
    let body = threatdb_sdk::v3::Revert {
        change_id: r.change,
        to: r.to,
        overwrite: r.overwrite,
    };
    let recorded = if group {
        tc.v3().revert_group(r.id, &body).await
    } else {
        tc.v3().revert_indicator(r.id, &body).await
    }
    .with_context(|| format!("reverting {}", r.id))?;
    if recorded.is_empty() {
        eprintln!("Nothing to undo: {} is already as asked.", r.id);
    }
    changes_table(&recorded, r.format.format())
}

async fn deleted(tc: &threatdb_sdk::ThreatConnect, group: bool, d: DeletedArgs) -> Result<()> {
    let found = if group {
        tc.v3().deleted_groups(d.owner.as_deref(), d.limit).await
    } else {
        tc.v3()
            .deleted_indicators(d.owner.as_deref(), d.limit)
            .await
    }
    .context("reading the deleted objects")?;
    let header = &["ID", "Type", "Name", "Owner", "Deleted", "By"];
    let mut w = RowWriter::new(d.format.format(), header)?;
    for o in &found {
        let cells = [
            o.id.to_string(),
            o.kind.clone(),
            o.name.clone(),
            o.owner_name.clone(),
            o.date_deleted.clone(),
            o.deleted_by.clone(),
        ];
        w.safe_row(cells, o)?;
    }
    w.finish()?;
    Ok(())
}

async fn restore(tc: &threatdb_sdk::ThreatConnect, group: bool, r: RestoreArgs) -> Result<()> {
    let restored = if group {
        tc.v3().restore_group(r.id).await
    } else {
        tc.v3().restore_indicator(r.id).await
    }
    .with_context(|| format!("restoring {}", r.id))?;
    println!("Restored {} {}.", restored.kind, restored.id);
    for s in &restored.skipped {
        println!("  left out: {}", terminal_safe(s, false));
    }
    Ok(())
}

#[derive(Args, Debug)]
struct HistoryArgs {
    /// Its id.
    id: i64,
    /// Only changes of this field (status, name, tag, securityLabel, attribute:Description, ...).
    #[arg(long)]
    field: Option<String>,
    /// Only changes by this user (their name).
    #[arg(long)]
    user: Option<String>,
    /// Only changes at or after this date (ISO 8601).
    #[arg(long)]
    since: Option<String>,
    /// How many changes, newest first.
    #[arg(long, default_value_t = 100)]
    limit: u32,
    #[command(flatten)]
    format: FormatArgs,
}

/// Prints an object's history as `threatdb groups history` / `indicators history` do.
async fn history(tc: &threatdb_sdk::ThreatConnect, group: bool, h: HistoryArgs) -> Result<()> {
    let filter = threatdb_sdk::v3::HistoryFilter {
        field: h.field,
        user: h.user,
        since: h.since,
        limit: h.limit,
    };
    let changes = if group {
        tc.v3().group_history(h.id, &filter).await
    } else {
        tc.v3().indicator_history(h.id, &filter).await
    }
    .with_context(|| format!("reading the history of {}", h.id))?;
    changes_table(&changes, h.format.format())
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
    let Some(l) = kept(&tc, true, args.command).await? else {
        return Ok(());
    };
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
    let Some(l) = kept(&tc, false, args.command).await? else {
        return Ok(());
    };
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
