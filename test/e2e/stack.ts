import assert from 'node:assert/strict';
/**
 * The whole local stack for browser tests, on free ports: Azurite (in memory), the tenant simulator
 * (demo tenant), the Workspace ONE simulator (the demo's old MDM), the bot (`tsx src/index.ts`, no watch) and the Agents Playground with the repo's
 * .m365agentsplayground.yml. Hermetic: the developer's .env and shell settings for the bot are not
 * used. E2E_VERBOSE=1 shows every child's output; otherwise it is kept and shown when a start fails.
 */
import os from 'node:os';
import path from 'node:path';
import { type RunningAzurite, startAzurite } from '../../src/dev/azurite';
import { type Env, freePort } from '../../src/dev/processes';
import {
  BOT_CONFIG_KEY,
  devBotEnv,
  devOldMdmEnv,
  HELPDESK_CHANNEL_NAME,
  PLAYGROUND_CONFIG,
  playgroundChannelId,
  type RunningService,
  seedDemoStorage,
  startBotProcess,
  startOldMdmSimulatorProcess,
  startPlaygroundProcess,
  startTenantSimulatorProcess,
} from '../../src/dev/stack';
import { PlaygroundPage } from './playground-page';

export interface Stack {
  playgroundUrl: string;
  botUrl: string;
  simUrl: string;
  /** The Workspace ONE simulator the bot reads the old MDM's inventory from. */
  oldMdmSimUrl: string;
  storageConnectionString: string;
  helpdeskChannelId: string;
  /** The last output lines of every part, for a failing test's report. */
  recentOutput(): string;
  stop(): Promise<void>;
}

/** The inherited environment without anything that would configure the bot or the simulator. */
function hermeticEnv(): Env {
  const env: Env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!BOT_CONFIG_KEY.test(key) && !key.startsWith('SIM_')) env[key] = value;
  }
  return env;
}

export interface StackOptions {
  /** Extra bot settings on top of the development ones, e.g. `{ CAMPAIGN_LANGUAGES: 'en,sv,de' }`. */
  botEnv?: Record<string, string>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const echo = process.env.E2E_VERBOSE === '1';
  const helpdeskChannelId = playgroundChannelId(HELPDESK_CHANNEL_NAME);
  const started: Array<RunningAzurite | RunningService> = [];
  const stop = async () => {
    // Reverse order: no new activities, then the bot drains, then what it depends on.
    for (const part of [...started].reverse()) await part.stop().catch(() => undefined);
  };
  try {
    const azurite = await startAzurite({ inMemory: true, echo, extentMemoryLimitMb: 256 });
    started.push(azurite);
    await seedDemoStorage(azurite.connectionString);
    const oldMdm = await startOldMdmSimulatorProcess({ kind: 'workspace-one', port: await freePort(), echo });
    started.push(oldMdm);
    const sim = await startTenantSimulatorProcess({
      port: await freePort(),
      echo,
      env: hermeticEnv(),
      oldMdm: { kind: 'workspace-one', url: oldMdm.url },
    });
    started.push(sim);
    const env = hermeticEnv();
    const playgroundPort = await freePort();
    Object.assign(
      env,
      devBotEnv({
        port: await freePort(),
        storageConnectionString: azurite.connectionString,
        graphBaseUrl: sim.url,
        helpdeskChannelId,
        playgroundPort,
      }),
      devOldMdmEnv('workspace-one', oldMdm.url),
      { LOG_LEVEL: 'warn', NODE_ENV: 'development' },
      options.botEnv,
    );
    const bot = await startBotProcess({ env, watch: false, echo });
    started.push(bot);
    const playground = await startPlaygroundProcess({
      port: playgroundPort,
      botEndpoint: `${bot.url}/api/messages`,
      configPath: PLAYGROUND_CONFIG,
      logFile: path.join(os.tmpdir(), `mc-e2e-playground-${process.pid}`, 'playground.log'),
      echo,
    });
    started.push(playground);
    return {
      playgroundUrl: `${playground.url}/`,
      botUrl: bot.url,
      simUrl: sim.url,
      oldMdmSimUrl: oldMdm.url,
      storageConnectionString: azurite.connectionString,
      helpdeskChannelId,
      recentOutput: () =>
        started
          .map((part) => `--- ${part.process.name} ---\n${part.process.recentOutput(40).join('\n')}`)
          .join('\n'),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Alex's 1:1 chat with the bot (the yml's `personalChat.id`): any known chat yields a template. */
const TEMPLATE_CHAT_ID = 'a:mc-personal-chat-alexw';

/** A member of the mock tenant other than Alex, as the bot sees them in an activity. */
export interface TenantUser {
  /** Channel account id (`user-id-1` …). */
  id: string;
  name: string;
  aadObjectId: string;
}

/**
 * Sends a message to the bot from another user's 1:1 chat, which the page never shows (the UI only
 * speaks as Alex): the playground's custom-activity endpoint forwards the activity as is, with its
 * own connector as `serviceUrl`, so the bot answers into that chat as it would in Teams.
 */
export async function sendAsUser(
  stack: Stack,
  user: TenantUser,
  conversationId: string,
  text: string,
  /** The sender's Teams client locale; the playground's own UI always says en-US. */
  locale = 'en-US',
): Promise<void> {
  const endpoint = new URL('_internal/v1/customActivities', stack.playgroundUrl);
  const res = await fetch(`${endpoint}/template?conversationId=${encodeURIComponent(TEMPLATE_CHAT_ID)}`);
  assert.equal(res.status, 200, `custom activity template: HTTP ${res.status}`);
  const template = (await res.json()) as { conversation?: Record<string, unknown> };
  const activity = {
    ...template,
    type: 'message',
    text,
    textFormat: 'plain',
    locale,
    from: user,
    conversation: { ...template.conversation, id: conversationId, conversationType: 'personal' },
  };
  const sent = await fetch(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(activity),
  });
  assert.equal(sent.status, 200, `custom activity: HTTP ${sent.status}`);
}

/**
 * Mocha hooks for a browser suite: the whole stack and a playground page before the tests, a
 * screenshot and the processes' recent output when a test fails, everything stopped afterwards.
 */
export function usePlaygroundStack(
  suite: Mocha.Suite,
  options: StackOptions = {},
): { stack(): Stack; ui(): PlaygroundPage } {
  let stack: Stack | undefined;
  let ui: PlaygroundPage | undefined;
  suite.beforeAll(async () => {
    stack = await startStack(options);
    ui = await PlaygroundPage.launch();
    await ui.open(stack.playgroundUrl);
  });
  suite.afterEach(async function () {
    if (this.currentTest?.state !== 'failed' || !ui) return;
    const shot = await ui.screenshot(`failed-${this.currentTest.title}`).catch(() => 'none');
    process.stderr.write(`\nscreenshot: ${shot}\n${ui.diagnostics()}\n${stack?.recentOutput() ?? ''}\n`);
  });
  suite.afterAll(async () => {
    await ui?.close();
    await stack?.stop();
  });
  return {
    stack: () => stack ?? assert.fail('the stack did not start'),
    ui: () => ui ?? assert.fail('the playground page did not open'),
  };
}
