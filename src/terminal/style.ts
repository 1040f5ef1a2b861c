/**
 * A few ANSI styles with chalk's call shape (`style.red("x")`, `style.bold.green("x")`). Output
 * builds one for every command, so it is on the start-up path: chalk, even bundled, costs about
 * 0.08x of `node -e 0` there (bench/startup.mjs), against a budget of 0.2x for everything, and its
 * colour-support probing is not needed, as Output has already decided whether colour is on.
 * Ink colours its own output with chalk; the two agree on the codes (tested).
 */
const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  italic: [3, 23],
  underline: [4, 24],
  inverse: [7, 27],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  white: [37, 39],
  gray: [90, 39],
  grey: [90, 39],
} as const;

export type StyleName = keyof typeof CODES;
export type Style = ((...text: unknown[]) => string) & { readonly [K in StyleName]: Style };

function build(enabled: boolean, open: string, close: string): Style {
  const fn = ((...text: unknown[]) => {
    const s = text.join(" ");
    return enabled && open ? open + s + close : s;
  }) as Style;
  for (const name of Object.keys(CODES) as StyleName[]) {
    // Built on first use and then kept: building one defines 14 properties, and line printers ask
    // for `style.dim` twice per delivery (listen printed ~5,000 lines a second through this).
    Object.defineProperty(fn, name, {
      configurable: true,
      get: () => {
        const [o, c] = CODES[name];
        const styled = build(enabled, open + `\u001B[${o}m`, `\u001B[${c}m` + close);
        Object.defineProperty(fn, name, { value: styled });
        return styled;
      },
    });
  }
  return fn;
}

export function createStyle(enabled: boolean): Style {
  return build(enabled, "", "");
}

/** Removes ANSI escapes, for width calculations and tests. */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001B\[[0-9;]*m/g, "");
}
