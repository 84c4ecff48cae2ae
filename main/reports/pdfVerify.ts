/**
 * Checks the signatures of a PDF, independently of the library that signs (@libpdf/core is not
 * used here): the signature dictionaries, their /ByteRange and /Contents are found by a small
 * PDF lexer over the file's own bytes, the CMS is parsed with pkijs/asn1js, and every hash and
 * signature is computed with node:crypto.
 *
 * pkijs/asn1js rather than node-forge: forge's PKCS#7 code verifies RSA only (no ECDSA, which
 * Custos signs with) and its lenient ASN.1 parsing was behind the 2022 RSA signature forgery
 * advisories (CVE-2022-24771/24772); pkijs parses strictly into typed CMS/TSP classes and
 * keeps the original encodings (what a signature covers) so we never re-encode before verifying.
 *
 * What this does not decide: whether the signer is trusted (there is no trust store here; it
 * reports who signed), revocation, and what later incremental updates changed below a later
 * signature (a difference analysis); `ok` asserts what the LAST signature covers.
 */
import { createHash, verify as cryptoVerify, X509Certificate, constants } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/** One signature of the document, with everything that was checked about it. */
export interface PdfSignatureCheck {
  /** The signature field's (fully qualified) name, or "(no field)". */
  field: string;
  byteRange: [number, number, number, number];
  /** The byte range covers the whole file except exactly the /Contents hex string. */
  coversWholeFile: boolean;
  /** The CMS message digest equals the hash of the signed byte ranges. */
  digestOk: boolean;
  /** The signature over the signed attributes verifies with the signer's certificate. */
  signatureOk: boolean;
  signer: {
    subject: string;
    issuer: string;
    serial: string;
    notBefore: string;
    notAfter: string;
  } | null;
  /** A signing-certificate-v2 attribute is present and names the signer's certificate. */
  signingCertificateV2: boolean;
  subFilter: string | null;
  /** The claimed signing time (the /M entry, else the CMS signing-time), ISO 8601 UTC. */
  signingTime: string | null;
  /** The RFC 3161 signature time-stamp's time, when there is a valid one. */
  timestamp: string | null;
  /** Plain sentences, one per problem; empty when every check passed. */
  problems: string[];
}

/** The result of {@link verifyPdfSignatures}. */
export interface PdfVerification {
  signatures: PdfSignatureCheck[];
  /** At least one signature, the last covers the whole file, and every check passed. */
  ok: boolean;
}

/**
 * Finds every signature dictionary in `pdf` and checks it: the byte range against the file,
 * the CMS message digest against those bytes, the signature over the signed attributes, the
 * signing-certificate-v2 attribute, CMS algorithm protection, the certificate's validity at
 * the signing time, and an RFC 3161 time-stamp if there is one. Never throws for a bad file:
 * what is wrong is in `problems`.
 *
 * `ok` says the signatures are intact and the last one covers the file; it does not say who
 * signed is trusted: compare `signer` with who should have signed.
 */
export async function verifyPdfSignatures(pdf: Uint8Array): Promise<PdfVerification> {
  const buf = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.length);
  const objects = scanObjects(buf);
  const fields = signatureFieldNames(objects);
  const signatures: PdfSignatureCheck[] = [];
  const found = [...objects.topLevel]
    .filter((o) => o.value.t === 'dict' && o.value.map.has('ByteRange'))
    .sort((a, b) => a.offset - b.offset);
  for (const obj of found) {
    signatures.push(
      checkSignature(
        buf,
        obj.value as DictVal,
        fields.get(`${obj.num} ${obj.gen}`) ?? '(no field)',
      ),
    );
  }
  // A signature dictionary compressed in an object stream has no /Contents in the file's own
  // bytes, so nothing about it can be checked: count it, as a failure, rather than skip it.
  for (const obj of objects.byKey.values()) {
    if (obj.offset >= 0 || obj.value.t !== 'dict' || !obj.value.map.has('ByteRange')) continue;
    const check = blankCheck(
      fields.get(`${obj.num} ${obj.gen}`) ?? '(no field)',
      nameOf(obj.value.map.get('SubFilter')),
    );
    check.problems.push(
      'the signature dictionary is inside a compressed object stream, so its signed bytes cannot be located or checked',
    );
    signatures.push(check);
  }
  // The signature that covers the most of the file is the last one applied.
  signatures.sort((a, b) => a.byteRange[2] + a.byteRange[3] - (b.byteRange[2] + b.byteRange[3]));
  const last = signatures[signatures.length - 1];
  const end = last ? last.byteRange[2] + last.byteRange[3] : 0;
  // Earlier signatures cover earlier revisions by design; the last one must reach the end.
  if (last && end < buf.length) {
    last.problems.push(
      `the signed byte range leaves ${buf.length - end} bytes at the end of the file unsigned: the file was changed after signing`,
    );
  }
  const ok =
    last !== undefined &&
    last.coversWholeFile &&
    signatures.every((s) => s.digestOk && s.signatureOk && s.problems.length === 0);
  return { signatures, ok };
}

