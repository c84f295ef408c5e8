// `npm run backup`: one snapshot of DATA_DIR and MODELS_DIR into BACKUP_DIR/<timestamp>/ (safe
// while the bot runs), the oldest beyond BACKUP_KEEP removed, and the off-site copy when
// BACKUP_S3_URL is set. `npm run backup -- --list` lists the complete snapshots (local, then S3).
import { listSnapshots } from '../store/index.js';
import { remoteSnapshotNames, runBackup } from './backup-run.js';
import { operatorConfig, runScript } from './cli.js';

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  const config = await operatorConfig();
  if (!config) return 1;
  if (argv.includes('--list')) {
    for (const snapshot of await listSnapshots(config.backup.dir)) process.stdout.write(`${snapshot.path}\n`);
    for (const name of await remoteSnapshotNames(config)) process.stdout.write(`s3 ${name}\n`);
    return 0;
  }
  if (argv.length > 0) {
    process.stderr.write(`backup: unknown argument ${JSON.stringify(argv[0])} (usage: npm run backup [-- --list])\n`);
    return 2;
  }
  const outcome = await runBackup(config);
  const { manifest } = outcome;
  const lines = [
    `snapshot ${outcome.snapshot.path}: the database and ${manifest.files.length} model file(s), checksums in manifest.json`,
    ...manifest.dropped.map((file) => `left out ${file.guildId}/${file.filename}: deleted while the backup ran`),
    ...(outcome.removed.length > 0
      ? [`removed older snapshots (BACKUP_KEEP=${config.backup.keep}): ${outcome.removed.join(', ')}`]
      : []),
    ...(outcome.uploaded ? [`uploaded to ${outcome.uploaded}`] : []),
    ...(outcome.removedRemote.length > 0
      ? [`removed older off-site snapshots: ${outcome.removedRemote.join(', ')}`]
      : []),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

runScript(import.meta.url, 'backup', main);
