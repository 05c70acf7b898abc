#!/usr/bin/env bash
# http-app's test prerequisites: Debian's chromium for the browser tests (driven by
# playwright-core; never `playwright install`), curl as a real client, psql and a running
# PostgreSQL, and the real httpbin (Debian's python3-httpbin, run by /usr/bin/python3) that
# the differential test compares every echo route with, and Pillow to decode our images.
# SQLite is Node's built-in node:sqlite: nothing to compile.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v curl >/dev/null || missing+=(curl)
command -v psql >/dev/null || missing+=(postgresql-client)
/usr/bin/python3 -c 'import httpbin' 2>/dev/null || missing+=(python3-httpbin)
# Pillow decodes the images /image serves (test/httpbin-documents.test.ts).
/usr/bin/python3 -c 'import PIL' 2>/dev/null || missing+=(python3-pil)
# The book's own programs run against ours (test/timeapp.test.ts, test/book-bank.test.ts):
# chapter 10's timeapp_webob.py and timeapp_werkz.py, chapter 11's mscrape.py (requests,
# BeautifulSoup, lxml with its CSS selectors).
for pair in webob:python3-webob werkzeug:python3-werkzeug requests:python3-requests \
  bs4:python3-bs4 lxml:python3-lxml cssselect:python3-cssselect; do
  /usr/bin/python3 -c "import ${pair%%:*}" 2>/dev/null || missing+=("${pair#*:}")
done
# The benchmark's load generator (bench/serve-vs-bare.ts; not run by the tests).
command -v wrk >/dev/null || missing+=(wrk)
# openapi-spec-validator (test/route-catalog.test.ts) comes with this machine kind's pyenv
# python3; Debian 12 does not package it, so say so plainly if it is gone.
python3 -c 'import openapi_spec_validator' 2>/dev/null ||
  echo "http-app prereqs: python3 lacks openapi-spec-validator; the /openapi.json validation test will fail" >&2
if [ "${#missing[@]}" -gt 0 ]; then
  # Other jobs on the machine may hold the dpkg lock: wait for it rather than fail.
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${missing[@]}"
fi

# The PostgreSQL tests need the machine's server (127.0.0.1:5432, trust auth), which this
# kind of machine starts before the session; start it again if it has stopped.
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "http-app prereqs: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -q -h 127.0.0.1 -p 5432 || {
    echo "http-app prereqs: PostgreSQL is not answering on 127.0.0.1:5432; the postgres bank tests will fail" >&2
    exit 1
  }
fi
