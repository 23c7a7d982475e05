#!/usr/bin/env bash
# The long run of the hostile-request property tests (crates/threatdb-server/tests/it/hostile_props.rs):
# generated filters= strings, paging values, dates, JSON bodies and HMAC headers against a real
# server; any 5xx, dropped connection or change after a rejection fails with the smallest input.
#   bench/fuzz-requests.sh [CASES]      (default 20000 per property; cargo test runs 64)
set -euo pipefail
cd "$(dirname "$0")/.."
PROPTEST_CASES="${1:-20000}" cargo test --release -p threatdb-server --test it hostile_props -- --nocapture
