/**
 * The admin dashboards (campaign overview, one wave) and the announce check of the wave gate. Reads
 * the store, computes with the pure domain (wave-stats, wave-gate, helpdesk-forecast) and renders the
 * cards. Read-only.
 *
 * What one dashboard reads: the campaign row and the waves; for each wave it needs, the membership
 * index (`wave-<id>` partition) and every member's participant and escalation rows by point reads,
 * READS_IN_FLIGHT at a time, each user once (from SCAN_FROM_MEMBERS members in a wave: both tables
 * read whole, once per dashboard); for the wave dashboard also the next wave's index (its
 * size), the wave's latest broadcast with its deliveries (one partition), and the old MDM's counts
 * for the wave as the last matching pass stored them (one point read: features/old-mdm/wave-counts.ts).
 *
 * Membership follows the index: a member without a participant row (imported, never reached) counts
 * as a member with no devices, a row without a wave is taken as the index says, and a row naming
 * another wave (the user moved) is left out.
 */

import { campaignDashboardView, renderCampaignDashboard } from '../../cards/campaign-dashboard-card';
import type { DashboardFormat } from '../../cards/dashboard-format';
import type { CardJson } from '../../cards/render';
import { renderWaveDashboard, waveDashboardView } from '../../cards/wave-dashboard-card';
import {
  announceBlockText,
  type DeliveryReport,
  type NextWaveForecast,
} from '../../cards/wave-dashboard-sections';
import type { Deps } from '../../deps';
import {
  type Broadcast,
  broadcastKey,
  countDeliveries,
  type Delivery,
  type DeliveryFailure,
  deliveryPartition,
} from '../../domain/broadcast';
import { byWaveOrder, campaignKey, endOfWave, type Wave } from '../../domain/campaign';
import { escalationKey } from '../../domain/escalation';
import type { Escalation } from '../../domain/escalation-model';
import {
  earliestFittingDeadline,
  forecastHelpdeskLoad,
  measureEscalationRate,
  workingDaysBetween,
} from '../../domain/helpdesk-forecast';
import { PARTICIPANT_PARTITIONS, type Participant, participantKey } from '../../domain/participant';
import { type AnnounceDecision, evaluateGate, type GateResult, nextWaveBlock } from '../../domain/wave-gate';
import { type WaveStats, waveStats } from '../../domain/wave-stats';
import { type Language, translator } from '../../i18n';
import type { Store } from '../../ports/store';
import { forEachBounded, mapBounded } from '../../shared/bounded';
import { oldMdmOverview } from '../old-mdm/overview';
import { waveOldMdmOverview } from '../old-mdm/wave-old-mdm';
import { listWaves, waveMembersOf } from '../waves';

/** Users read at once (two point reads each): quick on a large wave without flooding the tables. */
const READS_IN_FLIGHT = 16;
/**
 * From this many members in one wave, the dashboard reads the participant and escalation tables
 * whole (64 partitions each, in pages of up to 1,000 rows) instead of two point reads per member:
 * 100,000 members are about 200 page requests instead of 200,000 reads.
 */
export const SCAN_FROM_MEMBERS = 2_000;
/** Partitions scanned at once. */
const SCANS_IN_FLIGHT = 8;
const HOUR_MS = 3_600_000;

/** Waves whose users have been told: they produce tickets, so they measure the support load. */
const RAN: readonly Wave['state'][] = ['announced', 'active', 'evaluating', 'closed'];
/** Waves that are over: the rate measured on them is final. */
const OVER: readonly Wave['state'][] = ['evaluating', 'closed'];

const KNOWN_FAILURES: readonly DeliveryFailure[] = [
  'app-install-blocked',
  'user-not-found',
  'retries-exhausted',
  'rejected',
  'cancelled',
];

type DashboardDeps = Pick<Deps, 'store' | 'config' | 'logger'>;

interface CampaignRows {
  voluntaryWaveId?: string;
  campaignName?: string;
  /** In order (then by name, so that equal orders list the same way every time). */
  waves: Wave[];
}

