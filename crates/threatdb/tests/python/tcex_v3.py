"""The seed's five incident workflows through tcex 5's own v3 client, against a running threatdb.

Run by crates/threatdb/tests/it/tcex.rs with the API root and an API user's credentials in the
environment (THREATDB_API, THREATDB_ACCESS_ID, THREATDB_SECRET_KEY, THREATDB_OWNER). Every step
checks what tcex hands back; any failure raises, and the process exits non-zero.
"""

import os
import sys
import tempfile

from tcex import TcEx
from tcex.api.tc.v3.tql.tql_operator import TqlOperator

work = tempfile.mkdtemp(prefix='tcex-')
tcex = TcEx(
    config={
        'tc_api_path': os.environ['THREATDB_API'],
        'tc_api_access_id': os.environ['THREATDB_ACCESS_ID'],
        'tc_api_secret_key': os.environ['THREATDB_SECRET_KEY'],
        'tc_owner': os.environ['THREATDB_OWNER'],
        'tc_log_path': work,
        'tc_temp_path': work,
        'tc_out_path': work,
        'tc_in_path': work,
        'tc_verify': False,
        'tc_log_level': 'debug',
    }
)
v3 = tcex.api.tc.v3
owner = os.environ['THREATDB_OWNER']

# 1. Create with an event date, an attribute, a tag and a label (one request).
incident = v3.group(
    type='Incident',
    name='tcex v3 incident',
    event_date='2017-03-21T00:00:00Z',
    status='Open',
    owner_name=owner,
)
incident.stage_attribute({'type': 'Description', 'value': 'Made by tcex', 'default': True})
incident.stage_tag({'name': 'tcex-made'})
incident.stage_security_label({'name': 'TLP:GREEN'})
incident.create(params={'fields': ['tags', 'securityLabels', 'attributes']})
created = incident.model
assert created.id, created
assert created.name == 'tcex v3 incident', created.name
assert [t.name for t in created.tags.data] == ['tcex-made'], created.tags
assert [lab.name for lab in created.security_labels.data] == ['TLP:GREEN']
assert created.attributes.data[0].value == 'Made by tcex'
print('created', created.id)

# 2. Retrieve one, with its nested collections.
one = v3.group(id=created.id)
one.get(params={'fields': ['tags', 'attributes', 'securityLabels']})
got = one.model
assert got.name == 'tcex v3 incident', got
assert got.status == 'Open', got.status
assert got.event_date is not None and got.event_date.year == 2017, got.event_date
assert [t.name for t in got.tags.data] == ['tcex-made']
print('retrieved', got.id, got.name)

# 3. Retrieve many with filters (TQL built by tcex), paged through `next` by tcex.
for n in range(5):
    v3.group(type='Incident', name=f'tcex many {n}', event_date='2020-01-01', owner_name=owner).create()
groups = v3.groups(params={'result_limit': 2})
groups.filter.type_name(TqlOperator.EQ, 'Incident')
groups.filter.summary(TqlOperator.STARTS_WITH, 'tcex many')
many = sorted(g.model.name for g in groups)
assert many == [f'tcex many {n}' for n in range(5)], many
tagged = v3.groups()
tagged.filter.tag(TqlOperator.EQ, 'tcex-made')
assert [g.model.id for g in tagged] == [created.id]
print('listed', len(many))

# 4. Update: a new name and status, the tag list replaced.
one.model.name = 'tcex v3 incident, renamed'
one.model.status = 'Closed'
one.update(params={'fields': ['tags']})
again = v3.group(id=created.id)
again.get(params={'fields': ['tags']})
assert again.model.name == 'tcex v3 incident, renamed', again.model.name
assert again.model.status == 'Closed', again.model.status
print('updated', again.model.id)

# 5. Delete, then it is gone.
again.delete()
gone = v3.groups()
gone.filter.id(TqlOperator.EQ, created.id)
assert list(gone) == [], 'deleted incident still listed'
print('deleted', created.id)
print('tcex v3: all five workflows passed')
sys.exit(0)
