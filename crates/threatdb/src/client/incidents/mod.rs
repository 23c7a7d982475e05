//! `threatdb incidents ...`: list, get, create, update, delete, tag, untag, label, unlabel,
//! attribute, all through the SDK.
//!
//! [`args`] is what clap parses; [`calls`] runs a subcommand, with [`list`], [`meta`] (tags
//! and labels) and [`attributes`] for the larger ones; [`show`] turns incidents into rows.
//! Imports run one way: nothing imports `calls`, and `args` and `show` import no sibling.

mod args;
mod attributes;
mod calls;
mod list;
mod meta;
mod show;

pub use args::IncidentsArgs;
pub use calls::run;
