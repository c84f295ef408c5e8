// `npm run restore -- <snapshot>`: checks a snapshot against its manifest and restores it as
// DATA_DIR and MODELS_DIR (src/store/restore.ts: refused while a bot or console runs on them;
// never half restored). <snapshot> is a folder, a snapshot name in BACKUP_DIR, `latest`, or
// `s3:<name>` / `s3:latest` for an off-site copy (downloaded into BACKUP_DIR first).
import { rm } from 'node:fs/promises';
import {
  DATABASE_FILENAME,
  downloadFolderOf,
  listSnapshots,
  restoreSnapshot,
  SnapshotError,
  snapshotFolderOf,
  verifySnapshot,
} from '../store/index.js';
import { operatorConfig, runScript } from './cli.js';
import { downloadSnapshot, listRemoteSnapshots, s3Client } from './s3.js';

const USAGE = 'usage: npm run restore -- <snapshot folder | name in BACKUP_DIR | latest | s3:<name> | s3:latest>';

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  const config = await operatorConfig();
  if (!config) return 1;
  if (argv.length !== 1) {
    process.stderr.write(`restore: ${USAGE}\n`);
    return 2;
  }
  const wanted = argv[0];
  let downloaded: string | null = null;
  try {
    let path: string;
    if (wanted.startsWith('s3:') && !wanted.startsWith('s3://')) {
      const s3 = config.backup.s3;
      if (!s3) throw new SnapshotError('BACKUP_S3_URL is not set');
      const client = s3Client(s3);
      try {
        const names = await listRemoteSnapshots(client, s3);
        const name = wanted === 's3:latest' ? names.at(-1) : wanted.slice(3);
        if (!name || !names.includes(name))
          throw new SnapshotError(
            `no complete snapshot ${wanted.slice(3)} at ${s3.bucket}/${s3.prefix} (there are: ${names.join(', ') || 'none'})`,
          );
        downloaded = downloadFolderOf(config.backup.dir, name);
        await rm(downloaded, { recursive: true, force: true });
        await downloadSnapshot(client, s3, name, downloaded);
        await verifySnapshot(downloaded);
        path = downloaded;
      } finally {
        client.destroy();
      }
    } else if (wanted === 'latest') {
      const latest = (await listSnapshots(config.backup.dir)).at(-1);
      if (!latest) throw new SnapshotError(`there is no complete snapshot in ${config.backup.dir}`);
      path = latest.path;
    } else {
      path = snapshotFolderOf(config.backup.dir, wanted);
    }
    const manifest = await restoreSnapshot(path, {
      dataDir: config.dataDir,
      modelsDir: config.modelsDir,
      databaseFilename: DATABASE_FILENAME,
    });
    process.stdout.write(
      `restored snapshot ${manifest.name} (${manifest.createdAt}): the database and ${manifest.files.length} model file(s) into ${config.dataDir} and ${config.modelsDir}\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof SnapshotError) {
      process.stderr.write(`restore: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    if (downloaded) await rm(downloaded, { recursive: true, force: true }).catch(() => undefined);
  }
}

runScript(import.meta.url, 'restore', main);
