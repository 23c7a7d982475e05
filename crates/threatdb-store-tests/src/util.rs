//! Running futures concurrently and catching a case's panic, without extra dependencies.

use std::any::Any;
use std::future::{Future, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::Poll;

/// Polls all `futures` concurrently on the current task and returns their outputs in order.
pub async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(v) => *output = Some(v),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    outputs
        .into_iter()
        .map(|o| o.expect("every future completed"))
        .collect()
}

fn message(panic: &(dyn Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic)".to_string()
    }
}

/// Runs one case; if it panics, panics again with a message naming the case.
pub async fn run_case<F: Future<Output = ()>>(name: &str, case: F) {
    let mut case = Box::pin(case);
    let outcome = poll_fn(
        |cx| match catch_unwind(AssertUnwindSafe(|| case.as_mut().poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(())) => Poll::Ready(Ok(())),
            Err(panic) => Poll::Ready(Err(panic)),
        },
    )
    .await;
    if let Err(panic) = outcome {
        panic!(
            "conformance case `{name}` failed: {}",
            message(panic.as_ref())
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn join_all_keeps_order() {
        let futures: Vec<_> = (0..5u64)
            .map(|i| async move {
                tokio::time::sleep(std::time::Duration::from_millis(10 * (5 - i))).await;
                i
            })
            .collect();
        assert_eq!(join_all(futures).await, vec![0, 1, 2, 3, 4]);
    }

    #[tokio::test]
    async fn a_failing_case_is_named() {
        let failing = tokio::spawn(run_case("some_case", async {
            tokio::task::yield_now().await;
            panic!("boom");
        }));
        let err = failing.await.expect_err("the case fails");
        let panic = err.into_panic();
        let text = message(panic.as_ref());
        assert!(
            text.contains("some_case") && text.contains("boom"),
            "{text}"
        );
        run_case("passing", async {}).await;
    }
}
