import template from '../../adaptiveCards/device-list.json';
import type { DeviceObservation } from '../domain/device';
import { attachToGraph } from '../domain/device-sources';
import type { PersonInventoryDevice } from '../domain/inventory';
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
  /** What the old MDM's own inventory lists for this person, with the vendor of each source. */
  oldMdm?: { vendor: SourceMdm; device: PersonInventoryDevice }[];
}

const OWNERSHIP_KEY = { corporate: 'company', personal: 'personal', shared: 'shared' } as const;

export function deviceListView(t: Translate, input: DeviceListInput): DeviceListView {
  const vendor = t(`vendor.${input.vendor}`);
  const when = (iso: string | undefined) =>
    iso ? formatDateTime(new Date(iso), input.locale, input.timeZone) : '';
  const oldMdm = input.oldMdm ?? [];
  // The old MDM's word on a device Graph also shows: still listed (and when it last checked in), or gone.
  const inOldMdm = (entry: { vendor: SourceMdm; device: PersonInventoryDevice }) => ({
    title: t('devices.oldMdm', { vendor: t(`vendor.${entry.vendor}`) }),
    value: entry.device.goneAt
      ? t('devices.oldMdm.gone')
      : entry.device.lastSeen
        ? t('devices.oldMdm.listed', { time: when(entry.device.lastSeen) })
        : t('devices.oldMdm.listedNever'),
  });
  const attached = attachToGraph(oldMdm, input.devices);
  const matchedTo = (key: string) => oldMdm.filter((e) => attached.get(e)?.key === key);
  const graphDevices = input.devices.map((d) => {
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
    for (const entry of matchedTo(d.key)) facts.push(inOldMdm(entry));
    const detail = [d.model, d.ownership ? t(`devices.ownership.${d.ownership}`) : undefined]
      .filter(Boolean)
      .join(' · ');
    return { name: d.name, detail, facts };
  });
  // Devices only the old MDM lists (never registered in Entra, or not matched yet) are still the
  // person's devices to move; a device it no longer lists and Graph does not show is nothing to do.
  const onlyOldMdm = oldMdm
    .filter((e) => !e.device.goneAt && !attached.has(e))
    .map((entry) => {
      const owner = entry.device.ownership === 'unknown' ? undefined : OWNERSHIP_KEY[entry.device.ownership];
      return {
        name: entry.device.name ?? t(`platform.${entry.device.platform}`),
        detail: owner ? t(`devices.ownership.${owner}`) : '',
        facts: [
          { title: t('devices.platform'), value: t(`platform.${entry.device.platform}`) },
          {
            title: t('devices.managedBy'),
            value: t('devices.oldMdm.only', { vendor: t(`vendor.${entry.vendor}`) }),
          },
          inOldMdm(entry),
        ],
      };
    });
  const devices = [...graphDevices, ...onlyOldMdm];
  const oldVendors = [...new Set(oldMdm.map((e) => t(`vendor.${e.vendor}`)))];
  return {
    title: t('devices.title'),
    subtitle: oldVendors.length
      ? t('devices.subtitleWithOldMdm', { vendor: oldVendors.join(', ') })
      : t('devices.subtitle'),
    notice: input.notice?.text ?? '',
    noticeStyle: input.notice?.style ?? 'default',
    showEmpty: input.complete && devices.length === 0,
    empty: t('devices.none'),
    devices,
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
