/// <reference lib="dom" />
import type { LifecycleUpdate } from '@chainstream/core'

/** The tiers a timeline shows, in order (`unknown` is the absence of one). */
const TIERS = ['pending', 'included', 'confirmed', 'finalized'] as const

const seconds = (ms: number) => `+${(ms / 1000).toFixed(1)} s`

/**
 * Renders one tracked transaction as a timeline: each tier with the time it was reached (relative to when
 * tracking started), the outcome, and — when the transaction was invalidated — the tiers it had reached
 * struck through. The card's data attributes carry the same facts for tests and styles.
 */
export function renderTimeline(card: HTMLElement, update: LifecycleUpdate, startedAt: number): void {
  const terminal = update.terminal?.kind
  card.className = 'timeline'
  card.dataset.chain = update.chain
  card.dataset.id = update.id
  card.dataset.tier = update.tier
  card.dataset.outcome = update.outcome
  card.dataset.terminal = terminal ?? ''
  card.dataset.watch = update.watch

  const head = document.createElement('div')
  head.className = 'head'
  const chain = document.createElement('span')
  chain.className = 'chain'
  chain.textContent = update.chain
  const id = document.createElement('span')
  id.className = 'id'
  id.textContent = update.id
  id.title = update.id
  const verdict = document.createElement('span')
  verdict.className = 'verdict'
  verdict.textContent = terminal
    ? `${terminal}${update.outcome === 'unknown' ? '' : ` · ${update.outcome}`}`
    : `${update.tier === 'unknown' ? 'waiting' : update.tier} · ${update.watch}`
  head.append(chain, id, verdict)

  const tiers = document.createElement('ol')
  tiers.className = 'tiers'
  for (const tier of TIERS) {
    const reachedAt = update.tierReachedAt[tier]
    const item = document.createElement('li')
    item.className = 'tier'
    item.dataset.tier = tier
    item.append(tier)
    if (reachedAt !== undefined) {
      // An invalidated transaction's tiers never happened on the final chain: shown, but struck through.
      item.classList.add(terminal === 'invalidated' ? 'void' : 'reached')
      if (tier === update.tier && terminal !== 'invalidated') item.classList.add('current')
      const time = document.createElement('time')
      time.dateTime = new Date(reachedAt).toISOString()
      time.textContent = seconds(Math.max(0, reachedAt - startedAt))
      item.append(time)
    }
    tiers.append(item)
  }
  card.replaceChildren(head, tiers)
}
