// The table replicator end to end: a random DynamoDB workload through boto3 (puts with nested
// attributes, updates, deletes, transactions, TTL expiry) on a floe node that replicates the
// table into Iceberg; icebird reads the tables. Mirror mode must equal a Scan of the table,
// changelog mode must equal the table's DynamoDB stream, also after SIGKILLs during the load.
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import tls from 'node:tls'
import path from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { icebergRead } from 'icebird'
import { floeBin, freePort, tempDir } from './lib/floe.mjs'
import { realFetch, serveS3From } from './lib/file_fetch.mjs'
import S3rver from 's3rver'

const here = path.dirname(fileURLToPath(import.meta.url))
const workload = path.join(here, 'lib/ddb_workload.py')

const columns = [
  { name: 'pk', type: 'string', required: true },
  { name: 'sk', type: 'bigint', required: true },
  { name: 'qty', type: 'long' },
  { name: 'price', type: 'double' },
  { name: 'tags', type: 'array<string>' },
  { name: 'city', type: 'string', source: 'address.city' },
  { name: 'zip', type: 'string', source: 'address.zip' },
  { name: 'name', type: 'string', source: 'profile.name' }
]

function writeConfig (dir, extra = {}, top = {}) {
  const config = {
    ...top,
    maintenanceIntervalMs: 200,
    replications: [
      { tableName: 'events', glueDatabaseName: 'shop', glueTableName: 'events_mirror', glueTableSchema: columns, mode: 'mirror',
        bufferingHints: { intervalInSeconds: 1 }, maintenance: { intervalSeconds: 2, compactMinInputFiles: 4 }, ...extra },
      { tableName: 'events', glueDatabaseName: 'shop', glueTableName: 'events_log', glueTableSchema: columns, mode: 'changelog',
        bufferingHints: { intervalInSeconds: 1 }, formatVersion: 3, maintenance: { intervalSeconds: 3, compactMinInputFiles: 4 } }
    ]
  }
  const file = path.join(dir, 'config.json')
  fs.writeFileSync(file, JSON.stringify(config))
  return file
}

