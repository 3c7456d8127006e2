// floe's Parquet files read back by independent readers: DuckDB (@duckdb/node-api) and
// hyparquet. Run with `make e2e` (or `npm test` here, FLOE_BIN pointing at a floe binary).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import {
  hyparquetMetadata, hyparquetRows, normalizeDuck, query, sameValue, tempDir, toFloeJson, writeParquet
} from './lib/floe.mjs'

const dir = tempDir()
// hyparquet returns annotated strings as strings and plain binary as bytes.
const str = (x) => typeof x === 'string' || x === null || x === undefined ? x : new TextDecoder().decode(x)

const allTypes = {
  type: 'struct',
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'i', required: false, type: 'int' },
    { id: 3, name: 'b', required: false, type: 'boolean' },
    { id: 4, name: 'f', required: false, type: 'float' },
    { id: 5, name: 'd', required: false, type: 'double' },
    { id: 6, name: 'dec9', required: false, type: 'decimal(9,2)' },
    { id: 7, name: 'dec18', required: false, type: 'decimal(18,6)' },
    { id: 8, name: 'dec38', required: false, type: 'decimal(38,10)' },
    { id: 9, name: 's', required: false, type: 'string' },
    { id: 10, name: 'bin', required: false, type: 'binary' },
    { id: 11, name: 'fx', required: false, type: 'fixed[4]' },
    { id: 12, name: 'u', required: false, type: 'uuid' },
    { id: 13, name: 'day', required: false, type: 'date' },
    { id: 14, name: 't', required: false, type: 'time' },
    { id: 15, name: 'ts', required: false, type: 'timestamp' },
    { id: 16, name: 'tstz', required: false, type: 'timestamptz' },
    {
      id: 17, name: 'tags', required: false,
      type: { type: 'list', 'element-id': 18, 'element-required': false, element: 'string' }
    },
    {
      id: 19, name: 'attrs', required: false,
      type: { type: 'map', 'key-id': 20, key: 'string', 'value-id': 21, 'value-required': false, value: 'long' }
    },
    {
      id: 22, name: 'addr', required: false,
      type: {
        type: 'struct',
        fields: [
          { id: 23, name: 'city', required: false, type: 'string' },
          { id: 24, name: 'zip', required: true, type: 'int' },
          {
            id: 25, name: 'lines', required: false,
            type: { type: 'list', 'element-id': 26, 'element-required': true, element: 'string' }
          }
        ]
      }
    }
  ]
}

// Normalized rows (see lib/floe.mjs): nulls at every level, empty lists and maps.
const allRows = [
  {
    id: 1n, i: -2147483648, b: true, f: 1.5, d: -0.25, dec9: 1234567n, dec18: -123456789012345678n,
    dec38: 99999999999999999999999999999999999999n, s: 'héllo wörld ✓', bin: '00ff10', fx: 'deadbeef',
    u: 'f79c3e09-677c-4bbd-a479-3f349cb785e7', day: 19782, t: 81068123456n, ts: 1510871468000000n,
    tstz: 1704164645123456n, tags: ['a', null, 'c'], attrs: { keys: ['x', 'y'], values: [1n, null] },
    addr: { city: 'Paris', zip: 75001, lines: ['1 rue', 'bis'] }
  },
  {
    id: 2n, i: 2147483647, b: false, f: NaN, d: Infinity, dec9: -999999999n, dec18: 0n,
    dec38: -99999999999999999999999999999999999999n, s: '', bin: '', fx: '00000000',
    u: '00000000-0000-0000-0000-000000000000', day: -719162, t: 0n, ts: -62135596800000000n, tstz: 0n,
    tags: [], attrs: { keys: [], values: [] }, addr: { city: null, zip: 0, lines: [] }
  },
  {
    id: 3n, i: null, b: null, f: null, d: null, dec9: null, dec18: null, dec38: null, s: null, bin: null, fx: null,
    u: null, day: null, t: null, ts: null, tstz: null, tags: null, attrs: null, addr: null
  },
  {
    id: 4n, i: 0, b: true, f: -0, d: -Infinity, dec9: 0n, dec18: 1n, dec38: 1n, s: '日本語 😀', bin: '61',
    fx: 'ffffffff', u: 'ffffffff-ffff-ffff-ffff-ffffffffffff', day: 2932896, t: 86399999999n,
    ts: 253402300799999999n, tstz: -1n, tags: [null], attrs: { keys: ['k'], values: [-9223372036854775808n] },
    addr: { city: 'Zürich', zip: 8000, lines: null }
  }
]

