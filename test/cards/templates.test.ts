import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as AC from 'adaptivecards';
import { deviceListView, renderDeviceListCard } from '../../src/cards/device-list-card';
import {
  devicePreviewView,
  importMessageView,
  layoutPreviewView,
  renderInventoryImportCard,
  userNamePreviewView,
} from '../../src/cards/inventory-import-card';
import { renderReviewCard, reviewCardView } from '../../src/cards/old-mdm-review-card';
import { renderCard } from '../../src/cards/render';
import { renderRunbookCampaignCard, renderRunbookWaveCard } from '../../src/cards/runbook-card';
import { renderWaveAnnouncementCard } from '../../src/cards/wave-announcement-card';
import { renderWelcomeCard, welcomeView } from '../../src/cards/welcome-card';
import { RUNBOOK_STEPS } from '../../src/domain/runbook';
import { isRightToLeft, LANGUAGES, translator } from '../../src/i18n';

const DIR = path.resolve(__dirname, '../../adaptiveCards');
const templates = readdirSync(DIR).filter((f) => f.endsWith('.json') && !f.endsWith('.data.json'));

/** Parses a card with the Adaptive Cards SDK and returns every parse or validation problem it reports. */
function problemsOf(card: object): string[] {
  const ac = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext();
  ac.parse(card, ctx);
  const problems: string[] = [];
  for (let i = 0; i < ctx.eventCount; i++) problems.push(ctx.getEventAt(i).message);
  for (const e of ac.validateProperties().validationEvents) problems.push(e.message);
  return problems;
}

/** A text as it appears inside a card's JSON. */
const inJson = (text: string) => JSON.stringify(text).slice(1, -1);

