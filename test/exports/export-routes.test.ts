import assert from 'node:assert/strict';
import restify from 'restify';
import type { AuditEvent } from '../../src/domain/audit';
import { type Broadcast, broadcastKey, type Delivery, deliveryKey } from '../../src/domain/broadcast';
import { type Wave, waveKey, waveMemberKey } from '../../src/domain/campaign';
import { escalationKey } from '../../src/domain/escalation';
import type { Escalation } from '../../src/domain/escalation-model';
import { parseCsvImport } from '../../src/domain/member-import-csv';
import { type Participant, participantKey } from '../../src/domain/participant';
import { type ExportRouteDeps, registerExportRoutes } from '../../src/exports/export-routes';
import { type ExportRequest, exportExpiry, signExport } from '../../src/exports/signed-link';
import type { AzureStorage } from '../../src/integrations/storage/azure-storage';
import { eventually } from '../helpers/eventually';
import { FakeClock, silentLogger } from '../helpers/fakes';
import { freshStorage } from '../helpers/storage';

const KEY = 'export-route-test-signing-key-0123456789abcdef';
const ADMIN = 'admin-object-id';
const AT = '2026-11-20T10:00:00.000Z';

function wave(id: string, name: string, order: number): Wave {
  return {
    id,
    name,
    order,
    state: 'active',
    conditionalAccess: { kind: 'none' },
    reminders: { enabled: true, deferralLimit: 3 },
    estimatedMinutes: 20,
    createdAt: AT,
  };
}

function participant(id: string, name: string, waveId?: string): Participant {
  return {
    aadObjectId: id,
    userPrincipalName: `${id}@contoso.com`,
    displayName: name,
    firstSeenAt: AT,
    lastSeenAt: AT,
    version: 1,
    observedAt: AT,
    ...(waveId ? { waveId } : {}),
  };
}

