import { type JourneyCardInput, journeyView, renderJourneyCard } from '../../cards/journey-card';
import type { CardJson } from '../../cards/render';
import type { Deps } from '../../deps';
import { usesAppleMigration } from '../../domain/apple-migration';
import { ACTIVE_WAVE_STATES, type Campaign, campaignKey, type Wave, waveKey } from '../../domain/campaign';
import type { DeviceObservation } from '../../domain/device';
import { adoptJourneys, journeyDevices, mergeSources, type OldMdmEntry } from '../../domain/device-sources';
import { escalationKey } from '../../domain/escalation';
import type { Escalation } from '../../domain/escalation-model';
import {
  type DeviceJourney,
  type EnrollmentFailure,
  isTerminal,
  type JourneyEffect,
  type JourneyEvent,
} from '../../domain/journey';
import { openJourney, transition } from '../../domain/journey-transition';
import { type Participant, participantKey, withPendingEscalations } from '../../domain/participant';
import { guideTargetOf } from '../../guidance/guide-target';
import type { EnrollmentFailureEvent } from '../../ports/device-directory';
import type { Audience } from '../user-context';
import { recordDeviceOwners } from './device-owners';

export interface JourneyState {
  participant?: Participant;
  wave?: Wave;
  campaign?: Campaign;
  /** The user's helpdesk ticket (current or last), which the journey card shows. */
  escalation?: Escalation;
}

/** Phones first: they are what people lose work email on, and the guidance starts with them. */
const PLATFORM_PRIORITY = ['ios', 'android', 'ipados', 'macos', 'windows', 'other'];

/**
 * Everything the journey card needs. Pass `known` when the turn has just read the participant
 * (rememberSender), so the row is not read twice and the wave is read alongside the rest.
 */
export async function loadJourneyState(
  deps: Deps,
  aadObjectId: string,
  known?: Participant,
): Promise<JourneyState> {
  const readParticipant = async () =>
    known ?? (await deps.store.participants.get(participantKey(aadObjectId)))?.value;
  const readWave = async (p: Participant | undefined) =>
    p?.waveId ? (await deps.store.waves.get(waveKey(p.waveId)))?.value : undefined;
  const [participant, campaign, escalation, knownWave] = await Promise.all([
    readParticipant(),
    deps.store.campaigns.get(campaignKey()),
    deps.store.escalations.get(escalationKey(aadObjectId)),
    known ? readWave(known) : Promise.resolve(undefined),
  ]);
  const wave = known ? knownWave : await readWave(participant);
  return {
    participant,
    wave,
    campaign: campaign?.value,
    ...(escalation ? { escalation: escalation.value } : {}),
  };
}

export function isInActiveWave(state: JourneyState): boolean {
  return !!state.wave && ACTIVE_WAVE_STATES.includes(state.wave.state);
}

/** The device the card is about: the one the user chose, else the first unfinished one, phones first. */
export function focusOf(p: Participant): DeviceJourney | undefined {
  const journeys = p.journeys ?? [];
  // The device the user last acted on stays in view, finished or not ("All done" + "Next device").
  const chosen = journeys.find((j) => j.deviceKey === p.focusDeviceKey);
  if (chosen) return chosen;
  const open = journeys
    .filter((j) => !isTerminal(j.stage))
    .sort((a, b) => PLATFORM_PRIORITY.indexOf(a.platform) - PLATFORM_PRIORITY.indexOf(b.platform));
  return open[0] ?? journeys[0];
}

/** Attributes enrollment failures to a device: by id when Graph has one, else by platform. */
export function failuresFor(journey: DeviceJourney, failures: EnrollmentFailureEvent[]): EnrollmentFailure[] {
  const platformWord = journey.platform === 'ipados' ? 'ios' : journey.platform;
  return failures
    .filter((f) =>
      f.deviceId
        ? f.deviceId.toLowerCase() === journey.deviceKey
        : (f.operatingSystem ?? '').toLowerCase().includes(platformWord),
    )
    .map((f) => ({ category: f.category, reason: f.reason, at: f.at }));
}

