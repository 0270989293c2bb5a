import { execFile, execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const PACKAGES_DIR = join(__dirname, '..', '..')
const CLI_DIR = join(PACKAGES_DIR, 'cli')
// The CLI and the workspace packages it depends on, packed as they would be published.
const PACKED = ['core', 'provider-toncenter', 'provider-tonapi', 'provider-venum-solana', 'testkit', 'cli']

/**
 * Recognisable API keys set in the environment of every run: no output of any run may contain them.
 * Long enough that the CLI's own redaction applies, and unlike anything else it prints.
 */
export const SECRET_KEYS = {
  TONCENTER_API_KEY: 'tc-secret-4f1d8a77c2e94b0d',
  TONAPI_API_KEY: 'ta-secret-9b3e55d0a61f4c28',
  VENUM_API_KEY: 'vn-secret-2c7a91e4f03b6d55',
} as const

/** What a run of the installed `chainstream` printed and how it exited. */
export interface CliRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

function newestMtime(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.test.ts'))
    .reduce((newest, entry) => Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs), 0)
}

/** Fails with what to run when a package is not built, or the CLI's build is older than its sources. */
function assertBuilt(): void {
  for (const name of PACKED) {
    if (!existsSync(join(PACKAGES_DIR, name, 'dist', 'index.js'))) {
      throw new Error(`@chainstream/${name} is not built: run pnpm build first (CI does)`)
    }
  }
  if (newestMtime(join(CLI_DIR, 'src')) > newestMtime(join(CLI_DIR, 'dist'))) {
    throw new Error('packages/cli/dist is older than its sources: run pnpm build first')
  }
}

/**
 * `pnpm pack`s the CLI and its workspace dependencies and `npm install`s the CLI from its tarball into a
 * fresh directory, as a user would install it (the other tarballs stand in for the registry through
 * `overrides`; third-party dependencies come from the registry or npm's cache). Returns the installed
 * `chainstream` executable.
 */
export async function installPackedCli(): Promise<{ bin: string; dir: string; remove(): void }> {
  assertBuilt()
  const dir = mkdtempSync(join(tmpdir(), 'chainstream-cli-'))
  const tarballs: Record<string, string> = {}
  for (const name of PACKED) {
    const packed = execFileSync('pnpm', ['pack', '--json', '--pack-destination', dir], {
      cwd: join(PACKAGES_DIR, name),
      encoding: 'utf8',
    })
    const { filename } = JSON.parse(packed) as { filename: string }
    tarballs[`@chainstream/${name}`] = `file:${filename}`
  }
  const app = join(dir, 'app')
  execFileSync('mkdir', ['-p', app])
  const { '@chainstream/cli': cli, ...workspace } = tarballs
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({
      name: 'cli-user',
      private: true,
      dependencies: { '@chainstream/cli': cli },
      overrides: workspace,
    }),
  )
  await promisify(execFile)(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'],
    { cwd: app },
  )
  const bin = join(app, 'node_modules', '.bin', 'chainstream')
  if (!existsSync(bin)) throw new Error(`npm install did not link the chainstream bin (${bin})`)
  return { bin, dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** The environment of every run: the secret keys, no colours forced either way, the machine's PATH. */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const { FORCE_COLOR: _force, NO_COLOR: _no, ...base } = process.env
  return { ...base, ...SECRET_KEYS, ...extra }
}

/**
 * Runs `bin` with `args` on pipes, sends it SIGINT (Ctrl-C) once it printed its first line on stdout,
 * and collects what it printed.
 */
export function interruptAfterFirstLine(bin: string, args: readonly string[]): Promise<CliRun> {
  const child = spawn(bin, args, { env: cliEnv() })
  child.stdout?.once('data', () => child.kill('SIGINT'))
  return collect(child, 60_000)
}

/** Runs `bin` with `args` on pipes (not a terminal) and collects what it printed. */
export function runCli(
  bin: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliRun> {
  return collect(spawn(bin, args, { env: options.env ?? cliEnv() }), options.timeoutMs)
}

/**
 * Runs `bin` with `args` in a real pseudo-terminal (util-linux `script`), sized 100 × 30 as a terminal
 * window would be. Everything the program drew arrives on `stdout`, escape sequences included.
 */
export function runCliInTerminal(
  bin: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliRun> {
  const command = `stty rows 30 cols 100; exec ${[bin, ...args].map(shellQuote).join(' ')}`
  return collect(
    spawn('script', ['-qfec', command, '/dev/null'], {
      env: { ...(options.env ?? cliEnv()), TERM: 'xterm-256color' },
    }),
    options.timeoutMs,
  )
}

const shellQuote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`

function collect(child: ReturnType<typeof spawn>, timeoutMs = 60_000): Promise<CliRun> {
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the CLI did not exit within ${timeoutMs} ms; stdout: ${stdout}; stderr: ${stderr}`))
    }, timeoutMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

/** Every secret key that appears in a run's output (none, for every run). */
export function leakedKeys(run: CliRun): string[] {
  return Object.values(SECRET_KEYS).filter((key) => run.stdout.includes(key) || run.stderr.includes(key))
}

/** The lines of `text`, without the empty last one. */
export const linesOf = (text: string) => text.split('\n').filter((line) => line !== '')
