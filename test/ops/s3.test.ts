// Off-site copies (issue 17) end to end against a real S3-compatible server (s3rver, on
// 127.0.0.1, files in a temp folder): `npm run backup` uploads each snapshot with the AWS SDK,
// retention applies there too, and `npm run restore -- s3:latest` brings the models back after
// the local folders and the local snapshots are all gone.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadEverything, makeOpsDirs, runOps, saveModels, type OpsDirs } from './helpers.js';

const BUCKET = 'ultra-backups';
let server: S3rver;
let endpoint: string;
let storage: string;
let dirs: OpsDirs;

beforeAll(async () => {
  storage = mkdtempSync(join(tmpdir(), 'ultra-s3rver-'));
  server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: storage,
    configureBuckets: [{ name: BUCKET, configs: [] }],
  });
  const address = (await server.run()) as AddressInfo;
  endpoint = `http://127.0.0.1:${address.port}`;
  dirs = makeOpsDirs('ultra-s3-');
});

afterAll(async () => {
  await server.close();
  rmSync(storage, { recursive: true, force: true });
  dirs.cleanup();
});

const s3Env = () => ({
  BACKUP_S3_URL: `s3://${BUCKET}/bots/ultra`,
  BACKUP_S3_ENDPOINT: endpoint,
  BACKUP_S3_ACCESS_KEY_ID: 'S3RVER',
  BACKUP_S3_SECRET_ACCESS_KEY: 'S3RVER',
  BACKUP_KEEP: '2',
});

async function remoteKeys(): Promise<string[]> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const client = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  try {
    const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    return (page.Contents ?? []).map((object) => object.Key!).sort();
  } finally {
    client.destroy();
  }
}

it('uploads each snapshot, keeps BACKUP_KEEP there, and restores from it when everything local is gone', async () => {
  await saveModels(dirs, ['alfa', 'beta']);
  const first = await runOps('backup', [], dirs, s3Env());
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  const name = /snapshot .*\/(\d{8}T\d{6}Z(?:-\d+)?):/.exec(first.stdout)![1];
  expect(first.stdout).toContain(`uploaded to s3://${BUCKET}/bots/ultra/${name}`);
  const keys = await remoteKeys();
  expect(
    keys.filter((key) => key.startsWith(`bots/ultra/${name}/`)).map((key) => key.split('/').slice(3, 4)[0]),
  ).toEqual(['manifest.json', 'models', 'models', 'ultraefficient.sqlite']);

  await saveModels(dirs, ['gamma']);
  for (let run = 0; run < 2; run++) expect((await runOps('backup', [], dirs, s3Env())).code).toBe(0);
  const listed = await runOps('backup', ['--list'], dirs, s3Env());
  const remote = listed.stdout.split('\n').filter((line) => line.startsWith('s3 '));
  expect(remote).toHaveLength(2);
  expect(remote).not.toContain(`s3 ${name}`);
  // Prefix with the slash: a snapshot of the same second is named `${name}-1`.
  expect((await remoteKeys()).some((key) => key.startsWith(`bots/ultra/${name}/`))).toBe(false);

  rmSync(dirs.dataDir, { recursive: true });
  rmSync(dirs.modelsDir, { recursive: true });
  rmSync(dirs.backupDir, { recursive: true });
  const restored = await runOps('restore', ['s3:latest'], dirs, s3Env());
  expect(restored.stderr).toBe('');
  expect(restored.code).toBe(0);
  expect(await loadEverything(dirs)).toEqual({ models: ['alfa v1', 'beta v1', 'gamma v1'], integrity: 'ok' });
}, 90_000);

it('says which off-site snapshots exist when the one asked for is not there', async () => {
  // Its own folders and snapshot, so the test stands alone (the order is shuffled).
  const own = makeOpsDirs('ultra-s3-list-');
  try {
    await saveModels(own, ['delta']);
    expect((await runOps('backup', [], own, s3Env())).code).toBe(0);
  } finally {
    own.cleanup();
  }
  const result = await runOps('restore', ['s3:20000101T000000Z'], dirs, s3Env());
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(
    /^restore: no complete snapshot 20000101T000000Z at ultra-backups\/bots\/ultra \(there are: \d{8}T/,
  );
}, 30_000);
