import type { CardJson } from '../../cards/render';
import { formatDateTime } from '../../i18n';
import type { AdminTurn } from '../admin/admin-turn';
import { nextPurgeAt, readRetentionState } from './purge';

/** Adds the next retention purge (or that one is running) at the foot of the admin home. */
export async function withNextPurge(turn: AdminTurn, card: CardJson): Promise<CardJson> {
  const a = turn.audience;
  const state = await readRetentionState(turn.deps).catch(() => undefined);
  if (!state) return card;
  const next = nextPurgeAt(state, turn.now);
  const text = next
    ? a.t('privacy.nextPurge', { time: formatDateTime(next, a.locale, a.timeZone) })
    : a.t('privacy.purgeRunning');
  const body = (card.body as unknown[] | undefined) ?? [];
  card.body = [
    ...body,
    { type: 'TextBlock', text, wrap: true, isSubtle: true, size: 'Small', spacing: 'Medium' },
  ];
  return card;
}
