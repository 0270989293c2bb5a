import type { ChainState } from './chain-state.js'
import type { Hop } from './hop.js'
import type { Prng } from './prng.js'
import type { TonMessage, TonTransaction } from './wire-types.js'

const ZERO_HASH = Buffer.alloc(32).toString('base64')

/** Where a transaction sits: logical time, time, trace and blocks. */
export interface TxContext {
  lt: bigint
  now: number
  traceId: string
  start: { mcSeqno: number; shardSeqno: number }
  externalHash: string
  norm: string
}

/** Builds the v3 transaction of one hop and moves its account's balance and state on. */
export function buildTransaction(chain: ChainState, prng: Prng, node: Hop, ctx: TxContext): TonTransaction {
  const record = chain.account(node.to, prng, node.deploy === true)
  const before = chain.accountState(record)
  const origStatus = record.status
  const fees = BigInt(prng.int(150_000, 3_000_000))
  const outMsgs = node.children.map((child, j) => {
    const msg = internalMessage(prng, child, ctx.lt + 1n + BigInt(j), ctx.now)
    child.inMsg = msg
    return msg
  })
  const inMsg =
    node.from === null ? externalMessage(prng, node, ctx.externalHash, ctx.norm) : (node.inMsg as TonMessage)
  const received = node.value ?? 0n
  const sent = node.children.reduce((sum, child) => sum + (child.value ?? 0n), 0n)
  const balance = record.balance + received - sent - fees
  record.balance = balance < 0n ? 0n : balance
  if (node.deploy) {
    record.status = 'active'
    record.codeHash = prng.hash()
  }
  record.stateHash = prng.hash()
  if (!node.fails) record.dataHash = prng.hash()
  const prevHash = record.lastTxHash
  const prevLt = record.lastTxLt
  const hash = node.from === null ? ctx.traceId : prng.hash()
  record.lastTxHash = hash
  record.lastTxLt = ctx.lt

  const gasUsed = prng.int(300, 12_000)
  const computePh = node.fails
    ? {
        skipped: false,
        success: false,
        msg_state_used: false,
        account_activated: false,
        gas_fees: String(gasUsed * 400),
        gas_used: String(gasUsed),
        gas_limit: '1000000',
        mode: 0,
        exit_code: 9,
        vm_steps: prng.int(10, 200),
        vm_init_state_hash: ZERO_HASH,
        vm_final_state_hash: ZERO_HASH,
      }
    : {
        skipped: false,
        success: true,
        msg_state_used: false,
        account_activated: node.deploy === true,
        gas_fees: String(gasUsed * 400),
        gas_used: String(gasUsed),
        gas_limit: node.from === null ? '0' : '1000000',
        mode: 0,
        exit_code: 0,
        vm_steps: prng.int(10, 400),
        vm_init_state_hash: ZERO_HASH,
        vm_final_state_hash: ZERO_HASH,
      }
  const description: Record<string, unknown> = {
    type: 'ordinary',
    aborted: node.fails === true,
    destroyed: false,
    credit_first: node.from === null || !node.bounce,
    storage_ph: { storage_fees_collected: String(prng.int(0, 2_000)), status_change: 'unchanged' },
    ...(node.from === null ? {} : { credit_ph: { credit: received.toString() } }),
    compute_ph: computePh,
  }
  if (node.fails) {
    // A failed compute phase skips the action phase; the message goes back in the bounce phase.
    description.bounce = {
      type: 'ok',
      msg_size: { cells: '1', bits: '0' },
      msg_fees: '0',
      fwd_fees: '266669',
    }
  } else {
    description.action = {
      success: true,
      valid: true,
      no_funds: false,
      status_change: 'unchanged',
      ...(node.children.length > 0 ? { total_fwd_fees: String(266_669 * node.children.length) } : {}),
      result_code: 0,
      tot_actions: node.children.length,
      spec_actions: 0,
      skipped_actions: 0,
      msgs_created: node.children.length,
      action_list_hash: prng.hash(),
      tot_msg_size: { cells: String(node.children.length), bits: String(node.children.length * 705) },
    }
  }
  return {
    account: node.to,
    hash,
    lt: ctx.lt.toString(),
    now: ctx.now,
    mc_block_seqno: ctx.start.mcSeqno,
    trace_id: ctx.traceId,
    prev_trans_hash: prevHash,
    prev_trans_lt: prevLt.toString(),
    orig_status: origStatus,
    end_status: record.status,
    total_fees: fees.toString(),
    total_fees_extra_currencies: {},
    description,
    block_ref: {
      workchain: Number(node.to.split(':')[0]),
      shard: '-9223372036854775808',
      seqno: ctx.start.shardSeqno,
    },
    in_msg: inMsg,
    out_msgs: outMsgs,
    account_state_before: before,
    account_state_after: chain.accountState(record),
    emulated: false,
    finality: 'finalized',
  }
}

function bocBody(prng: Prng, extra: number): string {
  return Buffer.concat([Buffer.from([0xb5, 0xee, 0x9c, 0x72, 0x41, 0x01]), prng.bytes(extra)]).toString(
    'base64',
  )
}

function externalMessage(prng: Prng, node: Hop, hash: string, norm: string): TonMessage {
  return {
    hash,
    source: null,
    destination: node.to,
    value: null,
    value_extra_currencies: {},
    fwd_fee: null,
    ihr_fee: null,
    extra_flags: null,
    created_lt: null,
    created_at: null,
    opcode: node.opcode,
    decoded_opcode: null,
    ihr_disabled: null,
    bounce: null,
    bounced: null,
    import_fee: '0',
    message_content: { hash: prng.hash(), body: bocBody(prng, 90), decoded: null },
    init_state: null,
    hash_norm: norm,
  }
}

function internalMessage(prng: Prng, node: Hop, createdLt: bigint, now: number): TonMessage {
  return {
    hash: prng.hash(),
    source: node.from,
    destination: node.to,
    value: (node.value ?? 0n).toString(),
    value_extra_currencies: {},
    fwd_fee: '266669',
    ihr_fee: '0',
    extra_flags: '0',
    created_lt: createdLt.toString(),
    created_at: String(now),
    opcode: node.opcode,
    decoded_opcode: node.decodedOpcode,
    ihr_disabled: true,
    bounce: node.bounce,
    bounced: node.bounced === true,
    import_fee: null,
    message_content: {
      hash: prng.hash(),
      body: node.comment === undefined ? bocBody(prng, 24) : Buffer.from(node.comment).toString('base64'),
      decoded: node.comment === undefined ? null : { type: 'text_comment', comment: node.comment },
    },
    init_state: node.deploy ? { hash: prng.hash(), body: bocBody(prng, 60), decoded: null } : null,
  }
}
