import { formatTonAddress } from './address.js'
import type { TonAddressBook, TonAddressMetadata, TonMetadata } from './wire-types.js'

/** What an address is, which decides its address-book entry and whether it has metadata. */
export type AddressRole =
  | { kind: 'wallet' }
  | { kind: 'contract'; interfaces: string[] }
  | { kind: 'jetton_master'; symbol: string; name: string; decimals: number }
  | { kind: 'jetton_wallet'; owner: string; jetton: string }

/** A well-known jetton the scenario trades. */
export interface KnownJetton {
  address: string
  symbol: string
  name: string
  decimals: number
}

/** USD₮ and NOT on mainnet: real masters, so address books look familiar. */
export const KNOWN_JETTONS: readonly KnownJetton[] = [
  {
    address: '0:B113A994B5024A16719F69139328EB759596C38A25F59028B146FECDC3621DFE',
    symbol: 'USD₮',
    name: 'Tether USD',
    decimals: 6,
  },
  {
    address: '0:2F956143C461769579BAEF2E32CC2D7BC18283F40D20BB03E432CD603AC33FFC',
    symbol: 'NOT',
    name: 'Notcoin',
    decimals: 9,
  },
]

/**
 * Every address the simulator has seen, with its role: the source of `address_book` and `metadata`.
 * Unknown addresses are plain wallets.
 */
export class AddressDirectory {
  readonly #roles = new Map<string, AddressRole>()

  constructor() {
    for (const jetton of KNOWN_JETTONS) {
      this.#roles.set(jetton.address, {
        kind: 'jetton_master',
        symbol: jetton.symbol,
        name: jetton.name,
        decimals: jetton.decimals,
      })
    }
  }

  /** Records a role; the first one given for an address wins. */
  set(address: string, role: AddressRole): void {
    if (!this.#roles.has(address)) this.#roles.set(address, role)
  }

  role(address: string): AddressRole {
    return this.#roles.get(address) ?? { kind: 'wallet' }
  }

  /** The `address_book` for `addresses`, keys sorted like Go's maps. */
  addressBook(addresses: Iterable<string>): TonAddressBook {
    const book: TonAddressBook = {}
    for (const address of [...new Set(addresses)].sort()) {
      const role = this.role(address)
      // TON Center shows wallets non-bounceable (UQ…) and contracts bounceable (EQ…).
      const bounceable = role.kind !== 'wallet'
      let userFriendly: string
      try {
        userFriendly = formatTonAddress(address, { bounceable })
      } catch {
        userFriendly = address
      }
      book[address] = { user_friendly: userFriendly, domain: null, interfaces: interfacesOf(role) }
    }
    return book
  }

  /** The `metadata` for `addresses`: entries only for jetton masters and jetton wallets. */
  metadata(addresses: Iterable<string>): TonMetadata {
    const out: TonMetadata = {}
    for (const address of [...new Set(addresses)].sort()) {
      const entry = this.#metadataOf(address)
      if (entry) out[address] = entry
    }
    return out
  }

  #metadataOf(address: string): TonAddressMetadata | undefined {
    const role = this.role(address)
    if (role.kind === 'jetton_master') {
      return {
        is_indexed: true,
        token_info: [
          {
            valid: true,
            type: 'jetton_masters',
            name: role.name,
            symbol: role.symbol,
            description: `${role.name} (simulated)`,
            image: `https://example.invalid/${role.symbol.toLowerCase()}.png`,
            extra: { decimals: String(role.decimals) },
          },
        ],
      }
    }
    if (role.kind === 'jetton_wallet') {
      return {
        is_indexed: true,
        token_info: [
          { valid: true, type: 'jetton_wallets', extra: { jetton: role.jetton, owner: role.owner } },
        ],
      }
    }
    return undefined
  }
}

function interfacesOf(role: AddressRole): string[] {
  switch (role.kind) {
    case 'wallet':
      return ['wallet_v5r1']
    case 'contract':
      return role.interfaces
    case 'jetton_master':
      return ['jetton_master']
    case 'jetton_wallet':
      return ['jetton_wallet']
  }
}