// ---------------------------------------------------------------------------------------------
// One signature dictionary
// ---------------------------------------------------------------------------------------------

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  cmsAlgorithmProtection: '1.2.840.113549.1.9.52',
  timeStampToken: '1.2.840.113549.1.9.16.2.14',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsaPss: '1.2.840.113549.1.1.10',
  ecPublicKey: '1.2.840.10045.2.1',
  ed25519: '1.3.101.112',
} as const;

const DIGESTS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** Signature algorithms that name their own hash. */
const SIGNATURE_HASHES: Record<string, string> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

function blankCheck(field: string, subFilter: string | null): PdfSignatureCheck {
  return {
    field,
    byteRange: [0, 0, 0, 0],
    coversWholeFile: false,
    digestOk: false,
    signatureOk: false,
    signer: null,
    signingCertificateV2: false,
    subFilter,
    signingTime: null,
    timestamp: null,
    problems: [],
  };
}

function checkSignature(buf: Buffer, dict: DictVal, field: string): PdfSignatureCheck {
  const subFilter = nameOf(dict.map.get('SubFilter'));
  const claimed = dateOf(dict.map.get('M'));
  const result = blankCheck(field, subFilter);
  result.signingTime = claimed?.toISOString() ?? null;
  const problems = result.problems;
  const range = dict.map.get('ByteRange');
  const nums = range?.t === 'array' ? range.items.map((i) => (i.t === 'num' ? i.v : NaN)) : [];
  if (nums.length !== 4 || !nums.every((n) => Number.isSafeInteger(n) && n >= 0)) {
    problems.push('the /ByteRange is not four non-negative integers, so nothing can be checked');
    return result;
  }
  const br = nums as [number, number, number, number];
  result.byteRange = br;
  const contents = dict.map.get('Contents');
  if (contents?.t !== 'str' || !contents.hex) {
    problems.push('the /Contents is not a direct hex string, so the signature cannot be read');
    return result;
  }
  // The gap between the two ranges must be exactly the /Contents hex string, delimiters included.
  const gapOk = br[0] === 0 && br[1] === contents.start && br[2] === contents.end;
  if (!gapOk) {
    problems.push(
      `the signed byte range does not skip exactly this signature's /Contents (bytes ${contents.start}-${contents.end}): it skips bytes ${br[0] + br[1]}-${br[2]}, so bytes other than the signature are unsigned`,
    );
  }
  if (br[2] + br[3] > buf.length || br[0] + br[1] > buf.length) {
    problems.push(
      `the signed byte range ends at byte ${br[2] + br[3]}, past the end of the file (${buf.length} bytes): the file was truncated`,
    );
    return result;
  }
  result.coversWholeFile = gapOk && br[2] + br[3] === buf.length;
  const ranges = [buf.subarray(br[0], br[0] + br[1]), buf.subarray(br[2], br[2] + br[3])];
  const hashRanges = (alg: string) => {
    const h = createHash(alg);
    for (const r of ranges) h.update(r);
    return h.digest();
  };

  const der = contents.bytes;
  let asn: ReturnType<typeof asn1js.fromBER>;
  try {
    asn = asn1js.fromBER(der);
  } catch {
    asn = { offset: -1 } as ReturnType<typeof asn1js.fromBER>;
  }
  if (asn.offset === -1) {
    problems.push('the /Contents is not a DER-encoded CMS structure');
    return result;
  }
  if (der.subarray(asn.offset).some((b) => b !== 0)) {
    problems.push(
      `after the CMS, the /Contents holds ${der.length - asn.offset} bytes that are not zero padding`,
    );
  }
  let signedData: pkijs.SignedData;
  try {
    const ci = new pkijs.ContentInfo({ schema: asn.result });
    if (ci.contentType !== OID.signedData) throw new Error('not SignedData');
    signedData = new pkijs.SignedData({ schema: ci.content });
  } catch {
    problems.push('the /Contents is not a CMS SignedData structure');
    return result;
  }

  if (subFilter === 'ETSI.RFC3161') {
    // A document time-stamp: the TSTInfo's message imprint is the hash of the byte range.
    const tst = checkTimestampToken(signedData, hashRanges, problems, 'document time-stamp');
    result.digestOk = tst.imprintOk;
    result.signatureOk = tst.signer.signatureOk;
    result.signer = tst.signer.cert ? describeCert(tst.signer.cert) : null;
    result.timestamp = tst.time?.toISOString() ?? null;
    return result;
  }

  if (signedData.encapContentInfo.eContent) {
    problems.push(
      'the CMS embeds its content instead of being detached (SubFilter adbe.pkcs7.sha1 style)',
    );
  }
  const signer = checkSignerInfo(signedData, hashRanges, 'signature', problems);
  result.digestOk = signer.digestOk;
  result.signatureOk = signer.signatureOk;
  result.signingCertificateV2 = signer.essV2;
  result.signer = signer.cert ? describeCert(signer.cert) : null;
  if (subFilter === 'ETSI.CAdES.detached' && !signer.essV2 && !signer.essV1) {
    problems.push(
      'the signature has no signing-certificate(-v2) attribute, which PAdES (ETSI EN 319 142-1) requires to bind the certificate',
    );
  }
  if (!result.signingTime && signer.signingTime) {
    result.signingTime = signer.signingTime.toISOString();
  }

  let when = claimed ?? signer.signingTime;
  const tokenAttr = signer.info?.unsignedAttrs?.attributes.find(
    (a) => a.type === OID.timeStampToken,
  );
  if (tokenAttr && signer.info) {
    try {
      const tci = new pkijs.ContentInfo({ schema: tokenAttr.values[0] });
      const tsd = new pkijs.SignedData({ schema: tci.content });
      const value = new Uint8Array(signer.info.signature.valueBlock.valueHexView);
      const tst = checkTimestampToken(
        tsd,
        (alg) => createHash(alg).update(value).digest(),
        problems,
        'signature time-stamp',
      );
      if (tst.imprintOk && tst.signer.signatureOk && tst.signer.digestOk && tst.time) {
        result.timestamp = tst.time.toISOString();
        when = tst.time;
      }
    } catch {
      problems.push('the signature time-stamp token is not a CMS SignedData structure');
    }
  }
  if (signer.cert && when) {
    const from = signer.cert.notBefore.value;
    const to = signer.cert.notAfter.value;
    if (when < from || when > to) {
      problems.push(
        `the signer's certificate was not valid at the signing time ${when.toISOString()}: it is valid from ${from.toISOString()} to ${to.toISOString()}`,
      );
    }
  }
  return result;
}

