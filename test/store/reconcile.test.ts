import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  Catalog,
  ModelFiles,
  openDatabase,
  reconcile,
  reconcileFoundDamage,
  sha256,
  type DraftRef,
  type ReconcileOptions,
} from '../../src/store/index.js';
import { modelRow } from './helpers.js';

let root: string;
let modelsDir: string;
let catalog: Catalog;
let files: ModelFiles;
const options: ReconcileOptions = { verifyChecksums: true, ownsGuild: () => true, now: () => 1_000 };

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ultra-reconcile-'));
  modelsDir = join(root, 'models');
  catalog = new Catalog(openDatabase(join(root, 'db.sqlite')));
  files = new ModelFiles(modelsDir);
});

afterEach(() => {
  catalog.db.close();
  rmSync(root, { recursive: true, force: true });
});

const bytes = (text: string) => new TextEncoder().encode(text);

/** A saved model: file written, row committed (in that order, as the manager does). */
async function saved(guildId: string, name: string, version: number, content = `${name} v${version}`) {
  const data = bytes(content);
  const row = modelRow(guildId, name, version, { bytes: data.length, checksum: sha256(data) });
  await files.writeAtomic(guildId, row.filename, data, 'no-clobber');
  return { ...row, id: catalog.commitSave(row, 1) };
}

function draftRef(jobId: string, content: string): DraftRef {
  const data = bytes(content);
  return {
    filename: `.draft_${jobId}.ulm`,
    bytes: data.length,
    checksum: sha256(data),
    createdAt: 5,
    createdBy: { id: '1', name: 'Ana' },
    statsJson: '{}',
  };
}

