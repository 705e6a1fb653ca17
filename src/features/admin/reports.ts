/**
 * The admin's lists and reports: stragglers, the "ready to retire the old MDM" report, a user's ticket,
 * nudges and CSV export links.
 */
import { type PanelSection, renderAdminPanel } from '../../cards/admin-panel-card';
import type { CardJson } from '../../cards/render';
import { auditKey } from '../../domain/audit';
import { type Wave, waveKey } from '../../domain/campaign';
import { escalationKey, type TimelineEntry } from '../../domain/escalation';
import { PARTICIPANT_PARTITIONS, type Participant, participantKey } from '../../domain/participant';
import { retirementReport, stragglersOf } from '../../domain/retirement';
import { signExport } from '../../exports/signed-link';
import { formatDateTime, type MessageKey } from '../../i18n';
import { reminderCard } from '../../workers/reminders';
import type { AdminTurn } from './admin-handlers';
import { ADMIN_VERBS } from './ids';
import { waveParticipantsOf } from './recipients';

/** Rows shown on a list card; the CSV export has everyone. */
export const MAX_LIST_ROWS = 25;
/** Export links work this long. */
export const EXPORT_LINK_MINUTES = 15;

async function wavesById(turn: AdminTurn): Promise<Map<string, Wave>> {
  const out = new Map<string, Wave>();
  for await (const { value } of turn.deps.store.waves.listPartition('wave')) out.set(value.id, value);
  return out;
}

async function participantsInScope(turn: AdminTurn, waveId?: string): Promise<Participant[]> {
  if (waveId) return waveParticipantsOf(turn.deps, waveId);
  const all: Participant[] = [];
  for (const partition of PARTICIPANT_PARTITIONS) {
    for await (const { value } of turn.deps.store.participants.listPartition(partition)) {
      if (value.waveId) all.push(value);
    }
  }
  return all;
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
  const waves = await wavesById(turn);
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
    buttons: [{ title: a.t('admin.nudge'), verb: ADMIN_VERBS.nudge, data: { aadObjectId: p.aadObjectId } }],
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

/** Re-sends one user a reminder now (outside the usual cadence); the admin sees a banner. */
export async function nudgeUser(turn: AdminTurn, aadObjectId: string): Promise<string> {
  const { deps, audience: a } = turn;
  const p = (await deps.store.participants.get(participantKey(aadObjectId)))?.value;
  if (!p) return a.t('admin.nudge.unknown');
  const wave = p.waveId ? (await deps.store.waves.get(waveKey(p.waveId)))?.value : undefined;
  if (!p.conversation || !wave) return a.t('admin.nudge.noChat', { name: p.displayName ?? aadObjectId });
  await deps.messenger.send(p.conversation, reminderCard(deps, p, wave));
  await deps.store.audit.insert(auditKey(turn.now, `nudge-${aadObjectId}`), {
    at: turn.now.toISOString(),
    actorAadObjectId: turn.actor.aadObjectId,
    actorName: turn.actor.name,
    action: 'participant.nudge',
    target: aadObjectId,
  });
  return a.t('admin.nudge.sent', { name: p.displayName ?? p.userPrincipalName ?? aadObjectId });
}

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
        lines: e.timeline.slice(-10).map((x) => `${when(x.at)} · ${timelineText(turn, x)}`),
      },
    ],
    actions: [{ title: a.t('admin.nudge'), verb: ADMIN_VERBS.nudge, data: { aadObjectId } }, back],
  });
}

