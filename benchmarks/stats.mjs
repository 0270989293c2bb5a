// Figures of repeated runs: each ratio is taken per round (subject and baseline measured back to back),
// and a result reports the median ratio with its spread (min–max) over the rounds.

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

const round3 = (value) => Number(value.toFixed(3))
const roundValue = (value) => (Math.abs(value) >= 100 ? Math.round(value) : round3(value))

/**
 * A results.json entry from per-round pairs: `value` and `baseline` are the medians of each side, `ratio`
 * the median of the per-round ratios, `spread` their [min, max].
 */
export function entry(name, unit, values, baselines) {
  const ratios = values.map((value, i) => value / baselines[i])
  return {
    name,
    unit,
    value: roundValue(median(values)),
    baseline: roundValue(median(baselines)),
    ratio: round3(median(ratios)),
    spread: [round3(Math.min(...ratios)), round3(Math.max(...ratios))],
    rounds: ratios.length,
  }
}
