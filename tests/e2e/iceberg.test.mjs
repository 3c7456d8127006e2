// floe's Iceberg tables read by independent readers: icebird (the table: manifests, data
// files, position deletes), DuckDB (the data files), Apache Avro for Python (every manifest and
// manifest list), and iceberg-js driving floe's REST catalog.
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { icebergRead } from 'icebird'
import { IcebergRestCatalog } from 'iceberg-js'
import { floeBin, freePort, hyparquetRows, query, tempDir } from './lib/floe.mjs'
import { realFetch } from './lib/file_fetch.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))

function floe (args, input) {
  const r = spawnSync(floeBin, ['iceberg', ...args], { encoding: 'utf8', input, maxBuffer: 1 << 28 })
  if (r.status !== 0) throw new Error(`floe iceberg ${args[0]} failed (${r.status}): ${r.stderr}`)
  return JSON.parse(r.stdout)
}

// A seeded generator, so that a failure replays.
function rng (seed) {
  let s = BigInt(seed) | 1n
  return () => {
    s ^= s << 13n; s &= (1n << 64n) - 1n
    s ^= s >> 7n
    s ^= s << 17n; s &= (1n << 64n) - 1n
    return Number(s % 1000000n) / 1000000
  }
}

const schema = {
  type: 'struct',
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'name', required: false, type: 'string' },
    { id: 3, name: 'score', required: false, type: 'double' },
    { id: 4, name: 'tags', required: false, type: { type: 'list', 'element-id': 7, element: 'string', 'element-required': false } },
    { id: 5, name: 'addr', required: false, type: { type: 'struct', fields: [{ id: 8, name: 'city', required: false, type: 'string' }] } },
    { id: 6, name: 'day', required: false, type: 'date' }
  ]
}

function makeRow (id, rand) {
  return {
    id,
    name: rand() < 0.1 ? null : `name-${id}-${'é'.repeat(Math.floor(rand() * 3))}`,
    score: rand() < 0.1 ? null : Math.round(rand() * 1e6) / 100,
    tags: rand() < 0.2 ? null : Array.from({ length: Math.floor(rand() * 4) }, (_, k) => (k === 1 && rand() < 0.3 ? null : `t${Math.floor(rand() * 20)}`)),
    addr: rand() < 0.2 ? null : { city: rand() < 0.2 ? null : ['Paris', 'Lagos', 'Lima', 'Osaka'][Math.floor(rand() * 4)] },
    day: rand() < 0.1 ? null : Math.floor(rand() * 30000) - 5000
  }
}

// The reader's row in the test's normal form.
function normal (r) {
  const day = r.day instanceof Date ? Math.round(r.day.getTime() / 86400000) : (r.day ?? null)
  return {
    id: Number(r.id),
    name: r.name ?? null,
    score: r.score ?? null,
    tags: r.tags === undefined || r.tags === null ? null : r.tags.map((t) => t ?? null),
    addr: r.addr === undefined || r.addr === null ? null : { city: r.addr.city ?? null },
    day: day === undefined ? null : (typeof day === 'bigint' ? Number(day) : day)
  }
}

function sorted (rows) {
  return rows.map(normal).sort((a, b) => a.id - b.id)
}

async function icebirdRows (dir, table) {
  const files = floe(['files', '--catalog', dir, '--table', table])
  const metadata = JSON.parse(fs.readFileSync(fileURLToPath(files['metadata-location']), 'utf8'))
  const rows = await icebergRead({ tableUrl: metadata.location, metadata })
  return { rows: sorted(rows), files, metadata }
}

function avroCheck (files) {
  const r = spawnSync('/usr/bin/python3', [path.join(here, 'lib/avro_check.py'), ...files], { encoding: 'utf8', maxBuffer: 1 << 28 })
  if (r.status !== 0) throw new Error(`python3-avro failed: ${r.stderr}`)
  return JSON.parse(r.stdout)
}

