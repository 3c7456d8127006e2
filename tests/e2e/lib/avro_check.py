#!/usr/bin/python3
"""Reads Avro files with the Apache Avro library (Debian's python3-avro), an independent
reader of floe's manifests and manifest lists. Prints, per file, its metadata, the field ids
its schema declares and its records as JSON (bytes as hex)."""
import json
import sys

import avro.datafile
import avro.io


def field_ids(schema, out):
    j = schema if isinstance(schema, (dict, list, str)) else schema.to_json()
    def walk(node):
        if isinstance(node, list):
            for n in node:
                walk(n)
        elif isinstance(node, dict):
            for f in node.get('fields', []):
                if 'field-id' in f:
                    out[f['name']] = f['field-id']
                walk(f['type'])
            for k in ('items', 'values', 'type'):
                if k in node and not isinstance(node[k], str):
                    walk(node[k])
    walk(j)
    return out


def plain(v):
    if isinstance(v, bytes):
        return v.hex()
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


result = {}
for path in sys.argv[1:]:
    with open(path, 'rb') as f:
        reader = avro.datafile.DataFileReader(f, avro.io.DatumReader())
        meta = {k: v.decode('utf-8', 'replace') for k, v in reader.meta.items()}
        schema = json.loads(meta['avro.schema'])
        records = [plain(r) for r in reader]
        reader.close()
    result[path] = {'metadata': {k: v for k, v in meta.items() if k != 'avro.schema'},
                    'field_ids': field_ids(schema, {}), 'records': records}
json.dump(result, sys.stdout)
