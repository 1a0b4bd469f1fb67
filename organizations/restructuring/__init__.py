"""Restructuring as one operation (sắp xếp tổ chức): a dated plan of moves, merges, renames, closures
and new units, checked on the whole tree before and after, applied in one transaction or not at all.

- `simulation`: loads the province's live tree and plays the plan on a copy (no writes): the tree
  after, the counts, every problem.
- `execute`: applies a plan without problems (or schedules it when its date is in the future).
- `xlsx`: the plan as a spreadsheet (one row per change), template and upload.
- `checks`: closure checks the higher apps register (e.g. reports still open).
"""
