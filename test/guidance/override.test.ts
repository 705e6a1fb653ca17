import assert from 'node:assert/strict';
import path from 'node:path';
import { GuidanceError, loadGuidance } from '../../src/guidance/guidance';
import { tempJson } from './content-fixture';

const EXAMPLE = path.resolve(__dirname, '../../docs/guidance-override.example.json');

function withOverride(content: unknown) {
  const file = tempJson('override.json', content);
  try {
    return { guidance: loadGuidance({ overridePath: file.file }), file: file.file };
  } finally {
    file.remove();
  }
}

function overrideProblems(content: unknown): { problems: string[]; file: string } {
  const file = tempJson('override.json', content);
  try {
    loadGuidance({ overridePath: file.file });
  } catch (err) {
    assert.ok(err instanceof GuidanceError);
    return { problems: err.problems, file: file.file };
  } finally {
    file.remove();
  }
  assert.fail('the broken override was accepted');
}

const note = (en: string, sv: string) => ({ en, sv });
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('guidance: admin override', () => {
  it('replaces one guide’s steps in both languages and leaves every other guide alone', () => {
    const builtIn = loadGuidance();
    const { guidance } = withOverride({
      unenroll: {
        jamf: {
          ios: {
            personal: {
              steps: [
                note(
                  'Open Settings and remove the Contoso profile.',
                  'Öppna Inställningar och ta bort Contoso-profilen.',
                ),
              ],
            },
          },
        },
      },
    });
    assert.deepEqual(guidance.unenroll('jamf', 'ios', 'personal', 'en').steps, [
      'Open Settings and remove the Contoso profile.',
    ]);
    assert.deepEqual(guidance.unenroll('jamf', 'ios', 'personal', 'sv').steps, [
      'Öppna Inställningar och ta bort Contoso-profilen.',
    ]);
    assert.deepEqual(
      guidance.unenroll('jamf', 'ios', 'corporate', 'en'),
      builtIn.unenroll('jamf', 'ios', 'corporate', 'en'),
    );
    assert.deepEqual(
      guidance.unenroll('citrix', 'ios', 'personal', 'sv'),
      builtIn.unenroll('citrix', 'ios', 'personal', 'sv'),
    );
  });

  it('adds a global company note to every guide; a guide’s own note replaces it, null removes it', () => {
    const { guidance } = withOverride({
      companyNote: note(
        'Call the service desk ({platform}): 1234.',
        'Ring servicedesken ({platform}): 1234.',
      ),
      unenroll: {
        ivanti: {
          windows: {
            corporate: { companyNote: note('Bring the PC to floor 2.', 'Ta med datorn till plan 2.') },
          },
          macos: { both: { companyNote: null } },
        },
      },
      enroll: {
        macos: { companyNote: note('Use the self-service kiosk.', 'Använd självbetjäningskiosken.') },
      },
    });
    for (const key of guidance.list()) {
      const g = guidance.unenroll(key.vendor, key.platform, key.ownership, 'sv');
      if (key.vendor === 'ivanti' && key.platform === 'macos') assert.equal(g.companyNote, undefined);
      else if (key.vendor === 'ivanti' && key.platform === 'windows' && key.ownership === 'corporate')
        assert.equal(g.companyNote, 'Ta med datorn till plan 2.');
      else assert.equal(g.companyNote, `Ring servicedesken (${g.platformLabel}): 1234.`);
    }
    assert.equal(guidance.enroll('ios', 'en').companyNote, 'Call the service desk (iPhone or iPad): 1234.');
    assert.equal(guidance.enroll('macos', 'en').companyNote, 'Use the self-service kiosk.');
  });

  it('applies a vendor-wide "all" layer, then the platform layer above it', () => {
    const reason = note(
      'Our IT team handles every device of this kind.',
      'Vårt IT-team sköter alla sådana enheter.',
    );
    const { guidance } = withOverride({
      unenroll: {
        other: {
          all: { personal: { selfService: false, itReason: reason } },
          windows: { personal: { selfService: true } },
        },
      },
    });
    assert.equal(guidance.unenroll('other', 'ios', 'personal', 'en').selfService, false);
    assert.equal(guidance.unenroll('other', 'ios', 'personal', 'en').itReason, reason.en);
    assert.equal(guidance.unenroll('other', 'windows', 'personal', 'en').selfService, true);
    assert.equal(guidance.unenroll('jamf', 'ios', 'personal', 'en').selfService, true);
  });

  it('iPad-specific content adds iPadOS guides that build on the iOS ones', () => {
    const { guidance } = withOverride({
      unenroll: {
        jamf: { ipados: { personal: { note: note('iPads: see the sticker.', 'Surfplattor: se dekalen.') } } },
      },
    });
    const ipad = guidance.unenroll('jamf', 'ipados', 'personal', 'en');
    const iphone = guidance.unenroll('jamf', 'ios', 'personal', 'en');
    assert.equal(ipad.key.platform, 'ipados');
    assert.equal(ipad.note, 'iPads: see the sticker.');
    assert.equal(iphone.note, undefined);
    assert.deepEqual(ipad.steps, iphone.steps);
    assert.ok(guidance.list().some((k) => k.vendor === 'jamf' && k.platform === 'ipados'));
    assert.equal(guidance.enroll('ipados', 'en').title, guidance.enroll('ios', 'en').title);
  });

  it('refuses {vendor} in the global note, which enrollment pages (vendor-neutral) also show', () => {
    const { problems, file } = overrideProblems({
      companyNote: note('Leave {vendor} today', 'Lämna {vendor} i dag'),
    });
    assert.equal(problems.length, 2);
    assert.match(
      problems[0]!,
      new RegExp(`^${escapeRegExp(file)}: companyNote\\.en: unknown placeholder \\{vendor\\}`),
    );
  });

  it('rejects an override text without English, naming its path and the field', () => {
    const { problems, file } = overrideProblems({
      companyNote: { sv: 'Ring 1234' },
      unenroll: { blackberry: { ios: { personal: { steps: [{ en: 'One', sv: 'Ett' }, { sv: 'Två' }] } } } },
    });
    assert.deepEqual(problems.sort(), [
      `${file}: companyNote.en: required`,
      `${file}: unenroll.blackberry.ios.personal.steps[1].en: required`,
    ]);
  });

  it('an override text replaces the text in every language: languages it leaves out show its English', () => {
    const o = tempJson('guidance.json', {
      unenroll: { blackberry: { ios: { personal: { steps: [{ en: 'One', nb: 'En' }, { en: 'Two' }] } } } },
    });
    try {
      const guidance = loadGuidance({ overridePath: o.file });
      assert.deepEqual(guidance.unenroll('blackberry', 'ios', 'personal', 'nb').steps, ['En', 'Two']);
      // Never the built-in Swedish of the step the admin replaced: it would say something else.
      assert.deepEqual(guidance.unenroll('blackberry', 'ios', 'personal', 'sv').steps, ['One', 'Two']);
    } finally {
      o.remove();
    }
  });

  it('changes one built-in text in one language through "translations", by the translation-file keys', () => {
    const o = tempJson('guidance.json', {
      translations: {
        ar: { 'jamf.guides.macos.personal.note': 'ملاحظة من فريقنا' },
        sv: { 'enroll.platforms.windows.title': 'Registrera datorn hos oss' },
      },
    });
    try {
      const guidance = loadGuidance({ overridePath: o.file });
      const builtIn = loadGuidance();
      assert.equal(guidance.unenroll('jamf', 'macos', 'personal', 'ar').note, 'ملاحظة من فريقنا');
      assert.equal(guidance.enroll('windows', 'sv').title, 'Registrera datorn hos oss');
      assert.deepEqual(
        guidance.unenroll('jamf', 'macos', 'personal', 'en'),
        builtIn.unenroll('jamf', 'macos', 'personal', 'en'),
      );
    } finally {
      o.remove();
    }
  });

  it('refuses "translations" for a language without files or a key that names no text', () => {
    const { problems, file } = overrideProblems({
      translations: { pt: { 'common.guideTitle': 'x' }, de: { 'jamf.nothing.here': 'x' } },
    });
    assert.deepEqual(problems.sort(), [
      `${file}: translations.de: "jamf.nothing.here": src/guidance/content/jamf.json has no English text at nothing.here`,
      `${file}: translations.pt: there are no language files for "pt"`,
    ]);
  });

  it('rejects an override for a vendor or platform that does not exist, and a store link off the store', () => {
    const { problems, file } = overrideProblems({
      unenroll: { airwatch: {} },
      enroll: {
        linux: {},
        ios: { app: { name: note('x', 'x'), store: 'app-store', url: 'https://example.com/cp' } },
      },
    });
    assert.ok(problems.includes(`${file}: unenroll: unknown field "airwatch"`), problems.join('\n'));
    assert.ok(problems.includes(`${file}: enroll: unknown field "linux"`));
    assert.ok(
      problems.some((p) => p.startsWith(`${file}: enroll.ios.app.url: must point at apps.apple.com`)),
    );
  });

  it('rejects an override path that does not exist or holds no JSON', () => {
    assert.throws(
      () => loadGuidance({ overridePath: '/nonexistent/guidance.json' }),
      (err: unknown) =>
        err instanceof GuidanceError && err.problems[0] === '/nonexistent/guidance.json: file not found',
    );
    const { problems, file } = overrideProblems('{"companyNote": ');
    assert.match(problems[0]!, new RegExp(`^${escapeRegExp(file)}: is not valid JSON`));
  });

  it('the documented example override loads and does what docs/guidance.md says', () => {
    const guidance = loadGuidance({ overridePath: EXAMPLE });
    const phone = guidance.unenroll('workspace-one', 'ios', 'personal', 'en');
    assert.match(phone.companyNote!, /service desk on 1234/);
    assert.match(phone.note!, /Contoso Device Management/);
    assert.equal(phone.vendorSteps, undefined);
    assert.match(
      guidance.unenroll('workspace-one', 'ios', 'corporate', 'sv').companyNote!,
      /IT-disken på plan 2/,
    );
    assert.equal(guidance.enroll('windows', 'en').steps.length, 3);
    assert.equal(guidance.enroll('windows', 'en').builtIn, undefined);
  });
});
