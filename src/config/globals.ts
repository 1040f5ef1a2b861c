/** Options every command accepts, wherever they appear on the command line. */
export interface GlobalOptions {
  json?: boolean;
  /** false with --no-color. */
  color?: boolean;
  verbose?: boolean;
  profile?: string;
  apiBase?: string;
  apiKey?: string;
}
