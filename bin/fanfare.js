#!/usr/bin/env node
// Runs the compiled CLI; `npm install` (prepare) and `npm test` build dist/ first. This file and
// dist/cli.cjs are CommonJS (bin/package.json says so for this folder), so a command starts without
// Node's ES module loader; docs/ARCHITECTURE.md says why.
"use strict";

// Node 22+ caches compiled code between runs, which shortens every start. Node 20 lacks the cache,
// and loading node:module only to find that out would cost it time.
if (Number(process.versions.node.split(".")[0]) >= 22) require("node:module").enableCompileCache?.();

require("../dist/cli.cjs")
  .run(process.argv)
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      // run() maps every error itself; reaching here is a bug, so show everything.
      console.error(error);
      process.exitCode = 1;
    },
  );
