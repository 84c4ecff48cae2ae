/**
 * File attachments of Custos reports: the evidence (checkpoints, proofs, trust policy) travels
 * inside the PDF as embedded files in the document's /EmbeddedFiles name tree, so one signed
 * file holds the report and everything needed to check it.
 *
 * Attachments are added BEFORE signing, so that the signature covers them; {@link attachFiles}
 * refuses a PDF that is already signed. @libpdf/core writes the name tree and file streams; this
 * module adds what it does not: /AFRelationship on each file specification and the catalog's
 * /AF array (PDF 2.0 and PDF/A-3 "associated files"), which tell a reader how a file relates to
 * the document. See pdfSign.ts for why @libpdf/core.
 */
import { PDF, PdfArray, PdfDict, PdfName, PdfRef, PdfString, type PdfObject } from '@libpdf/core';

/** How an attached file relates to the document (ISO 32000-2 table 43). */
export type AttachmentRelationship =
  'Supplement' | 'Data' | 'Source' | 'Alternative' | 'Unspecified';

/** A file to embed with {@link attachFiles}. */
export interface AttachmentInput {
  /** The file name, and the key in the /EmbeddedFiles name tree (unique in the document). */
  name: string;
  data: Uint8Array;
  /** A MIME type without parameters, e.g. `text/plain` (the stream's /Subtype). */
  mimeType: string;
  description?: string;
  /** Default `Supplement`: evidence that supplements what the pages show. */
  relationship?: AttachmentRelationship;
}

/** An embedded file read back by {@link listAttachments}. */
export interface Attachment {
  name: string;
  data: Uint8Array;
  mimeType: string | null;
  description: string | null;
  /** The file specification's /AFRelationship, when it has one. */
  relationship: string | null;
}

/** A refused attachment request, naming the file and what is wrong. */
export class AttachmentError extends Error {
  override name = 'AttachmentError';
}

const MIME = /^[A-Za-z0-9][A-Za-z0-9!$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!$&^_.+-]{0,126}$/;

/**
 * Returns a copy of `pdf` with `files` embedded (each with /AFRelationship, default
 * /Supplement, and listed in the catalog's /AF). Names must be unique, including against files
 * already attached.
 *
 * @throws {AttachmentError} if the PDF is already signed (the new files would not be covered),
 *   unreadable or encrypted, or a file has an empty or duplicate name or a bad MIME type.
 */
export async function attachFiles(pdf: Uint8Array, files: AttachmentInput[]): Promise<Uint8Array> {
  const doc = await load(pdf);
  if (
    doc
      .getForm()
      ?.getSignatureFields()
      .some((f) => f.isSigned())
  ) {
    throw new AttachmentError(
      'the PDF is already signed: attach files before signing, so that the signature covers them',
    );
  }
  const seen = new Set(doc.attachments.list().keys());
  for (const file of files) {
    if (!file.name || /[\0/\\]/.test(file.name)) {
      throw new AttachmentError(
        `attachment name ${JSON.stringify(file.name)} is empty or contains a path separator`,
      );
    }
    if (seen.has(file.name)) {
      throw new AttachmentError(`attachment "${file.name}" is already in the document`);
    }
    if (!MIME.test(file.mimeType)) {
      throw new AttachmentError(
        `attachment "${file.name}": MIME type ${JSON.stringify(file.mimeType)} is not of the form type/subtype (no parameters)`,
      );
    }
    seen.add(file.name);
  }

  const stamp = new Date();
  for (const file of files) {
    doc.attachments.add(file.name, file.data, {
      mimeType: file.mimeType,
      ...(file.description ? { description: file.description } : {}),
      createdAt: stamp,
      modifiedAt: stamp,
    });
  }
  // @libpdf/core rebuilds the name tree on each add; now mark each new file specification.
  const specs = embeddedFileSpecs(doc);
  const catalog = doc.getCatalog();
  const af = resolveArray(doc, catalog.get('AF'));
  for (const file of files) {
    const spec = specs.get(file.name);
    if (!spec) throw new Error(`attachFiles: "${file.name}" is missing after adding it`);
    spec.dict.set('AFRelationship', PdfName.of(file.relationship ?? 'Supplement'));
    if (spec.ref) af.push(spec.ref);
  }
  catalog.set('AF', new PdfArray(af));
  return doc.save();
}

/**
 * Reads every embedded file of `pdf` (also of a signed PDF: the attachments sit in the signed
 * revision), in name-tree order.
 */
export async function listAttachments(pdf: Uint8Array): Promise<Attachment[]> {
  const doc = await load(pdf);
  const specs = embeddedFileSpecs(doc);
  const out: Attachment[] = [];
  for (const [name, info] of doc.attachments.list()) {
    const data = doc.attachments.get(name);
    if (!data) continue;
    const rel = specs.get(name)?.dict.get('AFRelationship');
    out.push({
      name,
      data,
      mimeType: info.mimeType ?? null,
      description: info.description ?? null,
      relationship: rel instanceof PdfName ? rel.value : null,
    });
  }
  return out;
}

async function load(pdf: Uint8Array): Promise<PDF> {
  let doc: PDF;
  try {
    doc = await PDF.load(pdf);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new AttachmentError(`the document is not a readable PDF: ${why}`);
  }
  if (doc.isEncrypted) throw new AttachmentError('the document is encrypted');
  return doc;
}

/** Walks the /EmbeddedFiles name tree (flat or with /Kids) to each file specification. */
function embeddedFileSpecs(doc: PDF): Map<string, { dict: PdfDict; ref: PdfRef | null }> {
  const out = new Map<string, { dict: PdfDict; ref: PdfRef | null }>();
  const names = resolve(doc, doc.getCatalog().get('Names'));
  const root = names instanceof PdfDict ? resolve(doc, names.get('EmbeddedFiles')) : undefined;
  const visit = (node: PdfObject | undefined, depth: number) => {
    if (!(node instanceof PdfDict) || depth > 16) return;
    const pairs = resolve(doc, node.get('Names'));
    if (pairs instanceof PdfArray) {
      for (let i = 0; i + 1 < pairs.length; i += 2) {
        const key = pairs.at(i);
        const raw = pairs.at(i + 1);
        const dict = resolve(doc, raw);
        if (key instanceof PdfString && dict instanceof PdfDict) {
          out.set(key.asString(), { dict, ref: raw instanceof PdfRef ? raw : null });
        }
      }
    }
    const kids = resolve(doc, node.get('Kids'));
    if (kids instanceof PdfArray) {
      for (const kid of kids) visit(resolve(doc, kid), depth + 1);
    }
  };
  visit(root, 0);
  return out;
}

function resolve(doc: PDF, obj: PdfObject | undefined): PdfObject | undefined {
  return obj instanceof PdfRef ? (doc.getObject(obj) ?? undefined) : obj;
}

function resolveArray(doc: PDF, obj: PdfObject | undefined): PdfObject[] {
  const arr = resolve(doc, obj);
  return arr instanceof PdfArray ? arr.toArray() : [];
}
