import template from '../../adaptiveCards/wave-announcement.json';
import { endOfWave, type Wave } from '../domain/campaign';
import type { DeviceObservation } from '../domain/device';
import type { SourceMdm } from '../domain/source-mdm';
import { formatDateTime, type Translate } from '../i18n';
import { JOURNEY_VERBS } from '../verbs/journey';
import { type CardJson, renderCard } from './render';
import { observedAccessText } from './runbook-access';

export interface WaveAnnouncementInput {
  t: Translate;
  locale: string;
  timeZone: string;
  givenName?: string;
  wave: Wave;
  vendor: SourceMdm;
  /** The recipient's devices (journeys, and what the old MDM's inventory lists), so the card can name them. */
  devices: DeviceObservation[];
}

/** The card a wave's members receive when it is announced: personal, dated in their zone, with one Start button. */
export function waveAnnouncementView(input: WaveAnnouncementInput) {
  const { t, wave } = input;
  const vendor = t(`vendor.${input.vendor}`);
  const when = (iso: string | undefined) =>
    iso ? formatDateTime(new Date(iso), input.locale, input.timeZone) : '—';
  const facts = [
    { title: t('announce.starts'), value: when(wave.startAt) },
    { title: t('announce.ends'), value: when(endOfWave(wave)) },
    { title: t('announce.time'), value: t('announce.minutes', { minutes: wave.estimatedMinutes }) },
  ];
  const ca = wave.conditionalAccess;
  // The evaluated policies when every member shares one state; else the wave's mode as set.
  const caText =
    observedAccessText(input, wave) ??
    (ca.kind === 'immediate'
      ? t('journey.ca.immediate')
      : ca.kind === 'grace'
        ? t('journey.ca.grace', { date: when(ca.endsAt) })
        : t('journey.ca.none'));
  return {
    appName: t('app.name'),
    title: t('announce.title', { wave: wave.name }),
    intro: input.givenName
      ? t('announce.intro', { name: input.givenName, vendor })
      : t('announce.introAnonymous', { vendor }),
    facts,
    caHeading: t('announce.caHeading'),
    caText,
    devicesHeading: t('announce.devicesHeading'),
    // Which source saw each device: the old MDM's own inventory may list devices Intune never saw.
    devices: input.devices.map((d) => {
      const name = d.name || t(`platform.${d.platform}`);
      return d.oldMdm?.listed
        ? t('announce.deviceListedBy', {
            device: name,
            platform: t(`platform.${d.platform}`),
            vendor: t(`vendor.${d.oldMdm.vendor}`),
          })
        : `${name} (${t(`platform.${d.platform}`)})`;
    }),
    noDevices: t('announce.noDevices'),
    keepOpen: t('journey.keepOpen'),
    startTitle: t('welcome.start'),
    startVerb: JOURNEY_VERBS.start,
    waveId: wave.id,
  };
}

export const renderWaveAnnouncementCard = (input: WaveAnnouncementInput): CardJson =>
  renderCard(template, waveAnnouncementView(input));
