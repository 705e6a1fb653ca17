import assert from 'node:assert/strict';
import {
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
} from '@azure/identity';
import { credentialFor } from '../../../src/integrations/graph/credential';

describe('integration: Graph credentials', () => {
  it('builds the @azure/identity credential that matches the configuration', () => {
    const t = '11111111-2222-3333-4444-555555555555';
    assert.ok(
      credentialFor({ kind: 'client-secret', tenantId: t, clientId: t, clientSecret: 's' }) instanceof
        ClientSecretCredential,
    );
    assert.ok(
      credentialFor({ kind: 'certificate', tenantId: t, clientId: t, certificatePath: '/x.pem' }) instanceof
        ClientCertificateCredential,
    );
    assert.ok(credentialFor({ kind: 'managed-identity' }) instanceof ManagedIdentityCredential);
  });
});
