//! Retrieving the incidents of 'Example Community' tagged 'Nation State' (the seed's second
//! example).
//!
//! ```sh
//! set -a; . data/credentials.env; set +a
//! cargo run -p threatdb-sdk --example retrieve_many
//! ```

use threatdb_sdk::blocking::ThreatConnect;

fn main() -> Result<(), threatdb_sdk::Error> {
    // the standard script heading: credentials from TC_API_*
    let tc = ThreatConnect::from_env()?;

    // instantiate Incidents object
    let mut incidents = tc.incidents();

    let owner = "Example Community";

    // set a filter to only retrieve Incidents in the 'Example Community' tagged: 'Nation State'
    let filter1 = incidents.add_filter();
    filter1.add_owner(owner);
    filter1.add_tag("Nation State");

    // retrieve the Incidents
    if let Err(e) = incidents.retrieve() {
        println!("Error: {e}");
    }

    // iterate through the retrieved Incidents and print their properties
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
