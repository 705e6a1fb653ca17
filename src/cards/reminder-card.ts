import { endOfWave, type Wave } from '../domain/campaign';
import type { Participant } from '../domain/participant';
import { formatDateTime, type Translate } from '../i18n';
import { JOURNEY_VERBS } from '../verbs/journey';
import { renderMessageCard } from './message-card';
import type { CardJson } from './render';

/** The reminder a wave member gets: how many devices are left, how long it takes, when the wave ends. */
export function renderReminderCard(
  a: { t: Translate; locale: string; timeZone: string },
  p: Participant,
  wave: Wave,
): { card: CardJson; summary: string } {
  const left = (p.journeys ?? []).filter((j) => j.stage !== 'verified' && j.stage !== 'excluded').length;
  const end = endOfWave(wave);
  const text = [
    left > 0
      ? a.t('reminder.devicesLeft', { count: left, minutes: wave.estimatedMinutes })
      : a.t('reminder.notStarted', { minutes: wave.estimatedMinutes }),
    end ? a.t('reminder.endsAt', { date: formatDateTime(new Date(end), a.locale, a.timeZone) }) : '',
  ]
    .filter(Boolean)
    .join(' ');
  const card = renderMessageCard({
    title: a.t('reminder.title', { wave: wave.name }),
    text,
    style: 'accent',
  });
  card.actions = [
    { type: 'Action.Execute', title: a.t('help.openJourney'), verb: JOURNEY_VERBS.start, data: {} },
  ];
  return { card, summary: a.t('reminder.title', { wave: wave.name }) };
}
