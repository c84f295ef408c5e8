// /train file1 [file2..file5] [max_pattern_length] [min_frequency] [max_patterns] [mode] [validation]
//        [channel] [limit] [since] [clean]   (files, or a channel's history)
// Defers at once, edits one progress message at most every 3 s, and ends with the model's
// statistics, a sample and a Save button that asks for a name in a modal. Replacing an unsaved
// model asks first. A training that outlives the 15-minute interaction token reports in the
// channel instead; /status shows it all along.
import { isUserError } from '../src/errors.js';
import { describeError, escapeMarkdown, markdown } from '../src/i18n/index.js';
import type { CommandContext, ComponentInteraction, Reply, ReplyButton } from '../src/commands/context.js';
import type { JobProgress, TrainMode, TrainOutcome } from '../src/manager/types.js';
import type { TrainParams } from '../src/lm/types.js';
import { confirmReplacement } from '../src/commands/confirm.js';
import { commandBuilder, localizedChoice, localizeOption } from '../src/commands/definition.js';
import { attachmentOption, numberOption, requireGuild, stringOption } from '../src/commands/options.js';
import { ProgressMessage } from '../src/commands/progress.js';
import { errorReply, fieldValue, progressLine, savedReply, statsFields, truncate } from '../src/commands/render.js';
import { MAX_MODEL_NAME_CHARACTERS } from '../src/store/names.js';
import { addChannelSourceOptions, channelSourceOf } from '../src/commands/channel-source.js';

export const FILE_OPTIONS = ['file1', 'file2', 'file3', 'file4', 'file5'] as const;
/** Discord's interaction token lifetime; after it the original message can no longer be edited. */
export const INTERACTION_TOKEN_MS = 15 * 60_000;
/** Edits are not attempted this close to the token's expiry: a late edit fails halfway. */
const TOKEN_MARGIN_MS = 30_000;
const SAMPLE_LIMIT = 700;

const ID = {
  replace: 'train:replace',
  cancel: 'train:cancel',
  save: 'train:save',
  saveModal: 'train:save-modal',
  nameField: 'name',
} as const;

export const data = (() => {
  const builder = commandBuilder('train', { manageGuild: true });
  // No file is required: a channel's history is the other kind of source (one or the other).
  FILE_OPTIONS.forEach((name) => {
    builder.addAttachmentOption((option) => localizeOption(option, 'train', name));
  });
  builder.addIntegerOption((option) =>
    localizeOption(option, 'train', 'max_pattern_length').setMinValue(1).setMaxValue(8),
  );
  builder.addIntegerOption((option) =>
    localizeOption(option, 'train', 'min_frequency').setMinValue(1).setMaxValue(1_000_000),
  );
  builder.addIntegerOption((option) =>
    localizeOption(option, 'train', 'max_patterns').setMinValue(0).setMaxValue(100_000_000),
  );
  builder.addStringOption((option) =>
    localizeOption(option, 'train', 'mode').addChoices(
      localizedChoice('cmd.train.choice.mode.new', 'new'),
      localizedChoice('cmd.train.choice.mode.append', 'append'),
    ),
  );
  builder.addNumberOption((option) => localizeOption(option, 'train', 'validation').setMinValue(0).setMaxValue(0.5));
  addChannelSourceOptions(builder);
  return builder;
})();