async function readCampaign(store: Pick<Store, 'campaigns' | 'waves'>): Promise<CampaignRows> {
  const [campaign, waves] = await Promise.all([store.campaigns.get(campaignKey()), listWaves(store)]);
  waves.sort((a, b) => byWaveOrder(a, b) || a.id.localeCompare(b.id));
  return {
    waves,
    ...(campaign?.value.voluntaryWaveId ? { voluntaryWaveId: campaign.value.voluntaryWaveId } : {}),
    ...(campaign?.value.name ? { campaignName: campaign.value.name } : {}),
  };
}

interface UserRows {
  participant?: Participant;
  escalation?: Escalation;
}

/**
 * Reads waves' members for one dashboard: every user once however many waves list them, and at most
 * READS_IN_FLIGHT users at a time across all the waves being read together.
 */
class WaveReader {
  private readonly users = new Map<string, Promise<UserRows>>();
  private readonly stats = new Map<string, Promise<WaveStats>>();
  private scanned?: Promise<Map<string, UserRows>>;
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly store: Pick<Store, 'waveMembers' | 'participants' | 'escalations'>,
    private readonly now: Date,
    private readonly stuckAfterMs: number,
  ) {}

  async memberCount(waveId: string): Promise<number> {
    const ids = new Set<string>();
    for await (const member of waveMembersOf(this.store, waveId)) {
      if (member.aadObjectId) ids.add(member.aadObjectId.toLowerCase());
    }
    return ids.size;
  }

  statsOf(wave: Wave): Promise<WaveStats> {
    let found = this.stats.get(wave.id);
    if (!found) {
      found = this.readStats(wave);
      this.stats.set(wave.id, found);
    }
    return found;
  }

  private async readStats(wave: Wave): Promise<WaveStats> {
    const members = new Map<string, { upn?: string; addedAt: string }>();
    for await (const member of waveMembersOf(this.store, wave.id)) {
      if (member.aadObjectId) {
        members.set(member.aadObjectId.toLowerCase(), {
          upn: member.userPrincipalName,
          addedAt: member.addedAt,
        });
      }
    }
    const participants: Participant[] = [];
    const escalations: Escalation[] = [];
    // A scan already made for a larger wave serves the smaller ones too.
    const everyone = members.size >= SCAN_FROM_MEMBERS || this.scanned ? await this.scan() : undefined;
    const ids = [...members.keys()];
    const read = await mapBounded(ids, READS_IN_FLIGHT, async (id) =>
      everyone ? (everyone.get(id) ?? {}) : this.user(id),
    );
    ids.forEach((id, i) => {
      const rows = read[i]!;
      const member = members.get(id)!;
      const p = rows.participant;
      if (p && p.waveId !== undefined && p.waveId !== wave.id) return;
      participants.push(
        p
          ? { ...p, waveId: wave.id }
          : {
              aadObjectId: id,
              ...(member.upn ? { userPrincipalName: member.upn } : {}),
              firstSeenAt: member.addedAt,
              lastSeenAt: member.addedAt,
              version: 0,
              waveId: wave.id,
            },
      );
      if (rows.escalation) escalations.push(rows.escalation);
    });
    return waveStats(participants, escalations, wave.id, this.now, { stuckAfterMs: this.stuckAfterMs });
  }

  /** Every participant and escalation row, once per dashboard, keyed like the point reads. */
  private scan(): Promise<Map<string, UserRows>> {
    this.scanned ??= (async () => {
      const rows = new Map<string, UserRows>();
      const of = (id: string) => {
        let r = rows.get(id);
        if (!r) {
          r = {};
          rows.set(id, r);
        }
        return r;
      };
      await forEachBounded(PARTICIPANT_PARTITIONS, SCANS_IN_FLIGHT, async (pk) => {
        for await (const { key, value } of this.store.participants.listPartition(pk)) {
          of(key.rowKey).participant = value;
        }
        for await (const { key, value } of this.store.escalations.listPartition(pk)) {
          of(key.rowKey).escalation = value;
        }
      });
      return rows;
    })();
    return this.scanned;
  }

  private user(id: string): Promise<UserRows> {
    let found = this.users.get(id);
    if (!found) {
      found = this.inSlot(async () => {
        const [p, e] = await Promise.all([
          this.store.participants.get(participantKey(id)),
          this.store.escalations.get(escalationKey(id)),
        ]);
        return { participant: p?.value, escalation: e?.value };
      });
      this.users.set(id, found);
    }
    return found;
  }

  /** Runs `read` when one of the READS_IN_FLIGHT slots is free; a finished read hands its slot on. */
  private async inSlot<T>(read: () => Promise<T>): Promise<T> {
    if (this.active < READS_IN_FLIGHT) this.active += 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await read();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}

