import assert from 'node:assert/strict';
import * as AC from 'adaptivecards';
import { MAX_BAR_ENTRIES } from '../../../src/cards/charts';
import { type CardJson, MAX_CARD_BYTES } from '../../../src/cards/render';
import type { Deps } from '../../../src/deps';
import { type Broadcast, broadcastKey, type Delivery, deliveryKey } from '../../../src/domain/broadcast';
import { type Campaign, campaignKey, type Wave, waveKey, waveMemberKey } from '../../../src/domain/campaign';
import type { Platform } from '../../../src/domain/device';
import { escalationKey, raise } from '../../../src/domain/escalation';
import type { Escalation } from '../../../src/domain/escalation-model';
import { type InventoryDevice, inventoryKey } from '../../../src/domain/inventory';
import type { DeviceJourney, JourneyStage, PostCheckResult } from '../../../src/domain/journey';
import { type Participant, participantKey } from '../../../src/domain/participant';
import {
  announceBlockOf,
  announceDecision,
  campaignDashboard,
  waveDashboard,
} from '../../../src/features/admin/dashboard-service';
import { SCAN_FROM_MEMBERS } from '../../../src/features/counters/recount';
import { writeSyncState } from '../../../src/features/old-mdm/sync-state';
import type { Store } from '../../../src/ports/store';
import { ADMIN_INPUTS, ADMIN_VERBS } from '../../../src/verbs/admin';
import { testDeps, textOf } from '../../helpers/activities';
import { InMemoryStore } from '../../helpers/fakes';
import { freshStorage } from '../../helpers/storage';

const HOUR = 3_600_000;
/** Monday 30 November 2026, 10:00 in Stockholm. */
const NOW = new Date('2026-11-30T09:00:00Z');
const ago = (hours: number) => new Date(NOW.getTime() - hours * HOUR).toISOString();

type Element = Record<string, unknown>;

/** Every object in the card (elements, actions, data), depth first. */
function nodes(card: unknown): Element[] {
  const out: Element[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      out.push(n as Element);
      Object.values(n).forEach(walk);
    }
  };
  walk(card);
  return out;
}

const chartsOf = (card: CardJson) => nodes(card).filter((n) => String(n.type).startsWith('Chart.'));
const chart = (card: CardJson, id: string) => chartsOf(card).find((c) => c.id === id);
const actions = (card: unknown) =>
  nodes(card).filter((n) => n.type === 'Action.Execute') as { title: string; verb: string; data: Element }[];
const action = (card: CardJson, title: string) => actions(card).find((a) => a.title === title);
/** The value of a FactSet fact by its title (the first one). */
const fact = (card: CardJson, title: string) =>
  (nodes(card).find((n) => n.title === title && typeof n.value === 'string') as { value: string } | undefined)
    ?.value;

/**
 * Parses the card as the Adaptive Cards SDK does. It does not know Teams' chart elements: those may
 * be reported as unknown (their fallbacks are checked separately), nothing else may.
 */
function problemsOf(card: object): string[] {
  const ac = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext();
  ac.parse(card, ctx);
  const problems: string[] = [];
  for (let i = 0; i < ctx.eventCount; i++) problems.push(ctx.getEventAt(i).message);
  for (const e of ac.validateProperties().validationEvents) problems.push(e.message);
  return problems.filter(
    (p) => !/^Unknown element type "Chart\.(Donut|VerticalBar|HorizontalBar\.Stacked)"/.test(p),
  );
}

/** What the Teams chart renderer insists on, or it drops the whole card. */
function assertChartsRenderable(card: CardJson) {
  for (const c of chartsOf(card)) {
    const data = c.data as unknown[];
    assert.ok(Array.isArray(data) && data.length > 0, `${c.id} has data`);
    if (c.type !== 'Chart.Donut')
      assert.ok(data.length <= MAX_BAR_ENTRIES, `${c.id}: at most ${MAX_BAR_ENTRIES} entries`);
    const fallback = c.fallback as Element | undefined;
    assert.equal(fallback?.type, 'Container', `${c.id} falls back to its text summary`);
    assert.ok(textOf(fallback).trim().length > 0);
  }
  assert.deepEqual(problemsOf(card), []);
  assert.equal(card.version, '1.5');
  assert.ok(Buffer.byteLength(JSON.stringify(card), 'utf8') < MAX_CARD_BYTES);
}

// ---------------------------------------------------------------------------------------------
// A small campaign: volunteers (not gated), a pilot being evaluated, wave 1 scheduled, wave 2 draft.

const yes: PostCheckResult = {
  email: 'yes',
  wifi: 'yes',
  vpn: 'yes',
  certificates: 'yes',
  apps: 'yes',
  at: ago(5),
};

