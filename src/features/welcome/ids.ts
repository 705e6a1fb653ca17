/** Words that bring up the welcome card, in every supported language. */
export const GREETING = /^\s*(hi|hello|hey|help|menu|hej|hallå|hjälp|meny)\b/i;