function ls(guildId: string, sub = ''): string[] {
  const dir = join(modelsDir, guildId, sub);
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

describe('reconcile', () => {
  it('reports nothing for a consistent store', async () => {
    await saved('g1', 'a', 1);
    await saved('g1', 'a', 2);
    await saved('g2', 'b', 1);
    const report = await reconcile(catalog, files, options);
    expect(report).toMatchObject({
      tempFilesRemoved: [],
      orphansMoved: [],
      staleDraftsRemoved: [],
      jobsInterrupted: [],
      draftsRecovered: [],
      modelsUnavailable: [],
      modelsRestored: [],
      draftsUnavailable: [],
      ignored: [],
      guildsChecked: 2,
    });
    expect(reconcileFoundDamage(report)).toBe(false);
  });

  it('marks a row whose file is missing or fails its checksum unavailable, and keeps it', async () => {
    const missing = await saved('g1', 'missing', 1);
    const corrupt = await saved('g1', 'corrupt', 1);
    rmSync(join(modelsDir, 'g1', missing.filename));
    writeFileSync(join(modelsDir, 'g1', corrupt.filename), 'tampered!!!!!!');
    const report = await reconcile(catalog, files, options);
    expect(report.modelsUnavailable).toEqual([
      { guildId: 'g1', name: 'corrupt', version: 1, filename: corrupt.filename, reason: 'checksum', newly: true },
      { guildId: 'g1', name: 'missing', version: 1, filename: missing.filename, reason: 'missing', newly: true },
    ]);
    expect(reconcileFoundDamage(report)).toBe(true);
    expect(catalog.listModels('g1').map((row) => [row.name, row.available, row.unavailableReason])).toEqual([
      ['corrupt', false, 'checksum'],
      ['missing', false, 'missing'],
    ]);
    expect(ls('g1')).toEqual([corrupt.filename]);

    const again = await reconcile(catalog, files, options);
    expect(again.modelsUnavailable.map((entry) => entry.newly)).toEqual([false, false]);
  });

  it('catches a changed size without hashing when checksums are not verified', async () => {
    const row = await saved('g1', 'a', 1, 'twelve bytes');
    writeFileSync(join(modelsDir, 'g1', row.filename), 'eleven byte');
    const report = await reconcile(catalog, files, { ...options, verifyChecksums: false });
    expect(report.modelsUnavailable.map((entry) => entry.reason)).toEqual(['size']);
  });

  it('makes a row available again when its file comes back', async () => {
    const row = await saved('g1', 'a', 1, 'contents');
    rmSync(join(modelsDir, 'g1', row.filename));
    await reconcile(catalog, files, options);
    writeFileSync(join(modelsDir, 'g1', row.filename), 'contents');
    const report = await reconcile(catalog, files, options);
    expect(report.modelsRestored).toEqual([{ guildId: 'g1', name: 'a', version: 1, filename: row.filename }]);
    expect(catalog.listModels('g1')[0].available).toBe(true);
  });

  it('moves files without a row to .orphans/ and removes temp files', async () => {
    await saved('g1', 'a', 1);
    mkdirSync(join(modelsDir, 'g1'), { recursive: true });
    writeFileSync(join(modelsDir, 'g1', 'deleted_20241201_143022.ulm'), 'orphan');
    writeFileSync(join(modelsDir, 'g1', 'notes.txt'), 'stray');
    writeFileSync(join(modelsDir, 'g1', '.tmp-0123abcd'), 'half-written');
    mkdirSync(join(modelsDir, 'g3'), { recursive: true });
    writeFileSync(join(modelsDir, 'g3', 'x_20241201_143022.ulm'), 'no rows at all for g3');
    const report = await reconcile(catalog, files, options);
    expect(report.tempFilesRemoved).toEqual([{ guildId: 'g1', filename: '.tmp-0123abcd' }]);
    expect(report.orphansMoved).toEqual([
      { guildId: 'g1', filename: 'deleted_20241201_143022.ulm', movedTo: '.orphans/deleted_20241201_143022.ulm' },
      { guildId: 'g1', filename: 'notes.txt', movedTo: '.orphans/notes.txt' },
      { guildId: 'g3', filename: 'x_20241201_143022.ulm', movedTo: '.orphans/x_20241201_143022.ulm' },
    ]);
    expect(ls('g1')).toEqual(['.orphans', 'a_v1.ulm']);
    expect(ls('g1', '.orphans')).toEqual(['deleted_20241201_143022.ulm', 'notes.txt']);
    expect(reconcileFoundDamage(report)).toBe(false);
  });

  it('leaves sub-directories, links and directories that are not guild ids alone, and says so', async () => {
    mkdirSync(join(modelsDir, 'g1', 'sub'), { recursive: true });
    mkdirSync(join(modelsDir, 'Not A Guild'), { recursive: true });
    symlinkSync('/etc/passwd', join(modelsDir, 'g1', 'link.ulm'));
    const report = await reconcile(catalog, files, options);
    expect(report.ignored).toEqual(['Not A Guild', 'g1/link.ulm', 'g1/sub/']);
    expect(existsSync('/etc/passwd')).toBe(true);
  });

  it('keeps the referenced draft and removes superseded drafts', async () => {
    const current = draftRef('job-2', 'current draft');
    catalog.insertJob({
      id: 'job-2',
      guildId: 'g1',
      user: { id: '1', name: 'Ana' },
      kind: 'train-new',
      state: 'running',
      startedAt: 1,
    });
    await files.writeAtomic('g1', current.filename, bytes('current draft'), 'replace');
    catalog.commitTrainingResult('g1', 'job-2', current, 2, null);
    await files.writeAtomic('g1', '.draft_job-1.ulm', bytes('older draft'), 'replace');
    const report = await reconcile(catalog, files, options);
    expect(report.staleDraftsRemoved).toEqual([{ guildId: 'g1', filename: '.draft_job-1.ulm' }]);
    expect(ls('g1')).toEqual([current.filename]);
    expect(catalog.guildState('g1')?.draft).toEqual(current);
  });

  it('clears a damaged draft reference, reports it and keeps the file aside', async () => {
    const draft = draftRef('job-1', 'the draft');
    catalog.insertJob({
      id: 'job-1',
      guildId: 'g1',
      user: { id: '1', name: 'Ana' },
      kind: 'train-new',
      state: 'running',
      startedAt: 1,
    });
    await files.writeAtomic('g1', draft.filename, bytes('not the draft'), 'replace');
    catalog.commitTrainingResult('g1', 'job-1', draft, 2, null);
    const report = await reconcile(catalog, files, options);
    expect(report.draftsUnavailable).toEqual([{ guildId: 'g1', filename: draft.filename, reason: 'checksum' }]);
    expect(catalog.guildState('g1')?.draft).toBeNull();
    expect(ls('g1', '.orphans')).toEqual([draft.filename]);
  });

  it('completes a job that died after writing its result, and interrupts the others', async () => {
    const result = draftRef('job-1', 'finished training');
    catalog.insertJob({
      id: 'job-1',
      guildId: 'g1',
      user: { id: '1', name: 'Ana' },
      kind: 'train-new',
      state: 'running',
      startedAt: 1,
    });
    catalog.markJobWriting('job-1', result);
    await files.writeAtomic('g1', result.filename, bytes('finished training'), 'replace');
    catalog.insertJob({
      id: 'job-2',
      guildId: 'g2',
      user: { id: '1', name: 'Ana' },
      kind: 'train-new',
      state: 'running',
      startedAt: 1,
    });
    catalog.insertJob({
      id: 'job-3',
      guildId: 'g3',
      user: { id: '1', name: 'Ana' },
      kind: 'train-new',
      state: 'running',
      startedAt: 1,
    });
    // job-3 recorded its result but died before the file was complete.
    catalog.markJobWriting('job-3', draftRef('job-3', 'never written'));
    const report = await reconcile(catalog, files, options);
    expect(report.draftsRecovered).toEqual([{ guildId: 'g1', jobId: 'job-1', filename: result.filename }]);
    expect(report.jobsInterrupted).toEqual([
      { guildId: 'g2', jobId: 'job-2', state: 'running' },
      { guildId: 'g3', jobId: 'job-3', state: 'writing' },
    ]);
    expect(catalog.guildState('g1')?.draft).toEqual(result);
    expect(catalog.job('job-1')?.state).toBe('done');
    expect(catalog.openJobs()).toEqual([]);
  });

  it('touches only the guilds this process owns', async () => {
    const mine = await saved('g1', 'a', 1);
    const theirs = await saved('g2', 'b', 1);
    rmSync(join(modelsDir, 'g1', mine.filename));
    rmSync(join(modelsDir, 'g2', theirs.filename));
    writeFileSync(join(modelsDir, 'g2', '.tmp-feed'), 'another shard is writing this');
    catalog.insertJob({
      id: 'job-9',
      guildId: 'g2',
      user: { id: '1', name: 'Ana' },
      kind: 'train-new',
      state: 'running',
      startedAt: 1,
    });
    const report = await reconcile(catalog, files, { ...options, ownsGuild: (guildId) => guildId === 'g1' });
    expect(report.modelsUnavailable.map((entry) => entry.guildId)).toEqual(['g1']);
    expect(report.jobsInterrupted).toEqual([]);
    expect(ls('g2')).toEqual(['.tmp-feed']);
    expect(catalog.listModels('g2')[0].available).toBe(true);
  });
});
