import { excerpt } from "./excerpt.js";
const UNIT_SECONDS = { d: 86_400, h: 3_600, m: 60, s: 1 } as const;
const UNIT_ORDER = "dhms";

/**
 * Parses `90m`, `2h`, `1h30m`, `3600s`, `1.5h` into whole seconds. Units go from largest to
 * smallest, each at most once. Returns an error message rather than throwing.
 */
export function parseDuration(input: string): { seconds: number } | { error: string } {
  const text = input.trim().toLowerCase();
  const bad = {
    error: `"${excerpt(input)}" is not a duration: write a number with a unit (d, h, m, s), e.g. 90m, 2h, 1h30m or 3600s.`,
  };
  if (!/^(\d+(\.\d+)?[dhms])+$/.test(text)) return bad;
  let seconds = 0;
  let lastUnit = -1;
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)([dhms])/g)) {
    const unit = match[2] as keyof typeof UNIT_SECONDS;
    const order = UNIT_ORDER.indexOf(unit);
    if (order <= lastUnit) return bad;
    lastUnit = order;
    seconds += Number(match[1]) * UNIT_SECONDS[unit];
  }
  seconds = Math.round(seconds);
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    return { error: `"${excerpt(input)}" is not a positive duration: use at least 1s.` };
  }
  return { seconds };
}
