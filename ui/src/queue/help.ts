/**
 * How an administrator sets up the desk (shown when `desk_info` says the desk is not initialised).
 * The `tongban` command is crates/tongban-cli; `tongban init --help` explains each parameter.
 */
export const INIT_COMMAND =
  'tongban init --region 411329 --hall "新野县政务服务中心" --window "跨省通办专窗" --desk-code A1';