/** Creates a journey for every device Graph shows, keeping journeys that already exist. */
export function withJourneys(
  p: Participant,
  devices: DeviceObservation[],
  failures: EnrollmentFailureEvent[],
  now: Date,
): { participant: Participant; effects: JourneyEffect[] } {
  const journeys = [...(p.journeys ?? [])];
  const effects: JourneyEffect[] = [];
  let escalated = p;
  for (const device of devices) {
    if (device.platform === 'other' || journeys.some((j) => j.deviceKey === device.key)) continue;
    const opened = openJourney(device, now);
    let journey = opened.journey;
    const deviceEffects = [...opened.effects];
    const failed = failuresFor(journey, failures);
    if (failed.length) {
      const view = {
        management: device.management,
        complianceState: device.intune?.complianceState,
        enrollmentFailures: failed,
      };
      const observed = transition(journey, { kind: 'observed', view }, now);
      journey = observed.journey;
      deviceEffects.push(...observed.effects);
    }
    journeys.push(journey);
    effects.push(...deviceEffects);
    escalated = recordEffects(escalated, deviceEffects, now, device.key);
  }
  return { participant: { ...escalated, journeys }, effects };
}

/**
 * Journeys for devices the old MDM's inventory lists that no journey follows yet (listed after the
 * journeys were made). Journeys stand in for Graph's devices here: an entry the matching pass tied to
 * one of them, or of the same platform and name, is that device. Returns `p` when nothing is new.
 */
export function withOldMdmJourneys(p: Participant, entries: readonly OldMdmEntry[], now: Date): Participant {
  if (entries.length === 0) return p;
  const known = journeyDevices(p.journeys ?? []);
  const tracked = new Set(known.map((d) => d.key.toLowerCase()));
  const fresh = mergeSources(known, entries).filter((d) => !tracked.has(d.key.toLowerCase()));
  return fresh.length ? withJourneys(p, fresh, [], now).participant : p;
}

/**
 * What starting the journey means: devices the user cannot unenroll alone (corporate, supervised,
 * per the guidance) go to IT with the guide's reason, once; the device in focus is started.
 * Journeys may have been created by the background refresh, so this runs on every "start".
 */
export function beginJourney(
  deps: Deps,
  p: Participant,
  vendor: Campaign['sourceMdm'],
  now: Date,
  wave?: Wave,
): { participant: Participant; changed: boolean } {
  let current = p;
  let changed = false;
  for (const journey of p.journeys ?? []) {
    const handedBefore = journey.history.some((h) => h.cause === 'cannot-self-unenroll');
    if (handedBefore || !['notified', 'started', 'unenrolling'].includes(journey.stage)) continue;
    // Apple's managed-device migration moves such a device without IT: its prompt replaces the handover.
    if (usesAppleMigration(wave, journey)) continue;
    const target = guideTargetOf({ platform: journey.platform, ownership: journey.ownership });
    const guide = target
      ? deps.guidance.unenroll(vendor, target.platform, target.ownership, 'en')
      : undefined;
    if (!guide || guide.selfService) continue;
    const reason = guide.itReason ?? 'IT must do this step.';
    const result = applyEvent(current, journey.deviceKey, { kind: 'cannot-self-unenroll', reason }, now);
    if (result.changed) {
      current = { ...result.participant, focusDeviceKey: p.focusDeviceKey };
      changed = true;
    }
  }
  const focus = focusOf(current);
  if (focus?.stage === 'notified') {
    const started = applyEvent(current, focus.deviceKey, { kind: 'start' }, now);
    if (started.changed) {
      current = started.participant;
      changed = true;
    }
  }
  return { participant: current, changed };
}

/**
 * Journeys begun on devices only the old MDM knew move to the Intune/Entra device they turned out to
 * be (see `adoptJourneys`); stored at once, with the new keys in the device owner index.
 */
