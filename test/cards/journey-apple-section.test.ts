import assert from 'node:assert/strict';
import * as AC from 'adaptivecards';
import { journeyView, renderJourneyCard } from '../../src/cards/journey-card';
import type { Wave } from '../../src/domain/campaign';
import type { DeviceObservation } from '../../src/domain/device';
import { openJourney } from '../../src/domain/journey-transition';
import { loadGuidance } from '../../src/guidance/guidance';
import { type Language, translator } from '../../src/i18n';
import { JOURNEY_VERBS } from '../../src/verbs/journey';

const NOW = new Date('2026-03-02T09:00:00.000Z');
const guidance = loadGuidance();

const wave: Wave = {
  id: 'pilot',
  name: 'Pilot',
  order: 0,
  state: 'announced',
  startAt: '2026-03-01T07:00:00.000Z',
  conditionalAccess: { kind: 'none' },
  reminders: { enabled: true, deferralLimit: 3 },
  estimatedMinutes: 20,
  createdAt: '2026-02-20T00:00:00.000Z',
  // 23:30 UTC on 31 March is already 1 April in Stockholm: the card must show the user's day.
  appleMigration: { platforms: ['macos', 'ios'], deadline: '2026-03-31T23:30:00.000Z' },
};

const mac: DeviceObservation = {
  key: 'mac-1',
  name: "Alex's MacBook Pro",
  platform: 'macos',
  ownership: 'company',
  management: { kind: 'partner', oldMdm: 'workspace-one' },
};

function view(device: DeviceObservation, language: Language, extra: { wave?: Wave; timeZone?: string } = {}) {
  const journey = openJourney(device, NOW).journey;
  return journeyView({
    t: translator(language),
    language,
    locale: language === 'sv' ? 'sv-SE' : 'en-US',
    timeZone: extra.timeZone ?? 'Europe/Stockholm',
    now: NOW,
    journeys: [journey],
    focus: journey,
    version: 1,
    wave: 'wave' in extra ? extra.wave : wave,
    vendor: 'workspace-one',
    guidance,
    publicBaseUrl: 'https://bot.example.com',
  });
}

function cardText(card: object): string {
  return JSON.stringify(card);
}

function parseProblems(card: object): string[] {
  const ac = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext();
  ac.parse(card, ctx);
  const problems: string[] = [];
  for (let i = 0; i < ctx.eventCount; i++) problems.push(ctx.getEventAt(i).message);
  return problems;
}

describe("cards: the journey's Apple path", () => {
  it('explains the system prompt, postponing, the deadline in the user zone and what stays (English)', () => {
    const v = view(mac, 'en');
    assert.equal(v.section, 'apple');
    assert.equal(v.apple.heading, "Step 1: Alex's MacBook Pro moves to Intune by itself");
    assert.match(v.apple.deadline, /^Deadline: Apr 1, 2026, 1:30\s?AM \(30 days left\)$/);
    const prompt = v.apple.prompt.join('\n');
    assert.match(prompt, /notification on Alex's MacBook Pro/);
    assert.match(prompt, /start the migration now or postpone it/);
    assert.match(prompt, /full-screen prompt that cannot be dismissed/);
    assert.match(v.apple.stays.join('\n'), /not erased/);
    assert.equal(v.steps[0]!.label, "Accept Apple's migration prompt");
    const card = renderJourneyCard(v);
    assert.deepEqual(parseProblems(card), []);
    assert.doesNotMatch(cardText(card), /\$\{/);
    assert.match(cardText(card), /What you will see on the device/);
  });

  it('has no "I\'ve removed it" button on that path; "Check my device" stays', () => {
    const verbs = view(mac, 'en').actions.map((a) => a.verb);
    assert.ok(verbs.includes(JOURNEY_VERBS.check));
    assert.ok(!verbs.includes(JOURNEY_VERBS.unenrolled));
    assert.ok(!verbs.includes(JOURNEY_VERBS.cannot));
  });

  it('speaks Swedish, with the date in Swedish and the same zone', () => {
    const v = view(mac, 'sv');
    assert.equal(v.apple.heading, "Steg 1: Alex's MacBook Pro flyttar själv till Intune");
    assert.match(v.apple.deadline, /^Slutdatum: 1 apr\. 2026 01:30 \(30 dagar kvar\)$/);
    assert.match(v.apple.prompt.join('\n'), /skjuta upp/);
    assert.deepEqual(parseProblems(renderJourneyCard(v)), []);
  });

  it("shows the deadline in the user's own time zone", () => {
    const v = view(mac, 'en', { timeZone: 'America/New_York' });
    assert.match(v.apple.deadline, /^Deadline: Mar 31, 2026, 7:30\s?PM/);
  });

  it('an iPhone hears about the restart and the work apps kept with their data', () => {
    const v = view({ ...mac, key: 'iphone-1', name: "Alex's iPhone", platform: 'ios' }, 'en');
    assert.equal(v.section, 'apple');
    assert.match(v.apple.prompt.join('\n'), /with a restart/);
    assert.match(
      v.apple.stays.join('\n'),
      /Work apps stay with their data when Intune installs the same apps/,
    );
  });

  it('personal devices, unmarked platforms and waves without the setting keep the manual unenroll steps', () => {
    assert.equal(view({ ...mac, ownership: 'personal' }, 'en').section, 'unenroll');
    assert.equal(view({ ...mac, platform: 'ipados' }, 'en').section, 'unenroll');
    const { appleMigration: _unset, ...plain } = wave;
    assert.equal(view(mac, 'en', { wave: plain }).section, 'unenroll');
    const manual = view({ ...mac, ownership: 'personal' }, 'en');
    assert.ok(manual.actions.some((a) => a.verb === JOURNEY_VERBS.unenrolled));
  });

  it('once the old MDM lets go, the device re-enrolls by itself instead of the Company Portal steps', () => {
    const left = openJourney({ ...mac, management: { kind: 'none' } }, NOW).journey;
    const v = journeyView({
      t: translator('en'),
      language: 'en',
      locale: 'en-US',
      timeZone: 'Europe/Stockholm',
      now: NOW,
      journeys: [left],
      focus: left,
      version: 1,
      wave,
      vendor: 'workspace-one',
      guidance,
    });
    assert.equal(left.stage, 'unenrolled');
    assert.equal(v.section, 'apple');
    assert.equal(v.apple.heading, "Alex's MacBook Pro is moving to Intune");
    assert.deepEqual(v.apple.prompt, []);
  });
});
