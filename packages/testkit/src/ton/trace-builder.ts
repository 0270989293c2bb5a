import { type ActionPlan, failHop, planAction } from './action-plans.js'
import type { ChainState } from './chain-state.js'
import { type Hop, hop } from './hop.js'
import type { Prng } from './prng.js'
import { buildTransaction } from './transaction-builder.js'
import type {
  TonAccountState,
  TonAction,
  TonJettonWallet,
  TonMessage,
  TonTraceNode,
  TonTransaction,
} from './wire-types.js'

/** What a trace should do. Addresses are raw. */
export interface TraceSpec {
  /** The wallet that signs the external message. */
  sender: string
  /** Counterparty of each action in turn; a fresh outside address when empty. */
  counterparties: readonly string[]
  actionTypes: readonly string[]
  /** Make the first action's first hop fail (and bounce). */
  failed: boolean
  traceExternalHashNorm?: string
  /** Jetton master for the `jetton_*` actions. */
  jetton: string
  /** Nanotons (TON actions) or jetton units (jetton actions). */
  amount?: string
}

/** A trace in its final form; snapshots at lower finalities are derived from it. */
export interface BuiltTrace {
  traceExternalHashNorm: string
  externalHash: string
  /** The root transaction's hash, which TON Center uses as the trace id. */
  traceId: string
  /** In creation order (root first). `finality` is a placeholder until a snapshot sets it. */
  transactions: TonTransaction[]
  tree: TonTraceNode
  actions: TonAction[]
  /** The provisional ids actions carry in pending snapshots. */
  pendingActionIds: string[]
  /** Accounts that have a transaction in the trace, in order of first transaction. */
  accounts: string[]
  /** Every address the trace involves (accounts, message counterparties, action addresses). */
  involved: string[]
  accountStates: { account: string; state: TonAccountState }[]
  jettonWallets: TonJettonWallet[]
  startLt: bigint
  endLt: bigint
  startUtime: number
  endUtime: number
  mcSeqno: number
  actionTypes: string[]
  failed: boolean
}

const SIGNED_EXTERNAL = '0x73696e74' // wallet v5 "sint"

