import type { Application, TurnState } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { Deps } from '../../deps';
import type { SourceMdm } from '../../domain/source-mdm';
import {
  type GuidePlatform,
  isGuidePlatform,
  isOwnership,
  isSourceMdm,
  type Ownership,
} from '../../guidance/guidance';
import { turnLogger } from '../../logging';
import { EXTENSION_COMMANDS, ITEM_KINDS } from '../../verbs/message-extension';
import { audienceOf } from '../user-context';
import { onEscalateFetch, onEscalateSubmit } from './escalate-message';
import { messageResult, safeResult, safeTask } from './extension-results';
import { guideItemResult, onGuideLink, onSearchGuides } from './guide-search';
import { onSearchStatus, statusItemResult } from './status-search';

/** A chosen search result, as its preview sent it: untrusted, checked before use. */
const selectedItem = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal(ITEM_KINDS.guide),
    vendor: z.custom<SourceMdm>((v) => typeof v === 'string' && isSourceMdm(v)),
    platform: z.custom<GuidePlatform>((v) => typeof v === 'string' && isGuidePlatform(v)),
    ownership: z.custom<Ownership>((v) => typeof v === 'string' && isOwnership(v)),
  }),
  z.object({ kind: z.literal(ITEM_KINDS.status), id: z.string().regex(/^[0-9A-Za-z-]{1,64}$/) }),
]);

export function register(app: Application<TurnState>, deps: Deps): void {
  const ext = app.messageExtensions;
  ext.query(EXTENSION_COMMANDS.searchGuides, safeResult(deps, 'search guides', onSearchGuides(deps)));
  ext.query(EXTENSION_COMMANDS.searchStatus, safeResult(deps, 'search status', onSearchStatus(deps)));
  ext.selectItem(safeResult(deps, 'select item', onSelectItem(deps)));
  ext.fetchTask(EXTENSION_COMMANDS.escalateMessage, safeTask(deps, 'escalate: open', onEscalateFetch(deps)));
  ext.submitAction(
    EXTENSION_COMMANDS.escalateMessage,
    safeTask(deps, 'escalate: submit', onEscalateSubmit(deps)),
  );
  ext.queryLink(safeResult(deps, 'unfurl', onGuideLink(deps)));
  // Guide pages hold no personal data, so links unfurl also where the app is not installed.
  ext.anonymousQueryLink(safeResult(deps, 'unfurl', onGuideLink(deps)));
}

/** One handler for every search (Teams sends no command id with a selection): the item says which. */
const onSelectItem = (deps: Deps) => async (context: TurnContext, _state: TurnState, item: unknown) => {
  const parsed = selectedItem.safeParse(item);
  if (!parsed.success) {
    turnLogger(context, deps.logger).warn(
      { item: JSON.stringify(item ?? null).slice(0, 200) },
      'unknown selected item',
    );
    return messageResult(audienceOf(context, deps).t('error.malformed', { detail: 'item' }));
  }
  const chosen = parsed.data;
  if (chosen.kind === ITEM_KINDS.status) return statusItemResult(deps, context, chosen.id);
  return guideItemResult(deps, context, {
    vendor: chosen.vendor,
    platform: chosen.platform,
    ownership: chosen.ownership,
  });
};
