"""The findings the AWS rules should give on the Invictus CloudTrail records, computed from the
original delivery files without Custos. Run: python3 cloudtrailExpected.py <CloudTrail dir>.
Prints {rule id: [[ "HH:MM:SS eventName", ... ] per finding]} as JSON, findings oldest first."""
import collections, glob, json, os, re, sys

R = [r for f in sorted(glob.glob(os.path.join(sys.argv[1], '*.json'))) for r in json.load(open(f))['Records']]
rp = lambda r: r.get('requestParameters') or {}
ok = lambda r: not r.get('errorCode')
other = lambda r: rp(r).get('userName') not in (None, r['userIdentity'].get('userName'))


def foreign(principal, own):
    m = re.match(r'(?:arn:aws:iam::)?(\d{12})', principal)
    return bool(m) and m.group(1) != own


def shared(r):
    p, own = rp(r), r.get('recipientAccountId')
    if r['eventName'] == 'PutBucketPolicy':
        return any(foreign(s['Principal'].get('AWS', ''), own)
                   for s in p['bucketPolicy']['Statement'] if s['Effect'] == 'Allow')
    add = (p.get('createVolumePermission') or p.get('launchPermission') or {}).get('add', {}).get('items', [])
    return any(foreign(i.get('userId', ''), own) for i in add) or any(foreign(v, own) for v in p.get('valuesToAdd', []))


rules = {
    'aws-console-login-without-mfa': [
        r for r in R if r['eventName'] == 'ConsoleLogin' and r['userIdentity']['type'] in ('IAMUser', 'Root')
        and (r.get('responseElements') or {}).get('ConsoleLogin') == 'Success'
        and (r.get('additionalEventData') or {}).get('MFAUsed') == 'No'],
    # failed attempts count too; one finding per trail
    'aws-trail-stopped-or-deleted': [
        r for r in R if r['eventSource'] == 'cloudtrail.amazonaws.com' and r['eventName'] in ('StopLogging', 'DeleteTrail')],
    'aws-trail-logging-reduced': [
        r for r in R if r['eventName'] == 'PutEventSelectors' and ok(r)
        and any(s['includeManagementEvents'] is False or s['readWriteType'] == 'ReadOnly' for s in rp(r)['eventSelectors'])],
    'aws-access-key-for-other-user': [r for r in R if r['eventName'] == 'CreateAccessKey' and ok(r) and other(r)],
    'aws-login-profile-for-other-user': [
        r for r in R if r['eventName'] in ('CreateLoginProfile', 'UpdateLoginProfile') and ok(r) and other(r)],
    'aws-policy-attached-to-user': [r for r in R if r['eventName'] in ('AttachUserPolicy', 'PutUserPolicy') and ok(r)],
    # the dataset has no ACL or public access block change at all, and no policy naming "*"
    'aws-bucket-made-public': [
        r for r in R if r['eventName'] in ('PutBucketAcl', 'PutObjectAcl', 'DeleteBucketPublicAccessBlock',
                                           'PutBucketPublicAccessBlock', 'DeleteAccountPublicAccessBlock',
                                           'PutAccountPublicAccessBlock')
        or (r['eventName'] == 'PutBucketPolicy' and '"*"' in json.dumps(rp(r)))],
    'aws-resource-shared-outside-account': [
        r for r in R if r['eventName'] in ('PutBucketPolicy', 'ModifySnapshotAttribute', 'ModifyImageAttribute',
                                           'ModifyDBSnapshotAttribute', 'ModifyDBClusterSnapshotAttribute')
        and ok(r) and shared(r)],
}
out = {}
for rule, found in rules.items():
    groups = collections.OrderedDict()
    for i, r in enumerate(sorted(found, key=lambda r: r['eventTime'])):
        key = rp(r).get('name') if rule == 'aws-trail-stopped-or-deleted' else i
        groups.setdefault(key, []).append(r['eventTime'][11:19] + ' ' + r['eventName'])
    out[rule] = list(groups.values())
print(json.dumps(out, indent=1))