describe('cards: templates', () => {
  it('has a template for every card the code renders, each with sample data', () => {
    assert.ok(templates.length >= 3, `templates found: ${templates.join(', ')}`);
    for (const t of templates) {
      const data = t.replace(/\.json$/, '.data.json');
      assert.ok(readdirSync(DIR).includes(data), `${t} has no sample data file ${data}`);
    }
  });

  for (const file of templates) {
    it(`${file} renders its sample data completely and parses as Adaptive Card 1.5`, () => {
      const template = JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as object;
      const data = JSON.parse(
        readFileSync(path.join(DIR, file.replace(/\.json$/, '.data.json')), 'utf8'),
      ) as object;
      const card = renderCard(template, data);
      assert.equal(card.version, '1.5');
      assert.doesNotMatch(JSON.stringify(card), /\$\{/);
      assert.deepEqual(problemsOf(card), []);
    });
  }

  it('refuses to render a card that leaves an expression unexpanded', () => {
    assert.throws(
      () =>
        renderCard(
          { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: '${missing.deep}' }] },
          {},
        ),
      /unexpanded expression/,
    );
  });

  it('shows text containing "${" from people or the directory as written, without reading it as an expression', () => {
    const template = {
      type: 'AdaptiveCard',
      version: '1.5',
      body: [{ type: 'TextBlock', text: 'Hello ${name}' }],
      actions: [{ type: 'Action.Submit', title: 'Open', data: { note: '${note}', tags: ['${tags[0]}'] } }],
    };
    const card = renderCard(template, { name: 'Eve ${evil} Doe', note: 'cost ${5}', tags: ['${x}'] });
    const json = JSON.stringify(card);
    assert.ok(!json.includes('${'), json);
    const text = (card.body as { text: string }[])[0]!.text;
    assert.equal(text.replaceAll('\u200b', ''), 'Hello Eve ${evil} Doe');
    const data = (card.actions as { data: { note: string } }[])[0]!.data;
    assert.equal(data.note.replaceAll('\u200b', ''), 'cost ${5}');
    assert.deepEqual(problemsOf(card), []);
  });

  it('refuses to render a card over the 80 KB budget', () => {
    const template = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: '${big}' }] };
    assert.throws(() => renderCard(template, { big: 'x'.repeat(90 * 1024) }), /over the 81920 allowed/);
  });

  for (const language of LANGUAGES) {
    it(`builds the welcome and device cards in ${language} without parse problems`, () => {
      const t = translator(language);
      const welcome = renderWelcomeCard(
        welcomeView(t, { givenName: 'Alex', vendor: 'jamf', locale: language, verb: 'devices.check' }),
      );
      assert.deepEqual(problemsOf(welcome), []);
      const devices = renderDeviceListCard(
        deviceListView(t, {
          devices: [
            {
              key: 'k',
              name: 'Phone',
              platform: 'android',
              osVersion: '15',
              management: { kind: 'intune', alsoPartnerMdmAppId: 'x' },
              intune: {
                managedDeviceId: 'm',
                complianceState: 'inGracePeriod',
                lastSyncDateTime: '2026-11-20T10:00:00Z',
              },
            },
          ],
          vendor: 'jamf',
          locale: language === 'sv' ? 'sv-SE' : 'en-US',
          timeZone: 'Europe/Stockholm',
          checkedAt: new Date('2026-11-20T10:05:00Z'),
          verb: 'devices.check',
          complete: true,
        }),
      );
      assert.deepEqual(problemsOf(devices), []);
      assert.ok(JSON.stringify(devices).includes(inJson(t('devices.management.both', { vendor: 'Jamf' }))));
      // Right-to-left languages render right-to-left, whichever card it is; the others carry no rtl.
      assert.equal(welcome.rtl, isRightToLeft(language) ? true : undefined, `${language} welcome rtl`);
      assert.equal(devices.rtl, isRightToLeft(language) ? true : undefined, `${language} devices rtl`);
    });
  }

  for (const language of LANGUAGES) {
    it(`builds the old-MDM file cards in ${language} without parse problems`, () => {
      const r = { t: translator(language), locale: language === 'sv' ? 'sv-SE' : 'en-US' };
      const problems = Array.from({ length: 25 }, (_, i) => ({
        line: i + 2,
        reason: 'no-identifier' as const,
        value: `row ${i}`,
      }));
      const cards = [
        devicePreviewView(
          r,
          {
            fileName: 'ws1.csv',
            layoutLabel: 'Workspace ONE UEM device list',
            rows: 1_250,
            devices: 1_225,
            perPlatform: { ios: 1_000, android: 225 },
            problems,
            problemCount: 25,
            goneCount: 12,
            goneNames: ['LOBBY-IPAD'],
          },
          'd1',
        ),
        userNamePreviewView(
          r,
          {
            fileName: 'names.csv',
            rows: 2,
            entries: [{ userName: 'klind', upn: 'kim@example.com' }],
            problems: [{ line: 3, reason: 'duplicate', value: 'KLIND', firstLine: 2 }],
            problemCount: 1,
            change: { added: 1, changed: 0, removed: 0, unchanged: 0 },
          },
          'd2',
          0,
        ),
        layoutPreviewView(
          r,
          { fileName: 'm.json', columns: [{ column: 'Asset', field: 'serialNumber' }] },
          'd3',
        ),
        importMessageView(r, { title: 'x', text: 'y', homeVerb: 'admin.home' }),
      ].map(renderInventoryImportCard);
      for (const card of cards) assert.deepEqual(problemsOf(card), []);
      assert.ok(JSON.stringify(cards[0]).includes(inJson(r.t('inventory.badRows', { count: 25 }))));
      const duplicate = r.t('inventory.userNames.reason.duplicate', { firstLine: 2 });
      assert.ok(JSON.stringify(cards[1]).includes(inJson(duplicate)), duplicate);
    });
  }

  for (const language of LANGUAGES) {
    it(`builds the old-MDM "devices to review" card in ${language} without parse problems`, () => {
      const card = renderReviewCard(
        reviewCardView({
          t: translator(language),
          locale: language === 'sv' ? 'sv-SE' : 'en-GB',
          timeZone: 'Europe/Stockholm',
          now: new Date('2026-11-30T09:00:00Z'),
          devices: [
            {
              source: 'file',
              vendor: 'jamf',
              vendorId: '1',
              name: 'MAC-1',
              platform: 'macos',
              match: 'ambiguous',
              by: 'serial',
              reason: 'candidate-taken',
              candidateKeys: ['a'],
              personMissing: 'no-user',
            },
          ],
          page: 0,
          pageSize: 20,
          total: 1,
          cap: 200,
          counts: { ambiguous: 1, unmatched: 0, personMissing: 1 },
        }),
      );
      assert.deepEqual(problemsOf(card), []);
      assert.doesNotMatch(JSON.stringify(card), /dashboard\.review\./);
    });
  }

  it('shows dates in the user time zone', () => {
    const t = translator('en');
    const view = deviceListView(t, {
      devices: [],
      vendor: 'other',
      locale: 'en-GB',
      timeZone: 'Asia/Tokyo',
      checkedAt: new Date('2026-11-20T23:30:00Z'),
      verb: 'devices.check',
      complete: true,
    });
    assert.match(view.checkedAt, /21 Nov 2026, 08:30/);
    assert.equal(view.showEmpty, true);
  });
});

