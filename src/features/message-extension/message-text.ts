/**
 * The plain text of a Teams message as a message action receives it (`messagePayload.body`, usually
 * HTML): tags dropped, line breaks kept, entities decoded, whitespace tidied. Pure; the text only
 * prefills a form the sender reviews, so it aims at readable, not at a faithful rendering.
 */

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/** Block elements and breaks become line breaks; everything else is dropped, its text kept. */
const BREAKS = /<\s*(br\s*\/?|\/\s*(p|div|li|tr|h[1-6]|blockquote|pre))\s*>/gi;

export function messageText(body: { contentType?: string; content?: string } | undefined): string {
  const content = body?.content ?? '';
  if (!content) return '';
  const isHtml = (body?.contentType ?? 'html').toLowerCase() === 'html';
  const text = isHtml
    ? decodeEntities(
        content
          .replace(/<\s*(script|style)[^>]*>[\s\S]*?<\s*\/\s*\1\s*>/gi, '')
          .replace(BREAKS, '\n')
          .replace(/<\s*li[^>]*>/gi, '• ')
          .replace(/<[^>]*>/g, ''),
      )
    : content;
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, code: string) => {
    if (code[0] === '#') {
      const n = code[1]?.toLowerCase() === 'x' ? Number.parseInt(code.slice(2), 16) : Number(code.slice(1));
      return Number.isInteger(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : whole;
    }
    return ENTITIES[code.toLowerCase()] ?? whole;
  });
}

/** At most `max` characters, cut at a word where one is near, with an ellipsis when cut. */
export function excerpt(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
