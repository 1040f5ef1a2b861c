/**
 * How the live view splits the terminal's rows. Everything above and below the list has a fixed
 * height, so the list gets exactly what is left and the frame never grows past the screen (Ink
 * clears and redraws the whole terminal on every frame once output reaches its height).
 */

/** Header (3) + counters (1) + column titles (1) + status bar (2). */
const FIXED_ROWS = 7;
/** One row kept free below the frame. */
const SPARE_ROWS = 1;
const MIN_LIST_ROWS = 3;

export interface ListenViewLayout {
  /** Delivery rows in the list. */
  listRows: number;
  /** Content lines in the details pane (it replaces the column titles and the list). */
  detailRows: number;
}

export function listenViewLayout(terminalRows: number): ListenViewLayout {
  const rows = Number.isFinite(terminalRows) && terminalRows > 0 ? Math.floor(terminalRows) : 24;
  const listRows = Math.max(MIN_LIST_ROWS, rows - FIXED_ROWS - SPARE_ROWS);
  return { listRows, detailRows: listRows };
}