function floeRows (schema, rows) {
  return rows.map((r) => {
    const out = {}
    for (const f of schema.fields) out[f.name] = toFloeJson(f.type, r[f.name])
    return out
  })
}

async function duckRows (schema, file, orderBy) {
  const rows = await query(`SELECT * FROM read_parquet('${file}')` + (orderBy ? ` ORDER BY ${orderBy}` : ''))
  return rows.map((r) => {
    const out = {}
    for (const f of schema.fields) out[f.name] = normalizeDuck(f.type, r[f.name])
    return out
  })
}

function assertRows (actual, expected) {
  assert.equal(actual.length, expected.length)
  for (let i = 0; i < expected.length; ++i) {
    for (const k of Object.keys(expected[i])) {
      assert.ok(sameValue(actual[i][k], expected[i][k]),
        `row ${i} field ${k}: got ${String(actual[i][k])}, expected ${String(expected[i][k])}`)
    }
  }
}

test('every type, with nulls at every level, reads back exactly in DuckDB', async () => {
  const { file } = writeParquet(dir, 'all', allTypes, floeRows(allTypes, allRows))
  const rows = await duckRows(allTypes, file, 'id')
  assertRows(rows.map((r) => JSON.parse(JSON.stringify(r, (k, v) => typeof v === 'bigint' ? `${v}n` : v))),
    allRows.map((r) => JSON.parse(JSON.stringify(r, (k, v) => typeof v === 'bigint' ? `${v}n` : v))))
  // NaN, infinities and the sign of zero survive (JSON above cannot show them).
  assert.ok(Number.isNaN(rows[1].f))
  assert.equal(rows[1].d, Infinity)
  assert.ok(Object.is(rows[3].f, -0))
  assert.equal(rows[3].d, -Infinity)
})

test('every type reads back in hyparquet', async () => {
  const { file } = writeParquet(dir, 'all-hy', allTypes, floeRows(allTypes, allRows))
  const rows = await hyparquetRows(file)
  assert.equal(rows.length, 4)
  assert.deepEqual(rows.map((r) => r.id), [1n, 2n, 3n, 4n])
  assert.deepEqual(rows.map((r) => r.i), [-2147483648, 2147483647, null, 0])
  assert.deepEqual(rows.map((r) => r.b), [true, false, null, true])
  assert.equal(rows[0].f, 1.5)
  assert.ok(Number.isNaN(rows[1].f))
  assert.ok(Object.is(rows[3].f, -0))
  assert.equal(rows[0].dec9, 12345.67)
  assert.equal(rows[0].dec18, -123456789012.345678)
  assert.equal(str(rows[0].s), 'héllo wörld ✓')
  assert.equal(str(rows[3].s), '日本語 😀')
  assert.equal(rows[0].u, 'f79c3e09-677c-4bbd-a479-3f349cb785e7')
  assert.equal(rows[0].day.toISOString(), '2024-02-29T00:00:00.000Z')
  assert.equal(rows[0].t, 81068123456n)
  assert.equal(rows[0].tstz.toISOString(), '2024-01-02T03:04:05.123Z')
  assert.deepEqual(rows[0].tags.map((x) => x && str(x)), ['a', null, 'c'])
  assert.deepEqual(rows[1].tags, [])
  assert.deepEqual(rows[3].tags, [null])
  assert.equal(rows[0].attrs.size ?? Object.keys(rows[0].attrs).length, 2)
  assert.equal(rows[0].addr.zip, 75001)
  assert.equal(str(rows[0].addr.lines[1]), 'bis')
  assert.deepEqual(rows[1].addr.lines, [])
})

