// "Replace the unsaved model?" — asked by /train and /load (and the Load button) before a model
// nobody saved is replaced. Only the invoking user may answer; an expired or cancelled question
// ends the command with its own message.
import { describeCode } from '../i18n/index.js';
import type { CommandContext, ComponentInteraction } from './context.js';

export const CONFIRM_TIMEOUT_MS = 60_000;

/** The catalogue keys of one command's question: `<prefix>.title|body|confirm|cancelled`. */
export type ReplacePrefix = 'train.replace' | 'load.replace';

/**
 * Asks before replacing the unsaved working model. Returns the interaction that confirmed (the
 * command answers through `update` on it), or null when the user cancelled or let it expire
 * (already answered: the command stops).
 */
export async function confirmReplacement(
  ctx: CommandContext,
  prefix: ReplacePrefix,
  ids: { replace: string; cancel: string },
): Promise<ComponentInteraction | null> {
  const { t, locale } = ctx;
  await ctx.reply({
    embeds: [{ title: t(`${prefix}.title`), description: t(`${prefix}.body`), tone: 'warning' }],
    components: [
      [
        { kind: 'button', id: ids.replace, label: t(`${prefix}.confirm`), style: 'danger' },
        { kind: 'button', id: ids.cancel, label: t('common.cancel'), style: 'secondary' },
      ],
    ],
  });
  const confirmation = await ctx.awaitComponent({
    ids: [ids.replace, ids.cancel],
    timeoutMs: CONFIRM_TIMEOUT_MS,
    others: 'reject',
  });
  if (!confirmation) {
    await ctx.edit({ content: describeCode(locale, 'CONFIRMATION_EXPIRED'), embeds: [], components: [] });
    return null;
  }
  if (confirmation.customId === ids.cancel) {
    await confirmation.update({ content: t(`${prefix}.cancelled`), embeds: [], components: [] });
    return null;
  }
  return confirmation;
}