function stuckAfterHours(deps: DashboardDeps): number {
  return deps.config.escalation.stuckAfterHours;
}

function readerFor(deps: DashboardDeps, now: Date): WaveReader {
  return new WaveReader(deps.store, now, stuckAfterHours(deps) * HOUR_MS);
}

/** The admin's language with the campaign's date conventions and time zone. */
function formatFor(deps: DashboardDeps, language: Language, now: Date): DashboardFormat {
  const fallback = deps.config.defaults.locale;
  const locale = language === 'sv' ? 'sv-SE' : fallback.toLowerCase().startsWith('en') ? fallback : 'en-GB';
  return { t: translator(language), locale, timeZone: deps.config.defaults.timeZone, now };
}

/** Gates of the waves before `wave` (by order, the voluntary wave included), for `nextWaveBlock`. */
async function decide(
  reader: WaveReader,
  rows: CampaignRows,
  wave: Wave,
): Promise<{ decision: AnnounceDecision; gates: Map<string, GateResult> }> {
  const gates = new Map<string, GateResult>();
  const earlier = rows.waves.filter((w) => w.id !== wave.id && w.order < wave.order);
  await Promise.all(
    earlier.map(async (w) => {
      gates.set(w.id, evaluateGate(w.criteria, await reader.statsOf(w)));
    }),
  );
  return {
    decision: nextWaveBlock(rows.waves, wave.id, (w) => gates.get(w.id), rows.voluntaryWaveId),
    gates,
  };
}

/** One wave's numbers as its dashboard counts them (the runbook reads its device funnel). */
export function statsOfWave(deps: DashboardDeps, wave: Wave, now: Date): Promise<WaveStats> {
  return readerFor(deps, now).statsOf(wave);
}

/** Whether `waveId` may be announced now: the check to run on the server before any announcement. */
export async function announceDecision(
  deps: DashboardDeps,
  waveId: string,
  now: Date,
): Promise<AnnounceDecision> {
  const rows = await readCampaign(deps.store);
  const wave = rows.waves.find((w) => w.id === waveId);
  if (!wave) return { allowed: false, because: 'unknown-wave' };
  return (await decide(readerFor(deps, now), rows, wave)).decision;
}

/** Why `wave` may not be announced yet, in the admin's language; undefined when it may. */
export async function announceBlockOf(
  deps: DashboardDeps,
  wave: Wave,
  language: Language,
  now: Date,
): Promise<string | undefined> {
  const decision = await announceDecision(deps, wave.id, now);
  return announceBlockText(formatFor(deps, language, now), decision);
}

export async function campaignDashboard(
  deps: DashboardDeps,
  language: Language,
  now: Date,
): Promise<CardJson> {
  const rows = await readCampaign(deps.store);
  const reader = readerFor(deps, now);
  const waves = [];
  // One wave at a time: each already keeps READS_IN_FLIGHT reads going.
  for (const wave of rows.waves) {
    const stats = await reader.statsOf(wave);
    waves.push({
      wave,
      stats,
      gate: evaluateGate(wave.criteria, stats),
      voluntary: wave.id === rows.voluntaryWaveId,
    });
  }
  const oldMdm = await oldMdmOverview(deps);
  return renderCampaignDashboard(
    campaignDashboardView({
      ...formatFor(deps, language, now),
      campaignName: rows.campaignName,
      waves,
      oldMdm,
    }),
  );
}

/** The wave after `wave` by order that the forecast is for (the voluntary wave is never "next"). */
function nextWaveAfter(rows: CampaignRows, wave: Wave): Wave | undefined {
  return rows.waves.find((w) => w.order > wave.order && w.id !== rows.voluntaryWaveId);
}

function validDate(iso: string | undefined): Date | undefined {
  if (!iso) return undefined;
  const d = new Date(iso);
  return Number.isFinite(d.getTime()) ? d : undefined;
}

