#!/usr/bin/env node
// Builds dist/ from src/: one ES module bundle, split at every dynamic import, so a command loads
// its own group's chunk and nothing else. Type-checking is tsc's job (npm run typecheck).
//   node scripts/build.mjs
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");

rmSync(dist, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ["src/cli.ts"],
  outdir: dist,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: true,
  // Less to read and compile on every start; the source maps keep stack traces readable.
  minify: true,
  chunkNames: "chunks/[name]-[hash]",
  // Left to Node at run time:
  // - cloudflared finds the binary it downloaded relative to its own folder;
  // - undici is CommonJS loaded with import(), and in a split bundle esbuild gives such a module only
  //   a default export, where Node gives the named ones (`(await import("undici")).Pool`);
  // - react-devtools-core is imported by Ink only when DEV=true, and is not installed.
  external: ["cloudflared", "undici", "react-devtools-core"],
  // React picks its build by NODE_ENV; deciding it here drops the development build from the bundle,
  // whatever the user's shell exports.
  define: { "process.env.NODE_ENV": '"production"' },
  // CommonJS packages in the bundle (commander, React, undici…) call require() for Node's built-ins,
  // and an ES module has no require of its own.
  banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
  logLevel: "warning",
  metafile: false,
});