function journey(
  key: string,
  platform: Platform,
  stage: JourneyStage,
  hoursInStage = 1,
  extra: Partial<DeviceJourney> = {},
): DeviceJourney {
  const since = ago(hoursInStage);
  return {
    deviceKey: key,
    name: key,
    platform,
    stage,
    stageSince: since,
    history: [{ stage, at: since, cause: 'created' }],
    flags: { dualEnrollment: false },
    ...extra,
  };
}

function wave(
  id: string,
  name: string,
  order: number,
  state: Wave['state'],
  extra: Partial<Wave> = {},
): Wave {
  return {
    id,
    name,
    order,
    state,
    conditionalAccess: { kind: 'none' },
    reminders: { enabled: true, deferralLimit: 3 },
    estimatedMinutes: 20,
    createdAt: ago(24 * 30),
    ...extra,
  };
}

const WAVES = {
  volunteers: wave('volunteers', 'Early birds', 0, 'active'),
  pilot: wave('pilot', 'Pilot', 0, 'evaluating'),
  ring1: wave('ring-1', 'Wave 1', 1, 'scheduled', {
    // Monday 7 December 08:00 to Friday 18 December 17:00 (Stockholm): 10 working days.
    startAt: '2026-12-07T07:00:00Z',
    conditionalAccess: { kind: 'grace', endsAt: '2026-12-18T16:00:00Z' },
    helpdeskCapacityPerDay: 2,
  }),
  ring2: wave('ring-2', 'Wave 2', 2, 'draft'),
};

interface Person {
  id: string;
  name: string;
  wave: keyof typeof WAVES;
  journeys: DeviceJourney[];
  ticket?: 'open' | 'resolved';
}

const PEOPLE: Person[] = [
  // pilot: 5 members, 4 with devices
  {
    id: 'ann',
    name: 'Ann Pilot',
    wave: 'pilot',
    journeys: [
      journey('ann-phone', 'ios', 'verified', 30, { flags: { dualEnrollment: false, postCheck: yes } }),
    ],
  },
  {
    id: 'bob',
    name: 'Bob Pilot',
    wave: 'pilot',
    journeys: [
      journey('bob-laptop', 'windows', 'enrolling', 50),
      journey('bob-phone', 'android', 'compliant', 2),
    ],
    ticket: 'open',
  },
  {
    id: 'cai',
    name: 'Cai Pilot',
    wave: 'pilot',
    journeys: [
      journey('cai-mac', 'macos', 'compliant', 3, {
        flags: { dualEnrollment: false, postCheck: { ...yes, vpn: 'no' } },
      }),
    ],
    ticket: 'resolved',
  },
  {
    id: 'dee',
    name: 'Dee Pilot',
    wave: 'pilot',
    journeys: [journey('dee-ipad', 'ipados', 'unenrolling', 20)],
  },
  { id: 'eli', name: 'Eli Pilot', wave: 'pilot', journeys: [] },
  // volunteers: 2 members, one ticket
  {
    id: 'vic',
    name: 'Vic Volunteer',
    wave: 'volunteers',
    journeys: [journey('vic-phone', 'ios', 'verified', 40)],
    ticket: 'resolved',
  },
  {
    id: 'val',
    name: 'Val Volunteer',
    wave: 'volunteers',
    journeys: [journey('val-phone', 'android', 'started', 2)],
  },
  // wave 1: 10 members, not started
  ...Array.from({ length: 10 }, (_, i) => ({
    id: `w1-${i}`,
    name: `Wave One ${i}`,
    wave: 'ring1' as const,
    journeys: [journey(`w1-${i}-phone`, 'ios' as const, 'notified' as const, 5)],
  })),
];

function ticket(p: Person): Escalation {
  const r = raise(
    undefined,
    {
      participant: { aadObjectId: p.id, waveId: WAVES[p.wave].id, displayName: p.name },
      trigger: { reason: 'user-stuck', deviceKey: p.journeys[0]?.deviceKey ?? '' },
    },
    new Date(ago(10)),
  );
  assert.ok(r.ok);
  if (p.ticket === 'open') return r.escalation;
  return { ...r.escalation, state: 'resolved', resolvedAt: ago(9) };
}

const BROADCAST: Broadcast = {
  id: 'b-2',
  kind: 'announcement',
  waveId: 'pilot',
  state: 'done',
  createdAt: ago(48),
  confirmedAt: ago(47),
  createdBy: { aadObjectId: 'admin-1', name: 'Admin' },
  recipientCount: 5,
};

