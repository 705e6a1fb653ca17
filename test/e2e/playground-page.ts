/**
 * Page object over the Microsoft 365 Agents Playground's web UI, driven by headless Chromium
 * (playwright-core with Debian's /usr/bin/chromium). Selectors and the reasons behind them are
 * in docs/playground.md. Only loopback is reachable from the page: the UI's font requests to a
 * CDN are refused at once, so nothing waits on a network this machine does not have.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Locator, type Page, type Request } from 'playwright-core';
import { REPO_ROOT } from '../../src/dev/processes';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const SCREENSHOT_DIR = path.join(REPO_ROOT, '.artifacts', 'screenshots');
const DEFAULT_TIMEOUT_MS = 30_000;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The UI's structure as the tests rely on it (playground 0.2.x). */
const SELECTORS = {
  /** Root of every rendered Adaptive Card, in chats and in channel posts. */
  card: '.ac-adaptiveCard',
  /** Lexical editors: in a chat the message box; in a channel the first is "Start a new post". */
  composer: '[contenteditable="true"][role="textbox"]',
  /** The @mention suggestions under a composer. */
  mentionItem: '#typeahead-menu [role="menuitem"]',
  /** Messages from the bot (text or card). */
  botMessage: '.fai-OutputCard',
};

/** What GET /_internal/v1/config tells about the mock tenant (only the parts used here). */
interface PlaygroundContext {
  botName: string;
  channels: string[];
}

function isCardAction(request: Request): boolean {
  return (
    request.method() === 'POST' &&
    /\/_conversation\/v1\/(invoke|submit)$/.test(new URL(request.url()).pathname)
  );
}

