import assert from 'node:assert/strict';
import { type Guidance, type GuideSummary, loadGuidance } from '../../src/guidance/guidance';
import { tokenize } from '../../src/guidance/guidance-search';

const ids = (results: GuideSummary[]) =>
  results.map((r) => `${r.key.vendor}/${r.key.platform}/${r.key.ownership}`);

describe('guidance: search', () => {
  let guidance: Guidance;
  before(() => {
    guidance = loadGuidance();
  });

  it('finds iPhone guides by "iphone", and only those', () => {
    const results = guidance.search('iphone', 'en');
    assert.equal(results.length, 12);
    assert.ok(results.every((r) => r.key.platform === 'ios'));
  });

  it('finds iPad and Android tablets by the Swedish "surfplatta", but no computers', () => {
    const platforms = new Set(guidance.search('surfplatta', 'sv').map((r) => r.key.platform));
    assert.ok(platforms.has('ios') && platforms.has('android-work-profile'));
    assert.ok(!platforms.has('windows') && !platforms.has('macos'));
  });

  it('finds a vendor by name, in either language, with localized titles', () => {
    const results = guidance.search('jamf', 'sv');
    assert.equal(results.length, 10);
    assert.ok(results.every((r) => r.key.vendor === 'jamf'));
    assert.match(
      results[0]!.title,
      /^iPhone eller iPad \(privat enhet\): från Jamf Pro till Microsoft Intune$/,
    );
    assert.equal(results[0]!.path, '/guides/jamf/ios');
    assert.equal(results[1]!.path, '/guides/jamf/ios?ownership=corporate');
  });

  it('finds work-profile guides by the Swedish "arbetsprofil" and the English "work profile"', () => {
    for (const query of ['arbetsprofil', 'work profile', 'jobbprofil']) {
      const results = guidance.search(query, 'en');
      assert.equal(results.length, 12, query);
      assert.ok(
        results.every((r) => r.key.platform === 'android-work-profile'),
        query,
      );
    }
  });

  it('combines words: vendor, platform and ownership narrow down to one guide', () => {
    // Equal matches keep the list order, which puts the work profile (the usual personal Android) first.
    assert.deepEqual(ids(guidance.search('BlackBerry Android privat', 'sv')), [
      'blackberry/android-work-profile/personal',
      'blackberry/android-fully-managed/personal',
    ]);
    assert.deepEqual(ids(guidance.search('citrix mac corporate', 'en')), ['citrix/macos/corporate']);
  });

  it('reads questions: filler words in English or Swedish do not hide the answer', () => {
    assert.deepEqual(ids(guidance.search('how do I remove Jamf from my iPhone?', 'en')).sort(), [
      'jamf/ios/corporate',
      'jamf/ios/personal',
    ]);
    assert.deepEqual(ids(guidance.search('hur tar jag bort jamf från min iphone', 'sv')).sort(), [
      'jamf/ios/corporate',
      'jamf/ios/personal',
    ]);
  });

  it('matches product names and free words: Mobile@Work, AirWatch, Deactivate', () => {
    assert.ok(guidance.search('mobile@work', 'en').every((r) => r.key.vendor === 'ivanti'));
    assert.ok(guidance.search('AirWatch windows', 'en').every((r) => r.key.vendor === 'workspace-one'));
    assert.deepEqual(ids(guidance.search('deactivate', 'en')).sort(), [
      'blackberry/android-work-profile/personal',
      'blackberry/ios/personal',
    ]);
  });

  it('ignores accents, so "foretagsagd" finds company-owned guides', () => {
    const results = guidance.search('foretagsagd windows', 'sv');
    assert.equal(results.length, 6);
    assert.ok(results.every((r) => r.key.ownership === 'corporate' && r.key.platform === 'windows'));
  });

  it('returns every guide for an empty query and nothing for nonsense', () => {
    assert.equal(guidance.search('   ', 'en').length, guidance.list().length);
    assert.deepEqual(guidance.search('xyzzy plugh', 'en'), []);
    assert.deepEqual(guidance.search('<script>alert(1)</script>', 'en'), []);
  });

  it('tokenizes into lower-case words without accents, keeping @ inside a word', () => {
    assert.deepEqual(tokenize('Företagsägd iPad, Mobile@Work!'), ['foretagsagd', 'ipad', 'mobile@work']);
  });
});
