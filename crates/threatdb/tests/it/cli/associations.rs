//! `threatdb incidents associate|disassociate|associations` against the binary's own serve.

use super::Server;

#[test]
fn associate_list_and_disassociate() {
    let s = Server::start();
    let event = ["--event-date", "2017-03-21T00:00:00Z"];
    let a = s.create(&[&["--name", "A"][..], &event].concat());
    let b = s.create(&[&["--name", "B"][..], &event].concat());
    let (a, b) = (a.to_string(), b.to_string());
    let group = format!("incidents:{b}");
    s.ok(&["incidents", "associate", &a, "--group", &group]);
    // Idempotent.
    s.ok(&["incidents", "associate", &a, "--group", &group]);
    let got = s.json(&["incidents", "associations", &a]);
    assert_eq!(got["group"][0]["id"].to_string(), b);
    assert_eq!(got["group"][0]["type"], "Incident");
    assert_eq!(got["indicator"].as_array().unwrap().len(), 0);
    // Both ways.
    let got = s.json(&["incidents", "associations", &b]);
    assert_eq!(got["group"][0]["id"].to_string(), a);
    let table = s.ok(&["incidents", "associations", &a]);
    assert!(table.contains("Incident") && table.contains('B'), "{table}");
    let csv = s.ok(&["incidents", "associations", &a, "--csv"]);
    assert!(csv.starts_with("association,type,id,name,owner"), "{csv}");
    s.ok(&["incidents", "disassociate", &a, "--group", &group]);
    let got = s.json(&["incidents", "associations", &a]);
    assert_eq!(got["group"].as_array().unwrap().len(), 0);
    // Errors: a missing target, a bad spec, nothing named.
    s.run(&["incidents", "associate", &a, "--group", "adversaries:999"])
        .fails_with("not found");
    s.run(&["incidents", "associate", &a, "--group", "bears:1"])
        .fails_with("unknown group type");
    s.run(&["incidents", "associate", &a]).fails_with("--group");
}
