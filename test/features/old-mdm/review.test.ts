import assert from 'node:assert/strict';
import restify from 'restify';
import { createApp } from '../../../src/app';
import { MAX_CARD_BYTES } from '../../../src/cards/render';
import type { AuditEvent } from '../../../src/domain/audit';
import { campaignKey } from '../../../src/domain/campaign';
import { type InventoryDevice, inventoryKey } from '../../../src/domain/inventory';
import type { OldMdmDevice } from '../../../src/domain/old-mdm';
import { participantKey } from '../../../src/domain/participant';
import { registerExportRoutes } from '../../../src/exports/export-routes';
import { clearAdminCache } from '../../../src/features/admin/admin-access';
import { applyFileSnapshot } from '../../../src/features/old-mdm/inventory-sync';
import { runMatchPass } from '../../../src/features/old-mdm/match-pass';
import type { AzureStorage } from '../../../src/integrations/storage/azure-storage';
import type { Store } from '../../../src/ports/store';
import { forEachBounded } from '../../../src/shared/bounded';
import { ADMIN_VERBS } from '../../../src/verbs/admin';
import { ALEX, cardAction, runTurn, testDeps, textOf } from '../../helpers/activities';
import { MEGAN } from '../../helpers/demo';
import { freshStorage } from '../../helpers/storage';

type Node = Record<string, unknown>;
function nodes(card: unknown): Node[] {
  const out: Node[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      out.push(n as Node);
      Object.values(n).forEach(walk);
    }
  };
  walk(card);
  return out;
}
const executes = (card: unknown) =>
  nodes(card).filter((n) => n.type === 'Action.Execute') as { title: string; verb: string; data: Node }[];

const NOW = new Date('2026-11-23T09:00:00.000Z');
const SIGNING_KEY = 'r'.repeat(40);

const device = (vendorId: string, fields: Partial<OldMdmDevice>): OldMdmDevice => ({
  source: 'workspace-one',
  vendor: 'workspace-one',
  vendorId,
  platform: 'ios',
  ownership: 'corporate',
  enrollment: 'enrolled',
  ...fields,
});

/** Alex is an admin (by UPN, looked up in the directory); Megan is not. */
async function setup(storage?: AzureStorage) {
  clearAdminCache();
  const store = (storage ?? (await freshStorage())).store;
  const t = testDeps({ store, invokeBudgetMs: 4_000 });
  t.clock.current = NOW;
  t.deps.config = {
    ...t.deps.config,
    admins: { upns: [ALEX.upn] },
    exportSigningKey: SIGNING_KEY,
  };
  for (const u of [ALEX, MEGAN])
    t.directory.users.set(u.aadObjectId, {
      id: u.aadObjectId,
      userPrincipalName: u.upn,
      displayName: u.name,
    });
  const at = NOW.toISOString();
  await store.participants.insert(participantKey(MEGAN.aadObjectId), {
    aadObjectId: MEGAN.aadObjectId,
    userPrincipalName: MEGAN.upn,
    firstSeenAt: at,
    lastSeenAt: at,
    version: 1,
  });
  const app = createApp(t.deps);
  const invoke = async (verb: string, data: Record<string, unknown> = {}, from = ALEX) => {
    const { invokeResponse } = await runTurn(app, cardAction(verb, data, { from }));
    assert.equal(invokeResponse?.status, 200);
    return (invokeResponse?.body as { value: Node }).value;
  };
  return { ...t, store, invoke };
}

/** Inventory rows as a matching pass leaves them, written straight to the table. */
async function storeRows(store: Store, rows: InventoryDevice[]) {
  await forEachBounded(rows, 16, async (r) => {
    await store.oldMdmDevices.insert(inventoryKey(r.source, r.vendorId), r);
  });
}

const stored = (i: number, extra: Partial<InventoryDevice> = {}): InventoryDevice => ({
  ...device(String(100_000 + i), {
    name: `${'Very long device name '.repeat(30)}${i}`.slice(0, 512),
    userPrincipalName: `${'someone.with.a.long.name.'.repeat(18)}${i}@example.com`.slice(0, 512),
  }),
  firstSeenAt: NOW.toISOString(),
  lastSyncedAt: NOW.toISOString(),
  match: { kind: 'ambiguous', by: 'serial', reason: 'several-candidates', candidateKeys: ['x', 'y'] },
  person: { missing: 'not-found' },
  ...extra,
});

