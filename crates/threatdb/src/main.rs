//! `threatdb`: the server (`threatdb serve`), its operator commands (`threatdb admin`), the
//! command-line client and `threatdb api`.

mod admin;
mod api;
mod audit;
mod backup;
mod bench;
mod client;
mod config;
mod config_file;
mod config_show;
mod export;
mod export_api;
mod export_tc;
mod import;
mod import_api;
mod import_read;
mod import_tc;
mod limits;
mod logging;
mod serve;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "threatdb",
    version,
    about = "A self-hosted threat-intelligence platform speaking the ThreatConnect REST API v2"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the API server.
    Serve(config::ServeArgs),
    /// Show the configuration `serve` would run with, and where each setting comes from.
    #[command(subcommand)]
    Config(config_show::ConfigCommand),
    /// Manage owners, API users, memberships and security labels, directly on the database.
    Admin(admin::AdminArgs),
    /// Work with incidents on a threatdb (or ThreatConnect v2) server, through the SDK.
    Incidents(client::IncidentsArgs),
    /// List groups of every type through the v3 API with a TQL query.
    Groups(client::GroupsArgs),
    /// List indicators through the v3 API with a TQL query.
    Indicators(client::IndicatorsArgs),
    /// List the owners your API credentials can use.
    Owners(client::OwnersArgs),
    /// Show whom your API credentials belong to.
    Whoami(client::WhoamiArgs),
    /// Send one signed request to the API and print the answer (like `gh api`).
    #[command(long_about = api::LONG_ABOUT, after_long_help = api::EXAMPLES)]
    Api(api::ApiArgs),
    /// Export owners as one STIX 2.1 bundle, directly from the database (an administrator's
    /// command: every owner is readable).
    Export(export::ExportArgs),
    /// Import a STIX 2.1 bundle into the database (an administrator's command), or with
    /// --via-api through a running server's TAXII collection: what exists is updated when the
    /// input is newer, so importing twice changes nothing.
    Import(import::ImportArgs),
    /// Benchmarks: seed a dataset, drive a server, or run everything and print one table.
    Bench(bench::BenchArgs),
}

fn main() -> ExitCode {
    let parsed = match config_file::parse::<Cli>(std::env::args_os().collect()) {
        Ok(parsed) => parsed,
        Err(e) => {
            report(&format!("{e:#}"));
            return ExitCode::FAILURE;
        }
    };
    let cli = parsed.cli;
    logging::init(match &cli.command {
        Command::Serve(args) => args.log_format,
        _ => logging::LogFormat::Human,
    });
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            report(&format!("cannot start the async runtime: {e}"));
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => serve::run(args).await,
            Command::Config(config_show::ConfigCommand::Show(_)) => {
                if let Some(matches) = &parsed.matches {
                    print!("{}", config_show::report(parsed.file.as_ref(), matches));
                }
                Ok(())
            }
            Command::Admin(args) => admin::run(args).await,
            Command::Incidents(args) => client::incidents(args).await,
            Command::Groups(args) => client::groups(args).await,
            Command::Indicators(args) => client::indicators(args).await,
            Command::Owners(args) => client::owners(args).await,
            Command::Whoami(args) => client::whoami(args).await,
            Command::Api(args) => api::run(args).await,
            Command::Bench(args) => bench::run(args).await,
            Command::Export(args) => export::run(args).await,
            Command::Import(args) => import::run(args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            report(&format!("{e:#}"));
            ExitCode::FAILURE
        }
    }
}

/// Prints `error: MESSAGE` on stderr; when stderr is closed there is nowhere to say it, and the
/// exit status says it instead (`eprintln!` would panic).
fn report(message: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "error: {message}");
}
