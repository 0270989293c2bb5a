import type { TonSimulator, VenumSimulator } from '@chainstream/testkit'

/** A flow node as the runtime takes it. */
export type FlowNode = Record<string, unknown> & { id: string; type: string }

/** A TON Center config node pointed at the simulator. */
export function toncenterConfig(
  sim: TonSimulator,
  id = 'toncenter',
  transport: 'websocket' | 'sse' = 'websocket',
): FlowNode {
  return { id, type: 'chainstream-toncenter', network: 'custom', baseUrl: sim.toncenter.baseUrl, transport }
}

/** A TonAPI config node pointed at the simulator (recovery from its API v3). */
export function tonapiConfig(sim: TonSimulator, id = 'tonapi'): FlowNode {
  return {
    id,
    type: 'chainstream-tonapi',
    network: 'custom',
    baseUrl: sim.tonapi.baseUrl,
    v3BaseUrl: sim.toncenter.v3BaseUrl,
    transport: 'websocket',
  }
}

/** A Venum config node pointed at the simulator. */
export function venumConfig(sim: VenumSimulator, id = 'venum'): FlowNode {
  return { id, type: 'chainstream-venum', baseUrl: sim.url }
}

/** The flow tab every test node sits on (Catch nodes only catch errors on their own tab). */
export const TAB = 'tab'

/** Puts nodes on the test tab (config nodes stay global), with the tab itself first. */
export function onTab(nodes: FlowNode[]): FlowNode[] {
  const configTypes = new Set(['chainstream-toncenter', 'chainstream-tonapi', 'chainstream-venum'])
  return [
    { id: TAB, type: 'tab', label: 'test' },
    ...nodes.map((node) => (configTypes.has(node.type) ? node : { ...node, z: TAB })),
  ]
}
