//! `threatdb export --format tc-json`: one owner's groups and indicators as a ThreatConnect
//! Batch file (`threatdb_server::tc_json`), read from the data directory and written piece by
//! piece, so memory does not grow with the owner; with `--via-api`, the same file streamed from
//! a server's `GET /api/v2/batch/tc-json` with the caller's rights.

use std::io::Write;

use std::sync::Arc;

use anyhow::{Result, bail};
use threatdb_core::{Owner, Role};
use threatdb_server::tc_json::TcJson;

use crate::export::{ExportArgs, finish, operator, output, progress};

pub async fn run(args: &ExportArgs) -> Result<()> {
    if args.via_api {
        return through_api(args).await;
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
    let actor = operator(std::slice::from_ref(&owner), Role::Read, "threatdb export");
    let mut file_of = TcJson::new(
        opened.store().clone(),
        Arc::new(actor),
        owner.clone(),
        since,
    )?;
    let written = async {
        let mut shown = 0u64;
        while let Some(piece) = file_of.next().await? {
            out.write_all(&piece)?;
            let now = file_of.groups.saturating_add(file_of.indicators);
            bar.inc(now.saturating_sub(shown));
            shown = now;
        }
        out.flush()?;
        anyhow::Ok(())
    }
    .await;
    bar.finish_and_clear();
    drop(out);
    let target = format!("tc-json of owner {}", owner.name);
    crate::audit::record(opened.store().as_ref(), "cli", "export", &target, &written).await;
    opened.close().await;
    finish(written, file.as_deref(), partial.as_deref())?;
    let (counts, left) = ((file_of.groups, file_of.indicators), file_of.left_out);
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

/// The file streamed from a server's `GET /api/v2/batch/tc-json` with the caller's rights.
async fn through_api(args: &ExportArgs) -> Result<()> {
    if args.since.is_some() {
        bail!(
            "--since is not taken with --format tc-json --via-api: the server sends the whole owner"
        );
    }
    let owner = match args.owners.as_slice() {
        [] => None,
        [one] => Some(one.as_str()),
        more => bail!(
            "a tc-json file holds one owner (a Batch job names its owner), and {} are named",
            more.len()
        ),
    };
    let (client, mut url) = crate::export_api::api_client(&args.endpoint, args.token.as_deref())?;
    url = url.join("v2/batch/tc-json")?;
    if let Some(owner) = owner {
        url.query_pairs_mut().append_pair("owner", owner);
    }
    let (file, partial, out) = output(&args.output)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    let written = async {
        let bytes = client.download(url, &mut out).await?;
        out.flush()?;
        anyhow::Ok(bytes)
    }
    .await;
    drop(out);
    let bytes = written.as_ref().ok().copied();
    finish(written.map(|_| ()), file.as_deref(), partial.as_deref())?;
    eprintln!(
        "exported {} bytes of tc-json through the server",
        bytes.unwrap_or_default()
    );
    Ok(())
}
