/** A debounced function: calls `fn` once, `wait` ms after the last call, with the last arguments. */
export interface Debounced<A extends unknown[]> {
  (...args: A): void;
  /** Drops a pending call. */
  cancel(): void;
  /** Runs a pending call now (no-op if none is pending). */
  flush(): void;
  /** Whether a call is waiting. */
  readonly pending: boolean;
}

export function debounce<A extends unknown[]>(fn: (...args: A) => void, wait: number): Debounced<A> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastArgs: A | null = null;

  const run = () => {
    const args = lastArgs as A;
    timer = null;
    lastArgs = null;
    fn(...args);
  };

  const debounced = ((...args: A) => {
    lastArgs = args;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(run, wait);
  }) as Debounced<A>;

  debounced.cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    lastArgs = null;
  };
  debounced.flush = () => {
    if (timer === null) return;
    clearTimeout(timer);
    run();
  };
  Object.defineProperty(debounced, "pending", { get: () => timer !== null });
  return debounced;
}

/**
 * Keeps only the answer to the latest request: while the clerk types, earlier searches may
 * answer after later ones, and a stale answer must never replace the table.
 */
export function latestOnly() {
  let seq = 0;
  return {
    /** Starts a request; the returned ticket says whether it is still the latest. */
    begin(): { isLatest(): boolean } {
      const mine = ++seq;
      return { isLatest: () => mine === seq };
    },
  };
}
