import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build, type Plugin } from 'esbuild'

const PACKAGES = fileURLToPath(new URL('../../../', import.meta.url))

/** The public entry points, as sources (tests run on sources, like the rest of the suite). */
const SOURCES: Record<string, string> = {
  '@chainstream/core/provider': 'core/src/provider.ts',
  '@chainstream/core': 'core/src/index.ts',
  '@chainstream/provider-toncenter/protocol': 'provider-toncenter/src/protocol/index.ts',
  '@chainstream/provider-toncenter': 'provider-toncenter/src/index.ts',
  '@chainstream/provider-tonapi': 'provider-tonapi/src/index.ts',
  '@chainstream/provider-venum-solana': 'provider-venum-solana/src/index.ts',
}

type ConditionMap = string | { [condition: string]: ConditionMap }

/** Resolves a package.json `imports`/`exports` target the way a bundler does: first matching condition wins. */
function pickTarget(map: ConditionMap, conditions: ReadonlySet<string>): string | undefined {
  if (typeof map === 'string') return map
  for (const [condition, target] of Object.entries(map)) {
    if (!conditions.has(condition)) continue
    const picked = pickTarget(target, conditions)
    if (picked !== undefined) return picked
  }
  return undefined
}

/**
 * Resolves the packages to their sources; core's `#runtime` goes through core's real package.json
 * `imports` with the bundle's conditions (so the page exercises the mapping that ships), then from the
 * built file's name to its source.
 */
export function sourcesPlugin(conditions: readonly string[]): Plugin {
  const active = new Set([...conditions, 'browser', 'import', 'default'])
  const coreManifest = JSON.parse(readFileSync(`${PACKAGES}core/package.json`, 'utf8')) as {
    imports: Record<string, ConditionMap>
  }
  return {
    name: 'chainstream-sources',
    setup(context) {
      context.onResolve({ filter: /^@chainstream\// }, (args) => {
        const source = SOURCES[args.path]
        return source ? { path: `${PACKAGES}${source}` } : undefined
      })
      context.onResolve({ filter: /^#runtime$/ }, () => {
        const target = pickTarget(coreManifest.imports['#runtime'] as ConditionMap, active)
        const name = target?.match(/\/dist\/([\w-]+)\.js$/)?.[1]
        if (!name) return { errors: [{ text: `#runtime has no target for conditions ${[...active]}` }] }
        return { path: `${PACKAGES}core/src/runtime/${name}.ts` }
      })
    },
  }
}

/** Bundles `entry` for the browser (or, with `['worker']`, a worker) as one ESM script; throws on any error. */
export async function bundleForBrowser(entry: string, conditions: readonly string[] = []): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    conditions: [...conditions],
    target: 'chrome120',
    sourcemap: 'inline',
    logLevel: 'silent',
    plugins: [sourcesPlugin(conditions)],
  })
  return result.outputFiles[0]?.text ?? ''
}
