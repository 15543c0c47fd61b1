// Loads a gateway config whose role (external or internal) is read from its own `gateway:` key, for
// commands that work on either side (`ferry time status`, `ferry quarantine`). The file is parsed once:
// the role is read from the same parse that is validated.
import { readConfigFile, validateConfig } from './load.js';
import { SchemaError, got } from './schema.js';
import { externalSchema, internalSchema, type ExternalConfig, type InternalConfig } from './gateway-config.js';

export type AnyGatewayConfig = { role: 'external'; cfg: ExternalConfig } | { role: 'internal'; cfg: InternalConfig };

export function loadAnyGatewayConfig(file: string): AnyGatewayConfig {
  const parsed = readConfigFile(file);
  const role = (parsed.value as { gateway?: unknown } | null)?.gateway;
  if (role === 'external') return { role, cfg: validateConfig(parsed, externalSchema) };
  if (role === 'internal') return { role, cfg: validateConfig(parsed, internalSchema) };
  // Named like any other fault, with its line (or the top of the file when the key is missing).
  return validateConfig(parsed, (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SchemaError('(top level)', 'expected a mapping');
    throw new SchemaError('gateway', role === undefined ? 'is required (external or internal)' : `must be one of external, internal ${got(role)}`);
  });
}
