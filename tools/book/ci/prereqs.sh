#!/usr/bin/env bash
# tools/book's pair tests run the book's programs: python3 on PATH for most, and Debian's
# /usr/bin/python3 with python3-jsonrpclib-pelix for chapter 18's jsonrpc_server.py and
# jsonrpc_client.py and Flask, requests, bs4, lxml for chapter 11's app_insecure.py and mscrape.py;
# dnsmasq and python3-dnspython for chapter 4's DNS programs. Idempotent:
# installs only what is missing.
set -euo pipefail

missing=()
command -v python3 >/dev/null || missing+=(python3)
/usr/bin/python3 -c 'import jsonrpclib' 2>/dev/null || missing+=(python3-jsonrpclib-pelix)
# test/dns.test.ts: dnsmasq as the DNS server on loopback, dnspython for the book's dns_*.py.
/usr/bin/python3 -c 'import dns.resolver' 2>/dev/null || missing+=(python3-dnspython)
[ -x /usr/sbin/dnsmasq ] || missing+=(dnsmasq-base)
# chapter 11's pair: app_insecure.py (Flask) read by mscrape.py (requests, BeautifulSoup, lxml
# with its CSS selectors), both under /usr/bin/python3.
for pair in flask:python3-flask requests:python3-requests bs4:python3-bs4 lxml:python3-lxml \
  cssselect:python3-cssselect; do
  /usr/bin/python3 -c "import ${pair%%:*}" 2>/dev/null || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${missing[@]}" >/dev/null
fi
echo "book prereqs: python3 $(python3 -c 'import sys; print(sys.version.split()[0])'), /usr/bin/python3 with jsonrpclib, dnspython, flask, requests, bs4, lxml and cssselect, dnsmasq"
