//! Renaming an existing incident (the seed's fourth example).
//!
//! ```sh
//! set -a; . data/credentials.env; set +a
//! cargo run -p threatdb-sdk --example update -- 123456
//! ```

use threatdb_sdk::blocking::ThreatConnect;

fn main() -> Result<(), threatdb_sdk::Error> {
    // the standard script heading: credentials from TC_API_*
    let tc = ThreatConnect::from_env()?;
    let id = incident_id();

    // instantiate Incidents object
    let incidents = tc.incidents();

    let owner = "Example Community";

    // create an Incident with an updated name
    let mut incident = incidents.add("Updated Incident", owner);
    // set the ID of the new Incident to the ID of the existing Incident you want to update
    incident.set_id(id);

    // you can update the Incident metadata as described here: https://docs.threatconnect.com/en/latest/python/groups/groups.html#group-metadata

    // update the Incident - no API calls are made until this line
    if let Err(e) = incident.commit() {
        println!("Error: {e}");
        std::process::exit(1);
    }
    Ok(())
}

/// The id to use: the first argument, else `TC_INCIDENT_ID`, else the seed's 123456.
fn incident_id() -> i64 {
    std::env::args()
        .nth(1)
        .or_else(|| std::env::var("TC_INCIDENT_ID").ok())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(123456)
}
