/**
 * "Migration guides" search, inserting a guide, and unfurling links to the guide pages. Everything
 * here is read from the in-memory guidance, so it answers well inside the invoke time limit.
 */
import type { Query, TurnState } from '@microsoft/teams-ai';
import type { MessagingExtensionResult, TurnContext } from 'botbuilder';
import { renderGuideCard } from '../../cards/guide-card';
import { guideIndexLinkView, guideLinkView, renderGuideLinkCard } from '../../cards/guide-link-card';
import type { Deps } from '../../deps';
import { campaignKey } from '../../domain/campaign';
import type { SourceMdm } from '../../domain/source-mdm';
import { type GuideKey, type GuideSummary, guidePath } from '../../guidance/guidance';
import { type Language, languageOf, translator } from '../../i18n';
import { turnLogger } from '../../logging';
import { ITEM_KINDS, MAX_RESULTS_PER_PAGE, QUERY_PARAMETER } from '../../verbs/message-extension';
import { OVER_BUDGET, withinBudget } from '../invoke-budget';
import { audienceOf } from '../user-context';
import { cardResult, messageResult, resultList, searchResult } from './extension-results';
import { parseGuideLink } from './guide-links';

const MAX_QUERY_LENGTH = 200;

/** The query text Teams sent; none on the command's initial run. */
export function queryTextOf(query: Query<Record<string, unknown>>): string {
  const value = query.parameters?.[QUERY_PARAMETER];
  return typeof value === 'string' ? value.trim().slice(0, MAX_QUERY_LENGTH) : '';
}

/** The page Teams asked for, within what a result list may hold. */
export function pageOf(query: Query<Record<string, unknown>>, max = MAX_RESULTS_PER_PAGE) {
  const skip = Number.isInteger(query.skip) && query.skip > 0 ? query.skip : 0;
  const count = Number.isInteger(query.count) && query.count > 0 ? Math.min(query.count, max) : max;
  return { skip, count };
}

export const onSearchGuides =
  (deps: Deps) => async (context: TurnContext, _state: TurnState, query: Query<Record<string, unknown>>) => {
    const a = audienceOf(context, deps);
    const text = queryTextOf(query);
    const vendor = await campaignVendor(deps, context);
    // No words yet (the initial run): the campaign's own MDM, which is what most people need.
    const found = text
      ? deps.guidance.search(text, a.language)
      : deps.guidance
          .list()
          .filter((k) => k.vendor === vendor)
          .map((k) => deps.guidance.summarize(k, a.language));
    if (found.length === 0) return messageResult(a.t('extension.guides.none', { query: text }));
    const { skip, count } = pageOf(query);
    const page = campaignFirst(found, vendor).slice(skip, skip + count);
    return resultList(
      page.map((g) =>
        searchResult(g.title, previewText(deps, g, a.language), {
          kind: ITEM_KINDS.guide,
          vendor: g.key.vendor,
          platform: g.key.platform,
          ownership: g.key.ownership,
        }),
      ),
    );
  };

/** The full guide card for a chosen result, in the sender's language. */
export function guideItemResult(deps: Deps, context: TurnContext, key: GuideKey): MessagingExtensionResult {
  const a = audienceOf(context, deps);
  const known = deps.guidance
    .list()
    .some((k) => k.vendor === key.vendor && k.platform === key.platform && k.ownership === key.ownership);
  if (!known) return messageResult(a.t('extension.guides.gone'));
  const unenroll = deps.guidance.unenroll(key.vendor, key.platform, key.ownership, a.language);
  const enroll = deps.guidance.enroll(key.platform, a.language);
  const card = renderGuideCard({
    t: a.t,
    unenroll,
    enroll,
    webUrl: webUrlOf(deps, unenroll.key, a.language),
  });
  const summary = deps.guidance.summarize(unenroll.key, a.language);
  return resultList([cardResult(card, summary.title, previewText(deps, summary, a.language))]);
}

/**
 * A pasted link to one of the guide pages becomes a card (Adaptive Cards 1.3, as unfurling needs).
 * Without a user (anonymous unfurling) the language is the link's, else the campaign default.
 */
export const onGuideLink =
  (deps: Deps) =>
  async (context: TurnContext, _state: TurnState, url: string): Promise<MessagingExtensionResult> => {
    const link = parseGuideLink(url, deps.config.publicBaseUrl);
    if (!link) return resultList([]);
    const language: Language =
      link.language ??
      (context.activity.from?.aadObjectId
        ? audienceOf(context, deps).language
        : languageOf(deps.config.defaults.locale));
    const t = translator(language);
    const base = deps.config.publicBaseUrl!;
    if (link.kind === 'index') {
      const view = guideIndexLinkView(t, language, `${base}/guides?lang=${language}`);
      return resultList([cardResult(renderGuideLinkCard(view), view.title, view.summary)]);
    }
    const { vendor, platform, ownership } = link.key;
    const unenroll = deps.guidance.unenroll(vendor, platform, ownership, language);
    const enroll = deps.guidance.enroll(platform, language);
    const view = guideLinkView(t, { unenroll, enroll }, webUrlOf(deps, unenroll.key, language)!);
    return resultList([cardResult(renderGuideLinkCard(view), view.title, view.meta)]);
  };

function previewText(deps: Deps, g: GuideSummary, language: Language): string {
  const t = translator(language);
  const ownership = g.ownershipLabel.charAt(0).toUpperCase() + g.ownershipLabel.slice(1);
  if (!g.selfService) return t('extension.guides.itOnly', { ownership });
  const minutes =
    deps.guidance.unenroll(g.key.vendor, g.key.platform, g.key.ownership, language).minutes +
    deps.guidance.enroll(g.key.platform, language).minutes;
  return t('extension.guides.selfService', { ownership, minutes });
}

function webUrlOf(deps: Deps, key: GuideKey, language: Language): string | undefined {
  return deps.config.publicBaseUrl ? `${deps.config.publicBaseUrl}${guidePath(key, language)}` : undefined;
}

/** The campaign's MDM first, keeping the search's own order otherwise. */
function campaignFirst(found: GuideSummary[], vendor: SourceMdm): GuideSummary[] {
  return [...found.filter((g) => g.key.vendor === vendor), ...found.filter((g) => g.key.vendor !== vendor)];
}

/** The MDM the campaign replaces (an admin may have set it), else the configured one; never slow. */
async function campaignVendor(deps: Deps, context: TurnContext): Promise<SourceMdm> {
  try {
    const stored = await withinBudget(
      deps.store.campaigns.get(campaignKey()),
      Math.max(1, deps.invokeBudgetMs / 4),
    );
    if (stored !== OVER_BUDGET && stored) return stored.value.sourceMdm;
  } catch (err) {
    turnLogger(context, deps.logger).warn({ err }, 'campaign not readable; using the configured MDM');
  }
  return deps.config.sourceMdm;
}
