// TLS server settings for the HTTPS listeners (applicant API, intranet). Judged by testssl.sh in
// test/hostile/testssl.test.ts.
//  - TLS 1.2 and 1.3 only (RFC 8996 deprecates 1.0/1.1).
//  - TLS 1.2: ECDHE key exchange (forward secrecy) with AEAD ciphers only: no CBC (Lucky13, padding
//    oracles), no SHA-1 MACs, no static RSA key exchange (ROBOT, no forward secrecy). TLS 1.3 suites
//    are all AEAD; OpenSSL's defaults stay.
//  - The server's order wins (honorCipherOrder), so a client cannot steer to the weakest common suite.
//  - No renegotiation (client-initiated renegotiation is a CPU-exhaustion lever; TLS 1.3 has none).
import { constants } from 'node:crypto';

export const TLS12_AEAD_CIPHERS = [
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-RSA-AES128-GCM-SHA256',
] as const;

export const TLS13_SUITES = ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'] as const;

/** Named groups for ECDHE, strongest-usual first. */
export const ECDH_CURVES = 'X25519:P-256:P-384';

/** Options to spread into `https.createServer` / Fastify's `https`. */
export const HARDENED_TLS_SERVER = {
  minVersion: 'TLSv1.2',
  maxVersion: 'TLSv1.3',
  ciphers: [...TLS13_SUITES, ...TLS12_AEAD_CIPHERS].join(':'),
  honorCipherOrder: true,
  ecdhCurve: ECDH_CURVES,
  secureOptions: constants.SSL_OP_NO_RENEGOTIATION | constants.SSL_OP_CIPHER_SERVER_PREFERENCE,
} as const;
