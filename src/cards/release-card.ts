import bulkTemplate from '../../adaptiveCards/release-bulk.json';
import confirmTemplate from '../../adaptiveCards/release-confirm.json';
import type { Platform } from '../domain/device';
import type { SourceMdm } from '../domain/source-mdm';
import type { MessageKey, Translate } from '../i18n';
import { ADMIN_VERBS } from '../verbs/admin';
import { RELEASE_VERBS, type ReleaseOrigin, WAVE_NAME_INPUT_ID } from '../verbs/release';
import { type CardJson, renderCard } from './render';

export type Notice = { text: string; style: 'good' | 'warning' | 'attention' | 'accent' };

/** What each vendor's release command takes off a device, from the vendors' documentation. */
const LOSES: Partial<Record<SourceMdm, MessageKey[]>> = {
  'workspace-one': [
    'release.loses.profile',
    'release.loses.apps',
    'release.loses.network',
    'release.loses.certificates',
  ],
  jamf: ['release.loses.profile', 'release.loses.jamfSettings', 'release.loses.apps'],
};

/** Which command the old MDM is sent, by vendor and platform (Jamf: Macs differ from phones). */
export function commandKey(vendor: SourceMdm, platform: Platform): MessageKey {
  if (vendor === 'jamf')
    return platform === 'macos' ? 'release.command.jamfMac' : 'release.command.jamfMobile';
  return 'release.command.ws1';
}

export interface ReleaseConfirmInput {
  t: Translate;
  vendor: SourceMdm;
  vendorName: string;
  person: { aadObjectId: string; name: string; upn?: string };
  device: { key: string; name: string; platform: Platform; supervised: boolean; ownership: string };
  from: ReleaseOrigin;
  /** The ticket card the confirmation replaced: its id and version go back with "Cancel". */
  ticket?: { id: string; v: number };
  /** Shown instead of the question once the answer is known; no buttons then (except back). */
  outcome?: Notice;
}

export function releaseConfirmView(input: ReleaseConfirmInput) {
  const { t, device, person } = input;
  const traits = [
    t(`platform.${device.platform}` as MessageKey),
    device.ownership === 'personal' ? t('release.trait.personal') : t('release.trait.corporate'),
    ...(device.supervised ? [t('release.trait.supervised')] : []),
  ];
  const asking = !input.outcome;
  const loses = (LOSES[input.vendor] ?? LOSES['workspace-one']!).map((k) => ({
    text: t(k, { vendor: input.vendorName }),
  }));
  return {
    appName: t('app.name'),
    title: asking
      ? t('release.confirm.title', { device: device.name, vendor: input.vendorName })
      : t('release.result.title', { device: device.name, vendor: input.vendorName }),
    notice: input.outcome?.text ?? '',
    noticeStyle: input.outcome?.style ?? 'default',
    facts: [
      {
        title: t('release.fact.user'),
        value: person.upn && person.upn !== person.name ? `${person.name} (${person.upn})` : person.name,
      },
      { title: t('release.fact.device'), value: `${device.name} (${traits.join(', ')})` },
      {
        title: t('release.fact.command'),
        value: `${input.vendorName}: ${t(commandKey(input.vendor, device.platform))}`,
      },
    ],
    losesHeading: asking ? t('release.loses.heading') : '',
    loses: asking ? loses : [],
    keeps: asking ? t('release.keeps') : '',
    note: asking ? t('release.confirm.note') : '',
    canConfirm: asking,
    confirmTitle: t('release.action', { vendor: input.vendorName }),
    canCancel: asking || input.from === 'ticket',
    cancelTitle: asking ? t('release.cancel') : t('release.backToTicket'),
    verbs: { confirm: RELEASE_VERBS.confirm, cancel: RELEASE_VERBS.cancel },
    data: {
      person: person.aadObjectId,
      device: device.key,
      from: input.from,
      ...(input.ticket ? { ticket: input.ticket.id, v: input.ticket.v } : {}),
    },
  };
}

export const renderReleaseConfirmCard = (input: ReleaseConfirmInput): CardJson =>
  renderCard(confirmTemplate, releaseConfirmView(input));

export interface ReleaseBulkInput {
  t: Translate;
  waveId: string;
  waveName: string;
  /** Devices per old MDM: to release (preview) or in this bulk release (progress). */
  sources: { vendorName: string; vendor: SourceMdm; count: number }[];
  paceText: string;
  /** Preview: the admin types the wave's name. Absent once the release runs. */
  ask?: boolean;
  progress?: {
    bulkId: string;
    total: number;
    done: number;
    failed: number;
    waiting: number;
    finished: boolean;
  };
  notice?: Notice;
  /** The roles or privileges the old MDM's API account lacked, when releases failed for it. */
  missing?: string[];
}

export function releaseBulkView(input: ReleaseBulkInput) {
  const { t } = input;
  const total = input.sources.reduce((n, s) => n + s.count, 0);
  const p = input.progress;
  const facts = input.sources.map((s) => ({
    title: s.vendorName,
    value: t('release.bulk.devices', { count: s.count, command: t(commandKey(s.vendor, 'ios')) }),
  }));
  if (p) {
    facts.push(
      { title: t('release.bulk.fact.done'), value: `${p.done} / ${p.total}` },
      { title: t('release.bulk.fact.waiting'), value: String(p.waiting) },
      { title: t('release.bulk.fact.failed'), value: String(p.failed) },
    );
  }
  facts.push({ title: t('release.bulk.fact.pace'), value: input.paceText });
  const vendors = [...new Set(input.sources.map((s) => s.vendorName))].join(', ');
  const lines = [{ text: t('release.bulk.loses', { vendor: vendors || t('vendor.other') }) }];
  for (const m of input.missing ?? []) lines.push({ text: t('release.failed.permission', { missing: m }) });
  const notice =
    input.notice ??
    (input.ask
      ? { text: t('release.bulk.typeName', { wave: input.waveName }), style: 'warning' as const }
      : p?.finished
        ? { text: t('release.bulk.finished', { done: p.done, failed: p.failed }), style: 'good' as const }
        : undefined);
  return {
    appName: t('app.name'),
    title: t('release.bulk.title', { wave: input.waveName }),
    notice: notice?.text ?? '',
    noticeStyle: notice?.style ?? 'default',
    facts,
    lines,
    askName: input.ask === true && total > 0,
    nameInputId: WAVE_NAME_INPUT_ID,
    nameLabel: t('release.bulk.nameLabel'),
    namePlaceholder: input.waveName,
    startTitle: t('release.bulk.start', { count: total }),
    bulkId: p?.bulkId ?? '',
    refreshTitle: t('release.bulk.refresh'),
    backTitle: t('admin.back'),
    backVerb: ADMIN_VERBS.stragglers,
    waveId: input.waveId,
    verbs: { bulkStart: RELEASE_VERBS.bulkStart, bulkProgress: RELEASE_VERBS.bulkProgress },
  };
}

export const renderReleaseBulkCard = (input: ReleaseBulkInput): CardJson =>
  renderCard(bulkTemplate, releaseBulkView(input));
