import { isChainstreamError } from '@chainstream/core'
import type { Venum, VenumUpdate, VenumWatch } from '@chainstream/provider-venum-solana'
import { ConnectionStateMachine, type ConnectionStatus, shortReason } from '../connection/connection-state.js'

/** A node (or a tracker watch) using a shared Venum connection. */
export interface VenumUser {
  /** The node id: registrations and signature references are counted by it. */
  readonly id: string
  /** An update of a signature this user watches (a late joiner first gets the latest one). */
  onUpdate(update: VenumUpdate): void
  /** Every change of the shared connection state, starting with the current one. */
  onStatus(status: ConnectionStatus): void
  /** A fatal error that ended the shared watch. */
  onError(error: unknown): void
}

interface Registration {
  readonly user: VenumUser
  readonly signatures: Set<string>
}

/** What a connection holds now, for status texts and leak checks. */
export interface VenumConnectionStats {
  readonly users: number
  readonly statusListeners: number
  /** Signatures referenced by at least one user. */
  readonly signatures: number
  readonly watchOpen: boolean
  readonly watchesOpened: number
  /** Listeners this connection holds on its watch (a constant per open watch). */
  readonly watchListeners: number
}

/**
 * The one Venum client and watch of a config node, shared by every node that uses it: signatures are
 * reference-counted by user id, so two nodes watching the same signature share one subscription and
 * each leaves without disturbing the other; Venum's sharding (10 signatures per stream, `maxStreams`)
 * then works over all of them. The watch opens with the first signature and ends by itself when every
 * signature is done; every user's status follows one state machine.
 */
export class VenumConnection {
  readonly state = new ConnectionStateMachine()
  private readonly users = new Map<string, Registration>()
  /** Signature → ids of the users that watch it. */
  private readonly refs = new Map<string, Set<string>>()
  /** The latest update of each referenced signature, for users that join later. */
  private readonly latest = new Map<string, VenumUpdate>()
  /** Signatures given to the current watch. */
  private readonly inWatch = new Set<string>()
  private client: Venum | undefined
  private watch: VenumWatch | undefined
  private watchListeners: (() => void)[] = []
  private readonly closing = new Set<Promise<void>>()
  private watchesOpened = 0
  private isClosed = false

  /** @param createClient builds the Venum client on first use (a bad config shows as a red status). */
  constructor(private readonly createClient: () => Venum) {}

  register(user: VenumUser): void {
    if (this.isClosed) {
      user.onStatus({ phase: 'error', reason: 'configuration closed', since: Date.now() })
      return
    }
    const previous = this.users.get(user.id)
    this.users.set(user.id, { user, signatures: previous?.signatures ?? new Set() })
    this.state.attach(user.id, (status) => user.onStatus(status))
  }

  /**
   * Watches signatures for a user. Resolves once they are subscribed (already-known ones replay their
   * latest update to this user at once); rejects on a bad signature, a bad config or a fatal error.
   */
  async add(userId: string, signatures: readonly string[]): Promise<void> {
    const registration = this.users.get(userId)
    if (!registration) throw new Error(`${userId} is not registered with this connection`)
    if (this.isClosed) throw new Error('the configuration node is closed')
    const client = this.getClient()
    const fresh: string[] = []
    const replay: VenumUpdate[] = []
    for (const signature of signatures) {
      registration.signatures.add(signature)
      const users = this.refs.get(signature) ?? new Set<string>()
      this.refs.set(signature, users)
      users.add(userId)
      const known = this.latest.get(signature)
      if (known) replay.push(known)
      if (!this.inWatch.has(signature) && !known?.done) fresh.push(signature)
    }
    for (const update of replay) registration.user.onUpdate(update)
    if (fresh.length === 0) return
    for (const signature of fresh) this.inWatch.add(signature)
    const watch = this.watch
    if (watch) {
      await watch.add(fresh)
      return
    }
    await this.open(client, fresh)
  }

