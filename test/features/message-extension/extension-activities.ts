import assert from 'node:assert/strict';
import type { Activity, InvokeResponse, MessagingExtensionResult, TaskModuleTaskInfo } from 'botbuilder';
import { cardBytes, MAX_EXTENSION_CARD_BYTES } from '../../../src/cards/extension-card-size';
import { ALEX } from '../../helpers/activities';

type Person = typeof ALEX;

/** A message-extension invoke as Teams sends it from a group chat (where the extension is used most). */
function extensionInvoke(
  name: string,
  value: unknown,
  opts: { from?: Person | null; locale?: string } = {},
): Partial<Activity> {
  const from = opts.from === undefined ? ALEX : opts.from;
  const locale = opts.locale ?? 'en-US';
  return {
    type: 'invoke',
    name,
    value,
    channelId: 'msteams',
    serviceUrl: 'https://smba.trafficmanager.net/emea/',
    locale,
    deliveryMode: 'expectReplies',
    // Anonymous invokes (zero-install unfurling) carry an opaque id and no Entra identity.
    from: from
      ? { id: from.id, name: from.name, aadObjectId: from.aadObjectId }
      : { id: 'anonymous-1', name: '' },
    recipient: { id: '28:bot-id', name: 'Migration Companion' },
    conversation: {
      id: '19:group-chat-1@thread.v2',
      conversationType: 'groupChat',
      tenantId: 'tenant-1',
      isGroup: true,
      name: '',
    },
    entities: [{ type: 'clientInfo', locale, timezone: 'Europe/Stockholm' }],
    channelData: { tenant: { id: 'tenant-1' } },
  };
}

export function searchInvoke(
  commandId: string,
  query: string | undefined,
  opts: { from?: Person | null; locale?: string; skip?: number; count?: number } = {},
): Partial<Activity> {
  return extensionInvoke(
    'composeExtension/query',
    {
      commandId,
      parameters:
        query === undefined ? [{ name: 'initialRun', value: 'true' }] : [{ name: 'query', value: query }],
      queryOptions: { skip: opts.skip ?? 0, count: opts.count ?? 25 },
    },
    opts,
  );
}

export function selectInvoke(item: unknown, opts: { from?: Person | null; locale?: string } = {}) {
  return extensionInvoke('composeExtension/selectItem', item, opts);
}

export function linkInvoke(
  url: string,
  opts: { from?: Person | null; locale?: string; anonymous?: boolean } = {},
) {
  return extensionInvoke(
    opts.anonymous ? 'composeExtension/anonymousQueryLink' : 'composeExtension/queryLink',
    { url },
    opts.anonymous ? { ...opts, from: null } : opts,
  );
}

/** A message as Teams puts it in `messagePayload` for a message action. */
export function messagePayload(
  author: { aadObjectId: string; name: string } | null,
  html: string,
  extra: Record<string, unknown> = {},
) {
  return {
    id: '1795237341757',
    createdDateTime: '2026-11-23T08:45:00.000Z',
    linkToMessage: 'https://teams.microsoft.com/l/message/19:group-chat-1@thread.v2/1795237341757',
    body: { contentType: 'html', content: html },
    from: author
      ? {
          user: { id: author.aadObjectId, displayName: author.name, userIdentityType: 'aadUser' },
          application: null,
        }
      : {
          user: null,
          application: { id: 'bot-app', displayName: 'Some bot', applicationIdentityType: 'bot' },
        },
    ...extra,
  };
}

export function fetchTaskInvoke(
  commandId: string,
  payload: unknown,
  opts: { from?: Person; locale?: string } = {},
) {
  return extensionInvoke(
    'composeExtension/fetchTask',
    { commandId, commandContext: 'message', messagePayload: payload, context: { theme: 'default' } },
    opts,
  );
}

export function submitActionInvoke(
  commandId: string,
  data: Record<string, unknown>,
  payload: unknown,
  opts: { from?: Person; locale?: string } = {},
) {
  return extensionInvoke(
    'composeExtension/submitAction',
    { commandId, commandContext: 'message', messagePayload: payload, data, context: { theme: 'default' } },
    opts,
  );
}

/** The `composeExtension` answer of a search, select or unfurl, checked against Teams' 28 KB limit. */
export function extensionResultOf(r: InvokeResponse | undefined): MessagingExtensionResult {
  assert.equal(r?.status, 200, JSON.stringify(r).slice(0, 300));
  const body = r!.body as { composeExtension?: MessagingExtensionResult };
  assert.ok(body?.composeExtension, `no composeExtension in ${JSON.stringify(body).slice(0, 300)}`);
  const bytes = cardBytes(body);
  assert.ok(bytes <= MAX_EXTENSION_CARD_BYTES, `result is ${bytes} bytes, over Teams' 28 KB`);
  return body.composeExtension!;
}

/** The dialog's answer: a card to show (continue) or a message. */
export function taskOf(
  r: InvokeResponse | undefined,
): { type: 'continue'; value: TaskModuleTaskInfo } | { type: 'message'; value: string } {
  assert.equal(r?.status, 200, JSON.stringify(r).slice(0, 300));
  const task = (r!.body as { task?: { type: string; value: unknown } }).task;
  assert.ok(task, `no task in ${JSON.stringify(r!.body).slice(0, 300)}`);
  return task as { type: 'continue'; value: TaskModuleTaskInfo } | { type: 'message'; value: string };
}
