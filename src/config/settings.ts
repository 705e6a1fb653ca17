/**
 * The pieces the configuration schema is built from: one environment variable each, and the checks
 * several of them share.
 */
import { z } from 'zod';
import type { BusinessHours } from '../domain/business-hours';

/** Reports one problem; the message names the variable and says what to set. */
export type Problem = (message: string) => void;

/**
 * One environment variable: trimmed, empty meaning unset, then turned into its value by `read`.
 * `read` reports a problem instead of throwing and returns a stand-in, so that every other setting
 * is still checked and one failed start-up names every problem.
 */
export function setting<T>(read: (raw: string | undefined, problem: Problem) => T) {
  return z
    .string()
    .optional()
    .transform((value, ctx) =>
      read(value?.trim() || undefined, (message) => ctx.addIssue({ code: z.ZodIssueCode.custom, message })),
    );
}

/** A variable taken as it is (undefined when unset); checks that involve others come later. */
export const text = setting((raw) => raw);

/**
 * A variable whose value (or `byDefault` when unset) must pass `schema`; `explain` says what is wrong
 * with a bad one. The default, which passes, stands in for a bad value.
 */
export function checked<S extends z.ZodTypeAny>(
  schema: S,
  options: { byDefault?: string; explain: (raw: string) => string },
) {
  return setting((raw, problem): z.output<S> => {
    const parsed = schema.safeParse(raw ?? options.byDefault);
    if (parsed.success) return parsed.data;
    problem(options.explain(raw ?? ''));
    return schema.parse(options.byDefault);
  });
}

/** A positive number (fractions allowed), at most `max`: the escalation delays. */
export function positive(name: string, byDefault: number, meaning: string, unit: string, max: number) {
  return checked(z.coerce.number().positive().max(max), {
    byDefault: String(byDefault),
    explain: (raw) =>
      `${name}: "${raw}" must be a number of ${unit} above 0 and at most ${max} (${meaning}; default ${byDefault}).`,
  });
}

/** One of `values`, in any letter case. */
export function oneOf<T extends string>(values: readonly T[]) {
  return z
    .string()
    .toLowerCase()
    .refine((v): v is T => (values as readonly string[]).includes(v));
}

export function isHttpUrl(raw: string): boolean {
  try {
    const u = new URL(raw);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

export const httpUrl = z.string().refine(isHttpUrl);

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const GUIDISH = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `BUSINESS_HOURS`, e.g. 08:00-17:00, as minutes after midnight. */
export function parseHours(hours: string, problem: Problem): Omit<BusinessHours, 'days'> {
  const m = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/.exec(hours);
  if (!m) {
    problem(`BUSINESS_HOURS: "${hours}" is not a range such as 08:00-17:00.`);
    return { startMinute: 0, endMinute: 0 };
  }
  const startMinute = Number(m[1]) * 60 + Number(m[2]);
  const endMinute = Number(m[3]) * 60 + Number(m[4]);
  if (startMinute >= endMinute || endMinute > 24 * 60 || Number(m[2]) > 59 || Number(m[4]) > 59) {
    problem(`BUSINESS_HOURS: "${hours}" must start before it ends, within one day.`);
  }
  return { startMinute, endMinute };
}

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** `BUSINESS_DAYS`, e.g. mon-fri or sun-thu or mon,wed,fri, as sorted ISO weekday numbers. */
export function parseDays(days: string, problem: Problem): number[] {
  const dayList: number[] = [];
  for (const part of days.toLowerCase().split(',')) {
    const [a, b] = part.split('-').map((s) => WEEKDAYS.indexOf(s.trim().slice(0, 3)));
    if (a === undefined || a < 0 || (b !== undefined && b < 0)) {
      problem(`BUSINESS_DAYS: "${days}" is not a list of weekdays such as mon-fri or mon,tue,thu.`);
      return [];
    }
    const end = b ?? a;
    // Walks from a to end, wrapping past Sunday (sun-thu); mon-sun is the whole week.
    for (let d = a; ; d = (d + 1) % 7) {
      if (!dayList.includes(d + 1)) dayList.push(d + 1);
      if (d === end || dayList.length >= 7) break;
    }
  }
  return dayList.sort((x, y) => x - y);
}
