//! Concurrent links: the same pair of incidents linked from both ends at once, many times,
//! stays one association and never fails (no crosswise waits).

use crate::fixture::{create, fixture};
use crate::util::join_all;
use threatdb_core::{AdminStore, LinkSet, Paging, Store, Target};

/// 20 concurrent links of one pair, half from each end, all succeed and leave one link.
pub async fn concurrent_incident_links<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let w = &fx.writer_a;
    let a = create(store, w, &fx.org_a, "A", "2020-01-01").await;
    let b = create(store, w, &fx.org_a, "B", "2020-01-01").await;
    let calls: Vec<(i64, Target)> = (0..20)
        .map(|i| {
            if i % 2 == 0 {
                (a, Target::Incident(b))
            } else {
                (b, Target::Incident(a))
            }
        })
        .collect();
    let results = join_all(
        calls
            .iter()
            .map(|(from, to)| store.associate(w, *from, to))
            .collect(),
    )
    .await;
    for r in results {
        r.expect("every concurrent link succeeds");
    }
    for (from, other) in [(a, b), (b, a)] {
        let page = store
            .associations(w, from, LinkSet::Groups(None), Paging::default())
            .await
            .unwrap();
        assert_eq!(page.total, Some(1));
        assert!(matches!(&page.items[0], threatdb_core::Linked::Incident(i) if i.id == other));
    }
}
