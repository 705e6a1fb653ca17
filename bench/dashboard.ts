/**
 * Benchmark: the admin dashboards of a campaign of 100,000 people.
 *
 * Real parts only: one Azurite (in memory) for storage, the production store (with the counting
 * decorator, as at start-up), the counters built as production builds them (the leased repair job's
 * first run: a full recount), and the admin chat's own use cases — `campaignHome` and `waveHome`, the
 * services and Adaptive Card templates the admin's "home" and "open wave" answer with. Seeded: 8 waves
 * from a closed pilot to a draft, members with 0–3 devices each in funnel stages that follow their
 * wave's progress (some stuck, waiting for IT or excluded), index-only members, helpdesk tickets in
 * every state (some with an earlier ticket), and each announced wave's broadcast with its deliveries
 * (one still sending). Seeding is not measured: rows go in through the repository port's entity-group
 * transactions, 100 per partition at a time.
 *
 * Then the admin home and one wave's dashboard (an active wave with stuck people, tickets and a
 * broadcast still sending) are rendered 20 times each, one after the other. Every storage HTTP request
 * a render makes is counted where it leaves the process (bench/broadcast-storage-count.ts).
 *
 * Last line:
 *   dashboard: participants=P storage_requests=N p50_ms=A p99_ms=B
 * N = the most storage requests one render made (of the 40); A, B = the 50th and 99th percentile of
 * the 40 renders' times (nearest rank: with 40 renders B is the slowest). Aim: N ≤ 50, B < 1,000.
 * Exits 1 when a number on either card differs from the seeded truth (the people, statuses, funnel,
 * tickets, deliveries and stuck people, computed from the seeded rows with the read-everything
 * `waveStats`), 2 when it could not run.
 * Flags: --participants N (1,000–100,000; default 100,000, or BENCH_PARTICIPANTS).
 * Run: npm run bench:dashboard [-- --participants 10000]   (see docs/bench/dashboard.md)
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { TurnContext } from 'botbuilder';
import { userStatusLabel } from '../src/cards/dashboard-format';
import type { CardJson } from '../src/cards/render';
import { readConfig } from '../src/config';
import type { Deps } from '../src/deps';
import { startAzurite } from '../src/dev/azurite';
import {
  type Broadcast,
  type BroadcastKind,
  type BroadcastState,
  broadcastKey,
  type Delivery,
  type DeliveryState,
  deliveryKey,
} from '../src/domain/broadcast';
import { type Campaign, campaignKey, type Wave, waveKey, waveMemberKey } from '../src/domain/campaign';
import type { Platform } from '../src/domain/device';
import { escalationKey, raise } from '../src/domain/escalation';
import type { Escalation } from '../src/domain/escalation-model';
import type { DeviceJourney, FlowStage, JourneyStage, PostCheckResult } from '../src/domain/journey';
import { type Participant, participantKey } from '../src/domain/participant';
import {
  DEFAULT_STUCK_TOP,
  USER_STATUSES,
  type UserStatus,
  type WaveStats,
  waveStats,
} from '../src/domain/wave-stats';
import { campaignHome, waveHome } from '../src/features/admin/dashboards';
import { withCounters } from '../src/features/counters/counting-store';
import { audienceOfActivity } from '../src/features/user-context';
import { loadGuidance } from '../src/guidance/guidance';
import { translator } from '../src/i18n';
import { credentialFor } from '../src/integrations/graph/credential';
import { GraphApi } from '../src/integrations/graph/graph-api';
import { GraphDeviceDirectory } from '../src/integrations/graph/graph-device-directory';
import { createAzureStorage } from '../src/integrations/storage/azure-storage';
import { createLogger } from '../src/logging';
import { systemClock } from '../src/ports/clock';
import type { Messenger } from '../src/ports/messenger';
import { MAX_TRANSACTION_ACTIONS, type Repository } from '../src/ports/store';
import { forEachBounded } from '../src/shared/bounded';
import { CounterRepairJob } from '../src/workers/counter-repair';
import { countStorageRequests, totalOf } from './broadcast-storage-count';
import { intOption, log, runBenchmark } from './shared';

const PARTICIPANTS = intOption('participants', 'BENCH_PARTICIPANTS', 100_000, 1_000, 100_000);
const RENDERS = 20;
const HOUR = 3_600_000;
const TRANSACTIONS_IN_FLIGHT = 8;
const NOW = new Date();
const ago = (hours: number) => new Date(NOW.getTime() - hours * HOUR).toISOString();
const ADMIN_ID = 'bench-admin';

/** Deterministic, so that two runs seed the same campaign. */
let seed = 0x5eed;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
}
const between = (lo: number, hi: number) => lo + random() * (hi - lo);
function pick<T>(weighted: readonly (readonly [T, number])[]): T {
  let r = random() * weighted.reduce((n, [, w]) => n + w, 0);
  for (const [v, w] of weighted) {
    r -= w;
    if (r < 0) return v;
  }
  return weighted[weighted.length - 1]![0];
}