function timelineText(turn: AdminTurn, x: TimelineEntry): string {
  const t = turn.audience.t;
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

/** Whether the old MDM can be switched off: everyone migrated or excluded with a reason. */
export async function retireReport(turn: AdminTurn): Promise<CardJson> {
  const { audience: a } = turn;
  const waves = await wavesById(turn);
  const all: Participant[] = [];
  for (const partition of PARTICIPANT_PARTITIONS) {
    for await (const { value } of turn.deps.store.participants.listPartition(partition)) all.push(value);
  }
  const report = retirementReport(all);
  const nf = new Intl.NumberFormat(a.locale);
  const sections: PanelSection[] = [];
  if (report.excluded.length > 0) {
    sections.push({
      heading: a.t('admin.retire.excluded', { count: nf.format(report.excluded.length) }),
      lines: report.excluded
        .slice(0, MAX_LIST_ROWS)
        .map((x) => `${x.displayName ?? x.userPrincipalName ?? x.aadObjectId}: ${x.reasons.join('; ')}`),
      more:
        report.excluded.length > MAX_LIST_ROWS
          ? a.t('admin.more', { count: report.excluded.length - MAX_LIST_ROWS })
          : undefined,
    });
  }
  if (report.remaining.length > 0) {
    sections.push({
      heading: a.t('admin.retire.remaining', { count: nf.format(report.remaining.length) }),
      lines: report.remaining
        .slice(0, MAX_LIST_ROWS)
        .map(
          (x) =>
            `${x.displayName ?? x.userPrincipalName ?? x.aadObjectId}${x.waveId ? ` (${waves.get(x.waveId)?.name ?? x.waveId})` : ''}`,
        ),
      more:
        report.remaining.length > MAX_LIST_ROWS
          ? a.t('admin.more', { count: report.remaining.length - MAX_LIST_ROWS })
          : undefined,
    });
  }
  return renderAdminPanel({
    appName: a.t('app.name'),
    title: a.t('admin.retire.title'),
    style: report.ready ? 'good' : 'warning',
    notice: report.ready ? a.t('admin.retire.ready') : a.t('admin.retire.notReady'),
    noticeStyle: report.ready ? 'good' : 'warning',
    facts: [
      { title: a.t('admin.retire.migrated'), value: nf.format(report.migrated.length) },
      { title: a.t('admin.retire.excludedCount'), value: nf.format(report.excluded.length) },
      { title: a.t('admin.retire.remainingCount'), value: nf.format(report.remaining.length) },
    ],
    sections,
    actions: [
      {
        title: a.t('admin.export.participants'),
        verb: ADMIN_VERBS.exportCsv,
        data: { kind: 'participants' },
      },
      { title: a.t('admin.stragglers.title'), verb: ADMIN_VERBS.stragglers, data: {} },
      { title: a.t('admin.back'), verb: ADMIN_VERBS.home, data: {} },
    ],
  });
}

/** Signed, expiring download links, issued to this admin. */
export async function exportLinks(
  turn: AdminTurn,
  req: { kind: 'participants' | 'deliveries'; waveId?: string; broadcastId?: string },
): Promise<CardJson> {
  const { deps, audience: a } = turn;
  const base = deps.config.publicBaseUrl;
  const key = deps.config.exportSigningKey;
  if (!base || !key) {
    return renderAdminPanel({
      appName: a.t('app.name'),
      title: a.t('admin.export.unavailable'),
      style: 'attention',
      actions: [{ title: a.t('admin.back'), verb: ADMIN_VERBS.home, data: {} }],
    });
  }
  const expiresAt = new Date(turn.now.getTime() + EXPORT_LINK_MINUTES * 60_000);
  const path = signExport(
    {
      kind: req.kind,
      ...(req.waveId ? { waveId: req.waveId } : {}),
      ...(req.broadcastId ? { broadcastId: req.broadcastId } : {}),
      actorAadObjectId: turn.actor.aadObjectId,
      expiresAt,
    },
    key,
  );
  await deps.store.audit.insert(auditKey(turn.now, `export-${req.kind}`), {
    at: turn.now.toISOString(),
    actorAadObjectId: turn.actor.aadObjectId,
    actorName: turn.actor.name,
    action: 'export.link',
    target: req.waveId ?? req.broadcastId ?? 'all',
    after: { kind: req.kind, expiresAt: expiresAt.toISOString() },
  });
  return renderAdminPanel({
    appName: a.t('app.name'),
    title: a.t(
      req.kind === 'participants' ? 'admin.export.titleParticipants' : 'admin.export.titleDeliveries',
    ),
    links: [{ title: a.t('admin.export.download'), url: `${base}${path}` }],
    linksNote: a.t('admin.export.note', {
      minutes: EXPORT_LINK_MINUTES,
      time: formatDateTime(expiresAt, a.locale, a.timeZone),
    }),
    actions: [
      req.waveId
        ? { title: a.t('admin.back'), verb: ADMIN_VERBS.openWave, data: { waveId: req.waveId } }
        : { title: a.t('admin.back'), verb: ADMIN_VERBS.home, data: {} },
    ],
  });
}
