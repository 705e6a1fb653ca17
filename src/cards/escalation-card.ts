import template from '../../adaptiveCards/escalation.json';
import type { ComplianceState } from '../domain/device';
import type { Actor, Escalation, TimelineEntry } from '../domain/escalation-model';
import type { DeviceJourney } from '../domain/journey';
import { formatDateTime, languageMeta, languageOf, type MessageKey, type Translate } from '../i18n';
import { ASSIGNEE_INPUT_ID, HELPDESK_VERBS, MAX_ASSIGNEES, NOTE_INPUT_ID } from '../verbs/helpdesk';
import { RELEASE_VERBS } from '../verbs/release';
import { managedByText } from './device-list-card';
import { failureText } from './journey-card';
import { releaseButtonOf } from './release-button';
import { type CardJson, renderCard } from './render';

/** How many timeline entries the card shows (newest last); the rest are counted. */
export const TIMELINE_SHOWN = 8;

export interface EscalationCardInput {
  t: Translate;
  locale: string;
  timeZone: string;
  now: Date;
  escalation: Escalation;
  /** The user's journeys, for device, step and what Graph last showed. */
  journeys?: DeviceJourney[];
  /** The device the user is working on, shown when no trigger names a device ("I'm stuck"). */
  focusDeviceKey?: string;
  /** Vendor display name of the old MDM (for "managed by"). */
  vendor: string;
  notice?: EscalationNotice;
  /** Helpdesk members for "Assign to…" (from the roster); none → no such control. */
  members?: { aadObjectId: string; name?: string }[];
  /** The wave's display name; the ticket itself only holds its id. */
  waveName?: string;
}

export interface EscalationNotice {
  text: string;
  style: 'good' | 'warning' | 'attention' | 'accent';
}

const STATE_STYLE = {
  open: 'attention',
  assigned: 'accent',
  'waiting-on-user': 'warning',
  resolved: 'good',
} as const;

function agentName(t: Translate, a: { name?: string; aadObjectId: string } | undefined): string {
  return a?.name ?? a?.aadObjectId ?? t('helpdesk.none');
}

function actorName(t: Translate, actor: Actor): string {
  if (actor.kind === 'agent') return actor.name ?? t('helpdesk.actor.agent');
  return t(`helpdesk.actor.${actor.kind}`);
}

export function durationText(t: Translate, ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  if (d > 0) return t('helpdesk.duration.days', { d, h });
  if (h > 0) return t('helpdesk.duration.hours', { h, m });
  return t('helpdesk.duration.minutes', { m });
}

function entryText(input: EscalationCardInput, e: TimelineEntry, deviceNames: Map<string, string>): string {
  const { t } = input;
  const when = formatDateTime(new Date(e.at), input.locale, input.timeZone);
  const who = actorName(t, e.actor);
  let what: string;
  switch (e.kind) {
    case 'trigger': {
      const device = deviceNames.get(e.deviceKey) ?? e.deviceKey;
      what = `${t(`helpdesk.reason.${e.reason}` as MessageKey)}${device ? ` (${device})` : ''}`;
      if (e.outcome === 'reopened') what += ` ${t('helpdesk.outcome.reopened')}`;
      break;
    }
    case 'user-message':
      what = t('helpdesk.entry.userMessage', { text: e.text });
      break;
    case 'user-withdrew':
      what = t('helpdesk.entry.withdrew');
      break;
    case 'agent-action':
      what = t(`helpdesk.entry.${e.action}`, {
        agent: agentName(t, e.assignee),
        note: e.note ?? '',
      });
      break;
  }
  return `${when} · ${who}: ${what}`;
}

/** What the user wrote with "I'm stuck" (newest), from the triggers' details. */
function userSaid(e: Escalation): string {
  for (const trigger of [...e.triggers].reverse()) {
    const said = (trigger.detail as { said?: unknown } | undefined)?.said;
    if (trigger.reason === 'user-stuck' && typeof said === 'string' && said.trim()) return said.trim();
  }
  const message = [...e.timeline].reverse().find((x) => x.kind === 'user-message');
  return message?.kind === 'user-message' ? message.text : '';
}

