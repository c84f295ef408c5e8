// One backup as `npm run backup` and the bot's schedule take it: a snapshot (src/store/backup.ts),
// the oldest beyond BACKUP_KEEP removed, and, with BACKUP_S3_URL, the off-site copy (s3.ts) with
// the same retention there.
import type { BotConfig } from '../config/index.js';
import type { ManagerLogger } from '../manager/types.js';
import { dataPaths, pruneSnapshots, takeSnapshot, type Snapshot, type SnapshotManifest } from '../store/index.js';
import { listRemoteSnapshots, pruneRemoteSnapshots, s3Client, s3UrlOf, uploadSnapshot } from './s3.js';

export interface BackupOutcome {
  snapshot: Snapshot;
  manifest: SnapshotManifest;
  removed: string[];
  /** s3:// URL of the off-site copy, when BACKUP_S3_URL is set. */
  uploaded: string | null;
  removedRemote: string[];
}

export async function runBackup(
  config: Pick<BotConfig, 'dataDir' | 'modelsDir' | 'backup'>,
  logger?: ManagerLogger,
): Promise<BackupOutcome> {
  const { snapshot, manifest } = await takeSnapshot({
    databasePath: dataPaths(config).database,
    modelsDir: config.modelsDir,
    backupDir: config.backup.dir,
  });
  const removed = await pruneSnapshots(config.backup.dir, config.backup.keep);
  let uploaded: string | null = null;
  let removedRemote: string[] = [];
  const s3 = config.backup.s3;
  if (s3) {
    const client = s3Client(s3);
    try {
      await uploadSnapshot(client, s3, snapshot, manifest);
      uploaded = s3UrlOf(s3, snapshot.name);
      removedRemote = await pruneRemoteSnapshots(client, s3, config.backup.keep);
    } finally {
      client.destroy();
    }
  }
  logger?.info(
    {
      snapshot: snapshot.path,
      files: manifest.files.length,
      dropped: manifest.dropped.length,
      removed,
      uploaded,
      removedRemote,
    },
    `backup: snapshot ${snapshot.name} written`,
  );
  return { snapshot, manifest, removed, uploaded, removedRemote };
}

export async function remoteSnapshotNames(config: Pick<BotConfig, 'backup'>): Promise<string[]> {
  if (!config.backup.s3) return [];
  const client = s3Client(config.backup.s3);
  try {
    return await listRemoteSnapshots(client, config.backup.s3);
  } finally {
    client.destroy();
  }
}
