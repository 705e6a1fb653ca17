import * as ACData from 'adaptivecards-templating';

export type CardJson = Record<string, unknown> & { type: 'AdaptiveCard' };

/** Largest card we send in a bot message (Teams allows about 100 KB per message; we keep headroom). */
export const MAX_CARD_BYTES = 80 * 1024;

/** Zero-width space: `$` and `{` kept apart so text from people never reads as a template expression. */
const ZWSP = '\u200b';

/**
 * Text that came from people or the directory (display names, notes, file names) may contain `${`.
 * Kept as it is, it would read as an unexpanded expression; a zero-width space between `$` and `{`
 * shows the same characters and means nothing to the templating.
 */
export function neutraliseExpressions<T>(value: T): T {
  if (typeof value === 'string')
    return (value.includes('${') ? value.replaceAll('${', `$${ZWSP}{`) : value) as T;
  if (Array.isArray(value)) return value.map((v) => neutraliseExpressions(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = neutraliseExpressions(v);
    return out as T;
  }
  return value;
}

/**
 * Expands an Adaptive Card template with its view model. Every value comes from the view model
 * (with any `${` in its text neutralised); a leftover `${` means a template names data the builder
 * did not provide, which is a bug.
 */
export function renderCard(template: object, data: object): CardJson {
  const card = new ACData.Template(template).expand({ $root: neutraliseExpressions(data) }) as CardJson;
  const json = JSON.stringify(card);
  if (json.includes('${'))
    throw new Error(
      `card template left an unexpanded expression: ${json.slice(json.indexOf('${'), json.indexOf('${') + 60)}`,
    );
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_CARD_BYTES) throw new Error(`card is ${bytes} bytes, over the ${MAX_CARD_BYTES} allowed`);
  return card;
}
