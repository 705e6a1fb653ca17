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
 * Templates parsed once per template object: building a Template parses every expression in it
 * (an ANTLR parse each), which cost far more than expanding it. `expand` is synchronous and keeps
 * no state between calls, so one instance serves every render.
 */
const prepared = new WeakMap<object, ACData.Template>();

function preparedTemplate(template: object): ACData.Template {
  let t = prepared.get(template);
  if (!t) {
    t = new ACData.Template(template);
    prepared.set(template, t);
  }
  return t;
}

/**
 * Expands an Adaptive Card template with its view model. Every value comes from the view model
 * (with any `${` in its text neutralised); a leftover `${` means a template names data the builder
 * did not provide, which is a bug.
 */
export function renderCard(template: object, data: object): CardJson {
  const card = preparedTemplate(template).expand({ $root: neutraliseExpressions(data) }) as CardJson;
  const json = JSON.stringify(card);
  if (json.includes('${'))
    throw new Error(
      `card template left an unexpanded expression: ${json.slice(json.indexOf('${'), json.indexOf('${') + 60)}`,
    );
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_CARD_BYTES) throw new Error(`card is ${bytes} bytes, over the ${MAX_CARD_BYTES} allowed`);
  return isRightToLeftCard(card) ? { ...card, rtl: true } : card;
}

/** Letters of the right-to-left scripts (Arabic, Hebrew, Syriac, Thaana, N'Ko). */
const RTL_LETTER = /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/gu;
const LETTER = /\p{L}/gu;
/** Card fields that hold what people read; ids, verbs, urls and data are not text. */
const READ_FIELDS = new Set(['text', 'title', 'label', 'placeholder', 'altText', 'fallbackText', 'value']);

/**
 * Whether a card is written in a right-to-left language: most of the letters people read on it are
 * in a right-to-left script. Every card passes here, whichever feature built it and in whichever
 * language (the user's, or the helpdesk's), so Adaptive Cards' `rtl` is set in this one place; a
 * product name or a person's name in Latin letters inside Arabic text does not tip it, nor does an
 * Arabic name on an English card.
 */
export function isRightToLeftCard(card: object): boolean {
  let rtl = 0;
  let all = 0;
  const visit = (node: unknown, key?: string): void => {
    if (typeof node === 'string') {
      if (key === undefined || !READ_FIELDS.has(key)) return;
      rtl += node.match(RTL_LETTER)?.length ?? 0;
      all += node.match(LETTER)?.length ?? 0;
    } else if (Array.isArray(node)) {
      for (const item of node) visit(item, key);
    } else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) if (k !== 'data') visit(v, k);
    }
  };
  visit(card);
  return rtl > 0 && rtl * 2 > all;
}
