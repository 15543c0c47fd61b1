// RFC 7468 textual encoding: find labelled blocks, and write them with 64-character lines.

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

export interface PemBlock {
  readonly label: string;
  readonly der: Buffer;
}

/** Every well-formed PEM block in `text`, in order. Text between blocks (openssl's "Bag Attributes",
 *  "subject=" lines) is ignored, as RFC 7468 §2 permits. */
export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const body = (m[2] ?? '').replace(/\s+/g, '');
    // RFC 7468 §3: the body is strict base64; anything else means a damaged file, not a block.
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) continue;
    out.push({ label: m[1] ?? '', der: Buffer.from(body, 'base64') });
  }
  return out;
}

export function looksLikePem(bytes: Buffer): boolean {
  return bytes.includes('-----BEGIN ');
}

export function toPem(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
