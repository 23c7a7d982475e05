//! The command-line client, built on `threatdb-sdk`: `threatdb incidents ...`,
//! `threatdb groups list`, `threatdb indicators list` (v3, TQL), `threatdb owners list`,
//! `threatdb whoami`.

mod associations;
mod connect;
mod incidents;
mod output;
mod v3list;

use anyhow::Result;
use clap::{Args, Subcommand};
use connect::ConnectArgs;
use output::{Format, FormatArgs, RowWriter, print_json, table};

pub use connect::{CredentialsFile, EndpointArgs};
pub use incidents::{IncidentsArgs, run as incidents};
pub use v3list::{GroupsArgs, IndicatorsArgs, groups, indicators};

/// `threatdb owners`.
#[derive(Args, Debug)]
pub struct OwnersArgs {
    #[command(flatten)]
    connect: ConnectArgs,
    #[command(subcommand)]
    command: OwnersCommand,
}

#[derive(Subcommand, Debug)]
enum OwnersCommand {
    /// List the owners your credentials can use.
    List {
        #[command(flatten)]
        format: FormatArgs,
    },
}

/// Runs `threatdb owners ...`.
pub async fn owners(args: OwnersArgs) -> Result<()> {
    let tc = args.connect.connect()?;
    match args.command {
        OwnersCommand::List { format } => {
            let format = format.format();
            let owners = tc.owners().await?;
            let header: &[&str] = if format == Format::Csv {
                &["id", "name", "type"]
            } else {
                &["ID", "Name", "Type"]
            };
            let mut w = RowWriter::new(format, header)?;
            for o in &owners {
                w.row(vec![o.id.to_string(), o.name.clone(), o.kind.clone()], o)?;
            }
            w.finish()?;
            Ok(())
        }
    }
}

/// `threatdb whoami`.
#[derive(Args, Debug)]
pub struct WhoamiArgs {
    #[command(flatten)]
    connect: ConnectArgs,
    #[command(flatten)]
    format: FormatArgs,
}

/// Runs `threatdb whoami`.
pub async fn whoami(args: WhoamiArgs) -> Result<()> {
    let tc = args.connect.connect()?;
    let user = tc.whoami().await?;
    let org = user
        .owner
        .as_ref()
        .map(|o| o.name.clone())
        .unwrap_or_default();
    match args.format.format() {
        Format::Json => print_json(&user),
        format @ Format::Csv => {
            let mut w = RowWriter::new(format, &["userName", "role", "organization"])?;
            w.row(
                vec![user.user_name, user.role, org],
                &serde_json::Value::Null,
            )?;
            w.finish().map(|_| ())
        }
        Format::Table => output::print_line(
            &table(
                &["User", "Role", "Organization"],
                vec![vec![user.user_name, user.role, org]],
            )
            .to_string(),
        ),
    }
}
