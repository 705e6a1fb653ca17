import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  isBlockingInventory,
  MAX_INVENTORY_BYTES,
  parseInventoryFile,
  parseInventoryText,
  parseOverrideMapping,
} from '../../../src/domain/inventory-file/parse-inventory';
import type { OldMdmDevice } from '../../../src/domain/old-mdm';

const fixture = (name: string) => readFileSync(path.join(__dirname, '../../fixtures/inventory', name));
const byId = (devices: OldMdmDevice[]) => new Map(devices.map((d) => [d.vendorId, d]));

describe('inventory file: built-in export layouts', () => {
  it('reads a Workspace ONE device list (BOM, quoted cells, a comma in a name) and reports bad rows by line', () => {
    const r = parseInventoryFile(fixture('workspace-one.csv'), { source: 'file' });
    assert.equal(r.layout, 'workspace-one');
    assert.deepEqual(
      r.devices.map((d) => d.vendorId),
      ['1041', '1042', '1043', '1044', '1045'],
    );
    const d = byId(r.devices);
    assert.deepEqual(d.get('1041'), {
      source: 'file',
      vendor: 'workspace-one',
      vendorId: '1041',
      name: "Alex's iPad",
      platform: 'ipados',
      osVersion: '17.5.1',
      model: 'iPad Air (5th generation)',
      serialNumber: 'DMPXK2ABQ1GC',
      udid: '00008103-001A2D3E0C38801E',
      userName: 'alexw',
      userEmail: 'alexw@example.com',
      ownership: 'personal',
      enrollment: 'enrolled',
      lastSeen: '2026-11-30T08:15:02.150Z',
    });
    assert.equal(d.get('1042')!.name, 'Wilber, Alex - iPhone');
    assert.equal(d.get('1042')!.platform, 'ios');
    assert.equal(d.get('1042')!.imei, '353918110712394');
    assert.equal(d.get('1043')!.platform, 'windows');
    // A wipe that is only pending still leaves the device managed.
    assert.equal(d.get('1043')!.enrollment, 'enrolled');
    assert.equal(d.get('1044')!.ownership, 'shared');
    assert.equal(d.get('1044')!.enrollment, 'unenrolled');
    assert.equal(d.get('1045')!.platform, 'other');
    assert.equal(d.get('1045')!.lastSeen, undefined);
    assert.deepEqual(r.problems, [
      { line: 6, reason: 'unknown-platform', column: 'Platform', value: 'Palm OS' },
      { line: 6, reason: 'bad-date', column: 'Last Seen', value: 'yesterday' },
      { line: 7, reason: 'no-identifier', value: 'Nameless, , , Apple, , , , , , , Enrolled, ,' },
    ]);
    assert.equal(isBlockingInventory(r.problems), false);
  });

  it('reads a Jamf Pro computer search export: every row a Mac, "Managed" as enrollment, Jamf date forms', () => {
    const r = parseInventoryFile(fixture('jamf-computers.csv'));
    assert.equal(r.layout, 'jamf-computers');
    assert.deepEqual(r.problems, []);
    const d = byId(r.devices);
    assert.deepEqual(d.get('12'), {
      source: 'file',
      vendor: 'jamf',
      vendorId: '12',
      name: 'Alex’s MacBook Pro',
      platform: 'macos',
      osVersion: '14.6.1',
      model: 'MacBook Pro (14-inch, 2023)',
      serialNumber: 'C02K2ND8CMF1',
      userName: 'alexw',
      userEmail: 'alexw@example.com',
      ownership: 'unknown',
      enrollment: 'enrolled',
      lastSeen: '2026-11-30T07:58:12.000Z',
    });
    assert.equal(d.get('13')!.enrollment, 'unenrolled');
    assert.equal(d.get('13')!.lastSeen, undefined, '"Never" is no date, not a bad one');
    assert.equal(d.get('14')!.name, 'Isaiah\'s "travel" Mac');
    assert.equal(d.get('14')!.lastSeen, '2026-11-28T16:05:00.000Z');
  });

  it('reads a Jamf Pro mobile device export (tab-delimited): iPad or iPhone from the model, a mangled IMEI reported', () => {
    const r = parseInventoryFile(fixture('jamf-mobile-devices.csv'));
    assert.equal(r.layout, 'jamf-mobile-devices');
    const d = byId(r.devices);
    assert.equal(d.get('301')!.platform, 'ios');
    assert.equal(d.get('301')!.imei, '356741085283931');
    assert.equal(d.get('301')!.supervised, true);
    assert.equal(d.get('301')!.ownership, 'corporate');
    assert.equal(d.get('302')!.platform, 'ipados');
    assert.equal(d.get('302')!.userPrincipalName, undefined);
    assert.equal(d.get('303')!.ownership, 'personal');
    assert.equal(d.get('303')!.enrollment, 'unenrolled');
    assert.equal(d.get('303')!.imei, undefined);
    assert.deepEqual(r.problems, [
      { line: 4, reason: 'bad-identifier', column: 'IMEI', value: '3.56938E+14' },
    ]);
  });

  it("reads an Ivanti EPMM export saved by Excel with ';' and Windows-1252, with day-first dates", () => {
    const r = parseInventoryFile(fixture('ivanti-epmm.csv'));
    assert.equal(r.layout, 'ivanti-epmm');
    assert.deepEqual(r.problems, []);
    const [asa, jorgen, tablet] = r.devices;
    assert.equal(asa!.name, 'Åsa Öberg iPhone');
    assert.equal(asa!.userName, 'asao');
    assert.equal(asa!.userEmail, 'asa.oberg@example.com');
    assert.equal(asa!.vendorId, '2f1c7a4e-8b57-4d5e-9a0b-6c1d2e3f4a01');
    assert.equal(asa!.ownership, 'corporate');
    assert.equal(asa!.enrollment, 'enrolled');
    assert.equal(asa!.lastSeen, '2026-11-13T14:02:00.000Z');
    assert.equal(jorgen!.name, 'Jörgen Ström Pixel');
    assert.equal(jorgen!.platform, 'android');
    assert.equal(jorgen!.ownership, 'personal');
    assert.equal(jorgen!.enrollment, 'unenrolled');
    assert.equal(jorgen!.lastSeen, '2026-10-02T09:30:00.000Z');
    assert.equal(tablet!.name, 'Mätrum surfplatta');
    assert.equal(tablet!.platform, 'ipados');
    assert.equal(tablet!.enrollment, 'enrolled', 'retire pending is not yet removed');
  });

  it('reads a BlackBerry UEM user list with device columns', () => {
    const r = parseInventoryFile(fixture('blackberry-uem.csv'));
    assert.equal(r.layout, 'blackberry-uem');
    assert.deepEqual(r.problems, []);
    const [diego, grady] = r.devices;
    assert.equal(diego!.vendor, 'blackberry');
    assert.equal(diego!.vendorId, 'serial:R5CT30ABCDE');
    assert.equal(diego!.ownership, 'corporate');
    assert.equal(diego!.platform, 'android');
    assert.equal(diego!.imei, '352099001761481');
    assert.equal(diego!.name, undefined, "the user list's display name is the person's, not the device's");
    assert.equal(grady!.ownership, 'personal');
    assert.equal(grady!.platform, 'ios');
    assert.equal(grady!.lastSeen, '2026-11-29T11:11:11.000Z');
  });

  it('reads a Citrix Endpoint Management device export (default headings, 12-hour month-first times, an MEID)', () => {
    const r = parseInventoryFile(fixture('citrix-endpoint-management.csv'));
    assert.equal(r.layout, 'citrix-endpoint-management');
    assert.deepEqual(r.problems, []);
    const [lynne, nestor] = r.devices;
    assert.equal(lynne!.platform, 'ipados');
    assert.equal(lynne!.userPrincipalName, 'lynner@example.com');
    assert.equal(lynne!.lastSeen, '2026-11-30T08:05:11.000Z');
    assert.equal(lynne!.ownership, 'corporate');
    assert.equal(nestor!.imei, 'A1000031212345');
    assert.equal(nestor!.ownership, 'personal');
    assert.equal(nestor!.lastSeen, '2026-11-28T17:40:00.000Z');
  });

  it('reads the generic layout, and takes the vendor from the campaign', () => {
    const r = parseInventoryFile(fixture('generic.csv'), { vendor: 'ivanti' });
    assert.equal(r.layout, 'generic');
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.devices[0], {
      source: 'file',
      vendor: 'ivanti',
      vendorId: 'serial:DMPXK2ABQ1GC',
      name: "Alex's iPad",
      platform: 'ipados',
      osVersion: '17.5.1',
      model: 'iPad Air',
      serialNumber: 'DMPXK2ABQ1GC',
      userPrincipalName: 'alexw@example.com',
      userEmail: 'alexw@example.com',
      ownership: 'personal',
      enrollment: 'enrolled',
      lastSeen: '2026-11-30T08:15:02.000Z',
    });
    assert.equal(r.devices[1]!.enrollment, 'unenrolled');
    assert.equal(r.devices[1]!.lastSeen, '2026-11-29T00:00:00.000Z');
  });
});