async function seed(store: Store, people: readonly Person[] = PEOPLE) {
  const campaign: Campaign = {
    id: 'default',
    name: 'Contoso to Intune',
    sourceMdm: 'workspace-one',
    voluntaryOptIn: true,
    voluntaryWaveId: 'volunteers',
    createdAt: ago(24 * 30),
  };
  await store.campaigns.insert(campaignKey(), campaign);
  for (const w of Object.values(WAVES)) await store.waves.insert(waveKey(w.id), w);
  for (const p of people) {
    const waveId = WAVES[p.wave].id;
    await store.waveMembers.insert(waveMemberKey(waveId, p.id), {
      waveId,
      aadObjectId: p.id,
      userPrincipalName: `${p.id}@example.com`,
      addedAt: ago(24 * 20),
    });
    if (p.id === 'eli') continue; // imported, never reached: no participant row
    const participant: Participant = {
      aadObjectId: p.id,
      displayName: p.name,
      userPrincipalName: `${p.id}@example.com`,
      firstSeenAt: ago(24 * 20),
      lastSeenAt: ago(1),
      version: 1,
      waveId,
      journeys: p.journeys,
    };
    await store.participants.insert(participantKey(p.id), participant);
    if (p.ticket) await store.escalations.insert(escalationKey(p.id), ticket(p));
  }
  // An older broadcast and a draft: the report shows the newest one that went out.
  await store.broadcasts.insert(broadcastKey('b-1'), { ...BROADCAST, id: 'b-1', createdAt: ago(100) });
  await store.broadcasts.insert(broadcastKey('b-3'), {
    ...BROADCAST,
    id: 'b-3',
    state: 'draft',
    createdAt: ago(1),
  });
  await store.broadcasts.insert(broadcastKey('b-2'), BROADCAST);
  await store.broadcasts.insert(broadcastKey('b-9'), {
    ...BROADCAST,
    id: 'b-9',
    waveId: 'ring-1',
    createdAt: ago(2),
  });
  const delivery = (id: string, state: Delivery['state'], reason?: Delivery['reason']): Delivery => ({
    broadcastId: 'b-2',
    aadObjectId: id,
    state,
    attempts: 1,
    ...(reason ? { reason } : {}),
    queuedAt: ago(47),
    updatedAt: ago(46),
  });
  for (const d of [
    delivery('ann', 'sent'),
    delivery('bob', 'sent'),
    delivery('cai', 'failed', 'app-install-blocked'),
    delivery('dee', 'failed', 'app-install-blocked'),
    delivery('eli', 'failed', 'user-not-found'),
  ]) {
    await store.deliveries.insert(deliveryKey({ id: 'b-2' }, d.aadObjectId), d);
  }
}

function depsWith(store: Store): Deps {
  const { deps } = testDeps({ store });
  return {
    ...deps,
    config: {
      ...deps.config,
      defaults: { ...deps.config.defaults, locale: 'en-GB', timeZone: 'Europe/Stockholm' },
      escalation: { stuckAfterHours: 8, noncompliantAfterHours: 24, slaAssignMinutes: 60 },
    },
  };
}

async function seeded() {
  const store = new InMemoryStore();
  await seed(store);
  return { store, deps: depsWith(store) };
}

