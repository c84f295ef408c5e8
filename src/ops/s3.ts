// Off-site copies of snapshots: each finished snapshot is uploaded to any S3-compatible
// storage (BACKUP_S3_URL = s3://bucket/prefix) as `<prefix>/<snapshot>/<file>`, its manifest
// last, so a snapshot whose upload was cut short has no manifest there and is never listed or
// restored. Retention removes a remote snapshot's manifest first for the same reason.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import type { S3Config } from '../config/index.js';
import {
  MANIFEST,
  manifestPathOf,
  snapshotPath,
  SnapshotError,
  type Snapshot,
  type SnapshotManifest,
} from '../store/backup.js';

export function s3Client(config: S3Config): S3Client {
  // The SDK warns on every run that its releases after January 2027 need Node 22; the version
  // the lockfile pins runs on Node 20, which the project supports. An operator can turn it on.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const options: S3ClientConfig = {
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    // Checksums only where S3 requires them: many S3-compatible servers refuse the SDK's newer
    // default trailing checksums; each file's sha256 is in the manifest and checked on restore.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.accessKeyId && config.secretAccessKey
      ? { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } }
      : {}),
  };
  return new S3Client(options);
}

function keyOf(config: S3Config, ...parts: string[]): string {
  return [config.prefix, ...parts].filter((part) => part !== '').join('/');
}

export function s3UrlOf(config: S3Config, name: string): string {
  return `s3://${config.bucket}/${keyOf(config, name)}`;
}

/** Uploads a complete local snapshot; the manifest goes last. */
export async function uploadSnapshot(
  client: S3Client,
  config: S3Config,
  snapshot: Snapshot,
  manifest: SnapshotManifest,
): Promise<void> {
  for (const file of [manifest.database, ...manifest.files]) {
    await client.send(
      new PutObjectCommand({
        Bucket: config.bucket,
        Key: keyOf(config, snapshot.name, file.path),
        // Whole files (model files are a few MB): a signed body needs no streaming signature.
        Body: await readFile(snapshotPath(snapshot.path, file.path)),
        Metadata: { sha256: file.sha256 },
      }),
    );
  }
  const body = JSON.stringify(manifest, null, 2);
  await client.send(
    new PutObjectCommand({
      Bucket: config.bucket,
      Key: keyOf(config, snapshot.name, MANIFEST),
      Body: body,
      ContentType: 'application/json',
    }),
  );
}

async function allKeys(client: S3Client, config: S3Config, under: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: config.bucket,
        Prefix: under === '' ? undefined : `${under}/`,
        ContinuationToken: token,
      }),
    );
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** Names of the complete remote snapshots (those with a manifest), oldest first. */
export async function listRemoteSnapshots(client: S3Client, config: S3Config): Promise<string[]> {
  const base = keyOf(config);
  const names = new Set<string>();
  for (const key of await allKeys(client, config, base)) {
    const rest = base === '' ? key : key.slice(base.length + 1);
    const parts = rest.split('/');
    if (parts.length === 2 && parts[1] === MANIFEST && /^\d{8}T\d{6}Z(?:-\d+)?$/.test(parts[0])) names.add(parts[0]);
  }
  return [...names].sort();
}

/** Removes the oldest remote snapshots beyond `keep` (manifest first). */
export async function pruneRemoteSnapshots(client: S3Client, config: S3Config, keep: number): Promise<string[]> {
  const names = await listRemoteSnapshots(client, config);
  const removed = names.slice(0, Math.max(0, names.length - Math.max(1, keep)));
  for (const name of removed) {
    await client.send(
      new DeleteObjectsCommand({
        Bucket: config.bucket,
        Delete: { Objects: [{ Key: keyOf(config, name, MANIFEST) }] },
      }),
    );
    const rest = await allKeys(client, config, keyOf(config, name));
    for (let start = 0; start < rest.length; start += 1000) {
      await client.send(
        new DeleteObjectsCommand({
          Bucket: config.bucket,
          Delete: { Objects: rest.slice(start, start + 1000).map((Key) => ({ Key })) },
        }),
      );
    }
  }
  return removed;
}

async function getBytes(client: S3Client, config: S3Config, key: string): Promise<Uint8Array> {
  const object = await client.send(new GetObjectCommand({ Bucket: config.bucket, Key: key }));
  if (!object.Body) throw new SnapshotError(`s3://${config.bucket}/${key} has no content`);
  return object.Body.transformToByteArray();
}

/**
 * Downloads a remote snapshot into `targetDir` (a new folder); the caller then checks it with
 * verifySnapshot, as any local snapshot, before restoring it.
 */
export async function downloadSnapshot(
  client: S3Client,
  config: S3Config,
  name: string,
  targetDir: string,
): Promise<void> {
  let manifestBytes: Uint8Array;
  try {
    manifestBytes = await getBytes(client, config, keyOf(config, name, MANIFEST));
  } catch (error) {
    throw new SnapshotError(
      `${s3UrlOf(config, name)} is not a complete snapshot (${(error as Error).name}: ${(error as Error).message})`,
    );
  }
  const manifest = JSON.parse(Buffer.from(manifestBytes).toString('utf8')) as SnapshotManifest;
  await mkdir(targetDir, { recursive: true });
  for (const file of [manifest.database, ...manifest.files]) {
    const local = snapshotPath(targetDir, file.path);
    await mkdir(dirname(local), { recursive: true });
    await writeFile(local, await getBytes(client, config, keyOf(config, name, file.path)));
  }
  await writeFile(manifestPathOf(targetDir), manifestBytes);
}
