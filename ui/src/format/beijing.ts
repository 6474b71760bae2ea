// Every desk is in China: times are shown in Beijing time (UTC+8, no daylight saving),
// whatever time zone the office PC happens to be set to.
const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

const pad = (n: number) => String(n).padStart(2, "0");

function beijingParts(d: Date) {
  const b = new Date(d.getTime() + BEIJING_OFFSET_MS);
  return {
    y: b.getUTCFullYear(),
    m: b.getUTCMonth() + 1,
    d: b.getUTCDate(),
    hh: b.getUTCHours(),
    mm: b.getUTCMinutes(),
  };
}

/** "YYYY-MM-DD" of an instant, in Beijing time. */
export function beijingDate(d: Date): string {
  const p = beijingParts(d);
  return `${p.y}-${pad(p.m)}-${pad(p.d)}`;
}

/** RFC 3339 instant → "YYYY-MM-DD HH:mm" in Beijing time; anything unparsable is shown as given. */
export function formatReceivedAt(rfc3339: string): string {
  const t = Date.parse(rfc3339);
  if (Number.isNaN(t)) return rfc3339;
  const p = beijingParts(new Date(t));
  return `${p.y}-${pad(p.m)}-${pad(p.d)} ${pad(p.hh)}:${pad(p.mm)}`;
}

/** Promised completion date: a plain date is shown as is, an instant as its Beijing date, none as "—". */
export function formatDeadline(deadline: string | null): string {
  if (deadline === null || deadline === "") return "—";
  if (/^\d{4}-\d{2}-\d{2}$/.test(deadline)) return deadline;
  const t = Date.parse(deadline);
  return Number.isNaN(t) ? deadline : beijingDate(new Date(t));
}

/** Date range shortcuts of the filter bar, in Beijing dates. */
export function dateShortcuts(now: () => Date = () => new Date()) {
  const day = 24 * 60 * 60 * 1000;
  const range = (from: Date, to: Date): [string, string] => [beijingDate(from), beijingDate(to)];
  return [
    { text: "今天", value: () => range(now(), now()) },
    { text: "最近7天", value: () => range(new Date(now().getTime() - 6 * day), now()) },
    { text: "最近30天", value: () => range(new Date(now().getTime() - 29 * day), now()) },
    {
      text: "本月",
      value: (): [string, string] => {
        const today = beijingDate(now());
        return [`${today.slice(0, 8)}01`, today];
      },
    },
  ];
}
