#!/usr/bin/env python3
# The book's jsonrpc_client.py (chapter 18) used the third-party jsonrpclib; this does the
# same call with the standard library only (urllib + json), as JSON-RPC 2.0, then a
# notification, a batch and an unknown method.
#
#   python3 jsonrpc_urllib_client.py URL

import json
import sys
import urllib.request


def post(url, payload):
    data = json.dumps(payload).encode('utf-8')
    request = urllib.request.Request(url, data=data, headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
        return response.status, body


def call(url, method, params, id_=1):
    status, body = post(url, {'jsonrpc': '2.0', 'method': method, 'params': params, 'id': id_})
    return json.loads(body)


def main():
    url = sys.argv[1]
    reply = call(url, 'lengths', [(1, 2, 3), 27, {'Sirius': -1.46, 'Rigel': 0.12}])
    print(reply['result'])
    status, body = post(url, {'jsonrpc': '2.0', 'method': 'update', 'params': [1, 2]})
    print('notification: HTTP %d, %d bytes' % (status, len(body)))
    status, body = post(url, [
        {'jsonrpc': '2.0', 'method': 'subtract', 'params': {'minuend': 42, 'subtrahend': 23}, 'id': 1},
        {'jsonrpc': '2.0', 'method': 'notify_hello', 'params': [7]},
        {'jsonrpc': '2.0', 'method': 'get_data', 'id': 2},
    ])
    print('batch:', json.loads(body))
    print('error:', call(url, 'no.such.method', [])['error'])


if __name__ == '__main__':
    main()
