import {
  closeSync,
  fdatasync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { open, rename } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { applyChange, changesOf, type Change } from "./changes.js";
import { emptyState, readLegacyState, STATE_FILE, type EmulatorState } from "./persist.js";
import { changeProblem } from "./state-shape.js";

/**
 * The data folder's files. The state is a snapshot plus the journal written since it:
 *
 *   emulator-snapshot.ndjson         {"snapshot":1,"journal":G}, one change per line, {"end":N}
 *   emulator-journal-00000G.ndjson   one change per line, appended (and fsynced) as they happen
 *
 * A change costs one appended line however much is stored. When the journal outgrows the
 * snapshot, the store writes a new snapshot (journal G+1 from then on) and removes journal G.
 * Load replays every journal from the snapshot's G on, so a crash at any point of that leaves a
 * complete state: the old snapshot and both journals, or the new one and journal G+1.
 */
export const SNAPSHOT_FILE = "emulator-snapshot.ndjson";
const JOURNAL_NAME = /^emulator-journal-(\d+)\.ndjson$/;
const TEMP_SUFFIX = ".tmp";

export function journalFile(generation: number): string {
  return `emulator-journal-${String(generation).padStart(6, "0")}.ndjson`;
}

interface LoadedData {
  state: EmulatorState;
  /** The journal to append to. */
  generation: number;
  journalBytes: number;
  snapshotBytes: number;
  /** One line each: a torn last record dropped, an old state file migrated. */
  notices: string[];
}

/** A record that cannot be used, named by file and line, with what to do. */
function refusal(file: string, line: number | undefined, problem: string): Error {
  const where = line === undefined ? file : `${file} line ${line}`;
  return new Error(`${where} cannot be used (${problem}); move the folder's emulator-* files away to start afresh`);
}

interface ReadFile {
  /** Whole lines read. */
  lines: number;
  /** Bytes up to the end of the last whole line. */
  wholeBytes: number;
  /** Bytes after it: the start of a record whose write never finished. */
  tornBytes: number;
}

/**
 * Reads NDJSON a piece at a time (a snapshot may be larger than one string can be) and hands each
 * parsed line to `each`; a line that is not JSON is a refusal, an unterminated last one is left to
 * the caller.
 */
function readLines(path: string, each: (value: unknown, line: number) => void): ReadFile {
  const fd = openSync(path, "r");
  try {
    const piece = Buffer.allocUnsafe(READ_PIECE_BYTES);
    let carry = Buffer.alloc(0);
    let lines = 0;
    let wholeBytes = 0;
    for (;;) {
      const read = readSync(fd, piece, 0, piece.length, null);
      if (read === 0) break;
      const data = carry.length > 0 ? Buffer.concat([carry, piece.subarray(0, read)]) : piece.subarray(0, read);
      let start = 0;
      for (let end = data.indexOf(10, start); end >= 0; end = data.indexOf(10, start)) {
        lines++;
        let value: unknown;
        try {
          value = JSON.parse(data.toString("utf8", start, end));
        } catch {
          throw refusal(path, lines, "not a JSON record");
        }
        each(value, lines);
        start = end + 1;
      }
      wholeBytes += start;
      // Copied: `piece` is read into again.
      carry = Buffer.from(data.subarray(start));
    }
    return { lines, wholeBytes, tornBytes: carry.length };
  } finally {
    closeSync(fd);
  }
}

const READ_PIECE_BYTES = 8 << 20;

function applyLine(path: string, state: EmulatorState, value: unknown, line: number): void {
  const problem = changeProblem(value);
  if (problem) throw refusal(path, line, problem);
  applyChange(state, value as Change);
}

function isTrailer(value: unknown): value is { end: unknown } {
  return typeof value === "object" && value !== null && Object.keys(value).length === 1 && "end" in value;
}

function readSnapshot(path: string): { state: EmulatorState; generation: number } {
  const state = emptyState();
  let generation = 0;
  let trailer: { end: unknown; line: number } | undefined;
  const read = readLines(path, (value, line) => {
    if (line === 1) {
      const header = value as { snapshot?: unknown; journal?: unknown } | null;
      if (header?.snapshot !== 1 || !Number.isSafeInteger(header.journal) || (header.journal as number) < 1) {
        throw refusal(path, 1, "no snapshot header");
      }
      generation = header.journal as number;
    } else if (trailer) throw refusal(path, line, "a record after the end");
    else if (isTrailer(value)) trailer = { end: value.end, line };
    else applyLine(path, state, value, line);
  });
  if (read.lines === 0) throw refusal(path, 1, "no snapshot header");
  // Written whole and renamed into place, so anything short of the trailer is damage, not a crash.
  if (read.tornBytes > 0 || !trailer || trailer.end !== trailer.line - 2) {
    throw refusal(path, undefined, "it ends before its last record");
  }
  return { state, generation };
}

/**
 * The state in `dir` (created 0700 when missing), ready to append to. An old single-file state is
 * migrated once; a torn last journal record (a write that a crash cut short, never acknowledged)
 * is cut off with a notice; anything else unreadable is refused by name and left as it was.
 * `cleanUp` removes temp files of writes that never finished (not while a compaction may be running).
 */
export function loadDataDir(dir: string, cleanUp = true): LoadedData {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const notices: string[] = [];
  const names = readdirSync(dir);
  if (cleanUp) {
    for (const name of names) {
      if (name.startsWith("emulator-") && name.endsWith(TEMP_SUFFIX)) rmSync(join(dir, name), { force: true });
    }
  }
  const journals = names
    .map((name) => ({ name, generation: Number(JOURNAL_NAME.exec(name)?.[1]) }))
    .filter((j) => Number.isSafeInteger(j.generation) && j.generation > 0)
    .sort((a, b) => a.generation - b.generation);

  const snapshotPath = join(dir, SNAPSHOT_FILE);
  let loaded: { state: EmulatorState; generation: number };
  if (names.includes(SNAPSHOT_FILE)) loaded = readSnapshot(snapshotPath);
  else {
    if (journals.length > 0) throw refusal(join(dir, journals[0]!.name), undefined, `there is no ${SNAPSHOT_FILE} beside it`);
    const legacy = readLegacyState(dir);
    loaded = { state: legacy ?? emptyState(), generation: 1 };
    writeSnapshotSync(dir, loaded.state, 1);
    if (legacy) {
      rmSync(join(dir, STATE_FILE));
      syncDir(dir);
      notices.push(`migrated ${join(dir, STATE_FILE)} to a snapshot and journal (${SNAPSHOT_FILE}); the old file is removed`);
    }
  }

  const { state } = loaded;
  // Journal S is created before snapshot S is written, so a folder whose older journals remain
  // without it was not left by the emulator: deleting them (below) would lose what they hold.
  const older = journals.filter((j) => j.generation < loaded.generation);
  if (older.length > 0 && !journals.some((j) => j.generation === loaded.generation)) {
    throw refusal(snapshotPath, 1, `it names journal ${loaded.generation}, which is missing, while ${older.at(-1)!.name} is there`);
  }
  let generation = loaded.generation;
  let journalBytes = 0;
  const current = journals.filter((j) => j.generation >= loaded.generation);
  for (const [i, journal] of current.entries()) {
    const path = join(dir, journal.name);
    const read = readLines(path, (value, line) => applyLine(path, state, value, line));
    if (read.tornBytes > 0) {
      if (i < current.length - 1) throw refusal(path, read.lines + 1, "an unfinished record before the last journal");
      cutTail(path, read.wholeBytes);
      notices.push(`dropped an unfinished last record of ${path} (${read.tornBytes} bytes): a write cut short by a crash, never acknowledged`);
    }
    generation = journal.generation;
    journalBytes = read.wholeBytes;
  }
  // Journals older than the snapshot were folded into it; a crash stopped their removal.
  for (const journal of journals) {
    if (journal.generation < loaded.generation) rmSync(join(dir, journal.name), { force: true });
  }
  return { state, generation, journalBytes, snapshotBytes: statSync(snapshotPath).size, notices };
}

function cutTail(path: string, length: number): void {
  const fd = openSync(path, "r+");
  try {
    ftruncateSync(fd, length);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The snapshot's text in pieces of about 1 MB, so neither side ever holds it as one string. */
function* snapshotChunks(state: EmulatorState, generation: number): Generator<string> {
  let chunk = JSON.stringify({ snapshot: 1, journal: generation }) + "\n";
  let count = 0;
  for (const change of changesOf(state)) {
    chunk += JSON.stringify(change) + "\n";
    count++;
    if (chunk.length >= 1 << 20) {
      yield chunk;
      chunk = "";
    }
  }
  yield chunk + JSON.stringify({ end: count }) + "\n";
}

function writeSnapshotSync(dir: string, state: EmulatorState, generation: number): void {
  const temp = join(dir, SNAPSHOT_FILE + TEMP_SUFFIX);
  const fd = openSync(temp, "w", 0o600);
  try {
    for (const chunk of snapshotChunks(state, generation)) writeSync(fd, chunk);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, join(dir, SNAPSHOT_FILE));
  syncDir(dir);
}

/**
 * Writes `state` (a frozen copy: this takes many turns of the event loop) as the snapshot that
 * journal `generation` continues, atomically: a temp file, flushed, renamed over the old one.
 * Returns its size.
 */
export async function writeSnapshot(dir: string, state: EmulatorState, generation: number): Promise<number> {
  const temp = join(dir, SNAPSHOT_FILE + TEMP_SUFFIX);
  const file = await open(temp, "w", 0o600);
  let size = 0;
  try {
    for (const chunk of snapshotChunks(state, generation)) {
      const bytes = Buffer.from(chunk);
      await file.write(bytes);
      size += bytes.length;
    }
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, join(dir, SNAPSHOT_FILE));
  syncDir(dir);
  return size;
}

/** Flushes a folder's entries (a new or renamed file) where the platform allows it. */
function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Windows cannot open a folder for fsync; renames are still atomic there.
  }
}

export function removeJournalsBefore(dir: string, generation: number): void {
  for (const name of readdirSync(dir)) {
    const g = Number(JOURNAL_NAME.exec(name)?.[1]);
    if (Number.isSafeInteger(g) && g < generation) rmSync(join(dir, name), { force: true });
  }
}

const datasyncAsync = promisify(fdatasync);

/** One journal file open for appending. Appends are made one at a time by the store. */
export class JournalWriter {
  private readonly fd: number;

  constructor(
    readonly dir: string,
    readonly generation: number,
    public bytes: number,
  ) {
    this.fd = openSync(join(dir, journalFile(generation)), "a", 0o600);
    // A new file's name must be on disk before anything in it is acknowledged.
    if (bytes === 0) syncDir(dir);
  }

  /**
   * Appends `text` (whole lines) to the file, synchronously: a copy into the kernel's cache, which
   * a crash of this process cannot lose and which orders batches by the order of the calls. On
   * failure the file is cut back to where it was, so a half-written batch never precedes the next.
   */
  write(text: string): void {
    const buffer = Buffer.from(text);
    const before = this.bytes;
    try {
      let written = 0;
      while (written < buffer.length) written += writeSync(this.fd, buffer, written, buffer.length - written);
      this.bytes = before + buffer.length;
    } catch (error) {
      this.cutBack(before);
      throw error;
    }
  }

  /**
   * Flushes everything written so far to the disk, off the event loop's thread. Several may run
   * at once: each covers every write made before it started.
   */
  sync(): Promise<void> {
    return datasyncAsync(this.fd);
  }

  /** Drops what was written past `bytes` (a batch whose flush failed). */
  cutBack(bytes: number): void {
    try {
      ftruncateSync(this.fd, bytes);
      this.bytes = bytes;
    } catch {
      // The load drops a torn tail anyway.
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}
