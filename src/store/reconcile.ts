// Startup reconcile: makes the catalog and the models directory agree after any crash.
//   - a row whose file is missing or fails its checksum is marked unavailable (kept and listed);
//   - a file with no row is moved to models/<guild>/.orphans/, never deleted;
//   - leftover temp files are removed, and so are drafts no guild refers to any more (a draft is
//     a superseded training result, never something a user saved);
//   - a job that was writing its result when the process died is completed from that result if
//     the file is intact, and any other unfinished job is marked interrupted.
import type { Catalog, DraftRef } from './catalog.js';
import type { Coordination } from './coordination.js';
import type { ModelFiles } from './files.js';
import { ModelImageFiles } from './images.js';
import { DRAFT_PREFIX, MODEL_FILE_EXTENSION, ORPHANS_DIR, TEMP_PREFIX } from './names.js';

export interface ReconcileOptions {
  /**
   * true: hash every saved file against its recorded checksum (reads every byte).
   * false: existence and size only; the checksum is still verified on every load.
   */
  verifyChecksums: boolean;
  /** With several shards sharing the database, each reconciles only its own guilds. */
  ownsGuild: (guildId: string) => boolean;
  now: () => number;
  /** Leases and pending deletes (several processes on one data directory); absent in old tests. */
  coordination?: Coordination;
}

type UnavailableReason = 'missing' | 'checksum' | 'size';

export interface ReconcileReport {
  tempFilesRemoved: { guildId: string; filename: string }[];
  orphansMoved: { guildId: string; filename: string; movedTo: string }[];
  staleDraftsRemoved: { guildId: string; filename: string }[];
  jobsInterrupted: { guildId: string; jobId: string; state: string }[];
  /** Files of a delete that a crash interrupted after its rows were gone, removed now. */
  deletesFinished: { guildId: string; filename: string }[];
  draftsRecovered: { guildId: string; jobId: string; filename: string }[];
  /** Every unavailable row found, with whether this pass is the one that found it broken. */
  modelsUnavailable: {
    guildId: string;
    name: string;
    version: number;
    filename: string;
    reason: string;
    newly: boolean;
  }[];
  modelsRestored: { guildId: string; name: string; version: number; filename: string }[];
  draftsUnavailable: { guildId: string; filename: string; reason: UnavailableReason }[];
  /** Entries left alone: directories that are not guild ids, sub-directories, links, devices. */
  ignored: string[];
  guildsChecked: number;
}

function emptyReconcileReport(): ReconcileReport {
  return {
    tempFilesRemoved: [],
    orphansMoved: [],
    staleDraftsRemoved: [],
    jobsInterrupted: [],
    deletesFinished: [],
    draftsRecovered: [],
    modelsUnavailable: [],
    modelsRestored: [],
    draftsUnavailable: [],
    ignored: [],
    guildsChecked: 0,
  };
}

/** True when the report holds something a user lost or must know about (not just clean-up). */
export function reconcileFoundDamage(report: ReconcileReport): boolean {
  return report.modelsUnavailable.length > 0 || report.draftsUnavailable.length > 0;
}

export async function reconcile(
  catalog: Catalog,
  files: ModelFiles,
  options: ReconcileOptions,
): Promise<ReconcileReport> {
  const report = emptyReconcileReport();
  const dirs = await files.guildIds();
  report.ignored.push(...dirs.ignored);

  for (const job of catalog.openJobs()) {
    if (!options.ownsGuild(job.guildId)) continue;
    if (job.state === 'writing' && job.result && (await draftIntact(files, job.guildId, job.result))) {
      catalog.commitTrainingResult(job.guildId, job.id, job.result, options.now(), 'recovered at startup');
      report.draftsRecovered.push({ guildId: job.guildId, jobId: job.id, filename: job.result.filename });
    } else {
      catalog.finishJob(job.id, 'interrupted', options.now(), 'the process stopped during the job');
      report.jobsInterrupted.push({ guildId: job.guildId, jobId: job.id, state: job.state });
    }
  }

  const guildIds = [...new Set([...catalog.knownGuildIds(), ...dirs.valid])].filter(options.ownsGuild).sort();
  for (const guildId of guildIds) {
    await reconcileGuild(catalog, files, guildId, options, report);
    report.guildsChecked++;
  }
  return report;
}

