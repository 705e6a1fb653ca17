import assert from 'node:assert/strict';
import {
  isBlocking,
  MAX_IMPORT_BYTES,
  MAX_IMPORT_ROWS,
  MAX_PROBLEM_VALUE,
} from '../../src/domain/member-import';
import { decodeImportFile, parseCsvImport, parseImportFile } from '../../src/domain/member-import-csv';

const upns = (r: { entries: { upn: string }[] }) => r.entries.map((e) => e.upn);

describe('member import: CSV files', () => {
  it('CSV with bad rows: each is reported with its line number and reason, the good rows are kept', () => {
    const csv = [
      'Name,UPN,Department',
      'Alex Wilber,alexw@contoso.com,Sales',
      'Megan Bowen,megan.bowen,Sales',
      'Adele Vance,,Finance',
      '',
      'Isaiah Langer,isaiahl@contoso.com,IT',
      `Too Long,${'a'.repeat(60)}@${'b'.repeat(60)}.com,IT`,
      'Alex again,ALEXW@contoso.com,Sales',
      'Patti Fernandez,pattif@contoso,IT',
    ].join('\n');
    const r = parseCsvImport(csv);
    assert.deepEqual(r.entries, [
      { line: 2, upn: 'alexw@contoso.com' },
      { line: 6, upn: 'isaiahl@contoso.com' },
    ]);
    assert.deepEqual(
      r.problems.map((p) => [p.line, p.reason, p.firstLine]),
      [
        [3, 'not-a-upn', undefined],
        [4, 'empty', undefined],
        [7, 'too-long', undefined],
        [8, 'duplicate', 2],
        [9, 'not-a-upn', undefined],
      ],
    );
    assert.equal(r.problems[0]!.value, 'megan.bowen');
    assert.equal(isBlocking(r.problems), false);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks, reporting the line a row starts on', () => {
    const csv =
      'displayName,userPrincipalName\r\n' +
      '"Wilber, Alex",alexw@contoso.com\r\n' +
      '"Megan ""MB"" Bowen",meganb@contoso.com\r\n' +
      '"Adele\r\nVance",adelev@contoso.com\r\n' +
      '"Isaiah",not valid\r\n';
    const r = parseCsvImport(csv);
    assert.deepEqual(r.entries, [
      { line: 2, upn: 'alexw@contoso.com' },
      { line: 3, upn: 'meganb@contoso.com' },
      { line: 4, upn: 'adelev@contoso.com' },
    ]);
    assert.deepEqual(r.problems, [{ line: 6, value: 'not valid', reason: 'not-a-upn' }]);
  });

  it('reads the ; delimiter Excel writes with Swedish settings, with a BOM and a Swedish header', () => {
    const csv =
      '\uFEFFNamn;E-post;Avdelning\nÅsa Öberg;asa.oberg@contoso.se;Ekonomi\nPer; per@contoso.se ;IT\n;;\n';
    const r = parseCsvImport(csv);
    assert.deepEqual(r.entries, [
      { line: 2, upn: 'asa.oberg@contoso.se' },
      { line: 3, upn: 'per@contoso.se' },
    ]);
    assert.deepEqual(r.problems, []);
  });

  it('prefers a UPN column over a mail column, whatever their order', () => {
    const r = parseCsvImport('Mail,User Principal Name\nalex.wilber@mail.contoso.com,alexw@contoso.com\n');
    assert.deepEqual(upns(r), ['alexw@contoso.com']);
  });

  it('reads a single column with or without a header', () => {
    assert.deepEqual(upns(parseCsvImport('alexw@contoso.com\nmeganb@contoso.com\n')), [
      'alexw@contoso.com',
      'meganb@contoso.com',
    ]);
    assert.deepEqual(upns(parseCsvImport('Användare\r\nalexw@contoso.com\r\n')), ['alexw@contoso.com']);
    // An unknown lone first cell is read as data, so it is reported rather than silently dropped.
    const r = parseCsvImport('Members list\nalexw@contoso.com\n');
    assert.deepEqual(upns(r), ['alexw@contoso.com']);
    assert.deepEqual(r.problems, [{ line: 1, value: 'Members list', reason: 'not-a-upn' }]);
  });

  it('finds the address column of a file without header', () => {
    const r = parseCsvImport('Alex Wilber;alexw@contoso.com;Sales\nMegan Bowen;meganb@contoso.com;Sales\n');
    assert.deepEqual(upns(r), ['alexw@contoso.com', 'meganb@contoso.com']);
  });

  it('a header without a user column is one file-level problem at line 1, and nothing is imported', () => {
    const r = parseCsvImport('Name,Department\nAlex,Sales\n');
    assert.deepEqual(r.entries, []);
    assert.deepEqual(r.problems, [{ line: 1, value: 'Name, Department', reason: 'missing-column' }]);
    assert.equal(isBlocking(r.problems), true);
  });

  it('a quote that is never closed is reported where it opens and blocks the import', () => {
    const r = parseCsvImport('upn,name\nalexw@contoso.com,"Alex\nmeganb@contoso.com,Megan\n');
    assert.deepEqual(upns(r), []);
    assert.equal(r.problems.length, 1);
    assert.equal(r.problems[0]!.line, 2);
    assert.equal(r.problems[0]!.reason, 'bad-quotes');
    assert.equal(isBlocking(r.problems), true);
  });

  it('stops at the row limit and says so at the first row over it', () => {
    const rows = Array.from({ length: MAX_IMPORT_ROWS + 5 }, (_, i) => `u${i}@contoso.com`);
    const r = parseCsvImport(`upn\n${rows.join('\n')}\n`);
    assert.equal(r.entries.length, MAX_IMPORT_ROWS);
    assert.deepEqual(r.problems, [
      { line: MAX_IMPORT_ROWS + 2, value: String(MAX_IMPORT_ROWS), reason: 'too-many-rows' },
    ]);
    assert.equal(isBlocking(r.problems), true);
  });

  it('refuses a file over the size limit without reading it', () => {
    const big = `upn\n${'x'.repeat(MAX_IMPORT_BYTES)}`;
    const r = parseCsvImport(big);
    assert.deepEqual(r.entries, []);
    assert.equal(r.problems.length, 1);
    assert.equal(r.problems[0]!.reason, 'file-too-large');
    assert.equal(r.problems[0]!.line, 0);
    const bytes = parseImportFile(new Uint8Array(MAX_IMPORT_BYTES + 1));
    assert.equal(bytes.problems[0]!.reason, 'file-too-large');
  });

  it('reads files that mix CRLF, LF and CR, and quoted cells followed by spaces', () => {
    const r = parseCsvImport(
      '"UPN" ,Name\r\nalexw@contoso.com,Alex\n "meganb@contoso.com" ,"Megan\r\nBowen"\radelev@contoso.com,Adele\n',
    );
    assert.deepEqual(r.entries, [
      { line: 2, upn: 'alexw@contoso.com' },
      { line: 3, upn: 'meganb@contoso.com' },
      { line: 5, upn: 'adelev@contoso.com' },
    ]);
    assert.deepEqual(r.problems, []);
  });

  it('clips what a problem echoes of a runaway row', () => {
    const r = parseCsvImport(`upn\n${'z'.repeat(5_000)}\n`);
    assert.equal(r.problems[0]!.reason, 'too-long');
    assert.equal(r.problems[0]!.value.length, MAX_PROBLEM_VALUE);
  });
});

