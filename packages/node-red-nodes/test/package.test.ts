import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { PACKAGE_DIR } from '../demo/node-red-process.mjs'
import { ensureBuilt } from './node-red-runtimes.js'

const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as {
  keywords: string[]
  engines: { node: string }
  files: string[]
  'node-red': { version: string; nodes: Record<string, string> }
}
const NODE_FILES = Object.entries(manifest['node-red'].nodes)
const requireHere = createRequire(__filename)

beforeAll(() => ensureBuilt())

describe('the published package', () => {
  it('declares its nodes for Node-RED >= 4, with the node-red keyword and an engines range that includes 22.9', () => {
    expect(manifest['node-red'].version).toBe('>=4.0.0')
    expect(manifest.keywords).toContain('node-red')
    const semver = createRequire(requireHere.resolve('node-red/package.json'))('semver') as {
      satisfies(version: string, range: string): boolean
    }
    expect(semver.satisfies('22.9.0', manifest.engines.node)).toBe(true)
    expect(semver.satisfies('20.19.0', manifest.engines.node)).toBe(true)
    expect(NODE_FILES.map(([type]) => type).sort()).toEqual(
      [
        'chainstream-tonapi',
        'chainstream-toncenter',
        'chainstream-venum',
        'solana-tx-status',
        'ton-stream',
        'tx-lifecycle',
      ].sort(),
    )
    expect(manifest.files).toEqual(expect.arrayContaining(['dist', 'examples']))
  })

  it('ships CommonJS node files, each with its editor .html, message catalog and icon next to it', () => {
    for (const [type, file] of NODE_FILES) {
      const js = join(PACKAGE_DIR, file)
      // Node-RED 4 loads node files with require(): the export must be the registration function.
      expect(typeof requireHere(js), file).toBe('function')
      const html = js.replace(/\.js$/, '.html')
      expect(existsSync(html), html).toBe(true)
      const text = readFileSync(html, 'utf8')
      expect(text).toContain(`RED.nodes.registerType('${type}', {`)
      expect(text).toContain(`data-template-name="${type}"`)
      expect(text).toContain(`data-help-name="${type}"`)
      const catalog = JSON.parse(
        readFileSync(join(PACKAGE_DIR, 'dist', 'locales', 'en-US', `${type}.json`), 'utf8'),
      )
      expect(Object.keys(catalog)).toEqual([type])
      const icon = /icon: '([^']+)'/.exec(text)?.[1]
      if (icon) expect(existsSync(join(PACKAGE_DIR, 'dist', 'icons', icon)), icon).toBe(true)
    }
  })

  it('uses only message keys its catalogs define', () => {
    for (const [type] of NODE_FILES) {
      const catalog = JSON.parse(
        readFileSync(join(PACKAGE_DIR, 'src', 'locales', 'en-US', `${type}.json`), 'utf8'),
      )
      const html = readFileSync(join(PACKAGE_DIR, 'src', 'nodes', `${type}.html`), 'utf8')
      const keys = [...html.matchAll(/data-i18n="(?:\[[a-z]+\])?([\w-]+\.[\w.]+)"/g)].map(
        (match) => match[1] as string,
      )
      for (const key of keys) {
        const value = key
          .split('.')
          .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], catalog)
        expect(typeof value, `${type}: ${key}`).toBe('string')
      }
    }
  })

  it('has one example flow per node, each a top-level array', () => {
    for (const type of ['ton-stream', 'solana-tx-status', 'tx-lifecycle']) {
      const flow = JSON.parse(readFileSync(join(PACKAGE_DIR, 'examples', `${type}.json`), 'utf8'))
      expect(Array.isArray(flow)).toBe(true)
      expect(flow.some((node: { type: string }) => node.type === type)).toBe(true)
    }
  })

  it('passes the Flow Library scorecard (node-red-dev validate) with no errors', () => {
    const output = execFileSync(
      process.execPath,
      [join(PACKAGE_DIR, 'test', 'scorecard-offline.cjs'), PACKAGE_DIR],
      {
        encoding: 'utf8',
      },
    )
    const result = JSON.parse(output) as {
      scorecard: Record<string, { test?: boolean }>
      warnings: string[]
      errors: string[]
    }
    expect(result.errors).toEqual([])
    for (const check of ['P01', 'P04', 'P05', 'P06', 'P07', 'N01', 'N02', 'D01', 'D02', 'D03']) {
      expect(result.scorecard[check]?.test, check).toBe(true)
    }
    // P03 (a repository or bugs URL) is the only warning: the repository has no public URL yet.
    expect(result.warnings.filter((warning) => !warning.startsWith('P03'))).toEqual([])
  })
})