/** Name, state and how far along its people are (share of devices done). */
const WAVE_PLAN: readonly (readonly [string, Wave['state'], number])[] = [
  ['Pilot', 'closed', 0.95],
  ['Wave 1', 'closed', 0.9],
  ['Wave 2', 'evaluating', 0.8],
  ['Wave 3', 'active', 0.55],
  ['Wave 4', 'active', 0.35],
  ['Wave 5', 'announced', 0.1],
  ['Wave 6', 'scheduled', 0],
  ['Wave 7', 'draft', 0],
];
/** The wave whose dashboard is rendered: active, with stuck people, tickets and a broadcast sending. */
const OPENED = 3;

const PLATFORM_MIX: readonly (readonly [Platform, number])[] = [
  ['ios', 35],
  ['android', 25],
  ['windows', 25],
  ['macos', 8],
  ['ipados', 5],
  ['other', 2],
];
const EARLY: readonly FlowStage[] = ['notified', 'started', 'unenrolling', 'unenrolled', 'enrolling'];
const ALL_YES: Omit<PostCheckResult, 'at'> = {
  email: 'yes',
  wifi: 'yes',
  vpn: 'yes',
  certificates: 'yes',
  apps: 'yes',
};

/** How long a device has been in its stage: started … compliant ones mostly within the 8 h, some far beyond. */
function hoursInStage(stage: JourneyStage): number {
  const active = ['started', 'unenrolling', 'unenrolled', 'enrolling', 'enrolled', 'compliant'].includes(
    stage,
  );
  if (!active) return between(1, 500);
  return random() < 0.85 ? between(0.5, 7) : between(10, 300);
}

function journey(owner: string, n: number, progress: number): DeviceJourney {
  const platform = pick(PLATFORM_MIX);
  const r = random();
  let stage: JourneyStage;
  let from: FlowStage = 'notified';
  if (progress === 0) stage = 'notified';
  else if (r < 0.03) stage = 'excluded';
  else if (r < 0.06) {
    stage = 'needs-it';
    from = pick(EARLY.map((s) => [s, 1] as const));
  } else if (r < 0.06 + progress * 0.8) stage = 'verified';
  else if (r < 0.06 + progress * 0.94) stage = random() < 0.5 ? 'compliant' : 'enrolled';
  else stage = pick(EARLY.map((s) => [s, 1] as const));
  const since = ago(hoursInStage(stage));
  const j: DeviceJourney = {
    deviceKey: `${owner}-d${n}`,
    name: `${platform}-${n}`,
    platform,
    stage,
    stageSince: since,
    history: [{ stage, at: since, cause: 'created' }],
    flags: { dualEnrollment: false },
  };
  if (stage === 'needs-it') j.needsIt = { reason: 'supervised', at: since, from };
  if (stage === 'excluded') j.exclusion = { reason: 'kiosk', by: ADMIN_ID, at: since, from: 'notified' };
  if (stage === 'verified' || (stage === 'compliant' && random() < 0.3))
    j.flags.postCheck = { ...ALL_YES, ...(random() < 0.1 ? { vpn: 'no' } : {}), at: since };
  if (stage === 'enrolling' && random() < 0.2)
    j.flags.enrollmentFailure = { category: 'authentication', at: since };
  return j;
}

