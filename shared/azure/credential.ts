import type { TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential } from '@azure/identity';

/**
 * The credential every SDK client uses in Azure: DefaultAzureCredential, pinned to the
 * user-assigned managed identity when its client id is configured (locally it falls back to
 * the developer's Azure CLI or azd login).
 */
export function createCredential(managedIdentityClientId?: string): TokenCredential {
  return managedIdentityClientId === undefined
    ? new DefaultAzureCredential()
    : new DefaultAzureCredential({ managedIdentityClientId });
}
