// /import file [name] — a model file from /export, checked completely (format, version,
// checksum, every length and count, the server's quotas) before it is stored as a new version
// of `name` (default: the name in the file's name). The active model does not change.
import type { CommandContext } from '../src/commands/context.js';
import { commandBuilder, localizeOption } from '../src/commands/definition.js';
import { attachmentOption, requireGuild, stringOption } from '../src/commands/options.js';
import { statsFields } from '../src/commands/render.js';
import { UserError } from '../src/errors.js';
import { MAX_MODEL_NAME_CHARACTERS } from '../src/store/names.js';

export const data = commandBuilder('import', { manageGuild: true })
  .addAttachmentOption((option) => localizeOption(option, 'import', 'file').setRequired(true))
  .addStringOption((option) =>
    localizeOption(option, 'import', 'name').setMinLength(1).setMaxLength(MAX_MODEL_NAME_CHARACTERS),
  );

export async function execute(ctx: CommandContext): Promise<void> {
  const guildId = requireGuild(ctx);
  const { t, locale } = ctx;
  const file = attachmentOption(ctx.options, 'file');
  if (!file) throw new UserError('EMPTY_INPUT', {});
  // The download and the full check of a large file can outlast Discord's 3 seconds.
  await ctx.defer({ ephemeral: true });
  const imported = await ctx.manager.importModel(guildId, ctx.user, file, stringOption(ctx.options, 'name'));
  const notes = [t('import.description', { name: imported.name, version: imported.version })];
  if (imported.prunedVersions?.length)
    notes.push(t('retention.pruned', { versions: imported.prunedVersions.map((v) => `v${v}`).join(', ') }));
  await ctx.reply({
    ephemeral: true,
    embeds: [
      {
        title: t('import.title'),
        description: notes.join('\n'),
        fields: statsFields(t, locale, imported.stats),
        tone: 'success',
      },
    ],
  });
}
