#!/usr/bin/env node
// Builds dist/ from src/ in two passes. Type-checking is tsc's job (npm run typecheck).
//   node scripts/build.mjs
//
// 1. esbuild bundles src/cli.ts as ES modules split at every dynamic import, so a command loads its
//    own group's chunk and nothing else.
// 2. Each chunk is then lowered to CommonJS (`.cjs`), except a chunk that needs top-level await (the
//    live view: Ink's layout engine awaits its WebAssembly) and whatever imports one statically; those
//    stay ES modules (`.mjs`). Node loads CommonJS without starting its ES module loader, which is a
//    large share of a short command's start-up on Node 20; the live view pays for that loader when it
//    opens, and a long-running view can afford it. ES modules import CommonJS chunks with their
//    named exports (esbuild marks them for Node's export detection), and both kinds share one instance
//    of every chunk, so there is still one copy of each module in a process. What cli.js loads at
//    every start (its "core") goes into cli.cjs itself rather than a dozen small files.
// Source maps go through both passes, so a stack trace still points into src/.
import { build, transform } from "esbuild";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, posix, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");

// CommonJS packages in the bundle (commander, React, undici…) call require() for Node's built-ins,
// and an ES module has no require of its own. Pass 2 takes it out of the bundled text and gives it
// back, as the file's first line, only to the chunks that stay ES modules.
const ESM_REQUIRE = 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);';
const COMMONJS_PRELUDE = '"use strict";const __importMeta={get url(){return require("node:url").pathToFileURL(__filename).href}};';

const staging = mkdtempSync(join(tmpdir(), "fanfare-build-"));
try {
  await bundleAsModules(staging);
  rmSync(dist, { recursive: true, force: true });
  await lowerToCommonJs(staging, dist);
} finally {
  rmSync(staging, { recursive: true, force: true });
}

/** Pass 1: the split ES module bundle, with linked source maps, into `outdir`. */
async function bundleAsModules(outdir) {
  await build({
    absWorkingDir: root,
    entryPoints: ["src/cli.ts"],
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    sourcemap: "linked",
    sourcesContent: false,
    // Less to read and compile on every start; the source maps keep stack traces readable.
    minify: true,
    chunkNames: "chunks/[name]-[hash]",
    // Left to Node at run time:
    // - cloudflared finds the binary it downloaded relative to its own folder;
    // - undici is CommonJS, and in a split ES module bundle esbuild gives such a package loaded with
    //   import() only a default export, where Node gives the named ones (`(await import("undici")).Pool`);
    // - react-devtools-core is imported by Ink only when DEV=true, and is not installed.
    external: ["cloudflared", "undici", "react-devtools-core"],
    // React picks its build by NODE_ENV; deciding it here drops the development build from the bundle,
    // whatever the user's shell exports.
    define: { "process.env.NODE_ENV": '"production"' },
    banner: { js: ESM_REQUIRE },
    logLevel: "warning",
    metafile: true,
  }).then(({ metafile }) => writeFileSync(join(outdir, "meta.json"), JSON.stringify(metafile)));
}