describe('admin: the old MDM’s devices to review (Azurite)', () => {
  it('opens from the admin home’s old-MDM section and says why each device needs a look', async () => {
    const h = await setup();
    h.directory.candidates = [
      { key: 'intune-a', platform: 'ios', serialNumber: 'TWIN' },
      { key: 'intune-b', platform: 'ios', serialNumber: 'TWIN' },
      { key: 'intune-ok', platform: 'ios', serialNumber: 'OK1' },
    ];
    await applyFileSnapshot(
      h.deps,
      [
        device('1', { name: 'Twin phone', serialNumber: 'TWIN', userPrincipalName: MEGAN.upn }),
        device('2', { name: 'Lost tablet', platform: 'ipados', serialNumber: 'NONE', userName: 'jdoe' }),
        device('3', { name: 'Fine phone', serialNumber: 'OK1', userPrincipalName: MEGAN.upn }),
      ],
      { source: 'workspace-one' },
    );
    await runMatchPass({ ...h.deps, directory: h.directory });

    const home = await h.invoke(ADMIN_VERBS.home);
    const button = executes(home).find((a) => a.title === 'Devices to review');
    assert.deepEqual(button && [button.verb, button.data], [ADMIN_VERBS.oldMdmReview, {}]);

    const card = await h.invoke(button!.verb, button!.data);
    const text = textOf(card);
    assert.match(text, /Devices to review/);
    assert.match(text, /Devices 1–2 of 2/);
    assert.match(text, /Twin phone\n.*iPhone \(iOS\) · Workspace ONE · user: meganb@example\.com/);
    assert.match(text, /2 Intune or Entra devices share this serial number/);
    assert.match(text, /Lost tablet\n.*user: jdoe/);
    assert.match(
      text,
      /No Intune or Entra device · No person with this user name or UPN: add a user-name mapping/,
    );
    assert.doesNotMatch(text, /Fine phone/, 'a device matched to one device and one person needs no look');
    assert.deepEqual(
      executes(card).map((a) => [a.title, a.verb, a.data]),
      [
        ['Download as CSV', ADMIN_VERBS.exportCsv, { kind: 'old-mdm-review' }],
        ['Back', ADMIN_VERBS.home, {}],
      ],
    );
  });

  it('is for admins only: anyone else gets the refusal', async () => {
    const h = await setup();
    await storeRows(h.store, [stored(1)]);
    const card = await h.invoke(ADMIN_VERBS.oldMdmReview, {}, MEGAN);
    assert.match(textOf(card), /This is for migration admins/);
    assert.doesNotMatch(textOf(card), /Very long device name/);
  });

  it('stays under the card budget with 1,500 devices of the longest names, pages to 200, and points to the CSV for the rest', async () => {
    const h = await setup();
    await storeRows(
      h.store,
      Array.from({ length: 1_500 }, (_, i) => stored(i)),
    );
    const first = await h.invoke(ADMIN_VERBS.oldMdmReview);
    assert.ok(Buffer.byteLength(JSON.stringify(first), 'utf8') < MAX_CARD_BYTES);
    const text = textOf(first);
    assert.match(text, /Devices 1–20 of 1,500/);
    assert.deepEqual(
      executes(first)
        .filter((a) => a.verb === ADMIN_VERBS.oldMdmReview)
        .map((a) => [a.title, a.data]),
      [['Next', { page: 1 }]],
    );

    const last = await h.invoke(ADMIN_VERBS.oldMdmReview, { page: 9 });
    assert.ok(Buffer.byteLength(JSON.stringify(last), 'utf8') < MAX_CARD_BYTES);
    assert.match(textOf(last), /Devices 181–200 of 1,500/);
    assert.match(textOf(last), /The other 1,300 are in the CSV download\./);
    assert.deepEqual(
      executes(last)
        .filter((a) => a.verb === ADMIN_VERBS.oldMdmReview)
        .map((a) => a.title),
      ['Previous'],
    );

    const beyond = await h.invoke(ADMIN_VERBS.oldMdmReview, { page: 10 });
    assert.doesNotMatch(textOf(beyond), /Very long device name/);
  });

  it('says so when there is nothing to review', async () => {
    const h = await setup();
    const card = await h.invoke(ADMIN_VERBS.oldMdmReview);
    assert.match(textOf(card), /Nothing to review/);
    assert.deepEqual(
      executes(card).map((a) => a.verb),
      [ADMIN_VERBS.home],
    );
  });

  it('in Swedish', async () => {
    const h = await setup();
    await storeRows(h.store, [stored(1)]);
    const app = createApp(h.deps);
    const { invokeResponse } = await runTurn(
      app,
      cardAction(ADMIN_VERBS.oldMdmReview, {}, { locale: 'sv-SE' }),
    );
    const text = textOf((invokeResponse?.body as { value: Node }).value);
    assert.match(text, /Enheter att granska/);
    assert.match(text, /2 Intune- eller Entra-enheter har samma serienummer/);
    assert.match(text, /Ingen person har det här användarnamnet eller UPN:et/);
  });
});