test('icebird reads the table after appends, position deletes and compaction; DuckDB and Apache Avro agree', async () => {
  const seed = Number(process.env.FLOE_RANDOM_SEED ?? Date.now() % 100000)
  const rand = rng(seed)
  const dir = tempDir('floe-iceberg-')
  fs.writeFileSync(path.join(dir, 'schema.json'), JSON.stringify(schema))
  fs.writeFileSync(path.join(dir, 'spec.json'), JSON.stringify({ fields: [{ name: 'id_bucket', transform: 'bucket[4]', 'source-id': 1 }] }))
  floe(['create-namespace', '--catalog', dir, '--namespace', 'shop'])
  floe(['create', '--catalog', dir, '--table', 'shop.orders', '--schema', path.join(dir, 'schema.json'),
    '--partition-spec', path.join(dir, 'spec.json')])

  const expected = new Map()
  let next = 0
  for (let commit = 0; commit < 6; commit++) {
    const n = 1 + Math.floor(rand() * 60)
    const rows = Array.from({ length: n }, () => makeRow(next++, rand))
    for (const r of rows) expected.set(r.id, r)
    const out = floe(['append', '--catalog', dir, '--table', 'shop.orders', '--rows', '-'],
      rows.map((r) => JSON.stringify(r)).join('\n') + '\n')
    assert.equal(out['sequence-number'], commit + 1, `seed ${seed}`)
  }
  const want = () => [...expected.values()].map(normal).sort((a, b) => a.id - b.id)

  let read = await icebirdRows(dir, 'shop.orders')
  assert.deepEqual(read.rows, want(), `seed ${seed}: icebird after appends`)

  // DuckDB on the data files the table lists.
  const dataFiles = read.files.tasks.map((t) => fileURLToPath(t.file))
  const duck = await query(`SELECT id, name FROM read_parquet([${dataFiles.map((f) => `'${f}'`).join(',')}]) ORDER BY id`)
  assert.deepEqual(duck.map((r) => [Number(r.id), r.name]), want().map((r) => [r.id, r.name]), `seed ${seed}: DuckDB`)

  // Position deletes: locate rows by reading each data file in order.
  const where = new Map()
  for (const t of read.files.tasks) {
    const rows = await hyparquetRows(fileURLToPath(t.file))
    rows.forEach((r, pos) => where.set(Number(r.id), { file_path: t.file, pos }))
  }
  const victims = [...expected.keys()].filter(() => rand() < 0.25)
  floe(['delete', '--catalog', dir, '--table', 'shop.orders', '--positions', '-'],
    victims.map((id) => JSON.stringify(where.get(id))).join('\n') + '\n')
  for (const id of victims) expected.delete(id)
  read = await icebirdRows(dir, 'shop.orders')
  assert.deepEqual(read.rows, want(), `seed ${seed}: icebird after deletes`)
  assert.ok(read.files.tasks.some((t) => t.deletes.length > 0))

  // Compaction merges the small files and applies the deletes.
  const before = read.files.tasks.length
  // --delete-ratio 0: every file with deletes is rewritten, so every delete is applied.
  const compacted = floe(['compact', '--catalog', dir, '--table', 'shop.orders', '--min-input-files', '2', '--delete-ratio', '0'])
  assert.ok(compacted['rewritten-data-files'] > 0)
  assert.equal(compacted['dropped-rows'], victims.length)
  read = await icebirdRows(dir, 'shop.orders')
  assert.deepEqual(read.rows, want(), `seed ${seed}: icebird after compaction`)
  assert.ok(read.files.tasks.length < before, 'fewer files after compaction')
  assert.ok(read.files.tasks.every((t) => t.deletes.length === 0), 'deletes applied and removed')
  assert.equal(read.metadata.snapshots.at(-1).summary.operation, 'replace')
  assert.equal(read.metadata.snapshots.at(-1).summary['total-records'], String(expected.size))

  // More appends after compaction, then icebird once more.
  const extra = Array.from({ length: 20 }, () => makeRow(next++, rand))
  for (const r of extra) expected.set(r.id, r)
  floe(['append', '--catalog', dir, '--table', 'shop.orders', '--rows', '-'], extra.map((r) => JSON.stringify(r)).join('\n') + '\n')
  read = await icebirdRows(dir, 'shop.orders')
  assert.deepEqual(read.rows, want(), `seed ${seed}: icebird after compaction and append`)

  // Every manifest list and manifest, read by Apache Avro.
  const metaDir = path.join(fileURLToPath(read.metadata.location), 'metadata')
  const avroFiles = fs.readdirSync(metaDir).filter((f) => f.endsWith('.avro')).map((f) => path.join(metaDir, f))
  const avro = avroCheck(avroFiles)
  let lists = 0
  let manifests = 0
  for (const [file, info] of Object.entries(avro)) {
    assert.equal(info.metadata['format-version'], '2', file)
    if (path.basename(file).startsWith('snap-')) {
      lists++
      for (const k of ['snapshot-id', 'sequence-number', 'parent-snapshot-id']) assert.ok(k in info.metadata, `${file}: ${k}`)
      assert.equal(info.field_ids.manifest_path, 500)
      assert.equal(info.field_ids.added_snapshot_id, 503)
      for (const m of info.records) assert.ok(m.sequence_number >= m.min_sequence_number)
    } else {
      manifests++
      for (const k of ['schema', 'schema-id', 'partition-spec', 'partition-spec-id', 'content']) assert.ok(k in info.metadata, `${file}: ${k}`)
      assert.deepEqual(JSON.parse(info.metadata.schema).fields.map((f) => f.id), [1, 2, 3, 4, 5, 6])
      assert.equal(info.field_ids.file_path, 100)
      assert.equal(info.field_ids.id_bucket, 1000)
      for (const e of info.records) {
        assert.ok([0, 1, 2].includes(e.status))
        const b = e.data_file.partition.id_bucket
        assert.ok(b >= 0 && b < 4, `${file}: bucket ${b}`)
        if (e.status !== 1) assert.notEqual(e.sequence_number, null, 'existing and deleted entries carry sequence numbers')
      }
    }
  }
  assert.ok(lists >= 9 && manifests >= 9, `${lists} lists, ${manifests} manifests`)

  // The version hint names the current metadata file.
  const hint = fs.readFileSync(path.join(metaDir, 'version-hint.text'), 'utf8')
  assert.equal(path.basename(fileURLToPath(read.files['metadata-location'])), `${hint}.metadata.json`)

  // Expiration keeps the current table readable; orphan removal finds nothing live.
  floe(['expire', '--catalog', dir, '--table', 'shop.orders', '--older-than-ms', String(Date.now() + 1000), '--retain-last', '1'])
  floe(['remove-orphans', '--catalog', dir, '--table', 'shop.orders', '--older-than-ms', String(Date.now() + 1000)])
  read = await icebirdRows(dir, 'shop.orders')
  assert.deepEqual(read.rows, want(), `seed ${seed}: icebird after expiration and orphan removal`)
  assert.equal(read.metadata.snapshots.length, 1)
})

