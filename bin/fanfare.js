#!/usr/bin/env node
// Runs the compiled CLI; `npm install` (prepare) and `npm test` build dist/ first.
import * as nodeModule from "node:module";

// Node 22+ caches compiled code between runs, which shortens every start; Node 20 lacks it.
nodeModule.enableCompileCache?.();

// A reader that stops early (`fanfare webhooks events | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const { run } = await import("../dist/cli.js");
run(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    // run() maps every error itself; reaching here is a bug, so show everything.
    console.error(error);
    process.exitCode = 1;
  },
);
