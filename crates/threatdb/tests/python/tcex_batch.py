"""A feed written through tcex 5's own batch module (tcex.api.tc.v2.batch), as a tcex app writes
one: an incident with an attribute, a tag and a label, a host linked to it with a rating and a
confidence, one invalid address, and 5,100 more addresses (more than tcex puts in one job, so it
sends two). Then the same feed again (nothing new may appear), then a Delete job.

Run by crates/threatdb/tests/it/tcex.rs with the API root and an API user's credentials in the
environment (THREATDB_API, THREATDB_ACCESS_ID, THREATDB_SECRET_KEY, THREATDB_OWNER). Every step
checks what tcex hands back; any failure raises, and the process exits non-zero.
"""

import os

from tcex_app import tcex_from_env

tcex = tcex_from_env()
owner = os.environ['THREATDB_OWNER']
ADDRESSES = 5100


def feed(batch):
    incident = batch.incident(
        'tcex batch incident', event_date='2024-05-01T12:00:00Z', status='Open', xid='tcex-inc-1'
    )
    incident.attribute('Description', 'written by tcex batch', displayed=True)
    incident.tag('tcex-batch')
    incident.security_label('TLP:GREEN')
    host = batch.host('Feed.Example.NET', rating='3', confidence='70', xid='tcex-host-1')
    host.tag('c2')
    host.attribute('Description', 'C2 host')
    host.association(incident.xid)
    batch.address('999.1.1.1', xid='tcex-bad-address')
    for n in range(ADDRESSES):
        batch.address(f'10.{n // 65536}.{(n // 256) % 256}.{n % 256}', xid=f'tcex-address-{n}')


def submit(batch):
    results = batch.submit_all()
    assert len(results) == 2, f'tcex splits {ADDRESSES + 3} objects into two jobs: {results}'
    for r in results:
        assert r.get('status') == 'Completed', r
    return results


def totals(results):
    keys = ['successCount', 'errorCount', 'unprocessCount', 'successGroupCount',
            'errorGroupCount', 'successIndicatorCount', 'errorIndicatorCount']
    return {k: sum(r[k] for r in results) for k in keys}


def get(path):
    r = tcex.session.tc.get(path, params={'owner': owner})
    return r.status_code, (r.json() if r.content else {})


# 1. The feed: two jobs, one error record (the invalid address), everything else written.
batch = tcex.api.tc.v2.batch(owner, halt_on_error=False)
feed(batch)
first = submit(batch)
got = totals(first)
assert got == {'successCount': ADDRESSES + 2, 'errorCount': 1, 'unprocessCount': 0,
               'successGroupCount': 1, 'errorGroupCount': 0,
               'successIndicatorCount': ADDRESSES + 1, 'errorIndicatorCount': 1}, got
errors = [e for r in first for e in r.get('errors', [])]
assert len(errors) == 1 and '999.1.1.1' in errors[0]['errorReason'], errors
assert errors[0]['errorCode'] == '0x1005', errors
print('feed written:', got)

status, host = get('/v2/indicators/hosts/feed.example.net')
assert status == 200, host
assert host['data']['host']['rating'] == 3.0 and host['data']['host']['confidence'] == 70, host
status, linked = get('/v2/indicators/hosts/feed.example.net/groups/incidents')
assert [i['name'] for i in linked['data']['incident']] == ['tcex batch incident'], linked
incident_id = linked['data']['incident'][0]['id']
status, tags = get(f'/v2/groups/incidents/{incident_id}/tags')
assert [t['name'] for t in tags['data']['tag']] == ['tcex-batch'], tags
status, addresses = get('/v2/indicators/addresses')
assert addresses['data']['resultCount'] == ADDRESSES, addresses['data']['resultCount']

# 2. The same feed again: the same counts, nothing new.
batch = tcex.api.tc.v2.batch(owner, halt_on_error=False)
feed(batch)
again = totals(submit(batch))
assert again == got, again
status, addresses = get('/v2/indicators/addresses')
assert addresses['data']['resultCount'] == ADDRESSES, addresses['data']['resultCount']
status, attrs = get('/v2/indicators/hosts/feed.example.net/attributes')
assert len(attrs['data']['attribute']) == 1, attrs
print('resubmitted: nothing new')

# 3. Delete the host and the incident (tcex's two-step flow).
batch = tcex.api.tc.v2.batch(owner, action='Delete', halt_on_error=False)
batch.host('feed.example.net', xid='tcex-host-1')
batch.incident('tcex batch incident', xid='tcex-inc-1')
deleted = batch.submit_all()
assert len(deleted) == 1 and deleted[0]['status'] == 'Completed', deleted
assert deleted[0]['successCount'] == 2 and deleted[0]['errorCount'] == 0, deleted
status, _ = get('/v2/indicators/hosts/feed.example.net')
assert status == 404, status
status, _ = get(f'/v2/groups/incidents/{incident_id}')
assert status == 404, status
print('tcex batch: feed, resubmission and delete passed')
