import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Platform } from '../../src/domain/device';
import type { DeviceJourney, JourneyStage } from '../../src/domain/journey';
import type { Participant } from '../../src/domain/participant';
import {
  addScoped,
  type Counts,
  deltaOf,
  indexCounts,
  participantCounts,
  type ScopedCounts,
  stuckEntries,
  waveScope,
} from '../../src/domain/wave-counters';
import { statsFromCounters } from '../../src/domain/wave-counters-stats';
import { waveStats } from '../../src/domain/wave-stats';

const NOW = new Date('2026-11-30T12:00:00.000Z');
const HOUR = 3_600_000;
const STUCK_AFTER = 8 * HOUR;
const STAGES: JourneyStage[] = [
  'notified',
  'started',
  'unenrolling',
  'unenrolled',
  'enrolling',
  'enrolled',
  'compliant',
  'verified',
  'needs-it',
  'excluded',
];
const PLATFORMS: Platform[] = ['ios', 'ipados', 'android', 'windows', 'macos', 'other'];
const WAVES = ['pilot', 'ring-1'];
const USERS = ['u1', 'u2', 'u3', 'u4'];

const journeyArb = fc.record({
  deviceKey: fc.constantFrom('d1', 'd2', 'd3'),
  platform: fc.constantFrom(...PLATFORMS),
  stage: fc.constantFrom(...STAGES),
  hours: fc.integer({ min: 0, max: 40 }),
  failure: fc.boolean(),
  check: fc.option(fc.constantFrom('yes' as const, 'no' as const)),
});

const rowArb = fc.option(
  fc.record({
    waveId: fc.option(fc.constantFrom(...WAVES), { nil: undefined }),
    journeys: fc.uniqueArray(journeyArb, { selector: (j) => j.deviceKey, maxLength: 3 }),
  }),
  { nil: undefined },
);

type Row = NonNullable<typeof rowArb extends fc.Arbitrary<infer R> ? R : never>;

function participant(id: string, row: Row): Participant {
  return {
    aadObjectId: id,
    displayName: id,
    firstSeenAt: NOW.toISOString(),
    lastSeenAt: NOW.toISOString(),
    version: 1,
    ...(row.waveId ? { waveId: row.waveId } : {}),
    journeys: row.journeys.map(
      (j): DeviceJourney => ({
        deviceKey: j.deviceKey,
        name: j.deviceKey,
        platform: j.platform,
        stage: j.stage,
        stageSince: new Date(NOW.getTime() - j.hours * HOUR).toISOString(),
        history: [],
        flags: {
          ...(j.failure ? { enrollmentFailure: { category: 'x', reason: 'y', at: NOW.toISOString() } } : {}),
          ...(j.check
            ? {
                postCheck: {
                  email: 'yes',
                  wifi: j.check,
                  vpn: 'yes',
                  certificates: 'yes',
                  apps: 'yes',
                  at: NOW.toISOString(),
                },
              }
            : {}),
        } as DeviceJourney['flags'],
        ...(j.stage === 'needs-it'
          ? { needsIt: { reason: 'r', at: NOW.toISOString(), from: 'enrolling' as const } }
          : {}),
      }),
    ),
  };
}

describe('wave counters (pure)', () => {
  it('the deltas of any sequence of writes add up to a recount of the final rows', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...USERS), rowArb), { maxLength: 30 }), (writes) => {
        const rows = new Map<string, Participant>();
        const counted: ScopedCounts = new Map();
        for (const [id, row] of writes) {
          const before = rows.get(id);
          const after = row ? participant(id, row) : undefined;
          addScoped(
            counted,
            deltaOf(
              before ? participantCounts(before) : new Map(),
              after ? participantCounts(after) : new Map(),
            ),
          );
          if (after) rows.set(id, after);
          else rows.delete(id);
        }
        const recount: ScopedCounts = new Map();
        for (const p of rows.values()) addScoped(recount, participantCounts(p));
        assert.deepEqual(counted, recount);
      }),
    );
  });

  it('counters and the stuck index give the numbers waveStats computes from every row', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...USERS), rowArb), { maxLength: 12 }), (writes) => {
        const rows = new Map<string, Participant>();
        for (const [id, row] of writes) {
          if (row) rows.set(id, participant(id, row));
          else rows.delete(id);
        }
        const all = [...rows.values()];
        for (const waveId of WAVES) {
          const scoped: ScopedCounts = new Map();
          // Each member also has their index row, as the membership code writes it.
          for (const p of all) {
            addScoped(scoped, participantCounts(p));
            if (p.waveId) addScoped(scoped, indexCounts({ waveId: p.waveId }));
          }
          const cutoff = new Date(NOW.getTime() - STUCK_AFTER).toISOString();
          const stuck = all
            .filter((p) => p.waveId === waveId)
            .flatMap(stuckEntries)
            .filter((e) => e.rowKey < cutoff);
          const expected = waveStats(all, [], waveId, NOW, { stuckAfterMs: STUCK_AFTER });
          const got = statsFromCounters({
            waveId,
            counts: scoped.get(waveScope(waveId)) ?? ({} as Counts),
            stuck,
            top: [],
            stuckTop: 10,
            now: NOW,
          });
          assert.deepEqual(
            { ...got, stuck: { ...got.stuck, top: [] } },
            {
              ...expected,
              stuck: { ...expected.stuck, top: [] },
            },
          );
        }
      }),
    );
  });
});