describe('integration: CSV exports over HTTP (restify, Azurite)', () => {
  let storage: AzureStorage;
  let server: restify.Server;
  let base: string;
  let clock: FakeClock;
  let allowed: boolean;

  before(async () => {
    storage = await freshStorage();
    const { store } = storage;
    clock = new FakeClock(new Date('2026-11-23T09:00:00Z'));
    await store.waves.insert(waveKey('pilot'), wave('pilot', 'Pilot', 0));
    await store.waves.insert(waveKey('wave-1'), wave('wave-1', 'Wave 1', 1));
    const people = [
      participant('alex', '=HYPERLINK("http://evil")', 'pilot'),
      participant('megan', 'Megan Bowen', 'pilot'),
      participant('adele', 'Adele Vance', 'wave-1'),
      participant('isaiah', 'Isaiah Langer'),
    ];
    for (const p of people) await store.participants.insert(participantKey(p.aadObjectId), p);
    for (const [w, id] of [
      ['pilot', 'alex'],
      ['pilot', 'megan'],
      // Left behind by a move to wave-1: not a pilot member any more.
      ['pilot', 'adele'],
      ['wave-1', 'adele'],
    ] as const) {
      await store.waveMembers.insert(waveMemberKey(w, id), {
        waveId: w,
        aadObjectId: id,
        userPrincipalName: `${id}@contoso.com`,
        addedAt: AT,
      });
    }
    await store.escalations.insert(escalationKey('alex'), {
      ticketId: 'alex-1',
      ticketNumber: 1,
      state: 'open',
    } as Escalation);
    await store.broadcasts.insert(broadcastKey('b1'), {
      id: 'b1',
      kind: 'announcement',
      waveId: 'pilot',
      state: 'done',
      createdAt: AT,
      createdBy: { aadObjectId: ADMIN },
      recipientCount: 2,
    } as Broadcast);
    for (const [id, state] of [
      ['alex', 'sent'],
      ['megan', 'failed'],
    ] as const) {
      const d: Delivery = {
        broadcastId: 'b1',
        aadObjectId: id,
        userPrincipalName: `${id}@contoso.com`,
        state,
        attempts: state === 'sent' ? 1 : 6,
        ...(state === 'failed' ? { reason: 'retries-exhausted' as const, detail: '429' } : {}),
        queuedAt: AT,
        updatedAt: AT,
      };
      await store.deliveries.insert(deliveryKey({ id: 'b1' }, id), d);
    }

    server = restify.createServer({ handleUncaughtExceptions: false });
    const deps: ExportRouteDeps = {
      store,
      clock,
      logger: silentLogger,
      signingKey: KEY,
      mayExport: async (id) => allowed && id === ADMIN,
    };
    registerExportRoutes(server, deps);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => server.close());
  beforeEach(() => {
    clock.current = new Date('2026-11-23T09:00:00Z');
    allowed = true;
  });

  const link = (r: Partial<ExportRequest> = {}) =>
    signExport(
      { kind: 'participants', actorAadObjectId: ADMIN, expiresAt: exportExpiry(clock.now()), ...r },
      KEY,
    );
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, { headers });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  const downloads = async () => {
    const out: AuditEvent[] = [];
    for await (const { value } of storage.store.audit.listPartition('2026-11-23')) {
      if (value.action === 'export.download') out.push(value);
    }
    return out;
  };

  it("a fresh link downloads one wave's participants as an attachment, uncached, and the download is audited", async () => {
    const before = (await downloads()).length;
    const res = await get(link({ waveId: 'pilot' }));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.equal(
      res.headers.get('content-disposition'),
      'attachment; filename="participants-pilot-20261123-0900.csv"',
    );
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    const lines = res.text.replace('\uFEFF', '').trim().split('\r\n');
    assert.equal(
      lines[0],
      'upn,name,wave,language,devices,device stages,migrated,excluded (reason),open ticket,last seen,still in the old MDM,devices in the old MDM',
    );
    assert.equal(lines.length, 3, 'alex and megan; the row adele left behind is not a member');
    const alex = lines.find((l) => l.startsWith('alex@'))!;
    assert.ok(alex.includes(`"'=HYPERLINK(""http://evil"")"`), alex);
    assert.ok(alex.includes(',Pilot,'), alex);
    assert.ok(alex.includes('#1 open'), alex);
    assert.deepEqual(
      parseCsvImport(res.text)
        .entries.map((e) => e.upn)
        .sort(),
      ['alex@contoso.com', 'megan@contoso.com'],
    );

    // The download is audited once the last byte is sent, so the event may land just after the body.
    const audit = await eventually(async () => {
      const events = await downloads();
      assert.equal(events.length, before + 1);
      return events;
    });
    const event = audit.find((e) => (e.after as { waveId?: string }).waveId === 'pilot')!;
    assert.equal(event.actorAadObjectId, ADMIN);
    assert.equal(event.target, 'wave:pilot');
    assert.deepEqual(event.after, {
      kind: 'participants',
      waveId: 'pilot',
      rows: 2,
      completed: true,
      linkExpiresAt: '2026-11-23T09:15:00.000Z',
    });
  });

  it('without a wave: everyone the bot knows, in Swedish with ; when the link says so', async () => {
    const res = await get(link({ language: 'sv' }));
    assert.equal(res.status, 200);
    const lines = res.text.replace('\uFEFF', '').trim().split('\r\n');
    assert.ok(lines[0]!.startsWith('upn;namn;våg;'));
    assert.equal(lines.length, 5);
    assert.ok(lines.some((l) => l.startsWith('isaiah@contoso.com;Isaiah Langer;;')));
    assert.ok(lines.some((l) => l.startsWith('adele@contoso.com;Adele Vance;Wave 1;')));
  });

  it("a broadcast's deliveries", async () => {
    const res = await get(link({ kind: 'deliveries', broadcastId: 'b1' }));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-disposition') ?? '', /filename="deliveries-b1-20261123-0900\.csv"/);
    const lines = res.text.replace('\uFEFF', '').trim().split('\r\n').sort();
    assert.deepEqual(lines, [
      'alex@contoso.com,,sent,,,1,2026-11-20T10:00:00.000Z',
      'megan@contoso.com,,failed,retries-exhausted,429,6,2026-11-20T10:00:00.000Z',
      'upn,name,state,reason,detail,attempts,updated',
    ]);
  });

  it('403 with a plain explanation for a tampered link, and nothing is audited', async () => {
    const res = await get(link({ waveId: 'pilot' }).replace('wave=pilot', 'wave=wave-1'));
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.match(res.text, /not valid: it was changed/);
    assert.doesNotMatch(res.text, /upn|wave-1/);
    // A download started after the refusal is audited after it: once its event is there, any event
    // of the refused link would be too.
    const marker = async () => (await downloads()).filter((e) => e.target === 'broadcast:b1').length;
    const markersBefore = await marker();
    await get(link({ kind: 'deliveries', broadcastId: 'b1' }));
    await eventually(async () => assert.equal(await marker(), markersBefore + 1));
    assert.deepEqual(
      (await downloads()).filter((e) => e.target === 'wave:wave-1'),
      [],
    );
  });

  it('403 for an expired link, saying when it expired, in the language the browser asks for', async () => {
    const path = link({ waveId: 'pilot' });
    clock.advance(16 * 60_000);
    const res = await get(path, { 'Accept-Language': 'sv-SE,sv;q=0.9,en;q=0.5' });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('content-language'), 'sv');
    assert.match(res.text, /Nedladdningslänken gick ut 2026-11-23 09:15 \(UTC\)/);
  });

  it('400 for a cut-off link', async () => {
    const path = link({ waveId: 'pilot' });
    const res = await get(path.slice(0, path.indexOf('&sig=')));
    assert.equal(res.status, 400);
    assert.match(res.text, /incomplete or has been changed/);
  });

  it('403 when the admin the link was issued to may no longer export', async () => {
    allowed = false;
    const res = await get(link({ waveId: 'pilot' }));
    assert.equal(res.status, 403);
    assert.match(res.text, /may no longer export/);
  });

  it('404 when the wave or broadcast is gone', async () => {
    assert.equal((await get(link({ waveId: 'gone' }))).status, 404);
    const res = await get(link({ kind: 'deliveries', broadcastId: 'gone' }));
    assert.equal(res.status, 404);
    assert.match(res.text, /broadcast this link is for no longer exists/);
  });
});
