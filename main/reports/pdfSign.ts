/**
 * PAdES signing of Custos reports (ETSI EN 319 142-1 baseline B-B, and B-T with a time-stamp).
 *
 * Library choice. The PDF side uses `@libpdf/core` 0.4.2: it parses real-world PDFs, writes
 * incremental updates (so a second signature never disturbs the first) and manages AcroForm
 * fields and attachments. `@signpdf/*` was ruled out: its P12 signer fails on ECDSA keys and
 * writes no signing-certificate-v2, so its output is not PAdES baseline. We do NOT use
 * `PDF.sign()` of @libpdf/core for two reasons, checked in its 0.4.2 source:
 *   1. it always puts the CMS `signing-time` signed attribute in the signature (its issue #86),
 *      which ETSI EN 319 142-1 (Table 1) forbids for PAdES baseline signatures: the claimed
 *      signing time belongs only in the signature dictionary's /M entry (some validators, e.g.
 *      ICP-Brasil's, reject such signatures);
 *   2. it always makes an invisible widget (Rect [0 0 0 0]); there is no visible appearance.
 * So this module adds the signature field, widget and appearance with @libpdf/core's object
 * API, saves incrementally with a placeholder, and then fills in ByteRange and a CMS it builds
 * itself with `pkijs`/`asn1js` and signs with `node:crypto`. The PKCS#12 file is decrypted here
 * too (pkijs for the structure, node:crypto for PBES2/3DES), so that the certificate is the one
 * matching the key, and the errors say what is wrong.
 */
import {
  createDecipheriv,
  createHash,
  createPrivateKey,
  pbkdf2Sync,
  randomBytes,
  sign as cryptoSign,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import {
  measureText,
  PDF,
  PdfArray,
  PdfDict,
  PdfName,
  PdfNumber,
  PdfRef,
  PdfStream,
  PdfString,
  type PDFPage,
} from '@libpdf/core';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describeName, verifyPdfSignatures } from './pdfVerify';

/** Options of {@link signPdf}. */
export interface SignPdfOptions {
  /** The signer's PKCS#12 (.p12/.pfx) file: the certificate and its private key. */
  p12: Uint8Array;
  /** The PKCS#12 passphrase. Never logged, never put in an error message. */
  passphrase: string;
  /** Why the document is signed (the signature dictionary's /Reason, and shown when visible). */
  reason?: string;
  /** Where it was signed (/Location). */
  location?: string;
  /** How to reach the signer (/ContactInfo). */
  contactInfo?: string;
  /**
   * A visible signature on page `pageIndex` (0-based) in `rect` = [x1, y1, x2, y2], PDF points
   * from the page's bottom-left corner. It shows the signer's name (from the certificate), the
   * date in UTC, the reason and location, then `lines` (e.g. the signer's role). Without
   * `visible` the signature field is invisible.
   *
   * The text is in Helvetica (WinAnsi: Western European letters only) unless `font` gives
   * TrueType/OpenType files (e.g. the report's own font), embedded as a subset, for names in
   * other scripts.
   */
  visible?: {
    pageIndex: number;
    rect: [number, number, number, number];
    lines?: string[];
    font?: { regular: Uint8Array; bold?: Uint8Array };
  };
  /** An RFC 3161 time-stamping authority (http or https): adds a signature time-stamp (B-T). */
  tsaUrl?: string;
}

/** Why {@link signPdf} refused; `code` for callers, `message` for people. */
export type PdfSignErrorCode =
  | 'BAD_PASSPHRASE'
  | 'UNSUPPORTED_P12'
  | 'NO_PRIVATE_KEY'
  | 'NO_CERTIFICATE'
  | 'UNSUPPORTED_KEY'
  | 'CERT_NOT_YET_VALID'
  | 'CERT_EXPIRED'
  | 'CERT_NOT_FOR_SIGNING'
  | 'BAD_PDF'
  | 'BAD_OPTIONS'
  | 'TSA_FAILED';