function ticket(p: Participant, waveId: string): Escalation {
  const created = between(2, 400);
  const raised = raise(
    undefined,
    {
      participant: { aadObjectId: p.aadObjectId, waveId, displayName: p.displayName },
      trigger: { reason: 'user-stuck', deviceKey: p.journeys?.[0]?.deviceKey ?? '' },
    },
    new Date(ago(created)),
  );
  if (!raised.ok) throw new Error('could not raise a seeded ticket');
  const state = pick<Escalation['state']>([
    ['open', 25],
    ['assigned', 20],
    ['waiting-on-user', 10],
    ['resolved', 45],
  ]);
  const e: Escalation = { ...raised.escalation, state };
  const assigned = created - between(0.1, Math.min(created - 1, 5));
  if (state !== 'open') {
    e.firstAssignedAt = ago(assigned);
    e.assignee = { aadObjectId: 'bench-agent' };
  }
  if (state === 'resolved') e.resolvedAt = ago(between(0.5, assigned));
  if (random() < 0.1) {
    const before = created + between(24, 200);
    e.earlier = [
      {
        ticketId: `${p.aadObjectId}-1`,
        waveId,
        createdAt: ago(before),
        firstAssignedAt: ago(before - 1),
        resolvedAt: ago(before - 6),
        reasons: ['user-stuck'],
        withdrawn: false,
        reopenCount: 0,
      },
    ];
    e.ticketId = `${p.aadObjectId}-2`;
    e.ticketNumber = 2;
  }
  return e;
}

interface Campaign100k {
  waves: Wave[];
  /** Per wave: every member, a stand-in without devices for those with no participant row. */
  members: Map<string, Participant[]>;
  rows: Participant[];
  indexOnly: { waveId: string; id: string }[];
  escalations: Map<string, Escalation>;
  broadcasts: Broadcast[];
  deliveries: Delivery[];
}

