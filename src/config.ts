/**
 * Configuration: read and validated here, and only here (the schema is src/config/schema.ts). Every
 * problem is collected so that one failed start-up names every variable that needs attention, with
 * what to put there.
 */
import { CONFIG_VARIABLES, configSchema } from './config/schema';
import type { Config } from './config/types';

export { CONFIG_VARIABLES } from './config/schema';
export type {
  BotAppType,
  BroadcastSettings,
  Config,
  EscalationTiming,
  GraphAuth,
  LogLevel,
  OldMdmApiSource,
  OldMdmSettings,
  OldMdmSourceConfig,
} from './config/types';
export { TEAMS_TENANT_RATE_LIMIT } from './config/types';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Migration Companion cannot start: ${problems.length} configuration problem(s).\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        '\nSee .env.example for every setting.',
    );
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export function readConfig(env: Env = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  // Problems in the order of the variables, whichever check found them.
  const order = (path: (string | number)[]) => CONFIG_VARIABLES.indexOf(String(path[0]));
  const issues = [...parsed.error.issues].sort((a, b) => order(a.path) - order(b.path));
  throw new ConfigError(issues.map((issue) => issue.message));
}