test('parquet_schema shows the field ids and logical types; parquet_metadata the statistics', async () => {
  const { file, metrics } = writeParquet(dir, 'meta', allTypes, floeRows(allTypes, allRows))
  const schema = await query(`SELECT name, field_id, type, logical_type, repetition_type FROM parquet_schema('${file}')`)
  const byName = Object.fromEntries(schema.map((r) => [r.name, r]))
  assert.equal(Number(byName.id.field_id), 1)
  assert.equal(byName.id.repetition_type, 'REQUIRED')
  assert.equal(Number(byName.tags.field_id), 17)
  assert.match(byName.tags.logical_type, /ListType/)
  assert.equal(byName.list.repetition_type, 'REPEATED')
  assert.deepEqual(schema.filter((r) => r.name === 'element').map((r) => Number(r.field_id)), [18, 26])
  assert.equal(Number(byName.attrs.field_id), 19)
  assert.match(byName.attrs.logical_type, /MapType/)
  assert.equal(Number(byName.key.field_id), 20)
  assert.equal(Number(byName.value.field_id), 21)
  assert.equal(Number(byName.zip.field_id), 24)
  assert.equal(byName.dec9.type, 'INT32')
  assert.equal(byName.dec18.type, 'INT64')
  assert.equal(byName.dec38.type, 'FIXED_LEN_BYTE_ARRAY')
  assert.match(byName.dec38.logical_type, /DecimalType\(scale=10, precision=38\)/)
  assert.match(byName.u.logical_type, /UUIDType/)
  assert.match(byName.tstz.logical_type, /isAdjustedToUTC=1/)
  assert.match(byName.ts.logical_type, /isAdjustedToUTC=0/)
  assert.match(byName.t.logical_type, /TimeType/)
  assert.match(byName.day.logical_type, /DateType/)
  assert.match(byName.s.logical_type, /StringType/)

  const meta = await query(`SELECT path_in_schema, stats_min_value, stats_max_value, stats_null_count, num_values
                            FROM parquet_metadata('${file}')`)
  const stats = Object.fromEntries(meta.map((r) => [r.path_in_schema, r]))
  assert.equal(stats.id.stats_min_value, '1')
  assert.equal(stats.id.stats_max_value, '4')
  assert.equal(stats.id.stats_null_count, 0n)
  assert.equal(stats.i.stats_min_value, '-2147483648')
  assert.equal(stats.i.stats_null_count, 1n)
  assert.equal(stats.s.stats_min_value, '')
  assert.equal(stats.s.stats_max_value, '日本語 😀')
  assert.equal(stats.dec38.stats_min_value, '-9999999999999999999999999999.9999999999')
  assert.equal(stats.dec38.stats_max_value, '9999999999999999999999999999.9999999999')
  // NaN is left out of float bounds; a zero minimum is written as -0.
  assert.equal(stats.f.stats_max_value, '1.5')
  assert.equal(stats.f.stats_min_value, '-0.0')
  // DuckDB does not display infinite bounds; hyparquet shows what the file says.
  const dstats = hyparquetMetadata(file).row_groups[0].columns[4].meta_data.statistics
  assert.equal(dstats.min_value, -Infinity)
  assert.equal(dstats.max_value, Infinity)
  assert.equal(stats['tags, list, element'].num_values, 6n)  // 3 + empty list + null list + [null]
  assert.equal(stats['tags, list, element'].stats_null_count, 4n)

  // The writer's Iceberg metrics agree with the file.
  const m = Object.fromEntries(metrics.columns.map((c) => [c.path.join(', '), c]))
  for (const r of meta) {
    assert.equal(BigInt(m[r.path_in_schema].value_count), r.num_values)
    assert.equal(BigInt(m[r.path_in_schema].null_count), r.stats_null_count)
  }
  assert.equal(m.id.lower_bound, '0100000000000000')
  assert.equal(m.id.upper_bound, '0400000000000000')
  assert.equal(m.f.nan_count, 1)
  // Iceberg serializes decimals as minimal big-endian two's complement.
  assert.equal(m.dec18.lower_bound, 'fe4964b459cf0cb2')
  assert.equal(m.dec38.upper_bound, '4b3b4ca85a86c47a098a223fffffffff')
  assert.equal(metrics.file_size, fs.statSync(file).size)
  assert.equal(metrics.row_count, 4)
  assert.deepEqual(metrics.split_offsets, [4])
})