async function startFloe (dir, port, config) {
  const proc = spawn(floeBin, ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', path.join(dir, 'data'), '--config', config],
    { stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  proc.stderr.on('data', (d) => { log += d })
  proc.log = () => log
  for (let i = 0; i < 200; i++) {
    try {
      const r = await realFetch(`http://127.0.0.1:${port}/`)
      if (r.ok) return proc
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  proc.kill('SIGKILL')
  throw new Error('floe did not start: ' + log)
}

// SIGKILLs a node started by startFloe, waits for it to exit, and starts it again on the same data.
async function killAndRestart (proc, dir, port, config) {
  proc.kill('SIGKILL')
  await new Promise((resolve) => proc.on('exit', resolve))
  return startFloe(dir, port, config)
}

function py (port, ...args) {
  const r = spawnSync('/usr/bin/python3', [workload, `http://127.0.0.1:${port}`, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 })
  if (r.status !== 0) throw new Error(`ddb_workload ${args[0]} failed: ${r.stderr}`)
  return r.stdout.split('\n').filter((l) => l).map((l) => JSON.parse(l))
}

function pyAsync (port, ...args) {
  return new Promise((resolve, reject) => {
    const p = spawn('/usr/bin/python3', [workload, `http://127.0.0.1:${port}`, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    let err = ''
    p.stderr.on('data', (d) => { err += d })
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ddb_workload failed: ${err}`))))  // close: after stderr is read
  })
}

async function metrics (port) {
  const text = await (await realFetch(`http://127.0.0.1:${port}/metrics`)).text()
  const out = {}
  for (const line of text.split('\n')) {
    const m = /^(\w+)\{replication="([^"]+)"[^}]*\} (\S+)$/.exec(line)
    if (m) out[`${m[2]}:${m[1]}`] = Number(m[3])
  }
  return out
}

async function icebergRows (port, table) {
  const r = await realFetch(`http://127.0.0.1:${port}/iceberg/v1/namespaces/shop/tables/${table}`)
  if (r.status !== 200) return null
  const { metadata } = await r.json()
  if (metadata['current-snapshot-id'] === undefined || metadata['current-snapshot-id'] === -1) return { rows: [], metadata }
  return { rows: await icebergRead({ tableUrl: metadata.location, metadata }), metadata }
}

const big = (v) => (v === null || v === undefined ? null : BigInt(v))
const num = (v) => (v === null || v === undefined ? null : Number(v))

// The mirror row the replicator must write for a scanned item (DynamoDB JSON).
function expectedRow (item) {
  const mapped = new Set(['pk', 'sk', 'qty', 'price', 'tags', 'address', 'profile'])
  const extra = {}
  for (const [k, v] of Object.entries(item)) if (!mapped.has(k)) extra[k] = plain(v)
  return {
    pk: item.pk.S,
    sk: big(item.sk.N),
    qty: big(item.qty?.N),
    price: num(item.price?.N),
    tags: item.tags?.SS ?? null,
    city: item.address?.M?.city?.S ?? null,
    zip: item.address?.M?.zip?.S ?? null,
    name: item.profile?.M?.name?.S ?? null,
    _extra: Object.keys(extra).length ? extra : null
  }
}

function plain (v) {
  if ('S' in v) return v.S
  if ('N' in v) return Number(v.N)
  if ('B' in v) return v.B
  if ('BOOL' in v) return v.BOOL
  if ('NULL' in v) return null
  if ('M' in v) return Object.fromEntries(Object.entries(v.M).map(([k, x]) => [k, plain(x)]))
  if ('L' in v) return v.L.map(plain)
  if ('SS' in v) return v.SS
  if ('NS' in v) return v.NS.map(Number)
  if ('BS' in v) return v.BS
  throw new Error('bad value ' + JSON.stringify(v))
}

function mirrorRow (r) {
  return {
    pk: r.pk,
    sk: big(r.sk),
    qty: big(r.qty),
    price: num(r.price),
    tags: r.tags ?? null,
    city: r.city ?? null,
    zip: r.zip ?? null,
    name: r.name ?? null,
    _extra: r._extra ? JSON.parse(r._extra) : null
  }
}

const byKey = (a, b) => (a.pk === b.pk ? (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0) : a.pk < b.pk ? -1 : 1)

// The changelog row for a stream record.
function expectedChange (rec) {
  const image = (img) => (img ? (({ pk, sk, ...rest }) => ({ pk, sk, ...rest }))(expectedRow(img)) : null)
  return {
    op: rec.eventName,
    seq: rec.SequenceNumber,
    ttl: rec.ttl,
    pk: rec.Keys.pk.S,
    sk: big(rec.Keys.sk.N),
    old: image(rec.OldImage),
    new: image(rec.NewImage)
  }
}

function changelogRow (r) {
  const image = (img) => (img ? mirrorRow(img) : null)
  return { op: r._op, seq: r._sequence_number, ttl: r._ttl_expired, pk: r.pk, sk: big(r.sk), old: image(r._old), new: image(r._new) }
}

async function waitEqual (port, want, wantLog, what) {
  let lastErr
  for (let i = 0; i < 240; i++) {
    try {
      const mirror = await icebergRows(port, 'events_mirror')
      const log = await icebergRows(port, 'events_log')
      assert.deepEqual(mirror.rows.map(mirrorRow).sort(byKey), want, `${what}: mirror equals the Scan`)
      const got = log.rows.map(changelogRow).sort((a, b) => (a.seq < b.seq ? -1 : 1))
      assert.deepEqual(got, wantLog, `${what}: changelog equals the stream`)
      return { mirror, log }
    } catch (e) {
      lastErr = e
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
  throw lastErr
}

async function waitSnapshots (port) {
  for (let i = 0; i < 200; i++) {
    const m = await metrics(port)
    if (m['shop.events_mirror:floe_replication_snapshots_total'] >= 1 && m['shop.events_log:floe_replication_snapshots_total'] >= 1) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error('the replications did not start')
}

function truth (port) {
  const want = py(port, 'scan', 'events').map(expectedRow).sort(byKey)
  const wantLog = py(port, 'stream', 'events').map(expectedChange).sort((a, b) => (a.seq < b.seq ? -1 : 1))
  return { want, wantLog }
}

async function ttlSettled (port) {
  // TTL expiry runs in the background: wait until no expired item is left.
  for (let i = 0; i < 200; i++) {
    const left = py(port, 'scan', 'events').filter((it) => it.exp && Number(it.exp.N) < Date.now() / 1000)
    if (left.length === 0) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('TTL did not expire the items')
}

test('mirror equals a Scan and changelog equals the stream after a random workload', async () => {
  const dir = tempDir('floe-repl-')
  const port = await freePort()
  const proc = await startFloe(dir, port, writeConfig(dir))
  try {
    py(port, 'create', 'events')
    await waitSnapshots(port)
    const seed = Number(process.env.SEED ?? Date.now() % 100000)
    py(port, 'load', 'events', String(seed), '1500')
    await ttlSettled(port)
    const { want, wantLog } = truth(port)
    assert.ok(want.length > 50 && wantLog.length >= 1000, `seed ${seed}: a real workload (${want.length} items, ${wantLog.length} changes)`)
    assert.ok(wantLog.some((c) => c.ttl), `seed ${seed}: TTL deletions in the stream`)
    const { mirror } = await waitEqual(port, want, wantLog, `seed ${seed}`)
    // Position deletes, not equality deletes.
    assert.ok(mirror.metadata.snapshots.some((s) => s.summary['added-position-deletes'] > 0 || s.summary['added-delete-files'] > 0))
    assert.ok(mirror.metadata.snapshots.every((s) => !s.summary['added-equality-deletes']))
    const m = await metrics(port)
    assert.equal(m['shop.events_mirror:floe_replication_failed_records_total'], 0)
    assert.ok(m['shop.events_mirror:floe_replication_commits_total'] >= 2)
  } finally {
    proc.kill('SIGKILL')
  }
})

test('after SIGKILLs during the load, mirror and changelog are still exact, with no duplicates', async () => {
  const dir = tempDir('floe-repl-kill-')
  const port = await freePort()
  const config = writeConfig(dir)
  let proc = await startFloe(dir, port, config)
  try {
    py(port, 'create', 'events')
    await waitSnapshots(port)
    const seed = Number(process.env.SEED ?? Date.now() % 100000)
    const load = pyAsync(port, 'load', 'events', String(seed), '2500')
    for (let k = 0; k < 3; k++) {
      await new Promise((resolve) => setTimeout(resolve, 700 + Math.floor(Math.random() * 1500)))
      proc = await killAndRestart(proc, dir, port, config)
    }
    await load
    await ttlSettled(port)
    const { want, wantLog } = truth(port)
    const seqs = new Set(wantLog.map((c) => c.seq))
    assert.equal(seqs.size, wantLog.length)
    await waitEqual(port, want, wantLog, `seed ${seed} with kills`)
  } finally {
    proc.kill('SIGKILL')
  }
})

test('an S3 warehouse (s3rver): mirror and changelog exact across a SIGKILL, the files in the bucket only', async () => {
  const dir = tempDir('floe-repl-s3-')
  const s3port = await freePort()
  const s3 = new S3rver({ port: s3port, address: '127.0.0.1', silent: true, directory: path.join(dir, 's3'), configureBuckets: [{ name: 'lake' }] })
  await s3.run()
  const endpoint = `http://127.0.0.1:${s3port}`
  serveS3From(endpoint)
  const port = await freePort()
  const config = writeConfig(dir, {}, {
    warehouse: 's3://lake/warehouse/',
    s3: { endpoint, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }
  })
  let proc = await startFloe(dir, port, config)
  try {
    py(port, 'create', 'events')
    await waitSnapshots(port)
    const seed = Number(process.env.SEED ?? Date.now() % 100000)
    const load = pyAsync(port, 'load', 'events', String(seed), '1200')
    await new Promise((resolve) => setTimeout(resolve, 1500))
    proc = await killAndRestart(proc, dir, port, config)
    await load
    await ttlSettled(port)
    const { want, wantLog } = truth(port)
    const { mirror, log } = await waitEqual(port, want, wantLog, `seed ${seed} on S3`)
    assert.ok(mirror.metadata.location.startsWith('s3://lake/warehouse/shop/events_mirror'), mirror.metadata.location)
    const seqs = log.rows.map((r) => r._sequence_number)
    assert.equal(new Set(seqs).size, seqs.length, 'no duplicates in the changelog')
    // Everything lives in the bucket: data, deletes and metadata; nothing in the node's directory.
    const listing = await (await realFetch(`${endpoint}/lake?list-type=2&prefix=warehouse/shop/events_mirror/`)).text()
    assert.match(listing, /<Key>warehouse\/shop\/events_mirror\/data\/[^<]+\.parquet<\/Key>/)
    assert.match(listing, /<Key>warehouse\/shop\/events_mirror\/metadata\/[^<]+\.metadata\.json<\/Key>/)
    assert.ok(!fs.existsSync(path.join(dir, 'data', 'warehouse')), 'no local warehouse')
    const m = await metrics(port)
    assert.equal(m['shop.events_mirror:floe_replication_failed_records_total'], 0)
    // Compaction against the bucket (it reads, writes, lists and deletes objects there): a few
    // more commits, then a compaction, and the mirror is still exact.
    for (let k = 0; k < 5; k++) {
      py(port, 'load', 'events', String(seed + 10 + k), '40')
      await new Promise((resolve) => setTimeout(resolve, 1100))
    }
    let compacted = false
    for (let i = 0; i < 100 && !compacted; i++) {
      const t = await icebergRows(port, 'events_mirror')
      compacted = t.metadata.snapshots.some((sn) => sn.summary.operation === 'replace')
      if (!compacted) await new Promise((resolve) => setTimeout(resolve, 200))
    }
    assert.ok(compacted, 'a compaction snapshot')
    await ttlSettled(port)
    const after = truth(port)
    await waitEqual(port, after.want, after.wantLog, `seed ${seed} on S3 after compaction`)
  } finally {
    proc.kill('SIGKILL')
    serveS3From(null)
    await s3.close()
  }
})

test('records that fail the transform or the schema go to the backup with their error; nothing else is lost', async () => {
  const dir = tempDir('floe-repl-backup-')
  const port = await freePort()
  const lua = `
function transform(records)
  local out = {}
  for i, r in ipairs(records) do
    local img = r.data.NewImage
    if img and img.note and img.note.S == 'fail' then
      out[#out + 1] = {recordId = r.recordId, result = 'ProcessingFailed'}
    elseif img and img.note and img.note.S == 'drop' then
      out[#out + 1] = {recordId = r.recordId, result = 'Dropped'}
    elseif img and img.note and img.note.S == 'boom' then
      error('boom in the transform')
    else
      if img and img.address and img.address.M.city then
        img.address.M.city.S = string.upper(img.address.M.city.S)
      end
      out[#out + 1] = {recordId = r.recordId, result = 'Ok', data = r.data}
    end
  end
  return out
end`
  const config = writeConfig(dir, { transform: { lua, batchSize: 1 } })
  const proc = await startFloe(dir, port, config)
  try {
    py(port, 'create', 'events')
    await waitSnapshots(port)
    const put = (pk, extra) => py(port, 'put', 'events', JSON.stringify({ pk: { S: pk }, sk: { N: '1' }, qty: { N: '1' }, address: { M: { city: { S: 'Oslo' } } }, ...extra }))
    put('ok-1', {})
    put('fail-1', { note: { S: 'fail' } })
    put('drop-1', { note: { S: 'drop' } })
    put('boom-1', { note: { S: 'boom' } })
    put('badtype-1', { qty: { S: 'many' } })
    put('badnum-1', { qty: { N: '1.5' } })
    put('ok-2', { tags: { SS: ['a', 'b'] } })
    const backupRoot = path.join(dir, 'data', 'warehouse', '_backup', 'shop', 'events_mirror')
    let lines = []
    for (let i = 0; i < 100 && lines.length < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      lines = fs.existsSync(backupRoot)
        ? fs.readdirSync(backupRoot, { recursive: true }).filter((f) => f.endsWith('.jsonl'))
          .flatMap((f) => fs.readFileSync(path.join(backupRoot, f), 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l)))
        : []
    }
    const got = Object.fromEntries(lines.map((l) => [l.keys.pk.S, l]))
    assert.deepEqual(Object.keys(got).sort(), ['badnum-1', 'badtype-1', 'boom-1', 'fail-1'])
    assert.equal(got['fail-1'].errorCode, 'TransformFailed')
    assert.match(got['boom-1'].errorMessage, /boom in the transform/)
    assert.equal(got['badtype-1'].errorCode, 'MappingFailed')
    assert.match(got['badtype-1'].errorMessage, /column 'qty'.*expected a number \(N\), got S/)
    assert.match(got['badnum-1'].errorMessage, /1\.5 is not an integer/)
    assert.equal(got['badtype-1'].newImage.qty.S, 'many')
    // Everything else arrived, transformed.
    let rows = []
    for (let i = 0; i < 100; i++) {
      rows = (await icebergRows(port, 'events_mirror')).rows.map(mirrorRow)
      if (rows.length >= 2) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    assert.deepEqual(rows.map((r) => [r.pk, r.city]).sort(), [['ok-1', 'OSLO'], ['ok-2', 'OSLO']])
    const m = await metrics(port)
    assert.equal(m['shop.events_mirror:floe_replication_failed_records_total'], 4)
    assert.equal(m['shop.events_mirror:floe_replication_dropped_records_total'], 1)
  } finally {
    proc.kill('SIGKILL')
  }
})

test('bad replication settings are startup errors that name the key', () => {
  const dir = tempDir('floe-repl-config-')
  const cases = [
    [{ bufferingHints: { intervalInSeconds: 901 } }, /replications\[0\]\.bufferingHints\.intervalInSeconds must be an integer from 0 to 900/],
    [{ bufferingHints: { sizeInMBs: 0 } }, /replications\[0\]\.bufferingHints\.sizeInMBs must be an integer from 1 to 128/],
    [{ mode: 'upsert' }, /replications\[0\]\.mode must be "mirror" or "changelog"/],
    [{ colour: 'blue' }, /unknown key 'replications\[0\]\.colour'/],
    [{ glueTableSchema: [{ name: 'pk', type: 'strang' }] }, /glueTableSchema\[0\]\.type: bad type 'strang'/],
    [{ transform: { lua: 'function nope() end' } }, /defines no function 'transform'/],
    [{ transform: { lua: 'function transform(' } }, /transform: .*expected/],
    [{ warehouse: 's3://lake/wh' }, /warehouse s3:\/\/lake\/wh: S3 needs credentials/],
    [{ warehouse: 's3://Bad_Bucket/wh' }, /replication db\.t: warehouse: bad bucket name 'Bad_Bucket'/],
    [{}, /unknown config key 's3\.bogus'/, { s3: { bogus: 1 } }],
    [{}, /config key 's3\.forcePathStyle' must be true or false/, { s3: { forcePathStyle: 'yes' }, warehouse: 's3://lake/wh' }]
  ]
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')))
  for (const [bad, message, top] of cases) {
    const config = { ...top, replications: [{ tableName: 't', glueDatabaseName: 'db', glueTableName: 't', glueTableSchema: [{ name: 'pk', type: 'string' }], ...bad }] }
    const file = path.join(dir, 'config.json')
    fs.writeFileSync(file, JSON.stringify(config))
    const r = spawnSync(floeBin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', path.join(dir, 'data'), '--config', file], { encoding: 'utf8', timeout: 10000, env })
    assert.equal(r.status, 2, `${JSON.stringify(bad)}: exit status`)
    assert.match(r.stderr, message)
  }
})

function versionHintRows (warehouse, table) {
  const meta = path.join(warehouse, 'shop', table, 'metadata')
  if (!fs.existsSync(path.join(meta, 'version-hint.text'))) return null
  const stem = fs.readFileSync(path.join(meta, 'version-hint.text'), 'utf8').trim()
  return JSON.parse(fs.readFileSync(path.join(meta, stem + '.metadata.json'), 'utf8'))
}

// Waits until a child's collected stderr matches: Node appends a child's output only when its
// event loop polls, and the synchronous py() calls block it, so a line the child wrote before
// the state the test observed may not be in the string yet.
async function waitLog (getLog, pattern, what, ms = 10000) {
  for (let waited = 0; waited < ms && !pattern.test(getLog()); waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  assert.match(getLog(), pattern, what)
}

async function waitMirror (warehouse, port, what) {
  const want = py(port, 'scan', 'events').map(expectedRow).sort(byKey)
  let lastErr
  for (let i = 0; i < 240; i++) {
    try {
      const metadata = versionHintRows(warehouse, 'events_mirror')
      assert.ok(metadata, 'the table exists')
      const rows = metadata['current-snapshot-id'] > 0 ? await icebergRead({ tableUrl: metadata.location, metadata }) : []
      assert.deepEqual(rows.map(mirrorRow).sort(byKey), want, `${what}: mirror equals the Scan`)
      return metadata
    } catch (e) {
      lastErr = e
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
  throw lastErr
}

test('floe replicate against another floe process: existing data, shard lineage, a re-enabled stream, expired iterators', async () => {
  const dir = tempDir('floe-replicate-')
  const port = await freePort()
  const serverConfig = path.join(dir, 'server.json')
  fs.writeFileSync(serverConfig, JSON.stringify({ streamShardRolloverSeconds: 2, streamIteratorLifetimeSeconds: 1, streamShards: 2, maintenanceIntervalMs: 200 }))
  const server = await startFloe(dir, port, serverConfig)
  const warehouse = path.join(dir, 'lake')
  const replConfig = path.join(dir, 'replicate.json')
  fs.writeFileSync(replConfig, JSON.stringify({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    stateDir: path.join(dir, 'state'),
    warehouse,
    pollIntervalMs: 1500,
    replications: [{ tableName: 'events', glueDatabaseName: 'shop', glueTableName: 'events_mirror', glueTableSchema: columns, mode: 'mirror' }]
  }))
  let replicate
  try {
    py(port, 'create', 'events')
    const seed = Number(process.env.SEED ?? Date.now() % 100000)
    py(port, 'load', 'events', String(seed), '600')  // data before the replicator starts
    let log = ''
    replicate = spawn(floeBin, ['replicate', '--config', replConfig], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, AWS_ACCESS_KEY_ID: 'e2e', AWS_SECRET_ACCESS_KEY: 'e2e' } })
    replicate.stderr.on('data', (d) => { log += d })
    replicate.log = () => log
    await pyAsync(port, 'load', 'events', String(seed + 1), '800')
    await ttlSettled(port)
    await waitMirror(warehouse, port, `seed ${seed}: initial snapshot and stream`)
    await new Promise((resolve) => setTimeout(resolve, 2500))  // idle: iterators expire, shards roll over
    py(port, 'load', 'events', String(seed + 2), '300')
    await waitMirror(warehouse, port, `seed ${seed}: after idle`)
    await waitLog(() => log, /iterator of shard .* expired; renewing it/, 'an expired iterator was renewed')
    // A disabled and re-enabled stream: writes in between are in no stream.
    py(port, 'stream-off', 'events')
    py(port, 'load', 'events', String(seed + 3), '200')
    py(port, 'stream-on', 'events')
    py(port, 'load', 'events', String(seed + 4), '300')
    const metadata = await waitMirror(warehouse, port, `seed ${seed}: after the stream was re-enabled`)
    await waitLog(() => log, /was disabled; following the new stream/, 'the replicator followed the new stream')
    assert.equal(metadata['format-version'], 2)
  } catch (e) {
    e.message += '\nfloe replicate log:\n' + (replicate?.log?.() ?? '')
    throw e
  } finally {
    replicate?.kill('SIGKILL')
    server.kill('SIGKILL')
  }
})

// A TLS endpoint in front of a floe node, with a certificate for DNS name `localhost` only.
async function tlsProxy (dir, upstreamPort) {
  const key = path.join(dir, 'tls.key')
  const cert = path.join(dir, 'tls.crt')
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost', '-keyout', key, '-out', cert], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error('openssl failed: ' + r.stderr)
  const server = tls.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (sock) => {
    const up = net.connect(upstreamPort, '127.0.0.1')
    sock.pipe(up).pipe(sock)
    sock.on('error', () => up.destroy())
    up.on('error', () => sock.destroy())
  })
  const port = await freePort()
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve))
  return { server, port, cert }
}

test('floe replicate over HTTPS: the certificate and the host name are verified', async () => {
  const dir = tempDir('floe-replicate-tls-')
  const port = await freePort()
  const serverConfig = path.join(dir, 'server.json')
  fs.writeFileSync(serverConfig, JSON.stringify({ maintenanceIntervalMs: 200 }))
  const server = await startFloe(dir, port, serverConfig)
  const proxy = await tlsProxy(dir, port)
  const warehouse = path.join(dir, 'lake')
  const run = (name, endpoint, extra) => {
    const file = path.join(dir, `${name}.json`)
    fs.writeFileSync(file, JSON.stringify({
      endpoint,
      stateDir: path.join(dir, `state-${name}`),
      warehouse: name === 'good' ? warehouse : path.join(dir, `lake-${name}`),
      pollIntervalMs: 200,
      ...extra,
      replications: [{ tableName: 'events', glueDatabaseName: 'shop', glueTableName: 'events_mirror', glueTableSchema: columns, mode: 'mirror' }]
    }))
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'e2e', AWS_SECRET_ACCESS_KEY: 'e2e' }
    delete env.AWS_CA_BUNDLE
    const p = spawn(floeBin, ['replicate', '--config', file], { stdio: ['ignore', 'ignore', 'pipe'], env })
    let log = ''
    p.stderr.on('data', (d) => { log += d })
    p.log = () => log
    return p
  }
  const procs = []
  try {
    py(port, 'create', 'events')
    const seed = Number(process.env.SEED ?? Date.now() % 100000)
    py(port, 'load', 'events', String(seed), '300')
    // Trusted through caBundle: replicates.
    procs.push(run('good', `https://localhost:${proxy.port}`, { caBundle: proxy.cert }))
    // The system CA store does not know the certificate; the name 127.0.0.1 is not in it.
    const untrusted = run('untrusted', `https://localhost:${proxy.port}`, {})
    const wrongName = run('wrong-name', `https://127.0.0.1:${proxy.port}`, { caBundle: proxy.cert })
    procs.push(untrusted, wrongName)
    py(port, 'load', 'events', String(seed + 1), '200')
    await ttlSettled(port)
    await waitMirror(warehouse, port, `seed ${seed}: over TLS`)
    for (const p of [untrusted, wrongName]) {
      await waitLog(p.log, /TLS handshake with .* failed: certificate verify failed/, 'the handshake failed')
    }
    assert.ok(!fs.existsSync(path.join(dir, 'lake-untrusted', 'shop', 'events_mirror', 'data')), 'nothing replicated without trust')
  } catch (e) {
    e.message += '\nfloe replicate logs:\n' + procs.map((p) => p.log()).join('\n---\n')
    throw e
  } finally {
    for (const p of procs) p.kill('SIGKILL')
    proxy.server.close()
    server.kill('SIGKILL')
  }
})
