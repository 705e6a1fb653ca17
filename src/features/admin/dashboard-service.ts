/**
 * The admin dashboards (campaign overview, one wave) and the announce check of the wave gate. Reads
 * the store, computes with the pure domain (wave-counters-stats, wave-gate, helpdesk-forecast) and
 * renders the cards. Read-only, but for a wave's first counting (below).
 *
 * What one dashboard reads — a few rows, however large the campaign: the campaign row and the waves;
 * every wave's counters in one query (features/counters: kept up to date as the rows change); for
 * each wave whose user statuses or stuck people it shows, the stuck ones of its stuck index (one
 * row-key range: only the stuck); for the people the wave dashboard names among the stuck, their
 * participant and escalation rows; the wave's latest broadcast and its delivery counters; and the old
 * MDM's counts for the wave as the last matching pass stored them (features/old-mdm/wave-counts.ts).
 * A wave or broadcast never counted yet (a new deployment) is recounted from its rows once, here.
 *
 * Membership follows the wave's index (see features/counters/recount.ts).
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
import { type Broadcast, broadcastKey, DELIVERY_FAILURES } from '../../domain/broadcast';
import { byWaveOrder, campaignKey, endOfWave, type Wave } from '../../domain/campaign';
import { escalationKey } from '../../domain/escalation';
import {
  earliestFittingDeadline,
  forecastHelpdeskLoad,
  measureEscalationRate,
  workingDaysBetween,
} from '../../domain/helpdesk-forecast';
import { participantKey } from '../../domain/participant';
import { broadcastScope, type Counts, K, type StuckEntry, waveScope } from '../../domain/wave-counters';
import { deliveriesFromCounters, statsFromCounters, stuckCandidates } from '../../domain/wave-counters-stats';
import { type AnnounceDecision, evaluateGate, type GateResult, nextWaveBlock } from '../../domain/wave-gate';
import { DEFAULT_STUCK_TOP, type StuckUser, type WaveStats, waveStats } from '../../domain/wave-stats';
import { type Language, translator } from '../../i18n';
import type { Store } from '../../ports/store';
import { mapBounded } from '../../shared/bounded';
import { readScope, readStuck, readWaveScopes, type ScopeValue } from '../counters/counter-table';
import { rebuildCounters } from '../counters/recount';
import { oldMdmOverview } from '../old-mdm/overview';
import { waveOldMdmOverview } from '../old-mdm/wave-old-mdm';
import { listWaves } from '../waves';

const HOUR_MS = 3_600_000;
/** Stuck people named at once (two point reads each). */
const READS_IN_FLIGHT = 8;

/** Waves whose users have been told: they produce tickets, so they measure the support load. */
const RAN: readonly Wave['state'][] = ['announced', 'active', 'evaluating', 'closed'];
/** Waves that are over: the rate measured on them is final. */
const OVER: readonly Wave['state'][] = ['evaluating', 'closed'];

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

/** How much of a wave's numbers a view needs: the gate's rates only, the stuck counts, or the stuck named. */
type Detail = 'gate' | 'summary' | 'full';

/** Reads the waves' counters once per dashboard and turns them into `WaveStats`. */
class WaveReader {
  private counters?: Promise<Map<string, ScopeValue>>;
  private readonly stats = new Map<string, Promise<WaveStats>>();

  constructor(
    private readonly deps: DashboardDeps,
    private readonly waves: readonly Wave[],
    private readonly now: Date,
    private readonly stuckAfterMs: number,
  ) {}

  /** Members of a wave, as its counters say. */
  async memberCount(waveId: string): Promise<number> {
    return (await this.countsOf(waveId))[K.members] ?? 0;
  }

  statsOf(wave: Wave, detail: Detail): Promise<WaveStats> {
    const id = `${detail}\u0000${wave.id}`;
    let found = this.stats.get(id);
    if (!found) {
      found = this.readStats(wave, detail);
      this.stats.set(id, found);
    }
    return found;
  }

  private async countsOf(waveId: string): Promise<Counts> {
    this.counters ??= (async () => {
      const repo = this.deps.store.counters;
      const read = await readWaveScopes(repo);
      const uncounted = this.waves.filter((w) => !read.get(waveScope(w.id))?.head);
      if (uncounted.length === 0) return read;
      await rebuildCounters(this.deps, { waves: uncounted });
      return readWaveScopes(repo);
    })();
    return (await this.counters).get(waveScope(waveId))?.counts ?? {};
  }

