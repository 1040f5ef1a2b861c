import { progressLine } from "./report.js";

/** `1200/20000 sent, 0 failed` rewritten in place on a terminal, at most ten times a second. */
export class ProgressLine {
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly total: number,
    private readonly everyMs = 100,
    /** The line's text; trigger's `sent, failed` unless a command counts something else. */
    private readonly format: (done: number, total: number, failed: number) => string = progressLine,
  ) {}

  update(done: number, failed: number): void {
    const now = Date.now();
    if (now - this.lastDraw < this.everyMs && done < this.total) return;
    this.lastDraw = now;
    this.drawn = true;
    // Erased to the end: a command's line may get shorter (check's "waiting for …" goes away).
    this.stream.write(`\r${this.format(done, this.total, failed)}\u001B[K`);
  }

  /** Clears the line, so the summary is printed in its place. */
  stop(): void {
    if (this.drawn) this.stream.write("\r\u001B[K");
  }
}
