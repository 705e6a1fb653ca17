import assert from 'node:assert/strict';
import { DEFAULT_SUCCESS_CRITERIA, type Wave } from '../../src/domain/campaign';
import { effectiveCriteria, evaluateGate, type GateResult, nextWaveBlock } from '../../src/domain/wave-gate';
import type { Rate, WaveStats } from '../../src/domain/wave-stats';

const rate = (numerator: number, denominator: number, scale = 1): Rate =>
  denominator > 0
    ? { numerator, denominator, value: (numerator * scale) / denominator }
    : { numerator, denominator };

function rates(r: Partial<WaveStats['rates']> = {}): Pick<WaveStats, 'rates'> {
  return {
    rates: {
      enrollmentSuccess: rate(95, 100),
      escalationsPer100: rate(10, 100, 100),
      postCheckPass: rate(45, 50),
      compliance: rate(92, 100),
      ...r,
    },
  };
}

function wave(id: string, order: number, extra: Partial<Wave> = {}): Wave {
  return {
    id,
    name: id,
    order,
    state: 'draft',
    conditionalAccess: { kind: 'none' },
    reminders: { enabled: true, deferralLimit: 3 },
    estimatedMinutes: 20,
    createdAt: '2026-11-01T09:00:00Z',
    ...extra,
  };
}

const PASSING: GateResult = evaluateGate(undefined, rates());
const FAILING: GateResult = evaluateGate(undefined, rates({ enrollmentSuccess: rate(80, 100) }));

describe('evaluateGate', () => {
  it('passes when every criterion is met, thresholds included', () => {
    const gate = evaluateGate(
      DEFAULT_SUCCESS_CRITERIA,
      rates({ postCheckPass: rate(9, 10), escalationsPer100: rate(3, 20, 100) }),
    );
    assert.equal(gate.pass, true);
    assert.deepEqual(
      gate.criteria.map((c) => [c.id, c.value, c.threshold, c.bound, c.outcome]),
      [
        ['enrollmentSuccess', 0.95, 0.9, 'min', 'pass'],
        ['escalationsPer100', 15, 15, 'max', 'pass'], // exactly at the maximum
        ['postCheckPass', 0.9, 0.9, 'min', 'pass'], // exactly at the minimum
        ['compliance', 0.92, 0.9, 'min', 'pass'],
      ],
    );
  });

  it('fails on any criterion that is not met, with its value and threshold', () => {
    const gate = evaluateGate(
      { ...DEFAULT_SUCCESS_CRITERIA, maxEscalationsPer100: 5 },
      rates({ escalationsPer100: rate(6, 100, 100) }),
    );
    assert.equal(gate.pass, false);
    const c = gate.criteria.find((x) => x.id === 'escalationsPer100')!;
    assert.deepEqual(c, {
      id: 'escalationsPer100',
      threshold: 5,
      bound: 'max',
      numerator: 6,
      denominator: 100,
      value: 6,
      outcome: 'fail',
    });
    assert.deepEqual(
      gate.criteria.filter((x) => x.outcome !== 'pass').map((x) => x.id),
      ['escalationsPer100'],
    );
  });

  it('does not pass on no data: a criterion without a denominator is no-data and blocks', () => {
    const gate = evaluateGate(undefined, rates({ postCheckPass: rate(0, 0) }));
    assert.equal(gate.pass, false);
    const c = gate.criteria.find((x) => x.id === 'postCheckPass')!;
    assert.equal(c.outcome, 'no-data');
    assert.equal(c.value, undefined);
    const nothing = evaluateGate(undefined, {
      rates: {
        enrollmentSuccess: rate(0, 0),
        escalationsPer100: rate(0, 0),
        postCheckPass: rate(0, 0),
        compliance: rate(0, 0),
      },
    });
    assert.equal(nothing.pass, false);
    assert.ok(nothing.criteria.every((x) => x.outcome === 'no-data'));
  });

  it('fills missing or unusable thresholds with the defaults', () => {
    assert.deepEqual(effectiveCriteria(undefined), DEFAULT_SUCCESS_CRITERIA);
    assert.deepEqual(
      effectiveCriteria({
        minComplianceRate: 0.5,
        minPostCheckPassRate: Number.NaN,
        maxEscalationsPer100: -1,
      }),
      { ...DEFAULT_SUCCESS_CRITERIA, minComplianceRate: 0.5 },
    );
  });
});

