import { randomBytes } from 'node:crypto';
import { type AzureStorage, createAzureStorage } from '../../src/integrations/storage/azure-storage';

/** Azurite's connection string, set by test/run.ts after it has started Azurite on free ports. */
export function testConnectionString(): string {
  const cs = process.env.TEST_STORAGE_CONNECTION_STRING;
  if (!cs)
    throw new Error(
      'TEST_STORAGE_CONNECTION_STRING is not set: run the tests with npm test, which starts Azurite',
    );
  return cs;
}

/** A fresh set of tables, queues and containers per test (own prefix), so tests never see each other's data. */
export async function freshStorage(): Promise<AzureStorage & { prefix: string }> {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  const storage = createAzureStorage({ connectionString: testConnectionString(), prefix });
  await storage.ensureCreated();
  return { ...storage, prefix };
}