test('each codec reads back in DuckDB and hyparquet', async () => {
  const schema = {
    type: 'struct',
    fields: [
      { id: 1, name: 'k', required: true, type: 'long' },
      { id: 2, name: 'cat', required: false, type: 'string' },
      { id: 3, name: 'x', required: false, type: 'double' }
    ]
  }
  const rows = []
  for (let i = 0; i < 5000; ++i) rows.push({ k: BigInt(i), cat: i % 7 === 0 ? null : `category-${i % 13}`, x: i / 8 })
  for (const codec of ['uncompressed', 'snappy', 'gzip', 'zstd']) {
    const { file } = writeParquet(dir, `codec-${codec}`, schema, rows, ['--codec', codec, '--page-size', '8192'])
    const meta = await query(`SELECT DISTINCT compression FROM parquet_metadata('${file}')`)
    assert.deepEqual(meta.map((r) => r.compression), [codec.toUpperCase()])
    const sums = await query(`SELECT count(*) AS n, sum(k) AS sk, count(cat) AS nc, sum(x) AS sx,
                                     count(DISTINCT cat) AS dc FROM read_parquet('${file}')`)
    assert.equal(sums[0].n, 5000n)
    assert.equal(sums[0].sk, 12497500n)
    assert.equal(sums[0].nc, BigInt(rows.filter((r) => r.cat !== null).length))
    assert.equal(sums[0].sx, 12497500 / 8)
    assert.equal(sums[0].dc, 13n)
    const hy = await hyparquetRows(file)
    assert.equal(hy.length, 5000)
    for (const i of [0, 1, 7, 4999]) {
      assert.equal(hy[i].k, BigInt(i))
      assert.equal(hy[i].cat === null ? null : str(hy[i].cat), rows[i].cat)
      assert.equal(hy[i].x, rows[i].x)
    }
  }
})

function nestedList (depth) {
  return depth === 0 ? 'int' : { type: 'list', 'element-id': 100 + depth, 'element-required': false, element: nestedList(depth - 1) }
}
// Full depth for seeds below 10; otherwise an empty or null list now and then at any depth.
function nestedListValue (depth, seed) {
  if (depth === 0) return seed
  const h = (seed * 31 + depth * 17) % 23
  if (seed >= 10 && h === 0) return []
  if (seed >= 10 && h === 1) return null
  const first = nestedListValue(depth - 1, seed)
  if (h % 3 === 0) return [first]
  return [first, depth > 1 && h % 2 ? [] : null]
}
function nestedMap (depth) {
  return depth === 0
    ? 'string'
    : { type: 'map', 'key-id': 200 + 2 * depth, key: 'string', 'value-id': 201 + 2 * depth, 'value-required': false, value: nestedMap(depth - 1) }
}
function nestedMapValue (depth, seed) {
  if (depth === 0) return `leaf-${seed}`
  if (seed % 4 === 0) return { keys: [], values: [] }
  return { keys: [`a${depth}`, `b${depth}`], values: [nestedMapValue(depth - 1, seed + 1), seed % 3 === 0 ? null : (depth === 1 ? 'x' : { keys: [], values: [] })] }
}
function nestedStruct (depth) {
  return depth === 0
    ? 'long'
    : { type: 'struct', fields: [{ id: 400 + 2 * depth, name: 'v', required: false, type: 'int' }, { id: 401 + 2 * depth, name: 'next', required: false, type: nestedStruct(depth - 1) }] }
}
function nestedStructValue (depth, seed) {
  if (depth === 0) return BigInt(seed)
  if (seed % 11 === 10) return null
  return { v: seed % 3 === 0 ? null : seed, next: nestedStructValue(depth - 1, seed + 1) }
}

