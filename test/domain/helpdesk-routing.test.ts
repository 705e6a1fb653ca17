import assert from 'node:assert/strict';
import { type HelpdeskRoute, parseHelpdeskRoutes, routeFor } from '../../src/domain/helpdesk-routing';

const DEFAULT = '19:default@thread.tacv2';
const PILOT = '19:pilot@thread.tacv2';
const APPLE = '19:apple@thread.tacv2';
const SWEDISH = '19:swedish@thread.tacv2';

const rules: HelpdeskRoute[] = [
  { kind: 'wave', value: 'pilot', channelId: PILOT },
  { kind: 'platform', value: 'ios', channelId: APPLE },
  { kind: 'lang', value: 'sv', channelId: SWEDISH },
];

describe('domain: helpdesk routing', () => {
  it('no rules or nothing matching → the default channel (undefined when none)', () => {
    assert.equal(routeFor([], { waveId: 'pilot', platform: 'ios', language: 'sv' }, DEFAULT), DEFAULT);
    assert.equal(routeFor(undefined, {}, DEFAULT), DEFAULT);
    assert.equal(
      routeFor(rules, { waveId: 'wave-2', platform: 'android', language: 'en-US' }, DEFAULT),
      DEFAULT,
    );
    assert.equal(routeFor(rules, {}, undefined), undefined);
  });

  it('each kind matches: wave (case-insensitive), platform, language from a locale', () => {
    assert.equal(routeFor(rules, { waveId: 'Pilot' }, DEFAULT), PILOT);
    assert.equal(routeFor(rules, { platform: 'ios' }, DEFAULT), APPLE);
    assert.equal(routeFor(rules, { platform: 'ipados' }, DEFAULT), DEFAULT, 'ipados is its own platform');
    assert.equal(routeFor(rules, { platform: 'other' }, DEFAULT), DEFAULT);
    assert.equal(routeFor(rules, { language: 'sv-SE' }, DEFAULT), SWEDISH);
    assert.equal(routeFor(rules, { language: 'sv' }, DEFAULT), SWEDISH);
    assert.equal(routeFor(rules, { language: 'svenska' }, DEFAULT), DEFAULT, 'only the language part');
  });

  it('the first matching rule wins, in configured order', () => {
    const ctx = { waveId: 'pilot', platform: 'ios', language: 'sv-SE' };
    assert.equal(routeFor(rules, ctx, DEFAULT), PILOT);
    assert.equal(routeFor([...rules].reverse(), ctx, DEFAULT), SWEDISH);
    assert.equal(routeFor(rules.slice(1), ctx, DEFAULT), APPLE);
  });

  it('parses the HELPDESK_ROUTES format into an ordered list', () => {
    const parsed = parseHelpdeskRoutes(` wave:pilot=${PILOT} ; platform:iOS=${APPLE};\nlang:SV=${SWEDISH}; `);
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(parsed.routes, rules);
    assert.deepEqual(parseHelpdeskRoutes(undefined), { routes: [], problems: [] });
    assert.deepEqual(parseHelpdeskRoutes('  ;  '), { routes: [], problems: [] });
  });
});