  private async readStats(wave: Wave, detail: Detail): Promise<WaveStats> {
    const counts = await this.countsOf(wave.id);
    const cutoff = this.now.getTime() - this.stuckAfterMs;
    const stuck =
      detail === 'gate' || !Number.isFinite(cutoff)
        ? []
        : await readStuck(this.deps.store.counters, wave.id, new Date(cutoff).toISOString());
    const top = detail === 'full' ? await this.named(wave.id, stuck) : [];
    return statsFromCounters({
      waveId: wave.id,
      counts,
      stuck,
      top,
      stuckTop: DEFAULT_STUCK_TOP,
      now: this.now,
    });
  }

  /** The stuck people to name, from their own rows (the index only says who they are). */
  private async named(waveId: string, stuck: readonly StuckEntry[]): Promise<(StuckUser & { ms: number })[]> {
    const ids = stuckCandidates(stuck, DEFAULT_STUCK_TOP);
    const { store } = this.deps;
    const found = await mapBounded(ids, READS_IN_FLIGHT, async (id) => {
      const [p, e] = await Promise.all([
        store.participants.get(participantKey(id)),
        store.escalations.get(escalationKey(id)),
      ]);
      if (!p) return undefined;
      const member = { ...p.value, waveId };
      const one = waveStats([member], e ? [e.value] : [], waveId, this.now, {
        stuckAfterMs: this.stuckAfterMs,
        stuckTop: 1,
      }).stuck.top[0];
      return one ? { ...one, ms: this.now.getTime() - Date.parse(one.since) } : undefined;
    });
    return found.filter((u): u is StuckUser & { ms: number } => u !== undefined);
  }
}

function stuckAfterHours(deps: DashboardDeps): number {
  return deps.config.escalation.stuckAfterHours;
}

function readerFor(deps: DashboardDeps, rows: Pick<CampaignRows, 'waves'>, now: Date): WaveReader {
  return new WaveReader(deps, rows.waves, now, stuckAfterHours(deps) * HOUR_MS);
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
      gates.set(w.id, evaluateGate(w.criteria, await reader.statsOf(w, 'gate')));
    }),
  );
  return {
    decision: nextWaveBlock(rows.waves, wave.id, (w) => gates.get(w.id), rows.voluntaryWaveId),
    gates,
  };
}

/** One wave's numbers as its dashboard counts them (the runbook reads its device funnel). */
export function statsOfWave(deps: DashboardDeps, wave: Wave, now: Date): Promise<WaveStats> {
  return readerFor(deps, { waves: [wave] }, now).statsOf(wave, 'full');
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
  return (await decide(readerFor(deps, rows, now), rows, wave)).decision;
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
  const reader = readerFor(deps, rows, now);
  const waves = await Promise.all(
    rows.waves.map(async (wave) => {
      const stats = await reader.statsOf(wave, 'summary');
      return {
        wave,
        stats,
        gate: evaluateGate(wave.criteria, stats),
        voluntary: wave.id === rows.voluntaryWaveId,
      };
    }),
  );
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
      const stats = await reader.statsOf(w, 'gate');
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

/** The wave's newest broadcast that went past the preview, with its delivery counters. */
async function latestDelivery(deps: DashboardDeps, waveId: string): Promise<DeliveryReport | undefined> {
  const { store } = deps;
  let latest: Broadcast | undefined;
  for await (const { value } of store.broadcasts.listPartition(broadcastKey('').partitionKey)) {
    if (value.waveId !== waveId || value.state === 'draft') continue;
    if (!latest || value.createdAt > latest.createdAt) latest = value;
  }
  if (!latest) return undefined;
  const scope = broadcastScope(latest.id);
  let counters = await readScope(store.counters, scope);
  if (!counters.head) {
    await rebuildCounters(deps, { broadcasts: [latest.id] });
    counters = await readScope(store.counters, scope);
  }
  return { broadcast: latest, ...deliveriesFromCounters(counters.counts, DELIVERY_FAILURES) };
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
  const reader = readerFor(deps, rows, now);
  const stats = await reader.statsOf(wave, 'full');
  const { decision } = await decide(reader, rows, wave);
  const next = nextWaveAfter(rows, wave);
  const [forecast, delivery, oldMdm] = await Promise.all([
    next ? forecastFor(deps, reader, rows, next, now) : Promise.resolve(undefined),
    latestDelivery(deps, wave.id),
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
