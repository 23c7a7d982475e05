"""The seed's five workflows through tcex 5's own v3 client, for an incident and for an indicator,
against a running threatdb.

Run by crates/threatdb/tests/it/tcex.rs with the API root and an API user's credentials in the
environment (THREATDB_API, THREATDB_ACCESS_ID, THREATDB_SECRET_KEY, THREATDB_OWNER). Every step
checks what tcex hands back; any failure raises, and the process exits non-zero.
"""

import os
import sys

from tcex.api.tc.v3.tql.tql_operator import TqlOperator
from tcex_app import tcex_from_env

tcex = tcex_from_env()
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
# hasAttribute(typeName EQ ... AND text EQ ...), as tcex's has_attribute builds it.
by_attribute = v3.groups()
attribute = by_attribute.filter.has_attribute
attribute.type_name(TqlOperator.EQ, 'Description')
attribute.text(TqlOperator.EQ, 'made by TCEX')
assert [g.model.id for g in by_attribute] == [created.id]
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

# The same five workflows for an indicator (tcex's v3 Indicator objects).
host = v3.indicator(type='Host', host_name='Tcex.Example', owner_name=owner)
host.stage_tag({'name': 'tcex-ind'})
host.stage_security_label({'name': 'TLP:AMBER'})
host.stage_attribute({'type': 'Description', 'value': 'Seen by tcex', 'default': True})
host.create(params={'fields': ['tags', 'securityLabels', 'attributes']})
made = host.model
assert made.id, made
assert made.host_name == 'tcex.example', made.host_name
assert [t.name for t in made.tags.data] == ['tcex-ind'], made.tags
assert [lab.name for lab in made.security_labels.data] == ['TLP:AMBER']
assert made.attributes.data[0].value == 'Seen by tcex'
print('indicator created', made.id)

one_ind = v3.indicator(id=made.id)
one_ind.get(params={'fields': ['tags', 'attributes']})
assert one_ind.model.summary == 'tcex.example', one_ind.model
assert [t.name for t in one_ind.model.tags.data] == ['tcex-ind']
print('indicator retrieved', one_ind.model.id)

ips = ['192.0.2.10', '192.0.2.11', '192.0.2.12']
for ip in ips:
    v3.indicator(type='Address', ip=ip, owner_name=owner).create()
addresses = v3.indicators(params={'result_limit': 2})
addresses.filter.type_name(TqlOperator.EQ, 'Address')
listed = sorted(i.model.ip for i in addresses)
assert listed == ips, listed
tagged_ind = v3.indicators()
tagged_ind.filter.has_tag.name(TqlOperator.EQ, 'tcex-ind')
assert [i.model.id for i in tagged_ind] == [made.id]
described = v3.indicators()
described_attribute = described.filter.has_attribute
described_attribute.type_name(TqlOperator.EQ, 'Description')
described_attribute.text(TqlOperator.EQ, 'seen by TCEX')
assert [i.model.id for i in described] == [made.id]
print('indicators listed', len(listed))

# An incident created with the indicator associated, read back from both sides.
linked = v3.group(type='Incident', name='tcex linked', event_date='2021-01-01', owner_name=owner)
linked.stage_associated_indicator({'id': made.id})
linked.create(params={'fields': ['associatedIndicators']})
assert [i.id for i in linked.model.associated_indicators.data] == [made.id], linked.model
from_host = v3.indicator(id=made.id)
from_host.get(params={'fields': ['associatedGroups']})
assert [g.id for g in from_host.model.associated_groups.data] == [linked.model.id]
print('associated', linked.model.id, made.id)

# A fresh object (not read first) carries only what is staged: replace leaves exactly that.
retag = v3.indicator(id=made.id)
retag.stage_tag({'name': 'tcex-ind-2'})
retag.update(mode='replace', params={'fields': ['tags']})
again_ind = v3.indicator(id=made.id)
again_ind.get(params={'fields': ['tags']})
assert [t.name for t in again_ind.model.tags.data] == ['tcex-ind-2'], again_ind.model.tags
print('indicator updated', made.id)

again_ind.delete()
gone_ind = v3.indicators()
gone_ind.filter.id(TqlOperator.EQ, made.id)
assert list(gone_ind) == [], 'deleted indicator still listed'
print('indicator deleted', made.id)

# A group of another type: an Adversary created with a tag, read, listed by type, renamed, deleted.
adv = v3.group(type='Adversary', name='tcex adversary', owner_name=owner)
adv.stage_tag({'name': 'tcex-adv'})
adv.create(params={'fields': ['tags']})
assert adv.model.id and adv.model.type == 'Adversary', adv.model
assert [t.name for t in adv.model.tags.data] == ['tcex-adv']
advs = v3.groups()
advs.filter.type_name(TqlOperator.EQ, 'Adversary')
assert [g.model.id for g in advs] == [adv.model.id]
adv.model.name = 'tcex adversary, renamed'
adv.update()
again_adv = v3.group(id=adv.model.id)
again_adv.get()
assert again_adv.model.name == 'tcex adversary, renamed', again_adv.model.name
again_adv.delete()
print('adversary created, listed, updated and deleted', adv.model.id)
print('tcex v3: all five workflows passed')
sys.exit(0)