describe('cards: wave announcement', () => {
  it('is personal: name, the devices Graph shows, dates in the user zone, CA mode in words', () => {
    const card = renderWaveAnnouncementCard({
      t: translator('sv'),
      locale: 'sv-SE',
      timeZone: 'Europe/Stockholm',
      givenName: 'Megan',
      vendor: 'workspace-one',
      wave: {
        id: 'pilot',
        name: 'Pilot',
        order: 0,
        state: 'announced',
        startAt: '2026-11-24T07:00:00Z',
        conditionalAccess: { kind: 'grace', endsAt: '2026-12-07T17:00:00Z' },
        reminders: { enabled: true, deferralLimit: 3 },
        estimatedMinutes: 25,
        createdAt: '2026-11-20T09:00:00Z',
      },
      devices: [
        {
          key: 'a',
          name: 'Megans Pixel',
          platform: 'android',
          management: { kind: 'partner', mdmAppId: 'x' },
        },
      ],
    });
    const text = JSON.stringify(card);
    assert.match(text, /Hej Megan!/);
    assert.match(text, /Megans Pixel \(Android\)/);
    assert.match(text, /24 nov\. 2026 08:00/);
    assert.match(text, /Fram till 7 dec\. 2026 18:00 behåller du åtkomsten/);
    assert.match(text, /ungefär 25 minuter per enhet/);
    assert.deepEqual(problemsOf(card), []);
  });
  it('renders the runbook cards (a wave with every section, the campaign) in both languages', () => {
    for (const language of LANGUAGES) {
      const f = {
        t: translator(language),
        locale: language === 'sv' ? 'sv-SE' : 'en-GB',
        timeZone: 'Europe/Stockholm',
      };
      const steps = RUNBOOK_STEPS.map((id, i) => ({
        id,
        state: (
          [
            'done',
            'waiting',
            'not-needed',
            'in-progress',
            'in-progress',
            'waiting',
            'waiting',
            'blocked',
          ] as const
        )[i]!,
        known: { kind: 'observed', source: 'graph' } as const,
        progress: { done: 1, total: 3 },
        ...(id === 'intune-ca-grace-end'
          ? { date: '2026-12-07T09:00:00Z', action: 'policy-state' as const }
          : {}),
      }));
      const wave = renderRunbookWaveCard({
        ...f,
        waveId: 'pilot',
        waveName: 'Pilot',
        modeText: 'grace',
        members: 3,
        steps,
        coverage: {
          members: 3,
          counts: { enforced: 0, 'report-only': 3, off: 0, none: 0 },
          notEnforced: ['a', 'b', 'c'],
          uncovered: [],
          enforced: [],
          policies: [
            {
              id: 'p',
              displayName: 'Require compliant device',
              state: 'enabledForReportingButNotEnforced',
              members: 3,
              notEvaluated: ['locations'],
            },
          ],
          notEvaluated: ['locations'],
        },
        findings: [{ kind: 'grace-uncovered', memberIds: ['a'] }],
        names: new Map([['a', 'Alex Wilber']]),
        partner: { partnerDevices: 2, overlap: ['a'] },
      });
      assert.deepEqual(problemsOf(wave), []);
      assert.doesNotMatch(JSON.stringify(wave), /"(text|title)":"(runbook|access)\./, 'every key translated');
      const campaign = renderRunbookCampaignCard({
        ...f,
        campaignName: 'Workspace ONE to Intune',
        steps: steps.map((s) => ({ id: s.id, state: s.state })),
        waves: [{ id: 'pilot', name: 'Pilot', current: steps[1] }],
      });
      assert.deepEqual(problemsOf(campaign), []);
    }
  });
});