/** A signing refusal with a plain message that names what is wrong (never the passphrase). */
export class PdfSignError extends Error {
  override name = 'PdfSignError';
  constructor(
    readonly code: PdfSignErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  encryptedData: '1.2.840.113549.1.7.6',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  cmsAlgorithmProtection: '1.2.840.113549.1.9.52',
  timeStampToken: '1.2.840.113549.1.9.16.2.14',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  pbeSha1TripleDes: '1.2.840.113549.1.12.1.3',
  keyUsage: '2.5.29.15',
} as const;

const BAD_PASSPHRASE = 'the PKCS#12 passphrase is wrong, or the file is not PKCS#12';

/**
 * Signs `pdf` as PAdES baseline B-B (SubFilter ETSI.CAdES.detached, CMS with content-type,
 * message-digest, signing-certificate-v2 and CMS algorithm protection, and no signing-time:
 * the claimed time is the signature dictionary's /M), or B-T with `tsaUrl`. RSA (2048 bits or
 * more) and ECDSA P-256 keys. The signature is an incremental update: the input bytes stay
 * unchanged at the start of the output, so earlier signatures stay valid.
 *
 * @throws {PdfSignError} for a wrong passphrase, a PKCS#12 file without a key or certificate, a
 *   key that is not RSA or P-256, a certificate that is expired or not yet valid, an unreadable
 *   PDF, bad `visible` options, or a failed time-stamp request.
 */
/**
 * Opens the PKCS#12 and checks its certificate is usable now, without signing anything: a wrong
 * passphrase or an expired certificate is found before a long report is made. Returns the
 * signer's name.
 * @throws PdfSignError as signPdf does
 */
export async function checkSigningIdentity(p12: Uint8Array, passphrase: string): Promise<string> {
  const identity = await loadSigningIdentity(p12, passphrase);
  checkUsableAt(identity, new Date());
  return describeName(identity.cert.subject);
}

export async function signPdf(pdf: Uint8Array, opts: SignPdfOptions): Promise<Uint8Array> {
  const identity = await loadSigningIdentity(opts.p12, opts.passphrase);
  const signingTime = new Date();
  checkUsableAt(identity, signingTime);
  if (opts.tsaUrl !== undefined) checkTsaUrl(opts.tsaUrl);

  const certBytes = identity.chainDer.reduce((n, c) => n + c.length, identity.certDer.length);
  // Room for the CMS: certificates, signature and attributes; a time-stamp token carries the
  // TSA's own certificates, so give it plenty. If it still does not fit, retry once, larger.
  let reserve = certBytes + 4096 + (opts.tsaUrl ? 16384 : 0);
  for (let attempt = 0; ; attempt++) {
    const result = await signWithReserve(pdf, opts, identity, signingTime, reserve);
    if (result.ok) {
      await selfCheck(result.bytes);
      return result.bytes;
    }
    if (attempt > 0) {
      throw new Error(`signPdf: the CMS signature (${result.needed} bytes) still does not fit`);
    }
    reserve = result.needed + 2048;
  }
}

interface SigningIdentity {
  key: KeyObject;
  keyKind: 'rsa' | 'p256';
  cert: pkijs.Certificate;
  certDer: Uint8Array;
  /** The other certificates of the file (the chain), sent along for validators. */
  chainDer: Uint8Array[];
}

// ---------------------------------------------------------------------------------------------
// PKCS#12
// ---------------------------------------------------------------------------------------------

async function loadSigningIdentity(p12: Uint8Array, passphrase: string): Promise<SigningIdentity> {
  let pfx: pkijs.PFX;
  try {
    pfx = pkijs.PFX.fromBER(p12);
  } catch {
    throw new PdfSignError('BAD_PASSPHRASE', BAD_PASSPHRASE);
  }
  const password = new TextEncoder().encode(passphrase);
  try {
    // Checks the MAC over the contents: a wrong passphrase fails here for almost every file.
    await pfx.parseInternalValues({
      password: password.slice().buffer,
      checkIntegrity: pfx.macData !== undefined,
    });
  } catch {
    throw new PdfSignError('BAD_PASSPHRASE', BAD_PASSPHRASE);
  }
  const safe = pfx.parsedValue?.authenticatedSafe;
  if (!safe) throw new PdfSignError('BAD_PASSPHRASE', BAD_PASSPHRASE);

  const keys: KeyObject[] = [];
  const certs: Uint8Array[] = [];
  for (const info of safe.safeContents) {
    let contents: Uint8Array;
    if (info.contentType === OID.data) {
      contents = octets(info.content as asn1js.OctetString);
    } else if (info.contentType === OID.encryptedData) {
      const enc = new pkijs.EncryptedData({ schema: info.content });
      const eci = enc.encryptedContentInfo;
      if (!eci.encryptedContent) continue;
      contents = decryptPbe(eci.contentEncryptionAlgorithm, octets(eci.encryptedContent), password);
    } else {
      continue; // public-key privacy mode: not used for signing identities
    }
    let bags: pkijs.SafeBag[];
    try {
      bags = pkijs.SafeContents.fromBER(contents).safeBags;
    } catch {
      throw new PdfSignError('BAD_PASSPHRASE', BAD_PASSPHRASE);
    }
    for (const bag of bags) {
      if (bag.bagId === OID.certBag) {
        const certBag = bag.bagValue as pkijs.CertBag;
        if (certBag.certId === OID.x509Certificate) {
          certs.push(octets(certBag.certValue as asn1js.OctetString));
        }
      } else if (bag.bagId === OID.keyBag) {
        keys.push(importKey((bag.bagValue as pkijs.PrivateKeyInfo).toSchema().toBER(false)));
      } else if (bag.bagId === OID.shroudedKeyBag) {
        const shrouded = bag.bagValue as pkijs.PKCS8ShroudedKeyBag;
        const pkcs8 = decryptPbe(
          shrouded.encryptionAlgorithm,
          octets(shrouded.encryptedData),
          password,
        );
        keys.push(importKey(pkcs8));
      }
    }
  }

  if (keys.length === 0) {
    throw new PdfSignError(
      'NO_PRIVATE_KEY',
      `the PKCS#12 file holds no private key (only ${certs.length} certificate(s)): export it again with the private key`,
    );
  }
  // The signing certificate is the one whose public key matches the private key, not merely
  // the first one in the file (exports often put the CA certificate first).
  for (const key of keys) {
    for (const der of certs) {
      if (!new X509Certificate(der).checkPrivateKey(key)) continue;
      const keyKind = checkKeyType(key);
      return {
        key,
        keyKind,
        cert: pkijs.Certificate.fromBER(der),
        certDer: der,
        chainDer: certs.filter((c) => c !== der),
      };
    }
  }
  throw new PdfSignError(
    'NO_CERTIFICATE',
    'the PKCS#12 file holds a private key but no certificate for that key',
  );
}

function importKey(pkcs8: ArrayBuffer | Uint8Array): KeyObject {
  try {
    const der =
      pkcs8 instanceof Uint8Array ? Buffer.from(pkcs8) : Buffer.from(new Uint8Array(pkcs8));
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    // Decryption with a wrong passphrase can, rarely, yield valid padding over garbage.
    throw new PdfSignError('BAD_PASSPHRASE', BAD_PASSPHRASE);
  }
}

function checkKeyType(key: KeyObject): 'rsa' | 'p256' {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  if (type === 'rsa') {
    const bits = details.modulusLength ?? 0;
    // Below 2048 bits RSA is not acceptable for signatures meant to be checked for years.
    if (bits < 2048) {
      throw new PdfSignError(
        'UNSUPPORTED_KEY',
        `the key in the PKCS#12 file is RSA with ${bits} bits; Custos signs with RSA of 2048 bits or more, or ECDSA P-256`,
      );
    }
    return 'rsa';
  }
  if (type === 'ec' && details.namedCurve === 'prime256v1') return 'p256';
  const what = type === 'ec' ? `EC on curve ${details.namedCurve ?? 'unknown'}` : String(type);
  throw new PdfSignError(
    'UNSUPPORTED_KEY',
    `the key in the PKCS#12 file is ${what}; Custos signs with RSA (2048 bits or more) or ECDSA P-256`,
  );
}

/** Decrypts a PKCS#12 bag or EncryptedData: PBES2 (PBKDF2 + AES/3DES) or PKCS#12 PBE 3DES. */
function decryptPbe(
  alg: pkijs.AlgorithmIdentifier,
  data: Uint8Array,
  password: Uint8Array,
): Uint8Array {
  let cipher: string;
  let key: Buffer;
  let iv: Buffer;
  if (alg.algorithmId === OID.pbes2) {
    const params = new pkijs.PBES2Params({ schema: alg.algorithmParams });
    if (params.keyDerivationFunc.algorithmId !== OID.pbkdf2) {
      throw unsupportedP12(`key derivation ${params.keyDerivationFunc.algorithmId}`);
    }
    const kdf = new pkijs.PBKDF2Params({ schema: params.keyDerivationFunc.algorithmParams });
    const scheme = PBES2_CIPHERS[params.encryptionScheme.algorithmId];
    if (!scheme) throw unsupportedP12(`cipher ${params.encryptionScheme.algorithmId}`);
    const prf = PBKDF2_PRFS[kdf.prf?.algorithmId ?? '1.2.840.113549.2.7'];
    if (!prf) throw unsupportedP12(`PBKDF2 PRF ${kdf.prf?.algorithmId}`);
    const salt = octets(kdf.salt as asn1js.OctetString);
    key = pbkdf2Sync(password, salt, kdf.iterationCount, scheme.keyLength, prf);
    iv = Buffer.from(octets(params.encryptionScheme.algorithmParams as asn1js.OctetString));
    cipher = scheme.name;
  } else if (alg.algorithmId === OID.pbeSha1TripleDes) {
    // Windows exports ("TripleDES-SHA1") still use this; the RFC 7292 KDF takes the
    // passphrase as a BMPString, i.e. UTF-16BE with a terminating zero.
    const seq = alg.algorithmParams as asn1js.Sequence;
    const [saltNode, iterNode] = seq.valueBlock.value as [asn1js.OctetString, asn1js.Integer];
    const salt = octets(saltNode);
    const iterations = iterNode.valueBlock.valueDec;
    const bmp = bmpString(new TextDecoder().decode(password));
    key = pkcs12Kdf(bmp, salt, iterations, 1, 24);
    iv = pkcs12Kdf(bmp, salt, iterations, 2, 8);
    cipher = 'des-ede3-cbc';
  } else {
    const name = LEGACY_PBE[alg.algorithmId] ?? alg.algorithmId;
    throw unsupportedP12(name);
  }
  try {
    const decipher = createDecipheriv(cipher, key, iv);
    return new Uint8Array(Buffer.concat([decipher.update(data), decipher.final()]));
  } catch {
    throw new PdfSignError('BAD_PASSPHRASE', BAD_PASSPHRASE);
  }
}

const PBES2_CIPHERS: Record<string, { name: string; keyLength: number }> = {
  '2.16.840.1.101.3.4.1.2': { name: 'aes-128-cbc', keyLength: 16 },
  '2.16.840.1.101.3.4.1.22': { name: 'aes-192-cbc', keyLength: 24 },
  '2.16.840.1.101.3.4.1.42': { name: 'aes-256-cbc', keyLength: 32 },
  '1.2.840.113549.3.7': { name: 'des-ede3-cbc', keyLength: 24 },
};
const PBKDF2_PRFS: Record<string, string> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};
const LEGACY_PBE: Record<string, string> = {
  '1.2.840.113549.1.12.1.1': 'RC4-128 (pbeWithSHAAnd128BitRC4)',
  '1.2.840.113549.1.12.1.2': 'RC4-40 (pbeWithSHAAnd40BitRC4)',
  '1.2.840.113549.1.12.1.4': 'two-key 3DES (pbeWithSHAAnd2-KeyTripleDES-CBC)',
  '1.2.840.113549.1.12.1.5': 'RC2-128 (pbeWithSHAAnd128BitRC2-CBC)',
  '1.2.840.113549.1.12.1.6': 'RC2-40 (pbeWithSHAAnd40BitRC2-CBC)',
};

