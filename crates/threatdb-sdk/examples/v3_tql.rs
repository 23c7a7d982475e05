//! The v3 API as tcex's v3 objects use it: the incidents of your organization that a TQL query
//! selects, with their tags, read page by page through the server's `next` links.
//!
//! ```sh
//! set -a; . data/credentials.env; set +a
//! cargo run -p threatdb-sdk --example v3_tql -- 'typeName EQ "Incident" AND hasTag(summary EQ "Phishing")'
//! ```

use threatdb_sdk::ThreatConnect;

#[tokio::main]
async fn main() -> Result<(), threatdb_sdk::Error> {
    let tql = std::env::args()
        .nth(1)
        .unwrap_or_else(|| r#"typeName EQ "Incident""#.to_string());
    // the standard script heading: credentials from TC_API_*
    let tc = ThreatConnect::from_env()?;

    // like tcex: groups = tcex.api.tc.v3.groups(); groups.filter.tql = ...
    let mut groups = tc.v3().groups();
    groups.filter().tql(tql);
    groups.fields(["tags"]);

    let mut pages = groups.pages();
    while let Some(page) = pages.next_page().await? {
        for group in page {
            let tags: Vec<String> = group
                .tags
                .map(|t| t.data.into_iter().map(|t| t.name).collect())
                .unwrap_or_default();
            println!("{}\t{}\t{}", group.id, group.name, tags.join(", "));
        }
    }
    if let Some(n) = pages.count() {
        println!("{n} groups");
    }
    Ok(())
}
