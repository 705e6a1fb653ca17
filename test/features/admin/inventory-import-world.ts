/**
 * The admin chat over Azurite, with files served over real HTTP as Teams' download links are: an
 * admin (Alex), a second admin (Isaiah) and a non-admin (Megan).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { createApp } from '../../../src/app';
import type { AuditEvent } from '../../../src/domain/audit';
import type { InventoryDevice } from '../../../src/domain/inventory';
import { inventoryPartitions } from '../../../src/domain/inventory';
import { clearAdminCache } from '../../../src/features/admin/admin-access';
import { TEAMS_FILE_DOWNLOAD } from '../../../src/features/admin/import-file';
import type { Store } from '../../../src/ports/store';
import {
  ALEX,
  cardAction,
  cardOf,
  personalMessage,
  runTurn,
  testDeps,
  textOf,
} from '../../helpers/activities';
import { MEGAN } from '../../helpers/demo';
import { freshStorage } from '../../helpers/storage';

export const ISAIAH = {
  id: '29:isaiah-teams-id',
  aadObjectId: '00000000-0000-0000-0000-0000000000023',
  name: 'Isaiah Langer',
  upn: 'isaiah@example.com',
};
export { ALEX, MEGAN };

export const fixture = (name: string) => readFileSync(path.join(__dirname, '../../fixtures/inventory', name));

type Card = Record<string, unknown>;
type Node = Record<string, unknown>;

export function executes(card: unknown): { title: string; verb: string; data: Node }[] {
  const out: { title: string; verb: string; data: Node }[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      const node = n as Node;
      if (node.type === 'Action.Execute') out.push(node as unknown as (typeof out)[number]);
      Object.values(node).forEach(walk);
    }
  };
  walk(card);
  return out;
}

export const action = (card: unknown, verb: string) => {
  const found = executes(card).find((a) => a.verb === verb);
  assert.ok(found, `no ${verb} on the card: ${textOf(card)}`);
  return found;
};

export async function importWorld() {
  clearAdminCache();
  const storage = await freshStorage();
  // Previews read and write Azurite; the budget here is Teams' own, so answers come in the reply.
  const t = testDeps({ store: storage.store, invokeBudgetMs: 5_000 });
  t.deps.config = { ...t.deps.config, admins: { upns: [ALEX.upn, ISAIAH.upn] } };
  for (const u of [ALEX, MEGAN, ISAIAH]) {
    t.directory.users.set(u.aadObjectId, {
      id: u.aadObjectId,
      userPrincipalName: u.upn,
      displayName: u.name,
    });
  }
  const app = createApp(t.deps);

  const files = new Map<string, Uint8Array>();
  let downloads = 0;
  const server: Server = createServer((req, res) => {
    downloads++;
    const body = files.get(decodeURIComponent((req.url ?? '/').slice(1)));
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;

  /** The admin (or someone else) sends a file in the 1:1 chat; the bot's answer card. */
  const send = async (name: string, content: string | Uint8Array, from = ALEX): Promise<Card> => {
    files.set(name, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
    const fileType = name.split('.').pop() ?? '';
    const { replies } = await runTurn(app, {
      ...personalMessage('', { from }),
      attachments: [
        {
          contentType: TEAMS_FILE_DOWNLOAD,
          name,
          content: {
            downloadUrl: `http://127.0.0.1:${port}/${encodeURIComponent(name)}`,
            fileType,
            uniqueId: name,
          },
        },
      ],
    });
    // A slow turn may also show the typing indicator; the answer is the one card.
    const cards = replies.filter((r) => r.attachments?.length);
    assert.equal(cards.length, 1, 'one answer per file');
    return cardOf(cards[0]);
  };

  /** A button pressed on a card; the card that replaces it. */
  const press = async (verb: string, data: Node, from = ALEX): Promise<Card> => {
    const { invokeResponse } = await runTurn(app, cardAction(verb, data, { from }));
    assert.equal(invokeResponse?.status, 200);
    return cardOf(invokeResponse);
  };

  return {
    ...t,
    store: storage.store,
    app,
    send,
    press,
    downloads: () => downloads,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export async function storedDevices(store: Store): Promise<InventoryDevice[]> {
  const out: InventoryDevice[] = [];
  for (const partition of inventoryPartitions()) {
    for await (const { value } of store.oldMdmDevices.listPartition(partition)) out.push(value);
  }
  return out.sort((a, b) => a.vendorId.localeCompare(b.vendorId));
}

export async function auditsOf(store: Store, action: string): Promise<AuditEvent[]> {
  const out: AuditEvent[] = [];
  for await (const { value } of store.audit.listPartition('2026-11-23'))
    if (value.action === action) out.push(value);
  return out;
}