  /** Stops watching signatures for a user (all of its signatures when none are given). */
  async remove(userId: string, signatures?: readonly string[]): Promise<void> {
    const registration = this.users.get(userId)
    if (!registration) return
    const list = signatures ?? [...registration.signatures]
    const unused: string[] = []
    for (const signature of list) {
      registration.signatures.delete(signature)
      const users = this.refs.get(signature)
      if (!users) continue
      users.delete(userId)
      if (users.size > 0) continue
      this.refs.delete(signature)
      const last = this.latest.get(signature)
      this.latest.delete(signature)
      if (this.inWatch.delete(signature) && !last?.done) unused.push(signature)
    }
    if (unused.length > 0 && this.watch) await this.watch.remove(unused)
    if (this.refs.size === 0 && !this.watch && this.state.status.phase !== 'error') this.state.set('idle')
  }

  /** Signatures a user watches. */
  signaturesOf(userId: string): string[] {
    return [...(this.users.get(userId)?.signatures ?? [])]
  }

  /** Removes a user and its signatures. */
  async deregister(userId: string): Promise<void> {
    if (!this.users.has(userId)) return
    this.state.detach(userId)
    await this.remove(userId).catch(() => {})
    this.users.delete(userId)
  }

  stats(): VenumConnectionStats {
    return {
      users: this.users.size,
      statusListeners: this.state.size,
      signatures: this.refs.size,
      watchOpen: this.watch !== undefined,
      watchesOpened: this.watchesOpened,
      watchListeners: this.watchListeners.length,
    }
  }

  /** Closes the watch and forgets every user (the config node is closing). Idempotent. */
  async close(): Promise<void> {
    this.isClosed = true
    for (const id of this.users.keys()) this.state.detach(id)
    this.users.clear()
    this.refs.clear()
    this.latest.clear()
    const watch = this.watch
    this.detachWatch()
    if (watch) this.track(watch.close())
    this.state.set('idle')
    await Promise.all([...this.closing])
  }

  /** The Venum client (created on first use); throws the configuration error when there is one. */
  getClient(): Venum {
    if (this.client) return this.client
    try {
      this.client = this.createClient()
    } catch (error) {
      this.state.set('error', shortReason(error))
      throw error
    }
    return this.client
  }

  private async open(client: Venum, signatures: string[]): Promise<void> {
    let watch: VenumWatch
    try {
      watch = client.watch({ signatures })
    } catch (error) {
      for (const signature of signatures) this.inWatch.delete(signature)
      throw error
    }
    this.watchesOpened++
    this.watch = watch
    this.state.set('connecting')
    this.watchListeners = [
      watch.on('update', (update) => {
        if (watch !== this.watch) return
        const users = this.refs.get(update.signature)
        if (!users) return
        this.latest.set(update.signature, update)
        if (this.state.status.phase !== 'subscribed') this.state.set('subscribed')
        for (const id of [...users]) this.users.get(id)?.user.onUpdate(update)
      }),
      watch.on('error', (error) => {
        if (watch === this.watch) this.state.set('reconnecting', shortReason(error, 32))
      }),
      watch.on('close', (error) => this.onClosed(watch, error)),
    ]
    await watch.ready
    if (watch === this.watch) this.state.set('subscribed')
  }

  private onClosed(watch: VenumWatch, error: unknown): void {
    if (watch !== this.watch) return
    this.detachWatch()
    if (error && !isChainstreamError(error, 'Closed')) {
      this.state.set('error', shortReason(error))
      for (const registration of [...this.users.values()]) {
        if (registration.signatures.size > 0) registration.user.onError(error)
      }
    } else {
      this.state.set('idle')
    }
  }

  private detachWatch(): void {
    for (const off of this.watchListeners) off()
    this.watchListeners = []
    this.watch = undefined
    this.inWatch.clear()
  }

  private track(closing: Promise<void>): void {
    const settled = closing.catch(() => {})
    this.closing.add(settled)
    void settled.then(() => this.closing.delete(settled))
  }
}
