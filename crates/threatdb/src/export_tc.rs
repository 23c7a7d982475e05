//! `threatdb export --format tc-json`: one owner's groups and indicators as a ThreatConnect
//! Batch file (`{"group":[…],"indicator":[…]}`, `threatdb_wire::batch_export`), read from the
//! data directory in the order they last changed and written as they are read: the groups in
//! one walk, the indicators in a second, so memory does not grow with the owner.

use std::io::Write;

use anyhow::{Result, bail};
use threatdb_core::{ChangeKey, ChangeQuery, ItemKind, Owner, Role, Store};
use threatdb_wire::batch_export::{self, Part};

use crate::export::{ExportArgs, finish, operator, output, progress};

/// Objects read from the store per page.
const PAGE: u64 = 500;

pub async fn run(args: &ExportArgs) -> Result<()> {
    if args.via_api {
        bail!(
            "tc-json is exported from the data directory (--data-dir or --database); through a server, export STIX 2.1 (the default format)"
        );
    }
    let since = args.since()?;
    let opened = args.data.open_store().await?;
    let all = opened.admin().all_owners().await?;
    let owner = match crate::export_api::choose(&all, &args.owners, |o: &Owner| o.name.as_str()) {
        Ok(owners) if owners.len() == 1 => owners.into_iter().next(),
        Ok(owners) => {
            opened.close().await;
            bail!(
                "a tc-json file holds one owner (a Batch job names its owner), and {} are chosen: name one with --owner",
                owners.len()
            );
        }
        Err(name) => {
            opened.close().await;
            bail!("there is no owner '{name}'");
        }
    };
    let Some(owner) = owner else {
        opened.close().await;
        bail!("there is no owner to export");
    };
    let (file, partial, out) = output(&args.output)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    let bar = progress();
    let mut counts = (0u64, 0u64);
    let mut left = std::collections::BTreeMap::new();
    let written = async {
        let actor = operator(std::slice::from_ref(&owner), Role::Read, "threatdb export");
        let store = opened.store();
        out.write_all(b"{\"group\":[")?;
        let walk = Walk {
            store: store.as_ref(),
            actor: &actor,
            owner: &owner,
            since,
            bar: &bar,
        };
        counts.0 = walk.write(Part::Group, &mut out, &mut left).await?;
        out.write_all(b"\n],\"indicator\":[")?;
        counts.1 = walk.write(Part::Indicator, &mut out, &mut left).await?;
        out.write_all(b"\n]}\n")?;
        out.flush()?;
        anyhow::Ok(())
    }
    .await;
    bar.finish_and_clear();
    drop(out);
    opened.close().await;
    finish(written, file.as_deref(), partial.as_deref())?;
    eprintln!(
        "exported {} groups and {} indicators of {} as tc-json",
        counts.0, counts.1, owner.name
    );
    if !left.is_empty() {
        let left: Vec<String> = left.iter().map(|(t, n)| format!("{n} {t}")).collect();
        eprintln!(
            "left out (ThreatConnect's Batch format has no place for them): {}",
            left.join(", ")
        );
    }
    Ok(())
}

/// What a walk reads: an owner's objects, as its operator.
struct Walk<'a> {
    store: &'a dyn Store,
    actor: &'a threatdb_core::Actor,
    owner: &'a Owner,
    since: Option<threatdb_core::Timestamp>,
    bar: &'a indicatif::ProgressBar,
}

impl Walk<'_> {
    /// Writes the owner's groups (incidents and groups of every other type) or its
    /// indicators, each on its own line; how many. What the format has no place for is
    /// counted in `left` by type.
    async fn write<W: Write>(
        &self,
        part: Part,
        out: &mut W,
        left: &mut std::collections::BTreeMap<&'static str, u64>,
    ) -> Result<u64> {
        let mut after = self.since.map(ChangeKey::before).transpose()?;
        let groups = part == Part::Group;
        let mut n = 0u64;
        loop {
            let query = ChangeQuery {
                owner: self.owner.clone(),
                after,
                incidents: groups,
                items: if groups {
                    ItemKind::ALL.to_vec()
                } else {
                    Vec::new()
                },
                indicators: !groups,
                limit: PAGE,
                stix_keys: None,
            };
            let page = self.store.changes(self.actor, &query).await?;
            let Some(last) = page.last() else {
                return Ok(n);
            };
            after = Some(last.key());
            for change in &page {
                let Some((_, item)) = batch_export::item(change) else {
                    if let threatdb_core::Changed::Item(d) = &change.object {
                        *left.entry(d.item.kind.type_name()).or_default() += 1;
                    }
                    continue;
                };
                out.write_all(if n == 0 { b"\n" } else { b",\n" })?;
                serde_json::to_writer(&mut *out, &item)?;
                n = n.saturating_add(1);
                self.bar.inc(1);
            }
        }
    }
}
