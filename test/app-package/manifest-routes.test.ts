import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createApp } from '../../src/app';
import { seedDemoCampaign } from '../../src/dev/demo-campaign';
import { REPO_ROOT } from '../../src/dev/processes';
import { translator } from '../../src/i18n';
import { EXTENSION_COMMAND_LIST } from '../../src/verbs/message-extension';
import {
  fetchTaskInvoke,
  messagePayload,
  searchInvoke,
} from '../features/message-extension/extension-activities';
import { ALEX, personalMessage, runTurn, testDeps, textOf } from '../helpers/activities';
import { HELPDESK_CHANNEL, MEGAN } from '../helpers/demo';

interface Command {
  id: string;
  type: 'query' | 'action';
  context?: string[];
  fetchTask?: boolean;
  parameters?: { name: string }[];
}
interface Manifest {
  bots: { commandLists: { scopes: string[]; commands: { title: string }[] }[] }[];
  composeExtensions: { commands: Command[] }[];
}

const manifest = JSON.parse(
  readFileSync(path.join(REPO_ROOT, 'appPackage', 'manifest.json'), 'utf8'),
) as Manifest;
const swedish = JSON.parse(readFileSync(path.join(REPO_ROOT, 'appPackage', 'sv-se.json'), 'utf8')) as Record<
  string,
  string
>;
const commands = manifest.composeExtensions[0]!.commands;
/** A query each search finds something for in the test data. */
const SAMPLE_QUERY: Record<string, string> = { searchGuides: 'iphone', searchStatus: 'alex' };

async function setup() {
  const t = testDeps();
  await seedDemoCampaign(t.store, t.clock.now());
  t.deps.config = { ...t.deps.config, helpdesk: { channelId: HELPDESK_CHANNEL } };
  t.deps.helpdeskRoster = { members: async () => [{ aadObjectId: MEGAN.aadObjectId }] };
  return { ...t, app: createApp(t.deps) };
}

describe('app package: every command in the manifest has a route', () => {
  it('declares exactly the message-extension commands the bot routes', () => {
    assert.deepEqual(commands.map((c) => c.id).sort(), [...EXTENSION_COMMAND_LIST].sort());
  });

  for (const command of commands) {
    it(`composeExtensions command "${command.id}" (${command.type}) is answered by its route`, async () => {
      const { app } = await setup();
      const activity =
        command.type === 'query'
          ? searchInvoke(command.id, SAMPLE_QUERY[command.id] ?? 'iphone', { from: MEGAN })
          : fetchTaskInvoke(
              command.id,
              messagePayload({ aadObjectId: ALEX.aadObjectId, name: ALEX.name }, 'help'),
              {
                from: MEGAN,
              },
            );
      const { invokeResponse } = await runTurn(app, activity);
      assert.equal(invokeResponse?.status, 200, `${command.id}: ${JSON.stringify(invokeResponse)}`);
      const body = JSON.stringify(invokeResponse?.body);
      assert.doesNotMatch(body, /Something went wrong|incomplete or damaged/, body.slice(0, 300));
      if (command.type === 'query') {
        assert.deepEqual(
          command.parameters?.map((p) => p.name),
          ['query'],
          'the parameter the route reads',
        );
        assert.match(body, /"composeExtension":\{"type":"result"/);
      } else {
        assert.equal(command.fetchTask, true);
        assert.deepEqual(command.context, ['message']);
        assert.match(body, /"task":\{"type":"continue"/);
      }
    });
  }

  it('a command the bot does not know is not answered as if it were one (the check above can fail)', async () => {
    const { app } = await setup();
    const { invokeResponse } = await runTurn(app, searchInvoke('noSuchCommand', 'iphone', { from: MEGAN }));
    assert.notEqual(invokeResponse?.status, 200, JSON.stringify(invokeResponse));
  });

  const botCommands: { title: string; language: 'en' | 'sv' }[] = [];
  manifest.bots[0]!.commandLists.forEach((list, l) => {
    list.commands.forEach((c, i) => {
      botCommands.push({ title: c.title, language: 'en' });
      const sv = swedish[`bots[0].commandLists[${l}].commands[${i}].title`];
      if (sv) botCommands.push({ title: sv, language: 'sv' });
    });
  });

  for (const { title, language } of botCommands) {
    it(`bot command "${title}" (${language}) reaches a route, not the "didn't catch that" fallback`, async () => {
      const { app, messenger } = await setup();
      const locale = language === 'sv' ? 'sv-SE' : 'en-US';
      await runTurn(app, personalMessage('hello', { locale }));
      const { replies } = await runTurn(app, personalMessage(title, { locale }));
      const said = [
        ...replies.map((r) => textOf(r)),
        ...messenger.sent.map((s) => textOf(s.message.card)),
      ].join('\n');
      assert.ok(replies.length > 0, `no answer to "${title}"`);
      const fallback = translator(language)('help.fallback');
      assert.ok(!said.includes(fallback), `"${title}" fell through to the fallback: ${said.slice(0, 200)}`);
    });
  }
});
