//! Creating an incident with an attribute, a tag and a security label (the seed's third
//! example). Prints the new incident's id.
//!
//! ```sh
//! set -a; . data/credentials.env; set +a
//! cargo run -p threatdb-sdk --example create
//! ```

use threatdb_sdk::blocking::ThreatConnect;

fn main() -> Result<(), threatdb_sdk::Error> {
    // the standard script heading: credentials from TC_API_*
    let tc = ThreatConnect::from_env()?;

    // instantiate Incidents object
    let incidents = tc.incidents();

    let owner = "Example Community";

    // create a new Incident in 'Example Community' with the name: 'New Incident'
    let mut incident = incidents.add("New Incident", owner);
    // set the event date for the Incident
    incident.set_event_date("2017-03-21T00:00:00Z"); // REQUIRED

    // add a description attribute
    incident.add_attribute("Description", "Description Example");
    // add a tag
    incident.add_tag("Example");
    // add a security label
    incident.set_security_label("TLP Green");

    // create the Incident - no API calls are made until this line
    if let Err(e) = incident.commit() {
        println!("Error: {e}");
        std::process::exit(1);
    }

    println!("{}", incident.id());
    Ok(())
}
