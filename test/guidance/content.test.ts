import assert from 'node:assert/strict';
import { SOURCE_MDMS } from '../../src/domain/source-mdm';
import { translatedAppleContent } from '../../src/guidance/apple-guide';
import appleContent from '../../src/guidance/content/apple-migration.json';
import {
  CONTENT_PLATFORMS,
  type EnrollGuide,
  type Guidance,
  loadGuidance,
  OWNERSHIPS,
  RESOURCE_ITEMS,
  type UnenrollGuide,
} from '../../src/guidance/guidance';
import { builtInSources, type Source } from '../../src/guidance/guidance-sources';
import {
  applyTranslations,
  missingTranslations,
  readTranslations,
  TRANSLATIONS_DIR,
} from '../../src/guidance/guidance-translations';
import { LANGUAGES } from '../../src/i18n';

const STORE_HOSTS: Record<string, string> = {
  ios: 'apps.apple.com',
  'android-work-profile': 'play.google.com',
  windows: 'apps.microsoft.com',
  macos: 'go.microsoft.com',
};

/** Every string a user reads in an unenroll guide. */
function textsOf(g: UnenrollGuide): string[] {
  return [
    g.title,
    g.vendorName,
    g.agentName,
    g.platformLabel,
    g.ownershipLabel,
    g.itReason ?? '',
    g.note ?? '',
    ...g.steps,
    ...(g.vendorSteps ?? []),
    ...g.whatDisappears.map((w) => w.text),
  ];
}

function enrollTextsOf(g: EnrollGuide): string[] {
  return [
    g.title,
    ...g.steps,
    ...(g.builtIn ? [g.builtIn.title, ...g.builtIn.steps] : []),
    g.corporateNote ?? '',
  ];
}

