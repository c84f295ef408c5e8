// /privacy mode:open|opt-in (Manage Server) · /privacy join · /privacy leave: whose
// messages listened channels keep. `open` (the default): every member's; `opt-in`: only those of
// members who ran /privacy join. Leaving also forgets what was kept, as /forget me does.
import type { CommandContext } from '../src/commands/context.js';
import { commandBuilder, localizedChoice, localizeOption } from '../src/commands/definition.js';
import { requireLearning, subcommandOf } from '../src/commands/learning.js';
import { requireGuild, stringOption } from '../src/commands/options.js';
import { UserError } from '../src/errors.js';

export const data = commandBuilder('privacy')
  .addSubcommand((sub) =>
    localizeOption(sub, 'privacy', 'mode').addStringOption((option) =>
      localizeOption(option, 'privacy', 'value')
        .setRequired(true)
        .addChoices(localizedChoice('privacy.mode.open', 'open'), localizedChoice('privacy.mode.optIn', 'opt-in')),
    ),
  )
  .addSubcommand((sub) => localizeOption(sub, 'privacy', 'join'))
  .addSubcommand((sub) => localizeOption(sub, 'privacy', 'leave'));

export async function execute(ctx: CommandContext): Promise<void> {
  const guildId = requireGuild(ctx);
  const learning = requireLearning(ctx);
  const { t } = ctx;
  switch (subcommandOf(ctx)) {
    case 'mode': {
      if (!ctx.canManageGuild) throw new UserError('MISSING_PERMISSION', { permission: 'Manage Server' });
      const mode = stringOption(ctx.options, 'value');
      if (mode !== 'open' && mode !== 'opt-in')
        throw new UserError('INVALID_PARAMETER', { name: 'mode', value: String(mode), reason: 'open | opt-in' });
      learning.setPrivacyMode(guildId, mode);
      await ctx.reply({ content: t(mode === 'open' ? 'privacy.setOpen' : 'privacy.setOptIn') });
      return;
    }
    case 'join':
      learning.join(guildId, ctx.user.id);
      await ctx.reply({
        ephemeral: true,
        content: t('privacy.joined', { mode: learning.settings(guildId).privacyMode }),
      });
      return;
    default: {
      const count = learning.leave(guildId, ctx.user.id);
      await ctx.reply({ ephemeral: true, content: t('privacy.left', { count }) });
    }
  }
}
