// Button presses, select choices and modal submissions go to the command that is waiting for
// them. A wait is keyed by the message that holds the components (and, for modals, by the user
// and modal id), so two commands running at once in one channel never see each other's presses.
// Presses nobody waits for any more are answered "this question expired" by the adapter.
import type { MessageComponentInteraction, ModalSubmitInteraction } from 'discord.js';

export type RoutedInteraction = MessageComponentInteraction | ModalSubmitInteraction;

interface ComponentWait {
  messageId: string;
  ids: readonly string[];
  ownerId: string;
  others: 'reject' | 'accept';
  resolve(interaction: RoutedInteraction | null): void;
}

interface ModalWait {
  userId: string;
  modalId: string;
  resolve(interaction: ModalSubmitInteraction | null): void;
}

export type DispatchResult = 'delivered' | 'not-yours' | 'unclaimed';

interface HeldPress {
  interaction: RoutedInteraction;
  claim(outcome: DispatchResult): void;
}

export class ComponentRouter {
  private readonly componentWaits = new Set<ComponentWait>();
  private readonly modalWaits = new Set<ModalWait>();
  /** Presses that arrived before their command started waiting (see hold). */
  private readonly held = new Set<HeldPress>();

  /** Resolves with the first matching interaction, or null on timeout or abort. */
  waitForComponent(options: {
    messageId: string;
    ids: readonly string[];
    ownerId: string;
    others?: 'reject' | 'accept';
    timeoutMs: number;
    signal?: AbortSignal;
  }): Promise<RoutedInteraction | null> {
    return new Promise((resolve) => {
      if (options.signal?.aborted) {
        resolve(null);
        return;
      }
      const wait: ComponentWait = {
        messageId: options.messageId,
        ids: options.ids,
        ownerId: options.ownerId,
        others: options.others ?? 'reject',
        resolve: (interaction) => {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          this.componentWaits.delete(wait);
          resolve(interaction);
        },
      };
      const onAbort = () => wait.resolve(null);
      const timer = setTimeout(() => wait.resolve(null), Math.max(0, options.timeoutMs));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.componentWaits.add(wait);
      this.releaseHeld();
    });
  }

  /**
   * A press can reach the bot before the command that sent the buttons starts waiting (the user
   * clicks while the bot still reads Discord's answer to its reply). Such a press is held for a
   * moment and goes to the first wait that matches it; 'unclaimed' if none comes within `ms`.
   */
  hold(interaction: RoutedInteraction, ms: number): Promise<DispatchResult> {
    return new Promise((resolve) => {
      const entry: HeldPress = {
        interaction,
        claim: (outcome) => {
          clearTimeout(timer);
          this.held.delete(entry);
          resolve(outcome);
        },
      };
      const timer = setTimeout(() => {
        this.held.delete(entry);
        resolve('unclaimed');
      }, ms);
      this.held.add(entry);
    });
  }

  private releaseHeld(): void {
    for (const entry of [...this.held]) {
      const outcome = this.dispatch(entry.interaction);
      if (outcome !== 'unclaimed') entry.claim(outcome);
    }
  }

  /** One wait per user and modal id: a newer wait (the modal shown again) ends the older one. */
  waitForModal(options: {
    userId: string;
    modalId: string;
    timeoutMs: number;
  }): Promise<ModalSubmitInteraction | null> {
    for (const wait of this.modalWaits) {
      if (wait.userId === options.userId && wait.modalId === options.modalId) wait.resolve(null);
    }
    return new Promise((resolve) => {
      const wait: ModalWait = {
        userId: options.userId,
        modalId: options.modalId,
        resolve: (interaction) => {
          clearTimeout(timer);
          this.modalWaits.delete(wait);
          resolve(interaction);
        },
      };
      const timer = setTimeout(() => wait.resolve(null), Math.max(0, options.timeoutMs));
      this.modalWaits.add(wait);
      this.releaseHeld();
    });
  }

  /**
   * Hands the interaction to every wait it matches. 'not-yours': it matched only waits whose
   * owner is someone else and who reject other users; those keep waiting.
   */
  dispatch(interaction: RoutedInteraction): DispatchResult {
    const messageId = interaction.message?.id ?? null;
    const userId = interaction.user.id;
    const matching = [...this.componentWaits].filter(
      (wait) => wait.messageId === messageId && wait.ids.includes(interaction.customId),
    );
    const allowed = matching.filter((wait) => wait.ownerId === userId || wait.others === 'accept');
    const modalMatches = interaction.isModalSubmit()
      ? [...this.modalWaits].filter((wait) => wait.userId === userId && wait.modalId === interaction.customId)
      : [];
    if (allowed.length === 0 && modalMatches.length === 0) return matching.length > 0 ? 'not-yours' : 'unclaimed';
    for (const wait of allowed) wait.resolve(interaction);
    for (const wait of modalMatches) wait.resolve(interaction as ModalSubmitInteraction);
    return 'delivered';
  }

  /** Ends every wait with null (shutdown). */
  closeAll(): void {
    for (const wait of [...this.componentWaits]) wait.resolve(null);
    for (const wait of [...this.modalWaits]) wait.resolve(null);
  }

  get pending(): number {
    return this.componentWaits.size + this.modalWaits.size;
  }
}
