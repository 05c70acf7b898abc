"""Fetches each URL given and prints one JSON line saying what it is, as Pillow and Python's
XML parser see it: {"url", "type", "format", "size"} for images, {"url", "type", "xml_root"}
for XML and SVG. Run with Debian's interpreter (python3-pil is installed there)."""
import io
import json
import sys
import urllib.request
import xml.etree.ElementTree as ET

from PIL import Image

for url in sys.argv[1:]:
    with urllib.request.urlopen(url, timeout=10) as res:
        body = res.read()
        ctype = res.headers.get('Content-Type')
    out = {'url': url, 'type': ctype}
    if ctype.startswith('image/svg') or 'xml' in ctype:
        out['xml_root'] = ET.fromstring(body).tag
    elif ctype.startswith('image/'):
        img = Image.open(io.BytesIO(body))
        img.load()  # decodes the pixels, not only the header
        out['format'] = img.format
        out['size'] = list(img.size)
    print(json.dumps(out), flush=True)
