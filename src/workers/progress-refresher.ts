/**
 * Background progress detection: once a minute (on the scheduler's leader), finds out from Microsoft
 * Graph which devices changed and moves their journeys. The Graph cost of a cycle is proportional to
 * what changed, not to the size of the waves:
 *
 * - Intune: managedDevices whose lastSyncDateTime is at or after the previous cycle's start (minus a
 *   clock-skew margin) — one page per 1,000 changed devices;
 * - Entra: the devices/delta round that the stored deltaLink continues — one page per 999 changes
 *   (the very first round enumerates every device once, which is the baseline);
 * - enrollment failures: troubleshootingEvents since the same instant;
 * - a per-user look-up ($batch, three sub-requests per user) only for participants never looked at
 *   before, for devices no journey tracks yet, and where the changed records contradict what the
 *   journey last saw.
 *
 * Entra records name no user, so the refresher keeps a device → participant index (deviceOwners),
 * written whenever it creates journeys. The cursor (deltaLink, cycle start) is saved only when a cycle
 * has gone through, so a crash repeats the cycle; observations are idempotent, so a repeat changes
 * nothing twice.
 */
import { ACTIVE_WAVE_STATES, type Wave, waveMemberKey } from '../domain/campaign';
import { type DeviceObservation, INTUNE_MDM_APP_ID, managementOf } from '../domain/device';
import { type DeviceOwner, deviceOwnerKey } from '../domain/device-owner';
import {
  type DeviceJourney,
  type EnrollmentFailure,
  type GraphView,
  graphViewOf,
  type JourneyEffect,
  openJourney,
  type TransitionResult,
  transition,
} from '../domain/journey';
import { type Participant, participantKey, withPendingEscalations } from '../domain/participant';
import { type BatchResponse, type GraphApi, GraphRequestError } from '../integrations/graph/graph-api';
import {
  DEVICE_FIELDS,
  type GraphDevice,
  type GraphManagedDevice,
  MANAGED_DEVICE_FIELDS,
  userDeviceRequests,
  userDevicesFrom,
} from '../integrations/graph/graph-device-directory';
import type { Logger } from '../logging';
import type { Clock } from '../ports/clock';
import { ConcurrencyError, type JobState, type Repository, type Store } from '../ports/store';
import type { Job } from './scheduler';

export const PROGRESS_REFRESH_JOB = 'progress-refresh';
export const PROGRESS_REFRESH_CURSOR_KEY = { partitionKey: 'job', rowKey: PROGRESS_REFRESH_JOB } as const;

/** An effect of one device's journey, with the device it concerns. */
export type DeviceEffect = JourneyEffect & { deviceKey: string };

export interface ProgressRefresherDeps {
  graph: GraphApi;
  store: Store;
  clock: Clock;
  logger: Logger;
  /** Called once per participant whose journeys changed, after the change is stored (card updates, congratulations). */
  onChanged: (participant: Participant, effects: DeviceEffect[]) => Promise<void>;
}

export interface ProgressRefresherOptions {
  /** How often the scheduler runs a cycle. Default 60 s. */
  intervalMs?: number;
  /** Margin for clocks that disagree (ours, Intune's): "changed since" reaches this far before the last cycle. Default 2 min. */
  clockSkewMs?: number;
  /** How far back the very first cycle looks for Intune changes and enrollment failures. Default 24 h. */
  firstCycleLookbackMs?: number;
  /** Storage operations in flight at once. Default 16. */
  storageConcurrency?: number;
  /** Users whose look-ups share one GraphApi.batch call (three sub-requests each, 20 per $batch). Default 20. */
  usersPerLookup?: number;
  /** Look-up calls in flight at once. Default 4. */
  lookupConcurrency?: number;
  /** Participants that failed and are retried with a full look-up next cycle; more fails the whole cycle. Default 400. */
  maxRetries?: number;
  /** Cycles a failing participant is retried before it is given up (logged as an error). Default 5. */
  maxAttemptsPerParticipant?: number;
}