describe('admin dashboards', () => {
  describe('wave dashboard', () => {
    it('shows the pilot’s funnel, platforms, gate, stuck people, helpdesk load and delivery report', async () => {
      const { deps } = await seeded();
      const card = await waveDashboard(deps, 'pilot', 'en', NOW);
      assert.ok(card);
      assertChartsRenderable(card);
      const text = textOf(card);

      // 5 members (eli has no row yet), 1 migrated; 5 devices
      assert.equal(fact(card, 'People'), '5');
      assert.equal(fact(card, 'Migrated'), '1 (20%)');
      assert.equal(fact(card, 'Devices'), '5');

      // Funnel chart = stats: all 5 started; old MDM removed 4 (not dee's iPad); in Intune 3; done 1 (ann)
      assert.deepEqual(chart(card, 'chart-funnel')?.data, [
        { x: 'Started', y: 5 },
        { x: 'Old MDM removed', y: 4 },
        { x: 'In Intune', y: 3 },
        { x: 'Done', y: 1 },
      ]);
      assert.equal(fact(card, 'Enrolling in Intune or further'), '4 (80%)');
      assert.equal(fact(card, 'People with no device found yet'), '1');

      // Platforms: five of them → two stacked charts (the renderer takes four rows)
      const p1 = chart(card, 'chart-platforms-1');
      const p2 = chart(card, 'chart-platforms-2');
      assert.equal(p1?.type, 'Chart.HorizontalBar.Stacked');
      assert.deepEqual(
        (p1?.data as { title: string }[]).map((r) => r.title),
        ['iPhone (iOS)', 'iPad (iPadOS)', 'Android', 'Windows'],
      );
      assert.deepEqual(p2?.data, [
        { title: 'macOS', data: [{ legend: 'In Intune', value: 1, color: 'categoricalBlue' }] },
      ]);
      assert.match(text, /Windows: 1 devices — Needs help 1/);

      // Gate: enrollment 3 of 4 (bob's laptop is still enrolling) fails, tickets 2 per 5 people = 40 per 100 fails,
      // post-checks 1 of 2 fails, compliance 3 of 3 passes.
      assert.match(text, /Enrollment success\n75% \(3 of 4\)\nat least 90%\nFail/);
      assert.match(text, /Tickets per 100 people\n40 \(2 tickets, 5 people\)\nat most 15\nFail/);
      assert.match(text, /Post-enrollment checks passed\n50% \(1 of 2\)\nat least 90%\nFail/);
      assert.match(text, /Compliant in Intune\n100% \(3 of 3\)\nat least 90%\nPass/);
      assert.match(text, /Gate not passed: 3 of 4 criteria are not met\./);

      // Stuck: bob's laptop (50 h enrolling) before dee's iPad (20 h); buttons carry the user
      assert.match(text, /Stuck \(no progress for more than 8 h\)/);
      assert.match(text, /2 people \(2 devices\) are stuck/);
      assert.ok(text.indexOf('Bob Pilot (bob@example.com)') < text.indexOf('Dee Pilot (dee@example.com)'));
      assert.match(text, /bob-laptop \(Windows\) · Enrolling in Intune · for 2 d 2 h · open ticket/);
      const ticketButtons = actions(card).filter((a) => a.verb === ADMIN_VERBS.openTicket);
      assert.deepEqual(
        ticketButtons.map((a) => a.data),
        [{ aadObjectId: 'bob' }],
      ); // dee has no ticket
      assert.deepEqual(
        actions(card)
          .filter((a) => a.verb === ADMIN_VERBS.nudge)
          .map((a) => a.data),
        [{ aadObjectId: 'bob' }, { aadObjectId: 'dee' }],
      );

      // Helpdesk load
      assert.equal(fact(card, 'Tickets'), '2');
      assert.equal(fact(card, 'Waiting for an agent'), '1');
      assert.equal(fact(card, 'Resolved'), '1');

      // Delivery report of b-2 (b-3 is a draft, b-9 belongs to wave 1)
      assert.match(text, /Announcement of .* · finished · 5 recipients/);
      assert.deepEqual(chart(card, 'chart-delivery')?.data, [
        { legend: 'Delivered', value: 2, color: 'good' },
        { legend: 'Failed', value: 3, color: 'attention' },
      ]);
      assert.equal(fact(card, 'Failed'), '3 (60%)');
      assert.match(
        text,
        /Failed, the app could not be installed for the person \(blocked or not allowed\): 2\nFailed, the person is no longer in the directory: 1/,
      );
      assert.deepEqual(action(card, 'Export deliveries (CSV)')?.data, {
        kind: 'deliveries',
        waveId: 'pilot',
        broadcastId: 'b-2',
      });
    });

    it('carries the right verbs and data on every button', async () => {
      const { deps } = await seeded();
      const card = (await waveDashboard(deps, 'pilot', 'en', NOW))!;
      assert.deepEqual(action(card, 'Edit wave'), {
        type: 'Action.Execute',
        title: 'Edit wave',
        verb: ADMIN_VERBS.editWave,
        data: { waveId: 'pilot' },
      });
      assert.deepEqual(action(card, 'Stragglers')?.data, { waveId: 'pilot' });
      assert.equal(action(card, 'Stragglers')?.verb, ADMIN_VERBS.stragglers);
      assert.deepEqual(action(card, 'Export people (CSV)')?.data, { kind: 'participants', waveId: 'pilot' });
      assert.equal(action(card, 'Export people (CSV)')?.verb, ADMIN_VERBS.exportCsv);
      assert.deepEqual(action(card, 'Refresh')?.data, { waveId: 'pilot' });
      assert.equal(action(card, 'Refresh')?.verb, ADMIN_VERBS.refresh);
      assert.equal(action(card, 'Back')?.verb, ADMIN_VERBS.home);
      // The pilot is the first gated wave: it may be announced.
      assert.deepEqual(action(card, 'Announce…')?.data, { waveId: 'pilot' });
      assert.equal(action(card, 'Announce…')?.verb, ADMIN_VERBS.announce);
      assert.match(textOf(card), /This is the first wave: no gate before it\./);
    });

    it('blocks wave 1 while the pilot fails, offering an override of the pilot’s gate with a required reason', async () => {
      const { deps } = await seeded();
      const card = (await waveDashboard(deps, 'ring-1', 'en', NOW))!;
      assertChartsRenderable(card);
      assert.equal(action(card, 'Announce…'), undefined);
      const text = textOf(card);
      assert.match(text, /Not ready to announce: Pilot has not passed the gate\./);
      assert.match(text, /Pilot · Enrollment success: 75% \(3 of 4\), needs at least 90%/);
      const show = nodes(card).find((n) => n.type === 'Action.ShowCard') as { title: string; card: Element };
      assert.equal(show.title, 'Override the gate');
      const input = nodes(show.card).find((n) => n.type === 'Input.Text');
      assert.equal(input?.id, ADMIN_INPUTS.reason);
      assert.equal(input?.isRequired, true);
      const confirm = actions(show.card)[0]!;
      assert.equal(confirm.verb, ADMIN_VERBS.overrideGate);
      // The override is recorded on the pilot, whose gate failed; the admin comes back to ring 1.
      assert.deepEqual(confirm.data, { waveId: 'pilot', returnTo: 'ring-1' });
      assert.equal((confirm as unknown as Element).associatedInputs, 'auto');

      assert.equal(
        await announceBlockOf(deps, WAVES.ring1, 'en', NOW),
        [
          'Not ready to announce: Pilot has not passed the gate.',
          'Pilot · Enrollment success: 75% (3 of 4), needs at least 90%',
          'Pilot · Tickets per 100 people: 40 (2 tickets, 5 people), needs at most 15',
          'Pilot · Post-enrollment checks passed: 50% (1 of 2), needs at least 90%',
        ].join('\n\n'),
      );
    });

    it('lets wave 1 be announced once an admin overrode the pilot’s gate, and says who and why', async () => {
      const { store, deps } = await seeded();
      await store.waves.update(waveKey('pilot'), (w) =>
        w
          ? {
              ...w,
              gateOverride: {
                by: 'admin-1',
                byName: 'Isaiah Langer',
                reason: 'Test devices only',
                at: ago(1),
              },
            }
          : w,
      );
      const card = (await waveDashboard(deps, 'ring-1', 'en', NOW))!;
      assert.deepEqual(action(card, 'Announce…')?.data, { waveId: 'ring-1' });
      assert.equal(
        nodes(card).find((n) => n.type === 'Action.ShowCard'),
        undefined,
      );
      assert.match(textOf(card), /Pilot: overridden by Isaiah Langer on .*: "Test devices only"/);
      assert.equal(await announceBlockOf(deps, WAVES.ring1, 'en', NOW), undefined);
      assert.deepEqual((await announceDecision(deps, 'ring-1', NOW)).allowed, true);
      // The pilot's own dashboard says its gate was overridden.
      const pilot = (await waveDashboard(deps, 'pilot', 'en', NOW))!;
      assert.match(textOf(pilot), /Overridden by Isaiah Langer on .*: "Test devices only"/);
    });

    it('forecasts the next wave’s helpdesk load from the measured rate, with a warning over capacity', async () => {
      const { deps } = await seeded();
      const card = (await waveDashboard(deps, 'pilot', 'en', NOW))!;
      const text = textOf(card);
      // Rate from the completed pilot only (the volunteers are still running): 2 tickets ÷ 5 people = 0.4.
      // Wave 1: 10 people × 0.4 = 4 tickets over 10 working days = 0.4 a day vs capacity 2 → 20 %, fits.
      assert.match(text, /Helpdesk forecast for Wave 1/);
      assert.equal(fact(card, 'People in the wave'), '10');
      assert.equal(fact(card, 'Measured rate'), '0.4 tickets per person (2 tickets from 5 people in Pilot)');
      assert.equal(fact(card, 'Expected tickets'), '4');
      assert.match(fact(card, 'Working days') ?? '', /^10 \(7 Dec 2026, 08:00 to 18 Dec 2026, 17:00\)$/);
      assert.equal(fact(card, 'Expected tickets per working day'), '0.4');
      assert.equal(fact(card, 'Share of capacity'), '20%');
      assert.match(
        fact(card, 'Working days needed at capacity') ?? '',
        /^2 \(an end on 8 Dec 2026, 17:00 or later fits\)$/,
      );
      assert.doesNotMatch(text, /more than the helpdesk/);
    });

    it('warns when the next wave would exceed the helpdesk, and names the earliest end that fits', async () => {
      const store = new InMemoryStore();
      // Wave 1 grows to 100 people: 0.4 × 100 = 40 tickets ÷ 10 days = 4 a day vs capacity 2.
      const more = Array.from({ length: 90 }, (_, i) => ({
        id: `w1-extra-${i}`,
        name: `Extra ${i}`,
        wave: 'ring1' as const,
        journeys: [],
      }));
      await seed(store, [...PEOPLE, ...more]);
      const card = (await waveDashboard(depsWith(store), 'pilot', 'en', NOW))!;
      assert.equal(fact(card, 'Expected tickets'), '40');
      assert.equal(fact(card, 'Expected tickets per working day'), '4');
      assert.equal(fact(card, 'Share of capacity'), '200%');
      // 40 ÷ 2 = 20 working days from Monday 7 December: Friday 1 January 2027 … counting weekdays only.
      assert.match(
        textOf(card),
        /About 4 tickets per working day are expected, more than the helpdesk's 2\. Move the end to 1 Jan 2027, 17:00 or later/,
      );
    });

    it('says when no rate can be measured yet', async () => {
      const store = new InMemoryStore();
      await seed(store);
      await store.waves.update(waveKey('pilot'), (w) => (w ? { ...w, state: 'draft' } : w));
      await store.waves.update(waveKey('volunteers'), (w) => (w ? { ...w, state: 'draft' } : w));
      const card = (await waveDashboard(depsWith(store), 'pilot', 'en', NOW))!;
      assert.match(textOf(card), /No support load can be measured yet/);
      assert.equal(fact(card, 'Expected tickets'), undefined);
    });

    it('renders in Swedish', async () => {
      const { deps } = await seeded();
      const card = (await waveDashboard(deps, 'ring-1', 'sv', NOW))!;
      assertChartsRenderable(card);
      const text = textOf(card);
      assert.match(text, /Inte redo att aviseras: Pilot har inte godkänts i grinden\./);
      assert.match(text, /Vågens grind/);
      assert.ok(action(card, 'Uppdatera'));
      assert.doesNotMatch(text, /dashboard\./);
    });

    it('shows a stored date that does not parse as a dash instead of failing', async () => {
      const { store, deps } = await seeded();
      await store.waves.update(waveKey('ring-1'), (w) => (w ? { ...w, startAt: 'next tuesday' } : w));
      const card = (await waveDashboard(deps, 'ring-1', 'en', NOW))!;
      assert.equal(fact(card, 'Starts'), '—');
    });

    it('answers undefined for a wave that does not exist', async () => {
      const { deps } = await seeded();
      assert.equal(await waveDashboard(deps, 'nope', 'en', NOW), undefined);
      assert.deepEqual(await announceDecision(deps, 'nope', NOW), {
        allowed: false,
        because: 'unknown-wave',
      });
    });
  });

  describe('campaign overview', () => {
    it('lists every wave in order with its numbers and gate, and charts match the stats', async () => {
      const { deps } = await seeded();
      const card = await campaignDashboard(deps, 'en', NOW);
      assertChartsRenderable(card);
      const text = textOf(card);
      assert.match(text, /Migration dashboard: Contoso to Intune/);
      assert.equal(fact(card, 'Waves'), '4');
      assert.equal(fact(card, 'People'), '17');
      assert.equal(fact(card, 'Migrated'), '2 (11.8%)');
      assert.equal(fact(card, 'Open helpdesk tickets'), '1');

      // Statuses: ann, vic done; bob, dee needs help; cai in Intune; val in progress; eli no devices;
      // ten of wave 1 not started.
      assert.deepEqual(chart(card, 'chart-status')?.data, [
        { legend: 'No devices found yet', value: 1, color: 'categoricalMarigold' },
        { legend: 'Not started', value: 10, color: 'neutral' },
        { legend: 'In progress', value: 1, color: 'categoricalLightBlue' },
        { legend: 'In Intune, checks open', value: 1, color: 'categoricalBlue' },
        { legend: 'Done', value: 2, color: 'good' },
        { legend: 'Needs help', value: 2, color: 'attention' },
      ]);
      assert.equal(fact(card, 'Not started'), '10 (58.8%)');

      // Waves with members, in order: Early birds and Pilot share order 0 (by name), then Wave 1.
      const rows = chart(card, 'chart-waves-1')?.data as {
        title: string;
        data: { legend: string; value: number }[];
      }[];
      assert.deepEqual(
        rows.map((r) => [r.title, r.data.map((d) => `${d.legend}=${d.value}`)]),
        [
          ['Early birds (volunteers)', ['In progress=1', 'Done=1']],
          ['Pilot', ['No devices found yet=1', 'In Intune, checks open=1', 'Done=1', 'Needs help=2']],
          ['Wave 1', ['Not started=10']],
        ],
      );
      assert.match(
        text,
        /Pilot\nBeing evaluated · 5 people · 1 \(20%\) migrated\nGate not passed: 3 of 4 criteria are not met\./,
      );
      assert.match(text, /Wave 2\nDraft · 0 people · 0 migrated\nGate not passed: not enough data yet\./);
      assert.deepEqual(
        actions(card)
          .filter((a) => a.verb === ADMIN_VERBS.openWave)
          .map((a) => a.data),
        [{ waveId: 'volunteers' }, { waveId: 'pilot' }, { waveId: 'ring-1' }, { waveId: 'ring-2' }],
      );
      assert.deepEqual(
        (card.actions as { verb: string }[]).map((a) => a.verb),
        [ADMIN_VERBS.editWave, ADMIN_VERBS.stragglers, ADMIN_VERBS.retireReport, ADMIN_VERBS.refresh],
      );
    });

    it('shows an empty campaign without charts', async () => {
      const store = new InMemoryStore();
      const card = await campaignDashboard(depsWith(store), 'en', NOW);
      assertChartsRenderable(card);
      assert.deepEqual(chartsOf(card), []);
      assert.match(textOf(card), /No waves yet\. Start with a small pilot wave\./);
    });
  });

  describe('large waves', () => {
    it('counts a wave never counted with bounded concurrency, then reads only counters; names the ten stuck longest and stays under the size limit', async () => {
      const store = new InMemoryStore();
      await seed(store, []);
      const platforms: Platform[] = ['ios', 'ipados', 'android', 'windows', 'macos', 'other'];
      for (let i = 0; i < 1800; i++) {
        const id = `user-${String(i).padStart(4, '0')}`;
        // 1,500 in the pilot, 300 volunteers: wave 1's dashboard reads both waves at once.
        const waveId = i < 1500 ? 'pilot' : 'volunteers';
        await store.waveMembers.insert(waveMemberKey(waveId, id), {
          waveId,
          aadObjectId: id,
          userPrincipalName: `${id}@example.com`,
          addedAt: ago(500),
        });
        await store.participants.insert(participantKey(id), {
          aadObjectId: id,
          displayName: `A rather long display name for user number ${i}`,
          userPrincipalName: `${id}@example.com`,
          firstSeenAt: ago(500),
          lastSeenAt: ago(1),
          version: 1,
          waveId,
          journeys: [journey(`${id}-d`, platforms[i % platforms.length]!, 'enrolling', 10 + (i % 97))],
        });
      }
      let inFlight = 0;
      let most = 0;
      const get = store.participants.get.bind(store.participants);
      store.participants.get = async (key) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((r) => setImmediate(r));
        try {
          return await get(key);
        } finally {
          inFlight--;
        }
      };
      const card = (await waveDashboard(depsWith(store), 'pilot', 'en', NOW))!;
      assertChartsRenderable(card);
      assert.ok(most > 1 && most <= 16, `reads in flight: ${most}`);
      most = 0;
      const next = (await waveDashboard(depsWith(store), 'ring-1', 'en', NOW))!;
      assert.equal(most, 0, 'the counted waves are read from their counters');
      assert.equal(
        fact(next, 'Measured rate'),
        '0 tickets per person (0 tickets from 1,500 people in Pilot)',
      );
      assert.equal(fact(card, 'People'), '1,500');
      assert.equal(actions(card).filter((a) => a.verb === ADMIN_VERBS.nudge).length, 10);
      assert.match(textOf(card), /1,500 people \(1,500 devices\) are stuck; the 10 stuck longest:/);
    });
  });

  describe('very large waves', () => {
    it(`counts a wave from ${SCAN_FROM_MEMBERS.toLocaleString('en')} members by reading the tables whole, with the same counts`, async () => {
      const store = new InMemoryStore();
      await seed(store);
      // 2,000 more pilot members: imported, never reached (no participant row) ...
      for (let i = 0; i < 2_000; i++) {
        const id = `filler-${String(i).padStart(4, '0')}`;
        await store.waveMembers.insert(waveMemberKey('pilot', id), {
          waveId: 'pilot',
          aadObjectId: id,
          userPrincipalName: `${id}@example.com`,
          addedAt: ago(24 * 20),
        });
        // ... ten of them reached, with no device yet and an open ticket.
        if (i < 10) {
          const person: Person = { id, name: `Filler ${i}`, wave: 'pilot', journeys: [], ticket: 'open' };
          await store.participants.insert(participantKey(id), {
            aadObjectId: id,
            displayName: person.name,
            firstSeenAt: ago(24 * 20),
            lastSeenAt: ago(1),
            version: 1,
            waveId: 'pilot',
          });
          await store.escalations.insert(escalationKey(id), ticket(person));
        }
      }
      // One listed in the pilot's index who has moved to wave 1 since, and 300 people in no wave.
      await store.waveMembers.insert(waveMemberKey('pilot', 'moved'), {
        waveId: 'pilot',
        aadObjectId: 'moved',
        userPrincipalName: 'moved@example.com',
        addedAt: ago(24 * 20),
      });
      await store.participants.insert(participantKey('moved'), {
        aadObjectId: 'moved',
        firstSeenAt: ago(24),
        lastSeenAt: ago(1),
        version: 1,
        waveId: 'ring-1',
      });
      for (let i = 0; i < 300; i++) {
        await store.participants.insert(participantKey(`outside-${i}`), {
          aadObjectId: `outside-${i}`,
          firstSeenAt: ago(24),
          lastSeenAt: ago(1),
          version: 1,
        });
      }
      let pointReads = 0;
      for (const table of [store.participants, store.escalations] as const) {
        const get = table.get.bind(table);
        table.get = ((key: Parameters<typeof get>[0]) => {
          pointReads++;
          return get(key);
        }) as typeof table.get;
      }

      const card = (await waveDashboard(depsWith(store), 'pilot', 'en', NOW))!;
      // The members come from the scan; point reads only for the stuck people the card names.
      assert.ok(pointReads <= 2 * 10, `${pointReads} point reads`);
      assertChartsRenderable(card);
      assert.equal(fact(card, 'People'), '2,005');
      assert.equal(fact(card, 'Devices'), '5');
      assert.equal(fact(card, 'People with no device found yet'), '2,001');
      assert.equal(fact(card, 'Migrated'), '1 (0%)');
      assert.equal(fact(card, 'Tickets'), '12');
      assert.equal(fact(card, 'Waiting for an agent'), '11');
      assert.equal(fact(card, 'Resolved'), '1');
    });
  });

  describe('against Azure Table storage (Azurite)', () => {
    it('builds both dashboards from real tables', async () => {
      const { store } = await freshStorage();
      await seed(store);
      const deps = depsWith(store);
      const wave = (await waveDashboard(deps, 'pilot', 'en', NOW))!;
      assertChartsRenderable(wave);
      assert.equal(fact(wave, 'People'), '5');
      assert.deepEqual(chart(wave, 'chart-delivery')?.data, [
        { legend: 'Delivered', value: 2, color: 'good' },
        { legend: 'Failed', value: 3, color: 'attention' },
      ]);
      const overview = await campaignDashboard(deps, 'en', NOW);
      assert.equal(fact(overview, 'People'), '17');
    });
  });
});

