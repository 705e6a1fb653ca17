import { Application, type TeamsAdapter, type TurnState } from '@microsoft/teams-ai';
import { CardFactory, type TurnContext } from 'botbuilder';
import { renderMessageCard } from './cards/message-card';
import type { Deps } from './deps';
import { register as registerAdmin } from './features/admin/register';
import { register as registerDevices } from './features/devices/register';
import { register as registerFallback } from './features/fallback/register';
import { register as registerHelp } from './features/help/register';
import { register as registerHelpdesk } from './features/helpdesk/register';
import { register as registerJourney } from './features/journey/register';
import { register as registerMessageExtension } from './features/message-extension/register';
import { register as registerPersonalOnly } from './features/personal-only/register';
import { audienceOf } from './features/user-context';
import { register as registerWelcome } from './features/welcome/register';
import { turnLogger } from './logging';

/** Builds the bot: every feature registers its routes; catch-alls last; one error policy. */
export function createApp(deps: Deps, adapter?: TeamsAdapter): Application<TurnState> {
  const app = new Application<TurnState>({
    adapter,
    botAppId: deps.config.bot.appId,
    removeRecipientMention: true,
    startTypingTimer: false,
  });

  registerPersonalOnly(app, deps);
  registerWelcome(app, deps);
  registerDevices(app, deps);
  registerJourney(app, deps);
  registerHelpdesk(app, deps);
  registerAdmin(app, deps);
  registerHelp(app, deps);
  registerMessageExtension(app, deps);
  registerFallback(app, deps);

  app.error(async (context: TurnContext, error: Error) => {
    turnLogger(context, deps.logger).error(
      { err: error, activityType: context.activity.type, activityName: context.activity.name },
      'turn failed',
    );
    // Invokes are answered by their handlers; a message turn gets a short apology it can act on.
    if (context.activity.type !== 'message') return;
    const { t } = audienceOf(context, deps);
    await context.sendActivity({
      attachments: [
        CardFactory.adaptiveCard(
          renderMessageCard({ title: t('error.title'), text: t('error.generic'), style: 'attention' }),
        ),
      ],
    });
  });
  return app;
}
