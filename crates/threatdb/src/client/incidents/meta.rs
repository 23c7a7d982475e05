//! `threatdb incidents tag|untag|label|unlabel`: names queued on the incident, sent in one
//! commit.

use super::args::MetaArgs;
use anyhow::Result;
use threatdb_sdk::{Incident, ThreatConnect};

/// `tag`: adds the tags.
pub async fn tag(tc: &ThreatConnect, m: MetaArgs) -> Result<()> {
    apply(
        tc,
        m,
        |i, n| {
            i.add_tag(n);
        },
        "tagged",
    )
    .await
}

/// `untag`: removes the tags.
pub async fn untag(tc: &ThreatConnect, m: MetaArgs) -> Result<()> {
    apply(
        tc,
        m,
        |i, n| {
            i.delete_tag(n);
        },
        "untagged",
    )
    .await
}

/// `label`: adds the security labels.
pub async fn label(tc: &ThreatConnect, m: MetaArgs) -> Result<()> {
    apply(
        tc,
        m,
        |i, n| {
            i.add_security_label(n);
        },
        "labelled",
    )
    .await
}

/// `unlabel`: removes the security labels.
pub async fn unlabel(tc: &ThreatConnect, m: MetaArgs) -> Result<()> {
    apply(
        tc,
        m,
        |i, n| {
            i.delete_security_label(n);
        },
        "unlabelled",
    )
    .await
}

/// Queues every name with `queue`, commits, and says `done` on stderr.
async fn apply(
    tc: &ThreatConnect,
    m: MetaArgs,
    queue: impl Fn(&mut Incident, &str),
    done: &str,
) -> Result<()> {
    let mut i = tc.incidents().update(m.id, m.owner.as_deref());
    for n in &m.names {
        queue(&mut i, n);
    }
    i.commit().await?;
    eprintln!("{done} incident {}: {}", m.id, m.names.join(", "));
    Ok(())
}
