/**
 * ISO weeks as the server keys them (``2026-W03``): weeks start on Monday, and week 1 is the one
 * with the year's first Thursday, so a year has 52 or 53 weeks and a week can straddle New Year.
 * Everything here works on calendar dates in UTC (the server picks the week in Europe/Berlin; a
 * key names the same Monday–Sunday wherever the player is).
 */

export interface IsoWeek {
  year: number;
  week: number;
}

const DAY_MS = 86_400_000;
const KEY = /^(\d{4})-W(\d{2})$/;

/** The Monday of ISO week 1: the week holding January 4th. */
function firstMonday(year: number): number {
  const jan4 = Date.UTC(year, 0, 4);
  const weekday = (new Date(jan4).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  return jan4 - weekday * DAY_MS;
}

/** 52 or 53: a year has 53 ISO weeks when it starts on a Thursday, or is a leap year starting on
 * a Wednesday. */
export function weeksInYear(year: number): number {
  return Math.round((firstMonday(year + 1) - firstMonday(year)) / (7 * DAY_MS));
}

export function parseWeekKey(key: string): IsoWeek | null {
  const match = KEY.exec(key);
  if (!match) return null;
  const year = Number(match[1]);
  const week = Number(match[2]);
  if (week < 1 || week > weeksInYear(year)) return null;
  return { year, week };
}

export function formatWeekKey({ year, week }: IsoWeek): string {
  return `${String(year).padStart(4, "0")}-W${String(week).padStart(2, "0")}`;
}

/** The ISO week of a calendar date (its UTC day). */
export function weekOf(date: Date): IsoWeek {
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const weekday = (new Date(day).getUTCDay() + 6) % 7;
  const thursday = new Date(day + (3 - weekday) * DAY_MS); // its week's Thursday decides the year
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - firstMonday(year)) / (7 * DAY_MS));
  return { year, week };
}

/** Monday 00:00 and Sunday 00:00 (UTC dates) of the week ``key``; null for a malformed key. */
export function weekRange(key: string): { start: Date; end: Date } | null {
  const parsed = parseWeekKey(key);
  if (!parsed) return null;
  const monday = firstMonday(parsed.year) + (parsed.week - 1) * 7 * DAY_MS;
  return { start: new Date(monday), end: new Date(monday + 6 * DAY_MS) };
}

/** The week ``n`` weeks after ``key`` (before it when negative), across year ends. */
export function shiftWeek(key: string, n: number): string | null {
  const range = weekRange(key);
  if (!range) return null;
  return formatWeekKey(weekOf(new Date(range.start.getTime() + n * 7 * DAY_MS)));
}

/** "Jan 12 – 18, 2026" / "12–18 янв. 2026 г.": the week's Monday–Sunday in ``locale``. */
export function formatWeekRange(key: string, locale: string): string {
  const range = weekRange(key);
  if (!range) return key;
  const format = new Intl.DateTimeFormat(locale, {
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  });
  return format.formatRange(range.start, range.end);
}
