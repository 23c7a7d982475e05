"""Pulls a threatdb TAXII 2.1 collection with the OASIS client as a consumer would: discovery,
the API root, the collections, every page of objects (`as_pages`) and of the manifest; parses
every object with the stix2 library without custom content and validates them with the OASIS
validator in strict mode; then adds objects as a producer would (`add_objects`, which checks the
status resource). Prints `taxii pull: passed` when all of it holds.

Environment: THREATDB_TAXII (the discovery URL), THREATDB_USER, THREATDB_PASSWORD,
THREATDB_COLLECTION (the title of the collection to pull), THREATDB_EXPECT (how many
objects it must hold), THREATDB_PAGE (objects per request).
"""

import json
import os
import sys
import tempfile
import time

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
assert collection.can_read and collection.can_write, "the administrator's collection takes objects"

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

# Each object by id (get_object, object_versions) and a few with match[id] (filter kwargs).
for o in objects:
    if o["type"] == "relationship":
        continue
    one = collection.get_object(o["id"])
    assert one["objects"] == [o], f"get_object {o['id']} gave {one}"
    versions = collection.object_versions(o["id"])
    assert versions["versions"] == [o.get("modified", o.get("created"))], f"versions of {o['id']}: {versions}"
some = [o["id"] for o in objects if o["type"] != "relationship"][:3]
matched = collection.get_objects(id=",".join(some))
assert sorted(m["id"] for m in matched["objects"]) == sorted(some), f"match[id] gave {matched}"
print("by id:", len([o for o in objects if o["type"] != "relationship"]), "objects and their versions")

for o in objects:
    stix2.parse(o, allow_custom=False)
with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
    json.dump({"type": "bundle", "id": "bundle--6a6d3c2b-3f6e-4c57-9d28-1f1f4e0b8a11", "objects": objects}, f)
results = validate_file(f.name, ValidationOptions(strict=True, version="2.1"))
print_results(results)
if not results.is_valid:
    sys.exit("the OASIS validator (strict, 2.1) rejected objects of the collection")
# Push: the OASIS client's add_objects, which checks the status resource (its counts against
# its lists) and polls it when it is not complete.
incident = {"type": "incident", "spec_version": "2.1",
            "id": "incident--5e1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b",
            "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
            "name": "Posted through taxii2-client"}
indicator = stix2.Indicator(pattern_type="stix", pattern="[ipv4-addr:value = '203.0.113.9']",
                            valid_from="2026-01-01T00:00:00Z", description="posted")
relationship = stix2.Relationship(source_ref=incident["id"], target_ref=indicator.id,
                                  relationship_type="related-to")
envelope = {"objects": [incident, json.loads(indicator.serialize()), json.loads(relationship.serialize())]}
status = collection.add_objects(json.dumps(envelope))
print("posted:", status.status, status.success_count, status.failure_count, status.failures)
assert status.status == "complete" and status.success_count == 3 and status.failure_count == 0
status.refresh()
assert status.total_count == 3
time.sleep(2.5)  # the indicator was made now: TAXII sends a change once its second has settled
after = []
for envelope in as_pages(collection.get_objects, per_request=1000):
    after.extend(envelope.get("objects", []))
posted = [o for o in after if o["id"] in (incident["id"], indicator.id)]
assert len(posted) == 2, f"the posted objects are in the collection: {len(posted)}"
print("taxii pull: passed")
