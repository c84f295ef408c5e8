// Autocomplete of saved model names (/load, /delete): answered from SQLite through the manager,
// well within Discord's 3-second limit, and never outside the asking guild.
import { formatBytes, formatDate } from '../i18n/index.js';
import type { AutocompleteContext } from './context.js';
import { truncate } from './render.js';

/** Discord's limits: 25 choices, 100 characters per name and value. */
const MAX_CHOICES = 25;
const CHOICE_LENGTH = 100;

export async function modelNameChoices(ctx: AutocompleteContext): Promise<{ name: string; value: string }[]> {
  if (!ctx.guildId || ctx.focused.name !== 'name') return [];
  return ctx.manager
    .suggest(ctx.guildId, ctx.focused.value.trim())
    .slice(0, MAX_CHOICES)
    .map((choice) => ({
      name: truncate(
        `${choice.name} · v${choice.version} · ${formatDate(choice.createdAt)} · ${formatBytes(ctx.locale, choice.bytes)}`,
        CHOICE_LENGTH,
      ),
      value: choice.name.slice(0, CHOICE_LENGTH),
    }));
}
