//! `threatdb incidents attribute ID list|add|update|delete`, through the SDK's attribute
//! calls on an incident.

use super::args::AttributeCommand;
use super::show::{attribute_cells, attribute_header};
use crate::client::output::{RowWriter, print_line};
use anyhow::Result;
use threatdb_sdk::ThreatConnect;

/// Runs one attribute subcommand on incident `id`; `add` prints the new attribute's id.
pub async fn attribute(
    tc: &ThreatConnect,
    id: i64,
    owner: Option<String>,
    command: AttributeCommand,
) -> Result<()> {
    let mut i = tc.incidents().update(id, owner.as_deref());
    match command {
        AttributeCommand::List { format } => {
            let attrs = i.load_attributes().await?;
            let format = format.format();
            let mut w = RowWriter::new(format, attribute_header(format))?;
            for a in attrs {
                w.row(attribute_cells(a), a)?;
            }
            w.finish()?;
        }
        AttributeCommand::Add {
            kind,
            value,
            hidden,
        } => {
            i.add_attribute_displayed(&kind, &value, !hidden);
            i.commit().await?;
            let added = i
                .attributes()
                .last()
                .map(|a| a.id.to_string())
                .unwrap_or_default();
            print_line(&added)?;
        }
        AttributeCommand::Update {
            attribute_id,
            value,
        } => {
            i.update_attribute(attribute_id, &value);
            i.commit().await?;
        }
        AttributeCommand::Delete { attribute_id } => {
            i.delete_attribute(attribute_id);
            i.commit().await?;
        }
    }
    Ok(())
}
