import assert from 'node:assert/strict';
import * as AC from 'adaptivecards';
import { type CardJson, MAX_CARD_BYTES } from '../../../src/cards/render';
import type { Deps } from '../../../src/deps';
import { type Wave, waveKey, waveMemberKey } from '../../../src/domain/campaign';
import type { DeviceJourney } from '../../../src/domain/journey';
import type { OldMdmDevice } from '../../../src/domain/old-mdm';
import { participantKey } from '../../../src/domain/participant';
import { campaignDashboard, waveDashboard } from '../../../src/features/admin/dashboard-service';
import { applyFileSnapshot } from '../../../src/features/old-mdm/inventory-sync';
import { runMatchPass } from '../../../src/features/old-mdm/match-pass';
import { writeSyncState } from '../../../src/features/old-mdm/sync-state';
import type { Store } from '../../../src/ports/store';
import { ADMIN_VERBS } from '../../../src/verbs/admin';
import { testDeps, textOf } from '../../helpers/activities';
import { FakeClock, FakeDirectory } from '../../helpers/fakes';
import { freshStorage } from '../../helpers/storage';

const NOW = new Date('2026-11-30T09:00:00Z');

type Element = Record<string, unknown>;
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
const chart = (card: CardJson, id: string) =>
  nodes(card).find((n) => String(n.type).startsWith('Chart.') && n.id === id);
/** Every value of the facts with this title, in card order. */
const facts = (card: CardJson, title: string) =>
  nodes(card)
    .filter((n) => n.title === title && typeof n.value === 'string')
    .map((n) => n.value as string);

