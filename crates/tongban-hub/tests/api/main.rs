//! The hub over loopback with a real SQLite file: every test starts its own hub (in-process on
//! port 0, or the `tongban-hub` binary) and talks HTTP to it.

mod authorisation;
mod blobs;
mod calendar;
mod catalog;
mod decisions;
mod desks;
mod events;
mod guards;
mod malformed;
mod process;
mod support;
