// icebird and hyparquet read through fetch; Node's fetch has no file: URLs, so this module
// serves them from disk (with Range requests), and s3:// URLs from an S3 endpoint. Importing it
// installs the shim.
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'

// icebird reads through fetch; Node's fetch has no file: URLs, so serve them from disk
// (with Range requests, as hyparquet reads footers and column chunks by range).
export const realFetch = globalThis.fetch
// S3 objects (s3://bucket/key, or https://bucket.s3.amazonaws.com/key as icebird spells them)
// go to this S3-compatible endpoint, path style, when set.
let s3Endpoint = null
export function serveS3From (endpoint) { s3Endpoint = endpoint }
globalThis.fetch = async (url, init = {}) => {
  const u = typeof url === 'string' ? url : (url.url ?? String(url))
  if (s3Endpoint) {
    const m = /^(?:s3:\/\/([^/]+)|https:\/\/([^/.]+)\.s3\.amazonaws\.com)\/(.*)$/.exec(u)
    if (m) return realFetch(`${s3Endpoint}/${m[1] ?? m[2]}/${m[3]}`, init)
  }
  if (!u.startsWith('file:')) return realFetch(url, init)
  let buf
  try {
    buf = fs.readFileSync(fileURLToPath(u))
  } catch {
    return new Response(null, { status: 404 })
  }
  const headers = new Headers(init.headers ?? {})
  if ((init.method ?? 'GET') === 'HEAD') return new Response(null, { status: 200, headers: { 'content-length': String(buf.length) } })
  const range = headers.get('range')
  if (range) {
    const m = /bytes=(\d+)-(\d*)/.exec(range)
    const start = Number(m[1])
    const end = m[2] ? Number(m[2]) + 1 : buf.length
    return new Response(buf.subarray(start, end), { status: 206 })
  }
  return new Response(buf, { status: 200 })
}

