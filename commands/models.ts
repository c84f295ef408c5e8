// /models — the guild's saved models, 10 a page, with previous/next buttons, a select menu to
// pick one, then Load / Delete buttons. Only the invoking
// user drives the pager; loading and deleting need Manage Server, like /load and /delete.
import { isUserError } from '../src/errors.js';
import { escapeMarkdown, formatBytes, formatDate, markdown, type Locale, type Translate } from '../src/i18n/index.js';
import type { CommandContext, ComponentInteraction, Reply, ReplyRow } from '../src/commands/context.js';
import type { ModelListing } from '../src/manager/types.js';
import { commandBuilder } from '../src/commands/definition.js';
import { requireGuild } from '../src/commands/options.js';
import { modelSizesText } from '../src/commands/model-sizes.js';
import { errorReply, fieldValue, truncate } from '../src/commands/render.js';

export const PAGE_SIZE = 10;
/** The pager stops answering after this long without a press; its buttons are then removed. */
export const IDLE_TIMEOUT_MS = 5 * 60_000;

const ID = {
  previous: 'models:previous',
  next: 'models:next',
  pick: 'models:pick',
  load: 'models:load',
  delete: 'models:delete',
  confirmDelete: 'models:confirm-delete',
  cancelDelete: 'models:cancel-delete',
  confirmLoad: 'models:confirm-load',
  cancelLoad: 'models:cancel-load',
} as const;

export const data = commandBuilder('models');

interface PagerState {
  page: number;
  selected: string | null;
  confirmingDelete: boolean;
  /** Load pressed while the server has an unsaved model: asks first, as /load does. */
  confirmingLoad?: boolean;
  notice: string | null;
  /** MAX_VERSIONS_PER_MODEL, said under the list. */
  keepVersions?: number;
}

export async function execute(ctx: CommandContext): Promise<void> {
  const guildId = requireGuild(ctx);
  const { t, locale } = ctx;
  let listings = ctx.manager.list(guildId);
  if (listings.length === 0) {
    await ctx.reply({ content: t('models.empty') });
    return;
  }
  const keepVersions = ctx.manager.status(guildId).limits.maxVersionsPerModel;
  const state: PagerState = { page: 0, selected: null, confirmingDelete: false, notice: null, keepVersions };
  await ctx.reply(renderPage(t, locale, listings, state, ctx.canManageGuild));

  for (;;) {
    const press = await ctx.awaitComponent({ ids: Object.values(ID), timeoutMs: IDLE_TIMEOUT_MS, others: 'reject' });
    if (!press) {
      // The token may have expired with the wait; the list itself stays as it was.
      await ctx.edit({ components: [] }).catch(() => undefined);
      return;
    }
    state.notice = null;
    const failed = await applyPress(ctx, guildId, press, state, listings);
    if (failed) continue;
    listings = ctx.manager.list(guildId);
    if (state.selected !== null && !listings.some((listing) => listing.name === state.selected)) state.selected = null;
    const pages = Math.max(1, Math.ceil(listings.length / PAGE_SIZE));
    state.page = Math.min(state.page, pages - 1);
    if (listings.length === 0) {
      await press.update({ content: `${state.notice ?? ''}\n${t('models.empty')}`.trim(), embeds: [], components: [] });
      return;
    }
    await press.update(renderPage(t, locale, listings, state, ctx.canManageGuild));
  }
}

/** Changes the state for one press; true when it answered with an error instead. */
async function applyPress(
  ctx: CommandContext,
  guildId: string,
  press: ComponentInteraction,
  state: PagerState,
  listings: ModelListing[],
): Promise<boolean> {
  const { t } = ctx;
  const pages = Math.max(1, Math.ceil(listings.length / PAGE_SIZE));
  state.confirmingLoad = false;
  try {
    switch (press.customId) {
      case ID.previous:
        state.page = Math.max(0, state.page - 1);
        state.confirmingDelete = false;
        break;
      case ID.next:
        state.page = Math.min(pages - 1, state.page + 1);
        state.confirmingDelete = false;
        break;
      case ID.pick:
        state.selected = press.values[0] ?? null;
        state.confirmingDelete = false;
        break;
      case ID.cancelLoad:
        state.confirmingLoad = false;
        break;
      case ID.load:
      case ID.confirmLoad: {
        if (!state.selected || !ctx.canManageGuild) break;
        if (press.customId === ID.load && ctx.manager.hasUnsavedWorkingModel(guildId)) {
          state.confirmingLoad = true;
          state.notice = t('load.replace.title');
          break;
        }
        const loaded = await ctx.manager.load(guildId, state.selected);
        state.notice = t('models.loaded', { name: loaded.name, version: loaded.version });
        break;
      }
      case ID.delete:
        if (state.selected && ctx.canManageGuild) state.confirmingDelete = true;
        break;
      case ID.cancelDelete:
        state.confirmingDelete = false;
        break;
      case ID.confirmDelete: {
        state.confirmingDelete = false;
        if (!state.selected || !ctx.canManageGuild) break;
        await ctx.manager.delete(guildId, state.selected);
        state.notice = t('models.deleted', { name: state.selected });
        state.selected = null;
        break;
      }
    }
    return false;
  } catch (error) {
    if (!isUserError(error)) throw error;
    state.confirmingDelete = false;
    state.confirmingLoad = false;
    await press.reply(errorReply(press.locale, error));
    return true;
  }
}

