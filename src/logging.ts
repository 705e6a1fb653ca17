import type { TurnContext } from 'botbuilder';
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'migration-companion' },
      redact: ['*.appPassword', '*.clientSecret', '*.connectionString', 'req.headers.authorization'],
    },
    destination,
  );
}

const TURN_LOGGER = Symbol('turnLogger');

/** The server attaches a child logger carrying the turn's correlation id; handlers log through it. */
export function setTurnLogger(context: TurnContext, logger: Logger): void {
  context.turnState.set(TURN_LOGGER, logger);
}

export function turnLogger(context: TurnContext, fallback: Logger): Logger {
  return (context.turnState.get(TURN_LOGGER) as Logger | undefined) ?? fallback;
}
