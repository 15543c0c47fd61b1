// Loads a gateway config whose role (external or internal) is read from its own `gateway:` key, for
// commands that work on either side (`ferry time status`, `ferry quarantine`).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadConfigFile } from './load.js';
import { externalSchema, internalSchema, type ExternalConfig, type InternalConfig } from './gateway-config.js';

export type AnyGatewayConfig = { role: 'external'; cfg: ExternalConfig } | { role: 'internal'; cfg: InternalConfig };

export function loadAnyGatewayConfig(file: string): AnyGatewayConfig {
  let role: unknown;
  try {
    role = (parse(readFileSync(file, 'utf8')) as { gateway?: unknown } | null)?.gateway;
  } catch {
    role = undefined; // loadConfigFile below names the file and the fault
  }
  return role === 'external'
    ? { role: 'external', cfg: loadConfigFile(file, externalSchema) }
    : { role: 'internal', cfg: loadConfigFile(file, internalSchema) };
}
