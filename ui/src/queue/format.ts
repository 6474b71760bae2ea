/** The queue's 同步 column. */
export function syncLabel(pendingSync: boolean): string {
  return pendingSync ? "待同步" : "已同步";
}
