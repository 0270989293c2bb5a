import type { ChainState } from './chain-state.js'
import { type Hop, hop } from './hop.js'
import type { Prng } from './prng.js'
import type { TraceSpec } from './trace-builder.js'

/** One action of a trace: its v3 type and details, and what it does to jetton balances. */
export interface ActionPlan {
  type: string
  details: Record<string, unknown>
  addresses: string[]
  /** Jetton wallets whose balance the action moves, with the signed change. */
  jettonDeltas: [string, bigint][]
}

/**
 * The message tree and the action of one entry of `actionTypes`: realistic trees for the common types
 * (jetton transfers go wallet → jetton wallet → jetton wallet → owner, with excesses back), a generic
 * wallet → contract call for any other type.
 */
export function planAction(
  chain: ChainState,
  prng: Prng,
  spec: TraceSpec,
  type: string,
  sender: string,
  counterparty: string,
  index: number,
): { first: Hop; plan: ActionPlan } {
  const tonAmount = spec.amount !== undefined ? BigInt(spec.amount) : BigInt(prng.int(1, 50_000)) * 1_000_000n
  const jettonAmount =
    spec.amount !== undefined ? BigInt(spec.amount) : BigInt(prng.int(1, 5_000)) * 1_000_000n
  const jetton = spec.jetton
  switch (type) {
    case 'ton_transfer': {
      chain.account(counterparty, prng)
      const comment = prng.chance(0.3) ? `payment ${prng.int(1, 9999)}` : undefined
      const first = hop({
        from: sender,
        to: counterparty,
        opcode: comment === undefined ? null : '0x00000000',
        decodedOpcode: comment === undefined ? null : 'text_comment',
        value: tonAmount,
        bounce: false,
        action: index,
        ...(comment === undefined ? {} : { comment }),
      })
      return {
        first,
        plan: {
          type,
          details: {
            source: sender,
            destination: counterparty,
            value: tonAmount.toString(),
            value_extra_currencies: {},
            comment: comment ?? null,
            encrypted: false,
          },
          addresses: [sender, counterparty],
          jettonDeltas: [],
        },
      }
    }
    case 'jetton_transfer': {
      const senderWallet = chain.jettonWallet(sender, jetton)
      const receiverWallet = chain.jettonWallet(counterparty, jetton)
      const first = hop({
        from: sender,
        to: senderWallet,
        opcode: '0x0f8a7ea5',
        decodedOpcode: 'jetton_transfer',
        value: 50_000_000n,
        action: index,
        children: [
          hop({
            from: senderWallet,
            to: receiverWallet,
            opcode: '0x178d4519',
            decodedOpcode: 'jetton_internal_transfer',
            value: 40_000_000n,
            action: index,
            children: [
              hop({
                from: receiverWallet,
                to: counterparty,
                opcode: '0x7362d09c',
                decodedOpcode: 'jetton_notify',
                value: 1n,
                bounce: false,
                action: index,
              }),
              hop({
                from: receiverWallet,
                to: sender,
                opcode: '0xd53276db',
                decodedOpcode: 'excess',
                value: 30_000_000n,
                bounce: false,
                action: index,
              }),
            ],
          }),
        ],
      })
      return {
        first,
        plan: {
          type,
          details: {
            asset: jetton,
            sender,
            receiver: counterparty,
            sender_jetton_wallet: senderWallet,
            receiver_jetton_wallet: receiverWallet,
            amount: jettonAmount.toString(),
            comment: null,
            is_encrypted_comment: false,
            query_id: String(prng.int(1, 2_000_000_000)),
            response_destination: sender,
            custom_payload: null,
            forward_payload: null,
            forward_amount: '1',
          },
          addresses: [sender, counterparty, senderWallet, receiverWallet, jetton],
          jettonDeltas: [
            [senderWallet, -jettonAmount],
            [receiverWallet, jettonAmount],
          ],
        },
      }
    }
    case 'jetton_burn': {
      const wallet = chain.jettonWallet(sender, jetton)
      const first = hop({
        from: sender,
        to: wallet,
        opcode: '0x595f07bc',
        decodedOpcode: 'jetton_burn',
        value: 50_000_000n,
        action: index,
        children: [
          hop({
            from: wallet,
            to: jetton,
            opcode: '0x7bdd97de',
            decodedOpcode: 'jetton_burn_notification',
            value: 40_000_000n,
            action: index,
            children: [
              hop({
                from: jetton,
                to: sender,
                opcode: '0xd53276db',
                decodedOpcode: 'excess',
                value: 30_000_000n,
                bounce: false,
                action: index,
              }),
            ],
          }),
        ],
      })
      return {
        first,
        plan: {
          type,
          details: {
            owner: sender,
            owner_jetton_wallet: wallet,
            asset: jetton,
            amount: jettonAmount.toString(),
          },
          addresses: [sender, wallet, jetton],
          jettonDeltas: [[wallet, -jettonAmount]],
        },
      }
    }
    case 'jetton_mint': {
      const wallet = chain.jettonWallet(counterparty, jetton)
      const first = hop({
        from: sender,
        to: jetton,
        opcode: '0x642b7d07',
        decodedOpcode: 'jetton_mint',
        value: 100_000_000n,
        action: index,
        children: [
          hop({
            from: jetton,
            to: wallet,
            opcode: '0x178d4519',
            decodedOpcode: 'jetton_internal_transfer',
            value: 80_000_000n,
            action: index,
            children: [
              hop({
                from: wallet,
                to: counterparty,
                opcode: '0x7362d09c',
                decodedOpcode: 'jetton_notify',
                value: 1n,
                bounce: false,
                action: index,
              }),
            ],
          }),
        ],
      })
      return {
        first,
        plan: {
          type,
          details: {
            receiver: counterparty,
            receiver_jetton_wallet: wallet,
            asset: jetton,
            amount: jettonAmount.toString(),
            ton_amount: '80000000',
          },
          addresses: [sender, counterparty, wallet, jetton],
          jettonDeltas: [[wallet, jettonAmount]],
        },
      }
    }
    case 'nft_mint': {
      const collection = chain.derivedContract('nft-collection', sender, ['nft_collection'])
      const item = prng.address()
      chain.directory.set(item, { kind: 'contract', interfaces: ['nft_item'] })
      chain.account(item, prng, true)
      const itemIndex = String(prng.int(0, 100_000))
      const first = hop({
        from: sender,
        to: collection,
        opcode: '0x00000001',
        decodedOpcode: 'nft_mint',
        value: 60_000_000n,
        action: index,
        children: [
          hop({
            from: collection,
            to: item,
            opcode: null,
            decodedOpcode: null,
            value: 50_000_000n,
            deploy: true,
            action: index,
            children: [
              hop({
                from: item,
                to: counterparty,
                opcode: '0x05138d91',
                decodedOpcode: 'nft_ownership_assigned',
                value: 1n,
                bounce: false,
                action: index,
              }),
            ],
          }),
        ],
      })
      return {
        first,
        plan: {
          type,
          details: {
            owner: counterparty,
            nft_collection: collection,
            nft_item: item,
            nft_item_index: itemIndex,
          },
          addresses: [sender, counterparty, collection, item],
          jettonDeltas: [],
        },
      }
    }
    case 'contract_deploy': {
      const target = spec.counterparties.length > 0 ? counterparty : prng.address()
      if (!chain.accounts.has(target)) chain.account(target, prng, true)
      chain.directory.set(target, { kind: 'contract', interfaces: [] })
      const first = hop({
        from: sender,
        to: target,
        opcode: null,
        decodedOpcode: null,
        value: tonAmount,
        deploy: true,
        action: index,
      })
      return {
        first,
        plan: {
          type,
          details: { opcode: null, source: sender, destination: target, value: tonAmount.toString() },
          addresses: [sender, target],
          jettonDeltas: [],
        },
      }
    }
    default: {
      chain.account(counterparty, prng)
      const opcode = `0x${prng.uint32().toString(16).padStart(8, '0')}`
      const first = hop({
        from: sender,
        to: counterparty,
        opcode,
        decodedOpcode: null,
        value: tonAmount,
        action: index,
      })
      return {
        first,
        plan: {
          type,
          details: {
            opcode,
            source: sender,
            destination: counterparty,
            value: tonAmount.toString(),
            extra_currencies: null,
          },
          addresses: [sender, counterparty],
          jettonDeltas: [],
        },
      }
    }
  }
}

/** The destination's compute phase fails: the message bounces back and nothing further happens. */
export function failHop(first: Hop, prng: Prng): void {
  first.fails = true
  first.bounce = true
  const back = first.from as string
  first.children = [
    hop({
      from: first.to,
      to: back,
      opcode: '0xffffffff',
      decodedOpcode: null,
      value: (first.value ?? 0n) - BigInt(prng.int(1, 5)) * 1_000_000n,
      bounce: false,
      bounced: true,
      action: first.action,
    }),
  ]
}
