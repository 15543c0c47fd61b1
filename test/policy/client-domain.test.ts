// Extended mode: a township centre is recognised by its verified client certificate (CN and/or
// SHA-256 fingerprint); no certificate means the public; anything else is refused, not downgraded.
import { describe, expect, it } from 'vitest';
import { clientDomain, domainFromIdentity, formatClientIdentity, type ClientCertFacts } from '../../src/policy/client-domain.js';
import { policyFrom, sampleText } from './sample.js';

const QINGHE_FP = 'CC:1B:A3:B4:2F:55:36:0F:A3:B0:DF:8E:84:7D:F4:B5:D0:6F:2A:85:9D:A7:7F:7E:FC:BD:AA:58:DA:B8:CC:E0';
const OTHER_FP = 'ab'.repeat(32);
const policy = policyFrom(sampleText());
const cert = (x: Partial<ClientCertFacts>): ClientCertFacts => ({ authorized: true, subjectCN: 'qinghe-township-centre', sha256: QINGHE_FP, ...x });

describe('client certificate → source domain', () => {
  const TABLE: [name: string, c: ClientCertFacts | null, expected: string][] = [
    ['no certificate: the public', null, 'public'],
    ['Qinghe: CN and fingerprint both match', cert({}), 'township-qinghe'],
    ['fingerprint compared without colons or case', cert({ sha256: QINGHE_FP.replace(/:/g, '').toLowerCase() }), 'township-qinghe'],
    ['Baishi is pinned by CN only', cert({ subjectCN: 'baishi-township-centre', sha256: OTHER_FP }), 'township-baishi'],
    ['Qinghe CN on another certificate (fingerprint pinned)', cert({ sha256: OTHER_FP }), 'FERRY_ERR_POLICY_CLIENT_CERT'],
    ['the right fingerprint with another CN', cert({ subjectCN: 'someone-else' }), 'FERRY_ERR_POLICY_CLIENT_CERT'],
    ['a verified certificate of nobody in the policy', cert({ subjectCN: 'stranger', sha256: OTHER_FP }), 'FERRY_ERR_POLICY_CLIENT_CERT'],
    ['an unverified certificate with a matching CN', cert({ authorized: false, subjectCN: 'baishi-township-centre' }), 'FERRY_ERR_POLICY_CLIENT_CERT'],
    ['a certificate without a CN where a CN is pinned', cert({ subjectCN: undefined }), 'FERRY_ERR_POLICY_CLIENT_CERT'],
  ];
  it.each(TABLE)('%s', (_n, c, expected) => {
    const v = clientDomain(policy, c);
    if (expected.startsWith('FERRY_ERR_')) expect(v).toMatchObject({ ok: false, code: expected });
    else expect(v).toEqual({ ok: true, value: expected });
  });

  it('refuses a certificate two townships would both claim', () => {
    const text = sampleText().replace('      subjects: [baishi-township-centre]\n', `      sha256: ["${OTHER_FP}"]\n`);
    const p = policyFrom(text);
    const v = clientDomain(p, cert({ sha256: OTHER_FP, subjectCN: 'qinghe-township-centre' }));
    expect(v).toMatchObject({ ok: true, value: 'township-baishi' }); // Qinghe pins its own fingerprint too
    const loose = policyFrom(text.replace(/      sha256: \["CC:1B[^\n]*\n/, ''));
    expect(clientDomain(loose, cert({ sha256: OTHER_FP }))).toMatchObject({ ok: false, code: 'FERRY_ERR_POLICY_CLIENT_CERT', detail: expect.stringContaining('several domains') });
  });

  it('the internal gateway resolves the recorded identity again against its own policy', () => {
    const id = formatClientIdentity(cert({}));
    expect(id).toBe('sha256=cc1ba3b42f55360fa3b0df8e847df4b5d06f2a859da77f7efcbdaa58dab8cce0;cn=qinghe-township-centre');
    expect(domainFromIdentity(policy, id)).toEqual({ ok: true, value: 'township-qinghe' });
    expect(domainFromIdentity(policy, formatClientIdentity(null))).toEqual({ ok: true, value: 'public' });
    expect(domainFromIdentity(policy, 'cn=qinghe-township-centre')).toMatchObject({ ok: false, code: 'FERRY_ERR_POLICY_CLIENT_CERT' });
    const removed = policyFrom(sampleText().replace('      subjects: [qinghe-township-centre]\n', '      subjects: [qinghe-centre-2027]\n'));
    expect(domainFromIdentity(removed, id)).toMatchObject({ ok: false, code: 'FERRY_ERR_POLICY_CLIENT_CERT' });
  });
});