/** What one cycle saw and did. Graph requests are counted by whoever serves them (the simulator's stats). */
export interface CycleReport {
  startedAt: string;
  durationMs: number;
  /** The Entra round was a full enumeration: the first cycle, or the stored deltaLink had expired. */
  entraResynced: boolean;
  /** Changed records Graph returned. */
  intuneRecords: number;
  entraRecords: number;
  failureEvents: number;
  /** Entra changes of devices no journey tracks (owner unknown): someone else's device, or one not seen yet. */
  unknownDevices: number;
  /** Participants with a change, in an active wave, or retried. */
  participantsConsidered: number;
  /** Changes that belong to users outside active waves (left alone). */
  participantsInactive: number;
  /** Never-looked-at participants of active waves that got their journeys in this cycle. */
  participantsInitialised: number;
  /** Per-user look-ups made (initialisations included). */
  perUserLookups: number;
  participantsChanged: number;
  devicesChanged: number;
  journeysCreated: number;
  escalations: number;
  /** Participants that failed in this cycle and are retried in the next. */
  participantsFailed: number;
}

const DEFAULTS: Required<ProgressRefresherOptions> = {
  intervalMs: 60_000,
  clockSkewMs: 120_000,
  firstCycleLookbackMs: 24 * 3_600_000,
  storageConcurrency: 16,
  usersPerLookup: 20,
  lookupConcurrency: 4,
  maxRetries: 400,
  maxAttemptsPerParticipant: 5,
};

const MANAGED_SELECT = `${MANAGED_DEVICE_FIELDS},userId`;
const EVENT_SELECT = 'id,eventDateTime,userId,deviceId,managedDeviceIdentifier,failureCategory,failureReason';
const NO_DEVICE = '00000000-0000-0000-0000-000000000000';

interface GraphFailureEvent {
  id: string;
  eventDateTime: string;
  userId?: string;
  deviceId?: string;
  managedDeviceIdentifier?: string;
  failureCategory?: string;
  failureReason?: string;
}

type ChangedManagedDevice = GraphManagedDevice & { userId?: string };
type DeltaDevice = GraphDevice & { '@removed'?: unknown };