/** Pass 2: the chunks of `from` into `to`, as CommonJS where they can be. */
async function lowerToCommonJs(from, to) {
  const { outputs } = JSON.parse(readFileSync(join(from, "meta.json"), "utf8"));
  // The metafile names files relative to the working directory; chunks are named relative to `from`.
  const nameOf = (path) => relative(from, join(root, path)).split("\\").join("/");
  const imports = new Map(
    Object.entries(outputs)
      .filter(([path]) => path.endsWith(".js"))
      .map(([path, output]) => [
        nameOf(path),
        output.imports.filter((i) => !i.external).map((i) => ({ chunk: nameOf(i.path), dynamic: i.kind === "dynamic-import" })),
      ]),
  );
  const chunks = [...imports.keys()];
  const reachable = (start, seen = new Set()) => {
    for (const i of imports.get(start)) if (!i.dynamic && !seen.has(i.chunk)) reachable(i.chunk, seen.add(i.chunk));
    return seen;
  };

  // The core: what cli.js imports statically, so every run loads it. esbuild splits out whatever cli.js
  // shares with a command group, not knowing that a group is only ever loaded after cli.js; here the
  // core goes into cli.cjs itself (a file read and compiled once, not a dozen), which hands its modules
  // to the groups (`__chunks`), so each still exists once.
  const ENTRY = "cli.js";
  const core = reachable(ENTRY);

  // A chunk stays an ES module when it awaits at the top level, or imports one that does (require()
  // cannot load an ES module on Node 20).
  const modules = new Set();
  const awaiting = await Promise.all(chunks.map((chunk) => hasTopLevelAwait(from, chunk)));
  chunks.forEach((chunk, i) => awaiting[i] && modules.add(chunk));
  for (let grew = true; grew; ) {
    grew = false;
    for (const chunk of chunks) {
      if (!modules.has(chunk) && imports.get(chunk).some((i) => !i.dynamic && modules.has(i.chunk))) {
        modules.add(chunk);
        grew = true;
      }
    }
  }
  for (const chunk of core) if (modules.has(chunk)) throw new Error(`${chunk} is loaded at every start but must stay an ES module`);
  const outName = (chunk) => chunk.replace(/\.js$/, modules.has(chunk) ? ".mjs" : ".cjs");

  const groups = chunks.filter((chunk) => chunk !== ENTRY && !core.has(chunk));
  await Promise.all([
    // cli.js, with its core inlined and handed to the groups by name.
    lower({
      stdin: {
        contents:
          `export * from "./${ENTRY}";\n` +
          [...core].map((c, n) => `import * as c${n} from "./${c}";\n`).join("") +
          `export const __chunks = { ${[...core].map((c, n) => `${JSON.stringify(c)}: c${n}`).join(", ")} };\n`,
        resolveDir: from,
        // A name of its own: named cli.js, it would be the file it re-exports.
        sourcefile: "cli-entry.js",
        loader: "js",
      },
      outfile: join(to, outName(ENTRY)),
    }),
    lower({ entryPoints: groups.filter((c) => !modules.has(c)).map((c) => join(from, c)), outdir: to, outbase: from, outExtension: { ".js": ".cjs" } }),
    lower({ entryPoints: groups.filter((c) => modules.has(c)).map((c) => join(from, c)), outdir: to, outbase: from, outExtension: { ".js": ".mjs" } }, true),
  ]);

  /** One esbuild pass over some chunks, each bundled alone: the chunks it imports stay apart. */
  async function lower(entry, asModule = false) {
    if (entry.entryPoints?.length === 0) return;
    const intoEntry = entry.stdin !== undefined;
    // Where the output files sit, for the paths between them: cli.cjs in dist/, the rest in chunks/.
    const outDir = intoEntry ? "." : "chunks";
    const pathTo = (target) => "./" + posix.relative(outDir, outName(target));
    const result = await build({
      absWorkingDir: root,
      ...entry,
      bundle: true,
      format: asModule ? "esm" : "cjs",
      platform: "node",
      target: "node20",
      sourcemap: "linked",
      sourcesContent: false,
      minify: true,
      // A CommonJS chunk loads the chunks it imports with require(), even through import(), so a
      // command never starts the ES module loader; an ES module chunk is reached by a real import()
      // (rewritten below).
      supported: asModule ? {} : { "dynamic-import": false },
      // An ES module chunk gets its require() back as the file's own first line, where esbuild's
      // helpers find it (inside the bundled text, esbuild would rename it). A CommonJS chunk is
      // strict, as the ES module it was, and has an import.meta whose url is its own file's.
      define: asModule ? {} : { "import.meta": "__importMeta" },
      banner: { js: asModule ? ESM_REQUIRE : COMMONJS_PRELUDE },
      plugins: [
        {
          name: "chunks",
          setup(b) {
            b.onResolve({ filter: /^\.\.?\// }, (args) => {
              if (args.kind === "entry-point") return undefined;
              if (args.namespace === "core") return { path: args.path, external: true };
              const target = posix.relative(from, posix.join(args.resolveDir, args.path));
              if (!imports.has(target)) throw new Error(`${args.importer} imports ${args.path}, which is not a chunk of this build`);
              if (intoEntry && (target === ENTRY || core.has(target))) return { path: join(from, target) };
              if (core.has(target)) return { path: target, namespace: "core" };
              return { path: pathTo(target), external: true };
            });
            b.onLoad({ filter: /.*/, namespace: "core" }, (args) => ({
              contents: `module.exports = require(${JSON.stringify(pathTo(ENTRY))}).__chunks[${JSON.stringify(args.path)}];`,
              loader: "js",
            }));
            b.onResolve({ filter: /^[^.]/ }, (args) => (args.kind === "entry-point" ? undefined : { path: args.path, external: true }));
            b.onLoad({ filter: /\.js$/ }, (args) => {
              const text = readFileSync(args.path, "utf8");
              if (!text.startsWith(ESM_REQUIRE)) throw new Error(`${args.path} lacks the require banner`);
              // The same length in spaces, so the source map's columns still hold.
              return { contents: " ".repeat(ESM_REQUIRE.length) + text.slice(ESM_REQUIRE.length), loader: "js", resolveDir: dirname(args.path) };
            });
          },
        },
      ],
      logLevel: "silent",
      write: false,
    });
    if (result.warnings.length > 0) throw new Error(result.warnings.map((w) => `${w.location?.file ?? ""}: ${w.text}`).join("; "));
    for (const file of result.outputFiles) {
      const text = !asModule && file.path.endsWith(".cjs") ? importModulesForReal(file.text, file.path) : file.text;
      mkdirSync(dirname(file.path), { recursive: true });
      writeFileSync(file.path, text);
    }
  }
}

/** Whether `chunk` awaits at the top level, which CommonJS cannot express. */
async function hasTopLevelAwait(from, chunk) {
  try {
    await transform(readFileSync(join(from, chunk), "utf8").replace(ESM_REQUIRE, ""), { format: "cjs", logLevel: "silent" });
    return false;
  } catch (error) {
    if (error.errors?.some((e) => /top-level await/i.test(e.text))) return true;
    throw error;
  }
}

/**
 * In a CommonJS chunk, esbuild turned every import() into a require(); for an ES module chunk that
 * must be a real import(). Same length, padded with spaces, so the source map's columns still hold.
 */
function importModulesForReal(text, file) {
  const rewritten = text.replace(/Promise\.resolve\(\)\.then\(\s*\(\)\s*=>\s*(?:[\w$]+\()?require\("([^"]+\.mjs)"\)\)?\s*\)/g, (call, spec) => {
    const real = `import("${spec}")`;
    return real + " ".repeat(call.length - real.length);
  });
  if (/require\("[^"]+\.mjs"\)/.test(rewritten)) throw new Error(`${file}: an ES module chunk is still loaded with require()`);
  return rewritten;
}
