import { renderAdminPanel } from '../../cards/admin-panel-card';
import type { CardJson } from '../../cards/render';
import { escalationKey } from '../../domain/escalation';
import type { TimelineEntry } from '../../domain/escalation-model';
import { participantKey } from '../../domain/participant';
import { formatDateTime, type MessageKey, type Translate } from '../../i18n';
import { ADMIN_VERBS } from '../../verbs/admin';
import type { AdminTurn } from './admin-turn';

/** A user's helpdesk ticket as the admin sees it: state, who has it, what happened. */
export async function ticketPanel(turn: AdminTurn, aadObjectId: string): Promise<CardJson> {
  const { deps, audience: a } = turn;
  const e = (await deps.store.escalations.get(escalationKey(aadObjectId)))?.value;
  const p = (await deps.store.participants.get(participantKey(aadObjectId)))?.value;
  const back = p?.waveId
    ? { title: a.t('admin.back'), verb: ADMIN_VERBS.openWave, data: { waveId: p.waveId } }
    : { title: a.t('admin.back'), verb: ADMIN_VERBS.home, data: {} };
  const who = p?.displayName ?? e?.participant.displayName ?? aadObjectId;
  if (!e) {
    return renderAdminPanel({
      appName: a.t('app.name'),
      title: a.t('admin.ticket.none', { name: who }),
      actions: [back],
    });
  }
  const when = (iso: string) => formatDateTime(new Date(iso), a.locale, a.timeZone);
  return renderAdminPanel({
    appName: a.t('app.name'),
    title: a.t('admin.ticket.title', { number: e.ticketNumber, name: who }),
    facts: [
      { title: a.t('admin.ticket.state'), value: a.t(`admin.ticket.state.${e.state}` as MessageKey) },
      { title: a.t('admin.ticket.assignee'), value: e.assignee?.name ?? a.t('admin.ticket.nobody') },
      { title: a.t('admin.ticket.opened'), value: when(e.createdAt) },
      { title: a.t('admin.ticket.reasons'), value: [...new Set(e.triggers.map((x) => x.reason))].join(', ') },
    ],
    sections: [
      {
        heading: a.t('admin.ticket.timeline'),
        lines: e.timeline.slice(-10).map((x) => `${when(x.at)} · ${timelineText(a.t, x)}`),
      },
    ],
    actions: [{ title: a.t('admin.nudge'), verb: ADMIN_VERBS.nudge, data: { aadObjectId } }, back],
  });
}

function timelineText(t: Translate, x: TimelineEntry): string {
  switch (x.kind) {
    case 'trigger':
      return t('admin.ticket.line.trigger', { reason: x.reason });
    case 'user-message':
      return t('admin.ticket.line.userMessage', { text: x.text });
    case 'user-withdrew':
      return t('admin.ticket.line.withdrew');
    case 'agent-action':
      return t('admin.ticket.line.agent', {
        action: x.action,
        name: x.assignee?.name ?? '',
        note: x.note ?? '',
      }).trim();
  }
}
