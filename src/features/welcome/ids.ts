import { wordsPattern } from '../../i18n';

/**
 * Words that bring up the welcome card, in every language (src/i18n/<tag>/words.json `greeting`),
 * at the start of the message: "hello", "hej!", "hallo zusammen".
 */
export const GREETING = wordsPattern('greeting', { at: 'start' });
