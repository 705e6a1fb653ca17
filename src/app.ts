import { Application, type ApplicationOptions, type TeamsAdapter, type TurnState } from '@microsoft/teams-ai';
import { CardFactory, type TurnContext } from 'botbuilder';
import { renderMessageCard } from './cards/message-card';
import type { CardJson } from './cards/render';
import type { Deps } from './deps';
import { checkActivity, invokeKindOf } from './features/activity-input';
import { register as registerAdmin } from './features/admin/register';
import { register as registerDevices } from './features/devices/register';
import { register as registerFallback } from './features/fallback/register';
import { register as registerHelp } from './features/help/register';
import { register as registerHelpdesk } from './features/helpdesk/register';
import { register as registerJourney } from './features/journey/register';
import { register as registerMessageExtension } from './features/message-extension/register';
import { register as registerPersonalOnly } from './features/personal-only/register';
import { register as registerPrivacy } from './features/privacy/register';
import { register as registerRunbook } from './features/runbook/register';
import {
  answerInvoke,
  errorCardFor,
  errorTextFor,
  invokeAnswered,
  trackInvokeAnswer,
} from './features/safe-invoke';
import { audienceOf } from './features/user-context';
import { register as registerWelcome } from './features/welcome/register';
import { turnLogger } from './logging';

/** Builds the bot: every feature registers its routes; catch-alls last; one error policy. */
export function createApp(deps: Deps, adapter?: TeamsAdapter): Application<TurnState> {
  const app = new GuardedApplication(deps, {
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
  registerPrivacy(app, deps);
  registerRunbook(app, deps);
  registerHelp(app, deps);
  registerMessageExtension(app, deps);
  registerFallback(app, deps);

  app.error((context: TurnContext, error: Error) => onTurnError(context, deps, error));
  return app;
}

/**
 * Every activity passes the edge (activity-input) before any route sees it; every failure meets
 * the one error policy; an invoke no route answered gets an answer, never 501 or an empty body.
 */
class GuardedApplication extends Application<TurnState> {
  constructor(
    private readonly deps: Deps,
    options: Partial<ApplicationOptions<TurnState>>,
  ) {
    super(options);
  }

  override async run(context: TurnContext): Promise<boolean> {
    trackInvokeAnswer(context);
    answerCardInPlace(context);
    try {
      const verdict = checkActivity(context.activity);
      if (verdict.problems.length > 0) {
        turnLogger(context, this.deps.logger).warn(
          { problems: verdict.problems, refused: !verdict.ok },
          'activity fields in a form Teams does not send',
        );
      }
      if (!verdict.ok) {
        const { t } = audienceOf(context, this.deps);
        const text = t('error.malformed', { detail: verdict.problems.slice(0, 3).join(', ') });
        await answer(context, {
          card: renderMessageCard({ title: t('errors.invalidActivity.title'), text, style: 'warning' }),
          text,
          status: 400,
        });
        return true;
      }
      const handled = await super.run(context);
      if (context.activity.type === 'invoke' && !invokeAnswered(context)) {
        turnLogger(context, this.deps.logger).warn('an invoke no route answers');
        const { t } = audienceOf(context, this.deps);
        const text = t('errors.unknownRequest.text');
        // A card action gets a card; a search or task for a command the app lacks is a plain 400.
        await answerInvoke(context, {
          card: renderMessageCard({ title: t('error.title'), text, style: 'warning' }),
          text,
          status: 400,
          statusOnly: invokeKindOf(context.activity.name) !== 'card-action',
        });
      }
      return handled;
    } catch (err) {
      await onTurnError(context, this.deps, err);
      return true;
    }
  }
}

/**
 * teams-ai answers a card action whose new card has `refresh` by first replacing the card for
 * everyone (a connector update, and a turn of the outgoing budget) and only then sending the invoke
 * response. In a 1:1 chat the person who pressed is the card's only reader: the invoke response
 * replaces it for them, and `refresh` brings their other devices up to date when they open the chat.
 * So in a personal chat that update of the pressed card is not made.
 */
function answerCardInPlace(context: TurnContext): void {
  const activity = context.activity;
  if (invokeKindOf(activity.name) !== 'card-action') return;
  if (activity.conversation?.conversationType !== 'personal' || !activity.replyToId) return;
  context.onUpdateActivity(async (_ctx, update, next) => {
    if (update.id === activity.replyToId) return;
    return next();
  });
}

/** The one error policy: logged with its context; the user told what happened, in their language. */
async function onTurnError(context: TurnContext, deps: Deps, error: unknown): Promise<void> {
  const log = turnLogger(context, deps.logger);
  log.error(
    { err: error, activityType: context.activity.type, activityName: context.activity.name },
    'turn failed',
  );
  try {
    const { t } = audienceOf(context, deps);
    await answer(context, { card: errorCardFor(t, error), text: errorTextFor(t, error), status: 500 });
  } catch (err) {
    log.error({ err }, 'could not tell the user that the turn failed');
  }
}

/** A message turn gets the card as a reply; an invoke gets it as its answer; other activities nothing. */
async function answer(
  context: TurnContext,
  a: { card: CardJson; text: string; status: 400 | 500 },
): Promise<void> {
  if (context.activity.type === 'invoke') await answerInvoke(context, a);
  else if (context.activity.type === 'message') {
    await context.sendActivity({ attachments: [CardFactory.adaptiveCard(a.card)] });
  }
}