describe('integration: the devices-to-review CSV over a signed link (restify, Azurite)', () => {
  let server: restify.Server | undefined;
  afterEach(() => server?.close());

  it('issues a signed link from the card, streams every device with its reasons, neutralises formulas and audits the download', async () => {
    const storage = await freshStorage();
    const h = await setup(storage);
    await h.store.campaigns.insert(campaignKey(), {
      id: 'default',
      name: 'Contoso',
      sourceMdm: 'jamf',
      voluntaryOptIn: false,
      createdAt: NOW.toISOString(),
    });
    await storeRows(h.store, [
      ...Array.from({ length: 250 }, (_, i) => stored(i)),
      stored(999, {
        source: 'file',
        vendorId: 'f-1',
        name: '=HYPERLINK("http://evil")',
        match: { kind: 'unmatched' },
        person: { aadObjectId: MEGAN.aadObjectId, by: 'upn' },
      }),
      stored(1000, {
        match: { kind: 'matched', candidateKey: 'k', by: 'serial', confidence: 1 },
        person: { aadObjectId: 'x', by: 'upn' },
      }),
      stored(1001, { goneAt: NOW.toISOString() }),
    ]);

    const links = await h.invoke(ADMIN_VERBS.exportCsv, { kind: 'old-mdm-review' });
    assert.match(textOf(links), /Devices to review \(CSV\)/);
    const url = nodes(links).find((n) => n.type === 'Action.OpenUrl')?.url as string;
    assert.match(url, /^https:\/\/bot\.example\.com\/exports\/old-mdm-review\.csv\?.*sig=/);

    server = restify.createServer({ handleUncaughtExceptions: false });
    registerExportRoutes(server, {
      store: h.store,
      clock: h.clock,
      logger: h.deps.logger,
      signingKey: SIGNING_KEY,
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const res = await fetch(`${base}${new URL(url).pathname}${new URL(url).search}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-disposition') ?? '', /devices-to-review-20261123-0900\.csv/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const lines = (await res.text())
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    assert.equal(
      lines[0],
      'Source,Device id in the old MDM,Device name,Platform,User in the old MDM,Match,Why,Intune or Entra candidates',
    );
    assert.equal(lines.length, 1 + 251, 'every device to review, past the card’s 200, and nothing else');
    const evil = lines.find((l) => l.includes('f-1'))!;
    assert.match(evil, /^Jamf \(export file\),f-1,"'=HYPERLINK\(""http:\/\/evil""\)",iPhone \(iOS\),/);
    assert.match(evil, /,Only in the old MDM,No Intune or Entra device,$/);
    const twin = lines.find((l) => l.includes(',100001,'))!;
    assert.match(
      twin,
      /,Ambiguous,"2 Intune or Entra devices share this serial number; No person with this user name or UPN: add a user-name mapping","x; y"$/,
    );

    const audit: AuditEvent[] = [];
    for await (const { value } of h.store.audit.listPartition('2026-11-23')) audit.push(value);
    const download = audit.find((e) => e.action === 'export.download');
    assert.equal(download?.target, 'old-mdm-review');
    assert.deepEqual(
      [download?.actorAadObjectId, (download?.after as { rows?: number }).rows],
      [ALEX.aadObjectId, 251],
    );
    assert.ok(audit.some((e) => e.action === 'export.link'));
  });
});
