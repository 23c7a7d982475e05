//! How incidents and their attributes are shown: the columns of a listing, one incident as a
//! row or as a field/value table, through [`crate::client::output`].

use crate::client::output::{Format, RowWriter, print_json, print_line, table};
use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::io::IsTerminal;
use threatdb_sdk::Incident;
use threatdb_sdk::dto::{
    Attribute as AttributeDto, IncidentDto, SecurityLabel as SecurityLabelDto, Tag as TagDto,
};

const HEADER: [&str; 6] = ["ID", "Name", "Owner", "Status", "Event Date", "Date Added"];
const CSV_HEADER: [&str; 7] = [
    "id",
    "name",
    "owner",
    "status",
    "eventDate",
    "dateAdded",
    "webLink",
];

const ATTRIBUTE_HEADER: [&str; 6] = [
    "ID",
    "Type",
    "Value",
    "Displayed",
    "Date Added",
    "Last Modified",
];
const ATTRIBUTE_CSV_HEADER: [&str; 6] = [
    "id",
    "type",
    "value",
    "displayed",
    "dateAdded",
    "lastModified",
];

/// The columns of an incident row in `format` (CSV adds the web link).
pub fn header(format: Format) -> &'static [&'static str] {
    if format == Format::Csv {
        &CSV_HEADER
    } else {
        &HEADER
    }
}

/// An incident's cells, matching [`header`].
pub fn cells(i: &Incident, format: Format) -> Vec<String> {
    let mut c = vec![
        i.id().to_string(),
        i.name().to_string(),
        i.owner_name().unwrap_or_default().to_string(),
        i.status().unwrap_or_default().to_string(),
        i.event_date().unwrap_or_default().to_string(),
        i.date_added().to_string(),
    ];
    if format == Format::Csv {
        c.push(i.weblink().to_string());
    }
    c
}

/// The columns of an attribute row in `format`.
pub fn attribute_header(format: Format) -> &'static [&'static str] {
    if format == Format::Csv {
        &ATTRIBUTE_CSV_HEADER
    } else {
        &ATTRIBUTE_HEADER
    }
}

/// An attribute's cells, matching [`attribute_header`].
pub fn attribute_cells(a: &AttributeDto) -> Vec<String> {
    vec![
        a.id.to_string(),
        a.kind.clone(),
        a.value.clone(),
        a.displayed.to_string(),
        a.date_added.clone(),
        a.last_modified.clone(),
    ]
}

/// One incident: its JSON as the API has it, or a single row.
pub fn one(i: &Incident, format: Format) -> Result<()> {
    match format {
        Format::Json => print_json(i.data()),
        Format::Csv | Format::Table => {
            let mut w = RowWriter::new(format, header(format))?;
            w.row(cells(i, format), &())?;
            w.finish().map(|_| ())
        }
    }
}

/// `get`: one incident with its attributes, tags and security labels (loaded by the caller).
/// JSON holds all four; CSV is the listing's row; a table shows every field, then the
/// attributes.
pub fn details(i: &Incident, format: Format) -> Result<()> {
    match format {
        Format::Json => {
            #[derive(Serialize)]
            #[serde(rename_all = "camelCase")]
            struct Details<'a> {
                incident: &'a IncidentDto,
                attribute: &'a [AttributeDto],
                tag: &'a [TagDto],
                security_label: &'a [SecurityLabelDto],
            }
            print_json(&Details {
                incident: i.data(),
                attribute: i.attributes(),
                tag: i.tags(),
                security_label: i.security_labels(),
            })
        }
        Format::Csv => one(i, format),
        Format::Table => {
            let tags: Vec<&str> = i.tags().iter().map(|t| t.name.as_str()).collect();
            let labels: Vec<&str> = i
                .security_labels()
                .iter()
                .map(|l| l.name.as_str())
                .collect();
            let rows = vec![
                vec!["ID".into(), i.id().to_string()],
                vec!["Name".into(), i.name().to_string()],
                vec!["Owner".into(), i.owner_name().unwrap_or_default().into()],
                vec!["Status".into(), i.status().unwrap_or_default().into()],
                vec![
                    "Event Date".into(),
                    i.event_date().unwrap_or_default().into(),
                ],
                vec!["Date Added".into(), i.date_added().into()],
                vec!["Last Modified".into(), i.last_modified().into()],
                vec!["Web Link".into(), i.weblink().into()],
                vec!["Tags".into(), tags.join(", ")],
                vec!["Security Labels".into(), labels.join(", ")],
            ];
            print_line(&table(&["Field", "Value"], rows).to_string())?;
            if !i.attributes().is_empty() {
                let rows = i
                    .attributes()
                    .iter()
                    .map(|a| vec![a.id.to_string(), a.kind.clone(), a.value.clone()])
                    .collect();
                print_line(&table(&["Attribute ID", "Type", "Value"], rows).to_string())?;
            }
            Ok(())
        }
    }
}

/// The listing's progress on stderr: a spinner with counts on a terminal, nothing otherwise.
pub fn progress_bar() -> ProgressBar {
    if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(0);
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} {pos}/{len} incidents received ({msg})")
        {
            bar.set_style(style);
        }
        bar
    } else {
        ProgressBar::hidden()
    }
}
