/// <reference lib="dom" />
// The live lifecycle page: a tracker over TON and Solana in the browser, each tracked transaction drawn
// as a timeline that updates as its tiers are reached. The server (`server.mjs`) says where the
// simulators are; keys go in the query string, as browsers require — and a key in a page is public.
import { createTracker, isChainstreamError, type LifecycleUpdate } from '@chainstream/core'
import { createToncenter } from '@chainstream/provider-toncenter'
import { createVenum } from '@chainstream/provider-venum-solana'
import { randomSignature } from './random-signature.js'
import { renderTimeline } from './timeline-view.js'

interface PageConfig {
  ton: string
  tonKey: string
  venum: string
  venumKey: string
  wallets: string[]
  /** How many live TON traces to track without being asked, so the page is alive on arrival. */
  autoTrack: number
}

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T

async function main(): Promise<void> {
  const config = (await (await fetch('/config.json')).json()) as PageConfig
  const toncenter = createToncenter({ apiKey: config.tonKey, baseUrl: config.ton })
  const venum = createVenum({ apiKey: config.venumKey, baseUrl: config.venum })
  const tracker = createTracker({ providers: [toncenter, venum] })
  const status = element<HTMLParagraphElement>('status')
  const timelines = element<HTMLOListElement>('timelines')
  const recent = element<HTMLUListElement>('recent')
  const formError = element<HTMLOutputElement>('form-error')
  const cards = new Map<string, HTMLLIElement>()

  const track = (chain: 'ton' | 'solana', id: string): void => {
    const key = `${chain}:${id}`
    if (cards.has(key)) return
    const tx = tracker.track({ chain, id })
    const startedAt = Date.now()
    const card = document.createElement('li')
    cards.set(key, card)
    timelines.prepend(card)
    const draw = (update: LifecycleUpdate) => renderTimeline(card, update, startedAt)
    draw(tx.current)
    tx.on('update', draw)
  }

  element<HTMLFormElement>('track-form').addEventListener('submit', (event) => {
    event.preventDefault()
    formError.value = ''
    const chain = element<HTMLSelectElement>('track-chain').value as 'ton' | 'solana'
    const input = element<HTMLInputElement>('track-id')
    try {
      track(chain, input.value.trim())
      input.value = ''
    } catch (error) {
      // The tracker checks ids before anything is sent; its message says what is wrong.
      formError.value = isChainstreamError(error) ? error.message : String(error)
    }
  })
  element<HTMLButtonElement>('new-signature').addEventListener('click', () => {
    element<HTMLSelectElement>('track-chain').value = 'solana'
    element<HTMLInputElement>('track-id').value = randomSignature()
  })

  // Live traces of the scenario's wallets, to pick from (and the first few tracked at once).
  const stream = toncenter.stream({
    transport: 'websocket',
    types: ['transactions'],
    addresses: config.wallets,
    minFinality: 'pending',
  })
  stream.on('state', (state) => {
    status.textContent = `TON stream ${state} · ${config.ton}`
  })
  const seen = new Set<string>()
  let autoTracked = 0
  stream.on('transactions', (event) => {
    const hash = event.trace_external_hash_norm
    if (event.finality !== 'pending' || seen.has(hash)) return
    seen.add(hash)
    if (autoTracked < config.autoTrack) {
      autoTracked++
      track('ton', hash)
    }
    const item = document.createElement('li')
    const code = document.createElement('code')
    code.textContent = hash
    code.title = hash
    const button = document.createElement('button')
    button.type = 'button'
    button.textContent = 'track'
    button.addEventListener('click', () => track('ton', hash))
    item.append(code, button)
    recent.prepend(item)
    while (recent.children.length > 12) recent.lastElementChild?.remove()
  })
  track('solana', randomSignature())
}

main().catch((error: unknown) => {
  element<HTMLParagraphElement>('status').textContent = `failed to start: ${String(error)}`
})