function complianceText(t: Translate, c: ComplianceState | undefined): string {
  return t(`compliance.${c ?? 'none'}` as MessageKey);
}

/** A user's language named in the helpdesk's own language ("Swedish" for an English helpdesk). */
function languageName(language: string, helpdeskLocale: string): string {
  try {
    return (
      new Intl.DisplayNames([helpdeskLocale], { type: 'language' }).of(language) ??
      languageMeta(language).englishName
    );
  } catch {
    return languageMeta(language).englishName;
  }
}

export function escalationView(input: EscalationCardInput) {
  const { t, escalation: e } = input;
  const p = e.participant;
  const journeys = input.journeys ?? [];
  const deviceNames = new Map(journeys.map((j) => [j.deviceKey, j.name]));
  // The device of the newest trigger that names one; else the first unfinished one.
  const deviceKey = [...e.triggers].reverse().find((x) => x.deviceKey)?.deviceKey;
  const device = deviceKey
    ? journeys.find((j) => j.deviceKey === deviceKey)
    : (journeys.find((j) => j.deviceKey === input.focusDeviceKey) ?? journeys[0]);
  const fmt = (iso: string) => formatDateTime(new Date(iso), input.locale, input.timeZone);

  const facts: { title: string; value: string }[] = [];
  const name = p.displayName ?? p.userPrincipalName ?? p.aadObjectId;
  facts.push({
    title: t('helpdesk.fact.user'),
    value: p.userPrincipalName && p.userPrincipalName !== name ? `${name} (${p.userPrincipalName})` : name,
  });
  facts.push({ title: t('helpdesk.fact.wave'), value: input.waveName ?? p.waveId ?? t('helpdesk.none') });
  facts.push({
    title: t('helpdesk.fact.language'),
    value: p.locale
      ? `${languageName(languageOf(p.locale), input.locale)} (${p.locale})`
      : t('helpdesk.none'),
  });
  if (device) {
    facts.push({
      title: t('helpdesk.fact.device'),
      value: `${device.name} (${t(`platform.${device.platform}` as MessageKey)})`,
    });
    facts.push({ title: t('helpdesk.fact.step'), value: t(`helpdesk.stage.${device.stage}`) });
    facts.push({
      title: t('helpdesk.fact.stuckFor'),
      value: durationText(t, input.now.getTime() - Date.parse(device.stageSince)),
    });
    const seen = device.lastSeen;
    const management = seen ? managedByText(t, seen, input.vendor) : '';
    facts.push({
      title: t('helpdesk.fact.graph'),
      value: seen
        ? t('helpdesk.graphAt', {
            management,
            compliance: complianceText(t, seen.complianceState),
            at: fmt(seen.at),
          })
        : t('helpdesk.graphNever'),
    });
    const failure = device.flags.enrollmentFailure;
    if (failure) {
      facts.push({
        title: t('helpdesk.fact.failure'),
        value: `${failureText(t, failure.category, failure.reason)} (${fmt(failure.at)})`,
      });
    }
    const flags: string[] = [];
    if (device.flags.dualEnrollment) flags.push(t('helpdesk.flag.dual'));
    const post = device.flags.postCheck;
    if (post) {
      const failed = (['email', 'wifi', 'vpn', 'certificates', 'apps'] as const).filter(
        (i) => post[i] === 'no',
      );
      if (failed.length)
        flags.push(
          t('helpdesk.flag.postCheck', {
            items: failed.map((i) => t(`journey.postcheck.item.${i}`)).join(', '),
          }),
        );
    }
    if (device.needsIt) flags.push(t('helpdesk.flag.needsIt', { reason: device.needsIt.reason }));
    if (flags.length) facts.push({ title: t('helpdesk.fact.flags'), value: flags.join('; ') });
  }
  facts.push({ title: t('helpdesk.fact.openSince'), value: fmt(e.createdAt) });
  if (e.reopenCount > 0) facts.push({ title: t('helpdesk.fact.reopened'), value: String(e.reopenCount) });

  const shown = e.timeline.slice(-TIMELINE_SHOWN);
  const hidden = e.timeline.length - shown.length + e.timelineOmitted;
  const resolver =
    e.resolution?.by.kind === 'agent'
      ? agentName(t, e.resolution.by)
      : e.resolution
        ? actorName(t, e.resolution.by)
        : agentName(t, e.assignee);
  const upn = p.userPrincipalName ?? '';
  const assignees = (input.members ?? [])
    .filter((m) => m.aadObjectId.toLowerCase() !== e.assignee?.aadObjectId)
    .map((m) => ({ title: m.name ?? m.aadObjectId, value: m.aadObjectId.toLowerCase() }))
    .sort((a, b) => a.title.localeCompare(b.title))
    .slice(0, MAX_ASSIGNEES);
  return {
    appName: t('helpdesk.appName'),
    title: t('helpdesk.title', { number: e.ticketNumber, name }),
    stateLine: t(`helpdesk.state.${e.state}`, {
      agent: e.state === 'resolved' ? resolver : agentName(t, e.assignee),
    }),
    stateStyle: STATE_STYLE[e.state],
    notice: input.notice?.text ?? '',
    noticeStyle: input.notice?.style ?? 'default',
    facts,
    saidHeading: t('helpdesk.saidHeading'),
    said: userSaid(e),
    resolution: e.resolution
      ? e.resolution.withdrawn
        ? t('helpdesk.resolution.withdrawn')
        : t('helpdesk.resolution', { note: e.resolution.note ?? '' })
      : '',
    timelineHeading: t('helpdesk.timelineHeading'),
    timeline: shown.map((x) => ({ text: entryText(input, x, deviceNames) })),
    timelineMore: hidden > 0 ? t('helpdesk.timelineMore', { count: hidden }) : '',
    canAssign: e.state !== 'resolved',
    canWait: e.state === 'open' || e.state === 'assigned',
    canResolve: e.state !== 'resolved',
    canReopen: e.state === 'resolved',
    canAssignTo: e.state !== 'resolved' && assignees.length > 0,
    assignees,
    assigneeInputId: ASSIGNEE_INPUT_ID,
    assigneeLabel: t('helpdesk.assigneeLabel'),
    assigneePlaceholder: t('helpdesk.assigneePlaceholder'),
    assignToTitle: t('helpdesk.action.assignTo'),
    noteInputId: NOTE_INPUT_ID,
    noteLabel: t('helpdesk.noteLabel'),
    notePlaceholder: t('helpdesk.notePlaceholder'),
    assignTitle: t('helpdesk.action.assignMe'),
    waitTitle: t('helpdesk.action.waitOnUser'),
    resolveTitle: t('helpdesk.action.resolve'),
    reopenTitle: t('helpdesk.action.reopen'),
    resendTitle: t('helpdesk.action.resend'),
    chatTitle: t('helpdesk.action.chat'),
    chatUrl: upn ? `https://teams.microsoft.com/l/chat/0/0?users=${encodeURIComponent(upn)}` : '',
    ...releaseButtonOf(t, e.state !== 'resolved' ? device : undefined, {
      person: p.aadObjectId,
      from: 'ticket',
      ticket: e.ticketId,
      v: e.version,
    }),
    verbs: { ...HELPDESK_VERBS, release: RELEASE_VERBS.ask },
    ticket: e.ticketId,
    v: e.version,
  };
}

export type EscalationView = ReturnType<typeof escalationView>;

export const renderEscalationCard = (view: EscalationView): CardJson => renderCard(template, view);
