#!/usr/bin/env python3
"""Rows for phone_time_zones from libphonenumber's resources/timezones/map_data.txt.

usage: gen_phone_zones.py MAP_DATA TZ_SOURCE_DIR PG_ZONE_NAMES > rows.sql  (the INSERT of migration 0017)
  TZ_SOURCE_DIR: a tz source tree (backward, zone.tab); PG_ZONE_NAMES: pg_timezone_names, one
  a line.

1. Names: a name tz lists for no country (zone.tab), e.g. Asia/Calcutta, becomes the name tz
   gives the place now (backward's "#=" name, else its link target), e.g. Asia/Kolkata.
2. A line whose names all link to one tz zone (Europe/Rome & Europe/Vatican) has one local
   time: it keeps the listed name that is the zone itself, else the listed name the file uses
   most on its own.
3. A line still naming several zones, or a zone PostgreSQL does not know, has no answer.
4. libphonenumber answers with a number's longest matching prefix. The rows are the shortest
   prefixes under which every number gets the same answer, leaving out those with no answer:
   no row is a prefix of another, so a number matches one row at most (chorus_phone_zone
   relies on that), and a no-answer line cannot fall back to a shorter row. Checked at the end.
"""
import collections
import os
import sys
from functools import lru_cache

map_data, tz_dir, pg_names = sys.argv[1:4]
pg = set(open(pg_names, encoding='utf-8').read().split())
zone_tab = {l.rstrip('\n').split('\t')[2]
            for l in open(os.path.join(tz_dir, 'zone.tab'), encoding='utf-8')
            if not l.startswith('#')}
link_target, current_name = {}, {}
for l in open(os.path.join(tz_dir, 'backward'), encoding='utf-8'):
    if l.startswith('Link'):
        fields = l.split()
        link_target[fields[2]] = fields[1]
        current_name[fields[2]] = fields[4] if len(fields) > 4 and fields[3] == '#=' else fields[1]

renamed = {}


def name(z):
    if z in zone_tab:
        return z
    new = current_name.get(z)
    assert new in zone_tab, (z, new)
    renamed[z] = new
    return new


lines = []
for line in open(map_data, encoding='utf-8'):
    line = line.rstrip('\n')
    if not line or line.startswith('#'):
        continue
    prefix, zones = line.split('|')
    assert prefix.isdigit(), line
    lines.append((prefix, [name(z) for z in zones.split('&')]))

alone = collections.Counter(zs[0] for _, zs in lines if len(set(zs)) == 1)
answer = {}  # prefix -> zone, or None: no single zone
stats = collections.Counter()
unknown_zones = set()
for prefix, zones in lines:
    assert prefix not in answer, prefix
    distinct = sorted(set(zones))
    if len(distinct) == 1:
        zone = distinct[0]
        stats['one zone'] += 1
    elif len({link_target.get(z, z) for z in distinct}) == 1:
        target = link_target.get(distinct[0], distinct[0])
        zone = target if target in distinct else max(distinct, key=lambda z: (alone[z], z))
        stats['names of one zone'] += 1
    else:
        answer[prefix] = None
        stats['several zones'] += 1
        continue
    if zone not in pg:
        unknown_zones.add(zone)
        stats['unknown to PostgreSQL'] += 1
        zone = None
    answer[prefix] = zone

skeleton = {p[:k] for p in answer for k in range(0, len(p) + 1)}


def inherited(x):
    """libphonenumber's zone for numbers starting with x that match no longer prefix."""
    for k in range(len(x), 0, -1):
        if x[:k] in answer:
            return answer[x[:k]]
    return None


@lru_cache(maxsize=None)
def answers(x):
    """The answers numbers starting with x get."""
    if x not in skeleton:
        return frozenset([inherited(x)])
    return frozenset().union(*(answers(x + d) for d in '0123456789'))


rows = []


def solve(x):
    if len(answers(x)) == 1:
        zone = next(iter(answers(x)))
        if zone is not None:
            rows.append((x, zone))
        return
    for d in '0123456789':
        solve(x + d)


solve('')

# Check: every class of numbers that no prefix splits further gets the file's answer.
row_map = dict(rows)
assert len(row_map) == len(rows)
assert not any(p[:k] in row_map for p in row_map for k in range(1, len(p)))


def longest_row(number):
    for k in range(len(number), 0, -1):
        if number[:k] in row_map:
            return row_map[number[:k]]
    return None


checked = 0
for node in skeleton:
    for d in '0123456789':
        s = node + d
        if s not in skeleton:
            assert longest_row(s) == inherited(s), (s, longest_row(s), inherited(s))
            checked += 1
assert all(z in pg and z in zone_tab for z in row_map.values())

from_file = sum(1 for p, z in rows if answer.get(p) == z)
print(f'-- lines {len(lines)}: {dict(stats)}; unknown zones {sorted(unknown_zones)}; '
      f'renamed {renamed}; rows {len(rows)} ({from_file} file prefixes, '
      f'{len(rows) - from_file} split off); classes checked {checked}; '
      f'longest prefix {max(len(p) for p in row_map)}; zones {len(set(row_map.values()))}',
      file=sys.stderr)
rows.sort()
print('INSERT INTO phone_time_zones (prefix, zone)')
print("SELECT split_part(line, ' ', 1), split_part(line, ' ', 2)")
print('  FROM string_to_table($rows$')
print('\n'.join(f'{p} {z}' for p, z in rows))
print("$rows$, E'\\n') AS line")
print(" WHERE line <> '';")