/** Builds a realistic trace: a tree of transactions and messages, its actions, and the resulting states. */
export function buildTrace(chain: ChainState, prng: Prng, spec: TraceSpec): BuiltTrace {
  const start = chain.beginTrace(prng)
  const externalHash = prng.hash()
  const traceExternalHashNorm = spec.traceExternalHashNorm ?? prng.hash()
  const actionTypes = spec.actionTypes.length > 0 ? [...spec.actionTypes] : ['ton_transfer']
  const sender = spec.sender
  chain.account(sender, prng)

  const plans: ActionPlan[] = []
  const root = hop({
    from: null,
    to: sender,
    opcode: SIGNED_EXTERNAL,
    decodedOpcode: null,
    value: null,
    action: -1,
    bounce: false,
  })
  actionTypes.forEach((type, index) => {
    const counterparty =
      spec.counterparties.length > 0
        ? (spec.counterparties[index % spec.counterparties.length] as string)
        : prng.address()
    const { first, plan } = planAction(chain, prng, spec, type, sender, counterparty, index)
    if (index === 0 && spec.failed) failHop(first, prng)
    root.children.push(first)
    plans.push(plan)
  })

  // Breadth-first: a parent's transaction (and the messages it creates) exists before its children.
  const transactions: TonTransaction[] = []
  const hopsByAction = new Map<number, Hop[]>()
  const queue: { node: Hop; now: number }[] = [{ node: root, now: start.utime }]
  let lt = start.lt
  const traceId = prng.hash()
  while (queue.length > 0) {
    const { node, now } = queue.shift() as { node: Hop; now: number }
    const txLt = lt + 1n
    lt = txLt + BigInt(node.children.length) + 1n
    const tx = buildTransaction(chain, prng, node, {
      lt: txLt,
      now,
      traceId,
      start,
      externalHash,
      norm: traceExternalHashNorm,
    })
    node.tx = tx
    transactions.push(tx)
    hopsByAction.set(node.action, [...(hopsByAction.get(node.action) ?? []), node])
    for (const child of node.children) queue.push({ node: child, now: now + prng.int(0, 1) })
  }
  const endUtime = Math.max(...transactions.map((tx) => tx.now))
  chain.useLt(lt, endUtime)

  const rootTx = root.tx as TonTransaction
  const tree = toNode(root)
  const failedAction = spec.failed ? 0 : -1
  const actions = plans.map((plan, index): TonAction => {
    const txs = [rootTx, ...(hopsByAction.get(index) ?? []).map((h) => h.tx as TonTransaction)]
    const lts = txs.map((tx) => BigInt(tx.lt))
    const times = txs.map((tx) => tx.now)
    return {
      trace_id: traceId,
      action_id: prng.hash(),
      start_lt: min(lts).toString(),
      end_lt: max(lts).toString(),
      start_utime: Math.min(...times),
      end_utime: Math.max(...times),
      trace_end_lt: (lt - 1n).toString(),
      trace_end_utime: endUtime,
      trace_mc_seqno_end: start.mcSeqno + 1,
      transactions: txs.map((tx) => tx.hash),
      success: index !== failedAction,
      type: plan.type,
      details: plan.details,
      trace_external_hash: externalHash,
      trace_external_hash_norm: traceExternalHashNorm,
      accounts: [...new Set(plan.addresses)].sort(),
      finality: 'finalized',
    }
  })
  const accounts = [...new Set(transactions.map((tx) => tx.account))]
  const accountStates = accounts.map((account) => ({
    account,
    state: chain.accountState(chain.account(account, prng)),
  }))

  const jettonWallets: TonJettonWallet[] = []
  {
    const moved = new Map<string, bigint>()
    // A failed first action moved nothing.
    plans.forEach((plan, index) => {
      if (index === failedAction) return
      for (const [wallet, delta] of plan.jettonDeltas) moved.set(wallet, (moved.get(wallet) ?? 0n) + delta)
    })
    for (const [wallet, delta] of moved) {
      const role = chain.directory.role(wallet)
      if (role.kind !== 'jetton_wallet') continue
      const balance = chain.jettonBalance(wallet, prng) + delta
      chain.jettonBalances.set(wallet, balance < 0n ? 0n : balance)
      const record = chain.account(wallet, prng)
      jettonWallets.push({
        address: wallet,
        balance: (balance < 0n ? 0n : balance).toString(),
        owner: role.owner,
        jetton: role.jetton,
        last_transaction_lt: record.lastTxLt.toString(),
        code_hash: record.codeHash,
        data_hash: record.dataHash,
      })
    }
  }

  const involved = new Set<string>()
  for (const tx of transactions) {
    involved.add(tx.account)
    if (tx.in_msg?.source) involved.add(tx.in_msg.source)
    for (const msg of tx.out_msgs) if (msg.destination) involved.add(msg.destination)
  }
  for (const action of actions) for (const address of action.accounts) involved.add(address)

  return {
    traceExternalHashNorm,
    externalHash,
    traceId,
    transactions,
    tree,
    actions,
    pendingActionIds: actions.map(() => prng.hash()),
    accounts,
    involved: [...involved],
    accountStates,
    jettonWallets,
    startLt: BigInt(rootTx.lt),
    endLt: lt - 1n,
    startUtime: start.utime,
    endUtime,
    mcSeqno: start.mcSeqno,
    actionTypes,
    failed: spec.failed,
  }
}

function toNode(node: Hop): TonTraceNode {
  const tx = node.tx as TonTransaction
  return {
    tx_hash: tx.hash,
    in_msg_hash: (tx.in_msg as TonMessage).hash,
    children: node.children.map(toNode),
  }
}

const min = (values: bigint[]) => {
  let out = values[0] as bigint
  for (const value of values) if (value < out) out = value
  return out
}
const max = (values: bigint[]) => {
  let out = values[0] as bigint
  for (const value of values) if (value > out) out = value
  return out
}
