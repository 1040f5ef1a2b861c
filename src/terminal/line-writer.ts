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
