/** Teams refuses a message-extension result (search result, inserted card, unfurled link) over 28 KB. */
export const MAX_EXTENSION_CARD_BYTES = 28 * 1024;

/** Size of a card as Teams receives it: UTF-8 JSON. */
export function cardBytes(card: unknown): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}
