// `#runtime` resolves through package.json `imports` to a built platform module, picked by export
// condition (`runtime-node` or `runtime-web`). Both implement `Runtime`; this declaration lets the sources
// type-check without a build.
declare module '#runtime' {
  export const runtime: import('./runtime-types.js').Runtime
}
