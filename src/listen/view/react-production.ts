import { createRequire } from "node:module";

/**
 * Makes React load its production build for the live view. React picks its build from NODE_ENV
 * when it is first loaded, and the development build (owner stacks, a console task per element)
 * doubles the CPU of every frame. A developer's shell often exports NODE_ENV=development for their
 * own app; that says nothing about this CLI. Tests keep the development build (vitest sets "test").
 *
 * Call it before React is imported, and import React dynamically after it: Node evaluates the
 * CommonJS modules of a static import graph (React is one) before any ES module body in it runs.
 * Once React is loaded the choice is made; flipping NODE_ENV then would pair a production reconciler
 * with a development React, which renders nothing.
 */
export function preferReactProductionBuild(env: NodeJS.ProcessEnv = process.env): void {
  if (env.NODE_ENV === "test" || reactLoaded()) return;
  env.NODE_ENV = "production";
}

function reactLoaded(): boolean {
  const require = createRequire(import.meta.url);
  try {
    return require.resolve("react") in require.cache;
  } catch {
    return false;
  }
}

/**
 * Node's ESM loader reads both builds named in react's and react-reconciler's index.js to learn
 * their exports (without running the one it does not use) and keeps each in the CommonJS cache with
 * its source: ~0.8 MB of source text held for the whole session, and V8 sizes the heap by what is
 * held. Forgetting the entries that never ran (loaded false) frees it; nothing will require them.
 */
export function forgetUnusedReactBuilds(): void {
  const require = createRequire(import.meta.url);
  for (const [path, module] of Object.entries(require.cache)) {
    if (module && !module.loaded && /[\\/]node_modules[\\/]react(-reconciler)?[\\/]cjs[\\/]/.test(path)) delete require.cache[path];
  }
}
