"""GET a URL with Python's urllib and decode the body as its Content-Encoding says (gzip and
deflate from the standard library), printing status, headers that matter and the text.

    fetch_decoded.py URL [Header: value]..."""
import gzip
import json
import sys
import urllib.request
import zlib

url, *headers = sys.argv[1:]
req = urllib.request.Request(url, headers=dict(h.split(': ', 1) for h in headers))
with urllib.request.urlopen(req, timeout=10) as res:
    raw = res.read()
    coding = res.headers.get('Content-Encoding')
    text = {'gzip': gzip.decompress, 'deflate': zlib.decompress}.get(coding, lambda b: b)(raw)
    print(json.dumps({
        'status': res.status,
        'encoding': coding,
        'range': res.headers.get('Content-Range'),
        'wire_bytes': len(raw),
        'text': text.decode('utf-8'),
    }))
