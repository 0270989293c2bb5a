// Heap measurement shared by the memory benchmarks.
import v8 from 'node:v8'
import vm from 'node:vm'

v8.setFlagsFromString('--expose-gc')
// Flushed bytecode would shrink the heap between two samples and read as negative growth.
v8.setFlagsFromString('--no-flush-bytecode')
const gc = globalThis.gc ?? vm.runInNewContext('gc')
export const settle = async () => {
  for (let i = 0; i < 3; i++) {
    gc()
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/**
 * Runs `work` while sampling the heap; returns its result, the peak growth over the start, and what is
 * still retained after a GC while the result is held.
 */
export async function heapDuring(work) {
  await settle()
  const start = process.memoryUsage().heapUsed
  let peak = start
  const sample = () => {
    const used = process.memoryUsage().heapUsed
    if (used > peak) peak = used
  }
  const timer = setInterval(sample, 2)
  let result
  try {
    result = await work()
    sample()
  } finally {
    clearInterval(timer)
  }
  await settle()
  const retained = process.memoryUsage().heapUsed - start
  return { result, growth: peak - start, retained }
}
