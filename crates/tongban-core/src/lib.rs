//! The domain of Tongban Desk (通办收件台), with no IO: everything here is a pure function of
//! its inputs, so the desk, the hub, the CLI and the tests all share one meaning of a case.
//!
//! - [`region`]: GB/T 2260 region codes and names, shipped as data.
//! - [`applicant`]: who a case is for (person or enterprise) and who brings it (agent).
//! - [`validate`]: 居民身份证, 统一社会信用代码 and phone checks with exact Chinese messages.
//! - [`catalog`]: a region's 事项清单 (items, materials, 一件事 bundles, liaisons), its checks
//!   and what changed between versions.
//! - [`case`]: case ids, 办件编号, events and the status they fold into.
//! - [`workdays`]: the working-day calendar (statutory holidays and 调休) and deadlines.
//! - [`scan`]: what a scan is, by its first bytes.
//! - [`rates`]: the supervisor's 受理率, 按时办结率, 超期件数 and 平均办理用时 over a 台账's cases.

pub mod applicant;
pub mod case;
pub mod catalog;
pub mod rates;
pub mod region;
pub mod scan;
pub mod validate;
pub mod workdays;