function isUserMessage(url: string, method: string): boolean {
  return (
    method === 'POST' && /\/_conversation\/v1\/conversations\/[^/]+\/messages$/.test(new URL(url).pathname)
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function readContext(playgroundUrl: string): Promise<PlaygroundContext> {
  // Note: this endpoint first waits (up to 15 s) for the bot's endpoint to answer.
  const res = await fetch(new URL('_internal/v1/config', playgroundUrl), {
    signal: AbortSignal.timeout(30_000),
  });
  if (!res.ok) throw new Error(`playground config: HTTP ${res.status}`);
  const body: unknown = await res.json();
  const config = (body as { config?: unknown }).config as
    | { bot?: { name?: unknown }; teams?: Array<{ channels?: Array<{ name?: unknown }> }> }
    | undefined;
  const botName = config?.bot?.name;
  if (typeof botName !== 'string') throw new Error('playground config: no bot name');
  const channels = (config?.teams ?? [])
    .flatMap((t) => t.channels ?? [])
    .map((c) => c.name)
    .filter((n): n is string => typeof n === 'string');
  return { botName, channels };
}

export class PlaygroundPage {
  private view: { kind: 'chat' | 'channel'; name: string } | undefined;
  private context: PlaygroundContext | undefined;
  private marks = 0;
  private found = 0;
  private readonly pageErrors: string[] = [];
  private readonly blockedRequests: string[] = [];

  private constructor(
    private readonly browser: Browser,
    readonly page: Page,
  ) {
    page.on('pageerror', (err) => this.pageErrors.push(err.message));
  }

  static async launch(options: { headless?: boolean } = {}): Promise<PlaygroundPage> {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`,
      );
    }
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: options.headless ?? true,
      args: CHROMIUM_ARGS,
    });
    // Fixed locale, zone and size: screenshots and rendered dates stay comparable between runs.
    const context = await browser.newContext({
      viewport: { width: 1400, height: 1000 },
      locale: 'en-US',
      timezoneId: 'UTC',
    });
    context.setDefaultTimeout(DEFAULT_TIMEOUT_MS);
    const page = await context.newPage();
    const ui = new PlaygroundPage(browser, page);
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (LOOPBACK_HOSTS.has(url.hostname)) return route.continue();
      ui.blockedRequests.push(url.href);
      return route.abort('blockedbyclient');
    });
    return ui;
  }

  /** Loads the UI and opens the personal chat with the bot (loading it makes the playground send installationUpdate). */
  async open(url: string): Promise<void> {
    this.context = await readContext(url);
    await this.page.goto(url, { waitUntil: 'load' });
    await this.openChat('Personal Chat');
  }

  /** A chat in the left rail: "Personal Chat" or the group chat's name. */
  async openChat(name: string): Promise<void> {
    await this.page.getByRole('treeitem', { name, exact: true }).click();
    await this.page.locator(SELECTORS.composer).first().waitFor({ state: 'visible' });
    this.view = { kind: 'chat', name };
    await this.settle();
    await this.markCards();
  }

  /** A channel of the team ("General", "Migration escalations" …); tree items read "<team> - <channel>". */
  async switchToChannel(name: string): Promise<void> {
    if (this.context && !this.context.channels.includes(name)) {
      throw new Error(
        `no channel "${name}" in the playground config (has: ${this.context.channels.join(', ')})`,
      );
    }
    await this.page.getByRole('treeitem', { name: new RegExp(` - ${escapeRegExp(name)}$`) }).click();
    await this.page.getByText('Start a new post', { exact: true }).waitFor({ state: 'visible' });
    this.view = { kind: 'channel', name };
    await this.settle();
    await this.markCards();
  }

  /**
   * Sends text as Alex in the open conversation and waits until the playground has accepted it.
   * In a channel this starts a new post that @mentions the bot: like Teams, the playground only
   * forwards channel messages that mention the bot.
   */
  async sendMessage(text: string): Promise<void> {
    if (!this.view) throw new Error('open a chat or channel first');
    await this.markCards();
    const composer = this.page.locator(SELECTORS.composer).first();
    await composer.click();
    if (this.view.kind === 'channel') {
      const botName = this.context?.botName ?? '';
      await this.page.keyboard.type(`@${botName.split(' ')[0]}`);
      await this.page.locator(SELECTORS.mentionItem, { hasText: botName }).click();
      await this.page.keyboard.type(' ');
    }
    const accepted = this.page.waitForResponse((r) => isUserMessage(r.url(), r.request().method()));
    await this.page.keyboard.type(text);
    await this.page.keyboard.press('Enter');
    const res = await accepted;
    if (!res.ok())
      throw new Error(`the playground refused the message (HTTP ${res.status()}): ${await res.text()}`);
  }

  /**
   * Waits for an Adaptive Card containing `text` that is new, or changed in place, since the last
   * sendMessage / clickCardButton / markCards / open, and returns it. Cards that were already on
   * screen do not count, so an earlier card with the same words cannot satisfy the wait.
   */
  async waitForCardContaining(text: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Locator> {
    const id = String(++this.found);
    try {
      await this.page.waitForFunction(
        ({ selector, text, id }) => {
          const cards = Array.from(document.querySelectorAll<HTMLElement>(selector));
          for (let i = cards.length - 1; i >= 0; i--) {
            const card = cards[i]!;
            const content = card.textContent ?? '';
            if (!content.includes(text)) continue;
            if (card.dataset.e2eMark === undefined || card.dataset.e2eText !== content) {
              card.dataset.e2eFound = id;
              return true;
            }
          }
          return false;
        },
        { selector: SELECTORS.card, text, id },
        { timeout: timeoutMs, polling: 250 },
      );
    } catch (err) {
      const recent = await this.page
        .locator(SELECTORS.card)
        .evaluateAll((cards) =>
          cards.slice(-3).map((c) => (c.textContent ?? '').replace(/\s+/g, ' ').slice(0, 200)),
        );
      throw new Error(
        `no new card containing "${text}" within ${timeoutMs / 1000} s` +
          `\n  newest cards: ${recent.length ? recent.map((r) => `[${r}]`).join(' ') : '(none)'}` +
          (this.pageErrors.length ? `\n  page errors: ${this.pageErrors.slice(-3).join(' | ')}` : '') +
          `\n  (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`,
      );
    }
    return this.page.locator(`${SELECTORS.card}[data-e2e-found="${id}"]`);
  }

  /**
   * Clicks a card button by its title: in `card` if given, else in the newest card that has it.
   * When the click sends an invoke (Action.Execute) or a submit (Action.Submit), waits for the
   * playground's answer and fails with the bot's status if it was an error.
   */
  async clickCardButton(label: string, card?: Locator): Promise<void> {
    const byLabel = this.page.getByRole('button', { name: label, exact: true });
    const scope = card ?? this.page.locator(SELECTORS.card).filter({ has: byLabel }).last();
    const button = scope.getByRole('button', { name: label, exact: true }).last();
    await button.waitFor({ state: 'visible' });
    await this.markCards();
    // Not every action talks to the bot (ShowCard, ToggleVisibility), so only a short look for one.
    const sent = this.page.waitForRequest(isCardAction, { timeout: 3_000 }).catch(() => undefined);
    await button.click();
    const request = await sent;
    if (!request) return;
    const res = await request.response();
    if (res && !res.ok()) {
      throw new Error(`"${label}": the playground answered HTTP ${res.status()} (${await res.text()})`);
    }
  }

  /** Remembers which cards are on screen and what they say; see waitForCardContaining. */
  async markCards(): Promise<void> {
    const mark = String(++this.marks);
    await this.page.locator(SELECTORS.card).evaluateAll((cards, mark) => {
      for (const card of cards as HTMLElement[]) {
        card.dataset.e2eMark = mark;
        card.dataset.e2eText = card.textContent ?? '';
      }
    }, mark);
  }

  /** Writes .artifacts/screenshots/<name>.png (the visible viewport) and returns its path. */
  async screenshot(name: string): Promise<string> {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const file = path.join(
      SCREENSHOT_DIR,
      `${name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')}.png`,
    );
    // The pointer would otherwise leave a hover highlight on whatever replaced the last clicked button.
    await this.page.mouse.move(0, 0);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Page errors and refused off-machine requests, for a failing test's report. */
  diagnostics(): string {
    const hosts = [...new Set(this.blockedRequests.map((u) => new URL(u).host))];
    return [
      this.pageErrors.length ? `page errors: ${this.pageErrors.slice(-5).join(' | ')}` : 'no page errors',
      hosts.length ? `refused off-machine requests to: ${hosts.join(', ')}` : 'no off-machine requests',
    ].join('\n');
  }

  async close(): Promise<void> {
    await this.browser.close();
  }

  /**
   * Waits until no message has arrived for 1.5 s (at most 10 s): opening a conversation makes
   * the playground send installationUpdate/conversationUpdate, and whatever the bot answers to
   * those must land before a test marks the cards and speaks.
   */
  private async settle(): Promise<void> {
    const count = () => this.page.locator(`${SELECTORS.card}, ${SELECTORS.botMessage}`).count();
    const deadline = Date.now() + 10_000;
    let last = await count();
    let stableSince = Date.now();
    while (Date.now() < deadline && Date.now() - stableSince < 1_500) {
      await this.page.waitForTimeout(200);
      const now = await count();
      if (now !== last) {
        last = now;
        stableSince = Date.now();
      }
    }
  }
}