function unsupportedP12(what: string): PdfSignError {
  return new PdfSignError(
    'UNSUPPORTED_P12',
    `the PKCS#12 file is encrypted with ${what}, which Custos cannot decrypt; export it again with AES-256 (e.g. openssl pkcs12 -export -keypbe AES-256-CBC -certpbe AES-256-CBC)`,
  );
}

function bmpString(s: string): Buffer {
  const out = Buffer.alloc(s.length * 2 + 2);
  for (let i = 0; i < s.length; i++) out.writeUInt16BE(s.charCodeAt(i), i * 2);
  return out;
}

/** The PKCS#12 key derivation of RFC 7292 appendix B.2, with SHA-1 (u = 20, v = 64). */
function pkcs12Kdf(
  password: Buffer,
  salt: Uint8Array,
  iterations: number,
  id: 1 | 2,
  n: number,
): Buffer {
  const u = 20;
  const v = 64;
  const fill = (src: Uint8Array) => {
    const len = src.length === 0 ? 0 : v * Math.ceil(src.length / v);
    const out = Buffer.alloc(len);
    for (let i = 0; i < len; i++) out[i] = src[i % src.length]!;
    return out;
  };
  const d = Buffer.alloc(v, id);
  const i = Buffer.concat([fill(salt), fill(password)]);
  const result: Buffer[] = [];
  for (let done = 0; done < n; done += u) {
    let a = createHash('sha1').update(d).update(i).digest();
    for (let r = 1; r < iterations; r++) a = createHash('sha1').update(a).digest();
    result.push(a);
    const b = fill(a);
    for (let j = 0; j < i.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = i[j + k]! + b[k]! + carry;
        i[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(result).subarray(0, n);
}

/** The contents of an OCTET STRING, primitive or (BER) constructed. */
function octets(node: asn1js.OctetString): Uint8Array {
  if (!node.valueBlock.isConstructed) return new Uint8Array(node.valueBlock.valueHexView);
  return new Uint8Array(
    Buffer.concat(
      (node.valueBlock.value as asn1js.OctetString[]).map((part) => Buffer.from(octets(part))),
    ),
  );
}

function checkUsableAt(identity: SigningIdentity, at: Date): void {
  const who = describeName(identity.cert.subject);
  const notBefore = identity.cert.notBefore.value;
  const notAfter = identity.cert.notAfter.value;
  const from = notBefore.toISOString();
  const to = notAfter.toISOString();
  // Refuse rather than produce a signature every validator would reject.
  if (at < notBefore) {
    throw new PdfSignError(
      'CERT_NOT_YET_VALID',
      `the signing certificate (${who}) is not valid yet: it is valid from ${from} to ${to}`,
    );
  }
  if (at > notAfter) {
    throw new PdfSignError(
      'CERT_EXPIRED',
      `the signing certificate (${who}) expired on ${to}: it was valid from ${from} to ${to}`,
    );
  }
  // A certificate whose key usage excludes signatures would be rejected by every validator.
  const ku = identity.cert.extensions?.find((e) => e.extnID === OID.keyUsage);
  if (ku) {
    const bits = asn1js.fromBER(ku.extnValue.valueBlock.valueHexView).result as asn1js.BitString;
    const first = new Uint8Array(bits.valueBlock.valueHexView)[0] ?? 0;
    // digitalSignature is bit 0 (0x80), nonRepudiation (contentCommitment) bit 1 (0x40).
    if ((first & 0xc0) === 0) {
      throw new PdfSignError(
        'CERT_NOT_FOR_SIGNING',
        `the signing certificate (${who}) does not allow digital signatures (its key usage has neither digitalSignature nor nonRepudiation)`,
      );
    }
  }
}

function checkTsaUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PdfSignError('BAD_OPTIONS', `tsaUrl is not a URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new PdfSignError('BAD_OPTIONS', `tsaUrl must be http or https, not ${parsed.protocol}`);
  }
}

// ---------------------------------------------------------------------------------------------
// The PDF: field, widget, appearance, placeholder
// ---------------------------------------------------------------------------------------------

type Attempt = { ok: true; bytes: Uint8Array } | { ok: false; needed: number };

/** Placeholder for /ByteRange: ten digits each, so the real numbers always fit. */
const BYTE_RANGE_PLACEHOLDER = '[0 9999999999 9999999999 9999999999]';

async function signWithReserve(
  pdf: Uint8Array,
  opts: SignPdfOptions,
  identity: SigningIdentity,
  signingTime: Date,
  reserve: number,
): Promise<Attempt> {
  let doc: PDF;
  try {
    doc = await PDF.load(pdf);
  } catch (err) {
    throw new PdfSignError('BAD_PDF', `the document is not a readable PDF: ${errText(err)}`);
  }
  if (doc.isEncrypted) {
    throw new PdfSignError('BAD_PDF', 'the document is encrypted; Custos signs only plain PDFs');
  }
  const pageCount = doc.getPageCount();
  if (pageCount === 0) throw new PdfSignError('BAD_PDF', 'the document has no pages');

  const sigDict = PdfDict.of({
    Type: PdfName.of('Sig'),
    Filter: PdfName.of('Adobe.PPKLite'),
    SubFilter: PdfName.of('ETSI.CAdES.detached'),
    ByteRange: new PdfArray([0, 9999999999, 9999999999, 9999999999].map((n) => PdfNumber.of(n))),
    Contents: new PdfString(new Uint8Array(reserve), 'hex'),
    // PAdES: the claimed signing time is /M (and not a CMS signing-time attribute).
    M: PdfString.fromString(pdfDate(signingTime)),
  });
  if (opts.reason) sigDict.set('Reason', PdfString.fromString(opts.reason));
  if (opts.location) sigDict.set('Location', PdfString.fromString(opts.location));
  if (opts.contactInfo) sigDict.set('ContactInfo', PdfString.fromString(opts.contactInfo));
  const sigRef = doc.register(sigDict);

  const form = doc.getOrCreateForm();
  const alreadySigned = form.getSignatureFields().some((f) => f.isSigned());
  const names = new Set(form.getFieldNames());
  let n = 1;
  while (names.has(`Signature${n}`)) n++;
  const field = form.createSignatureField(`Signature${n}`);
  const widget = field.getDict();
  const widgetRef = field.getRef();
  if (!widgetRef) throw new Error('signPdf: the new signature field has no object reference');

  const page = visiblePage(doc, opts.visible, pageCount);
  // One dictionary is both the field and its widget (ISO 32000 12.7.3.1 allows merging).
  widget.delete('Kids');
  widget.set('V', sigRef);
  widget.set('Type', PdfName.of('Annot'));
  widget.set('Subtype', PdfName.of('Widget'));
  widget.set('P', page.ref);
  // Print (4) so it appears on paper, Locked (128) so viewers do not let it be moved.
  widget.set('F', PdfNumber.of(132));
  if (opts.visible) {
    const [x1, y1, x2, y2] = normalizeRect(opts.visible.rect, opts.visible.pageIndex, page);
    widget.set('Rect', numbers([x1, y1, x2, y2]));
    const ap = appearanceStream(
      doc,
      x2 - x1,
      y2 - y1,
      appearanceLines(identity, signingTime, opts),
      opts.visible.font,
    );
    widget.set('AP', PdfDict.of({ N: doc.register(ap) }));
  } else {
    widget.set('Rect', numbers([0, 0, 0, 0]));
  }
  addAnnotation(doc, page, widgetRef);

  const out = await doc.save({ incremental: true, subsetFonts: true });
  const buf = Buffer.from(out.buffer, out.byteOffset, out.length);
  // @libpdf/core falls back to rewriting the whole file when it cannot append (e.g. a damaged
  // file it had to reconstruct): harmless for an unsigned PDF, fatal to existing signatures.
  if (alreadySigned && !buf.subarray(0, pdf.length).equals(pdf)) {
    throw new PdfSignError(
      'BAD_PDF',
      'the document cannot take another signature without being rewritten, which would break its existing signatures',
    );
  }

  const contentsHole = `<${'0'.repeat(reserve * 2)}>`;
  const contentsAt = uniqueIndex(buf, contentsHole, '/Contents placeholder');
  const rangeAt = uniqueIndex(buf, BYTE_RANGE_PLACEHOLDER, '/ByteRange placeholder');
  const afterContents = contentsAt + contentsHole.length;
  const byteRange = [0, contentsAt, afterContents, buf.length - afterContents] as const;
  const rangeText = `[${byteRange.join(' ')}]`;
  buf.write(
    rangeText.slice(0, -1).padEnd(BYTE_RANGE_PLACEHOLDER.length - 1, ' ') + ']',
    rangeAt,
    'latin1',
  );

  const digest = createHash('sha256')
    .update(buf.subarray(0, contentsAt))
    .update(buf.subarray(afterContents))
    .digest();
  const cms = await buildCms(identity, digest, opts.tsaUrl);
  if (cms.length > reserve) return { ok: false, needed: cms.length };
  buf.write(Buffer.from(cms).toString('hex').toUpperCase(), contentsAt + 1, 'latin1');
  return { ok: true, bytes: out };
}

function visiblePage(doc: PDF, visible: SignPdfOptions['visible'], pageCount: number): PDFPage {
  const index = visible?.pageIndex ?? 0;
  if (!Number.isInteger(index) || index < 0 || index >= pageCount) {
    throw new PdfSignError(
      'BAD_OPTIONS',
      `visible.pageIndex ${index} is out of range: the document has ${pageCount} page(s), numbered from 0`,
    );
  }
  const page = doc.getPage(index);
  if (!page) throw new PdfSignError('BAD_PDF', `page ${index} of the document cannot be read`);
  return page;
}

function normalizeRect(
  rect: [number, number, number, number],
  pageIndex: number,
  page: PDFPage,
): [number, number, number, number] {
  if (!Array.isArray(rect) || rect.length !== 4 || !rect.every(Number.isFinite)) {
    throw new PdfSignError(
      'BAD_OPTIONS',
      'visible.rect must be four finite numbers [x1, y1, x2, y2]',
    );
  }
  const [x1, x2] = [Math.min(rect[0], rect[2]), Math.max(rect[0], rect[2])];
  const [y1, y2] = [Math.min(rect[1], rect[3]), Math.max(rect[1], rect[3])];
  if (x2 - x1 < 36 || y2 - y1 < 18) {
    throw new PdfSignError(
      'BAD_OPTIONS',
      `visible.rect [${rect.join(', ')}] is too small for a readable signature (at least 36 x 18 points)`,
    );
  }
  const box = page.getMediaBox();
  if (x1 < box.x || y1 < box.y || x2 > box.x + box.width || y2 > box.y + box.height) {
    throw new PdfSignError(
      'BAD_OPTIONS',
      `visible.rect [${rect.join(', ')}] does not lie within page ${pageIndex} (${box.width} x ${box.height} points)`,
    );
  }
  return [x1, y1, x2, y2];
}

function addAnnotation(doc: PDF, page: PDFPage, ref: PdfRef): void {
  const annots = page.dict.get('Annots');
  const resolved = annots instanceof PdfRef ? doc.getObject(annots) : annots;
  // A fresh direct array on the page, so the change is saved with the page object whether
  // the old /Annots was direct or indirect (the old indirect array is left untouched).
  const existing = resolved instanceof PdfArray ? resolved.toArray() : [];
  page.dict.set('Annots', new PdfArray([...existing, ref]));
}

function numbers(values: number[]): PdfArray {
  return new PdfArray(values.map((v) => PdfNumber.of(Math.round(v * 100) / 100)));
}

function uniqueIndex(buf: Buffer, needle: string, what: string): number {
  const at = buf.indexOf(needle, 0, 'latin1');
  if (at < 0 || buf.indexOf(needle, at + 1, 'latin1') >= 0) {
    throw new Error(
      `signPdf: the ${what} is ${at < 0 ? 'missing' : 'not unique'} in the saved PDF`,
    );
  }
  return at;
}

/** A PDF date (ISO 32000 7.9.4) in UTC. */
function pdfDate(d: Date): string {
  const iso = d.toISOString();
  return `D:${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

// ---------------------------------------------------------------------------------------------
// The visible appearance
// ---------------------------------------------------------------------------------------------

type LineStyle = 'heading' | 'name' | 'text';
interface AppearanceLine {
  style: LineStyle;
  /** Shown in grey before the text ("Date:"); wrapped text hangs under the text, not it. */
  label?: string;
  text: string;
}

function appearanceLines(
  identity: SigningIdentity,
  signingTime: Date,
  opts: SignPdfOptions,
): AppearanceLine[] {
  const attr = (oid: string) =>
    identity.cert.subject.typesAndValues.find((tv) => tv.type === oid)?.value.valueBlock.value as
      string | undefined;
  const name = attr('2.5.4.3') ?? describeName(identity.cert.subject);
  const org = attr('2.5.4.10');
  const when = signingTime.toISOString().slice(0, 19).replace('T', ' ');
  const lines: AppearanceLine[] = [
    { style: 'heading', text: 'Digitally signed by' },
    { style: 'name', text: name },
  ];
  if (org) lines.push({ style: 'text', text: org });
  lines.push({ style: 'text', label: 'Date:', text: `${when} UTC` });
  if (opts.reason) lines.push({ style: 'text', label: 'Reason:', text: opts.reason });
  if (opts.location) lines.push({ style: 'text', label: 'Location:', text: opts.location });
  for (const extra of opts.visible?.lines ?? []) lines.push({ style: 'text', text: extra });
  return lines;
}

const STYLES: Record<LineStyle, { face: 'regular' | 'bold'; scale: number; color: string }> = {
  heading: { face: 'regular', scale: 0.82, color: '0.36 0.4 0.46 rg' },
  name: { face: 'bold', scale: 1.25, color: '0.07 0.09 0.13 rg' },
  text: { face: 'regular', scale: 1, color: '0.16 0.18 0.22 rg' },
};
const LABEL_COLOR = '0.42 0.46 0.52 rg';
const ACCENT = '0.13 0.29 0.53';
const LEADING = 1.24;

/** A font as the appearance uses it: its resource name, what it can show, and how wide. */
interface Face {
  res: string;
  /** The font dictionary's reference (registered on first use). */
  ref(): PdfRef;
  /** Replaces what the font cannot show. */
  clean(text: string): string;
  width(text: string, size: number): number;
  /** The text as a PDF string operand for Tj. */
  show(text: string): string;
}

function faces(doc: PDF, font: { regular: Uint8Array; bold?: Uint8Array } | undefined) {
  const standard = (res: string, name: 'Helvetica' | 'Helvetica-Bold'): Face => ({
    res,
    clean: winAnsiSafe,
    width: (text, size) => measureText(text, name, size),
    show: pdfLiteral,
    ref: () =>
      doc.register(
        PdfDict.of({
          Type: PdfName.of('Font'),
          Subtype: PdfName.of('Type1'),
          BaseFont: PdfName.of(name),
          Encoding: PdfName.of('WinAnsiEncoding'),
        }),
      ),
  });
  const embedded = (res: string, bytes: Uint8Array): Face => {
    let f: ReturnType<PDF['embedFont']>;
    try {
      f = doc.embedFont(bytes);
    } catch (err) {
      throw new PdfSignError('BAD_OPTIONS', `visible.font cannot be used: ${errText(err)}`);
    }
    return {
      res,
      clean: (text) => {
        const missing = new Set(f.getUnencodableCharacters(text));
        return [...text.replace(/[\r\n\t]+/g, ' ')].map((c) => (missing.has(c) ? '?' : c)).join('');
      },
      width: (text, size) => f.widthOfTextAtSize(text, size),
      // Identity-H: two-byte glyph ids (this also marks the glyphs for the subset).
      show: (text) =>
        `<${f
          .encodeTextToGids(text)
          .map((g) => g.toString(16).padStart(4, '0'))
          .join('')}>`,
      ref: () => {
        const ref = doc.getFontRef(f);
        if (!ref) throw new Error('signPdf: the embedded font has no object reference');
        return ref;
      },
    };
  };
  if (!font) {
    return { regular: standard('F1', 'Helvetica'), bold: standard('F2', 'Helvetica-Bold') };
  }
  const regular = embedded('F1', font.regular);
  return { regular, bold: font.bold ? embedded('F2', font.bold) : { ...regular, res: 'F1' } };
}

interface PlacedLine {
  style: LineStyle;
  size: number;
  label?: string;
  /** Where the text starts, from the left text margin. */
  indent: number;
  text: string;
}

/**
 * The widget's normal appearance: a pale panel with a blue accent bar and a check mark; labels
 * in grey, values dark, wrapped lines hanging under their value; the font shrinks (down to
 * 5 pt) until everything fits the height, and what still does not fit ends in an ellipsis.
 * Standard 14 Helvetica with WinAnsiEncoding: characters outside it lose their accents or
 * become "?"; the certificate inside the signature, not this picture, is what identifies.
 */
function appearanceStream(
  doc: PDF,
  width: number,
  height: number,
  lines: AppearanceLine[],
  font: { regular: Uint8Array; bold?: Uint8Array } | undefined,
) {
  const face = faces(doc, font);
  const pad = Math.max(4, Math.min(width, height) * 0.07);
  const bar = Math.max(2.5, Math.min(5, width * 0.012));
  const left = bar + pad;
  const textWidth = width - left - pad;
  const textHeight = height - 2 * pad;

  const layout = (base: number) => {
    const out: PlacedLine[] = [];
    for (const line of lines) {
      const { scale } = STYLES[line.style];
      const f = face[STYLES[line.style].face];
      const size = base * scale;
      const label = line.label ? face.regular.clean(line.label) : undefined;
      // The heading's check mark, or the label and a space, come before the text.
      const indent =
        line.style === 'heading' ? size * 1.15 : label ? face.regular.width(`${label} `, size) : 0;
      const pieces = wrap(f.clean(line.text), (t) => f.width(t, size), textWidth - indent);
      pieces.forEach((text, i) => {
        out.push({ style: line.style, size, indent, text, ...(i === 0 && label ? { label } : {}) });
      });
    }
    return { out, total: out.reduce((h, l) => h + l.size * LEADING, 0) };
  };
  let base = 10;
  let fitted = layout(base);
  while (fitted.total > textHeight && base > 5) {
    base = Math.max(5, base - 0.25);
    fitted = layout(base);
  }
  let used = 0;
  const shown: PlacedLine[] = [];
  for (const line of fitted.out) {
    if (used + line.size * LEADING > textHeight + 0.01) {
      const last = shown[shown.length - 1];
      if (last) last.text = `${last.text.replace(/.{0,2}$/, '')}\u2026`;
      break;
    }
    used += line.size * LEADING;
    shown.push({ ...line });
  }

  const f = (v: number) => (Math.round(v * 100) / 100).toString();
  const ops: string[] = [
    'q',
    '0.965 0.973 0.988 rg',
    `0 0 ${f(width)} ${f(height)} re f`,
    '0.62 0.68 0.78 RG 0.75 w',
    `0.375 0.375 ${f(width - 0.75)} ${f(height - 0.75)} re S`,
    `${ACCENT} rg`,
    `0 0 ${f(bar)} ${f(height)} re f`,
    'BT',
  ];
  // Centre the block vertically when there is room to spare.
  let y = height - pad - Math.max(0, (textHeight - used) / 2);
  const at = (x: number, baseline: number) => `1 0 0 1 ${f(x)} ${f(baseline)} Tm`;
  for (const line of shown) {
    y -= line.size * LEADING;
    const baseline = y + line.size * 0.3;
    const { color } = STYLES[line.style];
    const lineFace = face[STYLES[line.style].face];
    const size = f(line.size);
    if (line.style === 'heading') {
      ops.push(`${ACCENT} rg /F3 ${size} Tf ${at(left, baseline)} (4) Tj`);
    }
    if (line.label) {
      ops.push(
        `${LABEL_COLOR} /${face.regular.res} ${size} Tf ${at(left, baseline)} ${face.regular.show(line.label)} Tj`,
      );
    }
    ops.push(`${color} /${lineFace.res} ${size} Tf ${at(left + line.indent, baseline)}`);
    ops.push(`${lineFace.show(line.text)} Tj`);
  }
  ops.push('ET', 'Q');

  const fontDict: Record<string, PdfRef> = { [face.regular.res]: face.regular.ref() };
  if (face.bold.res !== face.regular.res) fontDict[face.bold.res] = face.bold.ref();
  fontDict.F3 = doc.register(
    PdfDict.of({
      Type: PdfName.of('Font'),
      Subtype: PdfName.of('Type1'),
      BaseFont: PdfName.of('ZapfDingbats'),
    }),
  );
  const resources = PdfDict.of({ Font: PdfDict.of(fontDict) });
  return new PdfStream(
    [
      ['Type', PdfName.of('XObject')],
      ['Subtype', PdfName.of('Form')],
      ['BBox', numbers([0, 0, width, height])],
      ['Resources', resources],
    ],
    new TextEncoder().encode(ops.join('\n')),
  );
}

/** Greedy word wrap; a word longer than the width is broken between characters. */
function wrap(text: string, measure: (s: string) => number, width: number): string[] {
  const fits = (s: string) => measure(s) <= width;
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (fits(candidate)) {
      line = candidate;
      continue;
    }
    if (line) out.push(line);
    let rest = word;
    while (!fits(rest)) {
      let cut = rest.length - 1;
      while (cut > 1 && !fits(rest.slice(0, cut))) cut--;
      out.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    line = rest;
  }
  if (line) out.push(line);
  return out.length ? out : [''];
}

// WinAnsiEncoding (ISO 32000 Annex D) above 0x7F: Latin-1 plus these at 0x80-0x9F.
const WIN_ANSI_EXTRA: Record<string, number> = {
  '\u20ac': 0x80,
  '\u201a': 0x82,
  '\u0192': 0x83,
  '\u201e': 0x84,
  '\u2026': 0x85,
  '\u2020': 0x86,
  '\u2021': 0x87,
  '\u02c6': 0x88,
  '\u2030': 0x89,
  '\u0160': 0x8a,
  '\u2039': 0x8b,
  '\u0152': 0x8c,
  '\u017d': 0x8e,
  '\u2018': 0x91,
  '\u2019': 0x92,
  '\u201c': 0x93,
  '\u201d': 0x94,
  '\u2022': 0x95,
  '\u2013': 0x96,
  '\u2014': 0x97,
  '\u02dc': 0x98,
  '\u2122': 0x99,
  '\u0161': 0x9a,
  '\u203a': 0x9b,
  '\u0153': 0x9c,
  '\u017e': 0x9e,
  '\u0178': 0x9f,
};

function winAnsiCode(ch: string): number | undefined {
  const cp = ch.codePointAt(0)!;
  if ((cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff)) return cp;
  return WIN_ANSI_EXTRA[ch];
}

/** Latin letters with a stroke, which Unicode does not decompose into letter + accent. */
const STROKED: Record<string, string> = {
  Ł: 'L',
  ł: 'l',
  Đ: 'D',
  đ: 'd',
  Ħ: 'H',
  ħ: 'h',
  ı: 'i',
  Ŧ: 'T',
  ŧ: 't',
  Ŀ: 'L',
  ŀ: 'l',
};

/** Keeps what WinAnsi can show, drops accents it cannot (ą → a, ł → l), and the rest is "?". */
function winAnsiSafe(text: string): string {
  let out = '';
  for (const ch of text.replace(/[\r\n\t]+/g, ' ')) {
    if (winAnsiCode(ch) !== undefined) {
      out += ch;
      continue;
    }
    if (STROKED[ch]) {
      out += STROKED[ch];
      continue;
    }
    const bare = ch.normalize('NFD').replace(/\p{M}+/gu, '');
    out += [...bare].every((c) => winAnsiCode(c) !== undefined) && bare ? bare : '?';
  }
  return out;
}

function pdfLiteral(text: string): string {
  let out = '(';
  for (const ch of text) {
    const code = winAnsiCode(ch) ?? 0x3f;
    if (ch === '(' || ch === ')' || ch === '\\') out += `\\${ch}`;
    else if (code < 0x80) out += String.fromCharCode(code);
    else out += `\\${code.toString(8).padStart(3, '0')}`;
  }
  return `${out})`;
}

// ---------------------------------------------------------------------------------------------
// CMS (CAdES detached)
// ---------------------------------------------------------------------------------------------

async function buildCms(
  identity: SigningIdentity,
  digest: Uint8Array,
  tsaUrl: string | undefined,
): Promise<Uint8Array> {
  const sha256Alg = () => new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 });
  // RFC 4055 wants NULL parameters for sha256WithRSAEncryption; RFC 5758 wants none for ECDSA.
  const sigAlg = () =>
    identity.keyKind === 'rsa'
      ? new pkijs.AlgorithmIdentifier({
          algorithmId: OID.sha256WithRSA,
          algorithmParams: new asn1js.Null(),
        })
      : new pkijs.AlgorithmIdentifier({ algorithmId: OID.ecdsaWithSHA256 });

  const certHash = createHash('sha256').update(identity.certDer).digest();
  const issuerSerial = new pkijs.IssuerSerial({
    issuer: new pkijs.GeneralNames({
      names: [new pkijs.GeneralName({ type: 4, value: identity.cert.issuer })],
    }),
    serialNumber: identity.cert.serialNumber,
  });
  // ESSCertIDv2 with the default hash (SHA-256), so hashAlgorithm is omitted (RFC 5035).
  const signingCertificateV2 = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({
        value: [
          new asn1js.Sequence({
            value: [new asn1js.OctetString({ valueHex: certHash }), issuerSerial.toSchema()],
          }),
        ],
      }),
    ],
  });
  const sigAlgSchema = sigAlg().toSchema();
  // RFC 6211: binds the digest and signature algorithms into what is signed.
  const algorithmProtection = new asn1js.Sequence({
    value: [
      sha256Alg().toSchema(),
      new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 1 },
        value: sigAlgSchema.valueBlock.value,
      }),
    ],
  });

  const attributes = [
    new pkijs.Attribute({
      type: OID.contentType,
      values: [new asn1js.ObjectIdentifier({ value: OID.data })],
    }),
    new pkijs.Attribute({
      type: OID.messageDigest,
      values: [new asn1js.OctetString({ valueHex: digest })],
    }),
    new pkijs.Attribute({ type: OID.signingCertificateV2, values: [signingCertificateV2] }),
    new pkijs.Attribute({ type: OID.cmsAlgorithmProtection, values: [algorithmProtection] }),
  ];
  // DER orders a SET OF by the encodings of its elements. Verifiers that re-encode the signed
  // attributes (Bouncy Castle, hence EU DSS) would otherwise compute a different hash.
  const encoded = attributes.map((a) => Buffer.from(a.toSchema().toBER(false)));
  const order = encoded.map((_, i) => i).sort((a, b) => Buffer.compare(encoded[a]!, encoded[b]!));
  const sorted = order.map((i) => attributes[i]!);
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: sorted });
  // What is signed is the SET OF (tag 0x31), not the [0] IMPLICIT form stored in SignerInfo.
  const toSign = new Uint8Array(signedAttrs.toSchema().toBER(false));
  toSign[0] = 0x31;
  const signature = cryptoSign('sha256', toSign, identity.key);

  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({
      issuer: identity.cert.issuer,
      serialNumber: identity.cert.serialNumber,
    }),
    digestAlgorithm: sha256Alg(),
    signedAttrs,
    signatureAlgorithm: sigAlg(),
    signature: new asn1js.OctetString({ valueHex: signature }),
  });
  if (tsaUrl) {
    const token = await fetchTimestampToken(
      tsaUrl,
      createHash('sha256').update(signature).digest(),
    );
    signerInfo.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({
      type: 1,
      attributes: [
        new pkijs.Attribute({
          type: OID.timeStampToken,
          values: [asn1js.fromBER(token).result],
        }),
      ],
    });
  }
  const signedData = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    digestAlgorithms: [sha256Alg()],
    certificates: [identity.certDer, ...identity.chainDer].map((d) => pkijs.Certificate.fromBER(d)),
    signerInfos: [signerInfo],
  });
  const contentInfo = new pkijs.ContentInfo({
    contentType: OID.signedData,
    content: signedData.toSchema(true),
  });
  return new Uint8Array(contentInfo.toSchema().toBER(false));
}

