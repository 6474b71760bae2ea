//! The domain of Tongban Desk (通办收件台), with no IO: everything here is a pure function of
//! its inputs, so the desk, the hub, the CLI and the tests all share one meaning of a case.
//!
//! - [`region`]: GB/T 2260 region codes and names, shipped as data.
//! - [`applicant`]: who a case is for (person or enterprise) and who brings it (agent).
//! - [`validate`]: 居民身份证, 统一社会信用代码 and phone checks with exact Chinese messages.
//! - [`catalog`]: a region's 事项清单 (items, materials, 一件事 bundles, liaisons), its checks
//!   and what changed between versions.
//! - [`guide`]: a 办事指南's own wording (即办, 「60日」, 原件及复印件, 容缺, 事项类型, 服务对象).
//! - [`case`]: case ids, 办件编号, events and the status they fold into.
//! - [`workdays`]: the working-day calendar (statutory holidays and 调休, provisional years by
//!   the statutory rules) and deadlines.
//! - [`clocks`]: the clocks the law sets on a case (告知期限, 补正期限, 承诺时限 across 补正).
//! - [`scan`]: what a scan is, by its first bytes.
//! - [`offline`]: the offline guardrail: warn, then refuse new intakes for a partner not synced
//!   for days, unless an admin lifted it for a day.
//! - [`admission`]: what a hub checks before it admits a desk's event, and a desk before it
//!   applies a hub's: the intake's fields and number, the author, a 更正编号.
//! - [`waybill`]: waybill numbers: the UPU S10 check digit, other formats warned of.
//! - [`paper`]: paper both ways (寄递): the packages a case's originals and result travel in,
//!   who signed for them, and where each original is.
//! - [`seal`]: a hub's Ed25519 seal on the events it serves, checked by desks offline.
//! - [`rates`]: the supervisor's 受理率, 按时办结率, 超期件数 and 平均办理用时 over a 台账's cases.
//! - [`time`]: Beijing time, in which every hall dates its cases (an offset; no clock is read).
//! - [`hall`]: the hall's texts printed on the forms (name, address, phone, notices, 补正 days).
//! - [`listing`]: a case as the queue and the 台账 list it (the store fills these, the forms
//!   print them).
//! - [`printed`]: the printed forms (收件登记表, 一次性告知书, 每日台账).
//! - [`code`]: the stable error codes: the hub's, the desk's, and either (what the window and
//!   the CLI are given).

pub mod admission;
pub mod applicant;
pub mod case;
pub mod catalog;
pub mod clocks;
pub mod code;
pub mod guide;
pub mod hall;
pub mod listing;
pub mod offline;
pub mod paper;
pub mod printed;
pub mod rates;
pub mod region;
pub mod scan;
pub mod seal;
pub mod time;
pub mod validate;
pub mod waybill;
pub mod workdays;
