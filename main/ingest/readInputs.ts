/**
 * Input files for `custos seal`: Custos JSON lines, AWS CloudTrail delivery files
 * (`{"Records":[...]}`, gzip or not) and JSON lines of any other records. Each record becomes a
 * canonical entry; a bad one is reported with its file and line (or record) and is never sealed.
 */
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { createGunzip, gunzipSync } from 'node:zlib';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { JsonError, parseJsonStrict, type JsonValue } from '../../shared/entry/json';
import { encodeEntry, EntryError } from '../../shared/entry/model';

export const INPUT_FORMATS = ['custos', 'cloudtrail', 'jsonl'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

/** Largest CloudTrail delivery file read whole (AWS delivers files of a few MB at most). */
const MAX_CLOUDTRAIL_FILE = 512 * 1024 * 1024;

export type InputRecord =
  { ok: true; where: string; entry: Uint8Array } | { ok: false; where: string; message: string };

function isObject(v: JsonValue): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const { bytesRead, buffer } = await fh.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

function toEntry(where: string, envelope: unknown): InputRecord {
  try {
    return { ok: true, where, entry: encodeEntry(envelope) };
  } catch (e) {
    if (e instanceof EntryError) return { ok: false, where, message: e.message };
    throw e;
  }
}

function lineEnvelope(format: 'custos' | 'jsonl', value: JsonValue): unknown {
  if (format === 'jsonl') return { kind: 'json/v1', record: value };
  if (isObject(value) && value.kind === undefined) return { kind: 'custos.audit/v1', ...value };
  return value;
}

async function* readLines(path: string, format: 'custos' | 'jsonl'): AsyncGenerator<InputRecord> {
  const gzip = await isGzip(path);
  const file = createReadStream(path);
  const stream: Readable = gzip ? file.pipe(createGunzip()) : file;
  // A read or gunzip error ends the lines and is reported as this file's problem.
  let failure: Error | null = null;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  for (const s of gzip ? [file, stream] : [file]) {
    s.on('error', (e: Error) => {
      failure ??= e;
      lines.close();
    });
  }
  let n = 0;
  try {
    for await (const line of lines) {
      n++;
      if (line.trim() === '') continue;
      const where = `${path}:${n}`;
      let value: JsonValue;
      try {
        value = parseJsonStrict(line);
      } catch (e) {
        if (e instanceof JsonError) {
          yield {
            ok: false,
            where,
            message: `not valid JSON: ${e.message.replace(/offset (\d+)$/, (_, o) => `column ${Number(o) + 1}`)}`,
          };
          continue;
        }
        throw e;
      }
      if (format === 'jsonl' && !isObject(value)) {
        yield { ok: false, where, message: 'a record must be a JSON object' };
        continue;
      }
      yield toEntry(where, lineEnvelope(format, value));
    }
  } catch (e) {
    failure ??= e as Error;
  }
  if (failure)
    yield {
      ok: false,
      where: path,
      message: `cannot read the file: ${(failure as Error).message}`,
    };
}

async function* readCloudTrail(path: string): AsyncGenerator<InputRecord> {
  let data: Buffer = await readFile(path);
  if (data.length > MAX_CLOUDTRAIL_FILE) {
    yield { ok: false, where: path, message: `file is larger than ${MAX_CLOUDTRAIL_FILE} bytes` };
    return;
  }
  if (data[0] === 0x1f && data[1] === 0x8b) {
    try {
      data = gunzipSync(data, { maxOutputLength: MAX_CLOUDTRAIL_FILE });
    } catch (e) {
      yield { ok: false, where: path, message: `not a valid gzip file: ${(e as Error).message}` };
      return;
    }
  }
  let doc: JsonValue;
  try {
    doc = parseJsonStrict(new Uint8Array(data.buffer, data.byteOffset, data.length));
  } catch (e) {
    if (e instanceof JsonError) {
      yield {
        ok: false,
        where: `${path}:${lineOf(data, e.offset)}`,
        message: `not valid JSON: ${e.message}`,
      };
      return;
    }
    throw e;
  }
  if (!isObject(doc) || !Array.isArray(doc.Records)) {
    yield {
      ok: false,
      where: path,
      message: 'not a CloudTrail delivery file: expected {"Records": [...]}',
    };
    return;
  }
  for (const [i, record] of doc.Records.entries()) {
    const where = `${path}: Records[${i}]`;
    if (!isObject(record))
      yield { ok: false, where, message: 'a CloudTrail record must be a JSON object' };
    else yield toEntry(where, { kind: 'aws.cloudtrail/v1', record });
  }
}

/** 1-based line of a character offset (close enough for a pointer into a one-line file). */
function lineOf(data: Buffer, offset: number): number {
  let line = 1;
  const end = Math.min(offset, data.length);
  for (let i = 0; i < end; i++) if (data[i] === 0x0a) line++;
  return line;
}

/** Reads records from the input files in order. */
export async function* readInputs(
  paths: string[],
  format: InputFormat,
): AsyncGenerator<InputRecord> {
  for (const path of paths) {
    try {
      const info = await stat(path);
      if (!info.isFile()) throw new Error('not a file');
    } catch (e) {
      yield { ok: false, where: path, message: `cannot read the file: ${(e as Error).message}` };
      continue;
    }
    if (format === 'cloudtrail') yield* readCloudTrail(path);
    else yield* readLines(path, format);
  }
}
