"""moto's server with its Route 53 record sets indexed, so a change costs what it costs at AWS.

moto 5.2's route53 backend scans the whole zone for each change: CREATE compares the change with
every change the zone ever had (`value in rr_changes`), DELETE scans that journal again
(`has_insert_or_update`) and rebuilds the record-set list, UPSERT scans the list, and every
ListResourceRecordSets page sorts the whole zone and skips to its start. A 50,000-set import was
quadratic (over 10 minutes inside moto). This module replaces those parts with indexed
equivalents that give the same answers, in the same order, with the same side effects
(including moto's quirks: duplicate sets kept, a DELETE by set identifier removes that identifier
everywhere), then runs moto's own server. The lab runs it (`moto.rs`) as
`python lab/moto_indexed.py <moto_server arguments>`.
"""

import bisect
import sys

from moto.route53 import models

_reverse = models.reverse_domain_name


def _sort_key(rrset):
    return (_reverse(rrset.name), rrset.type)


class _Sets:
    """A zone's record sets in insertion order (moto's list), with indexes by identity, name and
    set identifier, and the sorted order ListResourceRecordSets walks, rebuilt only after a write."""

    def __init__(self, items=()):
        self.seq = 0
        self.items = {}  # seq -> RecordSet; dicts keep insertion order, and a replaced value its place
        self.by_key = {}  # (name, type, set_identifier) -> {seq: None}
        self.by_name = {}  # name -> {seq: None}
        self.by_set_id = {}  # set_identifier -> {seq: None}
        self.order = None  # (sort keys, record sets), sorted as moto sorts
        for r in items:
            self.append(r)

    @staticmethod
    def _bucket(index, key, seq):
        index.setdefault(key, {})[seq] = None

    @staticmethod
    def _unbucket(index, key, seq):
        b = index.get(key)
        if b is not None:
            b.pop(seq, None)
            if not b:
                del index[key]

    def append(self, r):
        self.seq += 1
        s = self.seq
        self.items[s] = r
        self._bucket(self.by_key, (r.name, r.type, r.set_identifier), s)
        self._bucket(self.by_name, r.name, s)
        self._bucket(self.by_set_id, r.set_identifier, s)
        self.order = None

    def remove(self, s):
        r = self.items.pop(s)
        self._unbucket(self.by_key, (r.name, r.type, r.set_identifier), s)
        self._unbucket(self.by_name, r.name, s)
        self._unbucket(self.by_set_id, r.set_identifier, s)
        self.order = None

    def replace_first(self, r):
        """moto's upsert: the first set (in list order) with the same identity is replaced in
        place; none, and it is appended."""
        b = self.by_key.get((r.name, r.type, r.set_identifier))
        if not b:
            self.append(r)
            return
        s = min(b)  # seq numbers grow with list order
        self.items[s] = r
        self.order = None

    def sorted(self):
        if self.order is None:
            sets = sorted(self.items.values(), key=_sort_key)  # stable, as moto's sorted()
            self.order = ([_sort_key(r) for r in sets], sets)
        return self.order


def _get_rrsets(self):
    return list(self._sets.items.values())


def _set_rrsets(self, value):
    self._sets = _Sets(value)


def add_rrset(self, record_set):
    obj = models.RecordSet(record_set)
    self._sets.append(obj)
    return obj


def upsert_rrset(self, record_set):
    obj = models.RecordSet(record_set)
    self._sets.replace_first(obj)
    return obj


def delete_rrset(self, rrset):
    # moto keeps a set unless its name differs or (a type is given and) its type differs.
    ty = rrset.get("Type")
    sets = self._sets
    for s in list(sets.by_name.get(rrset["Name"], ())):
        if ty is None or sets.items[s].type == ty:
            sets.remove(s)


def delete_rrset_by_id(self, set_identifier):
    sets = self._sets
    for s in list(sets.by_set_id.get(set_identifier, ())):
        sets.remove(s)


def get_record_sets(self, start_type, start_name):
    keys, sets = self._sets.sorted()
    if not start_name:
        return list(sets)
    # moto drops the sets sorting before (name, type); the keys are sorted, so bisect.
    i = bisect.bisect_left(keys, (_reverse(start_name), start_type or ""))
    return sets[i:]


def resource_record_set_count(self):
    return len(self._sets.items)


class IndexedChangeList(models.ChangeList):
    """moto's change journal, with the lookups it does per change answered from buckets by
    name and type instead of a scan of every change the zone ever had."""

    def __init__(self, *args):
        super().__init__(*args)
        self._changes = {}  # (name, type) -> [change]
        self._writes = {}  # (name, type) -> [record set of a CREATE or UPSERT]
        for c in self:
            self._note(c)

    @staticmethod
    def _key(rr_set):
        return (rr_set["Name"].strip("."), rr_set.get("Type"))

    def _note(self, item):
        rr_set = item["ResourceRecordSet"]
        key = self._key(rr_set)
        self._changes.setdefault(key, []).append(item)
        if item["Action"] in ["CREATE", "UPSERT"]:
            self._writes.setdefault(key, []).append(rr_set)

    def append(self, item):
        super().append(item)  # strips the name's dots, as moto does
        self._note(item)

    def __contains__(self, item):
        item["ResourceRecordSet"]["Name"] = item["ResourceRecordSet"]["Name"].strip(".")
        return item in self._changes.get(self._key(item["ResourceRecordSet"]), ())

    def has_insert_or_update(self, new_rr_set):
        for rr_set in self._writes.get(
            (new_rr_set["Name"].strip("."), new_rr_set.get("Type")), ()
        ):
            if "TTL" in rr_set:
                if rr_set["TTL"] == new_rr_set.get("TTL") and rr_set[
                    "ResourceRecords"
                ] == new_rr_set.get("ResourceRecords"):
                    return True
            else:
                return True
        return False


def install():
    zone = models.FakeZone
    zone.rrsets = property(_get_rrsets, _set_rrsets)
    zone.add_rrset = add_rrset
    zone.upsert_rrset = upsert_rrset
    zone.delete_rrset = delete_rrset
    zone.delete_rrset_by_id = delete_rrset_by_id
    zone.get_record_sets = get_record_sets
    zone.resource_record_set_count = property(resource_record_set_count)
    models.ChangeList = IndexedChangeList


if __name__ == "__main__":
    install()
    import moto_resolver  # what moto's Route 53 Resolver lacks (UpdateResolverRule)

    moto_resolver.install()
    from moto.server import main

    sys.exit(main(sys.argv[1:]))
