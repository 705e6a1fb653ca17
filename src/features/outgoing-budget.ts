/**
 * Every connector call the bot makes outside a broadcast (card updates, reminders, helpdesk posts,
 * opened chats) waits for an interactive turn in the one shared rate, so the app as a whole stays
 * under Teams' per-app, per-tenant limit and a broadcast takes only what is left.
 */
import type { Messenger } from '../ports/messenger';
import type { RateGate } from '../ports/rate-gate';

export function withOutgoingBudget(messenger: Messenger, gate: RateGate): Messenger {
  return {
    async send(to, message) {
      await gate.take(undefined, 'interactive');
      return messenger.send(to, message);
    },
    async update(to, activityId, message) {
      await gate.take(undefined, 'interactive');
      return messenger.update(to, activityId, message);
    },
    async openPersonalChat(user) {
      await gate.take(undefined, 'interactive');
      return messenger.openPersonalChat(user);
    },
  };
}
