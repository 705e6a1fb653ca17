import assert from 'node:assert/strict';
import { participantKey } from '../../../src/domain/participant';
import { readLayoutMapping, readUserNameMapping } from '../../../src/features/old-mdm/file-import-mapping';
import { settleBackground } from '../../../src/shared/background';
import { OLD_MDM_IMPORT_VERBS as V } from '../../../src/verbs/old-mdm-import';
import { OldMdmSyncJob } from '../../../src/workers/old-mdm-sync';
import { textOf } from '../../helpers/activities';
import { action, auditsOf, executes, fixture, importWorld, storedDevices } from './inventory-import-world';

const KIM = { aadObjectId: '00000000-0000-0000-0000-0000000000031', upn: 'kim.lind@example.com' };

describe('admin chat: the layout mapping and the user-name mapping', () => {
  let w: Awaited<ReturnType<typeof importWorld>>;
  beforeEach(async () => {
    w = await importWorld();
  });
  afterEach(async () => {
    await settleBackground(5_000);
    await w.close();
  });

  it('stores a layout mapping once confirmed, then reads an export no built-in layout knows with it', async () => {
    const before = textOf(await w.send('custom-mdm.csv', fixture('custom-mdm.csv')));
    assert.match(before, /neither a wave member list[\s\S]*nor a device export the bot knows/);

    const preview = await w.send('custom-mapping.json', fixture('custom-mapping.json'));
    const text = textOf(preview);
    assert.match(text, /Layout mapping: custom-mapping\.json/);
    assert.match(text, /Asset → serial number/);
    assert.equal(await readLayoutMapping(w.store), undefined, 'nothing stored by the preview');
    const saved = await w.press(V.confirm, action(preview, V.confirm).data);
    assert.match(textOf(saved), /Layout mapping saved: custom-mapping\.json/);
    assert.ok(await readLayoutMapping(w.store));
    assert.equal((await auditsOf(w.store, 'old-mdm.layout-mapping.save')).length, 1);

    const card = await w.send('custom-mdm.csv', fixture('custom-mdm.csv'));
    assert.match(textOf(card), /Read as: Your layout mapping/);
    await w.press(V.confirm, action(card, V.confirm).data);
    const stored = await storedDevices(w.store);
    assert.deepEqual(
      stored.map((d) => [d.serialNumber, d.platform, d.model, d.source]),
      [
        ['SN-1001', 'windows', 'ThinkPad X1', 'file'],
        ['SN-1002', 'windows', 'ThinkPad T14', 'file'],
      ],
    );
  });

  it('refuses a layout mapping it cannot use, saying why', async () => {
    const card = await w.send('mapping.json', '{ "Asset": "serialNumber", "Owner": "shoeSize" }');
    assert.match(textOf(card), /not a layout mapping the bot can use: "Owner" maps to an unknown field/);
    assert.equal(
      executes(card).some((a) => a.verb === V.confirm),
      false,
    );
  });

  it('previews a user-name mapping with its bad rows, stores it once confirmed, and the next matching pass uses it', async () => {
    // An export whose user column holds the old MDM's own account names, not UPNs.
    const devices = await w.send(
      'devices.csv',
      'device_name,platform,serial_number,user_name\nKim phone,Android,SER-K1,klind\nShared iPad,iPadOS,SER-S1,lobby\n',
    );
    await w.press(V.confirm, action(devices, V.confirm).data);
    await w.store.participants.insert(participantKey(KIM.aadObjectId), {
      aadObjectId: KIM.aadObjectId,
      userPrincipalName: KIM.upn,
      displayName: 'Kim Lind',
      firstSeenAt: '2026-11-01T00:00:00.000Z',
      lastSeenAt: '2026-11-01T00:00:00.000Z',
      version: 1,
    });

    const csv = [
      'Old MDM user name;UPN',
      'klind;Kim.Lind@example.com',
      ';nobody@example.com',
      'lobby;not-an-address',
      'KLIND;other@example.com',
      'jdoe;jdoe@example.com',
    ].join('\r\n');
    const preview = await w.send('user-names.csv', csv);
    const text = textOf(preview);
    assert.match(text, /User-name mapping: user-names\.csv/);
    assert.match(text, /Rows read\n5\nUser names\n2\nNew\n2/);
    assert.match(text, /Line 3: nobody@example.com — no user name/);
    assert.match(text, /Line 4: not-an-address — not a user principal name/);
    assert.match(text, /Line 5: KLIND — the same user name as line 2/);
    assert.match(text, /klind → kim\.lind@example\.com/);
    assert.deepEqual(await readUserNameMapping(w.store), {}, 'nothing stored by the preview');

    const saved = await w.press(V.confirm, action(preview, V.confirm).data);
    assert.match(textOf(saved), /User-name mapping saved: user-names\.csv/);
    assert.deepEqual(await readUserNameMapping(w.store), {
      jdoe: 'jdoe@example.com',
      klind: 'kim.lind@example.com',
    });
    const [audit] = await auditsOf(w.store, 'old-mdm.user-names.replace');
    assert.deepEqual(audit?.after, {
      fileName: 'user-names.csv',
      kind: 'user-names',
      entries: 2,
      added: 2,
      changed: 0,
      removed: 0,
      unchanged: 0,
    });

    const job = new OldMdmSyncJob({ ...w.deps, directory: w.directory }, [], {
      syncMinutes: 15,
      fullSyncHours: 24,
    });
    await job.runOnce();
    assert.ok(job.lastMatchPass, 'a matching pass ran');
    const byName = new Map((await storedDevices(w.store)).map((d) => [d.name, d.person]));
    assert.deepEqual(byName.get('Kim phone'), { aadObjectId: KIM.aadObjectId, by: 'mapping' });
    assert.deepEqual(byName.get('Shared iPad'), { missing: 'not-found' });
  });

  it('replaces the mapping with the next file: names it no longer lists are removed', async () => {
    const send = async (csv: string) => {
      const card = await w.send('names.csv', csv);
      return textOf(await w.press(V.confirm, action(card, V.confirm).data));
    };
    await send('username,upn\na;a@example.com\nb;b@example.com\n'.replaceAll(';', ','));
    const second = await send('username,upn\na,a2@example.com\nc,c@example.com\n');
    assert.match(second, /User names\n2\nNew\n1\nChanged\n1\nRemoved\n1/);
    assert.deepEqual(await readUserNameMapping(w.store), { a: 'a2@example.com', c: 'c@example.com' });
  });
});
