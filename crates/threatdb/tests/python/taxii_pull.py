"""Pulls a threatdb TAXII 2.1 collection with the OASIS client as a consumer would: discovery,
the API root, the collections, every page of objects (`as_pages`) and of the manifest; parses
every object with the stix2 library without custom content and validates them with the OASIS
validator in strict mode. Prints `taxii pull: passed` when all of it holds.

Environment: THREATDB_TAXII (the discovery URL), THREATDB_USER, THREATDB_PASSWORD,
THREATDB_COLLECTION (the title of the collection to pull), THREATDB_EXPECT (how many
objects it must hold), THREATDB_PAGE (objects per request).
"""

import json
import os
import sys
import tempfile

import stix2
from stix2validator import ValidationOptions, print_results, validate_file
from taxii2client.v21 import Server, as_pages

user, password = os.environ["THREATDB_USER"], os.environ["THREATDB_PASSWORD"]
server = Server(os.environ["THREATDB_TAXII"], user=user, password=password)
print("server:", server.title, "roots:", [r.url for r in server.api_roots])
root = server.default
print("api root:", root.title, root.versions, root.max_content_length)
titles = [c.title for c in root.collections]
print("collections:", titles)
collection = next(c for c in root.collections if c.title == os.environ["THREATDB_COLLECTION"])
assert collection.can_read and not collection.can_write, "read-only collection expected"

per_page = int(os.environ["THREATDB_PAGE"])
objects, pages = [], 0
for envelope in as_pages(collection.get_objects, per_request=per_page):
    pages += 1
    got = envelope.get("objects", [])
    assert len(got) <= per_page, f"a page of {len(got)} objects, {per_page} asked for"
    objects.extend(got)
ids = [o["id"] for o in objects]
assert len(ids) == len(set(ids)), "an object came twice"
expect = int(os.environ["THREATDB_EXPECT"])
assert len(objects) == expect, f"{len(objects)} objects, {expect} expected"
print("objects:", len(objects), "in", pages, "pages")

manifest = []
for envelope in as_pages(collection.get_manifest, per_request=per_page):
    manifest.extend(envelope.get("objects", []))
assert [m["id"] for m in manifest] == ids, "the manifest lists other objects"

for o in objects:
    stix2.parse(o, allow_custom=False)
with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
    json.dump({"type": "bundle", "id": "bundle--6a6d3c2b-3f6e-4c57-9d28-1f1f4e0b8a11", "objects": objects}, f)
results = validate_file(f.name, ValidationOptions(strict=True, version="2.1"))
print_results(results)
if not results.is_valid:
    sys.exit("the OASIS validator (strict, 2.1) rejected objects of the collection")
print("taxii pull: passed")
