// Randomized round trips: random schemas and random data written by floe, read back by
// DuckDB and compared value by value. The seed is printed; FLOE_RANDOM_SEED replays a run.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { normalizeDuck, query, sameValue, tempDir, toFloeJson, writeParquet } from './lib/floe.mjs'

const seed = Number(process.env.FLOE_RANDOM_SEED ?? Date.now() % 1000000)
const rounds = Number(process.env.FLOE_RANDOM_ROUNDS ?? 40)

// mulberry32: a small seeded generator.
function rng (s) {
  return () => {
    s |= 0; s = (s + 0x6d2b79f5) | 0
    let t = Math.imul(s ^ (s >>> 15), 1 | s)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function generator (random) {
  const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1))
  const pick = (xs) => xs[int(0, xs.length - 1)]
  const bigint = (digits) => {
    let s = ''
    for (let i = 0; i < digits; ++i) s += String(int(0, 9))
    return BigInt(s || '0')
  }
  let nextId = 1
  const primitives = ['boolean', 'int', 'long', 'float', 'double', 'decimal', 'date', 'time', 'timestamp',
    'timestamptz', 'string', 'binary', 'fixed', 'uuid']

  function primitiveType () {
    const p = pick(primitives)
    if (p === 'decimal') {
      const precision = int(1, 38)
      return `decimal(${precision},${int(0, precision)})`
    }
    if (p === 'fixed') return `fixed[${int(1, 24)}]`
    return p
  }

  // Nesting is kept shallow: DuckDB's reader slows down exponentially with list depth.
  function type (depth) {
    const r = random()
    if (depth >= 3 || r < 0.6) return primitiveType()
    if (r < 0.75) {
      const fields = []
      for (let i = 0, n = int(1, 4); i < n; ++i) fields.push(field(`f${i}`, depth + 1))
      return { type: 'struct', fields }
    }
    if (r < 0.9) {
      return { type: 'list', 'element-id': nextId++, 'element-required': random() < 0.3, element: type(depth + 1) }
    }
    return {
      type: 'map', 'key-id': nextId++, key: pick(['string', 'int', 'long']),
      'value-id': nextId++, 'value-required': random() < 0.3, value: type(depth + 1)
    }
  }

  function field (name, depth) {
    const id = nextId++
    return { id, name, required: random() < 0.3, type: type(depth) }
  }

  function schema () {
    nextId = 1
    const fields = []
    for (let i = 0, n = int(1, 8); i < n; ++i) fields.push(field(`c${i}`, 0))
    return { type: 'struct', fields }
  }

  const chars = ['a', 'b', 'z', ' ', 'é', 'ß', '€', '日', '😀', '\n', '"', '\\', 'Ω']
  function string () {
    let s = ''
    for (let i = 0, n = int(0, 12); i < n; ++i) s += pick(chars)
    return s
  }
  const hex = (n) => Array.from({ length: n }, () => int(0, 255).toString(16).padStart(2, '0')).join('')

  function float (single) {
    const r = random()
    if (r < 0.03) return NaN
    if (r < 0.05) return pick([Infinity, -Infinity, -0, 0])
    const v = (random() - 0.5) * 10 ** int(-5, single ? 30 : 300)
    return single ? Math.fround(v) : v
  }

  // A value in the normal form of lib/floe.mjs.
  function value (t, required) {
    if (!required && random() < 0.15) return null
    if (typeof t === 'object') {
      if (t.type === 'struct') {
        const out = {}
        for (const f of t.fields) out[f.name] = value(f.type, f.required)
        return out
      }
      if (t.type === 'list') return Array.from({ length: int(0, 4) }, () => value(t.element, t['element-required']))
      const keys = []
      const seen = new Set()
      for (let i = 0, n = int(0, 4); i < n; ++i) {
        const k = value(t.key, true)
        if (!seen.has(String(k))) {
          seen.add(String(k))
          keys.push(k)
        }
      }
      return { keys, values: keys.map(() => value(t.value, t['value-required'])) }
    }
    if (t.startsWith('decimal')) {
      const [, p] = /decimal\((\d+),(\d+)\)/.exec(t).map(Number)
      const v = bigint(int(0, p))
      return random() < 0.5 ? -v : v
    }
    if (t.startsWith('fixed')) return hex(Number(/\d+/.exec(t)[0]))
    switch (t) {
      case 'boolean': return random() < 0.5
      case 'int': return random() < 0.1 ? pick([-2147483648, 2147483647]) : int(-1e9, 1e9)
      case 'long': return random() < 0.1 ? pick([-9223372036854775808n, 9223372036854775807n]) : BigInt(int(-1e15, 1e15))
      case 'float': return float(true)
      case 'double': return float(false)
      case 'date': return int(-719162, 2932896)
      case 'time': return BigInt(int(0, 86399999)) * 1000n + BigInt(int(0, 999))
      case 'timestamp':
      case 'timestamptz': return BigInt(int(-62135596800, 253402300799)) * 1000000n + BigInt(int(0, 999999))
      case 'string': return string()
      case 'binary': return hex(int(0, 16))
      case 'uuid': {
        const h = hex(16)
        return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
      }
    }
    throw new Error('unknown type ' + t)
  }

  return { int, pick, schema, value }
}

test(`random schemas and data round-trip through DuckDB (seed ${seed})`, async () => {
  const random = rng(seed)
  const g = generator(random)
  const dir = tempDir('floe-random-')
  for (let round = 0; round < rounds; ++round) {
    const schema = g.schema()
    const rows = []
    for (let i = 0, n = g.int(0, 300); i < n; ++i) {
      const row = { __row: i }
      for (const f of schema.fields) row[f.name] = g.value(f.type, f.required)
      rows.push(row)
    }
    schema.fields.unshift({ id: 100000, name: '__row', required: true, type: 'int' })
    const args = ['--codec', g.pick(['zstd', 'snappy', 'gzip', 'uncompressed']),
      '--page-size', String(g.pick([64, 512, 4096, 1 << 20])),
      '--row-group-rows', String(g.pick([0, 7, 50, 1000]))]
    if (g.pick([false, true])) args.push('--no-dictionary')
    if (g.pick([false, true])) args.push('--boolean-rle')
    const input = rows.map((r) => {
      const out = {}
      for (const f of schema.fields) out[f.name] = toFloeJson(f.type, r[f.name])
      return out
    })
    const context = `seed ${seed} round ${round} args ${args.join(' ')} schema ${JSON.stringify(schema)}`
    const { file } = writeParquet(dir, `r${round}`, schema, input, args)
    const got = await query(`SELECT * FROM read_parquet('${file}') ORDER BY __row`)
    assert.equal(got.length, rows.length, context)
    for (let i = 0; i < rows.length; ++i) {
      for (const f of schema.fields) {
        const actual = normalizeDuck(f.type, got[i][f.name])
        assert.ok(sameValue(actual, rows[i][f.name]),
          `${context}\nrow ${i} column ${f.name}: got ${show(actual)}, expected ${show(rows[i][f.name])}`)
      }
    }
  }
})

function show (v) {
  return JSON.stringify(v, (k, x) => typeof x === 'bigint' ? `${x}n` : (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x))
}
