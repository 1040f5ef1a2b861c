import { createContext, useContext } from "react";

/**
 * Whether the live view may colour its text. Ink's own chalk only probes the terminal; this also
 * honours `--no-color` and NO_COLOR, decided once by the command (see shouldUseColor in output.ts).
 */
export const ColorContext = createContext(true);

export function useColor(): boolean {
  return useContext(ColorContext);
}
