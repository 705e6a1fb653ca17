/**
 * Words that bring up the welcome card, in every supported language. A lookahead instead of `\b`:
 * JavaScript's word boundary does not treat å, ä, ö as letters.
 */
export const GREETING = /^\s*(hi|hello|hey|help|menu|hej|hallå|hjälp|meny)(?=$|[\s!?.,])/i;
