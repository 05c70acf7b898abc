#!/usr/bin/env python3
# The calls of the book's xmlrpc_client.py, xmlrpc_multicall.py and xmlrpc_introspect.py
# (chapter 18), in that order, against one server URL, printing what the book's scripts
# print; then more calls covering every type, fault and bad input. A fault is printed as
# repr(fault) instead of ending the script with a traceback, so every call is compared.
# The differential test runs this against Python's SimpleXMLRPCServer and against ours
# and requires the two outputs to be byte-identical.
#
#   python3 book_clients.py URL [--allow-none]

import datetime
import sys
import xmlrpc.client


def attempt(label, call):
    try:
        show(call())
    except xmlrpc.client.Fault as fault:
        print(repr(fault))


def show(value):
    print(value)


def normalise(value):
    """Binary and DateTime reprs carry memory addresses; print their contents instead."""
    if isinstance(value, xmlrpc.client.Binary):
        return ('Binary', value.data)
    if isinstance(value, xmlrpc.client.DateTime):
        return ('DateTime', value.value)
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    return value


def xmlrpc_client(proxy):
    attempt('addtogether', lambda: proxy.addtogether('x', 'ÿ', 'z'))
    attempt('addtogether', lambda: proxy.addtogether(20, 30, 4, 1))
    attempt('quadratic', lambda: proxy.quadratic(2, -4, 0))
    attempt('quadratic', lambda: proxy.quadratic(1, 2, 1))
    attempt('remote_repr', lambda: proxy.remote_repr((1, 2.0, 'three')))
    attempt('remote_repr', lambda: proxy.remote_repr([1, 2.0, 'three']))
    attempt('remote_repr', lambda: proxy.remote_repr({'name': 'Arthur',
                                                      'data': {'age': 42, 'sex': 'M'}}))
    attempt('quadratic', lambda: proxy.quadratic(1, 0, 1))


def xmlrpc_multicall(proxy):
    multicall = xmlrpc.client.MultiCall(proxy)
    multicall.addtogether('a', 'b', 'c')
    multicall.quadratic(2, -4, 0)
    multicall.remote_repr([1, 2.0, 'three'])
    for answer in multicall():
        print(answer)


def xmlrpc_introspect(proxy):
    print('Here are the functions supported by this server:')
    for method_name in proxy.system.listMethods():

        if method_name.startswith('system.'):
            continue

        signatures = proxy.system.methodSignature(method_name)
        if isinstance(signatures, list) and signatures:
            for signature in signatures:
                print('%s(%s)' % (method_name, signature))
        else:
            print('%s(...)' % (method_name,))

        method_help = proxy.system.methodHelp(method_name)
        if method_help:
            print('  ', method_help)


