import template from '../../adaptiveCards/device-list.json';
import type { DeviceObservation } from '../domain/device';
import type { SourceMdm } from '../domain/source-mdm';
import { formatDateTime, type Translate } from '../i18n';
import { type CardJson, renderCard } from './render';

export interface DeviceListView {
  title: string;
  subtitle: string;
  notice: string;
  noticeStyle: 'default' | 'warning' | 'attention';
  showEmpty: boolean;
  empty: string;
  devices: { name: string; detail: string; facts: { title: string; value: string }[] }[];
  checkedAt: string;
  checkAgain: string;
  verb: string;
  locale: string;
}

export interface DeviceListInput {
  devices: DeviceObservation[];
  vendor: SourceMdm;
  locale: string;
  timeZone: string;
  checkedAt: Date;
  verb: string;
  /** Shown above the list, e.g. when Graph is slow or unreachable. */
  notice?: { text: string; style: 'warning' | 'attention' };
  /** False while the look-up has not answered yet: then the empty-list text would be misleading. */
  complete: boolean;
}

export function deviceListView(t: Translate, input: DeviceListInput): DeviceListView {
  const vendor = t(`vendor.${input.vendor}`);
  const when = (iso: string | undefined) =>
    iso ? formatDateTime(new Date(iso), input.locale, input.timeZone) : '';
  return {
    title: t('devices.title'),
    subtitle: t('devices.subtitle'),
    notice: input.notice?.text ?? '',
    noticeStyle: input.notice?.style ?? 'default',
    showEmpty: input.complete && input.devices.length === 0,
    empty: t('devices.none'),
    devices: input.devices.map((d) => {
      const facts = [
        { title: t('devices.platform'), value: t(`platform.${d.platform}`) },
        { title: t('devices.os'), value: d.osVersion ?? '—' },
        { title: t('devices.managedBy'), value: managedByText(t, d, vendor) },
        {
          title: t('devices.compliance'),
          value: d.intune ? t(`compliance.${d.intune.complianceState}`) : t('compliance.none'),
        },
      ];
      if (d.intune?.lastSyncDateTime)
        facts.push({ title: t('devices.lastSync'), value: when(d.intune.lastSyncDateTime) });
      const detail = [d.model, d.ownership ? t(`devices.ownership.${d.ownership}`) : undefined]
        .filter(Boolean)
        .join(' · ');
      return { name: d.name, detail, facts };
    }),
    checkedAt: t('devices.checkedAt', { time: when(input.checkedAt.toISOString()) }),
    checkAgain: t('devices.checkAgain'),
    verb: input.verb,
    locale: input.locale,
  };
}

/** Who manages a device, in words: Intune, the old MDM, both, or nothing. */
export function managedByText(
  t: Translate,
  d: Pick<DeviceObservation, 'management'>,
  vendor: string,
): string {
  switch (d.management.kind) {
    case 'intune':
      return d.management.alsoPartnerMdmAppId
        ? t('devices.management.both', { vendor })
        : t('devices.management.intune');
    case 'partner':
      return t('devices.management.partner', { vendor });
    case 'none':
      return t('devices.management.none');
  }
}

export const renderDeviceListCard = (view: DeviceListView): CardJson => renderCard(template, view);
