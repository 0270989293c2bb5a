import { ChainstreamError } from '@chainstream/core'
import type { ActionType } from './protocol/action-types.js'
import {
  meetsFinality,
  NEVER_PENDING_TYPES,
  TON_EVENT_TYPES,
  TON_FINALITIES,
  type TonEventType,
  type TonFinality,
} from './protocol/event-types.js'
import type { TonEvent } from './ton-event.js'

/** Filters of one handler, like the Python SDKs' decorator arguments. */
export interface HandlerFilter {
  /**
   * The lowest finality this handler receives. Omitted: the stream's `minFinality` (so a handler never
   * sees pending events it did not ask for). `account_state_change` and `jettons_change` are never pending,
   * so `'pending'` is refused for them.
   */
  minFinality?: TonFinality
  /** `actions` and `trace` handlers only: keep these action types (others are removed from the event). */
  actionTypes?: readonly ActionType[]
}

/** A handler of events of type `K`. */
export type TonEventHandler<K extends TonEventType> = (event: TonEvent<K>) => unknown

interface Registration {
  readonly handler: (event: TonEvent) => unknown
  readonly minFinality: TonFinality | undefined
  readonly actionTypes: ReadonlySet<string> | undefined
}

const EVENT_TYPES: ReadonlySet<string> = new Set(TON_EVENT_TYPES)
const FINALITIES: ReadonlySet<string> = new Set(TON_FINALITIES)

/** Whether `name` is one of the six notification types (as opposed to `state`, `error`, …). */
export function isTonEventType(name: string): name is TonEventType {
  return EVENT_TYPES.has(name)
}

/** A handler bound to its filters: call it with every event and the stream's current `minFinality`. */
export type CompiledHandler = (event: TonEvent, streamMinFinality: TonFinality) => unknown

/**
 * Validates `filter` for `type` and binds `handler` to it. The result ignores events of other types and
 * events the filter rejects, and passes the handler's own return value through (so a rejected promise is
 * reported by the stream like a thrown error).
 *
 * @throws {ChainstreamError} `InvalidArgument` for a pending filter on a never-pending type, an action
 * filter on a type without actions, a filter on `trace_invalidated`, or a finality below the stream's.
 */
export function compileHandler<K extends TonEventType>(
  type: K,
  handler: TonEventHandler<K>,
  filter: HandlerFilter | undefined,
  streamMinFinality: TonFinality,
): CompiledHandler {
  const registration = checkFilter(type, handler as Registration['handler'], filter, streamMinFinality)
  return (event, currentMinFinality) => {
    if (event.type !== type) return
    const filtered = applyFilter(event, registration, currentMinFinality)
    return filtered ? registration.handler(filtered) : undefined
  }
}

function invalid(message: string): ChainstreamError {
  return new ChainstreamError('InvalidArgument', message, { isRetryable: false })
}

function checkFilter(
  type: TonEventType,
  handler: Registration['handler'],
  filter: HandlerFilter | undefined,
  streamMinFinality: TonFinality,
): Registration {
  if (typeof handler !== 'function') throw invalid(`The handler for '${type}' must be a function`)
  const minFinality = filter?.minFinality
  const actionTypes = filter?.actionTypes
  if (filter !== undefined && (typeof filter !== 'object' || filter === null)) {
    throw invalid(`The filter of a '${type}' handler must be an object like { minFinality, actionTypes }`)
  }
  for (const key of Object.keys(filter ?? {})) {
    if (key !== 'minFinality' && key !== 'actionTypes') {
      throw invalid(`Unknown handler filter "${key}" for '${type}'; expected minFinality or actionTypes`)
    }
  }
  if (minFinality !== undefined) {
    if (!FINALITIES.has(minFinality)) {
      throw invalid(
        `minFinality of a '${type}' handler must be pending, confirmed or finalized, got ${String(minFinality)}`,
      )
    }
    if (type === 'trace_invalidated') {
      throw invalid("'trace_invalidated' has no finality: register its handler without minFinality")
    }
    if (minFinality === 'pending' && NEVER_PENDING_TYPES.has(type)) {
      throw invalid(
        `'${type}' is only sent at confirmed or finalized, so a handler with minFinality 'pending' would never see a pending event; use 'confirmed' or leave it out`,
      )
    }
    if (!meetsFinality(minFinality, streamMinFinality)) {
      throw invalid(
        `A '${type}' handler asks for minFinality '${minFinality}' but the stream subscribes at '${streamMinFinality}', so the server never sends it; pass minFinality: '${minFinality}' to stream() (handlers without their own filter still get only '${streamMinFinality}' and above)`,
      )
    }
  }
  if (actionTypes !== undefined) {
    if (type !== 'actions' && type !== 'trace') {
      throw invalid(`actionTypes filters only apply to 'actions' and 'trace' handlers, not '${type}'`)
    }
    if (!Array.isArray(actionTypes) || actionTypes.some((t) => typeof t !== 'string' || t === '')) {
      throw invalid(`actionTypes of a '${type}' handler must be a list of non-empty strings`)
    }
  }
  return {
    handler,
    minFinality,
    actionTypes: actionTypes && actionTypes.length > 0 ? new Set(actionTypes) : undefined,
  }
}

/** The event as this handler should see it, or `undefined` when it filters it out. */
function applyFilter(
  event: TonEvent,
  registration: Registration,
  streamMinFinality: TonFinality,
): TonEvent | undefined {
  if (event.type === 'trace_invalidated') return event
  const minimum = registration.minFinality ?? streamMinFinality
  if (!meetsFinality(event.finality, minimum)) return undefined
  const wanted = registration.actionTypes
  if (!wanted) return event
  if (event.type === 'actions') {
    const actions = event.actions.filter((action) => wanted.has(action.type))
    if (actions.length === 0) return undefined
    return actions.length === event.actions.length ? event : { ...event, actions }
  }
  if (event.type === 'trace' && event.actions) {
    const actions = event.actions.filter((action) => wanted.has(action.type))
    return actions.length === event.actions.length ? event : { ...event, actions }
  }
  return event
}
