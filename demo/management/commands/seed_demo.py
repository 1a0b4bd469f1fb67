"""Fill an empty database with the demo province: units, members, users, a year of records, a round."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from demo import seeding
from organizations import demo as org_demo
from organizations.models import Kind, Organization

HELP = """Build a demo province with Vietnamese names: committees, cells, members and users.

Sizes (as of 30-6-2025, before the district level was abolished; units valid from 1-1-2020):
  small   Tỉnh ủy Kiên Giang with 2 districts, 6 communes, ~35 cells, ~600 members (seconds).
  medium  Tỉnh ủy Kiên Giang with its 15 real districts and 145 communes plus the two Đảng ủy Khối:
          ~880 grassroots organizations (đảng ủy xã, đảng bộ cơ sở, chi bộ cơ sở), ~4,000 cells,
          ~90,000 members.
  large   Tỉnh ủy An Giang, the province merged from An Giang and Kiên Giang in 2025, kept in the
          three-level shape (the districts of both former provinces under one committee, with denser
          communes): ~1,500 grassroots organizations, ~11,000 cells, ~320,000 members. This is the
          deepest and widest tree the pages have to carry; the flat post-1-7-2025 shape is what
          organizations.services.org_move/org_close produce from it, keeping the history.

The same --seed gives the same names, tree and card numbers. Every demo user has the password
"chithi03-demo". The command refuses a database that already has units unless --reset is given,
which deletes all units, members, memberships, roles and the demo users that are not superusers.
"""


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name, subcommand, **kwargs):
        from argparse import RawDescriptionHelpFormatter

        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(org_demo.SIZES), default="small")
        parser.add_argument("--seed", type=int, default=3, help="random seed (default 3)")
        parser.add_argument("--reset", action="store_true",
                            help="delete the existing units, members, roles and demo users first")
        parser.add_argument("--if-empty", action="store_true",
                            help="do nothing (instead of failing) when the database already has units")
        parser.add_argument("--show-logins", action="store_true",
                            help="only print the demo users, their roles and passwords")

    def handle(self, *args, size: str, seed: int, reset: bool, if_empty: bool, show_logins: bool, **options):
        if show_logins:
            self.print_logins()
            return
        if if_empty and not reset and Organization.objects.exists():
            self.stdout.write(
                "The database already has units: nothing to seed. To replace them with a new demo province: "
                f"DEMO_RESET=1 DEMO_SIZE={size} ./dev.sh run (or manage.py seed_demo --reset --size {size})."
            )
            self.print_logins()
            return
        started = time.perf_counter()
        self.stdout.write(f"Building the {size} demo province (seed {seed})…")
        try:
            ctx = seeding.seed_demo(size=size, seed=seed, reset=reset, log=self.stdout.write)
        except seeding.DemoRefused as exc:
            raise CommandError(str(exc)) from None
        elapsed = time.perf_counter() - started
        counts = ctx.counts
        self.stdout.write(self.style.SUCCESS(f"Done in {elapsed:.1f} s: {ctx.province.name}."))
        self.stdout.write("Rows:")
        for label in ("organizations", "versions", "members", "memberships", "users", "roles"):
            self.stdout.write(f"  {label:<14}{counts[label]:>9,}")
        kinds = [(Kind(k).label, counts[f"units:{k}"]) for k in Kind.values if counts[f"units:{k}"]]
        self.stdout.write("  units by kind: " + ", ".join(f"{label} {n:,}" for label, n in kinds))
        members = counts["members"] or 1
        self.stdout.write(
            f"  members: {counts['members:probationary']:,} probationary "
            f"({100 * counts['members:probationary'] / members:.1f}%), "
            f"{counts['members:key_cadre']:,} key cadres ({100 * counts['members:key_cadre'] / members:.1f}%)"
        )
        for prefix in ("pledges.", "reports."):
            later = [(k[len(prefix):], n) for k, n in sorted(counts.items()) if k.startswith(prefix)]
            if later:
                self.stdout.write(f"  {prefix[:-1]}: " + ", ".join(f"{k} {n:,}" for k, n in later))
        self.print_logins()

    def print_logins(self) -> None:
        logins = org_demo.demo_logins()
        if not logins:
            self.stdout.write("No demo users: run seed_demo first.")
            return
        self.stdout.write("Demo users:")
        rows = [("username", "password", "role", "unit", "name")]
        rows += [(u["username"], u["password"], u["roles"], u["unit"], u["name"]) for u in logins]
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        for row in rows:
            self.stdout.write("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) + "  " + row[4])