function generate(): Campaign100k {
  const out: Campaign100k = {
    waves: [],
    members: new Map(),
    rows: [],
    indexOnly: [],
    escalations: new Map(),
    broadcasts: [],
    deliveries: [],
  };
  WAVE_PLAN.forEach(([name, state, _], order) => {
    out.waves.push({
      id: `wave-${order}`,
      name,
      order,
      state,
      conditionalAccess: { kind: 'none' },
      reminders: { deferralLimit: 3, enabled: true },
      estimatedMinutes: 20,
      createdAt: ago(24 * 90),
      startAt: ago(24 * (60 - order * 10)),
      deadline: ago(24 * (40 - order * 10)),
      helpdeskCapacityPerDay: 40,
    });
    out.members.set(`wave-${order}`, []);
  });
  for (let i = 0; i < PARTICIPANTS; i++) {
    const w = i % WAVE_PLAN.length;
    const waveId = `wave-${w}`;
    const progress = WAVE_PLAN[w]![2];
    const id = `00000000-bench-${i.toString().padStart(6, '0')}`;
    const p: Participant = {
      aadObjectId: id,
      displayName: `Person ${i}`,
      userPrincipalName: `person${i}@contoso.example`,
      firstSeenAt: ago(24 * 80),
      lastSeenAt: ago(between(0, 200)),
      version: 1,
      waveId,
      journeys: [],
    };
    out.members.get(waveId)!.push(p);
    if (random() < 0.03) {
      out.indexOnly.push({ waveId, id });
      continue;
    }
    const devices = pick([
      [0, 4],
      [1, 55],
      [2, 33],
      [3, 8],
    ] as const);
    p.journeys = Array.from({ length: devices }, (_, n) => journey(id, n, progress));
    out.rows.push(p);
    if (progress > 0 && random() < 0.07) out.escalations.set(id, ticket(p, waveId));
  }
  // Each announced wave's announcement, all sent; wave 3 also has a reminder still going out.
  for (const [w, plan] of WAVE_PLAN.entries()) {
    if (plan[2] === 0) continue;
    const waveId = `wave-${w}`;
    const sends: { id: string; kind: BroadcastKind; state: BroadcastState; hours: number }[] = [
      { id: `announce-${w}`, kind: 'announcement', state: 'done', hours: 24 * 30 },
    ];
    if (w === OPENED) sends.push({ id: `remind-${w}`, kind: 'stragglers', state: 'sending', hours: 1 });
    for (const b of sends) {
      const members = out.members.get(waveId)!;
      out.broadcasts.push({
        id: b.id,
        kind: b.kind,
        waveId,
        state: b.state,
        createdAt: ago(b.hours + 1),
        confirmedAt: ago(b.hours),
        createdBy: { aadObjectId: ADMIN_ID },
        recipientCount: members.length,
      });
      for (const m of members) {
        const state: DeliveryState =
          b.state === 'done'
            ? pick([
                ['sent', 95],
                ['failed', 4],
                ['uncertain', 1],
              ])
            : pick([
                ['sent', 60],
                ['queued', 30],
                ['sending', 2],
                ['failed', 6],
                ['uncertain', 2],
              ]);
        const reason = pick<NonNullable<Delivery['reason']>>([
          ['app-install-blocked', 5],
          ['user-not-found', 2],
          ['retries-exhausted', 2],
          ['rejected', 1],
        ]);
        out.deliveries.push({
          broadcastId: b.id,
          aadObjectId: m.aadObjectId,
          state,
          attempts: 1,
          ...(state === 'failed' ? { reason } : {}),
          queuedAt: ago(b.hours),
          updatedAt: ago(b.hours - 0.5),
        });
      }
    }
  }
  // A newer draft (not sent): the dashboard shows the newest broadcast that went out, not this one.
  out.broadcasts.push({
    id: 'draft-3',
    kind: 'stragglers',
    waveId: `wave-${OPENED}`,
    state: 'draft',
    createdAt: ago(0.2),
    createdBy: { aadObjectId: ADMIN_ID },
    recipientCount: 0,
  });
  return out;
}

/** Rows through the repository's entity-group transactions: grouped by partition, 100 at a time. */
async function seedRows<T>(
  repo: Repository<T>,
  rows: readonly { key: { partitionKey: string; rowKey: string }; value: T }[],
): Promise<void> {
  const byPartition = new Map<string, { kind: 'insert'; rowKey: string; value: T }[]>();
  for (const { key, value } of rows) {
    const list = byPartition.get(key.partitionKey) ?? [];
    list.push({ kind: 'insert', rowKey: key.rowKey, value });
    byPartition.set(key.partitionKey, list);
  }
  const batches: { pk: string; actions: { kind: 'insert'; rowKey: string; value: T }[] }[] = [];
  for (const [pk, actions] of byPartition)
    for (let i = 0; i < actions.length; i += MAX_TRANSACTION_ACTIONS)
      batches.push({ pk, actions: actions.slice(i, i + MAX_TRANSACTION_ACTIONS) });
  await forEachBounded(batches, TRANSACTIONS_IN_FLIGHT, (b) => repo.transact(b.pk, b.actions));
}

// ---------------------------------------------------------------------------------------------
// Reading the numbers back off the rendered cards

type Node = Record<string, unknown>;
function nodesOf(card: unknown): Node[] {
  const out: Node[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      out.push(n as Node);
      Object.values(n).forEach(walk);
    }
  };
  walk(card);
  return out;
}

/** The count a fact shows ("12,345" or "1,234 (10%)"): its first number. */
const countIn = (text: string) =>
  Number(/^[\d,.\s\u00a0\u202f]+/.exec(text)?.[0]?.replace(/[^\d]/g, '') ?? Number.NaN);