export async function execute(ctx: CommandContext): Promise<void> {
  const guildId = requireGuild(ctx);
  const { t, locale } = ctx;
  const tokenDeadline = ctx.now() + INTERACTION_TOKEN_MS - TOKEN_MARGIN_MS;
  const tokenAlive = () => ctx.now() < tokenDeadline;

  const sources = trainingSources(ctx, guildId);
  const params: Partial<TrainParams> = {};
  const maxPatternLength = numberOption(ctx.options, 'max_pattern_length');
  const minFrequency = numberOption(ctx.options, 'min_frequency');
  const maxPatterns = numberOption(ctx.options, 'max_patterns');
  const validation = numberOption(ctx.options, 'validation');
  if (maxPatternLength !== undefined) params.maxPatternLength = maxPatternLength;
  if (minFrequency !== undefined) params.minFrequency = minFrequency;
  if (maxPatterns !== undefined) params.maxPatterns = maxPatterns;
  if (validation !== undefined) params.validation = validation;
  const mode: TrainMode = stringOption(ctx.options, 'mode') === 'append' ? 'append' : 'new';

  // Replacing a model nobody saved loses work: ask first, and only the invoking user may answer.
  let confirmation: ComponentInteraction | null = null;
  if (mode === 'new' && ctx.manager.hasUnsavedWorkingModel(guildId)) {
    confirmation = await confirmReplacement(ctx, 'train.replace', ID);
    if (!confirmation) return;
  }

  const renderProgress = (progress: JobProgress): Reply => ({
    content: '',
    embeds: [
      {
        title: t('train.progress.title'),
        description: progressLine(t, locale, progress),
        footer: t('train.progress.startedBy', { user: ctx.user.name }),
        tone: 'info',
      },
    ],
    components: [],
  });
  const progressMessage = new ProgressMessage<JobProgress>({
    send: (reply) => ctx.edit(reply),
    render: renderProgress,
    canEdit: tokenAlive,
  });
  let acknowledged = false;
  const start = ctx.manager.startTraining(
    guildId,
    ctx.user,
    sources,
    params,
    mode,
    (progress) => {
      if (acknowledged) progressMessage.report(progress);
    },
    { channelId: ctx.channelId },
  );

  // Bad options, oversized or unsupported attachments, a running job, a full queue: the manager
  // refuses these synchronously, before downloading anything (startTraining's return type), so
  // they are answered as errors instead of as a progress message.
  if (!start.admitted) {
    const refusal = start.refusal;
    if (!confirmation) throw refusal;
    await confirmation.update({ content: t('train.replace.notStarted'), embeds: [], components: [] });
    if (!isUserError(refusal)) throw refusal;
    await ctx.followUp(errorReply(locale, refusal));
    return;
  }

  const initial = renderProgress({ jobId: '', phase: 'queued', fraction: 0, etaMs: null });
  if (confirmation) await confirmation.update(initial);
  else await ctx.defer();
  acknowledged = true;
  progressMessage.report(
    ctx.manager.status(guildId).job?.progress ?? { jobId: '', phase: 'queued', fraction: 0, etaMs: null },
  );

  let result: TrainOutcome;
  try {
    result = await start.outcome;
  } catch (error) {
    await progressMessage.stop();
    if (tokenAlive()) throw error;
    // Nobody can be answered through the interaction any more; tell the channel.
    await ctx.postToChannel({
      content: truncate(
        t('train.failedLate', { user: ctx.user.name, reason: markdown(describeError(locale, error)) }),
        2000,
      ),
    });
    return;
  }
  await progressMessage.stop();

  const lines = result.sources.reduce((sum, source) => sum + source.lines, 0);
  const sampleField = {
    name: t('train.sample'),
    value: fieldValue(
      result.sample.trim() ? truncate(escapeMarkdown(result.sample.trim()), SAMPLE_LIMIT) : t('train.sampleEmpty'),
    ),
  };
  const resultEmbed = (description: string) => ({
    title: t('train.done.title'),
    description,
    fields: [...statsFields(t, locale, result.stats), sampleField],
    tone: 'success' as const,
  });
  // With validation, the stats' Corpus counts the lines trained on: say where the rest went.
  const heldOut = mode === 'new' ? lines - result.stats.corpus.lines : 0;
  const heldOutNote =
    heldOut > 0 ? `\n${t('train.done.heldOut', { heldOut, trained: result.stats.corpus.lines })}` : '';
  const lateReply: Reply = {
    embeds: [resultEmbed(t('train.done.descriptionLate', { user: ctx.user.name, lines }) + heldOutNote)],
  };
  if (!tokenAlive()) {
    await ctx.postToChannel(lateReply);
    return;
  }
  const saveButton: ReplyButton = { kind: 'button', id: ID.save, label: t('train.save.button'), style: 'success' };
  const doneReply: Reply = {
    content: '',
    embeds: [resultEmbed(doneDescription(ctx, mode, lines, result.sources.length) + heldOutNote)],
    components: [[saveButton]],
  };
  try {
    await ctx.edit(doneReply);
  } catch {
    await ctx.postToChannel(lateReply);
    return;
  }

  await offerSave(ctx, guildId, tokenDeadline, doneReply, result.jobId);
}

