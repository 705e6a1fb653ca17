/**
 * Background progress detection: once a minute (on the scheduler's leader), asks the device directory
 * what changed since the previous cycle (src/ports/device-changes.ts) and moves the journeys of the
 * participants those changes belong to (src/domain/device-changes.ts). A per-user look-up is made
 * only for participants never looked at before, for devices no journey tracks yet, and where the
 * changed records contradict what the journey last saw.
 *
 * Entra records name no user, so journeys' devices are indexed by owner (deviceOwners) whenever
 * journeys are created. The cursor (Entra's, the cycle start, the member scans, the retries) is saved
 * only when a cycle has gone through, so a crash repeats the cycle; observations are idempotent, so a
 * repeat changes nothing twice. When many participants need a look at once (a wave's first cycle),
 * the devices may come from one tenant-wide read instead, and storage works by partitions
 * (src/workers/progress-baseline.ts).
 */
import { ACTIVE_WAVE_STATES, type Wave } from '../domain/campaign';
import type { DeviceObservation } from '../domain/device';
import {
  advanceJourneys,
  type DeviceEffect,
  type EnrollmentFailureReport,
  type EntraChange,
  type IntuneChange,
  type JourneyAdvance,
} from '../domain/device-changes';
import { deviceOwnerKey } from '../domain/device-owner';
import { mergeSources, type OldMdmEntry } from '../domain/device-sources';
import { type Participant, participantKey } from '../domain/participant';
import { recordDeviceOwners } from '../features/journey/device-owners';
import { clearPersonChanged, peopleChanged } from '../features/old-mdm/person-changes';
import { listWaves, waveMembersOf } from '../features/waves';
import type { Logger } from '../logging';
import type { Clock } from '../ports/clock';
import type { DeviceChanges } from '../ports/device-changes';
import type { JobState, Store, Stored } from '../ports/store';
import { forEachBounded } from '../shared/bounded';
import {
  applyInBulk,
  BULK_THRESHOLD,
  chooseDeviceSource,
  listDeviceOwners,
  listParticipants,
} from './progress-baseline';
import { type CycleReport, emptyReport, readCursor } from './progress-cursor';
import type { Job } from './scheduler';

export type { CycleReport } from './progress-cursor';

export const PROGRESS_REFRESH_JOB = 'progress-refresh';
export const PROGRESS_REFRESH_CURSOR_KEY = { partitionKey: 'job', rowKey: PROGRESS_REFRESH_JOB } as const;

export interface ProgressRefresherDeps {
  changes: DeviceChanges;
  store: Store;
  clock: Clock;
  logger: Logger;
  /**
   * A person's old-MDM inventory entries, merged into every look-up (src/domain/device-sources.ts);
   * absent: Graph alone.
   */
  oldMdmOf?: (aadObjectId: string) => Promise<OldMdmEntry[]>;
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
  /** Participants that failed and are retried with a full look-up next cycle; more fails the whole cycle. Default 400. */
  maxRetries?: number;
  /** Cycles a failing participant is retried before it is given up (logged as an error). Default 5. */
  maxAttemptsPerParticipant?: number;
  /** People whose old-MDM devices changed, taken per cycle (the rest wait for the next). Default 2,000. */
  oldMdmPeoplePerCycle?: number;
  /** From this many rows on, storage is read by whole partitions and written in transactions. Default 2,000. */
  bulkThreshold?: number;
}

const DEFAULTS: Required<ProgressRefresherOptions> = {
  intervalMs: 60_000,
  clockSkewMs: 120_000,
  firstCycleLookbackMs: 24 * 3_600_000,
  storageConcurrency: 16,
  maxRetries: 400,
  maxAttemptsPerParticipant: 5,
  oldMdmPeoplePerCycle: 2_000,
  bulkThreshold: BULK_THRESHOLD,
};

/** Everything a cycle learnt about one participant. */
interface Work {
  aadObjectId: string;
  intune: Map<string, IntuneChange>;
  entra: Map<string, EntraChange>;
  failures: EnrollmentFailureReport[];
  /** Found by the wave member scan: only of interest if never initialised… */
  memberScan: boolean;
  /** …or, when new to the scan, if its journeys were created elsewhere and need indexing. */
  newMember: boolean;
  retry: boolean;
  /** The old MDM's inventory of this person changed (the marker's time, to clear it afterwards). */
  oldMdmChangedAt?: string;
}

