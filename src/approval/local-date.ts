// Civil dates in the county's time zone. China uses one zone, Asia/Shanghai, at a fixed UTC+8 with no
// daylight saving since 1991, so the civil date of an instant is the UTC date of (instant + 8 h) and no
// time-zone database is needed. Dates are 'YYYY-MM-DD' strings: they sort, compare and serialise as-is.

/** A civil date in the county's zone, 'YYYY-MM-DD'. */
export type LocalDate = string;

/** The county's fixed offset from UTC (Asia/Shanghai, no DST). */
export const COUNTY_UTC_OFFSET_MS = 8 * 60 * 60 * 1000;

const DAY_MS = 24 * 60 * 60 * 1000;

/** True when s is a real calendar date written 'YYYY-MM-DD' (the published form's own check). */
export { isCivilDate as isLocalDate } from '../published/form.js';

/** Days since 1970-01-01 of a civil date (the date's own day number, zone-free). */
export function epochDay(date: LocalDate): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

export function fromEpochDay(day: number): LocalDate {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: LocalDate, n: number): LocalDate {
  return fromEpochDay(epochDay(date) + n);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: LocalDate): number {
  // 1970-01-01 was a Thursday (4).
  return (((epochDay(date) + 4) % 7) + 7) % 7;
}

export function yearOf(date: LocalDate): number {
  return Number(date.slice(0, 4));
}

/** The civil date, in the county, of an instant. */
export function localDateOf(instant: Date): LocalDate {
  return new Date(instant.getTime() + COUNTY_UTC_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant a civil date begins in the county (00:00 UTC+8). */
export function startOfLocalDay(date: LocalDate): Date {
  return new Date(epochDay(date) * DAY_MS - COUNTY_UTC_OFFSET_MS);
}

/** The instant a civil date ends in the county: 24:00 UTC+8, i.e. the start of the next day. A time
 *  limit that ends on a date ends at this instant (Civil Code art. 203: a period's last day ends at 24:00). */
export function endOfLocalDay(date: LocalDate): Date {
  return startOfLocalDay(addDays(date, 1));
}