/**
 * Waits for Save presses until the token runs out: each opens the name modal; a valid name
 * saves and replaces the button with the saved model's details, an invalid one is answered
 * with an ephemeral error and the button stays.
 */
async function offerSave(
  ctx: CommandContext,
  guildId: string,
  tokenDeadline: number,
  doneReply: Reply,
  jobId: string,
): Promise<void> {
  const { t } = ctx;
  let pendingModal: Promise<ComponentInteraction | null> | null = null;
  for (;;) {
    const remaining = tokenDeadline - ctx.now();
    if (remaining <= 0) break;
    // A modal submission arrives through awaitModal or, in adapters that route it by message,
    // through awaitComponent; a dismissed modal sends nothing, so a new press must still count.
    const stopWaiting = new AbortController();
    const waitForPress = ctx.awaitComponent({
      ids: [ID.save, ID.saveModal],
      timeoutMs: remaining,
      others: 'reject',
      signal: stopWaiting.signal,
    });
    const event: ComponentInteraction | null = await (pendingModal
      ? Promise.race([pendingModal.then((submitted) => submitted ?? waitForPress), waitForPress])
      : waitForPress);
    stopWaiting.abort();
    if (!event) break;
    if (event.kind !== 'modal') {
      await event.showModal({
        id: ID.saveModal,
        title: t('train.save.modalTitle'),
        fields: [
          {
            id: ID.nameField,
            label: t('train.save.fieldLabel'),
            style: 'short',
            required: true,
            minLength: 1,
            maxLength: MAX_MODEL_NAME_CHARACTERS,
            placeholder: t('train.save.fieldPlaceholder'),
          },
        ],
      });
      pendingModal = event.awaitModal(ID.saveModal, Math.max(1, tokenDeadline - ctx.now()));
      continue;
    }
    pendingModal = null;
    try {
      // The button saves this training's model, or refuses if another replaced it since.
      const saved = await ctx.manager.save(guildId, event.user, event.fields[ID.nameField] ?? '', { jobId });
      const details = savedReply(t, ctx.locale, saved);
      await event.update({
        ...doneReply,
        embeds: [...(doneReply.embeds ?? []), ...(details.embeds ?? [])],
        components: [],
      });
      return;
    } catch (error) {
      if (!isUserError(error)) throw error;
      await event.reply(errorReply(event.locale, error));
    }
  }
  await ctx.edit({ ...doneReply, components: [] }).catch(() => undefined);
}

/** "Learned N lines from 2 files", or from the channel when a channel's history was the source. */
function doneDescription(ctx: CommandContext, mode: TrainMode, lines: number, files: number): string {
  const channelId = stringOption(ctx.options, 'channel');
  return channelId
    ? ctx.t('train.done.descriptionChannel', { mode, lines, channel: markdown(`<#${channelId}>`) })
    : ctx.t('train.done.description', { mode, lines, files });
}

/** The attachments, or the channel's history (never both), each with the clean setting. */
function trainingSources(ctx: CommandContext, guildId: string) {
  const files = FILE_OPTIONS.map((name) => attachmentOption(ctx.options, name)).filter(
    (source) => source !== undefined,
  );
  const channel = channelSourceOf(ctx, guildId, files.length > 0, ctx.learning?.settings(guildId).cleanMode);
  if (channel.source) return [channel.source];
  return files.map((file) => ({ ...file, clean: channel.clean }));
}
