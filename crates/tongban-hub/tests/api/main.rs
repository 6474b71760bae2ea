//! The hub over loopback with a real database: every test starts its own hub (in-process on
//! port 0, or the `tongban-hub` binary) and talks HTTP to it. The same tests run on SQLite (the
//! default) and on PostgreSQL (`TONGBAN_HUB_TEST_DB=postgres`; see `cluster.rs`).

mod authorisation;
mod blobs;
mod calendar;
mod catalog;
mod cluster;
mod decisions;
mod desks;
mod events;
mod fault;
mod guards;
mod malformed;
mod postgres_tls;
mod process;
mod support;
