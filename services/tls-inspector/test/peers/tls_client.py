#!/usr/bin/env python3
"""A Python stdlib TLS client, as in the book's chapter 6: verify the server with our CA,
then print (as JSON) what was negotiated and the line the server sent back.
Exit 0 on success, 3 when the handshake is refused, with the reason in the JSON."""

import argparse
import json
import socket
import ssl
import sys

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument('host')
parser.add_argument('port', type=int)
parser.add_argument('--cafile', required=True)
parser.add_argument('--servername', default='localhost')
parser.add_argument('--cert', help='client certificate PEM with its key')
parser.add_argument('--force-tls1', action='store_true', help='offer TLS 1.0 and nothing else')
args = parser.parse_args()

context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=args.cafile)
if args.cert:
    context.load_cert_chain(args.cert)
if args.force_tls1:
    # Python's OpenSSL also refuses TLS 1.0 at its default security level.
    context.set_ciphers('DEFAULT:@SECLEVEL=0')
    context.minimum_version = ssl.TLSVersion.TLSv1
    context.maximum_version = ssl.TLSVersion.TLSv1

try:
    with socket.create_connection((args.host, args.port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=args.servername) as tls:
            line = tls.makefile('r').readline().strip()
            cert = tls.getpeercert()
            subject = dict(item for rdn in cert['subject'] for item in rdn)
            print(json.dumps({
                'version': tls.version(),
                'cipher': tls.cipher()[0],
                'server_subject_cn': subject.get('commonName'),
                'server_said': line,
            }))
except ssl.SSLError as e:
    print(json.dumps({'refused': e.reason or str(e)}))
    sys.exit(3)