export function renderPage(
  t: Translate,
  locale: Locale,
  listings: ModelListing[],
  state: PagerState,
  canManage: boolean,
): Reply {
  const pages = Math.max(1, Math.ceil(listings.length / PAGE_SIZE));
  const page = Math.min(state.page, pages - 1);
  const shown = listings.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
  const fields = shown.map((listing) => {
    // The version the entry describes: the active one when the model is active (it said "v3"
    // for a model whose active version was v1), else the newest.
    const newest = listing.versions[0];
    const latest = listing.versions.find((info) => info.active) ?? newest;
    const marks = [
      latest.active ? `✅ ${t('models.active')}` : '',
      latest.available ? '' : `⚠️ ${t('models.unavailable')}`,
    ]
      .filter(Boolean)
      .join(' · ');
    return {
      name: truncate(`${escapeMarkdown(listing.name)}${marks ? ` — ${marks}` : ''}`, 256),
      value: fieldValue(
        t('models.entry', {
          version: latest.version,
          versions: listing.versions.length,
          newest: newest === latest ? null : newest.version,
          size: markdown(
            formatBytes(
              locale,
              listing.versions.reduce((sum, info) => sum + info.bytes, 0),
            ),
          ),
          date: formatDate(latest.createdAt),
          patterns: latest.stats.patterns,
          embeddings: latest.stats.embeddings,
          sizes: markdown(modelSizesText(t, locale, latest.bytes, latest.stats)),
          nodes: latest.stats.graphNodes,
          order: latest.stats.order,
          minFrequency: latest.stats.params.minFrequency,
          perplexity: latest.stats.heldOutPerplexity,
        }),
      ),
    };
  });

  const description = [t('models.page', { page: page + 1, pages, count: listings.length })];
  if (state.selected) description.push(t('models.selected', { name: state.selected }));
  if (!canManage) description.push(t('models.manageHint'));
  if (state.keepVersions !== undefined) description.push(t('retention.models', { keep: state.keepVersions }));

  const rows: ReplyRow[] = [];
  if (pages > 1) {
    rows.push([
      { kind: 'button', id: ID.previous, label: t('models.previous'), style: 'secondary', disabled: page === 0 },
      { kind: 'button', id: ID.next, label: t('models.next'), style: 'secondary', disabled: page >= pages - 1 },
    ]);
  }
  rows.push([
    {
      kind: 'select',
      id: ID.pick,
      placeholder: t('models.pick'),
      options: shown.map((listing) => ({
        label: truncate(listing.name, 100),
        value: listing.name,
        description: truncate(
          t('models.pickDescription', {
            version: listing.versions[0].version,
            sizes: markdown(modelSizesText(t, locale, listing.versions[0].bytes, listing.versions[0].stats)),
            date: formatDate(listing.versions[0].createdAt),
          }),
          100,
        ),
        default: listing.name === state.selected,
      })),
    },
  ]);
  if (canManage) {
    rows.push(
      state.confirmingLoad
        ? [
            {
              kind: 'button',
              id: ID.confirmLoad,
              label: `${t('load.replace.confirm')}: ${truncate(state.selected ?? '', 60)}`,
              style: 'danger',
            },
            { kind: 'button', id: ID.cancelLoad, label: t('common.cancel'), style: 'secondary' },
          ]
        : state.confirmingDelete
          ? [
              {
                kind: 'button',
                id: ID.confirmDelete,
                label: `${t('models.delete')}: ${truncate(state.selected ?? '', 60)}`,
                style: 'danger',
              },
              { kind: 'button', id: ID.cancelDelete, label: t('common.cancel'), style: 'secondary' },
            ]
          : [
              {
                kind: 'button',
                id: ID.load,
                label: t('models.load'),
                style: 'primary',
                disabled: state.selected === null,
              },
              {
                kind: 'button',
                id: ID.delete,
                label: t('models.delete'),
                style: 'danger',
                disabled: state.selected === null,
              },
            ],
    );
  }

  return {
    content: state.notice ?? '',
    embeds: [{ title: t('models.title'), description: description.join('\n'), fields, tone: 'info' }],
    components: rows,
  };
}
