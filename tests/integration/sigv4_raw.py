"""A minimal SigV4 signer for raw requests, so tests control every part of the scope and the payload hash."""
import datetime
import hashlib
import hmac
import http.client


def _hmac(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def signed_headers(method, path, host, body, headers, key, secret, region, service, payload_hash=None,
                   amz_date=None):
    """Returns headers (with Authorization) for the request, signed as the arguments say.

    payload_hash: what X-Amz-Content-Sha256 declares and the signature covers (default: the body's hash,
    without the header)."""
    amz_date = amz_date or datetime.datetime.utcnow().strftime("%Y%m%dT%H%M%SZ")
    h = {k.lower(): v for k, v in headers.items()}
    h["host"] = host
    h["x-amz-date"] = amz_date
    if payload_hash is not None:
        h["x-amz-content-sha256"] = payload_hash
    else:
        payload_hash = hashlib.sha256(body).hexdigest()
    names = sorted(h)
    canonical_headers = "".join(f"{n}:{h[n].strip()}\n" for n in names)
    signed = ";".join(names)
    if "?" in path:
        path, query = path.split("?", 1)
        query = "&".join(sorted(query.split("&")))
    else:
        query = ""
    canonical = "\n".join([method, path, query, canonical_headers, signed, payload_hash])
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    k = _hmac(("AWS4" + secret).encode(), amz_date[:8])
    k = _hmac(k, region)
    k = _hmac(k, service)
    k = _hmac(k, "aws4_request")
    signature = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    out = {n: h[n] for n in names}
    out["authorization"] = f"AWS4-HMAC-SHA256 Credential={key}/{scope}, SignedHeaders={signed}, Signature={signature}"
    return out


def send(server, method, path, body, headers, **sign):
    """Sends one signed request to server; returns (status, text)."""
    host = f"127.0.0.1:{server.port}"
    data = body.encode() if isinstance(body, str) else body
    h = signed_headers(method, path, host, data, headers, **sign)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request(method, path, body=data, headers=h)
    resp = conn.getresponse()
    text = resp.read().decode()
    conn.close()
    return resp.status, text
