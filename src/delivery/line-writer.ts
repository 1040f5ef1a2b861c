import { progressLine } from "./report.js";

/**
 * Gathers output lines and writes them in chunks. process.stdout writes to files and pipes
 * synchronously, so a write per delivery would cost a system call each; a run of 20,000 deliveries
 * instead writes a chunk per turn of the event loop (or per 64 KB).
 */
export class LineWriter {
  private pending = "";
  private scheduled = false;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly highWaterMark = 64 * 1024,
  ) {}

  write(line: string): void {
    this.pending += line + "\n";
    if (this.pending.length >= this.highWaterMark) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushScheduled);
    }
  }

  private readonly flushScheduled = (): void => {
    this.scheduled = false;
    this.flush();
  };

  flush(): void {
    if (this.pending === "") return;
    const chunk = this.pending;
    this.pending = "";
    this.stream.write(chunk);
  }
}

/** `1200/20000 sent, 0 failed` rewritten in place on a terminal, at most ten times a second. */
export class ProgressLine {
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly total: number,
    private readonly everyMs = 100,
  ) {}

  update(done: number, failed: number): void {
    const now = Date.now();
    if (now - this.lastDraw < this.everyMs && done < this.total) return;
    this.lastDraw = now;
    this.drawn = true;
    this.stream.write(`\r${progressLine(done, this.total, failed)}`);
  }

  /** Clears the line, so the summary is printed in its place. */
  stop(): void {
    if (this.drawn) this.stream.write("\r\u001B[K");
  }
}
