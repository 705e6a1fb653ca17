import { type Config, readConfig } from '../../src/config';

/** A development environment readConfig accepts: Azurite and the tenant simulator, no credentials. */
export const TEST_ENV: Readonly<Record<string, string>> = {
  STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
  GRAPH_BASE_URL: 'http://127.0.0.1:5055',
  SOURCE_MDM: 'workspace-one',
  PUBLIC_BASE_URL: 'https://bot.example.com',
};

/** Configuration as production reads it, from TEST_ENV with `env`'s variables set over it. */
export function testConfig(env: Record<string, string> = {}): Config {
  return readConfig({ ...TEST_ENV, ...env });
}