// DuckDB's reader takes time exponential in list depth (its own files too: 1.9 s at depth 24),
// so it checks lists 12 deep and maps and structs deeper; hyparquet checks lists 32 deep.
test('nested lists, maps and structs, with empty and null members at every depth, in DuckDB', async () => {
  const schema = {
    type: 'struct',
    fields: [
      { id: 1, name: 'id', required: true, type: 'int' },
      { id: 2, name: 'lists', required: false, type: nestedList(12) },
      { id: 3, name: 'maps', required: false, type: nestedMap(16) },
      { id: 4, name: 'structs', required: false, type: nestedStruct(32) }
    ]
  }
  const rows = []
  for (let i = 0; i < 80; ++i) {
    rows.push({ id: i, lists: nestedListValue(12, i), maps: nestedMapValue(16, i), structs: nestedStructValue(32, i) })
  }
  const { file } = writeParquet(dir, 'deep', schema, floeRows(schema, rows))
  const got = await duckRows(schema, file, 'id')
  const norm = (x) => JSON.stringify(x, (k, v) => typeof v === 'bigint' ? `${v}n` : v)
  for (let i = 0; i < rows.length; ++i) {
    assert.equal(norm(got[i].lists), norm(rows[i].lists), `row ${i} lists`)
    assert.equal(norm(got[i].maps), norm(rows[i].maps), `row ${i} maps`)
    assert.equal(norm(got[i].structs), norm(rows[i].structs), `row ${i} structs`)
  }
})

test('lists nested 32 deep, the depth of DynamoDB documents, in hyparquet', async () => {
  const schema = {
    type: 'struct',
    fields: [
      { id: 1, name: 'id', required: true, type: 'int' },
      { id: 2, name: 'lists', required: false, type: nestedList(32) }
    ]
  }
  const rows = []
  for (let i = 0; i < 80; ++i) rows.push({ id: i, lists: nestedListValue(32, i) })
  const { file } = writeParquet(dir, 'deep32', schema, rows)
  const got = await hyparquetRows(file)
  const depthOf = (v) => Array.isArray(v) && v.length ? 1 + depthOf(v[0]) : 0
  assert.equal(depthOf(got[0].lists), 32)
  // hyparquet reads a null list element as undefined; JSON shows both as null.
  assert.equal(JSON.stringify(got.map((r) => r.lists)), JSON.stringify(rows.map((r) => r.lists)))
})