describe('inventory file: malformed files', () => {
  it('refuses binary files and workbooks as not text', () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]);
    const xlsx = Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]);
    for (const bytes of [png, xlsx]) {
      const r = parseInventoryFile(bytes);
      assert.deepEqual(r.problems, [{ line: 0, reason: 'not-text', value: '' }]);
      assert.equal(isBlockingInventory(r.problems), true);
    }
  });

  it('refuses a file over the size limit without reading it', () => {
    const big = new Uint8Array(MAX_INVENTORY_BYTES + 1).fill(0x41);
    assert.deepEqual(parseInventoryFile(big).problems, [
      { line: 0, reason: 'file-too-large', value: String(MAX_INVENTORY_BYTES + 1) },
    ]);
    assert.equal(
      parseInventoryText('a'.repeat(MAX_INVENTORY_BYTES + 1)).problems[0]!.reason,
      'file-too-large',
    );
  });

  it('refuses a file without a header row, or with columns no layout knows, naming what it found', () => {
    const noHeader = parseInventoryText(
      'C02K2ND8CMF1,alexw@example.com,macOS\nC07ZJ1ABPJHC,meganb@example.com,macOS\n',
    );
    assert.deepEqual(noHeader.problems, [
      { line: 1, reason: 'unknown-layout', value: 'C02K2ND8CMF1, alexw@example.com, macOS' },
    ]);
    const wrong = parseInventoryText('\n\nName,Department,Phone\nAlex,Sales,123\n');
    assert.deepEqual(wrong.problems, [
      { line: 3, reason: 'unknown-layout', value: 'Name, Department, Phone' },
    ]);
    assert.deepEqual(parseInventoryText('').problems, [{ line: 1, reason: 'unknown-layout', value: '' }]);
  });

  it('reports a header row that fits two layouts equally instead of picking one', () => {
    const r = parseInventoryText('Computer Name,Display Name,Serial Number\nA,B,C1\n');
    assert.deepEqual(r.problems, [
      { line: 1, reason: 'ambiguous-layout', value: 'Jamf Pro computers / Jamf Pro mobile devices' },
    ]);
    assert.deepEqual(r.devices, []);
  });

  it('imports nothing from a file whose quote never closes, or past the row limit: the snapshot would be partial', () => {
    const quotes = parseInventoryText('device_name,platform,serial_number\nA,iOS,S1\n"B,iOS,S2\nC,iOS,S3\n');
    assert.deepEqual(quotes.devices, []);
    assert.deepEqual(quotes.problems, [{ line: 3, reason: 'bad-quotes', value: '"B,iOS,S2\nC,iOS,S3' }]);
    const many = parseInventoryText('device_name,platform,serial_number\nA,iOS,S1\nB,iOS,S2\nC,iOS,S3\n', {
      maxRows: 2,
    });
    assert.deepEqual(many.devices, []);
    assert.deepEqual(many.problems, [{ line: 4, reason: 'too-many-rows', value: '2' }]);
    assert.deepEqual(parseInventoryText('device_name,platform,serial_number\n').problems, [
      { line: 1, reason: 'no-devices' },
    ]);
    const allBad = parseInventoryText('device_name,platform,serial_number\nA,iOS,\n');
    assert.deepEqual(
      allBad.problems.map((p) => p.reason),
      ['no-identifier', 'no-devices'],
    );
    assert.equal(isBlockingInventory(allBad.problems), true);
  });

  it('keeps line numbers of the file when a quoted cell spans lines, and skips a repeated device', () => {
    const r = parseInventoryText(
      'device_name,platform,serial_number,model\n"Two\nline name",iOS,S1,iPhone\n\nOther,Android,S2,Pixel\nAgain,iOS,s1,iPhone\n',
    );
    assert.deepEqual(
      r.devices.map((d) => [d.name, d.vendorId]),
      [
        ['Two\nline name', 'serial:S1'],
        ['Other', 'serial:S2'],
      ],
    );
    assert.deepEqual(r.problems, [{ line: 6, reason: 'duplicate', value: 'serial:s1', firstLine: 2 }]);
  });
});

