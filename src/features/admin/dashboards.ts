import { renderMessageCard } from '../../cards/message-card';
import type { CardJson } from '../../cards/render';
import type { AdminTurn } from './admin-turn';
import { campaignDashboard, waveDashboard } from './dashboard-service';

/** The admin home: every wave with its numbers and gate. */
export function campaignHome(turn: AdminTurn): Promise<CardJson> {
  return campaignDashboard(turn.deps, turn.audience.language, turn.now);
}

/** One wave's dashboard, or a clear answer when the wave is gone. */
export async function waveHome(
  turn: AdminTurn,
  waveId: string,
  notice?: string,
  noticeStyle = 'good',
): Promise<CardJson> {
  const card = await waveDashboard(turn.deps, waveId, turn.audience.language, turn.now);
  if (!card) {
    return renderMessageCard({
      title: turn.audience.t('admin.invalid.title'),
      text: turn.audience.t('admin.wave.notFound', { wave: waveId }),
      style: 'attention',
    });
  }
  if (notice) withNotice(card, notice, noticeStyle);
  return card;
}

/** Puts a one-line notice (what just happened) on top of a rendered card. */
export function withNotice(card: CardJson, notice: string, style = 'good'): CardJson {
  const body = (card.body as unknown[] | undefined) ?? [];
  card.body = [
    { type: 'Container', style, items: [{ type: 'TextBlock', text: notice, wrap: true }] },
    ...body,
  ];
  return card;
}