test('many row groups and pages', async () => {
  const schema = {
    type: 'struct',
    fields: [
      { id: 1, name: 'k', required: true, type: 'long' },
      { id: 2, name: 's', required: false, type: 'string' },
      { id: 3, name: 'l', required: false, type: { type: 'list', 'element-id': 4, 'element-required': true, element: 'int' } }
    ]
  }
  const rows = []
  for (let i = 0; i < 30000; ++i) {
    rows.push({ k: BigInt(i), s: i % 3 === 0 ? null : `value ${i}`, l: i % 4 === 0 ? null : Array.from({ length: i % 5 }, (_, j) => i + j) })
  }
  const { file, metrics } = writeParquet(dir, 'many', schema, floeRows(schema, rows), ['--row-group-rows', '4000', '--page-size', '2048'])
  const groups = await query(`SELECT row_group_id, row_group_num_rows FROM parquet_metadata('${file}') WHERE path_in_schema = 'k' ORDER BY 1`)
  assert.equal(groups.length, 8)
  assert.deepEqual(groups.map((g) => Number(g.row_group_num_rows)), [4000, 4000, 4000, 4000, 4000, 4000, 4000, 2000])
  assert.equal(metrics.split_offsets.length, 8)
  const md = hyparquetMetadata(file)
  assert.deepEqual(md.row_groups.map((g) => Number(g.file_offset)), metrics.split_offsets)
  const pages = md.row_groups[0].columns.map((c) => c.meta_data.encoding_stats.reduce((n, s) => n + s.count, 0))
  assert.ok(pages.every((n) => n > 3), `pages per chunk: ${pages}`)
  const got = await query(`SELECT k, s, l FROM read_parquet('${file}') ORDER BY k`)
  for (let i = 0; i < rows.length; ++i) {
    assert.equal(got[i].k, rows[i].k)
    assert.equal(got[i].s, rows[i].s)
    assert.deepEqual(got[i].l === null ? null : got[i].l.items, rows[i].l)
  }
  const hy = await hyparquetRows(file)
  assert.equal(hy.length, 30000)
  assert.deepEqual(hy[29999].l, rows[29999].l)
})

test('dictionary encoding, and the fall-back to PLAIN when the dictionary grows too large', async () => {
  const schema = {
    type: 'struct',
    fields: [
      { id: 1, name: 'low', required: true, type: 'string' },
      { id: 2, name: 'high', required: true, type: 'string' },
      { id: 3, name: 'n', required: false, type: 'long' }
    ]
  }
  const rows = []
  for (let i = 0; i < 20000; ++i) rows.push({ low: `color-${i % 5}`, high: `unique-${i}-${'x'.repeat(i % 17)}`, n: i % 3 === 0 ? null : BigInt(i % 10) })
  // A dictionary of repeated values pays; `high` starts with one (its first page repeats
  // little but is still smaller dictionary-encoded? no: it falls back or never starts).
  const { file } = writeParquet(dir, 'dict', schema, floeRows(schema, rows), ['--page-size', '4096', '--dictionary-limit', '2000'])
  const meta = await query(`SELECT path_in_schema, encodings FROM parquet_metadata('${file}')`)
  const enc = Object.fromEntries(meta.map((r) => [r.path_in_schema, r.encodings]))
  assert.match(enc.low, /RLE_DICTIONARY/)
  assert.match(enc.n, /RLE_DICTIONARY/)
  assert.doesNotMatch(enc.high, /RLE_DICTIONARY/)
  const md = hyparquetMetadata(file)
  const stats = md.row_groups[0].columns[0].meta_data.encoding_stats
  assert.deepEqual(stats.map((s) => [s.page_type, s.encoding]), [['DICTIONARY_PAGE', 'PLAIN'], ['DATA_PAGE', 'RLE_DICTIONARY']])
  const got = await query(`SELECT low, high, n FROM read_parquet('${file}')`)
  for (let i = 0; i < rows.length; ++i) {
    assert.equal(got[i].low, rows[i].low)
    assert.equal(got[i].high, rows[i].high)
    assert.equal(got[i].n, rows[i].n)
  }

  // Medium cardinality: the dictionary pays at first, then passes its limit; the chunk
  // ends in PLAIN pages after the dictionary-encoded ones.
  const mid = []
  for (let i = 0; i < 20000; ++i) mid.push({ low: 'x', high: `v${Math.floor(i / 2)}`, n: null })
  const { file: f2 } = writeParquet(dir, 'dict-fallback', schema, floeRows(schema, mid), ['--page-size', '4096', '--dictionary-limit', '2000'])
  const md2 = hyparquetMetadata(f2)
  const s2 = md2.row_groups[0].columns[1].meta_data.encoding_stats.map((s) => [s.page_type, s.encoding])
  assert.deepEqual(s2.map((s) => s.join(' ')), ['DICTIONARY_PAGE PLAIN', 'DATA_PAGE RLE_DICTIONARY', 'DATA_PAGE PLAIN'])
  const got2 = await query(`SELECT high FROM read_parquet('${f2}')`)
  assert.deepEqual(got2.map((r) => r.high), mid.map((r) => r.high))
  const hy2 = await hyparquetRows(f2)
  assert.deepEqual(hy2.map((r) => str(r.high)), mid.map((r) => r.high))
})