describe('member import: files as bytes', () => {
  it('reads UTF-8 with a BOM, UTF-16 and Windows-1252 (Swedish Excel)', () => {
    const utf8 = new TextEncoder().encode('\uFEFFnamn;upn\nÅsa;asa@contoso.se\n');
    assert.deepEqual(upns(parseImportFile(utf8)), ['asa@contoso.se']);

    const text = 'upn\r\nalexw@contoso.com\r\n';
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    assert.deepEqual(upns(parseImportFile(utf16)), ['alexw@contoso.com']);

    // "Åsa Öberg;asa@contoso.se" in Windows-1252: Å = 0xC5, Ö = 0xD6 (not valid UTF-8).
    const cp1252 = Buffer.concat([
      Buffer.from('namn;upn\n', 'latin1'),
      Buffer.from([0xc5]),
      Buffer.from('sa ', 'latin1'),
      Buffer.from([0xd6]),
      Buffer.from('berg;asa@contoso.se\n', 'latin1'),
    ]);
    const decoded = decodeImportFile(cp1252);
    assert.ok(decoded.ok);
    assert.match(decoded.text, /Åsa Öberg/);
    assert.deepEqual(upns(parseImportFile(cp1252)), ['asa@contoso.se']);
  });

  it('refuses a workbook or binary data as not text', () => {
    const xlsx = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]);
    assert.deepEqual(parseImportFile(xlsx).problems, [{ line: 0, value: '', reason: 'not-text' }]);
    const binary = new Uint8Array([0x61, 0x00, 0x62, 0x00, 0x00]);
    assert.equal(parseImportFile(binary).problems[0]!.reason, 'not-text');
  });
});
