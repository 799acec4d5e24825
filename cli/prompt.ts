/**
 * Questions to the person at the terminal, or lines from a pipe (`printf 'KEY\nSECRET\n' | storage login`).
 *
 * One readline interface for every question of a command, read through its async iterator: readline reads its input
 * in chunks, and a pipe usually delivers every answer in the first one. The iterator keeps the lines that came before
 * they were asked for (node:readline docs, "rl[Symbol.asyncIterator]()"); `rl.question()` on a fresh interface per
 * question drops them with the interface that read them, and the next question then waits on a stream that has ended.
 */
import { createInterface, type Interface } from 'node:readline';

export class Prompter {
  private readonly readline: Interface;
  private readonly lines: AsyncIterator<string>;
  private readonly terminal: boolean;
  /** While a hidden answer is typed: readline echoes nothing (it writes its echo through `_writeToOutput`). */
  private muted = false;

  constructor(input: NodeJS.ReadableStream & { isTTY?: boolean }, private readonly output: NodeJS.WritableStream) {
    this.terminal = !!input.isTTY;
    this.readline = createInterface({ input, output, terminal: this.terminal });
    if (this.terminal) {
      const writer = this.readline as unknown as { _writeToOutput: (text: string) => void };
      const write = writer._writeToOutput.bind(writer);
      writer._writeToOutput = (text: string) => {
        if (!this.muted) write(text);
      };
    }
    this.lines = this.readline[Symbol.asyncIterator]();
  }

  /**
   * Shows `question` (on a terminal: a pipe has nobody to read it) and answers the next line, trimmed; undefined when
   * the input ended first. `hidden`: what is typed on a terminal is not echoed (a secret).
   */
  async ask(question: string, options: { hidden?: boolean } = {}): Promise<string | undefined> {
    if (this.terminal) {
      this.readline.setPrompt(question);
      this.readline.prompt();
    }
    this.muted = !!options.hidden && this.terminal;
    try {
      const next = await this.lines.next();
      return next.done ? undefined : next.value.trim();
    } finally {
      if (this.muted) {
        this.muted = false;
        this.output.write('\n');
      }
    }
  }

  /** Releases the input (a terminal's stdin would keep the process alive). */
  close(): void {
    this.readline.close();
  }
}