interface Plan {
  work: Work;
  /** The participant's row as planned on (its ETag guards the bulk write). */
  stored: Stored<Participant>;
  userPrincipalName: string;
  lookup: boolean;
  initialise: boolean;
  /** The participant's journey keys when planned: old-MDM devices no longer listed stay in view for these. */
  tracked: ReadonlySet<string>;
}

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

    // 1. What changed, according to the device directory.
    const round = await this.deps.changes.changedSince(since, cursor.deltaLink, signal);
    report.intuneRecords = round.intune.length;
    report.entraRecords = round.entra.length;
    report.failureEvents = round.failures.length;
    report.entraResynced = round.entraResynced;

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
    for (const c of round.intune) if (c.userId) workFor(c.userId).intune.set(c.deviceKey, c);
    for (const e of round.failures) if (e.userId) workFor(e.userId).failures.push(e);
    // A full round lists every device: one pass over the index beats a point read per device.
    const index =
      round.entra.length >= this.options.bulkThreshold
        ? await listDeviceOwners(store.deviceOwners, this.options.storageConcurrency)
        : undefined;
    await this.forEach(round.entra, signal, async (c) => {
      const owner = index
        ? index.get(deviceOwnerKey(c.deviceKey).rowKey)
        : (await store.deviceOwners.get(deviceOwnerKey(c.deviceKey)))?.value.aadObjectId;
      if (owner) workFor(owner).entra.set(c.deviceKey, c);
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
    if (this.deps.oldMdmOf) {
      const changed = await peopleChanged(store, this.options.oldMdmPeoplePerCycle);
      for (const c of changed) workFor(c.aadObjectId).oldMdmChangedAt = c.changedAt;
    }

    // 4. Read each participant and decide whether its changes can be applied as they are.
    const failed = new Map<string, unknown>();
    const plans: Plan[] = [];
    const rows =
      work.size >= this.options.bulkThreshold
        ? await listParticipants(store.participants, this.options.storageConcurrency)
        : undefined;
    await this.forEach(work.values(), signal, async (w) => {
      try {
        const stored = rows
          ? rows.get(w.aadObjectId)
          : await store.participants.get(participantKey(w.aadObjectId));
        const plan = await this.plan(w, stored, waves, report);
        if (plan) plans.push(plan);
      } catch (err) {
        failed.set(w.aadObjectId, err);
      }
    });

    // 5. Full look-ups of the users the changes cannot settle, or one read of the whole tenant.
    const users = plans
      .filter((p) => p.lookup)
      .map((p) => ({ id: p.work.aadObjectId, userPrincipalName: p.userPrincipalName }));
    const choice = chooseDeviceSource(
      this.deps.changes,
      users.length,
      round.entraResynced ? { entraDevices: round.entra.length } : undefined,
      cursor.tenantManagedDevices,
    );
    let tenantManagedDevices = cursor.tenantManagedDevices;
    let lookups: Map<string, DeviceObservation[] | Error>;
    if (users.length > 0)
      this.deps.logger.info(
        { job: this.name, users: users.length, ...choice },
        `progress refresh: devices by ${choice.source} (estimated requests: look-ups ${choice.lookUpRequests}, tenant-wide ${choice.tenantWideRequests ?? 'n/a'})`,
      );
    if (choice.source === 'tenant-wide') {
      const tenant = await this.deps.changes.readTenant(signal);
      tenantManagedDevices = tenant.managedDevices;
      lookups = new Map(users.map((u) => [u.id, tenant.devicesOf(u.id)]));
    } else {
      lookups = await this.deps.changes.lookUp(users, signal);
      report.perUserLookups = lookups.size;
    }
    if (users.length > 0) report.deviceSource = choice.source;

    // 6. Apply and store, then tell the caller: many at once by partitions, else one participant at a
    // time (ETag read-modify-write).
    if (plans.length >= this.options.bulkThreshold)
      await applyInBulk(plans, lookups, {
        store,
        waves,
        failed,
        concurrency: this.options.storageConcurrency,
        now: () => this.deps.clock.now(),
        oldMdmOf: this.deps.oldMdmOf,
        changed: (plan, written, result) => this.changed(plan, written, result, report),
        signal,
      });
    else
      await this.forEach(plans, signal, async (plan) => {
        const id = plan.work.aadObjectId;
        try {
          const graph = lookups.get(id);
          if (graph instanceof Error) throw graph;
          const oldMdm = graph && this.deps.oldMdmOf ? await this.deps.oldMdmOf(id) : undefined;
          const looked = graph && oldMdm ? mergeSources(graph, oldMdm, plan.tracked) : graph;
          await this.apply(plan, looked, waves, report);
          const changedAt = plan.work.oldMdmChangedAt;
          if (changedAt !== undefined) await clearPersonChanged(store, id, changedAt);
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
      deltaLink: round.entraCursor,
      lastCycleStartedAt: started.toISOString(),
      memberScans: JSON.stringify(memberScans),
      retry: JSON.stringify(retry),
      ...(tenantManagedDevices !== undefined ? { tenantManagedDevices } : {}),
    };
    await store.jobState.update(PROGRESS_REFRESH_CURSOR_KEY, () => next);
    report.durationMs = clock.now().getTime() - started.getTime();
    return report;
  }

  // ---- Storage ----------------------------------------------------------------------------------

  private async activeWaves(): Promise<Map<string, Wave>> {
    const waves = await listWaves(this.deps.store);
    return new Map(waves.filter((w) => ACTIVE_WAVE_STATES.includes(w.state)).map((w) => [w.id, w]));
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
      for await (const member of waveMembersOf(this.deps.store, wave.id)) {
        const added = Date.parse(member.addedAt);
        if (!Number.isFinite(from) || !Number.isFinite(added)) found(member.aadObjectId, true);
        else if (added >= from) found(member.aadObjectId, added >= last);
      }
      scans[wave.id] = started.toISOString();
    }
    return scans;
  }

  private async plan(
    w: Work,
    stored: Stored<Participant> | undefined,
    waves: Map<string, Wave>,
    report: CycleReport,
  ): Promise<Plan | undefined> {
    const hasChanges = w.intune.size > 0 || w.entra.size > 0 || w.failures.length > 0;
    const p = stored?.value;
    if (!p?.waveId || !waves.has(p.waveId)) {
      // Not ours to follow (no participant, or no active wave): an old-MDM marker has done its job.
      if (w.oldMdmChangedAt !== undefined)
        await clearPersonChanged(this.deps.store, w.aadObjectId, w.oldMdmChangedAt);
      if (p && hasChanges) report.participantsInactive++;
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
    const oldMdm = w.oldMdmChangedAt !== undefined;
    if (!initialise && !hasChanges && !w.retry && !oldMdm) return undefined; // scanned member, already initialised
    report.participantsConsidered++;
    const lookup =
      initialise ||
      w.retry ||
      oldMdm ||
      advanceJourneys(p, w, undefined, this.deps.clock.now()).kind === 'look-up';
    return {
      work: w,
      stored: stored!,
      userPrincipalName: p.userPrincipalName ?? p.aadObjectId,
      lookup,
      initialise,
      tracked: new Set((p.journeys ?? []).map((j) => j.deviceKey.toLowerCase())),
    };
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
    let outcome: JourneyAdvance | undefined;
    const written = await store.participants.update(participantKey(id), (current) => {
      outcome = undefined;
      if (!current?.waveId || current.erasedAt || !waves.has(current.waveId)) return undefined;
      outcome = advanceJourneys(current, plan.work, looked, this.deps.clock.now());
      return outcome.kind === 'advanced' && outcome.changed ? outcome.participant : undefined;
    });
    const result = outcome as JourneyAdvance | undefined;
    if (result?.kind === 'look-up') {
      // The journeys changed under us since planning; a full look-up next cycle settles it.
      throw new Error('the participant changed while its devices were being refreshed');
    }
    if (!written || result?.kind !== 'advanced' || !result.changed) return;
    await this.changed(plan, written, result, report);
  }

  /** Counts a stored change and tells the caller. */
  private async changed(
    plan: Plan,
    written: Participant,
    result: Extract<JourneyAdvance, { kind: 'advanced' }>,
    report: CycleReport,
  ): Promise<void> {
    report.participantsChanged++;
    report.devicesChanged += result.devicesChanged;
    report.journeysCreated += result.created;
    report.escalations += result.effects.filter((e) => e.kind === 'escalate').length;
    if (plan.initialise) report.participantsInitialised++;
    try {
      await this.deps.onChanged(written, result.effects);
    } catch (err) {
      // Stored already: a failed card update must not undo or repeat the change.
      this.deps.logger.error(
        { err, aadObjectId: plan.work.aadObjectId },
        'progress refresh: onChanged failed',
      );
    }
  }

  /** Runs `fn` over the items, `storageConcurrency` at a time; stops taking new items once aborted or failed. */
  private forEach<T>(items: Iterable<T>, signal: AbortSignal | undefined, fn: (item: T) => Promise<void>) {
    return forEachBounded(items, this.options.storageConcurrency, fn, { signal });
  }
}
