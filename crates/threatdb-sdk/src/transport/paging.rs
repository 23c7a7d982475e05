//! Paging: `resultLimit`/`resultStart` on list requests, and when to ask for the next page.

use super::Transport;
use crate::error::Result;
use crate::read;
use crate::request::ApiRequest;
use serde::de::DeserializeOwned;

/// Where one paginated listing stands, paged as the Python SDK pages it: after the first page,
/// `remaining = resultCount - limit`; after each further page, `remaining -= limit`; go on while
/// `remaining > 0`. A server that sends no `resultCount` is paged until a short page.
#[derive(Debug, Default)]
pub(crate) struct PageCursor(Option<Cursor>);

/// The state after a first page.
#[derive(Debug)]
struct Cursor {
    start: u64,
    /// `None` when the first page told no count.
    remaining: Option<i64>,
}

impl PageCursor {
    /// Whether the listing's first page has been answered and more are to come.
    pub(crate) fn is_started(&self) -> bool {
        self.0.is_some()
    }

    /// The `resultStart` of the next page.
    pub(crate) fn start(&self) -> u64 {
        self.0.as_ref().map_or(0, |c| c.start)
    }

    /// Records the answer to the page at [`start`](Self::start): `got` items and the
    /// `resultCount`, if sent. Returns whether another page follows (the cursor then points at
    /// it); if not, the cursor is back at the start for the next listing. A request that is not
    /// paginated has one page.
    pub(crate) fn advance(
        &mut self,
        paginated: bool,
        limit: u64,
        count: Option<u64>,
        got: u64,
    ) -> bool {
        let start = self.start();
        let limit_i = i64::try_from(limit).unwrap_or(i64::MAX);
        let more = if !paginated || got == 0 {
            false
        } else {
            match (&mut self.0, count) {
                (None, Some(total)) => {
                    let remaining = i64::try_from(total).unwrap_or(i64::MAX) - limit_i;
                    self.0 = Some(Cursor {
                        start,
                        remaining: Some(remaining),
                    });
                    remaining > 0
                }
                (
                    Some(Cursor {
                        remaining: Some(r), ..
                    }),
                    _,
                ) => {
                    *r -= limit_i;
                    *r > 0
                }
                _ => {
                    self.0.get_or_insert(Cursor {
                        start,
                        remaining: None,
                    });
                    got >= limit
                }
            }
        };
        if more {
            if let Some(c) = &mut self.0 {
                c.start = start + limit;
            }
        } else {
            self.0 = None;
        }
        more
    }
}

impl Transport {
    /// Every page of the list request `req` under `key`: pages of `resultLimit` until a short
    /// page, or until as many items as the first page's `resultCount` have come.
    pub(crate) async fn all_pages<T: DeserializeOwned>(
        &self,
        req: ApiRequest,
        key: &str,
    ) -> Result<Vec<T>> {
        let limit = u64::from(self.result_limit);
        let mut items = Vec::new();
        let mut expected: Option<u64> = None;
        loop {
            let start = items.len() as u64;
            let page = req
                .clone()
                .param("resultLimit", limit.to_string())
                .param("resultStart", start.to_string());
            let body = self.call(page).await?;
            let page = read::list::<T>(&body, key)?;
            expected = expected.or(page.result_count);
            let short = (page.items.len() as u64) < limit;
            items.extend(page.items);
            if short || expected.is_some_and(|n| items.len() as u64 >= n) {
                return Ok(items);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_the_result_count_then_short_pages() {
        let mut c = PageCursor::default();
        assert!(c.advance(true, 2, Some(5), 2));
        assert_eq!(c.start(), 2);
        assert!(c.advance(true, 2, None, 2));
        assert_eq!(c.start(), 4);
        assert!(!c.advance(true, 2, None, 1));
        assert!(!c.is_started());

        assert!(c.advance(true, 2, None, 2));
        assert!(!c.advance(true, 2, None, 1));
        assert!(!c.advance(false, 2, Some(9), 2));
        assert!(!c.advance(true, 2, Some(9), 0));
    }
}
