// Training jobs: admission (synchronous, the TrainingStart contract), the global job slots, the
// training workers, progress reports, and the commit of a result as the guild's draft.
import { randomUUID } from 'node:crypto';
import { UserError, isUserError } from '../errors.js';
import { checkSources, readSources } from '../ingest/index.js';
import { resolveParams } from '../lm/index.js';
import type { TrainParams } from '../lm/types.js';
import { draftFilename, retryBusy, sha256, validateGuildId, type DraftRef } from '../store/index.js';
import { busyAsUserError, type TrainingClaim } from './guild-leases.js';
import { JobSlots, type JobTicket } from './job-slots.js';
import type { ManagerState } from './manager-state.js';
import type { ModelLoading } from './model-loading.js';
import { WorkerPool } from './worker-pool.js';
import { TrainingWorkerError, type TrainingResult } from './training-protocol.js';
import type {
  Actor,
  JobProgress,
  TrainingOrigin,
  TrainingSource,
  TrainingStart,
  TrainMode,
  TrainOutcome,
} from './types.js';
import { fileOf, labelOf, type WorkingModel } from './working-model.js';

/** Share of a job's progress bar given to reading the uploads, and to committing the result. */
const INGEST_SHARE = 0.1;
const SAVE_SHARE = 0.05;
/**
 * Job rows get a progress update when the job leaves the queue and then at most this often:
 * each is a committed (fsynced) transaction. This process's status() answers from memory;
 * another process on the same data directory shows the training from the row (guild-leases.ts).
 */
const JOB_ROW_INTERVAL_MS = 1_000;
const DEFAULT_RETRY_AFTER_SECONDS = 60;

export interface RunningJob {
  id: string;
  guildId: string;
  user: Actor;
  mode: TrainMode;
  startedAt: number;
  /** Where /train was run: told there if a stopped process interrupts the training. */
  channelId: string | null;
  /** performance-clock time the job left the queue; ETA is measured from here. */
  runningSince: number | null;
  progress: JobProgress;
  abort: AbortController;
  /** Once the result is being written the job can no longer be cancelled. */
  committing: boolean;
  lastRowUpdate: number;
  listener: ((progress: JobProgress) => void) | undefined;
}

export class TrainingJobs {
  private readonly slots: JobSlots;
  private readonly pool: WorkerPool;
  private readonly jobs = new Map<string, RunningJob>();

  constructor(
    private readonly state: ManagerState,
    private readonly loading: ModelLoading,
  ) {
    const config = state.config;
    this.slots = new JobSlots(Math.max(1, config.maxConcurrentJobs), Math.max(0, config.maxQueuedJobs));
    this.pool = new WorkerPool(Math.max(1, config.workers));
  }

  /** The guild's training in this process, if any. */
  running(guildId: string): RunningJob | undefined {
    return this.jobs.get(guildId);
  }

  /** See ModelManager.startTraining. */
  startTraining(
    guildId: string,
    user: Actor,
    sources: TrainingSource[],
    params: Partial<TrainParams>,
    mode: TrainMode,
    onProgress?: (progress: JobProgress) => void,
    origin: TrainingOrigin = {},
  ): TrainingStart {
    try {
      this.state.assertOpen();
      validateGuildId(guildId);
      this.state.databaseGuard.assertWritable();
      checkSources(sources, this.state.ingestLimits());
      if (mode !== 'new' && mode !== 'append') {
        throw new UserError('INVALID_PARAMETER', { name: 'mode', value: String(mode), reason: 'unknown' });
      }
      const trainParams = mode === 'new' ? checkTrainParams(params) : {};
      const running = this.jobs.get(guildId);
      if (running) {
        throw new UserError('ALREADY_TRAINING', {
          percent: Math.floor(running.progress.fraction * 100),
          phase: running.progress.phase,
        });
      }
      if (mode === 'append' && this.state.workingModel(guildId).kind === 'none') {
        throw new UserError('NO_MODEL_LOADED', {});
      }
      const jobId = randomUUID();
      // Another process training on this guild refuses here, as a job of this process does above.
      const claim: TrainingClaim = this.state.leases.claimTraining(guildId, jobId, (id) => this.state.catalog.job(id));
      const ticket = this.slots.admit();
      if (!ticket) {
        claim.release();
        throw new UserError('JOBS_BUSY', { retryAfterSeconds: this.retryAfterSeconds() });
      }

      const fromUrl = sources.some((source) => source.url !== undefined || source.produce !== undefined);
      const job: RunningJob = {
        id: jobId,
        guildId,
        user: { id: String(user.id), name: String(user.name) },
        mode,
        startedAt: this.state.now(),
        runningSince: null,
        progress: {
          jobId: '',
          phase: ticket.queued ? 'queued' : fromUrl ? 'download' : 'ingest',
          fraction: 0,
          etaMs: null,
        },
        abort: new AbortController(),
        committing: false,
        lastRowUpdate: performance.now(),
        listener: onProgress,
        channelId: origin.channelId ?? null,
      };
      job.progress.jobId = job.id;
      this.jobs.set(guildId, job);
      const outcome = this.runJob(job, ticket, sources, trainParams).finally(() => {
        ticket.release();
        claim.release();
        if (this.jobs.get(guildId) === job) this.jobs.delete(guildId);
      });
      this.state.track(outcome);
      return { admitted: true, outcome };
    } catch (error) {
      return { admitted: false, refusal: error };
    }
  }

