"""Validates the OpenAPI document at a URL with openapi-spec-validator (on this kind of
machine it comes with the pyenv python3, not Debian's), printing its version and path count."""
import json
import sys
import urllib.request

from openapi_spec_validator import validate

with urllib.request.urlopen(sys.argv[1], timeout=10) as res:
    spec = json.loads(res.read())
validate(spec)  # raises with the first error
print(json.dumps({'openapi': spec['openapi'], 'paths': len(spec['paths'])}))
