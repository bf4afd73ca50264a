"""Differential check of moto_indexed: the same seeded random changes and listings against moto's
route53 backend as shipped and as indexed, printed as one transcript per run. The lab's unit test
runs it both ways and compares the transcripts (`python moto_indexed_check.py plain|indexed SEED`).
"""

import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from moto.route53 import models  # noqa: E402

if sys.argv[1] == "indexed":
    import moto_indexed  # noqa: E402

    moto_indexed.install()

rng = random.Random(int(sys.argv[2]))
backend = models.Route53Backend("us-east-1", "123456789012")
zone = backend.create_hosted_zone("ex.test.", private_zone=False)
zid = zone.id.split("/")[-1]
out = []

NAMES = ["ex.test", "a.ex.test", "B.ex.test", "c.a.ex.test", "*.ex.test", "z.ex.test", "a.ex.test."]
TYPES = ["A", "AAAA", "TXT", "CNAME", "MX"]


def rrset():
    r = {"Name": rng.choice(NAMES), "Type": rng.choice(TYPES)}
    if rng.random() < 0.3:
        r["SetIdentifier"] = rng.choice(["s1", "s2"])
        r["Weight"] = "1"
    if rng.random() < 0.1:
        r["AliasTarget"] = {"HostedZoneId": zid, "DNSName": "a.ex.test.", "EvaluateTargetHealth": False}
    else:
        r["TTL"] = rng.choice(["60", "300"])
        r["ResourceRecords"] = [{"Value": v} for v in rng.sample(["1", "2", "3"], rng.randint(1, 2))]
    return r


def listing():
    pages, name, ty = [], None, None
    for _ in range(50):
        sets, name, ty, more = backend.list_resource_record_sets(zid, ty, name, rng.choice([1, 2, 300]))
        pages.append([(s.name, s.type, s.set_identifier, s.ttl, s.records) for s in sets])
        if not more:
            break
    return pages


known = []
for step in range(400):
    batch = []
    for _ in range(rng.randint(1, 4)):
        action = rng.choice(["CREATE", "CREATE", "UPSERT", "DELETE"])
        r = rng.choice(known) if known and rng.random() < 0.5 else rrset()
        batch.append({"Action": action, "ResourceRecordSet": json.loads(json.dumps(r))})
        known.append(r)
    try:
        backend.change_resource_record_sets(zid, batch)
        out.append(["ok"])
    except Exception as e:  # the transcript records which error, as moto would answer it
        out.append(["error", type(e).__name__, str(e)])
    out.append([zone.resource_record_set_count, len(zone.rrsets)])
    if step % 7 == 0:
        out.append(listing())
try:
    backend.delete_hosted_zone(zid)
    out.append("deleted")
except Exception as e:
    out.append(["error", type(e).__name__])
print(json.dumps(out, default=str))
