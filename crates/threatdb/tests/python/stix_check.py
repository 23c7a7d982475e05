"""Checks a STIX 2.1 bundle written by `threatdb export` with the OASIS tools, as a consumer
would: the validator in strict mode (every SHOULD enforced) and the stix2 library's parser
without custom content. Prints the validator's findings and `stix check: valid` when both pass.

Usage: python stix_check.py BUNDLE.json
"""

import json
import sys

import stix2
from stix2validator import ValidationOptions, print_results, validate_file

path = sys.argv[1]
results = validate_file(path, ValidationOptions(strict=True, version="2.1"))
print_results(results)
if not results.is_valid:
    sys.exit("the OASIS validator (strict, 2.1) rejected the bundle")

with open(path, encoding="utf-8") as f:
    bundle = json.load(f)
parsed = stix2.parse(bundle, allow_custom=False)
types = sorted({o.type for o in parsed.objects})
print("stix2 parsed", len(parsed.objects), "objects:", ", ".join(types))
print("stix check: valid")