describe('admin: the old MDM on the campaign overview', () => {
  const device = (vendorId: string, extra: Partial<InventoryDevice>): InventoryDevice => ({
    source: 'workspace-one',
    vendor: 'workspace-one',
    vendorId,
    platform: 'ios',
    ownership: 'corporate',
    enrollment: 'enrolled',
    firstSeenAt: '2026-11-20T00:00:00Z',
    lastSyncedAt: '2026-11-20T00:00:00Z',
    ...extra,
  });

  it('counts what Workspace ONE still lists, how much Intune or Entra also sees, and names what to fix after a failed sync', async () => {
    const store = new InMemoryStore();
    const rows = [
      device('1', { match: { kind: 'matched', candidateKey: 'a', by: 'serial', confidence: 1 } }),
      device('2', { match: { kind: 'matched', candidateKey: 'b', by: 'imei', confidence: 1 } }),
      device('3', { match: { kind: 'unmatched' }, person: { missing: 'not-found' } }),
      device('4', {
        match: { kind: 'ambiguous', by: 'serial', reason: 'several-candidates', candidateKeys: ['c', 'd'] },
      }),
      device('5', {}),
      device('6', { goneAt: '2026-11-21T00:00:00Z', match: { kind: 'unmatched' } }),
    ];
    for (const r of rows) await store.oldMdmDevices.insert(inventoryKey(r.source, r.vendorId), r);
    await writeSyncState(store, 'workspace-one', (s) => ({
      ...s,
      lastRunAt: '2026-11-23T06:00:00Z',
      lastRunKind: 'incremental',
      lastRunOk: false,
      lastErrorKind: 'permission',
      lastErrorMissing: 'REST API Devices Read',
      lastErrorAt: '2026-11-23T06:00:05Z',
    }));
    const card = await campaignDashboard(depsWith(store), 'en', NOW);
    assertChartsRenderable(card);
    const text = textOf(card);
    assert.match(text, /Still in the old MDM/);
    assert.match(text, /5 devices still listed by the old MDM; 2 \(40%\) also seen by Intune or Entra/);
    assert.equal(fact(card, 'Devices it still lists'), '5');
    assert.equal(fact(card, 'Also seen by Intune or Entra'), '2 (40%)');
    assert.equal(fact(card, 'Only in the old MDM'), '1 (20%)');
    assert.equal(fact(card, 'Ambiguous: check by hand'), '1 (20%)');
    assert.equal(fact(card, 'Not matched yet'), '1');
    assert.equal(fact(card, 'Owner not found'), '1');
    assert.match(
      fact(card, 'Last sync') ?? '',
      /^Failed .*: a permission is missing\. To fix: REST API Devices Read$/,
    );
    assert.deepEqual(chart(card, 'chart-old-mdm')?.data, [
      { legend: 'Also seen by Intune or Entra', value: 2, color: 'good' },
      { legend: 'Only in the old MDM', value: 1, color: 'categoricalMarigold' },
      { legend: 'Ambiguous: check by hand', value: 1, color: 'attention' },
      { legend: 'Not matched yet', value: 1, color: 'neutral' },
    ]);
  });

  it('leaves the section out when no old MDM is read and no export was applied', async () => {
    const card = await campaignDashboard(depsWith(new InMemoryStore()), 'en', NOW);
    assert.doesNotMatch(textOf(card), /Still in the old MDM/);
    assert.equal(chart(card, 'chart-old-mdm'), undefined);
  });
});
