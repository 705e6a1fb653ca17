import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Wave } from '../../src/domain/campaign';
import {
  accessLineOf,
  type CaPolicy,
  checkMode,
  evaluateWave,
  includesMember,
  type MemberFacts,
  memberCoverage,
  observedAccessOf,
  type PolicyState,
  relevantPolicies,
} from '../../src/domain/conditional-access';

const policy = (
  over: Partial<Omit<CaPolicy, 'users'>> & { users?: Partial<CaPolicy['users']> } = {},
): CaPolicy => ({
  id: over.id ?? 'p1',
  displayName: over.displayName ?? 'Require compliant device',
  state: over.state ?? 'enabled',
  users: { includeUsers: [], excludeUsers: [], includeGroups: [], excludeGroups: [], ...over.users },
  applications: over.applications ?? { includeApplications: ['Office365'], excludeApplications: [] },
  grant: over.grant ?? { operator: 'OR', builtInControls: ['compliantDevice'] },
  notEvaluated: over.notEvaluated ?? [],
});
const member = (id: string, groups: string[] = []): MemberFacts => ({ id, groupIds: new Set(groups) });

describe('domain: conditional-access evaluation', () => {
  it('includes users by id, by group (nested groups arrive flattened) and "All", exclusions winning', () => {
    const p = policy({ users: { includeGroups: ['g-pilot'], excludeUsers: ['u3'] } });
    assert.equal(includesMember(p, member('u1', ['g-pilot'])), true);
    assert.equal(includesMember(p, member('u2', ['g-other'])), false);
    assert.equal(includesMember(p, member('u3', ['g-pilot'])), false);
    const all = policy({ users: { includeUsers: ['All'], excludeGroups: ['g-break-glass'] } });
    assert.equal(includesMember(all, member('u9')), true);
    assert.equal(includesMember(all, member('u9', ['g-break-glass'])), false);
    assert.equal(includesMember(policy({ users: { includeUsers: ['None'] } }), member('u1')), false);
  });

  it('reads only policies that require a device for the target apps; OR with MFA is no device requirement', () => {
    const mfaOr = policy({
      id: 'or',
      grant: { operator: 'OR', builtInControls: ['compliantDevice', 'mfa'] },
    });
    const mfaAnd = policy({
      id: 'and',
      grant: { operator: 'AND', builtInControls: ['compliantDevice', 'mfa'] },
    });
    const hybrid = policy({
      id: 'hybrid',
      grant: { operator: 'OR', builtInControls: ['domainJoinedDevice', 'compliantApplication'] },
    });
    const otherApp = policy({
      id: 'app',
      applications: { includeApplications: ['some-app-id'], excludeApplications: [] },
    });
    const exo = policy({
      id: 'exo',
      applications: {
        includeApplications: ['00000002-0000-0ff1-ce00-000000000000'],
        excludeApplications: [],
      },
    });
    const excluded = policy({
      id: 'ex',
      applications: { includeApplications: ['All'], excludeApplications: ['Office365'] },
    });
    assert.deepEqual(
      relevantPolicies([mfaOr, mfaAnd, hybrid, otherApp, exo, excluded]).map((p) => p.id),
      ['and', 'hybrid', 'exo'],
    );
  });

  it('a member covered by several policies takes the strongest state: enabled, then report-only, then off', () => {
    const states: PolicyState[] = ['disabled', 'enabledForReportingButNotEnforced', 'enabled'];
    const ps = states.map((state, i) => policy({ id: `p${i}`, state, users: { includeUsers: ['All'] } }));
    assert.equal(memberCoverage(ps, member('u1')).coverage, 'enforced');
    assert.equal(memberCoverage(ps.slice(0, 2), member('u1')).coverage, 'report-only');
    assert.equal(memberCoverage(ps.slice(0, 1), member('u1')).coverage, 'off');
    assert.equal(memberCoverage([], member('u1')).coverage, 'none');
  });

  it('the demo: a report-only policy for the Pilot group covers its members; grace is fine, immediate is blocked', () => {
    const p = policy({ state: 'enabledForReportingButNotEnforced', users: { includeGroups: ['g-pilot'] } });
    const c = evaluateWave([p], [member('alex', ['g-pilot']), member('megan', ['g-pilot'])]);
    assert.deepEqual(c.counts, { enforced: 0, 'report-only': 2, off: 0, none: 0 });
    const now = new Date('2026-11-23T09:00:00Z');
    assert.deepEqual(checkMode({ kind: 'grace', endsAt: '2026-12-07T09:00:00Z' }, c, now), []);
    assert.deepEqual(checkMode({ kind: 'immediate' }, c, now), [
      { kind: 'immediate-not-enforced', memberIds: ['alex', 'megan'] },
    ]);
    assert.deepEqual(accessLineOf({ kind: 'grace', endsAt: '2026-12-07T09:00:00Z' }, c), {
      kind: 'from',
      date: '2026-12-07T09:00:00Z',
    });
  });

  it('"none" warns when an enabled policy covers members anyway; grace warns about uncovered members', () => {
    const p = policy({ users: { includeUsers: ['u1'] } });
    const c = evaluateWave([p], [member('u1'), member('u2')]);
    const now = new Date('2026-11-23T09:00:00Z');
    assert.deepEqual(checkMode({ kind: 'none' }, c, now), [{ kind: 'none-but-enforced', memberIds: ['u1'] }]);
    assert.deepEqual(
      checkMode({ kind: 'grace', endsAt: '2026-12-01T00:00:00Z' }, c, now).map((f) => f.kind),
      ['grace-uncovered', 'grace-already-enforced'],
    );
    assert.deepEqual(accessLineOf({ kind: 'none' }, c), { kind: 'mixed' });
  });

  it('the access line on a wave counts only for the mode it was evaluated for', () => {
    const wave = {
      conditionalAccess: { kind: 'grace', endsAt: '2026-12-07T09:00:00Z' },
      accessObserved: {
        line: { kind: 'from', date: '2026-12-07T09:00:00Z' },
        mode: 'grace:2026-12-07T09:00:00Z',
        at: '',
      },
    } as unknown as Wave;
    assert.deepEqual(observedAccessOf(wave), { kind: 'from', date: '2026-12-07T09:00:00Z' });
    assert.equal(observedAccessOf({ ...wave, conditionalAccess: { kind: 'immediate' } }), undefined);
  });

  describe('properties', () => {
    const ids = fc.constantFrom('u1', 'u2', 'u3', 'u4');
    const groups = fc.constantFrom('g1', 'g2', 'g3');
    const arbPolicy = fc
      .record({
        id: fc.constantFrom('a', 'b', 'c'),
        state: fc.constantFrom<PolicyState>('enabled', 'enabledForReportingButNotEnforced', 'disabled'),
        includeUsers: fc.array(fc.oneof(ids, fc.constant('All')), { maxLength: 3 }),
        excludeUsers: fc.array(ids, { maxLength: 2 }),
        includeGroups: fc.array(groups, { maxLength: 2 }),
        excludeGroups: fc.array(groups, { maxLength: 2 }),
      })
      .map((r) =>
        policy({
          id: r.id,
          state: r.state,
          users: {
            includeUsers: r.includeUsers,
            excludeUsers: r.excludeUsers,
            includeGroups: r.includeGroups,
            excludeGroups: r.excludeGroups,
          },
        }),
      );
    const arbMember = fc
      .record({ id: ids, groups: fc.array(groups, { maxLength: 3 }) })
      .map((m) => member(m.id, m.groups));

    it('an excluded user or group member is never covered, whatever else the policy includes', () => {
      fc.assert(
        fc.property(arbPolicy, arbMember, (p, m) => {
          const excluded =
            p.users.excludeUsers.includes(m.id) || p.users.excludeGroups.some((g) => m.groupIds.has(g));
          if (excluded) assert.equal(includesMember(p, m), false);
          const included =
            p.users.includeUsers.includes('All') ||
            p.users.includeUsers.includes(m.id) ||
            p.users.includeGroups.some((g) => m.groupIds.has(g));
          assert.equal(includesMember(p, m), included && !excluded);
        }),
      );
    });

    it('counts add up to the members, and only enabled policies make a member enforced', () => {
      fc.assert(
        fc.property(
          fc.array(arbPolicy, { maxLength: 4 }),
          fc.array(arbMember, { maxLength: 6 }),
          (ps, ms) => {
            const c = evaluateWave(ps, ms);
            const sum = c.counts.enforced + c.counts['report-only'] + c.counts.off + c.counts.none;
            assert.equal(sum, ms.length);
            assert.equal(c.enforced.length + c.notEnforced.length, ms.length);
            for (const m of ms) {
              const enforcedBy = ps.some((p) => p.state === 'enabled' && includesMember(p, m));
              assert.equal(c.enforced.includes(m.id) || !enforcedBy, true);
            }
            if (ps.every((p) => p.state !== 'enabled')) assert.equal(c.counts.enforced, 0);
          },
        ),
      );
    });

    it("switching a report-only policy on never lowers anyone's coverage", () => {
      fc.assert(
        fc.property(fc.array(arbPolicy, { maxLength: 4 }), arbMember, (ps, m) => {
          const rank = { none: 0, off: 1, 'report-only': 2, enforced: 3 } as const;
          const before = memberCoverage(ps, m).coverage;
          const after = memberCoverage(
            ps.map((p) => ({ ...p, state: 'enabled' as const })),
            m,
          ).coverage;
          assert.ok(rank[after] >= rank[before]);
        }),
      );
    });
  });
});
