import { parseTonAddress } from './address.js'
import type { ChainState, MasterchainBlock } from './chain-state.js'
import type { AddressDirectory } from './directory.js'
import { sortedMap } from './go-json.js'
import { compareLt, type Ledger, type LedgerTraceRecord } from './ledger.js'
import { transactionAddresses } from './notification-filter.js'
import type { TonAction, TonTraceNode, TonTransaction } from './wire-types.js'

/** An API v3 answer. */
export interface V3Response {
  status: number
  body: unknown
}

class BadRequest extends Error {}

/** Reads query parameters the way API v3 takes them: lists may repeat or be comma-separated. */
class Query {
  readonly #params: URLSearchParams

  constructor(params: URLSearchParams) {
    this.#params = params
  }

  list(name: string): string[] {
    return [...this.#params.getAll(name), ...this.#params.getAll(`${name}[]`)]
      .flatMap((value) => value.split(','))
      .map((value) => value.trim())
      .filter((value) => value !== '')
  }

  accounts(name = 'account'): Set<string> | undefined {
    const values = this.list(name)
    if (values.length === 0) return undefined
    return new Set(
      values.map((value) => {
        const raw = parseTonAddress(value)
        if (raw === undefined) throw new BadRequest(`invalid address: ${value}`)
        return raw
      }),
    )
  }

  hashes(name: string): Set<string> | undefined {
    const values = this.list(name)
    return values.length === 0 ? undefined : new Set(values.map(normaliseHash))
  }

  bigint(name: string): bigint | undefined {
    const value = this.#params.get(name)
    if (value === null || value === '') return undefined
    if (!/^\d+$/.test(value)) throw new BadRequest(`invalid ${name}: ${value}`)
    return BigInt(value)
  }

  /** A whole number that may be negative (a workchain). */
  int(name: string): number | undefined {
    const value = this.#params.get(name)
    if (value === null || value === '') return undefined
    if (!/^-?\d+$/.test(value)) throw new BadRequest(`invalid ${name}: ${value}`)
    return Number(value)
  }

  number(name: string): number | undefined {
    const value = this.bigint(name)
    return value === undefined ? undefined : Number(value)
  }

  flag(name: string): boolean {
    const value = this.#params.get(name)
    return value === 'true' || value === '1'
  }

  page(): { limit: number; offset: number; descending: boolean } {
    const limit = this.number('limit') ?? 10
    if (limit < 1 || limit > 1000) throw new BadRequest('limit must be between 1 and 1000')
    const offset = this.number('offset') ?? 0
    const sort = this.#params.get('sort') ?? 'desc'
    if (sort !== 'asc' && sort !== 'desc') throw new BadRequest(`invalid sort: ${sort}`)
    return { limit, offset, descending: sort === 'desc' }
  }
}

/** Hashes may come as standard base64, base64url or hex; compare them as standard base64. */
export function normaliseHash(value: string): string {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex').toString('base64')
  const standard = value.replace(/-/g, '+').replace(/_/g, '/')
  return standard.padEnd(Math.ceil(standard.length / 4) * 4, '=')
}

const inRange = (value: bigint, from: bigint | undefined, to: bigint | undefined) =>
  (from === undefined || value >= from) && (to === undefined || value <= to)

function paged<T>(items: T[], compare: (a: T, b: T) => number, query: Query): T[] {
  const { limit, offset, descending } = query.page()
  const sorted = [...items].sort((a, b) => (descending ? -compare(a, b) : compare(a, b)))
  return sorted.slice(offset, offset + limit)
}

const byLt = (a: TonTransaction, b: TonTransaction) => compareLt(a.lt, b.lt) || a.hash.localeCompare(b.hash)
// The indexer's orders: by the trace's end (utime when the query bounds utime, else lt), then trace id,
// then the action's own end and id.
const byTraceEndLt = (a: TonAction, b: TonAction) =>
  compareLt(a.trace_end_lt, b.trace_end_lt) ||
  (a.trace_id ?? '').localeCompare(b.trace_id ?? '') ||
  compareLt(a.end_lt, b.end_lt) ||
  a.action_id.localeCompare(b.action_id)
const byTraceEndUtime = (a: TonAction, b: TonAction) =>
  a.trace_end_utime - b.trace_end_utime ||
  (a.trace_id ?? '').localeCompare(b.trace_id ?? '') ||
  a.end_utime - b.end_utime ||
  a.action_id.localeCompare(b.action_id)
const byEndLt = (a: LedgerTraceRecord, b: LedgerTraceRecord) =>
  compareLt(a.endLt, b.endLt) || a.traceId.localeCompare(b.traceId)
const byEndUtime = (a: LedgerTraceRecord, b: LedgerTraceRecord) =>
  a.endUtime - b.endUtime || a.traceId.localeCompare(b.traceId)

function messageHashes(trace: LedgerTraceRecord): Set<string> {
  const out = new Set([trace.externalHash, trace.traceExternalHashNorm])
  for (const tx of trace.transactions) {
    if (tx.in_msg) out.add(tx.in_msg.hash)
    for (const msg of tx.out_msgs) out.add(msg.hash)
  }
  return out
}

function countMessages(tree: TonTraceNode): number {
  return 1 + tree.children.reduce((sum, child) => sum + countMessages(child), 0)
}

/** The v3 `Trace` object, plus `trace_external_hash_norm` and `finality`. */
function traceObject(trace: LedgerTraceRecord, includeActions: boolean): Record<string, unknown> {
  const transactions = trace.transactions
  const byHash: Record<string, TonTransaction> = {}
  for (const tx of transactions) byHash[tx.hash] = tx
  const pending = trace.status === 'pending'
  return {
    trace_id: trace.traceId,
    external_hash: trace.externalHash,
    trace_external_hash_norm: trace.traceExternalHashNorm,
    // Strings, as the indexer writes them (`models.Trace`: `McSeqnoEnd HashType`). The end is the block the
    // trace finalized in, once it did.
    mc_seqno_start: String(trace.built.mcSeqno),
    mc_seqno_end: String(trace.finalBlock?.seqno ?? trace.built.mcSeqno + 1),
    start_lt: trace.startLt,
    start_utime: trace.startUtime,
    end_lt: trace.endLt,
    end_utime: trace.endUtime,
    trace_info: {
      trace_state: pending ? 'pending' : 'complete',
      messages: countMessages(trace.built.tree),
      transactions: transactions.length,
      pending_messages: 0,
      classification_state: 'ok',
    },
    is_incomplete: false,
    trace: trace.built.tree,
    transactions_order: transactions.map((tx) => tx.hash),
    transactions: sortedMap(byHash),
    ...(includeActions ? { actions: trace.actions } : {}),
    finality: trace.finality,
  }
}

/**
 * Answers `GET /api/v3/<endpoint>` from the ledger. "Committed" means the trace's last stage is confirmed or
 * finalized (an invalidated trace is gone); the `pending*` endpoints show traces whose last stage is pending.
 *
 * Honoured parameters (lists may repeat or be comma-separated; addresses in any form; hashes in base64,
 * base64url or hex), everything else is ignored:
 * - every list: `limit` (default 10, 1..1000), `offset`, `sort=asc|desc` (default desc);
 * - `transactions`: `account`, `hash`, `trace_id`, `start_lt`, `end_lt`, `start_utime`, `end_utime` (inclusive),
 *   sorted by `lt` → `{transactions, address_book}`; `pendingTransactions`: `account`, `trace_id`;
 * - `actions` / `pendingActions`: `account`, `trace_id`, `ext_msg_hash`, `action_type`, `start_lt`, `end_lt`,
 *   `start_utime`, `end_utime` (on the action's trace's end: `trace_end_lt`, `trace_end_utime`), sorted by
 *   the trace's end (utime when a utime bound is given, else lt), then trace id, then the action's own end
 *   → `{actions, address_book, metadata}`;
 * - `masterchainInfo` (no parameters): the latest masterchain block and the first, `{last, first}`, with
 *   `gen_utime` the chain's clock now (see `ChainState.now`);
 * - `blocks`: the masterchain blocks that finalized a trace (the simulator makes no others; see
 *   `ChainState.finalizeBlock`), filtered by `workchain` (only `-1` has any), `seqno`, `start_utime`,
 *   `end_utime` (inclusive, on `gen_utime`), sorted by `gen_utime` → `{blocks}`;
 * - `traces`: `account`, `trace_id`, `msg_hash` (any message of the trace, or its external hash norm),
 *   `start_lt`, `end_lt`, `start_utime`, `end_utime` (on the trace's end), `include_actions`, sorted by the
 *   trace's end (utime when a utime bound is given, else lt), then trace id → `{traces, address_book,
 *   metadata}`; `pendingTraces`: the same with `ext_msg_hash`, actions always included.
 *
 * The time and LT bounds of `actions` and `traces` apply to the trace's end, as in TON Center's indexer
 * (toncenter/ton-indexer, `ton-index-go/index/crud/crud_actions.go` and `crud_traces.go`: `trace_end_utime
 * >= start_utime`, `E.end_lt >= start_lt`, …): an action that started before `start_utime` is listed
 * when its trace ended at or after it.
 *
 * Errors are `400 {"error": …}`; an unknown endpoint is `404`.
 */
export function handleV3(
  endpoint: string,
  params: URLSearchParams,
  ledger: Ledger,
  directory: AddressDirectory,
  chain?: Pick<ChainState, 'now' | 'mcSeqno' | 'lt' | 'finalizingBlocks'>,
): V3Response {
  const query = new Query(params)
  try {
    switch (endpoint) {
      case 'masterchainInfo':
        if (!chain) break
        return { status: 200, body: masterchainInfo(chain) }
      case 'blocks':
        if (!chain) break
        return { status: 200, body: blocksResponse(chain.finalizingBlocks, query) }
      case 'transactions':
        return transactionsResponse(
          ledger.traces.filter((t) => t.committed),
          query,
          directory,
          true,
        )
      case 'pendingTransactions':
        return transactionsResponse(
          ledger.traces.filter((t) => t.status === 'pending'),
          query,
          directory,
          false,
        )
      case 'actions':
        return actionsResponse(
          ledger.traces.filter((t) => t.committed),
          query,
          directory,
        )
      case 'pendingActions':
        return actionsResponse(
          ledger.traces.filter((t) => t.status === 'pending'),
          query,
          directory,
        )
      case 'traces':
        return tracesResponse(
          ledger.traces.filter((t) => t.committed),
          query,
          directory,
          'msg_hash',
        )
      case 'pendingTraces':
        return tracesResponse(
          ledger.traces.filter((t) => t.status === 'pending'),
          query,
          directory,
          'ext_msg_hash',
        )
      default:
        break
    }
    return { status: 404, body: { error: `unknown endpoint: ${endpoint}` } }
  } catch (error) {
    if (error instanceof BadRequest) return { status: 400, body: { error: error.message } }
    throw error
  }
}

/**
 * `{last, first}` masterchain blocks, with the fields of TON Center's indexer that tell where the chain is
 * (toncenter/ton-indexer, `ton-index-go/index/models/blockchain.go`: `gen_utime`, `start_lt` and `end_lt`
 * are strings, `seqno` a number). The first block is the indexer's oldest; only `last` moves.
 */
function masterchainInfo(chain: Pick<ChainState, 'now' | 'mcSeqno' | 'lt'>): unknown {
  return {
    last: masterchainBlock(chain.mcSeqno, chain.now(), (chain.lt / 1_000_000n) * 1_000_000n),
    first: masterchainBlock(1, 1_573_822_385, 2_000_001n),
  }
}

/** A masterchain block object, with the fields that tell where the chain is (see {@link masterchainInfo}). */
function masterchainBlock(seqno: number, utime: number, lt: bigint) {
  return {
    workchain: -1,
    shard: '-9223372036854775808',
    seqno,
    root_hash: blockHash(seqno, 'r'),
    file_hash: blockHash(seqno, 'f'),
    gen_utime: String(utime),
    start_lt: String(lt),
    end_lt: String(lt + 1n),
  }
}

/**
 * `{blocks}`: as the indexer filters them (toncenter/ton-indexer, `ton-index-go/index/crud/crud_blocks.go`:
 * `gen_utime >= start_utime`, `gen_utime <= end_utime`, ordered by `gen_utime`).
 */
function blocksResponse(blocks: readonly MasterchainBlock[], query: Query): unknown {
  const workchain = query.int('workchain')
  const seqno = query.int('seqno')
  const from = query.number('start_utime')
  const to = query.number('end_utime')
  const matching = blocks.filter(
    (block) =>
      (workchain === undefined || workchain === -1) &&
      (seqno === undefined || block.seqno === seqno) &&
      (from === undefined || block.utime >= from) &&
      (to === undefined || block.utime <= to),
  )
  const page = paged(matching, (a, b) => a.utime - b.utime || a.seqno - b.seqno, query)
  return { blocks: page.map((block) => masterchainBlock(block.seqno, block.utime, block.lt)) }
}

/** A stable 32-byte base64 hash for a block (what a block's hashes look like; nothing checks them). */
function blockHash(seqno: number, kind: string): string {
  return Buffer.from(`${kind}${String(seqno).padStart(31, '0')}`).toString('base64')
}

function transactionsResponse(
  traces: LedgerTraceRecord[],
  query: Query,
  directory: AddressDirectory,
  withRanges: boolean,
): V3Response {
  const accounts = query.accounts()
  const traceIds = query.hashes('trace_id')
  const hashes = withRanges ? query.hashes('hash') : undefined
  const startLt = withRanges ? query.bigint('start_lt') : undefined
  const endLt = withRanges ? query.bigint('end_lt') : undefined
  const startUtime = withRanges ? query.bigint('start_utime') : undefined
  const endUtime = withRanges ? query.bigint('end_utime') : undefined
  const selected = traces
    .filter((t) => traceIds === undefined || traceIds.has(t.traceId))
    .flatMap((t) => t.transactions)
    .filter(
      (tx) =>
        (accounts === undefined || accounts.has(tx.account)) &&
        (hashes === undefined || hashes.has(tx.hash)) &&
        inRange(BigInt(tx.lt), startLt, endLt) &&
        inRange(BigInt(tx.now), startUtime, endUtime),
    )
  const transactions = paged(selected, byLt, query)
  return {
    status: 200,
    body: { transactions, address_book: directory.addressBook(transactions.flatMap(transactionAddresses)) },
  }
}

function actionsResponse(traces: LedgerTraceRecord[], query: Query, directory: AddressDirectory): V3Response {
  const accounts = query.accounts()
  const traceIds = query.hashes('trace_id')
  const external = query.hashes('ext_msg_hash')
  const types = query.list('action_type')
  const startLt = query.bigint('start_lt')
  const endLt = query.bigint('end_lt')
  const startUtime = query.bigint('start_utime')
  const endUtime = query.bigint('end_utime')
  const selected = traces
    .filter(
      (t) => external === undefined || external.has(t.externalHash) || external.has(t.traceExternalHashNorm),
    )
    .flatMap((t) => t.actions.map((action) => ({ action, traceId: t.traceId })))
    .filter(
      ({ action, traceId }) =>
        (accounts === undefined || action.accounts.some((a) => accounts.has(a))) &&
        (traceIds === undefined || traceIds.has(traceId)) &&
        (types.length === 0 || types.includes(action.type)) &&
        inRange(BigInt(action.trace_end_lt), startLt, endLt) &&
        inRange(BigInt(action.trace_end_utime), startUtime, endUtime),
    )
    .map(({ action }) => action)
  const byTime = startUtime !== undefined || endUtime !== undefined
  const actions = paged(selected, byTime ? byTraceEndUtime : byTraceEndLt, query)
  const addresses = actions.flatMap((action) => action.accounts)
  return {
    status: 200,
    body: {
      actions,
      address_book: directory.addressBook(addresses),
      metadata: directory.metadata(addresses),
    },
  }
}

function tracesResponse(
  traces: LedgerTraceRecord[],
  query: Query,
  directory: AddressDirectory,
  hashParam: 'msg_hash' | 'ext_msg_hash',
): V3Response {
  const accounts = query.accounts()
  const traceIds = query.hashes('trace_id')
  const hashes = query.hashes(hashParam)
  const startLt = query.bigint('start_lt')
  const endLt = query.bigint('end_lt')
  const startUtime = query.bigint('start_utime')
  const endUtime = query.bigint('end_utime')
  const includeActions = query.flag('include_actions') || hashParam === 'ext_msg_hash'
  const selected = traces.filter((t) => {
    if (accounts !== undefined && !t.accounts.some((a) => accounts.has(a))) return false
    if (traceIds !== undefined && !traceIds.has(t.traceId)) return false
    if (hashes !== undefined) {
      const own =
        hashParam === 'msg_hash' ? messageHashes(t) : new Set([t.externalHash, t.traceExternalHashNorm])
      if (![...hashes].some((hash) => own.has(hash))) return false
    }
    return inRange(BigInt(t.endLt), startLt, endLt) && inRange(BigInt(t.endUtime), startUtime, endUtime)
  })
  const byTime = startUtime !== undefined || endUtime !== undefined
  const page = paged(selected, byTime ? byEndUtime : byEndLt, query)
  const addresses = page.flatMap((t) => t.involved)
  return {
    status: 200,
    body: {
      traces: page.map((t) => traceObject(t, includeActions)),
      address_book: directory.addressBook(addresses),
      metadata: directory.metadata(addresses),
    },
  }
}
