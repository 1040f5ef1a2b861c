import { setFlagsFromString } from "node:v8";

/**
 * How far V8 lets the old generation grow past what survived the last full GC, in percent.
 *
 * By default V8 picks a factor of up to 4× from its GC and allocation speeds. A busy listen promotes
 * ~1–2 KB per delivery (the bounded log keeps every record long enough to reach old space) on top of
 * ~25 MB live with the view on, so at thousands of deliveries a second old space saw-tooths between
 * ~25 and ~85 MB and RSS landed anywhere from 180 to 230 MB depending on where in the cycle it was
 * read (the budget in docs/ARCHITECTURE.md: < 200 MB after 100k deliveries). Capping growth at 1.5× keeps old space under
 * ~40 MB and RSS near 155 MB for about one extra full GC a second, mostly marked concurrently
 * (bench/listen.mjs: ~10–20 ms of pauses per second, throughput still well above 2,000/s).
 *
 * This flag is read each time V8 recomputes its limits, so setting it at run time works (unlike the
 * young generation's size, fixed when the heap is set up), and listen needs no re-exec with a flag.
 */
const LISTEN_HEAP_GROWING_PERCENT = 50;

/**
 * V8 majors known to have the flag: 11 (Node 20), 12 (Node 22), 13 (Node 24). An unknown flag is not
 * an exception but a line V8 prints on stderr, over the live view, so a newer V8 goes without.
 */
const KNOWN_V8_MAJORS = new Set([11, 12, 13]);

export function limitHeapGrowth(percent: number = LISTEN_HEAP_GROWING_PERCENT, v8Version = process.versions.v8): boolean {
  if (!KNOWN_V8_MAJORS.has(Number.parseInt(v8Version, 10))) return false;
  setFlagsFromString(`--heap-growing-percent=${percent}`);
  return true;
}
