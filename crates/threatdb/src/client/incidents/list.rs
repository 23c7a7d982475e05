//! `threatdb incidents list`: the flags turned into the SDK's filters, then every page
//! written as it arrives.

use super::args::ListArgs;
use super::show::{cells, header, progress_bar};
use crate::client::output::RowWriter;
use anyhow::{Context, Result};
use threatdb_sdk::ThreatConnect;
use threatdb_sdk::server_filters::{Clause, Field, Op};

/// Lists the incidents `l` asks for, page by page.
pub async fn list(tc: &ThreatConnect, l: ListArgs) -> Result<()> {
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

    let bar = progress_bar();
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
