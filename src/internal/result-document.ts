// The approval result document: what the window issues when a case is decided, as a CMS SignedData
// (attached JSON, signed by the internal gateway's signing key, certificate included) that an applicant
// or a court can check with `openssl cms -verify -inform DER -in result.p7s -CAfile ca.pem`.
import type { OutboundEvent } from '../approval/events.js';
import { buildSignedData, CMS_ID_DATA, type TokenSigner } from '../time/tsa-token.js';

type ResultReady = Extract<OutboundEvent, { type: 'result-ready' }>;

export function resultDocument(e: ResultReady, itemCode: string, signer: TokenSigner): Buffer {
  const doc = {
    format: 'ferry-result/1',
    caseId: e.caseId,
    itemCode,
    outcome: e.outcome,
    result: e.result,
    documentNo: e.documentNo ?? null,
    delivery: e.delivery,
    issuedAt: e.at,
  };
  return buildSignedData(signer, CMS_ID_DATA, Buffer.from(JSON.stringify(doc), 'utf8'), true);
}