test('format version 3: deletion vectors, row lineage, compaction; icebird and Apache Avro read the result', async () => {
  const rand = rng(Number(process.env.FLOE_RANDOM_SEED ?? 42))
  const dir = tempDir('floe-iceberg-v3-')
  fs.writeFileSync(path.join(dir, 'schema.json'), JSON.stringify(schema))
  floe(['create-namespace', '--catalog', dir, '--namespace', 'shop'])
  floe(['create', '--catalog', dir, '--table', 'shop.v3', '--schema', path.join(dir, 'schema.json'), '--format-version', '3'])
  const expected = new Map()
  for (let commit = 0; commit < 3; commit++) {
    const rows = Array.from({ length: 40 }, (_, k) => makeRow(commit * 40 + k, rand))
    for (const r of rows) expected.set(r.id, r)
    floe(['append', '--catalog', dir, '--table', 'shop.v3', '--rows', '-'], rows.map((r) => JSON.stringify(r)).join('\n') + '\n')
  }
  let read = await icebirdRows(dir, 'shop.v3')
  assert.equal(read.metadata['format-version'], 3)
  assert.equal(read.metadata['next-row-id'], 120)
  // Two deletes of the same file: the second vector folds in the first and replaces it.
  const first = read.files.tasks[0].file
  const rows0 = await hyparquetRows(fileURLToPath(first))
  for (const batch of [[0, 5], [6]]) {
    floe(['delete', '--catalog', dir, '--table', 'shop.v3', '--positions', '-'],
      batch.map((pos) => JSON.stringify({ file_path: first, pos })).join('\n') + '\n')
    for (const pos of batch) expected.delete(Number(rows0[pos].id))
  }
  const files = floe(['files', '--catalog', dir, '--table', 'shop.v3'])
  const withDv = files.tasks.find((t) => t.file === first)
  assert.equal(withDv.deletes.length, 1)
  assert.match(withDv.deletes[0], /-dv\.puffin$/)
  const puffin = fs.readFileSync(fileURLToPath(withDv.deletes[0]))
  assert.equal(puffin.subarray(0, 4).toString(), 'PFA1')
  assert.equal(puffin.subarray(puffin.length - 4).toString(), 'PFA1')
  const footerSize = puffin.readUInt32LE(puffin.length - 12)
  const footer = JSON.parse(puffin.subarray(puffin.length - 12 - footerSize, puffin.length - 12).toString())
  assert.equal(footer.blobs[0].type, 'deletion-vector-v1')
  assert.equal(footer.blobs[0].properties['referenced-data-file'], first)
  assert.equal(footer.blobs[0].properties.cardinality, '3')

  floe(['compact', '--catalog', dir, '--table', 'shop.v3', '--min-input-files', '2', '--delete-ratio', '0'])
  read = await icebirdRows(dir, 'shop.v3')
  assert.deepEqual(read.rows, [...expected.values()].map(normal).sort((a, b) => a.id - b.id))
  const metaDir = path.join(fileURLToPath(read.metadata.location), 'metadata')
  const avro = avroCheck(fs.readdirSync(metaDir).filter((f) => f.endsWith('.avro')).map((f) => path.join(metaDir, f)))
  let dvEntries = 0
  for (const [file, info] of Object.entries(avro)) {
    assert.equal(info.metadata['format-version'], '3', file)
    if (path.basename(file).startsWith('snap-')) {
      assert.equal(info.field_ids.first_row_id, 520)
    } else {
      assert.equal(info.field_ids.content_offset, 144)
      for (const e of info.records) {
        if (e.data_file.file_format === 'PUFFIN') {
          dvEntries++
          assert.equal(e.data_file.referenced_data_file, first)
          assert.ok(e.data_file.content_offset >= 4 && e.data_file.content_size_in_bytes > 0)
        }
      }
    }
  }
  assert.ok(dvEntries >= 2, 'deletion vector entries in the manifests')
})