async function reconcileGuild(
  catalog: Catalog,
  files: ModelFiles,
  guildId: string,
  options: ReconcileOptions,
  report: ReconcileReport,
): Promise<void> {
  const rows = catalog.listModels(guildId);
  const coordination = options.coordination;
  if (coordination) {
    const kept = new Set(rows.map((row) => row.filename));
    for (const filename of coordination.pendingDeletes(guildId)) {
      // A row of that name again (a later save reused it) keeps its file.
      if (!kept.has(filename)) {
        await files.remove(guildId, filename);
        report.deletesFinished.push({ guildId, filename });
      }
      coordination.deleteDone(guildId, filename);
    }
  }
  for (const row of rows) {
    const check = await files.check(guildId, row.filename, row.checksum, options.verifyChecksums);
    const reason: UnavailableReason | null =
      check.kind === 'missing'
        ? 'missing'
        : check.kind === 'checksum'
          ? 'checksum'
          : check.bytes !== row.bytes
            ? 'size'
            : null;
    const where = { guildId, name: row.name, version: row.version, filename: row.filename };
    if (reason !== null) {
      if (row.available || row.unavailableReason !== reason) catalog.setAvailability(guildId, row.id, false, reason);
      report.modelsUnavailable.push({ ...where, reason, newly: row.available });
    } else if (!row.available) {
      // The file came back (restored from a backup): the row is usable again.
      catalog.setAvailability(guildId, row.id, true, null);
      report.modelsRestored.push(where);
    }
  }

  const state = catalog.guildState(guildId);
  let draft = state?.draft ?? null;
  let damagedDraft: string | null = null;
  if (draft) {
    const check = await files.check(guildId, draft.filename, draft.checksum, true);
    if (check.kind !== 'ok' || check.bytes !== draft.bytes) {
      const reason: UnavailableReason =
        check.kind === 'missing' ? 'missing' : check.kind === 'checksum' ? 'checksum' : 'size';
      catalog.clearDraft(guildId, options.now());
      report.draftsUnavailable.push({ guildId, filename: draft.filename, reason });
      damagedDraft = draft.filename;
      draft = null;
    }
  }

  const rowFiles = new Set(rows.map((row) => row.filename));
  for (const entry of await files.entries(guildId)) {
    if (entry.kind === 'directory') {
      if (entry.name !== ORPHANS_DIR) report.ignored.push(`${guildId}/${entry.name}/`);
      continue;
    }
    if (entry.kind !== 'file') {
      report.ignored.push(`${guildId}/${entry.name}`);
      continue;
    }
    if (entry.name.startsWith(TEMP_PREFIX)) {
      await files.removeTemp(guildId, entry.name);
      report.tempFilesRemoved.push({ guildId, filename: entry.name });
    } else if (rowFiles.has(entry.name) || entry.name === draft?.filename) {
    } else if (
      entry.name !== damagedDraft &&
      entry.name.startsWith(DRAFT_PREFIX) &&
      entry.name.endsWith(MODEL_FILE_EXTENSION)
    ) {
      await files.remove(guildId, entry.name);
      report.staleDraftsRemoved.push({ guildId, filename: entry.name });
    } else {
      const movedTo = await files.moveToOrphans(guildId, entry.name);
      report.orphansMoved.push({ guildId, filename: entry.name, movedTo });
    }
  }
  // Model images (derived files) of model files the guild no longer has.
  const imaged = new Set(rows.map((row) => row.checksum));
  if (draft) imaged.add(draft.checksum);
  await new ModelImageFiles(files).sweep(guildId, imaged);
}

async function draftIntact(files: ModelFiles, guildId: string, draft: DraftRef): Promise<boolean> {
  const check = await files.check(guildId, draft.filename, draft.checksum, true);
  return check.kind === 'ok' && check.bytes === draft.bytes;
}