def more(proxy, allow_none):
    p = proxy
    print('--- more calls: every type, faults, bad arguments')
    attempt('', lambda: p.remote_repr(True))
    attempt('', lambda: p.remote_repr(False))
    attempt('', lambda: p.remote_repr(-2147483648))
    attempt('', lambda: p.remote_repr(2147483647))
    attempt('', lambda: p.remote_repr(1e16))
    attempt('', lambda: p.remote_repr(-0.0))
    attempt('', lambda: p.remote_repr(1.5e-7))
    attempt('', lambda: p.remote_repr(float('inf')))
    attempt('', lambda: p.remote_repr('tab\tnew\nline <&> "quotes" \'apos\' ünïcödé ☃ 🐍'))
    attempt('', lambda: p.remote_repr(''))
    attempt('', lambda: p.remote_repr([]))
    attempt('', lambda: p.remote_repr({}))
    attempt('', lambda: p.remote_repr({'2': 'two', '1': 'one', 'b': [{'x': [[]]}]}))
    attempt('', lambda: normalise(p.remote_repr(xmlrpc.client.Binary(b'\x00\x01\xffbinary'))))
    attempt('', lambda: normalise(p.remote_repr(datetime.datetime(2026, 11, 25, 9, 30, 1))))
    attempt('', lambda: p.remote_repr(None))
    attempt('', lambda: p.addtogether(1, 2.5))
    attempt('', lambda: p.addtogether(True, True))
    attempt('', lambda: p.addtogether(True, 1.5))
    attempt('', lambda: p.addtogether(0.1, 0.2))
    attempt('', lambda: p.addtogether([1], ['a', [2]], []))
    attempt('', lambda: p.addtogether('solo'))
    attempt('', lambda: p.addtogether(2147483647, 1))
    attempt('', lambda: p.addtogether(2147483647, 1, -1))
    attempt('', lambda: p.addtogether())
    attempt('', lambda: p.addtogether(1, 'a'))
    attempt('', lambda: p.addtogether('a', 1))
    attempt('', lambda: p.addtogether([1], 'a'))
    attempt('', lambda: p.addtogether({'a': 1}, {'b': 2}))
    attempt('', lambda: p.addtogether(1.5, 'a'))
    attempt('', lambda: p.addtogether(xmlrpc.client.Binary(b'a'), xmlrpc.client.Binary(b'b')))
    attempt('', lambda: p.quadratic(1, -3, 2))
    attempt('', lambda: p.quadratic(1, 3, 2))
    attempt('', lambda: p.quadratic(1, 0, -4))
    attempt('', lambda: p.quadratic(3, 5, 1))
    attempt('', lambda: p.quadratic(-2, 1.5, 7))
    attempt('', lambda: p.quadratic(0.5, -1e10, 1))
    attempt('', lambda: p.quadratic(1, 0, 0))
    attempt('', lambda: p.quadratic(0, 1, 1))
    attempt('', lambda: p.quadratic(1.0, -0.0, 0.0))
    attempt('', lambda: p.quadratic(True, 3, 2))
    attempt('', lambda: p.quadratic(1, 2))
    attempt('', lambda: p.quadratic(1))
    attempt('', lambda: p.quadratic())
    attempt('', lambda: p.quadratic(1, 2, 3, 4))
    attempt('', lambda: p.quadratic('a', 'b', 'c'))
    attempt('', lambda: p.quadratic(1, 'b', 3))
    attempt('', lambda: p.quadratic(1, 2, 'c'))
    attempt('', lambda: p.quadratic([1], [2], [3]))
    attempt('', lambda: p.quadratic({}, 2, 3))
    attempt('', lambda: p.remote_repr())
    attempt('', lambda: p.remote_repr(1, 2))
    attempt('', lambda: p.no_such_method(1))
    attempt('', lambda: p.system.methodHelp('no_such_method'))
    attempt('', lambda: p.system.methodSignature('quadratic'))
    attempt('', lambda: p.system.methodHelp('quadratic'))
    multicall = xmlrpc.client.MultiCall(p)
    multicall.quadratic(1, 0, 1)
    multicall.no_such_method()
    multicall.addtogether(1, 2)
    multicall.remote_repr()
    try:
        for answer in multicall().results:
            print(answer)
    except xmlrpc.client.Fault as fault:
        print(repr(fault))


def multicall_edges(proxy, allow_none):
    print('--- system.multicall and system.* given odd arguments')
    b = xmlrpc.client.Binary(b'ab')
    d = datetime.datetime(2020, 1, 1)
    cases = [
        [1], ['s'], [[1]], [{}], [b], [d], [1.5], [True],
        [{'methodName': 'addtogether'}], [{'params': []}],
        [{'methodName': 'addtogether', 'params': 'ab'}],
        [{'methodName': 'addtogether', 'params': {'a': 1}}],
        [{'methodName': 'addtogether', 'params': 5}],
        [{'methodName': 'addtogether', 'params': b}],
        [{'methodName': 'system.listMethods', 'params': 5}],
        [{'methodName': 'remote_repr', 'params': 'ab'}],
        [{'methodName': 'remote_repr', 'params': 'a'}],
        [{'methodName': [1], 'params': []}],
        [{'methodName': {'a': 1}, 'params': []}],
        [{'methodName': b, 'params': []}],
        [{'methodName': d, 'params': []}],
        [{'methodName': 7, 'params': []}],
        [{'methodName': 1.5, 'params': []}],
        [{'methodName': True, 'params': []}],
        [{'methodName': 'system.multicall', 'params': [[{'methodName': 'addtogether', 'params': [1, 2]}]]}],
        'xy', 5, 1.5, True, b, d, {'methodName': 'x'},
    ]
    cases += [[None], [{'methodName': None, 'params': []}], [{'methodName': 'addtogether', 'params': None}], None]
    for arg in cases:
        attempt('', lambda: normalise(proxy.system.multicall(arg)))
    attempt('', lambda: proxy.system.listMethods(1))
    attempt('', lambda: proxy.system.methodHelp())
    attempt('', lambda: proxy.system.methodHelp(5))
    attempt('', lambda: proxy.system.methodHelp([1]))
    attempt('', lambda: proxy.system.methodSignature(1, 2))
    attempt('', lambda: proxy.system.methodSignature({'a': 1}))
    attempt('', lambda: proxy.system.multicall())


def main():
    url = sys.argv[1]
    allow_none = '--allow-none' in sys.argv
    proxy = xmlrpc.client.ServerProxy(url, allow_none=True)
    print('=== xmlrpc_client.py')
    xmlrpc_client(proxy)
    print('=== xmlrpc_multicall.py')
    xmlrpc_multicall(proxy)
    print('=== xmlrpc_introspect.py')
    xmlrpc_introspect(proxy)
    more(proxy, allow_none)
    multicall_edges(proxy, allow_none)


if __name__ == '__main__':
    main()
