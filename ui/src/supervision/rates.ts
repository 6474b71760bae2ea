// How a rate shows on the supervisor's screen: as the printed 台账 prints it.

/** "80.0%（4/5）": the rate with the counts behind it; the rate alone ("—") when nothing was counted. */
export function withCounts(rate: string, n: number, d: number): string {
  return d === 0 ? rate : `${rate}（${n}/${d}）`;
}