interface DeltaPage {
  value?: DeltaDevice[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

/** The job's row in jobState. Maps are stored as JSON strings (the row holds flat values only). */
interface Cursor {
  deltaLink?: string;
  lastCycleStartedAt?: string;
  /** Per active wave: members added before this instant have been looked at. */
  memberScans: Record<string, string>;
  /** Participants to retry with a full look-up, with how many cycles they have failed. */
  retry: Record<string, number>;
}

/** Everything a cycle learnt about one participant. */
interface Work {
  aadObjectId: string;
  intune: Map<string, ChangedManagedDevice>;
  entra: Map<string, GraphDevice>;
  failures: GraphFailureEvent[];
  /** Found by the wave member scan: only of interest if never initialised… */
  memberScan: boolean;
  /** …or, when new to the scan, if its journeys were created elsewhere and need indexing. */
  newMember: boolean;
  retry: boolean;
}

interface Plan {
  work: Work;
  userPrincipalName: string;
  lookup: boolean;
  initialise: boolean;
}

type Advance =
  | { kind: 'look-up' }
  | {
      kind: 'advanced';
      participant: Participant;
      changed: boolean;
      effects: DeviceEffect[];
      devicesChanged: number;
      created: number;
    };

export class ProgressRefresher implements Job {
  readonly name = PROGRESS_REFRESH_JOB;
  readonly intervalMs: number;
  private readonly options: Required<ProgressRefresherOptions>;

  constructor(
    private readonly deps: ProgressRefresherDeps,
    options: ProgressRefresherOptions = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
    this.intervalMs = this.options.intervalMs;
  }

  async run(signal: AbortSignal): Promise<void> {
    const report = await this.runCycle(signal);
    this.deps.logger.info({ job: this.name, ...report }, 'progress refresh cycle done');
  }

  async runCycle(signal?: AbortSignal): Promise<CycleReport> {
    const { store, clock } = this.deps;
    const started = clock.now();
    const report = emptyReport(started);
    const stored = await store.jobState.get(PROGRESS_REFRESH_CURSOR_KEY);
    const cursor = readCursor(stored?.value);
    const lastStart = cursor.lastCycleStartedAt ? Date.parse(cursor.lastCycleStartedAt) : Number.NaN;
    const since = new Date(
      Number.isFinite(lastStart)
        ? lastStart - this.options.clockSkewMs
        : started.getTime() - this.options.firstCycleLookbackMs,
    );

    // 1. What changed, according to Graph: three independent queries, side by side.
    const [intune, entra, events] = await Promise.all([
      this.changedManagedDevices(since, signal),
      this.changedEntraDevices(cursor.deltaLink, signal),
      this.failureEvents(since, signal),
    ]);
    report.intuneRecords = intune.length;
    report.entraRecords = entra.records.length;
    report.failureEvents = events.length;
    report.entraResynced = entra.resynced;

    // 2. Whose devices they are.
    const work = new Map<string, Work>();
    const workFor = (id: string): Work => {
      const key = id.toLowerCase();
      let w = work.get(key);
      if (!w) {
        w = {
          aadObjectId: key,
          intune: new Map(),
          entra: new Map(),
          failures: [],
          memberScan: false,
          newMember: false,
          retry: false,
        };
        work.set(key, w);
      }
      return w;
    };
    for (const m of intune) if (m.userId) workFor(m.userId).intune.set(managedKey(m), m);
    for (const e of events) if (e.userId) workFor(e.userId).failures.push(e);
    await this.forEach(entra.records, signal, async (d) => {
      const key = (d.deviceId ?? d.id).toLowerCase();
      const owner = await store.deviceOwners.get(deviceOwnerKey(key));
      if (owner) workFor(owner.value.aadObjectId).entra.set(key, d);
      else report.unknownDevices++;
    });

    // 3. Who else needs a look: new members of active waves, and last cycle's failures.
    const waves = await this.activeWaves();
    const memberScans = await this.scanMembers(waves, cursor.memberScans, started, (id, isNew) => {
      const w = workFor(id);
      w.memberScan = true;
      w.newMember ||= isNew;
    });
    for (const id of Object.keys(cursor.retry)) workFor(id).retry = true;

    // 4. Read each participant and decide whether its changes can be applied as they are.
    const failed = new Map<string, unknown>();
    const plans: Plan[] = [];
    await this.forEach(work.values(), signal, async (w) => {
      try {
        const plan = await this.plan(w, waves, report);
        if (plan) plans.push(plan);
      } catch (err) {
        failed.set(w.aadObjectId, err);
      }
    });

    // 5. Per-user look-ups, many users per $batch.
    const lookups = await this.lookUp(
      plans.filter((p) => p.lookup),
      signal,
    );
    report.perUserLookups = lookups.size;

    // 6. Apply and store, one participant at a time (ETag read-modify-write), then tell the caller.
    await this.forEach(plans, signal, async (plan) => {
      const id = plan.work.aadObjectId;
      try {
        const looked = lookups.get(id);
        if (looked instanceof Error) throw looked;
        await this.apply(plan, looked, waves, report);
      } catch (err) {
        failed.set(id, err);
      }
    });

    // 7. Remember what failed, and move the cursor on: only now, so a crash repeats the cycle.
    const retry: Record<string, number> = {};
    for (const [id, err] of failed) {
      const attempts = (cursor.retry[id] ?? 0) + 1;
      if (attempts > this.options.maxAttemptsPerParticipant) {
        this.deps.logger.error(
          { err, aadObjectId: id, attempts },
          'progress refresh gave up on a participant',
        );
        continue;
      }
      this.deps.logger.warn({ err, aadObjectId: id, attempts }, 'progress refresh failed for a participant');
      retry[id] = attempts;
    }
    report.participantsFailed = failed.size;
    if (Object.keys(retry).length > this.options.maxRetries) {
      throw new Error(
        `progress refresh failed for ${failed.size} participants; not moving the cursor, so the next cycle repeats this one`,
      );
    }
    signal?.throwIfAborted();
    const next: JobState = {
      deltaLink: entra.deltaLink,
      lastCycleStartedAt: started.toISOString(),
      memberScans: JSON.stringify(memberScans),
      retry: JSON.stringify(retry),
    };
    await store.jobState.update(PROGRESS_REFRESH_CURSOR_KEY, () => next);
    report.durationMs = clock.now().getTime() - started.getTime();
    return report;
  }

  // ---- Graph ------------------------------------------------------------------------------------

  private async changedManagedDevices(since: Date, signal?: AbortSignal): Promise<ChangedManagedDevice[]> {
    const out: ChangedManagedDevice[] = [];
    const filter = `lastSyncDateTime ge ${since.toISOString()}`;
    const path = `/deviceManagement/managedDevices?$filter=${encodeURIComponent(filter)}&$select=${MANAGED_SELECT}&$top=1000`;
    for await (const m of this.deps.graph.pageAll<ChangedManagedDevice>(path)) {
      signal?.throwIfAborted();
      out.push(m);
    }
    return out;
  }

  private async failureEvents(since: Date, signal?: AbortSignal): Promise<GraphFailureEvent[]> {
    const out: GraphFailureEvent[] = [];
    const filter = `eventDateTime ge ${since.toISOString()}`;
    const path = `/deviceManagement/troubleshootingEvents?$filter=${encodeURIComponent(filter)}&$select=${EVENT_SELECT}&$top=1000`;
    for await (const e of this.deps.graph.pageAll<GraphFailureEvent>(path)) {
      signal?.throwIfAborted();
      out.push(e);
    }
    return out;
  }

  /** Follows the stored deltaLink; without one, or when Entra has forgotten it, starts a full round. */
  private async changedEntraDevices(
    deltaLink: string | undefined,
    signal?: AbortSignal,
  ): Promise<{ records: GraphDevice[]; deltaLink: string; resynced: boolean }> {
    const initial = `/devices/delta?$select=${DEVICE_FIELDS}`;
    if (!deltaLink) return { ...(await this.followDelta(initial, signal)), resynced: true };
    try {
      return { ...(await this.followDelta(deltaLink, signal)), resynced: false };
    } catch (err) {
      if (!isExpiredDelta(err)) throw err;
      this.deps.logger.warn({ err }, 'Entra forgot our devices/delta round; starting a full one');
      return { ...(await this.followDelta(initial, signal)), resynced: true };
    }
  }

  private async followDelta(
    start: string,
    signal?: AbortSignal,
  ): Promise<{ records: GraphDevice[]; deltaLink: string }> {
    // A device changed twice in a round may come twice; the last one is the newest.
    const byKey = new Map<string, GraphDevice>();
    let next: string | undefined = start;
    while (next) {
      signal?.throwIfAborted();
      const page: DeltaPage = await this.deps.graph.get<DeltaPage>(relativeGraphPath(next), {
        Prefer: 'odata.maxpagesize=999',
      });
      for (const d of page.value ?? []) {
        // A deleted device has no journey to move: whoever still has one sees it gone on their next look-up.
        if (d['@removed'] !== undefined) continue;
        byKey.set((d.deviceId ?? d.id).toLowerCase(), d);
      }
      if (page['@odata.deltaLink'])
        return { records: [...byKey.values()], deltaLink: page['@odata.deltaLink'] };
      next = page['@odata.nextLink'];
    }
    throw new Error('Microsoft Graph devices/delta ended without an @odata.deltaLink');
  }

  /** Full look-ups for the given participants: three sub-requests each, `usersPerLookup` users per batch call. */
  private async lookUp(
    plans: Plan[],
    signal?: AbortSignal,
  ): Promise<Map<string, DeviceObservation[] | Error>> {
    const out = new Map<string, DeviceObservation[] | Error>();
    const chunks: Plan[][] = [];
    for (let i = 0; i < plans.length; i += this.options.usersPerLookup) {
      chunks.push(plans.slice(i, i + this.options.usersPerLookup));
    }
    await this.forEach(
      chunks,
      signal,
      async (chunk) => {
        let responses: Map<string, BatchResponse>;
        try {
          responses = await this.deps.graph.batch(
            chunk.flatMap((p, i) => userDeviceRequests(p.work.aadObjectId, `u${i}.`)),
          );
        } catch (err) {
          for (const p of chunk) out.set(p.work.aadObjectId, asError(err));
          return;
        }
        chunk.forEach((p, i) => {
          try {
            out.set(p.work.aadObjectId, userDevicesFrom(responses, p.userPrincipalName, `u${i}.`));
          } catch (err) {
            out.set(p.work.aadObjectId, asError(err));
          }
        });
      },
      this.options.lookupConcurrency,
    );
    return out;
  }

  // ---- Storage ----------------------------------------------------------------------------------

  private async activeWaves(): Promise<Map<string, Wave>> {
    const waves = new Map<string, Wave>();
    for await (const row of this.deps.store.waves.listPartition('wave')) {
      if (ACTIVE_WAVE_STATES.includes(row.value.state)) waves.set(row.value.id, row.value);
    }
    return waves;
  }

  /**
   * Members added to an active wave since its last scan (all of them the first time a wave is seen
   * active). Listing a wave's partition is storage work only; participants are read for new members.
   * Members added within the clock-skew margin before the last scan are looked at again (`isNew`
   * false), in case another instance's clock put them just behind it.
   */
  private async scanMembers(
    waves: Map<string, Wave>,
    previous: Record<string, string>,
    started: Date,
    found: (aadObjectId: string, isNew: boolean) => void,
  ): Promise<Record<string, string>> {
    const scans: Record<string, string> = {};
    for (const wave of waves.values()) {
      const last = previous[wave.id] ? Date.parse(previous[wave.id]) : Number.NaN;
      const from = last - this.options.clockSkewMs;
      for await (const row of this.deps.store.waveMembers.listPartition(
        waveMemberKey(wave.id, '').partitionKey,
      )) {
        const added = Date.parse(row.value.addedAt);
        if (!Number.isFinite(from) || !Number.isFinite(added)) found(row.value.aadObjectId, true);
        else if (added >= from) found(row.value.aadObjectId, added >= last);
      }
      scans[wave.id] = started.toISOString();
    }
    return scans;
  }

  private async plan(w: Work, waves: Map<string, Wave>, report: CycleReport): Promise<Plan | undefined> {
    const stored = await this.deps.store.participants.get(participantKey(w.aadObjectId));
    const hasChanges = w.intune.size > 0 || w.entra.size > 0 || w.failures.length > 0;
    if (!stored) return undefined; // a user who is no participant: not ours to follow
    const p = stored.value;
    if (!p.waveId || !waves.has(p.waveId)) {
      if (hasChanges) report.participantsInactive++;
      return undefined;
    }
    const initialise = p.journeys === undefined;
    if (w.newMember && p.journeys) {
      // Journeys someone else created (a "check my device" before the wave started): index them, so
      // that their Entra changes find this participant too.
      await recordDeviceOwners(
        this.deps.store.deviceOwners,
        w.aadObjectId,
        p.journeys.map((j) => j.deviceKey),
      );
    }
    if (!initialise && !hasChanges && !w.retry) return undefined; // scanned member, already initialised
    report.participantsConsidered++;
    const lookup =
      initialise || w.retry || advance(p, w, undefined, this.deps.clock.now()).kind === 'look-up';
    return { work: w, userPrincipalName: p.userPrincipalName ?? p.aadObjectId, lookup, initialise };
  }

  private async apply(
    plan: Plan,
    looked: DeviceObservation[] | undefined,
    waves: Map<string, Wave>,
    report: CycleReport,
  ): Promise<void> {
    const { store } = this.deps;
    const id = plan.work.aadObjectId;
    // Index first: if the participant write below fails, a later Entra change still finds the owner.
    if (looked)
      await recordDeviceOwners(
        store.deviceOwners,
        id,
        looked.map((d) => d.key),
      );
    let outcome: Advance | undefined;
    const written = await store.participants.update(participantKey(id), (current) => {
      outcome = undefined;
      if (!current?.waveId || !waves.has(current.waveId)) return undefined;
      outcome = advance(current, plan.work, looked, this.deps.clock.now());
      return outcome.kind === 'advanced' && outcome.changed ? outcome.participant : undefined;
    });
    const result = outcome as Advance | undefined;
    if (result?.kind === 'look-up') {
      // The journeys changed under us since planning; a full look-up next cycle settles it.
      throw new Error('the participant changed while its devices were being refreshed');
    }
    if (!written || result?.kind !== 'advanced' || !result.changed) return;
    report.participantsChanged++;
    report.devicesChanged += result.devicesChanged;
    report.journeysCreated += result.created;
    report.escalations += result.effects.filter((e) => e.kind === 'escalate').length;
    if (plan.initialise) report.participantsInitialised++;
    try {
      await this.deps.onChanged(written, result.effects);
    } catch (err) {
      // Stored already: a failed card update must not undo or repeat the change.
      this.deps.logger.error({ err, aadObjectId: id }, 'progress refresh: onChanged failed');
    }
  }

  /** Runs `fn` over the items with bounded concurrency; stops taking new items once aborted or failed. */
  private async forEach<T>(
    items: Iterable<T>,
    signal: AbortSignal | undefined,
    fn: (item: T) => Promise<void>,
    limit = this.options.storageConcurrency,
  ): Promise<void> {
    const it = items[Symbol.iterator]();
    let failure: unknown;
    const worker = async (): Promise<void> => {
      while (failure === undefined) {
        if (signal?.aborted) {
          failure = signal.reason ?? new Error('aborted');
          break;
        }
        const next = it.next();
        if (next.done) return;
        try {
          await fn(next.value);
        } catch (err) {
          failure ??= err;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
    if (failure !== undefined) throw failure;
  }
}

/**
 * Records who owns each device, for the Entra changes that name no user; a device that changed hands
 * is re-pointed. Whoever creates journeys outside the refresher should call this too, or the
 * refresher only learns of those devices when their wave is first scanned.
 */
export async function recordDeviceOwners(
  repo: Repository<DeviceOwner>,
  aadObjectId: string,
  deviceKeys: readonly string[],
): Promise<void> {
  const owner = aadObjectId.toLowerCase();
  for (const deviceKey of deviceKeys) {
    const key = deviceOwnerKey(deviceKey);
    const row: DeviceOwner = { aadObjectId: owner, deviceKey: deviceKey.toLowerCase() };
    try {
      await repo.insert(key, row);
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
      await repo.update(key, (cur) => (cur?.aadObjectId === owner ? undefined : row));
    }
  }
}

// ---- The pure part: from what Graph said to new journeys ----------------------------------------

/**
 * Applies one participant's changes to their journeys. With a full look-up, every looked-up device is
 * observed (new ones get a journey); without one, each changed device is observed from its changed
 * record(s) plus what its journey last saw for the side that did not change. Returns 'look-up' when
 * that is not enough: a device with no journey, or records that contradict the journey's last view.
 */
function advance(current: Participant, w: Work, looked: DeviceObservation[] | undefined, now: Date): Advance {
  const before = current.journeys;
  const journeys = [...(before ?? [])];
  const index = new Map(journeys.map((j, i) => [j.deviceKey.toLowerCase(), i]));
  const effects: DeviceEffect[] = [];
  let devicesChanged = 0;
  let created = 0;
  const failures = attributeFailures(w.failures, journeys, looked);
  if (failures === 'look-up') return { kind: 'look-up' };

  const record = (key: string, i: number | undefined, result: TransitionResult): void => {
    const previous = i === undefined ? undefined : journeys[i];
    if (i === undefined) {
      journeys.push(result.journey);
      index.set(key, journeys.length - 1);
      created++;
    } else journeys[i] = result.journey;
    if (!previous || !sameJourney(previous, result.journey)) devicesChanged++;
    for (const e of result.effects)
      if (e.kind !== 'rejected') effects.push({ ...e, deviceKey: result.journey.deviceKey });
  };

  if (looked) {
    for (const device of looked) {
      const key = device.key.toLowerCase();
      const i = index.get(key);
      const f = failures.get(key);
      if (i === undefined) record(key, i, openJourney(device, now, f));
      else record(key, i, transition(journeys[i], { kind: 'observed', view: graphViewOf(device, f) }, now));
    }
  } else {
    const keys = new Set([...w.intune.keys(), ...w.entra.keys(), ...failures.keys()]);
    for (const key of keys) {
      const i = index.get(key);
      if (i === undefined) return { kind: 'look-up' };
      const view = partialView(journeys[i], w.intune.get(key), w.entra.get(key), failures.get(key));
      if (view === 'look-up') return { kind: 'look-up' };
      record(key, i, transition(journeys[i], { kind: 'observed', view }, now));
    }
  }

  const changed = before === undefined || devicesChanged > 0 || effects.length > 0;
  if (!changed) return { kind: 'advanced', participant: current, changed, effects, devicesChanged, created };
  const at = now.toISOString();
  const escalations = effects
    .filter((e) => e.kind === 'escalate')
    .map((e) => ({ reason: e.reason, deviceKey: e.deviceKey, detail: e.detail, at }));
  const cardChanged = effects.some((e) => e.kind === 'card-changed');
  const participant: Participant = {
    ...current,
    journeys,
    version: current.version + 1,
    observedAt: at,
    ...(cardChanged ? { journeyVersion: (current.journeyVersion ?? 0) + 1 } : {}),
  };
  return {
    kind: 'advanced',
    participant: withPendingEscalations(participant, escalations),
    changed,
    effects,
    devicesChanged,
    created,
  };
}

/**
 * The view of a device from the records that changed; the side that did not change is rebuilt from
 * the journey's last snapshot. Intune's record is trusted to still exist when the journey last saw
 * one, unless the new Entra record says otherwise — then only a full look-up can tell.
 */
function partialView(
  journey: DeviceJourney,
  intune: ChangedManagedDevice | undefined,
  entra: GraphDevice | undefined,
  failures: EnrollmentFailure[] | undefined,
): GraphView | 'look-up' {
  const last = journey.lastSeen;
  if (!last) return 'look-up';
  const m = last.management;
  const partner = m.kind === 'partner' ? m.mdmAppId : m.kind === 'intune' ? m.alsoPartnerMdmAppId : undefined;
  // A compliance state is only ever known from an Intune record.
  const hadIntuneRecord = m.kind === 'intune' && last.complianceState !== undefined;
  const entraPart: NonNullable<DeviceObservation['entra']> = entra
    ? {
        objectId: entra.id,
        deviceId: entra.deviceId ?? entra.id,
        isManaged: entra.isManaged ?? undefined,
        isCompliant: entra.isCompliant,
        mdmAppId: entra.mdmAppId,
      }
    : {
        objectId: '',
        deviceId: journey.deviceKey,
        mdmAppId: partner ?? (m.kind === 'intune' ? INTUNE_MDM_APP_ID : null),
      };
  let intunePart: DeviceObservation['intune'];
  if (intune) {
    intunePart = { managedDeviceId: intune.id, complianceState: intune.complianceState ?? 'unknown' };
  } else if (hadIntuneRecord) {
    const expected = (partner ?? INTUNE_MDM_APP_ID).toLowerCase();
    if (entra && (entra.mdmAppId ?? '').toLowerCase() !== expected) return 'look-up';
    intunePart = { managedDeviceId: '', complianceState: last.complianceState ?? 'unknown' };
  }
  return {
    management: managementOf(intunePart, entraPart),
    complianceState: intunePart?.complianceState,
    ...(failures?.length ? { enrollmentFailures: failures } : {}),
  };
}

/**
 * Which device each enrollment failure is about: by Entra deviceId, else by Intune id, else — failed
 * enrollments often carry neither — the participant's only device that Intune does not manage yet.
 * A failure naming a device no journey tracks calls for a look-up (it may be a new device).
 */
function attributeFailures(
  events: GraphFailureEvent[],
  journeys: DeviceJourney[],
  looked: DeviceObservation[] | undefined,
): Map<string, EnrollmentFailure[]> | 'look-up' {
  const out = new Map<string, EnrollmentFailure[]>();
  if (events.length === 0) return out;
  const keys = new Set<string>([
    ...journeys.map((j) => j.deviceKey.toLowerCase()),
    ...(looked ?? []).map((d) => d.key.toLowerCase()),
  ]);
  const byManagedId = new Map<string, string>();
  for (const d of looked ?? [])
    if (d.intune) byManagedId.set(d.intune.managedDeviceId.toLowerCase(), d.key.toLowerCase());
  const notInIntune = looked
    ? looked.filter((d) => d.management.kind !== 'intune').map((d) => d.key.toLowerCase())
    : journeys.filter((j) => j.lastSeen?.management.kind !== 'intune').map((j) => j.deviceKey.toLowerCase());
  for (const e of events) {
    const deviceId = e.deviceId && e.deviceId !== NO_DEVICE ? e.deviceId.toLowerCase() : undefined;
    const managedId = e.managedDeviceIdentifier ? e.managedDeviceIdentifier.toLowerCase() : undefined;
    let key: string | undefined;
    if (deviceId && keys.has(deviceId)) key = deviceId;
    else if (managedId && (byManagedId.has(managedId) || keys.has(managedId)))
      key = byManagedId.get(managedId) ?? managedId;
    else if (deviceId && !looked) return 'look-up';
    else if (notInIntune.length === 1) key = notInIntune[0];
    if (!key) continue; // nothing to pin it on; the user's next "check my device" shows the state anyway
    const failure: EnrollmentFailure = {
      category: e.failureCategory ?? 'unknown',
      ...(e.failureReason ? { reason: e.failureReason } : {}),
      at: e.eventDateTime,
    };
    out.set(key, [...(out.get(key) ?? []), failure]);
  }
  return out;
}

/** Same journey apart from when Graph was last asked: a repeated observation is no change. */
function sameJourney(a: DeviceJourney, b: DeviceJourney): boolean {
  if (a === b) return true;
  const strip = (j: DeviceJourney): string =>
    canonical({ ...j, lastSeen: j.lastSeen ? { ...j.lastSeen, at: undefined } : undefined });
  return strip(a) === strip(b);
}

/** JSON with object keys sorted, so a stored (parsed) journey and a computed one compare by content. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)),
        )
      : v,
  );
}

// ---- Small helpers ------------------------------------------------------------------------------

/** The journey key of an Intune record, as mergeDevices makes it. */
function managedKey(m: GraphManagedDevice): string {
  return (m.azureADDeviceId && m.azureADDeviceId !== NO_DEVICE ? m.azureADDeviceId : m.id).toLowerCase();
}

/** Graph's links are absolute; graph-client wants a path below the configured base and version. */
function relativeGraphPath(link: string): string {
  if (!/^https?:\/\//i.test(link)) return link;
  const u = new URL(link);
  return u.pathname.replace(/^\/v1\.0/, '') + u.search;
}

function isExpiredDelta(err: unknown): boolean {
  return (
    err instanceof GraphRequestError &&
    (err.status === 410 || err.code === 'syncStateNotFound' || err.code === 'resyncRequired')
  );
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function readCursor(state: JobState | undefined): Cursor {
  const parse = <T>(v: unknown): T | undefined => {
    if (typeof v !== 'string') return undefined;
    try {
      const parsed: unknown = JSON.parse(v);
      return typeof parsed === 'object' && parsed !== null ? (parsed as T) : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    deltaLink: typeof state?.deltaLink === 'string' ? state.deltaLink : undefined,
    lastCycleStartedAt: typeof state?.lastCycleStartedAt === 'string' ? state.lastCycleStartedAt : undefined,
    memberScans: parse<Record<string, string>>(state?.memberScans) ?? {},
    retry: parse<Record<string, number>>(state?.retry) ?? {},
  };
}

function emptyReport(started: Date): CycleReport {
  return {
    startedAt: started.toISOString(),
    durationMs: 0,
    entraResynced: false,
    intuneRecords: 0,
    entraRecords: 0,
    failureEvents: 0,
    unknownDevices: 0,
    participantsConsidered: 0,
    participantsInactive: 0,
    participantsInitialised: 0,
    perUserLookups: 0,
    participantsChanged: 0,
    devicesChanged: 0,
    journeysCreated: 0,
    escalations: 0,
    participantsFailed: 0,
  };
}
