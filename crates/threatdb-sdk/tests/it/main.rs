//! SDK tests.