async function forecastFor(
  deps: DashboardDeps,
  reader: WaveReader,
  rows: CampaignRows,
  next: Wave,
  now: Date,
): Promise<NextWaveForecast> {
  const measured = rows.waves.filter(
    (w) =>
      w.id !== next.id && RAN.includes(w.state) && (w.order < next.order || w.id === rows.voluntaryWaveId),
  );
  const samples = await Promise.all(
    measured.map(async (w) => {
      const stats = await reader.statsOf(w);
      return {
        waveId: w.id,
        tickets: stats.helpdesk.tickets,
        users: stats.members,
        complete: OVER.includes(w.state),
      };
    }),
  );
  const rate = measureEscalationRate(samples);
  const { timeZone, businessHours } = deps.config.defaults;
  const planned = validDate(next.startAt) ?? validDate(next.announceAt);
  const start = planned && planned.getTime() > now.getTime() ? planned : now;
  const end = validDate(endOfWave(next));
  const forecast = forecastHelpdeskLoad({
    rate,
    waveSize: await reader.memberCount(next.id),
    workingDays: end ? workingDaysBetween(start, end, timeZone, businessHours) : undefined,
    capacityPerDay: next.helpdeskCapacityPerDay,
  });
  const names = new Map(rows.waves.map((w) => [w.id, w.name]));
  return {
    wave: next,
    forecast,
    ...(rate ? { rate } : {}),
    rateWaveNames: (rate?.waveIds ?? []).map((id) => names.get(id) ?? id),
    start,
    ...(end ? { end } : {}),
    ...(forecast.workingDaysNeeded
      ? { earliestEnd: earliestFittingDeadline(start, forecast.workingDaysNeeded, timeZone, businessHours) }
      : {}),
  };
}

/** The wave's newest broadcast that went past the preview, with its deliveries counted. */
async function latestDelivery(
  store: Pick<Store, 'broadcasts' | 'deliveries'>,
  waveId: string,
): Promise<DeliveryReport | undefined> {
  let latest: Broadcast | undefined;
  for await (const { value } of store.broadcasts.listPartition(broadcastKey('').partitionKey)) {
    if (value.waveId !== waveId || value.state === 'draft') continue;
    if (!latest || value.createdAt > latest.createdAt) latest = value;
  }
  if (!latest) return undefined;
  const deliveries: Delivery[] = [];
  for await (const { value } of store.deliveries.listPartition(deliveryPartition(latest.id)))
    deliveries.push(value);
  const reasons = new Map<string, number>();
  for (const d of deliveries) {
    if (d.state !== 'failed') continue;
    const reason = d.reason && KNOWN_FAILURES.includes(d.reason) ? d.reason : 'unknown';
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  return {
    broadcast: latest,
    counts: countDeliveries(deliveries),
    reasons: [...reasons]
      .map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
  };
}

/** One wave's dashboard; undefined when there is no such wave. */
export async function waveDashboard(
  deps: DashboardDeps,
  waveId: string,
  language: Language,
  now: Date,
): Promise<CardJson | undefined> {
  const rows = await readCampaign(deps.store);
  const wave = rows.waves.find((w) => w.id === waveId);
  if (!wave) return undefined;
  const reader = readerFor(deps, now);
  const stats = await reader.statsOf(wave);
  const { decision } = await decide(reader, rows, wave);
  const next = nextWaveAfter(rows, wave);
  const [forecast, delivery, oldMdm] = await Promise.all([
    next ? forecastFor(deps, reader, rows, next, now) : Promise.resolve(undefined),
    latestDelivery(deps.store, wave.id),
    waveOldMdmOverview(deps, wave.id),
  ]);
  return renderWaveDashboard(
    waveDashboardView({
      ...formatFor(deps, language, now),
      wave,
      voluntary: wave.id === rows.voluntaryWaveId,
      stats,
      gate: evaluateGate(wave.criteria, stats),
      announce: decision,
      ...(forecast ? { next: forecast } : {}),
      ...(delivery ? { delivery } : {}),
      ...(oldMdm ? { oldMdm } : {}),
      stuckAfterHours: stuckAfterHours(deps),
    }),
  );
}
