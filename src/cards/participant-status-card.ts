import template from '../../adaptiveCards/participant-status.json';
import { endOfWave, type Wave } from '../domain/campaign';
import type { Escalation } from '../domain/escalation-model';
import { type DeviceJourney, isTerminal } from '../domain/journey';
import type { Participant } from '../domain/participant';
import { formatDateTime, type MessageKey, type Translate } from '../i18n';
import { RELEASE_VERBS } from '../verbs/release';
import { managedByText } from './device-list-card';
import { failureText } from './journey-card';
import { releaseButtonOf } from './release-button';
import { type CardJson, renderCard } from './render';

/** Who the card is about: a participant, or someone the directory knows who has not taken part yet. */
export type StatusSubject =
  | { kind: 'participant'; participant: Participant; wave?: Wave; escalation?: Escalation }
  | { kind: 'directory-only'; aadObjectId: string; displayName: string; userPrincipalName?: string };

export interface ParticipantStatusInput {
  t: Translate;
  locale: string;
  timeZone: string;
  now: Date;
  /** Display name of the MDM being replaced (for "managed by"). */
  vendor: string;
  subject: StatusSubject;
}

export interface ParticipantStatusView {
  appName: string;
  title: string;
  subtitle: string;
  notice: string;
  noticeStyle: 'default' | 'warning' | 'good';
  facts: { title: string; value: string }[];
  devicesHeading: string;
  noDevices: string;
  devices: {
    name: string;
    stage: string;
    graph: string;
    flag: string;
    canRelease: boolean;
    releaseTitle: string;
    releaseData: Record<string, unknown>;
  }[];
  releaseVerb: string;
  asOf: string;
  chatTitle: string;
  chatUrl: string;
}

/** One line for a search result: the wave and how far the user's devices are. */
export function statusSummary(t: Translate, subject: StatusSubject): string {
  if (subject.kind === 'directory-only') return t('extension.status.notStarted');
  const { participant: p, wave, escalation } = subject;
  const journeys = p.journeys ?? [];
  const done = journeys.filter((j) => isTerminal(j.stage)).length;
  const parts = [wave?.name ?? t('extension.status.noWave')];
  parts.push(
    journeys.length
      ? t('extension.status.devicesDone', { done, total: journeys.length })
      : t('extension.status.noDevicesShort'),
  );
  if (escalation && escalation.state !== 'resolved')
    parts.push(t('extension.status.ticketOpen', { number: escalation.ticketNumber }));
  return parts.join(' · ');
}

export function participantStatusView(input: ParticipantStatusInput): ParticipantStatusView {
  const { t, subject } = input;
  const fmt = (iso: string) => formatDateTime(new Date(iso), input.locale, input.timeZone);
  const name =
    subject.kind === 'participant'
      ? (subject.participant.displayName ??
        subject.participant.userPrincipalName ??
        subject.participant.aadObjectId)
      : subject.displayName;
  const upn =
    subject.kind === 'participant'
      ? (subject.participant.userPrincipalName ?? '')
      : (subject.userPrincipalName ?? '');
  const base = {
    appName: t('app.name'),
    title: t('extension.status.title', { name }),
    subtitle: upn && upn !== name ? upn : '',
    devicesHeading: t('extension.status.devicesHeading'),
    noDevices: t('extension.status.noDevices'),
    asOf: t('extension.status.asOf', { time: fmt(input.now.toISOString()) }),
    chatTitle: t('extension.status.chat'),
    chatUrl: upn ? `https://teams.microsoft.com/l/chat/0/0?users=${encodeURIComponent(upn)}` : '',
    releaseVerb: RELEASE_VERBS.ask,
  };
  if (subject.kind === 'directory-only') {
    return {
      ...base,
      notice: t('extension.status.notParticipant', { name }),
      noticeStyle: 'default',
      facts: [{ title: t('extension.status.fact.wave'), value: t('extension.status.noWave') }],
      devices: [],
    };
  }

  const { participant: p, wave, escalation: e } = subject;
  const facts: { title: string; value: string }[] = [];
  facts.push({
    title: t('extension.status.fact.wave'),
    value: wave
      ? `${wave.name} (${t(`extension.status.waveState.${wave.state}` as MessageKey)})`
      : p.waveId
        ? p.waveId
        : t('extension.status.noWave'),
  });
  const end = wave ? endOfWave(wave) : undefined;
  if (end) facts.push({ title: t('extension.status.fact.ends'), value: fmt(end) });
  facts.push({
    title: t('extension.status.fact.ticket'),
    value: e ? ticketText(t, e) : t('extension.status.noTicket'),
  });
  facts.push({ title: t('extension.status.fact.lastSeen'), value: fmt(p.lastSeenAt) });

  const journeys = p.journeys ?? [];
  const left = journeys.filter((j) => !isTerminal(j.stage)).length;
  return {
    ...base,
    notice:
      journeys.length === 0
        ? ''
        : left === 0
          ? t('extension.status.allDone')
          : t('extension.status.left', { left, total: journeys.length }),
    noticeStyle: left === 0 ? 'good' : 'default',
    facts,
    devices: journeys.map((j) => deviceLine(input, j, fmt, p.aadObjectId)),
  };
}

export function renderParticipantStatusCard(input: ParticipantStatusInput): CardJson {
  return renderCard(template, participantStatusView(input));
}

function ticketText(t: Translate, e: Escalation): string {
  const agent = e.assignee?.name ?? e.assignee?.aadObjectId ?? t('helpdesk.none');
  const state = e.resolution?.withdrawn
    ? t('helpdesk.resolution.withdrawn')
    : t(`helpdesk.state.${e.state}`, { agent });
  return `#${e.ticketNumber}: ${state}`;
}

function deviceLine(
  input: ParticipantStatusInput,
  j: DeviceJourney,
  fmt: (iso: string) => string,
  person: string,
) {
  const { t } = input;
  const seen = j.lastSeen;
  const management = seen ? managedByText(t, seen, input.vendor) : '';
  const flags: string[] = [];
  if (j.flags.dualEnrollment) flags.push(t('helpdesk.flag.dual'));
  if (j.flags.enrollmentFailure)
    flags.push(failureText(t, j.flags.enrollmentFailure.category, j.flags.enrollmentFailure.reason));
  if (j.needsIt) flags.push(t('helpdesk.flag.needsIt', { reason: j.needsIt.reason }));
  if (j.exclusion) flags.push(t('extension.status.excluded', { reason: j.exclusion.reason }));
  return {
    name: `${j.name} · ${t(`platform.${j.platform}` as MessageKey)}`,
    stage: t('extension.status.stage', { stage: t(`helpdesk.stage.${j.stage}`), since: fmt(j.stageSince) }),
    graph: seen
      ? t('helpdesk.graphAt', {
          management,
          compliance: t(`compliance.${seen.complianceState ?? 'none'}` as MessageKey),
          at: fmt(seen.at),
        })
      : '',
    flag: flags.join('; '),
    ...releaseButtonOf(t, j, { person, from: 'status' }),
  };
}
