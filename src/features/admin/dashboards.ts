import { renderMessageCard } from '../../cards/message-card';
import type { CardJson } from '../../cards/render';
import { languageMeta } from '../../i18n';
import { RUNBOOK_VERBS } from '../../verbs/runbook';
import { withNextPurge } from '../privacy/next-purge';
import type { AdminTurn } from './admin-turn';
import { campaignDashboard, waveDashboard } from './dashboard-service';

/** The admin home: every wave with its numbers and gate. */
export async function campaignHome(turn: AdminTurn): Promise<CardJson> {
  const card = await campaignDashboard(turn.deps, turn.audience.language, turn.now);
  return withRunbookButton(turn, withLanguages(turn, await withNextPurge(turn, card)));
}

/** The campaign's languages (CAMPAIGN_LANGUAGES) and whether a native speaker has checked each. */
function withLanguages(turn: AdminTurn, card: CardJson): CardJson {
  const { t } = turn.audience;
  const facts = turn.deps.config.languages.campaign.map((language) => {
    const meta = languageMeta(language);
    return {
      title: `${meta.name} (${language})`,
      value: meta.review === 'reviewed' ? t('admin.languages.reviewed') : t('admin.languages.draft'),
    };
  });
  const heading = { type: 'TextBlock', text: t('admin.languages.title'), weight: 'Bolder', wrap: true };
  card.body = [
    ...((card.body as unknown[] | undefined) ?? []),
    { type: 'Container', separator: true, items: [heading, { type: 'FactSet', facts }] },
  ];
  return card;
}

/** The runbook (the campaign's, or the wave's) is one button away from each dashboard. */
function withRunbookButton(turn: AdminTurn, card: CardJson, waveId?: string): CardJson {
  const actions = (card.actions as unknown[] | undefined) ?? [];
  card.actions = [
    ...actions,
    {
      type: 'Action.Execute',
      title: turn.audience.t('runbook.open'),
      verb: RUNBOOK_VERBS.open,
      data: waveId ? { waveId } : {},
    },
  ];
  return card;
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
  return withRunbookButton(turn, card, waveId);
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