describe('guidance: built-in content', () => {
  let guidance: Guidance;
  before(() => {
    guidance = loadGuidance();
  });

  it('resolves every vendor × platform × ownership in every language with non-empty steps', () => {
    let count = 0;
    for (const vendor of SOURCE_MDMS) {
      for (const platform of CONTENT_PLATFORMS) {
        for (const ownership of OWNERSHIPS) {
          for (const language of LANGUAGES) {
            const g = guidance.unenroll(vendor, platform, ownership, language);
            assert.deepEqual(g.key, { vendor, platform, ownership });
            assert.equal(g.language, language);
            assert.ok(g.steps.length > 0, `${vendor}/${platform}/${ownership}/${language} has steps`);
            for (const s of g.steps) assert.ok(s.trim().length > 10, `step is real text: "${s}"`);
            assert.ok(g.minutes > 0);
            count++;
          }
        }
      }
    }
    assert.equal(count, SOURCE_MDMS.length * CONTENT_PLATFORMS.length * 2 * LANGUAGES.length);
    assert.equal(guidance.list().length, SOURCE_MDMS.length * CONTENT_PLATFORMS.length * 2);
  });

  it('every language has the same steps, vendor steps and warnings as English for every guide', () => {
    for (const language of LANGUAGES.filter((l) => l !== 'en')) {
      for (const key of guidance.list()) {
        const en = guidance.unenroll(key.vendor, key.platform, key.ownership, 'en');
        const other = guidance.unenroll(key.vendor, key.platform, key.ownership, language);
        const id = `${language} ${key.vendor}/${key.platform}/${key.ownership}`;
        assert.equal(other.steps.length, en.steps.length, `${id}: step count`);
        assert.equal(other.vendorSteps?.length, en.vendorSteps?.length, `${id}: vendor step count`);
        assert.deepEqual(
          other.whatDisappears.map((w) => w.item),
          en.whatDisappears.map((w) => w.item),
          `${id}: same warnings`,
        );
        assert.notEqual(other.steps[0], en.steps[0], `${id}: not a copy of English`);
      }
      for (const platform of CONTENT_PLATFORMS) {
        const en = guidance.enroll(platform, 'en');
        const other = guidance.enroll(platform, language);
        assert.equal(other.steps.length, en.steps.length, `${language} ${platform}: enroll step count`);
        assert.equal(other.builtIn?.steps.length, en.builtIn?.steps.length, `${platform}: built-in steps`);
        assert.notEqual(other.title, en.title, `${language} ${platform}: enroll title translated`);
      }
    }
  });

  it('has every text of every content file in every language (inline or in content/i18n/<tag>.json)', () => {
    const problems: string[] = [];
    const raw = builtInSources();
    const files: Record<string, Source> = { common: raw.common, enroll: raw.enroll, ...raw.vendors };
    const translations = readTranslations(TRANSLATIONS_DIR, 'content/i18n', problems).map((f) => ({
      ...f,
      entries: Object.fromEntries(
        Object.entries(f.entries).filter(([k]) => !k.startsWith('apple-migration.')),
      ),
    }));
    const translated = applyTranslations(files, translations, problems);
    assert.deepEqual(problems, [], 'every translation lands on an English text');
    const missing = Object.entries(translated).flatMap(([base, source]) =>
      missingTranslations(source.data, LANGUAGES).map((m) => `${base}.${m}`),
    );
    missing.push(
      ...missingTranslations(translatedAppleContent(), LANGUAGES).map((m) => `apple-migration.${m}`),
    );
    assert.deepEqual(missing, []);
  });

  it('keeps the placeholders of the English text in every translation', () => {
    const problems: string[] = [];
    const english = new Map<string, string>();
    const collect = (node: unknown, at: string): void => {
      if (Array.isArray(node)) {
        for (const [i, n] of node.entries()) collect(n, `${at}.${i}`);
      } else if (node && typeof node === 'object') {
        const o = node as Record<string, unknown>;
        if (typeof o.en === 'string') english.set(at, o.en);
        else for (const [k, v] of Object.entries(o)) collect(v, `${at}.${k}`);
      }
    };
    const raw = builtInSources();
    for (const [base, source] of Object.entries({ common: raw.common, enroll: raw.enroll, ...raw.vendors }))
      collect(source.data, base);
    collect(appleContent, 'apple-migration');
    const names = (t: string) => [...t.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const file of readTranslations(TRANSLATIONS_DIR, 'content/i18n', problems)) {
      for (const [key, text] of Object.entries(file.entries)) {
        const en = english.get(key);
        assert.ok(en !== undefined, `${file.file}: ${key} has no English text`);
        assert.deepEqual(names(text), names(en), `${file.file}: ${key}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('fills in every placeholder: no {vendor}, {agent} … is left in any text', () => {
    for (const key of guidance.list()) {
      for (const language of LANGUAGES) {
        for (const text of textsOf(guidance.unenroll(key.vendor, key.platform, key.ownership, language))) {
          assert.doesNotMatch(text, /[{}]/, `${key.vendor}/${key.platform}: "${text}"`);
        }
      }
    }
    for (const platform of CONTENT_PLATFORMS) {
      for (const language of LANGUAGES) {
        for (const text of enrollTextsOf(guidance.enroll(platform, language)))
          assert.doesNotMatch(text, /[{}]/);
      }
    }
  });

  it('every guide that is not self-service explains why IT has to do it, and only those do', () => {
    let notSelfService = 0;
    for (const key of guidance.list()) {
      for (const language of LANGUAGES) {
        const g = guidance.unenroll(key.vendor, key.platform, key.ownership, language);
        if (g.selfService) {
          assert.equal(g.itReason, undefined);
        } else {
          notSelfService++;
          assert.ok(g.itReason && g.itReason.length > 40, `${key.vendor}/${key.platform}/${key.ownership}`);
        }
      }
    }
    assert.ok(notSelfService > 0);
  });

  it('company-owned devices and fully managed Android go to IT; personal devices are self-service', () => {
    for (const vendor of SOURCE_MDMS) {
      for (const platform of ['ios', 'windows', 'macos', 'android-work-profile'] as const) {
        assert.equal(guidance.unenroll(vendor, platform, 'corporate', 'en').selfService, false, platform);
        assert.equal(guidance.unenroll(vendor, platform, 'personal', 'en').selfService, true, platform);
      }
      for (const ownership of OWNERSHIPS) {
        assert.equal(guidance.unenroll(vendor, 'android-fully-managed', ownership, 'en').selfService, false);
      }
    }
  });

  it('names the platform’s own settings paths, in each language', () => {
    const steps = (platform: (typeof CONTENT_PLATFORMS)[number], language: 'en' | 'sv') =>
      guidance.unenroll('other', platform, 'personal', language).steps.join('\n');
    assert.match(steps('ios', 'en'), /General → VPN & Device Management/);
    assert.match(steps('ios', 'en'), /Remove Management/);
    assert.match(steps('ios', 'sv'), /Allmänt → VPN och enhetshantering/);
    assert.match(steps('android-work-profile', 'en'), /Remove work profile/);
    assert.match(steps('windows', 'en'), /Settings → Accounts → Access work or school/);
    assert.match(steps('windows', 'en'), /Disconnect/);
    assert.match(steps('windows', 'sv'), /Åtkomst till arbete eller skola/);
    assert.match(steps('macos', 'en'), /Privacy & Security → Profiles/);
    assert.match(
      guidance.enroll('windows', 'en').builtIn!.steps.join('\n'),
      /Access work or school[\s\S]*Connect/,
    );
  });

  it('uses each vendor’s own agent and its own way out where there is one', () => {
    const bb = guidance.unenroll('blackberry', 'ios', 'personal', 'en');
    assert.match(bb.steps.join('\n'), /Deactivate My Device/);
    assert.equal(bb.agentName, 'the BlackBerry UEM Client app');
    const ws1 = guidance.unenroll('workspace-one', 'android-work-profile', 'personal', 'en');
    assert.match(ws1.vendorSteps!.join('\n'), /Intelligent Hub[\s\S]*Unenroll/);
    assert.match(
      guidance.unenroll('ivanti', 'ios', 'personal', 'sv').steps.join('\n'),
      /Mobile@Work eller Ivanti Go/,
    );
    assert.match(guidance.unenroll('citrix', 'ios', 'personal', 'en').steps.join('\n'), /Secure Hub/);
    assert.match(guidance.unenroll('jamf', 'windows', 'personal', 'en').note!, /only Apple devices/);
    // A device that cannot leave on its own gets no self-service alternative.
    assert.equal(
      guidance.unenroll('workspace-one', 'android-fully-managed', 'personal', 'en').vendorSteps,
      undefined,
    );
  });

  it('warns what disappears, with Teams among it, for every guide', () => {
    for (const key of guidance.list()) {
      const g = guidance.unenroll(key.vendor, key.platform, key.ownership, 'en');
      const items = g.whatDisappears.map((w) => w.item);
      assert.ok(items.includes('teams') && items.includes('email'), `${key.vendor}/${key.platform}`);
      for (const item of items) assert.ok(RESOURCE_ITEMS.includes(item));
    }
    assert.match(
      guidance.unenroll('blackberry', 'android-work-profile', 'personal', 'en').whatDisappears[0]!.text,
      /BlackBerry Work/,
    );
  });

  it('links only to https pages of the expected store for each platform', () => {
    for (const platform of CONTENT_PLATFORMS) {
      for (const language of LANGUAGES) {
        const app = guidance.enroll(platform, language).app;
        if (platform === 'android-fully-managed') {
          assert.equal(app, undefined, 'the Intune app comes with the device setup');
          continue;
        }
        assert.ok(app, `${platform} has a store link`);
        const url = new URL(app.url);
        assert.equal(url.protocol, 'https:');
        assert.equal(url.hostname, STORE_HOSTS[platform]);
        assert.ok(app.storeLabel.length > 0 && app.name.length > 0);
      }
    }
    assert.equal(
      guidance.enroll('ios', 'en').app!.url,
      'https://apps.apple.com/app/intune-company-portal/id719171358',
    );
    assert.equal(
      guidance.enroll('android-work-profile', 'sv').app!.url,
      'https://play.google.com/store/apps/details?id=com.microsoft.windowsintune.companyportal',
    );
  });

  it('serves the iOS guides for iPadOS, since there is no iPad-specific content', () => {
    const ipad = guidance.unenroll('jamf', 'ipados', 'personal', 'sv');
    assert.deepEqual(ipad, guidance.unenroll('jamf', 'ios', 'personal', 'sv'));
    assert.equal(ipad.key.platform, 'ios');
    assert.equal(guidance.enroll('ipados', 'en').platform, 'ios');
    assert.ok(!guidance.list().some((k) => k.platform === 'ipados'));
  });
});