class CardCheck {
  readonly problems: string[] = [];
  private readonly nodes: Node[];
  constructor(
    private readonly what: string,
    card: CardJson,
  ) {
    this.nodes = nodesOf(card);
  }

  fact(title: string, want: number): void {
    const shown = this.nodes
      .filter((n) => n.title === title && typeof n.value === 'string')
      .map((n) => countIn(n.value as string));
    if (!shown.includes(want))
      this.problems.push(`${this.what}: "${title}" shows ${shown.join('/')}, seeded ${want}`);
  }

  /** A chart's values by legend (a donut's slices, or one bar of a stacked bar chart). */
  chart(title: string, want: Record<string, number>, bar?: string): void {
    // Many waves are split over several bar charts ("Waves by status (1 of 2)"): a bar is looked for in each.
    const charts = this.nodes.filter(
      (n) =>
        String(n.type).startsWith('Chart.') &&
        (n.title === title || String(n.title).startsWith(`${title} (`)),
    );
    let data = charts[0]?.data as Node[] | undefined;
    if (bar !== undefined)
      data = charts.flatMap((ch) => (ch.data as Node[] | undefined) ?? []).find((d) => d.title === bar)
        ?.data as Node[] | undefined;
    const shown = Object.fromEntries((data ?? []).map((d) => [String(d.legend), Number(d.value)]));
    for (const [legend, value] of Object.entries(want))
      if ((shown[legend] ?? 0) !== value)
        this.problems.push(
          `${this.what}: ${title}${bar ? ` / ${bar}` : ''} / ${legend} shows ${shown[legend]}, seeded ${value}`,
        );
  }

  contains(text: string): void {
    if (!this.nodes.some((n) => typeof n.text === 'string' && n.text === text))
      this.problems.push(`${this.what}: does not name ${text.length} characters of a stuck person`);
  }
}

/** English labels by key (the keys are built from states here, as the cards build them). */
const en = () => translator('en') as unknown as (key: string) => string;

function checkHome(card: CardJson, waves: readonly Wave[], truth: Map<string, WaveStats>): string[] {
  const t = en();
  const c = new CardCheck('admin home', card);
  const all = [...truth.values()];
  const sum = (f: (s: WaveStats) => number) => all.reduce((n, s) => n + f(s), 0);
  c.fact(
    t('dashboard.fact.members'),
    sum((s) => s.members),
  );
  c.fact(
    t('dashboard.fact.migrated'),
    sum((s) => s.migratedUsers),
  );
  c.fact(
    t('dashboard.fact.openTickets'),
    sum((s) => s.helpdesk.open + s.helpdesk.assigned + s.helpdesk.waitingOnUser),
  );
  const label = (s: UserStatus) => userStatusLabel(translator('en'), s);
  const byStatus = (pickStats: readonly WaveStats[]) =>
    Object.fromEntries(
      USER_STATUSES.map((s) => [label(s), pickStats.reduce((n, x) => n + x.usersByStatus[s], 0)]),
    );
  c.chart(t('dashboard.chart.usersByStatus'), byStatus(all));
  for (const w of waves) {
    const stats = truth.get(w.id)!;
    if (stats.members > 0) c.chart(t('dashboard.chart.wavesByStatus'), byStatus([stats]), w.name);
  }
  return c.problems;
}

