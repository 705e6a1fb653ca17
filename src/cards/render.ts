import * as ACData from 'adaptivecards-templating';

export type CardJson = Record<string, unknown> & { type: 'AdaptiveCard' };

/** Largest card we send in a bot message (Teams allows about 100 KB per message; we keep headroom). */
export const MAX_CARD_BYTES = 80 * 1024;

/**
 * Expands an Adaptive Card template with its view model. Every value comes from the view model;
 * a leftover `${` means a template names data the builder did not provide, which is a bug.
 */
export function renderCard(template: object, data: object): CardJson {
  const card = new ACData.Template(template).expand({ $root: data }) as CardJson;
  const json = JSON.stringify(card);
  if (json.includes('${'))
    throw new Error(
      `card template left an unexpanded expression: ${json.slice(json.indexOf('${'), json.indexOf('${') + 60)}`,
    );
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_CARD_BYTES) throw new Error(`card is ${bytes} bytes, over the ${MAX_CARD_BYTES} allowed`);
  return card;
}
