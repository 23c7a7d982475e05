//! `threatdb`: the server (`threatdb serve`), its operator commands (`threatdb admin`), the
//! command-line client and `threatdb api`.

mod admin;
mod api;
mod bench;
mod client;
mod config;
mod limits;
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
    /// Manage owners, API users, memberships and security labels, directly on the database.
    Admin(admin::AdminArgs),
    /// Work with incidents on a threatdb (or ThreatConnect v2) server, through the SDK.
    Incidents(client::IncidentsArgs),
    /// List the owners your API credentials can use.
    Owners(client::OwnersArgs),
    /// Show whom your API credentials belong to.
    Whoami(client::WhoamiArgs),
    /// Send one signed request to the API and print the answer (like `gh api`).
    #[command(long_about = api::LONG_ABOUT, after_long_help = api::EXAMPLES)]
    Api(api::ApiArgs),
    /// Benchmarks: seed a dataset, drive a server, or run everything and print one table.
    Bench(bench::BenchArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => serve::run(args).await,
            Command::Admin(args) => admin::run(args).await,
            Command::Incidents(args) => client::incidents(args).await,
            Command::Owners(args) => client::owners(args).await,
            Command::Whoami(args) => client::whoami(args).await,
            Command::Api(args) => api::run(args).await,
            Command::Bench(args) => bench::run(args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
