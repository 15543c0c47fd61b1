// TLS settings shared by both ends of the link: TLS 1.3 only, mutual authentication to the
// deployment CA. Key and certificate PEMs are loaded by the caller (with the key-file checks).
export interface TlsMaterial { key: string | Buffer; cert: string | Buffer; ca: string | Buffer }

export const TLS_BASE = {
  minVersion: 'TLSv1.3',
  maxVersion: 'TLSv1.3',
} as const;
