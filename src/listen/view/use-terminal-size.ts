import { useStdout } from "ink";
import { useEffect, useState } from "react";

interface TerminalSize {
  rows: number;
  columns: number;
}

function measure(stdout: NodeJS.WriteStream): TerminalSize {
  return { rows: stdout.rows || 24, columns: stdout.columns || 80 };
}

/** The terminal's size, following resizes; fixed values (tests, demos) win over the stream's. */
export function useTerminalSize(fixed: Partial<TerminalSize> = {}): TerminalSize {
  const { stdout } = useStdout();
  const [measured, setMeasured] = useState(() => measure(stdout));
  useEffect(() => {
    const onResize = (): void => setMeasured(measure(stdout));
    stdout.on("resize", onResize);
    return () => {
      stdout.off("resize", onResize);
    };
  }, [stdout]);
  return { rows: fixed.rows ?? measured.rows, columns: fixed.columns ?? measured.columns };
}
