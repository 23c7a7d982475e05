//! Retrieving a single incident by id (the seed's first example).
//!
//! ```sh
//! set -a; . data/credentials.env; set +a
//! cargo run -p threatdb-sdk --example retrieve_single -- 123456
//! ```

use threatdb_sdk::blocking::ThreatConnect;

fn main() -> Result<(), threatdb_sdk::Error> {
    // the standard script heading: credentials from TC_API_ACCESS_ID, TC_API_SECRET_KEY,
    // TC_API_DEFAULT_ORG and TC_API_BASE_URL
    let tc = ThreatConnect::from_env()?;
    let id = incident_id();

    // instantiate Incidents object
    let mut incidents = tc.incidents();

    // the SDK keeps only incidents of the filter's owner (the default organization if none is
    // given); the `create` example puts its incident in 'Example Community'
    let owner = "Example Community";

    // set a filter to retrieve only the Incident with ID: 123456
    let filter1 = incidents.add_filter();
    filter1.add_id(id);
    filter1.add_owner(owner);

    // retrieve the Incident
    if let Err(e) = incidents.retrieve() {
        println!("Error: {e}");
        std::process::exit(1);
    }

    // iterate through the retrieved Incidents (in this case there should only be one) and print its properties
    for incident in &incidents {
        println!("{}", incident.id());
        println!("{}", incident.name());
        println!("{}", incident.date_added());
        println!("{}", incident.weblink());

        // Incident specific property
        println!("{}", incident.event_date().unwrap_or_default());

        println!();
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