/** Asks an RFC 3161 TSA to time-stamp `imprint` (SHA-256 of the signature value). */
async function fetchTimestampToken(url: string, imprint: Uint8Array): Promise<Uint8Array> {
  const nonce = randomBytes(8);
  nonce[0]! &= 0x7f; // a positive INTEGER
  const request = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }),
      hashedMessage: new asn1js.OctetString({ valueHex: imprint }),
    }),
    nonce: new asn1js.Integer({ valueHex: nonce }),
    certReq: true,
  });
  const fail = (why: string) =>
    new PdfSignError('TSA_FAILED', `the time-stamping authority at ${url} ${why}`);
  let body: Uint8Array;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/timestamp-query',
        Accept: 'application/timestamp-reply',
      },
      body: new Uint8Array(request.toSchema().toBER(false)),
      signal: AbortSignal.timeout(30_000),
    });
    if (!response.ok) throw fail(`answered HTTP ${response.status} ${response.statusText}`);
    body = new Uint8Array(await response.arrayBuffer());
  } catch (err) {
    if (err instanceof PdfSignError) throw err;
    throw fail(`could not be reached: ${errText(err)}`);
  }
  let token: Uint8Array;
  let tst: pkijs.TSTInfo;
  try {
    const asn = asn1js.fromBER(body);
    const resp = new pkijs.TimeStampResp({ schema: asn.result });
    const status = resp.status.status;
    if (status !== 0 && status !== 1) {
      const text = resp.status.statusStrings?.map((s) => s.valueBlock.value).join('; ');
      throw fail(`refused the request (PKIStatus ${status}${text ? `: ${text}` : ''})`);
    }
    const tokenNode = (asn.result as asn1js.Sequence).valueBlock.value[1];
    if (!tokenNode || !resp.timeStampToken) throw fail('sent no time-stamp token');
    // Keep the token's bytes exactly as received: its own signature covers them.
    token = new Uint8Array(tokenNode.valueBeforeDecodeView);
    const sd = new pkijs.SignedData({ schema: resp.timeStampToken.content });
    const eContent = sd.encapContentInfo.eContent;
    if (sd.encapContentInfo.eContentType !== OID.tstInfo || !eContent) {
      throw fail('sent a token that is not an RFC 3161 TSTInfo');
    }
    tst = pkijs.TSTInfo.fromBER(octets(eContent));
  } catch (err) {
    if (err instanceof PdfSignError) throw err;
    throw fail(`sent a reply that is not a valid RFC 3161 response: ${errText(err)}`);
  }
  const hashed = new Uint8Array(tst.messageImprint.hashedMessage.valueBlock.valueHexView);
  if (!Buffer.from(hashed).equals(Buffer.from(imprint))) {
    throw fail('time-stamped something other than this signature (message imprint mismatch)');
  }
  const echoed = tst.nonce ? Buffer.from(tst.nonce.valueBlock.valueHexView) : null;
  if (!echoed || !stripZeros(echoed).equals(stripZeros(nonce))) {
    throw fail('answered with a different nonce (a replayed or misdirected reply)');
  }
  return token;
}

function stripZeros(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

/** Verifies what we are about to hand out with the independent verifier: never a broken file. */
async function selfCheck(signed: Uint8Array): Promise<void> {
  const report = await verifyPdfSignatures(signed);
  const last = report.signatures[report.signatures.length - 1];
  if (
    !last ||
    !last.coversWholeFile ||
    !last.digestOk ||
    !last.signatureOk ||
    last.problems.length
  ) {
    throw new Error(
      `signPdf: the new signature does not verify: ${last?.problems.join(' ') ?? 'no signature found'}`,
    );
  }
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
