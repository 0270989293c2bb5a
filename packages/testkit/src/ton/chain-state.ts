import { createHash } from 'node:crypto'
import { AddressDirectory } from './directory.js'
import type { Prng } from './prng.js'
import type { TonAccountState } from './wire-types.js'

/** The code hash of a v4r2 wallet, as in real samples. */
export const WALLET_CODE_HASH = 'IINLe3KxEhR+Gy+0V7hOdNGjDwT3N9T2KmaOlVLSty8='
const JETTON_WALLET_CODE_HASH = 'iUaPAseOVwgC45l5yFFvw43wfqdqSDV+BTbyuns+43s='
const ZERO_HASH = Buffer.alloc(32).toString('base64')

/** One account as the simulated chain knows it. */
export interface AccountRecord {
  balance: bigint
  status: 'uninit' | 'active'
  stateHash: string
  dataHash: string | null
  codeHash: string | null
  lastTxHash: string
  lastTxLt: bigint
}

/** A masterchain block the simulated chain made: its number and chain time (unix seconds). */
export interface MasterchainBlock {
  readonly seqno: number
  readonly utime: number
  /** Where its logical times start: the shard blocks' round LT at or below the chain's. */
  readonly lt: bigint
}

/** Options of {@link ChainState}. */
export interface ChainStateOptions {
  startUtime: number
  startLt: bigint
}

/**
 * The mutable world the traces run in: a virtual clock, logical time, block numbers, balances and the
 * last transaction of every account. Shared by manual emits and the scenario, so both stay consistent.
 */
export class ChainState {
  readonly directory = new AddressDirectory()
  readonly accounts = new Map<string, AccountRecord>()
  readonly jettonBalances = new Map<string, bigint>()
  utime: number
  lt: bigint
  mcSeqno = 51_234_567
  shardSeqno = 56_789_012
  /** `Date.now()` when the clock last moved for a trace. */
  #movedAt = Date.now()
  /** What the indexer's clock read (chain time in ms, fractional), and `Date.now()` then. */
  #indexedMs: number
  #indexedAt = Date.now()
  /** The clock was read since the last trace began. */
  #read = false
  /** The latest transaction time of any trace so far (deep traces end seconds after they begin). */
  #latest = 0
  /** The masterchain blocks that finalized a trace, in order (seqno and time both increase). */
  readonly #finalizing: MasterchainBlock[] = []

  constructor(options: ChainStateOptions) {
    this.utime = options.startUtime
    this.lt = options.startLt
    this.#indexedMs = options.startUtime * 1000
  }

