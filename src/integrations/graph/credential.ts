import type { AccessToken, TokenCredential } from '@azure/identity';
import {
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
} from '@azure/identity';
import type { GraphAuth } from '../../config';

/** The fixed token the tenant simulator accepts; never used against Microsoft Graph (config forbids it). */
class SimulatorCredential implements TokenCredential {
  async getToken(): Promise<AccessToken> {
    return { token: 'tenant-simulator-development-token', expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

export function credentialFor(auth: GraphAuth): TokenCredential {
  switch (auth.kind) {
    case 'client-secret':
      return new ClientSecretCredential(auth.tenantId, auth.clientId, auth.clientSecret);
    case 'certificate':
      return new ClientCertificateCredential(auth.tenantId, auth.clientId, {
        certificatePath: auth.certificatePath,
      });
    case 'managed-identity':
      return auth.clientId
        ? new ManagedIdentityCredential({ clientId: auth.clientId })
        : new ManagedIdentityCredential();
    case 'simulator':
      return new SimulatorCredential();
  }
}
