/**
 * A store in S3-compatible object storage (AWS S3, MinIO, Ceph RGW), addressed as
 * `s3://bucket/prefix`. Region, credentials and profiles are read the way AWS tools read them
 * (AWS_REGION, AWS_PROFILE, ~/.aws/config and credentials, instance roles). A custom endpoint comes
 * from AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL and then uses path-style addressing, which MinIO and
 * Ceph RGW expect.
 */
import {
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { MAX_RESOURCE_SIZE, StorageError, type WritableLogStorage } from './storage';

export interface S3Location {
  bucket: string;
  prefix: string;
}

export function parseS3Url(url: string): S3Location {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!m) throw new StorageError(`${url} is not an s3://bucket/prefix location`);
  const prefix = (m[2] ?? '').replace(/\/+$/, '');
  if (prefix.split('/').some((p) => p === '..' || p === '.'))
    throw new StorageError(`${url}: invalid prefix`);
  return { bucket: m[1], prefix };
}

export function s3ClientFromEnvironment(env: NodeJS.ProcessEnv = process.env): S3Client {
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  const config: S3ClientConfig = {
    maxAttempts: 4,
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    ...(env.AWS_REGION || env.AWS_DEFAULT_REGION ? {} : endpoint ? { region: 'us-east-1' } : {}),
  };
  return new S3Client(config);
}

function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    err?.name === 'NoSuchKey' || err?.name === 'NotFound' || err?.$metadata?.httpStatusCode === 404
  );
}

export class S3Storage implements WritableLogStorage {
  private readonly loc: S3Location;
  constructor(
    readonly url: string,
    private readonly client: S3Client = s3ClientFromEnvironment(),
    private readonly timeoutMs = 30_000,
  ) {
    this.loc = parseS3Url(url);
  }

  get location() {
    return this.url;
  }

  private key(path: string) {
    if (path.startsWith('/') || path.split('/').some((p) => p === '..' || p === '.' || p === '')) {
      throw new StorageError(`invalid store path ${JSON.stringify(path)}`);
    }
    return this.loc.prefix ? `${this.loc.prefix}/${path}` : path;
  }

  async read(path: string): Promise<Uint8Array | null> {
    try {
      const res = await this.client.send(
        new GetObjectCommand({ Bucket: this.loc.bucket, Key: this.key(path) }),
        {
          abortSignal: AbortSignal.timeout(this.timeoutMs),
        },
      );
      if ((res.ContentLength ?? 0) > MAX_RESOURCE_SIZE) {
        throw new StorageError(
          `${this.url}/${path} is ${res.ContentLength} bytes, larger than any store resource (${MAX_RESOURCE_SIZE})`,
        );
      }
      if (!res.Body) return new Uint8Array(0);
      return await res.Body.transformToByteArray();
    } catch (e) {
      if (e instanceof StorageError) throw e;
      if (isNotFound(e)) return null;
      throw new StorageError(`${this.url}/${path}: ${(e as Error).name}: ${(e as Error).message}`);
    }
  }

  async write(path: string, data: Uint8Array): Promise<void> {
    try {
      // An S3 PUT is atomic: readers see the old object or the new one.
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.loc.bucket,
          Key: this.key(path),
          Body: data,
          ContentType:
            path === 'checkpoint' ? 'text/plain; charset=utf-8' : 'application/octet-stream',
          CacheControl: path === 'checkpoint' ? 'no-store' : 'public, max-age=31536000, immutable',
        }),
        { abortSignal: AbortSignal.timeout(this.timeoutMs) },
      );
    } catch (e) {
      throw new StorageError(
        `${this.url}/${path}: cannot write: ${(e as Error).name}: ${(e as Error).message}`,
      );
    }
  }

  async flush(): Promise<void> {
    // Every PUT is durable once acknowledged.
  }
}