interface SignerResult {
  info: pkijs.SignerInfo | null;
  cert: pkijs.Certificate | null;
  digestOk: boolean;
  signatureOk: boolean;
  essV2: boolean;
  essV1: boolean;
  signingTime: Date | null;
}

/**
 * Checks the one SignerInfo of `sd`: the message-digest attribute against `hashContent`, the
 * signature over the signed attributes (their original encoding, re-tagged as a SET OF) with
 * the certificate named by the signer identifier, ESS signing-certificate(-v2) and RFC 6211.
 */
function checkSignerInfo(
  sd: pkijs.SignedData,
  hashContent: (alg: string) => Buffer,
  what: string,
  problems: string[],
): SignerResult {
  const out: SignerResult = {
    info: null,
    cert: null,
    digestOk: false,
    signatureOk: false,
    essV2: false,
    essV1: false,
    signingTime: null,
  };
  if (sd.signerInfos.length !== 1) {
    problems.push(`the ${what} holds ${sd.signerInfos.length} signers; exactly one was expected`);
    if (sd.signerInfos.length === 0) return out;
  }
  const si = sd.signerInfos[0]!;
  out.info = si;
  const certs = (sd.certificates ?? []).filter(
    (c): c is pkijs.Certificate => c instanceof pkijs.Certificate,
  );
  const cert = findSignerCert(si, certs);
  out.cert = cert;
  if (!cert) problems.push(`the ${what} does not include the signer's certificate`);

  const digestAlg = DIGESTS[si.digestAlgorithm.algorithmId];
  if (!digestAlg) {
    problems.push(
      `the ${what} uses an unknown digest algorithm (${si.digestAlgorithm.algorithmId})`,
    );
    return out;
  }
  if (digestAlg === 'sha1') {
    problems.push(`the ${what} uses SHA-1, which is no longer safe for signatures`);
  }
  const attrs = si.signedAttrs?.attributes ?? [];
  const attr = (oid: string) => attrs.find((a) => a.type === oid);
  const signature = Buffer.from(si.signature.valueBlock.valueHexView);
  let signedBytes: Buffer;
  if (!si.signedAttrs) {
    problems.push(`the ${what} has no signed attributes (it is not CAdES)`);
    return out;
  } else {
    // The signature covers the DER of the SET OF attributes: the encoding as received, with
    // the [0] IMPLICIT tag replaced by SET (RFC 5652 5.4). Never re-encoded.
    signedBytes = Buffer.from(si.signedAttrs.encodedValue);
    signedBytes[0] = 0x31;
  }

  const ct = attr(OID.contentType);
  const md = attr(OID.messageDigest);
  const mdValue = md?.values[0] as asn1js.OctetString | undefined;
  if (!md || !mdValue) {
    problems.push(`the ${what} has no message-digest attribute`);
  } else {
    const expected = hashContent(digestAlg);
    out.digestOk = Buffer.from(mdValue.valueBlock.valueHexView).equals(expected);
    if (!out.digestOk) {
      problems.push(
        `the ${what}'s message digest does not match the signed bytes: the document was changed after signing`,
      );
    }
  }
  if (!ct) problems.push(`the ${what} has no content-type attribute`);

  if (cert) {
    const hash = SIGNATURE_HASHES[si.signatureAlgorithm.algorithmId] ?? digestAlg;
    const verified = verifyRaw(si.signatureAlgorithm, hash, signedBytes, cert, signature);
    if (typeof verified === 'string') problems.push(`the ${what} ${verified}`);
    else if (!verified) {
      problems.push(
        `the ${what}'s cryptographic signature does not verify with the signer's certificate`,
      );
    } else out.signatureOk = true;

    const certDer = Buffer.from(cert.toSchema().toBER(false));
    const v2 = attr(OID.signingCertificateV2);
    if (v2) {
      out.essV2 = essMatches(v2, certDer, cert, 'sha256');
      if (!out.essV2) {
        problems.push(
          `the ${what}'s signing-certificate-v2 attribute names a different certificate than the one that signed`,
        );
      }
    }
    const v1 = attr(OID.signingCertificate);
    if (v1) {
      out.essV1 = essMatches(v1, certDer, cert, 'sha1', true);
      if (!out.essV1) {
        problems.push(
          `the ${what}'s signing-certificate attribute names a different certificate than the one that signed`,
        );
      }
    }
  }

  const ap = attr(OID.cmsAlgorithmProtection);
  if (ap) {
    const seq = ap.values[0] as asn1js.Sequence;
    const digestNode = seq.valueBlock.value[0] as asn1js.Sequence;
    const apDigest = (
      digestNode.valueBlock.value[0] as asn1js.ObjectIdentifier
    ).valueBlock.toString();
    const tagged = seq.valueBlock.value.find(
      (v) => v.idBlock.tagClass === 3 && v.idBlock.tagNumber === 1,
    ) as asn1js.Constructed | undefined;
    const apSig = (
      tagged?.valueBlock.value[0] as asn1js.ObjectIdentifier | undefined
    )?.valueBlock.toString();
    if (
      apDigest !== si.digestAlgorithm.algorithmId ||
      (apSig !== undefined && apSig !== si.signatureAlgorithm.algorithmId)
    ) {
      problems.push(
        `the ${what}'s algorithm-protection attribute does not match its algorithms (a substituted algorithm)`,
      );
    }
  }
  const st = attr(OID.signingTime);
  const stValue = st?.values[0] as asn1js.UTCTime | asn1js.GeneralizedTime | undefined;
  if (stValue) out.signingTime = stValue.toDate();
  return out;
}