export async function carryJourneys(
  deps: Pick<Deps, 'store'>,
  p: Participant,
  devices: DeviceObservation[],
): Promise<Participant> {
  if (adoptJourneys(p.journeys ?? [], devices) === (p.journeys ?? [])) return p;
  const updated = await deps.store.participants.update(participantKey(p.aadObjectId), (cur) => {
    if (!cur?.journeys) return undefined;
    const next = adoptJourneys(cur.journeys, devices);
    if (next === cur.journeys) return undefined;
    const moved = cur.journeys.findIndex((j) => j.deviceKey === cur.focusDeviceKey);
    return {
      ...cur,
      journeys: [...next],
      ...(moved >= 0 ? { focusDeviceKey: next[moved]!.deviceKey } : {}),
      journeyVersion: (cur.journeyVersion ?? 0) + 1,
    };
  });
  if (!updated) return p;
  await recordDeviceOwners(
    deps.store.deviceOwners,
    p.aadObjectId,
    (updated.journeys ?? []).map((j) => j.deviceKey),
  );
  return updated;
}

/** Applies one event to one device and records what the app must follow up on. */
export function applyEvent(
  p: Participant,
  deviceKey: string,
  event: JourneyEvent,
  now: Date,
): { participant: Participant; effects: JourneyEffect[]; changed: boolean } {
  const journeys = p.journeys ?? [];
  const index = journeys.findIndex((j) => j.deviceKey === deviceKey);
  if (index < 0) return { participant: p, effects: [], changed: false };
  const result = transition(journeys[index]!, event, now);
  if (result.journey === journeys[index]) return { participant: p, effects: result.effects, changed: false };
  const next = [...journeys];
  next[index] = result.journey;
  return {
    participant: recordEffects(
      { ...p, journeys: next, focusDeviceKey: deviceKey },
      result.effects,
      now,
      deviceKey,
    ),
    effects: result.effects,
    changed: true,
  };
}

/** Bumps the card version when anything visible changed and queues escalations for the helpdesk. */
export function recordEffects(
  p: Participant,
  effects: JourneyEffect[],
  now: Date,
  deviceKey = '',
): Participant {
  const escalations = effects.flatMap((e) =>
    e.kind === 'escalate' ? [{ reason: e.reason, deviceKey, detail: e.detail, at: now.toISOString() }] : [],
  );
  return withPendingEscalations({ ...p, journeyVersion: (p.journeyVersion ?? 0) + 1 }, escalations);
}

export function journeyCard(
  deps: Deps,
  audience: Audience,
  state: JourneyState & { participant: Participant },
  extra: { notice?: JourneyCardInput['notice']; detailDraft?: string } = {},
): CardJson | undefined {
  const focus = focusOf(state.participant);
  if (!focus) return undefined;
  const limit = state.wave?.reminders.enabled ? state.wave.reminders.deferralLimit : undefined;
  const card = renderJourneyCard(
    journeyView({
      t: audience.t,
      language: audience.language,
      locale: audience.locale,
      timeZone: audience.timeZone,
      now: deps.clock.now(),
      journeys: state.participant.journeys ?? [],
      focus,
      version: state.participant.journeyVersion ?? 0,
      wave: state.wave,
      vendor: state.campaign?.sourceMdm ?? deps.config.sourceMdm,
      guidance: deps.guidance,
      publicBaseUrl: deps.config.publicBaseUrl,
      notice: extra.notice,
      deferralsLeft:
        limit === undefined ? undefined : Math.max(0, limit - (state.participant.deferrals?.used ?? 0)),
      ...(state.escalation ? { escalation: state.escalation } : {}),
      ...(extra.detailDraft ? { detailDraft: extra.detailDraft } : {}),
    }),
  );
  // Teams refreshes a card automatically only for the users listed (at most 60): here, its owner.
  const userId = state.participant.conversation?.userId;
  const refresh = card.refresh as { userIds?: string[] } | undefined;
  if (refresh) refresh.userIds = userId ? [userId] : [];
  return card;
}
