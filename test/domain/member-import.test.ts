import assert from 'node:assert/strict';
import { isUpn, parsePastedList } from '../../src/domain/member-import';

const upns = (r: { entries: { upn: string }[] }) => r.entries.map((e) => e.upn);

describe('member import: pasted lists', () => {
  it('splits on newlines, commas, semicolons and spaces, lower-cases, and keeps line numbers', () => {
    const r = parsePastedList(
      'Alex@Contoso.com, megan@contoso.com\n\nadele@contoso.com;isaiah@contoso.com  patti@contoso.com',
    );
    assert.deepEqual(r.entries, [
      { line: 1, upn: 'alex@contoso.com' },
      { line: 1, upn: 'megan@contoso.com' },
      { line: 3, upn: 'adele@contoso.com' },
      { line: 3, upn: 'isaiah@contoso.com' },
      { line: 3, upn: 'patti@contoso.com' },
    ]);
    assert.deepEqual(r.problems, []);
  });

  it('takes the address out of "Name <upn>" forms, including Outlook\'s "Last, First" <upn>', () => {
    const r = parsePastedList(
      'Alex Wilber <alexw@contoso.com>; "Bowen, Megan" <meganb@contoso.com>\r\nWilber, Adele <adelev@contoso.com>; mailto:isaiah@contoso.com\n' +
        "'pattif@contoso.com' <pattif@contoso.com>, Lee <leeg@contoso.com> extra@contoso.com",
    );
    assert.deepEqual(upns(r), [
      'alexw@contoso.com',
      'meganb@contoso.com',
      'adelev@contoso.com',
      'isaiah@contoso.com',
      'pattif@contoso.com',
      'leeg@contoso.com',
      'extra@contoso.com',
    ]);
    assert.deepEqual(r.problems, []);
  });

  it('reports bad values and duplicates with their line, and the line of the first occurrence', () => {
    const r = parsePastedList('alex@contoso.com\nnot-an-address\nALEX@contoso.com\n<>');
    assert.deepEqual(upns(r), ['alex@contoso.com']);
    assert.deepEqual(r.problems, [
      { line: 2, value: 'not-an-address', reason: 'not-a-upn' },
      { line: 3, value: 'alex@contoso.com', reason: 'duplicate', firstLine: 1 },
      { line: 4, value: '<>', reason: 'empty' },
    ]);
  });
});

describe('member import: what counts as a UPN', () => {
  it('accepts ordinary and guest UPNs, refuses the rest', () => {
    for (const ok of [
      'alexw@contoso.com',
      'first.last@sub.contoso.co.uk',
      "o'neil@contoso.com",
      'john_fabrikam.com#ext#@contoso.onmicrosoft.com',
    ]) {
      assert.equal(isUpn(ok), true, ok);
    }
    for (const bad of [
      'alexw',
      '@contoso.com',
      'alex@',
      'a@b@contoso.com',
      'alex@contoso',
      'al ex@contoso.com',
      '.alex@contoso.com',
      'alex..w@contoso.com',
      'åsa@contoso.se',
    ]) {
      assert.equal(isUpn(bad), false, bad);
    }
  });
});
