/** The demo tenant (src/dev/demo-tenant.json): the Agents Playground's users, all still on Workspace ONE. */
import demoTenant from '../demo-tenant.json';
import { type ParsedSeed, parseSeed } from './seed';

export function demoSeed(): ParsedSeed {
  return parseSeed(demoTenant, 'demo tenant (src/dev/demo-tenant.json)');
}
