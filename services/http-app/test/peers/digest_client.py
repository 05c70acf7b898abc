"""Digest auth clients in Python's standard library, for the digest tests.

    digest_client.py urllib URL USER PASSWORD   urllib.request.HTTPDigestAuthHandler (MD5, qop auth)
    digest_client.py rfc7616 URL USER PASSWORD  by hand with hashlib (MD5, SHA-256, SHA-512;
                                                 qop auth or auth-int), over http.client

Prints the final status and body as one JSON line."""
import hashlib
import http.client
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

mode, url, user, password = sys.argv[1:5]

if mode == 'urllib':
    # realm=None: any realm the server names (needs the default-realm password manager).
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(realm=None, uri=url, user=user, passwd=password)
    handler = urllib.request.HTTPDigestAuthHandler(passwords)
    opener = urllib.request.build_opener(handler)
    try:
        with opener.open(url, timeout=10) as res:
            print(json.dumps({'status': res.status, 'body': json.loads(res.read())}))
    except urllib.error.HTTPError as err:
        print(json.dumps({'status': err.code, 'body': None}))
    sys.exit(0)

HASHES = {'MD5': hashlib.md5, 'SHA-256': hashlib.sha256, 'SHA-512': hashlib.sha512}
parts = urllib.parse.urlsplit(url)
uri = parts.path + ('?' + parts.query if parts.query else '')


def get(headers):
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request('GET', uri, headers=headers)
    res = conn.getresponse()
    body = res.read()
    conn.close()
    return res, body


res, _ = get({})
challenge = res.getheader('WWW-Authenticate')
params = dict((k.lower(), v1 or v2) for k, v1, v2 in re.findall(r'([\w-]+)=(?:"([^"]*)"|([^\s,]*))', challenge))
algorithm = params.get('algorithm', 'MD5')
H = lambda s: HASHES[algorithm](s.encode() if isinstance(s, str) else s).hexdigest()
qop = [q.strip() for q in params['qop'].split(',')][-1]  # the strongest offered: auth-int if there
nc, cnonce = '00000001', os.urandom(8).hex()
ha1 = H(f"{user}:{params['realm']}:{password}")
ha2 = H(f'GET:{uri}:{H(b"")}') if qop == 'auth-int' else H(f'GET:{uri}')
response = H(f"{ha1}:{params['nonce']}:{nc}:{cnonce}:{qop}:{ha2}")
auth = (f'Digest username="{user}", realm="{params["realm"]}", nonce="{params["nonce"]}", uri="{uri}", '
        f'qop={qop}, nc={nc}, cnonce="{cnonce}", response="{response}", opaque="{params["opaque"]}", '
        f'algorithm={algorithm}')
res, body = get({'Authorization': auth})
print(json.dumps({'status': res.status, 'qop': qop, 'algorithm': algorithm,
                  'body': json.loads(body) if res.status == 200 else None}))