/** Verifies `signature` over `data` with the certificate's public key, by node:crypto. */
function verifyRaw(
  alg: pkijs.AlgorithmIdentifier,
  hash: string,
  data: Buffer,
  cert: pkijs.Certificate,
  signature: Buffer,
): boolean | string {
  let key;
  try {
    key = new X509Certificate(Buffer.from(cert.toSchema().toBER(false))).publicKey;
  } catch {
    return "has a signer's certificate that cannot be read";
  }
  const keyType = key.asymmetricKeyType;
  const id = alg.algorithmId;
  try {
    if (id === OID.rsaPss) {
      const params = new pkijs.RSASSAPSSParams({ schema: alg.algorithmParams });
      const pssHash = DIGESTS[params.hashAlgorithm.algorithmId] ?? 'sha1';
      return cryptoVerify(
        pssHash,
        data,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: params.saltLength },
        signature,
      );
    }
    if (id === OID.ed25519) return cryptoVerify(null, data, key, signature);
    const isRsa = id === OID.rsaEncryption || id.startsWith('1.2.840.113549.1.1.');
    const isEc = id === OID.ecPublicKey || id.startsWith('1.2.840.10045.4.');
    if ((isRsa && keyType === 'rsa') || (isEc && keyType === 'ec')) {
      return cryptoVerify(hash, data, isEc ? { key, dsaEncoding: 'der' } : key, signature);
    }
    if (isRsa || isEc)
      return `names signature algorithm ${id}, but the certificate's key is ${keyType}`;
    return `uses an unsupported signature algorithm (${id})`;
  } catch {
    return 'has a signature value that cannot be checked (malformed)';
  }
}

