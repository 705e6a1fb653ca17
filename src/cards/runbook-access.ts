/**
 * The access line members read (announcement, journey card, reminders), from the wave's evaluated
 * conditional-access state when there is one for its current mode; otherwise undefined, and the card
 * states the wave's mode as the admin set it.
 */
import type { Wave } from '../domain/campaign';
import { observedAccessOf } from '../domain/conditional-access';
import { formatDateTime, type Translate } from '../i18n';

export function observedAccessText(
  a: { t: Translate; locale: string; timeZone: string },
  wave: Wave | undefined,
): string | undefined {
  const line = wave ? observedAccessOf(wave) : undefined;
  if (!line) return undefined;
  if (line.kind === 'enforced') return a.t('access.enforced');
  if (line.kind === 'not-required') return a.t('access.notRequired');
  if (line.kind === 'from')
    return a.t('access.from', { date: formatDateTime(new Date(line.date), a.locale, a.timeZone) });
  return undefined;
}

/** Days before the grace end in which reminders say what switches on. */
export const LAST_DAYS = 3;

/**
 * The reminder's extra line in the last days before the grace end, when the evaluated state says a
 * policy covering the member switches on then; undefined otherwise.
 */
export function lastDaysLine(
  a: { t: Translate; locale: string; timeZone: string },
  wave: Wave,
  now: Date,
): string | undefined {
  const line = observedAccessOf(wave);
  if (line?.kind !== 'from') return undefined;
  const left = Date.parse(line.date) - now.getTime();
  if (!(left > 0 && left <= LAST_DAYS * 86_400_000)) return undefined;
  return a.t('access.lastDays', { date: formatDateTime(new Date(line.date), a.locale, a.timeZone) });
}
