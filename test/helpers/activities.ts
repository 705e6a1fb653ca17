import type { Application, TurnState } from '@microsoft/teams-ai';
import { type Activity, INVOKE_RESPONSE_KEY, type InvokeResponse, TestAdapter } from 'botbuilder';
import type { Deps } from '../../src/deps';
import { type Guidance, loadGuidance } from '../../src/guidance/guidance';
import { testConfig } from './config';
import { FakeClock, FakeDirectory, InMemoryStore, RecordingMessenger, silentLogger } from './fakes';

export const ALEX = {
  id: '29:alex-teams-id',
  aadObjectId: '00000000-0000-0000-0000-0000000000020',
  name: 'Alex Wilber',
  upn: 'alexw@example.com',
};

/** A message from a user in their 1:1 chat with the bot, shaped as Teams sends it. */
export function personalMessage(
  text: string,
  opts: { locale?: string; timezone?: string; from?: typeof ALEX } = {},
): Partial<Activity> {
  const from = opts.from ?? ALEX;
  return {
    type: 'message',
    text,
    channelId: 'msteams',
    serviceUrl: 'https://smba.trafficmanager.net/emea/',
    locale: opts.locale ?? 'en-US',
    from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
    recipient: { id: '28:bot-id', name: 'Migration Companion' },
    conversation: {
      id: `a:personal-${from.id}`,
      conversationType: 'personal',
      tenantId: 'tenant-1',
      isGroup: false,
      name: '',
    },
    entities: [
      { type: 'clientInfo', locale: opts.locale ?? 'en-US', timezone: opts.timezone ?? 'Europe/Stockholm' },
    ],
    channelData: { tenant: { id: 'tenant-1' } },
  };
}

/** An Action.Execute invoke from a card in the 1:1 chat. */
export function cardAction(
  verb: unknown,
  data: Record<string, unknown> = {},
  opts: { locale?: string; replyToId?: string; from?: typeof ALEX; noIdentity?: boolean } = {},
): Partial<Activity> {
  const base = personalMessage('', opts);
  return {
    ...base,
    type: 'invoke',
    name: 'adaptiveCard/action',
    text: undefined,
    replyToId: opts.replyToId ?? 'card-activity-1',
    from: opts.noIdentity ? { id: base.from!.id, name: base.from!.name } : base.from,
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
  };
}

export function testDeps(overrides: Partial<Deps> = {}) {
  const store = new InMemoryStore();
  const directory = new FakeDirectory();
  const messenger = new RecordingMessenger();
  const clock = new FakeClock();
  const deps: Deps = {
    config: testConfig(),
    guidance: testGuidance(),
    store,
    directory,
    messenger,
    clock,
    logger: silentLogger,
    invokeBudgetMs: 300,
    ...overrides,
  };
  return { deps, store, directory, messenger, clock };
}

/** Runs one activity through the app; returns what it sent and, for invokes, the invoke response. */
export async function runTurn(app: Application<TurnState>, activity: Partial<Activity>) {
  let invokeResponse: InvokeResponse | undefined;
  const adapter = new TestAdapter(async (context) => {
    await app.run(context);
    invokeResponse = (context.turnState.get(INVOKE_RESPONSE_KEY) as { value?: InvokeResponse } | undefined)
      ?.value;
  });
  await adapter.processActivity(activity);
  const replies: Partial<Activity>[] = [];
  for (let a = adapter.activeQueue.shift(); a; a = adapter.activeQueue.shift()) {
    // TestAdapter queues the invoke response like any other activity; real adapters return it as the HTTP answer.
    if (a.type === 'invokeResponse') invokeResponse = a.value as InvokeResponse;
    else replies.push(a);
  }
  return { replies, invokeResponse };
}

/** The Adaptive Card inside a reply, or in an Action.Execute invoke response. */
export function cardOf(x: Partial<Activity> | InvokeResponse | undefined): Record<string, unknown> {
  if (!x) throw new Error('no activity or invoke response');
  if ('attachments' in x && x.attachments?.[0]) return x.attachments[0].content as Record<string, unknown>;
  const body = (x as InvokeResponse).body as { type?: string; value?: Record<string, unknown> } | undefined;
  if (body?.type === 'application/vnd.microsoft.card.adaptive' && body.value) return body.value;
  throw new Error(`no card in ${JSON.stringify(x).slice(0, 300)}`);
}

/** All the text a card shows, for assertions that read like what the user sees. */
export function textOf(card: unknown): string {
  const out: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if ((k === 'text' || k === 'title' || k === 'value') && typeof v === 'string') out.push(v);
        else walk(v);
      }
    }
  };
  walk(card);
  return out.join('\n');
}

let guidanceOnce: Guidance | undefined;
/** The real built-in guidance, loaded once per test run. */
export function testGuidance(): Guidance {
  guidanceOnce ??= loadGuidance();
  return guidanceOnce;
}