describe('inventory file: override mapping', () => {
  it('reads an export no layout knows with the admin’s column → field mapping', () => {
    const mapping = parseOverrideMapping(fixture('custom-mapping.json').toString('utf8'));
    assert.ok(mapping.ok);
    const r = parseInventoryFile(fixture('custom-mdm.csv'), { override: mapping.mapping, source: 'file' });
    assert.equal(r.layout, 'override');
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.devices[0], {
      source: 'file',
      vendor: 'other',
      vendorId: 'serial:SN-1001',
      platform: 'windows',
      model: 'ThinkPad X1',
      serialNumber: 'SN-1001',
      userEmail: 'alexw@example.com',
      ownership: 'unknown',
      enrollment: 'unknown',
      lastSeen: '2026-11-30T10:00:00.000Z',
    });
  });

  it('accepts the flat form with a default platform absent, and refuses bad mappings with a reason', () => {
    const flat = parseOverrideMapping('{"Asset":"serialNumber","Kind":"platform"}');
    assert.deepEqual(flat, { ok: true, mapping: { columns: { serialNumber: 'Asset', platform: 'Kind' } } });
    const withPlatform = parseOverrideMapping('{"columns":{"Asset":"serialNumber"},"platform":"macOS"}');
    assert.deepEqual(withPlatform, {
      ok: true,
      mapping: { columns: { serialNumber: 'Asset' }, platform: 'macos' },
    });
    assert.deepEqual(parseOverrideMapping('not json'), { ok: false, reason: 'not JSON' });
    assert.deepEqual(parseOverrideMapping('{"Asset":"colour"}'), {
      ok: false,
      reason: '"Asset" maps to an unknown field',
    });
    assert.deepEqual(parseOverrideMapping('{"A":"serialNumber","B":"serialNumber"}'), {
      ok: false,
      reason: 'two columns map to serialNumber',
    });
    assert.equal(parseOverrideMapping('{"Owner":"userEmail"}').ok, false);
    assert.deepEqual(parseOverrideMapping('{"columns":{"Asset":"serialNumber"},"vendor":"airwatch"}'), {
      ok: false,
      reason: 'unknown vendor',
    });
  });

  it('names the mapped columns the file does not have, and every row takes a fixed platform', () => {
    const missing = parseInventoryText('Asset,Seen\nSN-1,2026-01-01\n', {
      override: { columns: { serialNumber: 'Asset', model: 'Hardware', lastSeen: 'Seen' } },
    });
    assert.deepEqual(missing.problems, [{ line: 1, reason: 'bad-mapping', value: 'Hardware' }]);
    const fixed = parseInventoryText('Asset\nSN-1\n', {
      override: { columns: { serialNumber: 'Asset' }, platform: 'macos' },
    });
    assert.equal(fixed.devices[0]!.platform, 'macos');
  });
});