/** Does an ESS signing-certificate(-v2) attribute's first ESSCertID name `cert`? */
function essMatches(
  attr: pkijs.Attribute,
  certDer: Buffer,
  cert: pkijs.Certificate,
  defaultHash: string,
  v1 = false,
): boolean {
  try {
    const certs = (attr.values[0] as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
    const id = certs.valueBlock.value[0] as asn1js.Sequence;
    const parts = id.valueBlock.value;
    let i = 0;
    let hash = defaultHash;
    if (!v1 && parts[0] instanceof asn1js.Sequence) {
      const oid = (parts[0].valueBlock.value[0] as asn1js.ObjectIdentifier).valueBlock.toString();
      hash = DIGESTS[oid] ?? 'unknown';
      i = 1;
    }
    const certHash = Buffer.from((parts[i] as asn1js.OctetString).valueBlock.valueHexView);
    if (hash === 'unknown' || !certHash.equals(createHash(hash).update(certDer).digest())) {
      return false;
    }
    const issuerSerial = parts[i + 1];
    if (issuerSerial) {
      const is = new pkijs.IssuerSerial({ schema: issuerSerial });
      if (!is.serialNumber.isEqual(cert.serialNumber)) return false;
      const dn = is.issuer.names.find((n) => n.type === 4)?.value as
        pkijs.RelativeDistinguishedNames | undefined;
      if (dn && !dn.isEqual(cert.issuer)) return false;
    }
    return true;
  } catch {
    return false;
  }
}

function findSignerCert(
  si: pkijs.SignerInfo,
  certs: pkijs.Certificate[],
): pkijs.Certificate | null {
  if (si.sid instanceof pkijs.IssuerAndSerialNumber) {
    const sid = si.sid;
    return (
      certs.find((c) => c.serialNumber.isEqual(sid.serialNumber) && c.issuer.isEqual(sid.issuer)) ??
      null
    );
  }
  // subjectKeyIdentifier [0] IMPLICIT OCTET STRING
  const ski = Buffer.from((si.sid as asn1js.Primitive).valueBlock.valueHexView);
  return (
    certs.find((c) => {
      const ext = c.extensions?.find((e) => e.extnID === '2.5.29.14');
      if (!ext) return false;
      const inner = asn1js.fromBER(ext.extnValue.valueBlock.valueHexView)
        .result as asn1js.OctetString;
      return Buffer.from(inner.valueBlock.valueHexView).equals(ski);
    }) ?? null
  );
}

interface TimestampResult {
  imprintOk: boolean;
  time: Date | null;
  signer: SignerResult;
}

/**
 * Checks an RFC 3161 token: its TSTInfo message imprint against `hashImprinted`, and its own
 * signature (CMS over the TSTInfo) with the TSA certificate, which must be for time-stamping.
 */
function checkTimestampToken(
  sd: pkijs.SignedData,
  hashImprinted: (alg: string) => Buffer,
  problems: string[],
  what: string,
): TimestampResult {
  const eContent = sd.encapContentInfo.eContent;
  if (sd.encapContentInfo.eContentType !== OID.tstInfo || !eContent) {
    problems.push(`the ${what} is not an RFC 3161 time-stamp token`);
    return {
      imprintOk: false,
      time: null,
      signer: {
        info: null,
        cert: null,
        digestOk: false,
        signatureOk: false,
        essV1: false,
        essV2: false,
        signingTime: null,
      },
    };
  }
  const tstBytes = Buffer.from(octets(eContent));
  const tst = pkijs.TSTInfo.fromBER(tstBytes);
  const alg = DIGESTS[tst.messageImprint.hashAlgorithm.algorithmId];
  const imprint = Buffer.from(tst.messageImprint.hashedMessage.valueBlock.valueHexView);
  const imprintOk = alg !== undefined && imprint.equals(hashImprinted(alg));
  if (!imprintOk) {
    problems.push(
      what === 'document time-stamp'
        ? `the ${what}'s message imprint does not match the signed bytes: the document was changed after time-stamping`
        : `the ${what} was made for other data than this signature (message imprint mismatch)`,
    );
  }
  const signer = checkSignerInfo(
    sd,
    (a) => createHash(a).update(tstBytes).digest(),
    what,
    problems,
  );
  if (signer.cert) {
    const eku = new X509Certificate(Buffer.from(signer.cert.toSchema().toBER(false))).keyUsage;
    if (!eku?.includes(OID.timeStamping)) {
      problems.push(`the ${what}'s certificate is not a time-stamping certificate`);
    }
  }
  return { imprintOk, time: tst.genTime, signer };
}

// ---------------------------------------------------------------------------------------------
// Certificates and names
// ---------------------------------------------------------------------------------------------

const NAME_KEYS: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.42': 'GN',
  '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

/**
 * A distinguished name as RFC 4514 writes it, most specific first:
 * `CN=Thandi Dlamini, O=Example Compliance, C=ZA`.
 */
export function describeName(name: pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map((tv) => {
      const key = NAME_KEYS[tv.type] ?? tv.type;
      const raw = tv.value.valueBlock.value;
      const text =
        typeof raw === 'string'
          ? raw
          : Buffer.from(tv.value.valueBeforeDecodeView ?? new Uint8Array()).toString('hex');
      const escaped = text
        .replace(/[\\,+"<>;=]/g, (c) => `\\${c}`)
        .replace(/^[ #]/, (c) => `\\${c}`)
        .replace(/ $/, '\\ ');
      return `${key}=${escaped}`;
    })
    .reverse()
    .join(', ');
}

function describeCert(cert: pkijs.Certificate): PdfSignatureCheck['signer'] {
  return {
    subject: describeName(cert.subject),
    issuer: describeName(cert.issuer),
    // Hex as OpenSSL and Node print it: without the sign byte DER adds to a high first bit.
    serial: Buffer.from(cert.serialNumber.valueBlock.valueHexView)
      .toString('hex')
      .toUpperCase()
      .replace(/^00(?=[89A-F])/, ''),
    notBefore: cert.notBefore.value.toISOString(),
    notAfter: cert.notAfter.value.toISOString(),
  };
}

function octets(node: asn1js.OctetString): Uint8Array {
  if (!node.valueBlock.isConstructed) return new Uint8Array(node.valueBlock.valueHexView);
  return new Uint8Array(
    Buffer.concat(
      (node.valueBlock.value as asn1js.OctetString[]).map((part) => Buffer.from(octets(part))),
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// A small PDF lexer: indirect objects, their dictionaries and where their strings sit
// ---------------------------------------------------------------------------------------------

type Val =
  | DictVal
  | { t: 'array'; items: Val[] }
  | { t: 'name'; v: string }
  | { t: 'str'; bytes: Uint8Array; hex: boolean; start: number; end: number }
  | { t: 'num'; v: number }
  | { t: 'ref'; num: number; gen: number }
  | { t: 'kw'; v: string };
interface DictVal {
  t: 'dict';
  map: Map<string, Val>;
}
interface PdfObj {
  num: number;
  gen: number;
  offset: number;
  value: Val;
}
interface ObjectScan {
  /** Objects written directly in the file, in file order (signature dictionaries live here). */
  topLevel: PdfObj[];
  /** The latest definition of each object, including those inside object streams. */
  byKey: Map<string, PdfObj>;
}

const WS = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const DELIM = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]);

class Lexer {
  constructor(
    readonly buf: Buffer,
    public pos: number,
  ) {}

  skipWs(): void {
    const b = this.buf;
    while (this.pos < b.length) {
      const c = b[this.pos]!;
      if (WS.has(c)) this.pos++;
      else if (c === 0x25) {
        while (this.pos < b.length && b[this.pos] !== 0x0a && b[this.pos] !== 0x0d) this.pos++;
      } else break;
    }
  }

  value(depth = 0): Val {
    if (depth > 64) throw new Error('nesting too deep');
    this.skipWs();
    const b = this.buf;
    const c = b[this.pos];
    if (c === undefined) throw new Error('unexpected end of file');
    if (c === 0x3c && b[this.pos + 1] === 0x3c) return this.dict(depth);
    if (c === 0x3c) return this.hexString();
    if (c === 0x28) return this.literalString();
    if (c === 0x5b) {
      this.pos++;
      const items: Val[] = [];
      for (;;) {
        this.skipWs();
        if (b[this.pos] === 0x5d) {
          this.pos++;
          return { t: 'array', items: this.refs(items) };
        }
        items.push(this.value(depth + 1));
      }
    }
    if (c === 0x2f) return this.name();
    if ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e) {
      const start = this.pos;
      this.pos++;
      while (this.pos < b.length && /[0-9.]/.test(String.fromCharCode(b[this.pos]!))) this.pos++;
      return { t: 'num', v: Number(b.toString('latin1', start, this.pos)) };
    }
    const start = this.pos;
    while (this.pos < b.length && !WS.has(b[this.pos]!) && !DELIM.has(b[this.pos]!)) this.pos++;
    if (this.pos === start) throw new Error(`unexpected byte ${c} at ${start}`);
    return { t: 'kw', v: b.toString('latin1', start, this.pos) };
  }

  /** Folds `n g R` triples into references. */
  private refs(items: Val[]): Val[] {
    const out: Val[] = [];
    for (let i = 0; i < items.length; i++) {
      const a = items[i]!;
      const g = items[i + 1];
      const r = items[i + 2];
      if (a.t === 'num' && g?.t === 'num' && r?.t === 'kw' && r.v === 'R') {
        out.push({ t: 'ref', num: a.v, gen: g.v });
        i += 2;
      } else out.push(a);
    }
    return out;
  }

  private dict(depth: number): DictVal {
    this.pos += 2;
    const flat: Val[] = [];
    for (;;) {
      this.skipWs();
      if (this.buf[this.pos] === 0x3e && this.buf[this.pos + 1] === 0x3e) {
        this.pos += 2;
        break;
      }
      flat.push(this.value(depth + 1));
    }
    const items = this.refs(flat);
    const map = new Map<string, Val>();
    for (let i = 0; i + 1 < items.length; i += 2) {
      const k = items[i]!;
      if (k.t === 'name') map.set(k.v, items[i + 1]!);
    }
    return { t: 'dict', map };
  }

  private name(): Val {
    const b = this.buf;
    const start = ++this.pos;
    while (this.pos < b.length && !WS.has(b[this.pos]!) && !DELIM.has(b[this.pos]!)) this.pos++;
    const raw = b.toString('latin1', start, this.pos);
    return {
      t: 'name',
      v: raw.replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
    };
  }

  private hexString(): Val {
    const b = this.buf;
    const start = this.pos;
    const end = b.indexOf(0x3e, start);
    if (end < 0) throw new Error('unterminated hex string');
    let hex = b.toString('latin1', start + 1, end).replace(/[\s\0]+/g, '');
    if (!/^[0-9a-fA-F]*$/.test(hex)) throw new Error('bad hex string');
    if (hex.length % 2) hex += '0';
    this.pos = end + 1;
    return { t: 'str', bytes: Buffer.from(hex, 'hex'), hex: true, start, end: end + 1 };
  }

  private literalString(): Val {
    const b = this.buf;
    const start = this.pos;
    const out: number[] = [];
    let depth = 0;
    this.pos++;
    while (this.pos < b.length) {
      const c = b[this.pos++]!;
      if (c === 0x5c) {
        const e = b[this.pos++]!;
        const map: Record<number, number> = { 0x6e: 10, 0x72: 13, 0x74: 9, 0x62: 8, 0x66: 12 };
        if (e in map) out.push(map[e]!);
        else if (e >= 0x30 && e <= 0x37) {
          let v = e - 0x30;
          for (let k = 0; k < 2 && b[this.pos]! >= 0x30 && b[this.pos]! <= 0x37; k++) {
            v = v * 8 + (b[this.pos++]! - 0x30);
          }
          out.push(v & 0xff);
        } else if (e === 0x0d) {
          if (b[this.pos] === 0x0a) this.pos++;
        } else if (e !== 0x0a) out.push(e);
      } else if (c === 0x28) {
        depth++;
        out.push(c);
      } else if (c === 0x29) {
        if (depth === 0) break;
        depth--;
        out.push(c);
      } else out.push(c);
    }
    return { t: 'str', bytes: Uint8Array.from(out), hex: false, start, end: this.pos };
  }
}

/**
 * Walks the file's indirect objects in order, skipping stream data (so text inside streams,
 * e.g. an attached PDF, is never mistaken for a signature), and unpacks object streams.
 */
function scanObjects(buf: Buffer): ObjectScan {
  const text = buf.toString('latin1');
  const header = /(?<![0-9])(\d+)[ \t\r\n\f\0]+(\d+)[ \t\r\n\f\0]+obj\b/g;
  const topLevel: PdfObj[] = [];
  const byKey = new Map<string, PdfObj>();
  // Indirect /Length values (pdfkit writes them after the stream): `n g obj 123 endobj`.
  const lengths = new Map<string, number>();
  for (const m of text.matchAll(/(?<![0-9])(\d+)\s+(\d+)\s+obj\s*(\d+)\s*endobj/g)) {
    lengths.set(`${m[1]} ${m[2]}`, Number(m[3]));
  }
  const streams: Array<{ obj: PdfObj; data: Buffer }> = [];
  let pos = 0;
  for (;;) {
    header.lastIndex = pos;
    const m = header.exec(text);
    if (!m) break;
    const offset = m.index;
    const lexer = new Lexer(buf, offset + m[0].length);
    pos = lexer.pos;
    let value: Val;
    try {
      value = lexer.value();
    } catch {
      continue;
    }
    const obj: PdfObj = { num: Number(m[1]), gen: Number(m[2]), offset, value };
    topLevel.push(obj);
    byKey.set(`${obj.num} ${obj.gen}`, obj);
    pos = lexer.pos;
    lexer.skipWs();
    if (value.t === 'dict' && text.startsWith('stream', lexer.pos)) {
      let start = lexer.pos + 6;
      if (buf[start] === 0x0d) start++;
      if (buf[start] === 0x0a) start++;
      const lenVal = value.map.get('Length');
      const len =
        lenVal?.t === 'num'
          ? lenVal.v
          : lenVal?.t === 'ref'
            ? lengths.get(`${lenVal.num} ${lenVal.gen}`)
            : undefined;
      let end = -1;
      if (len !== undefined && start + len <= buf.length) {
        const after = text.slice(start + len, start + len + 12).trimStart();
        if (after.startsWith('endstream')) end = start + len;
      }
      if (end < 0) end = text.indexOf('endstream', start);
      if (end < 0) break;
      streams.push({ obj, data: buf.subarray(start, end) });
      pos = end + 9;
    }
  }
  for (const { obj, data } of streams) {
    const dict = obj.value as DictVal;
    if (nameOf(dict.map.get('Type')) !== 'ObjStm') continue;
    for (const inner of unpackObjectStream(dict, data))
      byKey.set(`${inner.num} ${inner.gen}`, inner);
  }
  return { topLevel, byKey };
}

function unpackObjectStream(dict: DictVal, data: Buffer): PdfObj[] {
  const filter = dict.map.get('Filter');
  const filters = filter?.t === 'array' ? filter.items.map(nameOf) : filter ? [nameOf(filter)] : [];
  if (filters.some((f) => f !== 'FlateDecode') || dict.map.has('DecodeParms')) return [];
  let plain: Buffer;
  try {
    plain = filters.length ? inflateSync(data) : data;
  } catch {
    return [];
  }
  const n = dict.map.get('N');
  const first = dict.map.get('First');
  if (n?.t !== 'num' || first?.t !== 'num') return [];
  const lexer = new Lexer(plain, 0);
  const out: PdfObj[] = [];
  const pairs: Array<[number, number]> = [];
  try {
    for (let i = 0; i < n.v; i++) {
      const num = lexer.value();
      const off = lexer.value();
      if (num.t !== 'num' || off.t !== 'num') return [];
      pairs.push([num.v, off.v]);
    }
    for (const [num, off] of pairs) {
      const inner = new Lexer(plain, first.v + off);
      out.push({ num, gen: 0, offset: -1, value: inner.value() });
    }
  } catch {
    return out;
  }
  return out;
}

/** Maps `num gen` of each signature dictionary to the name of the field whose /V it is. */
function signatureFieldNames(scan: ObjectScan): Map<string, string> {
  const out = new Map<string, string>();
  for (const obj of scan.byKey.values()) {
    if (obj.value.t !== 'dict') continue;
    const v = obj.value.map.get('V');
    if (v?.t !== 'ref') continue;
    const parts: string[] = [];
    let node: DictVal | undefined = obj.value;
    for (let depth = 0; node && depth < 32; depth++) {
      const t = node.map.get('T');
      if (t?.t === 'str') parts.unshift(textOf(t.bytes));
      const parent: Val | undefined = node.map.get('Parent');
      const next: PdfObj | undefined =
        parent?.t === 'ref' ? scan.byKey.get(`${parent.num} ${parent.gen}`) : undefined;
      node = next?.value.t === 'dict' ? next.value : undefined;
    }
    if (parts.length) out.set(`${v.num} ${v.gen}`, parts.join('.'));
  }
  return out;
}

function nameOf(v: Val | undefined): string | null {
  return v?.t === 'name' ? v.v : null;
}

/** A PDF text string: UTF-16BE or UTF-8 with a byte-order mark, else PDFDocEncoding (~Latin-1). */
function textOf(bytes: Uint8Array): string {
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return Buffer.from(bytes.subarray(3)).toString('utf8');
  }
  return Buffer.from(bytes).toString('latin1');
}

/** Parses a PDF date `D:YYYYMMDDHHmmSSOHH'mm'` (ISO 32000 7.9.4). */
function dateOf(v: Val | undefined): Date | null {
  if (v?.t !== 'str') return null;
  const m = /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?'?/.exec(
    textOf(v.bytes),
  );
  if (!m) return null;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', sign, oh = '00', om = '00'] = m;
  const utc = Date.UTC(+y!, +mo - 1, +d, +h, +mi, +s);
  const offset = (+oh * 60 + +om) * 60_000;
  const t = sign === '+' ? utc - offset : sign === '-' ? utc + offset : utc;
  return Number.isNaN(t) ? null : new Date(t);
}