/** Parse problems other than Teams' chart elements, which the SDK does not know. */
function problemsOf(card: object): string[] {
  const ac = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext();
  ac.parse(card, ctx);
  const problems: string[] = [];
  for (let i = 0; i < ctx.eventCount; i++) problems.push(ctx.getEventAt(i).message);
  for (const e of ac.validateProperties().validationEvents) problems.push(e.message);
  return problems.filter((p) => !/^Unknown element type "Chart\./.test(p));
}

const wave = (id: string, order: number): Wave => ({
  id,
  name: id === 'pilot' ? 'Pilot' : 'Wave 1',
  order,
  state: 'active',
  conditionalAccess: { kind: 'none' },
  reminders: { enabled: true, deferralLimit: 3 },
  estimatedMinutes: 20,
  createdAt: '2026-11-01T00:00:00Z',
});

const journey = (key: string): DeviceJourney => ({
  deviceKey: key,
  name: key,
  platform: 'ios',
  stage: 'notified',
  stageSince: '2026-11-29T09:00:00Z',
  history: [{ stage: 'notified', at: '2026-11-29T09:00:00Z', cause: 'created' }],
  flags: { dualEnrollment: false },
});

/** Pilot: Ann (one phone Intune shows, with a journey) and Bob (no journey); wave 1: Cai. */
async function seed(store: Store) {
  await store.waves.insert(waveKey('pilot'), wave('pilot', 0));
  await store.waves.insert(waveKey('wave-1'), wave('wave-1', 1));
  const people = [
    { id: 'ann', wave: 'pilot', journeys: [journey('ann-phone')] },
    { id: 'bob', wave: 'pilot', journeys: [] },
    { id: 'cai', wave: 'wave-1', journeys: [] },
  ];
  for (const p of people) {
    await store.waveMembers.insert(waveMemberKey(p.wave, p.id), {
      waveId: p.wave,
      aadObjectId: p.id,
      userPrincipalName: `${p.id}@example.com`,
      addedAt: '2026-11-01T00:00:00Z',
    });
    await store.participants.insert(participantKey(p.id), {
      aadObjectId: p.id,
      userPrincipalName: `${p.id}@example.com`,
      firstSeenAt: '2026-11-01T00:00:00Z',
      lastSeenAt: '2026-11-29T00:00:00Z',
      version: 1,
      waveId: p.wave,
      journeys: p.journeys,
    });
  }
}

const phone = (vendorId: string, upn: string, serialNumber: string): OldMdmDevice => ({
  source: 'workspace-one',
  vendor: 'workspace-one',
  vendorId,
  name: `Phone ${vendorId}`,
  platform: 'ios',
  ownership: 'corporate',
  enrollment: 'enrolled',
  serialNumber,
  userPrincipalName: upn,
});

async function world(options: { sources?: boolean } = {}) {
  const { store } = await freshStorage();
  await seed(store);
  const { deps } = testDeps({ store });
  const config: Deps['config'] = {
    ...deps.config,
    defaults: { ...deps.config.defaults, locale: 'en-GB', timeZone: 'Europe/Stockholm' },
    oldMdm: {
      ...deps.config.oldMdm,
      sources: options.sources ? [{ source: 'workspace-one', platforms: ['ios'] }] : [],
    } as Deps['config']['oldMdm'],
  };
  return { store, deps: { ...deps, config } };
}

describe('admin: the old MDM on a wave dashboard (Azurite)', () => {
  it('shows what Workspace ONE still lists for the wave’s members after a pass, and counts devices only it knows as devices to move', async () => {
    const { store, deps } = await world({ sources: true });
    const directory = new FakeDirectory();
    directory.candidates = [
      { key: 'ann-phone', platform: 'ios', serialNumber: 'A1' },
      { key: 'twin-1', platform: 'ios', serialNumber: 'TWIN' },
      { key: 'twin-2', platform: 'ios', serialNumber: 'TWIN' },
    ];
    const clock = new FakeClock(new Date('2026-11-30T08:45:00Z'));
    await applyFileSnapshot(
      { store, clock, logger: deps.logger },
      [
        phone('1', 'ann@example.com', 'A1'), // Intune shows it: Ann's journey
        phone('2', 'bob@example.com', 'B1'), // only Workspace ONE knows it
        phone('3', 'bob@example.com', 'B2'), // only Workspace ONE knows it
        phone('4', 'bob@example.com', 'TWIN'), // ambiguous
        phone('5', 'cai@example.com', 'C1'), // wave 1's
      ],
      { source: 'workspace-one' },
    );
    await runMatchPass({ store, clock, logger: deps.logger, directory });
    await writeSyncState(store, 'workspace-one', (s) => ({
      ...s,
      lastRunAt: '2026-11-30T08:40:00Z',
      lastRunKind: 'incremental',
      lastRunOk: true,
    }));

    const card = (await waveDashboard(deps, 'pilot', 'en', NOW))!;
    assert.deepEqual(problemsOf(card), []);
    assert.ok(Buffer.byteLength(JSON.stringify(card), 'utf8') < MAX_CARD_BYTES);
    const text = textOf(card);
    assert.match(text, /Still in Workspace ONE/);
    assert.match(
      text,
      /4 devices of 2 people in this wave are still listed; 1 \(25%\) also seen by Intune or Entra/,
    );
    assert.deepEqual(facts(card, "This wave's devices it still lists"), ['4']);
    assert.deepEqual(facts(card, 'Only in the old MDM'), ['2 (50%)']);
    assert.deepEqual(facts(card, 'Ambiguous: check by hand'), ['1 (25%)']);
    assert.deepEqual(facts(card, 'Last sync'), ['30 Nov 2026, 09:40 (changes only)']);
    assert.match(
      text,
      /Counted by the matching pass at 30 Nov 2026, 09:45\. The 2 devices only the old MDM knows count as devices to move\./,
    );
    // One journey (Ann's phone) plus Bob's two devices that only Workspace ONE knows.
    assert.deepEqual(facts(card, 'Devices'), ['1']);
    assert.deepEqual(facts(card, 'Devices to move'), ['3']);
    assert.deepEqual(chart(card, 'chart-wave-old-mdm')?.data, [
      { legend: 'Also seen by Intune or Entra', value: 1, color: 'good' },
      { legend: 'Only in the old MDM', value: 2, color: 'categoricalMarigold' },
      { legend: 'Ambiguous: check by hand', value: 1, color: 'attention' },
    ]);

    const other = (await waveDashboard(deps, 'wave-1', 'sv', NOW))!;
    assert.match(textOf(other), /Kvar i Workspace ONE/);
    assert.deepEqual(facts(other, 'Vågens enheter som finns kvar'), ['1']);
    assert.deepEqual(facts(other, 'Enheter att flytta'), ['1']);
  });

  it('says the numbers come after the next pass when a source is read but no pass ran yet', async () => {
    const { deps } = await world({ sources: true });
    const card = (await waveDashboard(deps, 'pilot', 'en', NOW))!;
    assert.match(textOf(card), /Still in Workspace ONE/);
    assert.match(textOf(card), /Not counted yet: the numbers appear after the next matching pass/);
    assert.deepEqual(facts(card, "This wave's devices it still lists"), ['0']);
    assert.deepEqual(facts(card, 'Last sync'), ['Not read yet']);
    assert.equal(chart(card, 'chart-wave-old-mdm'), undefined);
  });

  it('leaves the section out when no old MDM is read and no export was applied, as the admin home does', async () => {
    const { deps } = await world();
    const card = (await waveDashboard(deps, 'pilot', 'en', NOW))!;
    assert.doesNotMatch(textOf(card), /Still in|matching pass|Devices to move/);
    assert.deepEqual(facts(card, 'Devices to move'), []);
    assert.equal(chart(card, 'chart-wave-old-mdm'), undefined);
    const home = await campaignDashboard(deps, 'en', NOW);
    assert.equal(
      nodes(home).find((n) => n.verb === ADMIN_VERBS.oldMdmReview),
      undefined,
      'no "Devices to review" without an old MDM',
    );
  });
});
