import { MAX_LIST_ROWS, renderAdminPanel } from '../../cards/admin-panel-card';
import { releaseButtons } from '../../cards/release-button';
import type { CardJson } from '../../cards/render';
import type { Participant } from '../../domain/participant';
import { stragglersOf } from '../../domain/retirement';
import type { MessageKey } from '../../i18n';
import { ADMIN_VERBS } from '../../verbs/admin';
import { RELEASE_VERBS } from '../../verbs/release';
import { wavesById } from '../waves';
import type { AdminTurn } from './admin-turn';
import { everyParticipant, waveParticipantsOf } from './recipients';

async function participantsInScope(turn: AdminTurn, waveId?: string): Promise<Participant[]> {
  if (waveId) return waveParticipantsOf(turn.deps, waveId);
  return (await everyParticipant(turn.deps)).filter((p) => p.waveId);
}

function stageLine(turn: AdminTurn, p: Participant): string {
  const t = turn.audience.t;
  const open = (p.journeys ?? []).filter((j) => j.stage !== 'verified' && j.stage !== 'excluded');
  if (open.length === 0) return t('admin.stragglers.notStarted');
  return open.map((j) => `${j.name}: ${t(`helpdesk.stage.${j.stage}` as MessageKey)}`).join(' · ');
}

/** Who has not finished yet, in one wave or all; with a reminder broadcast to them. */
export async function stragglersPanel(turn: AdminTurn, waveId?: string): Promise<CardJson> {
  const { audience: a } = turn;
  const waves = await wavesById(turn.deps.store);
  const people = stragglersOf(await participantsInScope(turn, waveId), waveId);
  const nf = new Intl.NumberFormat(a.locale);
  const rows = people.slice(0, MAX_LIST_ROWS).map((p) => ({
    text: p.displayName ?? p.userPrincipalName ?? p.aadObjectId,
    detail: [
      p.userPrincipalName,
      p.waveId ? waves.get(p.waveId)?.name : undefined,
      stageLine(turn, p),
      p.conversation ? undefined : a.t('admin.stragglers.noChat'),
    ]
      .filter(Boolean)
      .join(' · '),
    buttons: [
      { title: a.t('admin.nudge'), verb: ADMIN_VERBS.nudge, data: { aadObjectId: p.aadObjectId } },
      ...releaseButtons(a.t, p),
    ],
  }));
  const wave = waveId ? waves.get(waveId) : undefined;
  return renderAdminPanel({
    appName: a.t('app.name'),
    title: wave ? a.t('admin.stragglers.titleWave', { wave: wave.name }) : a.t('admin.stragglers.title'),
    subtitle: a.t('admin.stragglers.count', { count: nf.format(people.length) }),
    sections: [
      {
        heading: a.t('admin.stragglers.heading'),
        rows,
        lines: people.length === 0 ? [a.t('admin.stragglers.none')] : [],
        more:
          people.length > MAX_LIST_ROWS
            ? a.t('admin.more', { count: people.length - MAX_LIST_ROWS })
            : undefined,
      },
    ],
    actions: [
      ...(wave && people.length > 0
        ? [
            {
              title: a.t('admin.stragglers.remind', { count: nf.format(people.length) }),
              verb: ADMIN_VERBS.remindStragglers,
              data: { waveId: wave.id },
              style: 'positive' as const,
            },
          ]
        : []),
      ...(wave && (turn.deps.oldMdmRelease?.size ?? 0) > 0
        ? [{ title: a.t('release.bulk.button'), verb: RELEASE_VERBS.bulkAsk, data: { waveId: wave.id } }]
        : []),
      {
        title: a.t('admin.export.participants'),
        verb: ADMIN_VERBS.exportCsv,
        data: { kind: 'participants', ...(waveId ? { waveId } : {}) },
      },
      wave
        ? { title: a.t('admin.back'), verb: ADMIN_VERBS.openWave, data: { waveId: wave.id } }
        : { title: a.t('admin.back'), verb: ADMIN_VERBS.home, data: {} },
    ],
  });
}