test('a chunk whose first pages hold only nulls still gets its dictionary', async () => {
  const schema = { type: 'struct', fields: [{ id: 1, name: 'k', required: true, type: 'int' }, { id: 2, name: 'v', required: false, type: 'string' }] }
  const rows = []
  for (let i = 0; i < 50000; ++i) rows.push({ k: i, v: i < 45000 ? null : `v${i % 4}` })
  const { file } = writeParquet(dir, 'null-pages', schema, rows, ['--page-size', '512'])
  const stats = hyparquetMetadata(file).row_groups[0].columns[1].meta_data.encoding_stats
  assert.deepEqual(stats.map((s) => `${s.page_type} ${s.encoding}`).sort(),
    ['DATA_PAGE PLAIN', 'DATA_PAGE RLE_DICTIONARY', 'DICTIONARY_PAGE PLAIN'])
  const got = await query(`SELECT v FROM read_parquet('${file}')`)
  assert.deepEqual(got.map((r) => r.v), rows.map((r) => r.v))
  const hy = await hyparquetRows(file)
  assert.deepEqual(hy.map((r) => r.v), rows.map((r) => r.v))
})

test('large values and unicode', async () => {
  const schema = {
    type: 'struct',
    fields: [
      { id: 1, name: 'k', required: true, type: 'int' },
      { id: 2, name: 's', required: false, type: 'string' },
      { id: 3, name: 'b', required: false, type: 'binary' }
    ]
  }
  const big = 'ü€😀'.repeat(100000)  // 1 MB of multi-byte UTF-8
  const blob = Buffer.alloc(400 * 1024, 0xab).toString('hex')
  const rows = [
    { k: 1, s: big, b: blob },
    { k: 2, s: 'Ω≈ç√∫˜µ≤≥÷ 田中さん ﷽ \u0000 nul inside', b: '00' },
    { k: 3, s: 'e\u0301 combining, \ud83c\udff3\ufe0f\u200d\ud83c\udf08 flag', b: null }
  ]
  const { file } = writeParquet(dir, 'large', schema, rows.map((r) => ({ ...r })))
  const got = await query(`SELECT k, s, b FROM read_parquet('${file}') ORDER BY k`)
  assert.equal(got[0].s, big)
  assert.equal(Buffer.from(got[0].b.bytes).toString('hex'), blob)
  assert.equal(got[1].s, rows[1].s)
  assert.equal(got[2].s, rows[2].s)
  const hy = await hyparquetRows(file)
  assert.equal(str(hy[0].s), big)
  // Chunk statistics leave out bounds past 4 KB; the null count stays.
  const meta = await query(`SELECT path_in_schema, stats_min_value, stats_null_count FROM parquet_metadata('${file}')`)
  const stats = Object.fromEntries(meta.map((r) => [r.path_in_schema, r]))
  assert.equal(stats.b.stats_min_value, null)  // the 400 KB blob is the maximum
  assert.equal(stats.b.stats_null_count, 1n)
  assert.equal(stats.s.stats_min_value, rows[2].s)  // bytewise: 'e' < 'Ω' (ce a9) and 'ü' (c3 bc)
  // (DuckDB does not display a bound holding NUL; hyparquet shows it.)
  assert.equal(hyparquetMetadata(file).row_groups[0].columns[1].meta_data.statistics.max_value, rows[1].s)
  assert.equal(stats.k.stats_min_value, '1')
})