  /**
   * The chain's clock now, as the indexer's latest masterchain block tells it (`/api/v3/masterchainInfo`).
   *
   * - The chain's own clock ({@link #chainNow}) is the last trace's time, moved on by the real seconds since
   *   then: a real chain keeps making blocks while the watched accounts are idle.
   * - The indexer follows it, but never faster than real time: the virtual clock jumps 1–3 s per trace, so a
   *   burst of traces puts it far ahead of real time, which no real chain does. Read that way, the clock
   *   would tell a client that measures elapsed time locally that the chain had gone on further than it
   *   has; an indexer that lags behind such a burst and catches up at real speed is what a real one could
   *   look like.
   *
   * Once the clock was read, the next trace starts no earlier than the chain's own clock then: blocks come
   * in order, and the chain went on meanwhile. (Unread, traces keep their seeded times, so a seed gives the
   * same ledger on every run.)
   */
  now(at = Date.now()): number {
    this.#read = true
    return Math.floor(this.#index(at) / 1000)
  }

  /**
   * Moves the indexer's clock on to real time `at` (chain time in ms): as far as the chain has gone, at
   * most at real speed since it last moved, never back. Every later reading is then at most this one plus
   * the real time in between.
   */
  #index(at: number): number {
    const reading = Math.min(this.#chainNow(at) * 1000, this.#indexedMs + Math.max(0, at - this.#indexedAt))
    this.#indexedMs = Math.max(this.#indexedMs, reading)
    this.#indexedAt = at
    return this.#indexedMs
  }

  /**
   * A new masterchain block that finalizes a trace (its `mc_seqno_end` in API v3). Its time is the later of
   * the chain's transactions so far (a block commits them, so it is not older than any) and the indexer's
   * clock now (the indexer's clock is moved on to it first, so a client that reads the clock later and
   * takes away the real time since cannot get past the block). Does not count as a reading: the traces
   * that follow keep their seeded times.
   */
  finalizeBlock(at = Date.now()): MasterchainBlock {
    this.mcSeqno += 1
    const utime = Math.max(Math.floor(this.#index(at) / 1000), this.utime, this.#latest)
    const block = { seqno: this.mcSeqno, utime, lt: (this.lt / 1_000_000n) * 1_000_000n }
    this.#finalizing.push(block)
    return block
  }

  /** The masterchain blocks that finalized a trace so far, oldest first. */
  get finalizingBlocks(): readonly MasterchainBlock[] {
    return this.#finalizing
  }

  /** The last trace's time, moved on by the whole real seconds since it began. */
  #chainNow(at: number): number {
    return Math.max(this.utime, this.#latest) + Math.max(0, Math.floor((at - this.#movedAt) / 1000))
  }

  /** Moves the chain on for a new trace and returns where it starts. */
  beginTrace(prng: Prng): { utime: number; lt: bigint; mcSeqno: number; shardSeqno: number } {
    const at = Date.now()
    const next = this.utime + prng.int(1, 3)
    this.utime = this.#read ? Math.max(next, this.#chainNow(at), Math.floor(this.#indexedMs / 1000)) : next
    this.#read = false
    this.#movedAt = at
    this.mcSeqno += 1
    this.shardSeqno += prng.int(1, 2)
    // Shard blocks start at round logical times; a trace starts somewhere inside one.
    this.lt = (this.lt / 1_000_000n + 1n) * 1_000_000n + BigInt(prng.int(1, 40))
    return { utime: this.utime, lt: this.lt, mcSeqno: this.mcSeqno, shardSeqno: this.shardSeqno }
  }

  /** Reserves logical times up to `lt`, and chain time up to `utime` (a trace used them). */
  useLt(lt: bigint, utime = 0): void {
    if (lt > this.lt) this.lt = lt
    if (utime > this.#latest) this.#latest = utime
  }

  /** The account, created on first sight with a plausible balance (uninit when `fresh`). */
  account(address: string, prng: Prng, fresh = false): AccountRecord {
    let record = this.accounts.get(address)
    if (!record) {
      const role = this.directory.role(address)
      record = fresh
        ? {
            balance: 0n,
            status: 'uninit',
            stateHash: ZERO_HASH,
            dataHash: null,
            codeHash: null,
            lastTxHash: ZERO_HASH,
            lastTxLt: 0n,
          }
        : {
            balance: BigInt(prng.int(2, 500)) * 1_000_000_000n + BigInt(prng.int(0, 999_999_999)),
            status: 'active',
            stateHash: prng.hash(),
            dataHash: prng.hash(),
            codeHash:
              role.kind === 'jetton_wallet'
                ? JETTON_WALLET_CODE_HASH
                : role.kind === 'wallet'
                  ? WALLET_CODE_HASH
                  : prng.hash(),
            lastTxHash: prng.hash(),
            lastTxLt: this.lt - BigInt(prng.int(1_000_000, 90_000_000)),
          }
      this.accounts.set(address, record)
    }
    return record
  }

  /** The v3 `AccountState` of a record. */
  accountState(record: AccountRecord): TonAccountState {
    return {
      hash: record.stateHash,
      balance: record.balance.toString(),
      extra_currencies: null,
      account_status: record.status,
      frozen_hash: null,
      data_hash: record.dataHash,
      code_hash: record.codeHash,
    }
  }

  /** The jetton wallet of `owner` for `jetton`: derived, so it is stable whatever the PRNG state. */
  jettonWallet(owner: string, jetton: string): string {
    const digest = createHash('sha256').update(`jetton-wallet:${owner}:${jetton}`).digest('hex').toUpperCase()
    const address = `0:${digest}`
    this.directory.set(address, { kind: 'jetton_wallet', owner, jetton })
    return address
  }

  /** A contract derived from a label and an owner (an NFT collection, a pool, …). */
  derivedContract(label: string, owner: string, interfaces: string[]): string {
    const digest = createHash('sha256').update(`${label}:${owner}`).digest('hex').toUpperCase()
    const address = `0:${digest}`
    this.directory.set(address, { kind: 'contract', interfaces })
    return address
  }

  /** The jetton balance of a jetton wallet, created with a plausible amount on first sight. */
  jettonBalance(wallet: string, prng: Prng): bigint {
    let balance = this.jettonBalances.get(wallet)
    if (balance === undefined) {
      balance = BigInt(prng.int(1_000, 900_000)) * 1_000_000n
      this.jettonBalances.set(wallet, balance)
    }
    return balance
  }
}
