// /status — the active model (or none), whether it is saved, its statistics, a running training,
// the guild's storage against its quotas, and the bot's version and uptime.
import { formatBytes, formatDate, formatDuration, markdown } from '../src/i18n/index.js';
import type { CommandContext, ReplyField } from '../src/commands/context.js';
import { commandBuilder } from '../src/commands/definition.js';
import { requireGuild } from '../src/commands/options.js';
import { activeModelLine, fieldValue, progressLine, statsFields } from '../src/commands/render.js';

export const data = commandBuilder('status');

export async function execute(ctx: CommandContext): Promise<void> {
  const guildId = requireGuild(ctx);
  const { t, locale } = ctx;
  const status = ctx.manager.status(guildId);
  const now = ctx.now();
  const fields: ReplyField[] = [
    { name: t('status.active'), value: fieldValue(activeModelLine(t, locale, status.active)) },
  ];
  const health = await ctx.manager.activeFileHealth(guildId);
  if (health === 'missing' || health === 'damaged')
    fields.push({ name: t('status.fileWarning'), value: t(`status.file.${health}`) });
  if (status.databaseLost)
    fields.push({ name: t('status.databaseLost'), value: t('error.DATABASE_LOST', { state: status.databaseLost }) });
  // Files a start-up reconcile moved aside (a lost database): `npm run recover` brings them back.
  const orphans = (await ctx.manager.orphanedModelFiles?.(guildId)) ?? 0;
  if (orphans > 0) fields.push({ name: t('status.orphans'), value: t('status.orphansValue', { count: orphans }) });
  if (status.active.kind === 'working')
    fields.push(...statsFields(t, locale, status.active.stats, status.active.fileBytes));
  if (status.active.kind === 'saved')
    fields.push(...statsFields(t, locale, status.active.model.stats, status.active.model.bytes));

  const job = status.job;
  fields.push({
    name: t('status.training'),
    value: job
      ? t('status.trainingRunning', {
          line: markdown(progressLine(t, locale, job.progress)),
          user: job.user.name,
          elapsed: markdown(formatDuration(locale, now - job.startedAt)),
          mode: markdown(t(job.mode === 'append' ? 'status.modeAppend' : 'status.modeNew')),
        })
      : t('status.trainingNone'),
  });
  // A training a stopped process (crash, kill, restart) interrupted: said until the next training.
  if (!job && status.interrupted) {
    fields.push({
      name: t('status.interrupted'),
      value: t('status.interruptedValue', {
        user: status.interrupted.userName,
        date: formatDate(status.interrupted.startedAt),
      }),
    });
  }
  fields.push({
    name: t('status.storage'),
    value: t('status.storageValue', {
      models: status.usage.models,
      maxModels: status.limits.maxModels,
      bytes: markdown(formatBytes(locale, status.usage.bytes)),
      maxBytes: markdown(formatBytes(locale, status.limits.maxBytes)),
    }),
  });
  fields.push({
    name: t('status.limits'),
    value: t('status.limitsValue', {
      files: Math.min(status.limits.maxFiles, 5),
      attachment: markdown(
        formatBytes(locale, Math.min(status.limits.maxAttachmentBytes, status.limits.maxTrainingBytes)),
      ),
      training: markdown(formatBytes(locale, status.limits.maxTrainingBytes)),
    }),
  });
  fields.push({ name: t('status.version'), value: ctx.bot?.version ?? '—', inline: true });
  fields.push({
    name: t('status.uptime'),
    value: ctx.bot ? formatDuration(locale, now - ctx.bot.startedAt) : '—',
    inline: true,
  });

  await ctx.reply({
    embeds: [
      {
        title: t('status.title'),
        fields,
        tone:
          status.active.kind === 'none' || health === 'missing' || health === 'damaged' || status.databaseLost
            ? 'warning'
            : 'info',
      },
    ],
  });
}
