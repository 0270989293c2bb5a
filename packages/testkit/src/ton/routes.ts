/** Which dialect a path belongs to: it decides the accepted auth forms. */
export type TonFlavour = 'toncenter' | 'tonapi'

/** What a request path addresses. */
export type TonRoute =
  | { kind: 'sse'; flavour: TonFlavour }
  | { kind: 'ws'; flavour: TonFlavour }
  | { kind: 'v3'; endpoint: string }
  | { kind: 'none' }

/** The paths the simulator serves. */
export const TON_PATHS = {
  toncenterSse: '/api/streaming/v2/sse',
  toncenterWs: '/api/streaming/v2/ws',
  tonapiSse: '/streaming/v2/sse',
  tonapiWs: '/streaming/v2/ws',
  v3: '/api/v3',
} as const

/** Routes a path (trailing slashes tolerated). */
export function routeOf(pathname: string): TonRoute {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname
  switch (path) {
    case TON_PATHS.toncenterSse:
      return { kind: 'sse', flavour: 'toncenter' }
    case TON_PATHS.toncenterWs:
      return { kind: 'ws', flavour: 'toncenter' }
    case TON_PATHS.tonapiSse:
      return { kind: 'sse', flavour: 'tonapi' }
    case TON_PATHS.tonapiWs:
      return { kind: 'ws', flavour: 'tonapi' }
  }
  if (path.startsWith(`${TON_PATHS.v3}/`))
    return { kind: 'v3', endpoint: path.slice(TON_PATHS.v3.length + 1) }
  return { kind: 'none' }
}
