import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { waveKey } from '../../../src/domain/campaign';
import { settleBackground } from '../../../src/shared/background';
import { ADMIN_VERBS } from '../../../src/verbs/admin';
import { OLD_MDM_IMPORT_VERBS as V } from '../../../src/verbs/old-mdm-import';
import { textOf } from '../../helpers/activities';
import {
  action,
  auditsOf,
  executes,
  fixture,
  ISAIAH,
  importWorld,
  MEGAN,
  storedDevices,
} from './inventory-import-world';

const GENERIC_HEADER = 'device_name,platform,serial_number,user_principal_name\n';
const generic = (rows: [name: string, serial: string][]) =>
  GENERIC_HEADER + rows.map(([name, serial]) => `${name},iOS,${serial},alexw@example.com`).join('\n');

describe('admin chat: an old MDM device export', () => {
  let w: Awaited<ReturnType<typeof importWorld>>;
  beforeEach(async () => {
    w = await importWorld();
  });
  afterEach(async () => {
    await settleBackground(5_000);
    await w.close();
  });

  it('recognises every built-in layout from its header row and previews it without storing anything', async () => {
    const layouts: [file: string, label: RegExp, devices: number][] = [
      ['workspace-one.csv', /Read as: Workspace ONE UEM device list/, 0],
      ['jamf-computers.csv', /Read as: Jamf Pro computers/, 0],
      ['jamf-mobile-devices.csv', /Read as: Jamf Pro mobile devices/, 0],
      ['ivanti-epmm.csv', /Read as: Ivanti EPMM devices/, 0],
      ['blackberry-uem.csv', /Read as: BlackBerry UEM users and devices/, 0],
      ['citrix-endpoint-management.csv', /Read as: Citrix Endpoint Management devices/, 0],
      ['generic.csv', /Read as: Generic device list/, 0],
    ];
    for (const [file, label] of layouts) {
      const card = await w.send(file, fixture(file));
      const text = textOf(card);
      assert.match(text, new RegExp(`Device export: ${file.replace('.', '\\.')}`), file);
      assert.match(text, label, file);
      assert.match(text, /Nothing is stored until you confirm/, file);
      action(card, V.confirm);
      action(card, V.cancel);
    }
    assert.deepEqual(await storedDevices(w.store), [], 'a preview stores no device');
  });

  it('lists bad rows by line and reason, 20 on the preview and every one behind "Show all bad rows"', async () => {
    const rows = [GENERIC_HEADER.trim(), 'Good phone,iOS,SER-1,alexw@example.com'];
    for (let i = 0; i < 30; i++) rows.push(`Nameless ${i},iOS,,`);
    rows.push('Odd,Toaster OS,SER-2,alexw@example.com');
    const card = await w.send('bad.csv', rows.join('\n'));
    const text = textOf(card);
    assert.match(text, /Bad rows \(31\)/);
    assert.match(
      text,
      /Line 3: Nameless 0, iOS, , — no device ID, serial number, IMEI, UDID or Entra device ID/,
    );
    assert.doesNotMatch(text, /Line 23:/, 'the preview lists the first 20 only');
    assert.match(text, /… and 11 more/);
    assert.match(text, /Rows read\n32/);
    assert.match(text, /Devices\n2/);

    const all = await w.press(V.badRows, action(card, V.badRows).data);
    const page = textOf(all);
    assert.match(page, /Bad rows 1–31 of 31/);
    assert.match(page, /Line 32: Nameless 29/);
    assert.match(
      page,
      /Line 33 \(platform\): Toaster OS — a platform the bot does not know; imported as "other"/,
    );
    action(all, V.confirm);
  });

  it('names the devices the file would mark gone, and marks them gone only once confirmed', async () => {
    const first = await w.send(
      'march.csv',
      generic([
        ['Alex iPhone', 'SER-1'],
        ['Lobby iPad', 'SER-2'],
        ['Old phone', 'SER-3'],
      ]),
    );
    const done = await w.press(V.confirm, action(first, V.confirm).data);
    assert.match(textOf(done), /Device export imported: march\.csv/);
    assert.match(textOf(done), /Devices listed\n3\nNew\n3\nUpdated\n0\nMarked gone\n0/);

    const second = await w.send('april.csv', generic([['Alex iPhone', 'SER-1']]));
    const preview = textOf(second);
    assert.match(preview, /Would be marked gone\n2/);
    assert.match(preview, /Would be marked gone from the old MDM \(2\)\nLobby iPad\nOld phone/);
    assert.equal((await storedDevices(w.store)).filter((d) => d.goneAt).length, 0, 'not before confirming');

    const result = await w.press(V.confirm, action(second, V.confirm).data);
    assert.match(textOf(result), /Devices listed\n1\nNew\n0\nUpdated\n0\nMarked gone\n2/);
    const stored = await storedDevices(w.store);
    assert.deepEqual(
      stored.map((d) => [d.vendorId, d.source, d.goneAt !== undefined]),
      [
        ['serial:SER-1', 'file', false],
        ['serial:SER-2', 'file', true],
        ['serial:SER-3', 'file', true],
      ],
    );
    const audits = await auditsOf(w.store, 'old-mdm.file.import');
    assert.equal(audits.length, 2);
    assert.equal(audits[0]!.actorAadObjectId, '00000000-0000-0000-0000-0000000000020');
  });

  it('cancel stores nothing, and a confirm pressed after it is refused', async () => {
    const card = await w.send('ws1.csv', fixture('workspace-one.csv'));
    const cancelled = await w.press(V.cancel, action(card, V.cancel).data);
    assert.match(textOf(cancelled), /Cancelled\nNothing from this file was stored/);
    const late = await w.press(V.confirm, action(card, V.confirm).data);
    assert.match(textOf(late), /Cancelled/);
    assert.deepEqual(await storedDevices(w.store), []);
    assert.deepEqual(await auditsOf(w.store, 'old-mdm.file.import'), []);
  });

  it('imports once when Confirm is pressed twice at the same time, and says so to the late click', async () => {
    const card = await w.send('ws1.csv', fixture('workspace-one.csv'));
    const data = action(card, V.confirm).data;
    const answers = (await Promise.all([w.press(V.confirm, data), w.press(V.confirm, data)])).map(textOf);
    assert.equal(answers.filter((t) => /Device export imported/.test(t)).length, 1, answers.join('\n---\n'));
    assert.equal(answers.filter((t) => /Already (being )?stored/.test(t)).length, 1, answers.join('\n---\n'));
    const again = textOf(await w.press(V.confirm, data));
    assert.match(again, /Already stored\nThis file was confirmed already/);
    assert.equal((await auditsOf(w.store, 'old-mdm.file.import')).length, 1);
    assert.ok((await storedDevices(w.store)).length > 0);
  });

  it('refuses a non-admin without downloading the file, and refuses their click on an admin preview', async () => {
    const refused = await w.send('ws1.csv', fixture('workspace-one.csv'), MEGAN);
    assert.match(textOf(refused), /This is for migration admins/);
    assert.equal(w.downloads(), 0);
    const card = await w.send('ws1.csv', fixture('workspace-one.csv'));
    const forged = await w.press(V.confirm, action(card, V.confirm).data, MEGAN);
    assert.match(textOf(forged), /This is for migration admins/);
    assert.deepEqual(await storedDevices(w.store), []);
  });

  it("refuses a forged, unknown, expired or another admin's draft with a card that says which", async () => {
    const unknown = textOf(await w.press(V.confirm, { draftId: randomUUID() }));
    assert.match(unknown, /This preview cannot be used\nIt no longer exists/);
    const forged = textOf(await w.press(V.confirm, { draftId: '../import-draft/x' }));
    assert.match(forged, /This preview cannot be used/);
    const missing = textOf(await w.press(V.confirm, {}));
    assert.match(missing, /That did not work\nThe card sent something I cannot use \(import\)/);

    const card = await w.send('ws1.csv', fixture('workspace-one.csv'));
    const theirs = textOf(await w.press(V.confirm, action(card, V.confirm).data, ISAIAH));
    assert.match(theirs, /Another admin sent this file/);
    w.clock.advance(25 * 3_600_000);
    const expired = textOf(await w.press(V.confirm, action(card, V.confirm).data));
    assert.match(expired, /It expired/);
    assert.deepEqual(await storedDevices(w.store), []);
  });

  it('gives a specific answer to a file it cannot use', async () => {
    const answers: [name: string, content: string | Uint8Array, expected: RegExp][] = [
      ['garbage.csv', Buffer.from([0x00, 0x01, 0xff, 0x00, 0x42, 0x00, 0x13]), /This is not a text file/],
      ['empty.csv', '', /The file is empty/],
      ['blank.csv', '\n \n', /The file is empty/],
      ['devices.xlsx', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]), /Excel workbook. Save it as CSV/],
      [
        'header-only.csv',
        '"Friendly Name","Platform","Last Seen","Serial Number"\n',
        /No row could be read as a device/,
      ],
      ['oversized.csv', Buffer.alloc(50 * 1024 * 1024 + 10, 0x61), /larger than 50 MB/],
      ['mixed.csv', 'upn,Serial Number\nalexw@example.com,SER-1\n', /has a user column and device columns/],
      [
        'asset-list.csv',
        'Asset Tag,Serial Number\nA-1,SER-1\n',
        /no device export the bot knows[\s\S]*Workspace ONE UEM device list: Friendly Name, Platform, Last Seen/,
      ],
      ['broken.csv', 'device_name,platform,serial_number\n"Open quote,iOS,SER-1\n', /never closed/],
    ];
    for (const [name, content, expected] of answers) {
      const text = textOf(await w.send(name, content));
      assert.match(text, new RegExp(`${name.replace('.', '\\.')} cannot be used`), name);
      assert.match(text, expected, name);
      assert.equal(
        executes(await w.send(name, content)).some((a) => a.verb === V.confirm),
        false,
        name,
      );
    }
    assert.deepEqual(await storedDevices(w.store), []);
  });

  it('still sends a wave member list to the member import', async () => {
    await w.store.waves.insert(waveKey('ring-1'), {
      id: 'ring-1',
      name: 'Ring 1',
      order: 1,
      state: 'draft',
      conditionalAccess: { kind: 'none' },
      reminders: { enabled: true, deferralLimit: 3 },
      estimatedMinutes: 20,
      createdAt: '2026-11-01T00:00:00.000Z',
    });
    for (const csv of [
      'upn;name\r\nisaiah@example.com;Isaiah\r\n',
      'isaiah@example.com\nmeganb@example.com\n',
    ]) {
      const card = await w.send('ring-1.csv', csv);
      assert.match(textOf(card), /Import from ring-1\.csv/);
      assert.ok(executes(card).some((a) => a.verb === ADMIN_VERBS.previewWave && a.data.waveId === 'ring-1'));
      assert.equal(
        executes(card).some((a) => a.verb === V.confirm),
        false,
      );
    }
  });

  it('answers a long import at once and replaces the card with the result when done', async () => {
    const card = await w.send('ws1.csv', fixture('workspace-one.csv'));
    w.deps.invokeBudgetMs = 0;
    const first = textOf(await w.press(V.confirm, action(card, V.confirm).data));
    assert.match(first, /Still working on it/);
    await settleBackground(10_000);
    const [update] = w.messenger.updated;
    assert.ok(update, 'the working card was replaced');
    assert.match(textOf(update.message.card), /Device export imported: ws1\.csv/);
    assert.equal((await auditsOf(w.store, 'old-mdm.file.import')).length, 1);
  });
});
