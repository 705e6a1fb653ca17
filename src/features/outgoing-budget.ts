/**
 * Every connector call the bot makes outside a broadcast (card updates, reminders, helpdesk posts,
 * opened chats) waits for an interactive turn in the one shared rate, so the app as a whole stays
 * under Teams' per-app, per-tenant limit and a broadcast takes only what is left. A 429 that still
 * comes back (after the connector SDK's own retries) pauses every sender, broadcasts included.
 */
import { DEFAULT_THROTTLE_SECONDS, MAX_RETRY_AFTER_SECONDS } from '../domain/broadcast-pacing';
import { ConnectorError, type Messenger } from '../ports/messenger';
import type { RateGate } from '../ports/rate-gate';

export function withOutgoingBudget(
  messenger: Messenger,
  gate: RateGate,
  now: () => number = Date.now,
): Messenger {
  async function call<T>(run: () => Promise<T>): Promise<T> {
    await gate.take(undefined, 'interactive');
    try {
      return await run();
    } catch (err) {
      if (err instanceof ConnectorError && err.status === 429) {
        const seconds = Math.min(MAX_RETRY_AFTER_SECONDS, err.retryAfterSeconds ?? DEFAULT_THROTTLE_SECONDS);
        // The caller hears of the 429 either way; the pause is best effort.
        await gate.pauseUntil(new Date(now() + seconds * 1000)).catch(() => undefined);
      }
      throw err;
    }
  }
  return {
    send: (to, message) => call(() => messenger.send(to, message)),
    update: (to, activityId, message) => call(() => messenger.update(to, activityId, message)),
    // A chat Graph already named is no call to the connector: nothing to wait for.
    openPersonalChat: (user) =>
      user.chatId ? messenger.openPersonalChat(user) : call(() => messenger.openPersonalChat(user)),
  };
}
