// The one place that prepares @peculiar/x509: it needs reflect-metadata loaded before its ASN.1 schema
// decorators run, and a WebCrypto provider (Node's own) for key generation, signing and SKI hashing.
// Every pki module imports `x509` from here so the order can never be wrong.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };
