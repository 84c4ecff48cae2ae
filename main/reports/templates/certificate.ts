/**
 * The log-verification certificate: which logs, which checkpoints (size, root hash, the keys that
 * signed them), which entries, verified when, by whom and with what result. The first page is
 * the certificate itself, with the signature box; the second gives the details a verifier needs to
 * repeat the check: the signed checkpoints, the trust policy's keys and every problem found.
 */
import type { CertificateData } from '../data';
import type { EvidenceFile } from '../evidence';
import type { DocDefinition, Node } from '../render';
import { PAGE_MARGINS } from '../render';
import {
  document,
  fmtInt,
  fmtTime,
  framed,
  h1,
  h2,
  hash,
  keyValue,
  note,
  para,
  safe,
  safeMono,
  signatureBlock,
  table,
  type Citer,
  type ReportMeta,
} from './common';
import { manifestAppendix } from './quarterly';

export interface CertificateInput {
  data: CertificateData;
  meta: ReportMeta;
  citer: Citer;
  evidence: EvidenceFile[];
}

/** Where the signature goes on the certificate's first page. */
export const CERTIFICATE_SIGNATURE_BOX = { x: PAGE_MARGINS[0], y: 628, w: 240, h: 76 };

/** Logs shown in full on the first page; the rest are on the next. */
const FIRST_PAGE_LOGS = 2;

/** Builds the log-verification certificate. */
export function certificateReport(input: CertificateInput): DocDefinition {
  const { data: d, meta } = input;
  const ok = d.report.ok;
  const verified = d.report.logs.reduce((n, l) => n + l.entries, 0);
  const first = d.logs.slice(0, FIRST_PAGE_LOGS);
  const page1: Node[] = [
    { text: safe(meta.organisation, 200).toUpperCase(), style: 'coverOrg', margin: [0, 8, 0, 8] },
    { text: meta.title, style: 'coverTitle', fontSize: 20 },
    {
      text: meta.subtitle ? safe(meta.subtitle, 200) : '',
      style: 'coverSubtitle',
      margin: [0, 4, 0, 12],
    },
    para(
      `This certifies that on ${fmtTime(d.verifiedAt)}, ${safe(meta.generatedBy, 200)}, using Custos ${safe(meta.custosVersion, 40)}, re-verified the audit log${d.logs.length === 1 ? '' : 's'} below as held in the workspace's encrypted cache: every stored entry re-hashed from its bytes, every hash tile and tree root recomputed and compared with the signed checkpoints, and every checkpoint's signature checked against the trust policy.`,
      { style: 'statement' },
    ),
    framed({
      columns: [
        {
          width: 'auto',
          text: ok ? 'PASSED' : 'FAILED',
          bold: true,
          fontSize: 13,
          color: ok ? '#1e6b34' : '#a11d1d',
          characterSpacing: 1,
        },
        {
          width: '*',
          text: ok
            ? `${fmtInt(verified)} entries in ${d.logs.length} log${d.logs.length === 1 ? '' : 's'} verified; no problem found.`
            : `${fmtInt(d.report.problems.length)} problem${d.report.problems.length === 1 ? '' : 's'} found (listed on the next page).`,
          style: 'statement',
          margin: [0, 2, 0, 0],
        },
      ],
      columnGap: 14,
    }),
    ...first.map((l) => {
      const r = d.report.logs.find((x) => x.origin === l.origin);
      const cp = l.checkpoints[l.checkpoints.length - 1];
      return keyValue(
        [
          ['Log (origin)', { text: safe(l.origin, 120), bold: true }],
          [
            'Entries verified',
            r && r.entries > 0 ? `#0 to #${r.entries - 1} (${fmtInt(r.entries)} entries)` : 'none',
          ],
          [
            'Checkpoint',
            cp ? `size ${fmtInt(cp.size)}, accepted ${fmtTime(cp.acceptedAt)}` : 'none',
          ],
          ['Root hash (SHA-256)', cp ? hash(cp.rootHex, 7) : '—'],
          [
            'Signed by',
            cp
              ? cp.signers
                  .slice(0, 4)
                  .map(
                    (s) =>
                      `${safe(s.name, 80)}+${s.keyId}${s.role === 'log' ? ' (log key in the trust policy)' : s.role === 'witness' ? ' (witness)' : ' (not in the trust policy)'}`,
                  )
                  .join('; ')
              : '—',
          ],
        ],
        110,
      );
    }),
    ...(d.logs.length > FIRST_PAGE_LOGS
      ? [note(`and ${d.logs.length - FIRST_PAGE_LOGS} more logs, on the next page.`)]
      : []),
    { text: ' ', id: 'signature-end', fontSize: 4 },
    ...signatureBlock(meta.signatory, meta.generatedAt, CERTIFICATE_SIGNATURE_BOX),
  ];

  const details: Node[] = [
    h1('Details', { pageBreak: true }),
    keyValue([
      ['Verified at', fmtTime(d.verifiedAt)],
      ['Verified by', safe(meta.generatedBy, 200)],
      ['Software', `Custos ${safe(meta.custosVersion, 40)} (verifyCache)`],
      ['Time taken', `${(d.took / 1000).toFixed(1)} s`],
      [
        'Trust policy',
        d.policy
          ? 'the workspace policy, attached as trust-policy.txt'
          : 'none: signatures not checked',
      ],
    ]),
    h2('Logs and checkpoints'),
    table(
      [
        { header: 'Log', width: '*' },
        { header: 'Entries verified', width: 62, align: 'right' },
        { header: 'Checkpoints', width: 52, align: 'right' },
        { header: 'Newest size', width: 56, align: 'right' },
        { header: 'Pending', width: 42, align: 'right' },
      ],
      d.report.logs.map((r) => [
        safe(r.origin, 200),
        fmtInt(r.entries),
        fmtInt(r.checkpoints),
        fmtInt(r.verifiedSize),
        fmtInt(r.pendingEntries),
      ]),
    ),
    ...d.logs.flatMap((l) => {
      const cp = l.checkpoints[l.checkpoints.length - 1];
      return cp
        ? [
            {
              text: `The newest signed checkpoint of ${safe(l.origin, 200)}`,
              style: 'label',
              margin: [0, 4, 0, 2],
            },
            {
              table: {
                widths: ['*'],
                body: [[{ text: safeMono(cp.note, 4000, 100), font: 'Mono', fontSize: 6.5 }]],
              },
              layout: 'keyValue',
              margin: [0, 0, 0, 8],
            },
          ]
        : [];
    }),
    h2('Trust policy keys'),
    d.policy
      ? table(
          [
            { header: 'Key', width: '*' },
            { header: 'Key ID', width: 60 },
            { header: 'Role', width: 60 },
          ],
          [
            ...d.policy.logs.map((k) => [
              safe(k.verifier.name, 200),
              { text: k.verifier.keyId.toString(16).padStart(8, '0'), font: 'Mono', fontSize: 7 },
              'log',
            ]),
            ...d.policy.witnesses.map((w) => [
              safe(w.verifier.name, 200),
              { text: w.verifier.keyId.toString(16).padStart(8, '0'), font: 'Mono', fontSize: 7 },
              'witness',
            ]),
          ],
        )
      : para('No trust policy: the checkpoints were checked against their own notes only.'),
    h2('Problems'),
    d.report.problems.length
      ? table(
          [
            { header: 'Log', width: 130 },
            { header: 'Entry', width: 50, align: 'right' },
            { header: 'Problem', width: '*' },
          ],
          d.report.problems.map((p) => [
            safe(p.origin, 200),
            p.entry === undefined ? '—' : `#${p.entry}`,
            safe(p.message, 1000),
          ]),
        )
      : para('None.'),
    h2('How to repeat the check'),
    para(
      'Anyone holding the log can repeat this verification without Custos: fetch the checkpoint, check its signature with the key above (c2sp.org/signed-note), recompute the Merkle tree from the entry bundles (c2sp.org/tlog-tiles, RFC 6962 hashing) and compare the root. With Custos: `custos verify --store <location> --trust <policy>` for the log itself, `custos verify --cache <file>` for a cache.',
    ),
    ...manifestAppendix('Evidence attached', input.evidence, input.citer.proofs),
  ];
  return document(meta, [...page1, ...details], {
    subject: 'Log-verification certificate',
    right: fmtTime(d.verifiedAt).slice(0, 10),
    anchors: [{ id: 'signature-end', pageIndex: 0, maxTop: CERTIFICATE_SIGNATURE_BOX.y - 24 }],
  });
}
