// Where replies go. On a terminal an edited message is redrawn in place while it is still the
// last thing on screen (a live progress bar); anywhere else (a pipe, a file, a terminal where
// something was printed since) an edit is printed again below, as plain lines.
import { clearScreenDown, cursorTo, moveCursor } from 'node:readline';

export interface ScreenOptions {
  /** Redraw edits in place (only on a terminal). */
  live: boolean;
  /** Columns; asked each time because a terminal can be resized. */
  width: () => number;
  /** Rows of the terminal; a block taller than this cannot be redrawn in place. */
  height: () => number;
}

export class Screen {
  /** The message whose lines end the output, and how many lines it took. */
  private lastBlock: { messageId: number; lines: string[] } | null = null;

  constructor(
    private readonly output: NodeJS.WritableStream,
    private readonly options: ScreenOptions,
  ) {}

  get live(): boolean {
    return this.options.live;
  }

  width(): number {
    return this.options.width();
  }

  /** Plain lines that belong to no message (notices, help, errors). */
  print(lines: readonly string[]): void {
    for (const line of lines) this.output.write(`${line}\n`);
    this.lastBlock = null;
  }

  /** Something else wrote to the terminal (an echoed input line): nothing may be redrawn now. */
  invalidate(): void {
    this.lastBlock = null;
  }

  /** A message printed for the first time, or again after other output. */
  showMessage(messageId: number, lines: readonly string[]): void {
    for (const line of lines) this.output.write(`${line}\n`);
    this.lastBlock = { messageId, lines: [...lines] };
  }

  /**
   * Shows the new state of a message. Returns how it was shown: redrawn in place, printed
   * (whole, or only what it gained), or not at all. `previousBody` is how many of the previous
   * lines were text rather than buttons: an edit that keeps that text and only drops buttons or
   * adds lines below (a "saved" table under the training result) prints just the difference.
   */
  updateMessage(
    messageId: number,
    lines: readonly string[],
    previous: readonly string[],
    previousBody: number = previous.length,
  ): 'redrawn' | 'printed' | 'unchanged' {
    const same = lines.length === previous.length && lines.every((line, index) => line === previous[index]);
    if (same) return 'unchanged';
    const isLast = this.lastBlock?.messageId === messageId;
    if (this.options.live && isLast && this.lastBlock!.lines.length < this.options.height()) {
      moveCursor(this.output, 0, -this.lastBlock!.lines.length);
      cursorTo(this.output, 0);
      clearScreenDown(this.output);
      this.showMessage(messageId, lines);
      return 'redrawn';
    }
    let kept = 0;
    while (kept < lines.length && kept < previous.length && lines[kept] === previous[kept]) kept++;
    if (kept >= previousBody && kept > 0) {
      if (lines.length === kept) return 'unchanged';
      this.showMessage(messageId, lines.slice(kept));
      return 'printed';
    }
    this.showMessage(messageId, lines);
    return 'printed';
  }
}