  cancel(guildId: string): boolean {
    validateGuildId(guildId);
    const job = this.jobs.get(guildId);
    if (!job || job.committing || job.abort.signal.aborted) return false;
    job.abort.abort(new UserError('TRAINING_CANCELLED', {}));
    return true;
  }

  /** At close: queued and running trainings stop (one already writing its result finishes). */
  abortAll(): void {
    for (const job of this.jobs.values()) {
      if (!job.committing) job.abort.abort(new UserError('SHUTTING_DOWN', {}));
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private async runJob(
    job: RunningJob,
    ticket: JobTicket,
    sources: TrainingSource[],
    params: Partial<TrainParams>,
  ): Promise<TrainOutcome> {
    const { signal } = job.abort;
    const guildId = job.guildId;
    const catalog = this.state.catalog;
    let base: WorkingModel | null = null;
    try {
      busyAsUserError(() =>
        retryBusy(() =>
          catalog.insertJob({
            id: job.id,
            guildId,
            user: job.user,
            kind: job.mode === 'new' ? 'train-new' : 'train-append',
            state: ticket.queued ? 'queued' : 'running',
            startedAt: job.startedAt,
            channelId: job.channelId,
          }),
        ),
      );
      const fromUrl = sources.some((source) => source.url !== undefined || source.produce !== undefined);
      if (ticket.queued) {
        this.report(job, 'queued', 0);
        await ticket.started(signal);
      }
      job.runningSince = performance.now();
      this.report(job, fromUrl ? 'download' : 'ingest', 0);
      // Only the I/O here: the raw bytes go to the worker (transferred), which decodes and
      // parses them. Decoding, extracting and joining a large upload on this thread blocked the
      // event loop ~100 ms for a 5.5 MB file, a latency tail for every other guild.
      const read = await readSources(sources, this.state.ingestLimits(), {
        signal,
        onProgress: (fraction) =>
          this.report(job, fromUrl && fraction < 1 ? 'download' : 'ingest', INGEST_SHARE * fraction),
      });
      signal.throwIfAborted();
      // Appending reads the working model as it is when the job starts, not when it was queued:
      // a save or load in between may have replaced (and removed) the file seen at admission.
      const baseBytes =
        job.mode === 'append'
          ? await this.state.claimed(guildId, async () => {
              const working = this.state.workingModel(guildId);
              if (working.kind === 'none') throw new UserError('NO_MODEL_LOADED', {});
              base = working;
              return this.loading.readVerified(guildId, fileOf(working), labelOf(working));
            })
          : null;
      signal.throwIfAborted();
      const trainShare = 1 - INGEST_SHARE - SAVE_SHARE;
      const result = await this.pool.run(
        {
          type: 'train',
          jobId: job.id,
          files: read.files,
          params,
          base: baseBytes,
          createdAt: this.state.now(),
          seed: this.state.config.trainingSeed ?? 1,
        },
        (phase, fraction) => this.report(job, phase, INGEST_SHARE + trainShare * fraction),
        signal,
      );
      signal.throwIfAborted();
      job.committing = true;
      this.report(job, 'save', 1 - SAVE_SHARE);
      await this.state.claimed(guildId, () => this.commitTraining(job, result));
      this.report(job, 'save', 1);
      return {
        jobId: job.id,
        stats: result.stats,
        sample: result.sample,
        sources: result.sources,
        mode: job.mode,
      };
    } catch (error) {
      const failure = trainingFailure(error, base);
      const cancelled =
        isUserError(failure) && (failure.code === 'TRAINING_CANCELLED' || failure.code === 'SHUTTING_DOWN');
      try {
        catalog.finishJob(job.id, cancelled ? 'cancelled' : 'failed', this.state.now(), describe(failure));
      } catch {
        // The job row is bookkeeping; the caller's error matters more. Reconcile closes it.
      }
      throw failure;
    }
  }

  /**
   * The training result becomes the guild's working model. The job row names the draft file
   * before the file exists, so a crash between writing it and committing is recovered by
   * reconcile rather than losing the training.
   */
  private async commitTraining(job: RunningJob, result: TrainingResult): Promise<void> {
    const catalog = this.state.catalog;
    const at = this.state.now();
    const draft: DraftRef = {
      filename: draftFilename(job.id),
      bytes: result.bytes.byteLength,
      checksum: sha256(result.bytes),
      createdAt: at,
      createdBy: job.user,
      statsJson: JSON.stringify(result.stats),
    };
    catalog.markJobWriting(job.id, draft);
    await this.state.files.writeAtomic(job.guildId, draft.filename, result.bytes, 'replace');
    const previous = catalog.guildState(job.guildId)?.draft ?? null;
    retryBusy(() => catalog.commitTrainingResult(job.guildId, job.id, draft, at, null));
    this.state.trainedHere.set(job.guildId, job.id);
    await this.loading.keepImage(job.guildId, draft.checksum, result.image);
    if (previous && previous.filename !== draft.filename) {
      await this.loading.discardDraftFile(job.guildId, previous.filename);
    }
  }

  private report(job: RunningJob, phase: JobProgress['phase'], fraction: number): void {
    const previousPhase = job.progress.phase;
    const clamped = Math.min(1, Math.max(job.progress.fraction, fraction));
    let etaMs: number | null = null;
    if (job.runningSince !== null && clamped >= 0.05 && clamped < 1) {
      const elapsed = performance.now() - job.runningSince;
      etaMs = Math.round((elapsed / clamped) * (1 - clamped));
    } else if (clamped >= 1) {
      etaMs = 0;
    }
    job.progress = { jobId: job.id, phase, fraction: clamped, etaMs };
    const wallNow = performance.now();
    const leftQueue = previousPhase === 'queued' && phase !== 'queued';
    if (!job.committing && (leftQueue || wallNow - job.lastRowUpdate >= JOB_ROW_INTERVAL_MS)) {
      job.lastRowUpdate = wallNow;
      try {
        this.state.catalog.updateJobProgress(job.id, phase === 'queued' ? 'queued' : 'running', phase, clamped);
      } catch {
        // A busy database must not fail a training over a progress figure.
      }
    }
    try {
      job.listener?.({ ...job.progress });
    } catch {
      // A failing progress listener (an expired Discord interaction) must not fail the job.
    }
  }

  private retryAfterSeconds(): number {
    const etas = [...this.jobs.values()]
      .map((job) => job.progress.etaMs)
      .filter((eta): eta is number => eta !== null && eta > 0);
    if (etas.length === 0) return DEFAULT_RETRY_AFTER_SECONDS;
    return Math.min(600, Math.max(10, Math.ceil(Math.min(...etas) / 1000)));
  }
}

const TRAIN_PARAM_NAMES: readonly (keyof TrainParams)[] = [
  'maxPatternLength',
  'minFrequency',
  'maxPatterns',
  'validation',
  'splitSentences',
  'embeddingDim',
];

/** Checks parameters on the main thread, before any download, one by one to name the bad one. */
function checkTrainParams(params: Partial<TrainParams>): Partial<TrainParams> {
  const checked: Partial<TrainParams> = {};
  for (const [name, value] of Object.entries(params ?? {})) {
    if (value === undefined) continue;
    if (!(TRAIN_PARAM_NAMES as readonly string[]).includes(name)) {
      throw new UserError('INVALID_PARAMETER', { name, value: String(value), reason: 'unknown' });
    }
    try {
      resolveParams({ [name]: value });
    } catch (error) {
      throw new UserError('INVALID_PARAMETER', {
        name,
        value: String(value),
        reason: error instanceof Error ? error.message : 'invalid',
      });
    }
    (checked as Record<string, unknown>)[name] = value;
  }
  return checked;
}

function trainingFailure(error: unknown, base: WorkingModel | null): Error {
  if (isUserError(error)) return error;
  if (error instanceof TrainingWorkerError) {
    switch (error.kind) {
      case 'empty':
        return new UserError('EMPTY_INPUT', {});
      case 'bad-params':
        return new UserError('INVALID_PARAMETER', { name: 'params', value: '', reason: error.message });
      case 'base-format':
        return new UserError('MODEL_CORRUPT', { ...labelOf(base), detail: error.message });
      case 'internal':
        return new UserError('TRAINING_FAILED', { reason: error.message });
    }
  }
  return error instanceof Error ? error : new Error(String(error));
}

function describe(error: Error): string {
  return isUserError(error) ? `${error.code} ${JSON.stringify(error.params)}` : `${error.name}: ${error.message}`;
}