function checkWave(card: CardJson, stats: WaveStats, deliveries: Record<DeliveryState, number>): string[] {
  const t = en();
  const c = new CardCheck('wave dashboard', card);
  c.fact(t('dashboard.fact.members'), stats.members);
  c.fact(t('dashboard.fact.migrated'), stats.migratedUsers);
  c.fact(t('dashboard.fact.devices'), stats.devices);
  const f = stats.funnel;
  c.fact(t('dashboard.funnel.devices'), f.devices);
  for (const [stage, n] of Object.entries(f.reached))
    if (stage !== 'notified') c.fact(t(`dashboard.funnel.stage.${stage}`), n);
  c.fact(t('dashboard.funnel.notStarted'), f.notStarted);
  c.fact(t('dashboard.funnel.needsIt'), f.needsIt);
  c.fact(t('dashboard.funnel.stuck'), f.stuck);
  c.fact(t('dashboard.funnel.excluded'), f.excluded);
  c.fact(t('dashboard.funnel.withoutDevices'), stats.membersWithoutDevices);
  const h = stats.helpdesk;
  c.fact(t('dashboard.helpdesk.tickets'), h.tickets);
  c.fact(t('dashboard.helpdesk.unassigned'), h.open);
  c.fact(t('dashboard.helpdesk.inProgress'), h.assigned + h.waitingOnUser);
  c.fact(t('dashboard.helpdesk.resolved'), h.resolved);
  c.chart(
    t('dashboard.chart.deliveries'),
    Object.fromEntries(Object.entries(deliveries).map(([s, n]) => [t(`dashboard.delivery.state.${s}`), n])),
  );
  for (const u of stats.stuck.top) c.contains(`${u.name} (${u.userPrincipalName})`);
  if (stats.stuck.top.length === 0) c.problems.push('wave dashboard: the seeded wave has nobody stuck');
  return c.problems;
}

// ---------------------------------------------------------------------------------------------

const nobodyToMessage: Messenger = {
  send: () => Promise.reject(new Error('a dashboard sends nothing')),
  update: () => Promise.reject(new Error('a dashboard updates nothing')),
  openPersonalChat: () => Promise.reject(new Error('a dashboard opens no chat')),
};

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

