import { freshStorage } from '../../helpers/storage';

describe('integration: Azure Storage (Azurite)', () => {
  it('creates its tables, queues and containers idempotently', async () => {
    const s = await freshStorage();
    await s.ensureCreated();
    await s.store.ping();
  });
});