async function startFloe (dir) {
  const port = await freePort()
  const proc = spawn(floeBin, ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dir, '--durability', 'async'],
    { stdio: ['ignore', 'ignore', 'pipe'] })
  for (let i = 0; i < 100; i++) {
    try {
      const r = await realFetch(`http://127.0.0.1:${port}/`)
      if (r.ok) return { port, proc }
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  proc.kill('SIGKILL')
  throw new Error('floe did not start')
}

test('iceberg-js drives floe\'s REST catalog', async () => {
  const dir = tempDir('floe-rest-')
  const { port, proc } = await startFloe(dir)
  try {
    const catalog = new IcebergRestCatalog({ baseUrl: `http://127.0.0.1:${port}/iceberg`, fetch: realFetch })
    await catalog.createNamespace({ namespace: ['analytics'] }, { properties: { owner: 'e2e' } })
    await catalog.createNamespace({ namespace: ['analytics', 'daily'] })
    const { namespaces } = await catalog.listNamespaces()
    assert.deepEqual(namespaces, [{ namespace: ['analytics'] }])
    const children = await catalog.listNamespaces({ parent: { namespace: ['analytics'] } })
    assert.deepEqual(children.namespaces, [{ namespace: ['analytics', 'daily'] }])
    assert.equal(await catalog.namespaceExists({ namespace: ['analytics'] }), true)
    assert.equal(await catalog.namespaceExists({ namespace: ['nope'] }), false)
    const ns = await catalog.loadNamespaceMetadata({ namespace: ['analytics'] })
    assert.equal(ns.properties.owner, 'e2e')
    await assert.rejects(catalog.createNamespace({ namespace: ['analytics'] }), (e) => e.status === 409)

    const created = await catalog.createTable({ namespace: ['analytics'] }, {
      name: 'events',
      schema: { type: 'struct', fields: [{ id: 1, name: 'id', type: 'long', required: true }, { id: 2, name: 'kind', type: 'string', required: false }] },
      'partition-spec': { fields: [{ 'source-id': 2, 'field-id': 1000, name: 'kind', transform: 'identity' }] },
      properties: { 'write.format.default': 'parquet' }
    })
    assert.equal(created['format-version'], 2)
    assert.equal(created['current-snapshot-id'], -1)
    const loaded = await catalog.loadTable({ namespace: ['analytics'], name: 'events' })
    assert.equal(loaded['table-uuid'], created['table-uuid'])
    assert.equal(loaded['partition-specs'][0].fields[0].name, 'kind')
    assert.ok(loaded.location.startsWith('file://') && loaded.location.endsWith('/analytics/events'))

    // Commit: schema evolution and properties, guarded by requirements.
    const committed = await catalog.updateTable({ namespace: ['analytics'], name: 'events' }, {
      requirements: [{ type: 'assert-table-uuid', uuid: created['table-uuid'] }, { type: 'assert-current-schema-id', 'current-schema-id': 0 }],
      updates: [
        { action: 'add-schema', schema: { type: 'struct', 'schema-id': 1, fields: [{ id: 1, name: 'id', type: 'long', required: true }, { id: 2, name: 'kind', type: 'string', required: false }, { id: 3, name: 'at', type: 'timestamptz', required: false }] }, 'last-column-id': 3 },
        { action: 'set-current-schema', 'schema-id': -1 },
        { action: 'set-properties', updates: { 'commit.retry.num-retries': '10' } }
      ]
    })
    assert.equal(committed.metadata['current-schema-id'], 1)
    assert.equal(committed.metadata['last-column-id'], 3)
    assert.equal(committed.metadata.properties['commit.retry.num-retries'], '10')
    assert.match(committed['metadata-location'], /\/metadata\/00001-[0-9a-f-]{36}\.metadata\.json$/)
    assert.equal(committed.metadata['metadata-log'].length, 1)

    // A stale requirement fails with 409 CommitFailedException and changes nothing.
    await assert.rejects(catalog.updateTable({ namespace: ['analytics'], name: 'events' }, {
      requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': 0 }],
      updates: [{ action: 'set-properties', updates: { lost: 'yes' } }]
    }), (e) => e.status === 409 && e.icebergType === 'CommitFailedException')
    // An incompatible schema change is a 400.
    await assert.rejects(catalog.updateTable({ namespace: ['analytics'], name: 'events' }, {
      requirements: [],
      updates: [{ action: 'add-schema', schema: { type: 'struct', fields: [{ id: 1, name: 'id', type: 'int', required: true }] } }]
    }), (e) => e.status === 400)
    const after = await catalog.loadTable({ namespace: ['analytics'], name: 'events' })
    assert.equal(after.properties.lost, undefined)

    const { identifiers } = await catalog.listTables({ namespace: ['analytics'] })
    assert.deepEqual(identifiers, [{ namespace: ['analytics'], name: 'events' }])
    await catalog.renameTable({ source: { namespace: ['analytics'], name: 'events' }, destination: { namespace: ['analytics', 'daily'], name: 'events2' } })
    assert.equal(await catalog.tableExists({ namespace: ['analytics'], name: 'events' }), false)
    assert.equal(await catalog.tableExists({ namespace: ['analytics', 'daily'], name: 'events2' }), true)
    await assert.rejects(catalog.loadTable({ namespace: ['analytics'], name: 'events' }), (e) => e.status === 404 && e.icebergType === 'NoSuchTableException')
    await assert.rejects(catalog.dropNamespace({ namespace: ['analytics', 'daily'] }), (e) => e.status === 409)
    await catalog.dropTable({ namespace: ['analytics', 'daily'], name: 'events2' }, { purge: true })
    await catalog.dropNamespace({ namespace: ['analytics', 'daily'] })
    await catalog.dropNamespace({ namespace: ['analytics'] })
    assert.deepEqual((await catalog.listNamespaces()).namespaces, [])
  } finally {
    proc.kill('SIGTERM')
  }
})