test('bad values are refused with the field named, and no file is claimed', () => {
  const schema = {
    type: 'struct',
    fields: [
      { id: 1, name: 'k', required: true, type: 'long' },
      { id: 2, name: 'p', required: false, type: 'decimal(5,2)' },
      { id: 3, name: 'st', required: false, type: { type: 'struct', fields: [{ id: 4, name: 'inner', required: true, type: 'int' }] } }
    ]
  }
  const cases = [
    [[{ k: 'abc' }], /line 1: k: not a valid long value/],
    [[{ k: 1 }, { p: '1.00' }], /line 2: field k: is required but the value is null/],
    [[{ k: 1, p: '1.234' }], /p: not a valid decimal\(5,2\) value/],
    [[{ k: 1, p: '1234.5' }], /field p: value has more digits than decimal\(5,2\) allows/],
    [[{ k: 1, st: {} }], /field st\.inner: is required but the value is null/],
    [[{ k: 1, nope: 2 }], /the schema has no field named nope/]
  ]
  for (const [rows, message] of cases) {
    assert.throws(() => writeParquet(dir, 'bad', schema, rows), (e) => message.test(e.stderr), String(message))
    assert.ok(!fs.existsSync(`${dir}/bad.parquet`) && !fs.existsSync(`${dir}/bad.parquet.tmp`))
  }
  assert.throws(() => writeParquet(dir, 'bad-schema', { type: 'struct', fields: [{ id: 1, name: 'a', type: 'decimal(40,2)' }] }, []),
    (e) => /decimal field a needs a precision between 1 and 38/.test(e.stderr))
  assert.throws(() => writeParquet(dir, 'bad-ids', { type: 'struct', fields: [{ id: 1, name: 'a', type: 'int' }, { id: 1, name: 'b', type: 'int' }] }, []),
    (e) => /field id 1 is used twice/.test(e.stderr))
})

test('booleans encoded as RLE (--boolean-rle) read back in DuckDB and hyparquet', async () => {
  const schema = {
    type: 'struct',
    fields: [
      { id: 1, name: 'k', required: true, type: 'int' },
      { id: 2, name: 'flag', required: false, type: 'boolean' },
      { id: 3, name: 'flags', required: false, type: { type: 'list', 'element-id': 4, 'element-required': true, element: 'boolean' } }
    ]
  }
  const rows = []
  for (let i = 0; i < 20000; ++i) {
    rows.push({ k: i, flag: i % 11 === 0 ? null : (Math.floor(i / 100) % 2 === 0 || i % 7 === 0), flags: i % 5 === 0 ? null : [i % 2 === 0, true, i % 3 === 0] })
  }
  const { file } = writeParquet(dir, 'rle-bool', schema, rows, ['--boolean-rle', '--page-size', '1024'])
  const meta = await query(`SELECT path_in_schema, encodings FROM parquet_metadata('${file}') WHERE path_in_schema = 'flag'`)
  assert.equal(meta[0].encodings, 'RLE')
  const got = await query(`SELECT k, flag, flags FROM read_parquet('${file}') ORDER BY k`)
  const hy = await hyparquetRows(file)
  for (let i = 0; i < rows.length; ++i) {
    assert.equal(got[i].flag, rows[i].flag)
    assert.deepEqual(got[i].flags === null ? null : got[i].flags.items, rows[i].flags)
    assert.equal(hy[i].flag, rows[i].flag)
    assert.deepEqual(hy[i].flags ?? null, rows[i].flags)
  }
})

test('an empty file is valid', async () => {
  const schema = { type: 'struct', fields: [{ id: 1, name: 'k', required: true, type: 'long' }] }
  const { file, metrics } = writeParquet(dir, 'empty', schema, [])
  assert.equal(metrics.row_count, 0)
  const got = await query(`SELECT count(*) AS n FROM read_parquet('${file}')`)
  assert.equal(got[0].n, 0n)
  assert.equal((await hyparquetRows(file)).length, 0)
})
