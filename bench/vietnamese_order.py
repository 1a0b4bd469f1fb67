#!/usr/bin/env python
"""Vietnamese order on SQLite: ORDER BY a sort-key function (what organizations.text.vi_order emits)
against a collation callback and against plain binary order, on N member names.

    .venv/bin/python bench/vietnamese_order.py [-n 90000]

Prints seconds and the ratio of each to binary order, measured in the same run (the floor).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Quốc", "Ngọc", "Thu", "Kim"]
GIVEN = ["An", "Ánh", "Bình", "Cường", "Dũng", "Đào", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Lan", "Lệ", "Long",
         "Mai", "Nam", "Ơn", "Phúc", "Quang", "Sơn", "Tâm", "Thảo", "Trung", "Tú", "Ưng", "Vinh", "Xuân", "Yến"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=90_000, help="names (default 90,000: the medium province)")
    args = parser.parse_args()
    from organizations.text import COLLATION, SORT_KEY_FUNCTION, _sqlite_collate, _sqlite_sort_key, sort_key

    rng = random.Random(1)
    names = [f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}" for _ in range(args.n)]
    con = sqlite3.connect(":memory:")
    con.create_collation(COLLATION, _sqlite_collate)
    con.create_function(SORT_KEY_FUNCTION, 1, _sqlite_sort_key, deterministic=True)
    con.execute("create table m(id integer primary key, cell int, name text)")
    con.executemany("insert into m(cell, name) values (?, ?)", [(i // 25, n) for i, n in enumerate(names)])
    runs = [
        ("binary, by name (floor)", "select id from m order by name"),
        ("sort-key function, by name", f"select id from m order by {SORT_KEY_FUNCTION}(name)"),
        ("collation callback, by name", f'select id from m order by name collate "{COLLATION}"'),
        ("binary, by cell then name", "select id from m order by cell, name"),
        ("sort-key function, by cell then name", f"select id from m order by cell, {SORT_KEY_FUNCTION}(name)"),
    ]
    floor = None
    for label, sql in runs:
        start = time.perf_counter()
        con.execute(sql).fetchall()
        seconds = time.perf_counter() - start
        floor = seconds if floor is None else floor
        print(f"{label:40s} {seconds:7.2f} s  x{seconds / floor:5.1f}")
    start = time.perf_counter()
    sorted(names, key=sort_key)
    print(f"{'Python sorted(key=sort_key)':40s} {time.perf_counter() - start:7.2f} s")


if __name__ == "__main__":
    main()
