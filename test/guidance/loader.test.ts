import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { GuidanceError, loadGuidance } from '../../src/guidance/guidance';
import { ContentFixture } from './content-fixture';

/** Loads the fixture and returns the problems it is refused with. */
function problemsOf(fixture: ContentFixture): string[] {
  try {
    loadGuidance({ contentDir: fixture.dir });
  } catch (err) {
    assert.ok(err instanceof GuidanceError, `expected a GuidanceError, got ${String(err)}`);
    assert.match(err.message, /docs\/guidance\.md/);
    return err.problems;
  }
  assert.fail('broken content was accepted');
}

describe('guidance: loader validation', () => {
  let fixture: ContentFixture;
  beforeEach(() => {
    fixture = new ContentFixture();
  });
  afterEach(() => fixture.remove());

  it('loads an untouched copy of the content from a folder', () => {
    const guidance = loadGuidance({ contentDir: fixture.dir });
    assert.equal(guidance.list().length, 60);
  });

  it('names the file and the field path of a step that lacks its English text', () => {
    fixture.set('blackberry.json', ['guides', 'ios', 'personal', 'steps', 2, 'en'], undefined);
    assert.deepEqual(problemsOf(fixture), [
      `${fixture.file('blackberry.json')}: guides.ios.personal.steps[2].en: required`,
    ]);
  });

  it('writes the translation files (i18n/<tag>.json) into the texts they name', () => {
    fixture.set('i18n/nb.json', ['jamf.guides.macos.personal.note'], 'En egen merknad på norsk');
    const guidance = loadGuidance({ contentDir: fixture.dir });
    assert.equal(guidance.unenroll('jamf', 'macos', 'personal', 'nb').note, 'En egen merknad på norsk');
    assert.notEqual(guidance.unenroll('jamf', 'macos', 'personal', 'en').note, 'En egen merknad på norsk');
  });

  it('refuses a translation that names no English text, or says again what a file has inline', () => {
    fixture.set('i18n/de.json', ['jamf.guides.ios.personal.steps.99'], 'Verwaist');
    fixture.set('i18n/fi.json', ['common.guideTitle'], 'Otsikko');
    fixture.set('common.json', ['guideTitle', 'fi'], 'Toinen otsikko');
    const dir = fixture.file('i18n');
    assert.deepEqual(problemsOf(fixture).sort(), [
      `${dir}/de.json: "jamf.guides.ios.personal.steps.99": ${fixture.file('jamf.json')} has no English text at guides.ios.personal.steps.99`,
      `${dir}/fi.json: "common.guideTitle": ${fixture.file('common.json')} already has the fi text inline`,
    ]);
  });

  it('a language without a translation file shows English (the completeness test keeps the built-in whole)', () => {
    rmSync(fixture.file('i18n/fr.json'));
    const guidance = loadGuidance({ contentDir: fixture.dir });
    const en = guidance.unenroll('citrix', 'windows', 'corporate', 'en');
    assert.deepEqual(guidance.unenroll('citrix', 'windows', 'corporate', 'fr').steps, en.steps);
  });

  it('reports every problem in every file at once, not just the first', () => {
    fixture.set('jamf.json', ['guides', 'windows', 'both', 'note', 'en'], '   ');
    fixture.set('common.json', ['platforms', 'macos', 'personal', 'minutes'], 'ten');
    const problems = problemsOf(fixture);
    assert.equal(problems.length, 2);
    assert.ok(
      problems.includes(
        `${fixture.file('common.json')}: platforms.macos.personal.minutes: must be a number of minutes`,
      ),
    );
    assert.ok(
      problems.includes(`${fixture.file('jamf.json')}: guides.windows.both.note.en: must not be empty`),
    );
  });

  it('refuses misspelt fields instead of silently ignoring them', () => {
    fixture.set('citrix.json', ['guides', 'ios', 'personal', 'stpes'], [{ en: 'x', sv: 'y' }]);
    assert.deepEqual(problemsOf(fixture), [
      `${fixture.file('citrix.json')}: guides.ios.personal: unknown field "stpes"`,
    ]);
  });

  it('refuses unknown platforms, empty step lists and unknown placeholders', () => {
    fixture.set('ivanti.json', ['guides', 'blackberry10'], {});
    fixture.set('other.json', ['guides', 'macos', 'personal', 'steps'], []);
    fixture.set('workspace-one.json', ['guides', 'ios', 'both', 'note'], {
      en: 'Ask {helpdesk}',
      sv: 'Fråga',
    });
    const problems = problemsOf(fixture);
    assert.ok(
      problems.includes(`${fixture.file('ivanti.json')}: guides: unknown field "blackberry10"`),
      problems.join('\n'),
    );
    assert.ok(
      problems.includes(
        `${fixture.file('other.json')}: guides.macos.personal.steps: needs at least one step`,
      ),
    );
    assert.ok(
      problems.some((p) =>
        p.startsWith(
          `${fixture.file('workspace-one.json')}: guides.ios.both.note.en: unknown placeholder {helpdesk}`,
        ),
      ),
      problems.join('\n'),
    );
  });

  it('refuses enrollment text that names the vendor, since enrollment is the same for every vendor', () => {
    fixture.set('enroll.json', ['platforms', 'windows', 'steps', 0, 'en'], 'Remove {vendor} first');
    const [problem] = problemsOf(fixture);
    assert.match(
      problem!,
      /enroll\.json: platforms\.windows\.steps\[0\]\.en: unknown placeholder \{vendor\}; only \{platform\}/,
    );
  });

  it('refuses a store link that is not https on the store’s own host', () => {
    fixture.set('enroll.json', ['platforms', 'ios', 'app', 'url'], 'http://apps.apple.com/app/id719171358');
    fixture.set('enroll.json', ['platforms', 'windows', 'app', 'url'], 'https://evil.example/companyportal');
    fixture.set('enroll.json', ['platforms', 'macos', 'app', 'store'], 'itunes');
    const problems = problemsOf(fixture);
    const file = fixture.file('enroll.json');
    assert.ok(
      problems.includes(`${file}: platforms.ios.app.url: must use https (an https link on apps.apple.com)`),
    );
    assert.ok(
      problems.includes(
        `${file}: platforms.windows.app.url: must point at apps.microsoft.com for store "microsoft-store", not evil.example`,
      ),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => p.startsWith(`${file}: platforms.macos.app.store: must be one of "app-store"`)),
    );
  });

  it('refuses a guide made non-self-service without a reason, naming the layer that did it', () => {
    fixture.set('citrix.json', ['guides', 'windows', 'personal', 'selfService'], false);
    assert.deepEqual(problemsOf(fixture), [
      `${fixture.file('citrix.json')}: guides.windows.personal.itReason: required when selfService is false`,
    ]);
  });

  it('reports a guide left without steps after merging', () => {
    fixture.set('common.json', ['platforms', 'android-fully-managed', 'both', 'steps'], undefined);
    const problems = problemsOf(fixture);
    assert.ok(
      problems.includes(
        `${fixture.file('common.json')}: platforms.android-fully-managed.personal.steps: required (set it here or under "both")`,
      ),
      problems.join('\n'),
    );
  });

  it('names a vendor file that is missing or is not JSON', () => {
    fixture.write('jamf.json', '{ "label": ');
    fixture.write('other.json', '');
    const problems = problemsOf(fixture);
    assert.ok(problems.some((p) => p.startsWith(`${fixture.file('jamf.json')}: is not valid JSON`)));
    assert.ok(problems.some((p) => p.startsWith(`${fixture.file('other.json')}: is not valid JSON`)));
    const missing = new ContentFixture();
    try {
      rmSync(missing.file('citrix.json'));
      assert.deepEqual(problemsOf(missing), [`${missing.file('citrix.json')}: file not found`]);
    } finally {
      missing.remove();
    }
  });
});
