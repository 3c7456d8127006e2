// Helpers for the end-to-end checks: run floe's writer, read its files with independent
// readers (DuckDB through @duckdb/node-api, hyparquet), and normalize what they return.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { DuckDBInstance } from '@duckdb/node-api'
import { parquetMetadata, parquetReadObjects } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'

const here = path.dirname(fileURLToPath(import.meta.url))
export const floeBin = process.env.FLOE_BIN ?? path.resolve(here, '../../../build/debug/floe')

// A free loopback port.
export async function freePort () {
  return new Promise((resolve) => {
    const s = net.createServer()
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

export function tempDir (prefix = 'floe-e2e-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix))
}

// JSON text with BigInt values written as bare integers (floe keeps numbers exact).
export function toJson (value) {
  if (typeof value === 'bigint') return value.toString()
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return '"NaN"'
    if (value === Infinity) return '"Infinity"'
    if (value === -Infinity) return '"-Infinity"'
    if (Object.is(value, -0)) return '-0.0'
    // Integral doubles past 2^53 in exponent form: a JSON integer that large is not a double.
    if (Number.isInteger(value) && Math.abs(value) > 2 ** 53) return value.toExponential()
    return JSON.stringify(value)
  }
  if (Array.isArray(value)) return '[' + value.map(toJson).join(',') + ']'
  if (typeof value === 'object') {
    return '{' + Object.entries(value).map(([k, v]) => JSON.stringify(k) + ':' + toJson(v)).join(',') + '}'
  }
  return JSON.stringify(value)
}

// Runs `floe parquet write`; returns { file, metrics } or throws with floe's message.
export function writeParquet (dir, name, schema, rows, args = []) {
  const schemaPath = path.join(dir, name + '.schema.json')
  const rowsPath = path.join(dir, name + '.jsonl')
  const file = path.join(dir, name + '.parquet')
  fs.writeFileSync(schemaPath, JSON.stringify(schema))
  fs.writeFileSync(rowsPath, rows.map(toJson).join('\n') + '\n')
  const r = spawnSync(floeBin, ['parquet', 'write', '--schema', schemaPath, '--rows', rowsPath, '--out', file, ...args],
    { encoding: 'utf8', maxBuffer: 1 << 28 })
  if (r.status !== 0) {
    const err = new Error(`floe parquet write failed (status ${r.status}, signal ${r.signal}, ${r.error ?? ''}): ${r.stderr}`)
    err.stderr = r.stderr
    throw err
  }
  return { file, metrics: JSON.parse(r.stdout) }
}

let duck
export async function duckdb () {
  if (!duck) {
    const instance = await DuckDBInstance.create(':memory:')
    duck = await instance.connect()
  }
  return duck
}

export async function query (sql) {
  const con = await duckdb()
  const reader = await con.runAndReadAll(sql)
  return reader.getRowObjects()
}

export async function queryJson (sql) {
  const con = await duckdb()
  const reader = await con.runAndReadAll(sql)
  return reader.getRowObjectsJson()
}

export async function hyparquetRows (file) {
  const buf = fs.readFileSync(file)
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)
  return parquetReadObjects({ file: ab, compressors, utf8: false })
}

export function hyparquetMetadata (file) {
  const buf = fs.readFileSync(file)
  return parquetMetadata(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength))
}

const hex = (bytes) => Buffer.from(bytes).toString('hex')

// A DuckDB value in the test's normal form for the Iceberg type `type` (as in schema JSON):
// long, time and timestamps as BigInt, decimals as their unscaled BigInt, dates as days,
// binary and fixed as hex, uuids as strings, maps as {keys, values}.
export function normalizeDuck (type, v) {
  if (v === null || v === undefined) return null
  if (typeof type === 'object') {
    if (type.type === 'struct') {
      const out = {}
      for (const f of type.fields) out[f.name] = normalizeDuck(f.type, v.entries[f.name])
      return out
    }
    if (type.type === 'list') return v.items.map((x) => normalizeDuck(type.element, x))
    if (type.type === 'map') {
      return {
        keys: v.entries.map((e) => normalizeDuck(type.key, e.key)),
        values: v.entries.map((e) => normalizeDuck(type.value, e.value))
      }
    }
  }
  if (type.startsWith('decimal')) return BigInt(v.value)
  switch (type) {
    case 'long': return BigInt(v)
    case 'date': return v.days
    case 'time':
    case 'timestamp':
    case 'timestamptz': return BigInt(v.micros)
    case 'binary': return hex(v.bytes)
    case 'uuid': return v.toString()
    default:
      if (type.startsWith('fixed')) return hex(v.bytes)
      return v
  }
}

// The JSON value floe's writer takes for a normalized value.
export function toFloeJson (type, v, scaleOf = (t) => Number(/decimal\(\d+,\s*(\d+)\)/.exec(t)[1])) {
  if (v === null) return null
  if (typeof type === 'object') {
    if (type.type === 'struct') {
      const out = {}
      for (const f of type.fields) out[f.name] = toFloeJson(f.type, v[f.name])
      return out
    }
    if (type.type === 'list') return v.map((x) => toFloeJson(type.element, x))
    if (type.type === 'map') {
      return { keys: v.keys.map((x) => toFloeJson(type.key, x)), values: v.values.map((x) => toFloeJson(type.value, x)) }
    }
  }
  if (type.startsWith('decimal')) {
    const scale = scaleOf(type)
    const neg = v < 0n
    let digits = (neg ? -v : v).toString().padStart(scale + 1, '0')
    if (scale > 0) digits = digits.slice(0, digits.length - scale) + '.' + digits.slice(digits.length - scale)
    return (neg ? '-' : '') + digits
  }
  return v
}

// Deep equality that tells NaN, -0 and +0 apart.
export function sameValue (a, b) {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b)
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  if (ka.length !== kb.length) return false
  return ka.every((k) => sameValue(a[k], b[k]))
}