async function main(): Promise<number> {
  log(
    `starting Azurite (in memory); load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const azurite = await startAzurite({ inMemory: true });
  try {
    const logger = createLogger('warn');
    const config = readConfig({
      STORAGE_CONNECTION_STRING: azurite.connectionString,
      GRAPH_BASE_URL: 'http://127.0.0.1:9',
      SOURCE_MDM: 'workspace-one',
      PUBLIC_BASE_URL: 'https://bot.example.com',
    });
    const storage = createAzureStorage({
      connectionString: azurite.connectionString,
      prefix: `db${Date.now().toString(36)}`,
    });
    await storage.ensureCreated();
    const raw = storage.store;

    const c = generate();
    const campaign: Campaign = {
      id: 'default',
      name: 'Contoso to Intune',
      sourceMdm: 'workspace-one',
      voluntaryOptIn: false,
      createdAt: ago(24 * 90),
    };
    await raw.campaigns.insert(campaignKey(), campaign);
    await seedRows(
      raw.waves,
      c.waves.map((w) => ({ key: waveKey(w.id), value: w })),
    );
    await seedRows(
      raw.waveMembers,
      [...c.members.values()].flat().map((p) => ({
        key: waveMemberKey(p.waveId!, p.aadObjectId),
        value: {
          waveId: p.waveId!,
          aadObjectId: p.aadObjectId,
          userPrincipalName: p.userPrincipalName!,
          addedAt: ago(24 * 80),
        },
      })),
    );
    await seedRows(
      raw.participants,
      c.rows.map((p) => ({ key: participantKey(p.aadObjectId), value: p })),
    );
    await seedRows(
      raw.escalations,
      [...c.escalations].map(([id, e]) => ({ key: escalationKey(id), value: e })),
    );
    await seedRows(
      raw.broadcasts,
      c.broadcasts.map((b) => ({ key: broadcastKey(b.id), value: b })),
    );
    await seedRows(
      raw.deliveries,
      c.deliveries.map((d) => ({
        key: deliveryKey(
          c.broadcasts.find((b) => b.id === d.broadcastId) ?? { id: d.broadcastId },
          d.aadObjectId,
        ),
        value: d,
      })),
    );
    log(
      `seeded ${PARTICIPANTS} members in ${c.waves.length} waves (${c.indexOnly.length} without a participant row), ` +
        `${c.escalations.size} tickets, ${c.broadcasts.length} broadcasts, ${c.deliveries.length} deliveries`,
    );

    const store = withCounters(raw, { logger });
    const built = await new CounterRepairJob({ store, logger }).runOnce();
    log(
      `counters built by the repair job: ${built.scopes} scopes, ${built.stuckRowsChanged} stuck-index rows`,
    );

    const deps: Deps = {
      config,
      guidance: loadGuidance(),
      store,
      directory: new GraphDeviceDirectory(
        new GraphApi({
          baseUrl: config.graph.baseUrl,
          credential: credentialFor({ kind: 'simulator' }),
          maxAttempts: 1,
        }),
      ),
      messenger: nobodyToMessage,
      clock: systemClock,
      logger,
      invokeBudgetMs: 4_000,
    };
    const activity = {
      type: 'message',
      locale: 'en-GB',
      from: { id: ADMIN_ID, aadObjectId: ADMIN_ID, name: 'Bench Admin' },
    };
    const turn = {
      deps,
      actor: { aadObjectId: ADMIN_ID, name: 'Bench Admin' },
      audience: audienceOfActivity(activity, deps),
      now: NOW,
      context: { activity } as unknown as TurnContext,
    };

    const stuckAfterMs = config.escalation.stuckAfterHours * HOUR;
    const truth = new Map<string, WaveStats>();
    for (const w of c.waves) {
      const members = c.members.get(w.id)!;
      const tickets = members.flatMap((m) => c.escalations.get(m.aadObjectId) ?? []);
      truth.set(w.id, waveStats(members, tickets, w.id, NOW, { stuckAfterMs, stuckTop: DEFAULT_STUCK_TOP }));
    }
    const opened = c.waves[OPENED]!;
    const sent = c.deliveries.filter((d) => d.broadcastId === `remind-${OPENED}`);
    const deliveries = { sent: 0, queued: 0, sending: 0, failed: 0, uncertain: 0 };
    for (const d of sent) deliveries[d.state] += 1;

    const requests = countStorageRequests(azurite.connectionString);
    const times: number[] = [];
    let most = 0;
    const problems = new Set<string>();
    const render = async (
      what: string,
      run: () => Promise<CardJson>,
      check: (card: CardJson) => string[],
    ) => {
      const before = requests();
      const started = performance.now();
      const card = await run();
      const bytes = Buffer.byteLength(JSON.stringify(card), 'utf8');
      const ms = performance.now() - started;
      const after = requests();
      const n = totalOf(after) - totalOf(before);
      times.push(ms);
      most = Math.max(most, n);
      for (const p of check(card)) problems.add(p);
      return { what, ms, n, table: after.table - before.table, bytes };
    };
    for (let i = 0; i < RENDERS; i++) {
      const home = await render(
        'admin home',
        () => campaignHome(turn),
        (card) => checkHome(card, c.waves, truth),
      );
      const wave = await render(
        'wave dashboard',
        () => waveHome(turn, opened.id),
        (card) => checkWave(card, truth.get(opened.id)!, deliveries),
      );
      if (i === 0 || i === RENDERS - 1)
        for (const r of [home, wave])
          log(
            `${r.what} #${i + 1}: ${r.n} storage requests (${r.table} table), ${r.ms.toFixed(0)} ms, ${r.bytes} bytes`,
          );
    }
    for (const p of problems) process.stderr.write(`WRONG ${p}\n`);
    const sorted = [...times].sort((a, b) => a - b);
    log(
      `load ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}; aim: storage_requests ≤ 50, p99_ms < 1000`,
    );
    process.stdout.write(
      `dashboard: participants=${PARTICIPANTS} storage_requests=${most} ` +
        `p50_ms=${Math.round(percentile(sorted, 0.5))} p99_ms=${Math.round(percentile(sorted, 0.99))}\n`,
    );
    return problems.size > 0 ? 1 : 0;
  } finally {
    await azurite.stop();
  }
}

runBenchmark('bench:dashboard', main);