describe('nextWaveBlock', () => {
  const pilot = wave('pilot', 0, { state: 'evaluating' });
  const ring1 = wave('ring-1', 1);
  const ring2 = wave('ring-2', 2);
  const waves = [ring2, pilot, ring1];

  it('allows the first wave by order', () => {
    const d = nextWaveBlock(waves, 'pilot', () => FAILING);
    assert.deepEqual(d, { allowed: true, because: 'first', predecessors: [] });
  });

  it('blocks a wave whose predecessor failed its gate, naming the failing criteria', () => {
    const d = nextWaveBlock(waves, 'ring-1', (w) => (w.id === 'pilot' ? FAILING : PASSING));
    assert.equal(d.allowed, false);
    assert.ok(!d.allowed && d.because === 'gate-failed');
    if (d.allowed || d.because !== 'gate-failed') return;
    assert.deepEqual(
      d.blocking.map((b) => [b.wave.id, b.failing.map((c) => [c.id, c.value])]),
      [['pilot', [['enrollmentSuccess', 0.8]]]],
    );
  });

  it('looks only at the nearest lower order', () => {
    // ring-2 follows ring-1, whatever the pilot did
    const d = nextWaveBlock(waves, 'ring-2', (w) => (w.id === 'ring-1' ? PASSING : FAILING));
    assert.deepEqual(d, { allowed: true, because: 'passed', predecessors: [ring1] });
  });

  it('allows the wave when the predecessor carries an override, without asking for its gate', () => {
    const overridden = {
      ...pilot,
      gateOverride: { by: 'admin-1', reason: 'Test devices', at: '2026-11-30T10:00:00Z' },
    };
    const asked: string[] = [];
    const d = nextWaveBlock([overridden, ring1, ring2], 'ring-1', (w) => {
      asked.push(w.id);
      return FAILING;
    });
    assert.deepEqual(d, { allowed: true, because: 'overridden', predecessors: [overridden] });
    assert.deepEqual(asked, []);
  });

  it('blocks when the predecessor has no data or its gate could not be evaluated', () => {
    const noData = evaluateGate(undefined, {
      rates: {
        enrollmentSuccess: rate(0, 0),
        escalationsPer100: rate(0, 0),
        postCheckPass: rate(0, 0),
        compliance: rate(0, 0),
      },
    });
    const d = nextWaveBlock(waves, 'ring-1', () => noData);
    assert.ok(!d.allowed && d.because === 'gate-failed' && d.blocking[0]!.failing.length === 4);
    const unknown = nextWaveBlock(waves, 'ring-1', () => undefined);
    assert.ok(!unknown.allowed && unknown.because === 'gate-failed');
    if (!unknown.allowed && unknown.because === 'gate-failed')
      assert.deepEqual(unknown.blocking[0]!.failing, []);
  });

  it('skips the voluntary wave as a predecessor and never blocks it', () => {
    const volunteers = wave('volunteers', 0, { state: 'active' });
    const first = wave('wave-a', 0);
    const second = wave('wave-b', 1);
    const all = [volunteers, first, second];
    const gateOf = (w: Wave) => (w.id === 'volunteers' ? FAILING : PASSING);
    assert.deepEqual(
      nextWaveBlock(all, 'volunteers', () => FAILING, 'volunteers'),
      {
        allowed: true,
        because: 'voluntary',
        predecessors: [],
      },
    );
    assert.deepEqual(nextWaveBlock(all, 'wave-a', gateOf, 'volunteers'), {
      allowed: true,
      because: 'first',
      predecessors: [],
    });
    assert.deepEqual(nextWaveBlock(all, 'wave-b', gateOf, 'volunteers'), {
      allowed: true,
      because: 'passed',
      predecessors: [first],
    });
    // Without the campaign naming it, the same wave is an ordinary predecessor.
    assert.equal(nextWaveBlock([volunteers, second], 'wave-b', gateOf).allowed, false);
  });

  it('needs every wave of the nearest lower order when several share it', () => {
    const a = wave('a', 1);
    const b = wave('b', 1);
    const c = wave('c', 2);
    const d = nextWaveBlock([a, b, c], 'c', (w) => (w.id === 'b' ? FAILING : PASSING));
    assert.ok(!d.allowed && d.because === 'gate-failed');
    if (!d.allowed && d.because === 'gate-failed') {
      assert.deepEqual(
        d.predecessors.map((w) => w.id),
        ['a', 'b'],
      );
      assert.deepEqual(
        d.blocking.map((x) => x.wave.id),
        ['b'],
      );
    }
  });

  it('refuses an unknown wave', () => {
    assert.deepEqual(
      nextWaveBlock(waves, 'nope', () => PASSING),
      { allowed: false, because: 'unknown-wave' },
    );
  });
});
