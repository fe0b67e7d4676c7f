/*
 * Dispatch rules benchmark: the shipped default rules over generated orders with
 * 5 quotes each, decided three ways in one process:
 *   compiled     decide() on the compiled ruleset (the hot path)
 *   engine       decideWithReference(): json-rules-engine Engine#run, a new Engine per run
 *   hand-written the same policy hard-coded in JS (bench/lib/hand_written_default_rules.ts)
 * Every decision is cross-checked between the three before timings are reported.
 *
 *   node --import=@poppinss/ts-exec bench/rules_bench.ts [--orders=10000] [--seed=1]
 */
import { isDeepStrictEqual } from 'node:util'
import os from 'node:os'
import type { Decision } from '#dispatch/types'
import { compileRuleset } from '#dispatch/rules/compiler'
import { loadShippedRuleset } from '#dispatch/rules/shipped_rulesets'
import { decide, decideWithReference } from '#dispatch/decision/decide'
import { generateDispatchCases } from '#dispatch/generators/dispatch_case_generator'
import { decideHandWritten } from './lib/hand_written_default_rules.js'

function option(name: string, fallback: number): number {
  const argument = process.argv.find((arg) => arg.startsWith(`--${name}=`))
  return argument ? Number(argument.split('=')[1]) : fallback
}

const ORDERS = option('orders', 10_000)
const SEED = option('seed', 1)
const QUOTES = 5

interface Measurement {
  name: string
  decisionsPerSecond: number
  p50: number
  p99: number
  max: number
}

function percentile(sorted: Float64Array, fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]
}

function summarize(name: string, micros: Float64Array, totalMs: number): Measurement {
  const sorted = Float64Array.from(micros).sort()
  return {
    name,
    decisionsPerSecond: (micros.length / totalMs) * 1000,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1],
  }
}

function withoutTiming(decision: Decision): Partial<Decision> {
  const copy: Partial<Decision> = JSON.parse(JSON.stringify(decision))
  delete copy.evaluationMicros
  return copy
}

const cases = generateDispatchCases(SEED, ORDERS, QUOTES)
const ruleset = compileRuleset(loadShippedRuleset('default'), 'bench-default')
const ruleCount = ruleset.document.orderRules.length + ruleset.document.candidateRules.length

type SyncDecide = (index: number) => Decision
const compiledDecide: SyncDecide = (index) =>
  decide(ruleset, cases[index].facts, cases[index].quotes)
const handWrittenDecide: SyncDecide = (index) =>
  decideHandWritten(ruleset.version, cases[index].facts, cases[index].quotes)

function measureSync(name: string, run: SyncDecide, rounds = 3): Measurement {
  for (let warm = 0; warm < 2; warm++) for (let i = 0; i < ORDERS; i++) run(i)
  let best: Measurement | undefined
  for (let round = 0; round < rounds; round++) {
    // throughput without per-call timers, latency with them
    const started = performance.now()
    for (let i = 0; i < ORDERS; i++) run(i)
    const totalMs = performance.now() - started
    const micros = new Float64Array(ORDERS)
    for (let i = 0; i < ORDERS; i++) {
      const t0 = performance.now()
      run(i)
      micros[i] = (performance.now() - t0) * 1000
    }
    const measurement = summarize(name, micros, totalMs)
    if (!best || measurement.decisionsPerSecond > best.decisionsPerSecond) best = measurement
  }
  return best!
}

async function measureEngine(): Promise<{ measurement: Measurement; decisions: Decision[] }> {
  for (let i = 0; i < 300; i++) await decideWithReference(ruleset, cases[i].facts, cases[i].quotes)
  const micros = new Float64Array(ORDERS)
  const decisions: Decision[] = []
  const started = performance.now()
  for (let i = 0; i < ORDERS; i++) {
    const t0 = performance.now()
    decisions.push(await decideWithReference(ruleset, cases[i].facts, cases[i].quotes))
    micros[i] = (performance.now() - t0) * 1000
  }
  return { measurement: summarize('engine', micros, performance.now() - started), decisions }
}

// cross-check first: a fast wrong answer is worth nothing
const { measurement: engine, decisions: engineDecisions } = await measureEngine()
let disagreements = 0
for (let i = 0; i < ORDERS; i++) {
  const compiled = withoutTiming(compiledDecide(i))
  const reference = withoutTiming(engineDecisions[i])
  const handWritten = withoutTiming(handWrittenDecide(i))
  if (
    !isDeepStrictEqual(JSON.parse(JSON.stringify(compiled)), JSON.parse(JSON.stringify(reference)))
  )
    disagreements++
  else if (
    !isDeepStrictEqual(
      JSON.parse(JSON.stringify(compiled)),
      JSON.parse(JSON.stringify(handWritten))
    )
  )
    disagreements++
}
if (disagreements > 0) {
  console.error(
    `${disagreements} of ${ORDERS} decisions differ between the evaluators; not reporting timings`
  )
  process.exit(1)
}

const compiled = measureSync('compiled', compiledDecide)
const handWritten = measureSync('hand-written', handWrittenDecide)

const rows = [compiled, engine, handWritten].map((measurement) => ({
  'path': measurement.name,
  'decisions/s': Math.round(measurement.decisionsPerSecond),
  'p50 µs': Number(measurement.p50.toFixed(2)),
  'p99 µs': Number(measurement.p99.toFixed(2)),
  'max µs': Number(measurement.max.toFixed(1)),
}))

console.log(
  `default rules (${ruleCount} rules), ${ORDERS} orders × ${QUOTES} quotes, seed ${SEED}; ` +
    `node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown cpu'} (${os.cpus().length} cores)`
)
console.log(`all ${ORDERS} decisions identical across compiled, engine and hand-written`)
console.table(rows)
const speedup = compiled.decisionsPerSecond / engine.decisionsPerSecond
const gap = handWritten.decisionsPerSecond / compiled.decisionsPerSecond
console.log(`compiled vs Engine#run: ${speedup.toFixed(0)}× faster (goal ≥ 100×)`)
console.log(`hand-written vs compiled: ${gap.toFixed(2)}× faster (goal ≤ 5×)`)
console.log(`compiled p99: ${compiled.p99.toFixed(2)} µs (goal < 50 µs)`)
