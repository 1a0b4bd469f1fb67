"""The users of the load benchmark (bench/load.py writes the plan and runs locust on this file).

- Secretary: opens her own cell's monthly record (GET), thinks 5–15 s, saves it with every row changed
  (POST, as the browser's form does), thinks again.
- Board: the province's dashboard of the round, every 5–15 s.
- TreeUser: the tree page `/units/` as the board, without think time.
- Floor: `/healthz` (one query, no session, no template), paced, in the same run: the floor of any
  request through this gunicorn on this machine at this moment.

Each user takes a session prepared by load.py (no login during the run: a PBKDF2 login costs ~0.5 s
of CPU and is not what is measured). LOAD_SCENARIO picks the classes: "paced" or "tree".
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import re

from locust import HttpUser, between, constant, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())
SCENARIO = os.environ.get("LOAD_SCENARIO", "paced")
_secretaries = itertools.cycle(PLAN["secretaries"])
_board = itertools.cycle(PLAN["board"])
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d*)"')
MEMBERS = re.compile(r'name="members" value="(\d+)"')


def _ok(response) -> None:
    """A page is a 200 (a redirect to the login page, a lost session, is a failure)."""
    with response:
        if response.status_code != 200:
            response.failure(f"HTTP {response.status_code}")


class _Session(HttpUser):
    abstract = True

    def use_session(self, session_key: str) -> None:
        self.client.cookies.set(PLAN["session_cookie"], session_key)


class Secretary(_Session):
    wait_time = between(5, 15)
    fixed_count = PLAN["counts"]["secretaries"] if SCENARIO == "paced" else 0

    def on_start(self) -> None:
        self.me = next(_secretaries)
        self.use_session(self.me["session"])
        self.saves = 0

    @task
    def open_and_save(self) -> None:
        url = self.me["url"]
        with self.client.get(url, name="review form GET", allow_redirects=False, catch_response=True) as page:
            token, version = TOKEN.search(page.text), VERSION.search(page.text)
            members = MEMBERS.findall(page.text)  # the rows of the form, as the browser sends them back
            if page.status_code != 200 or not token or not version or not members:
                page.failure(f"form not found (HTTP {page.status_code})")
                return
        self.wait()
        self.saves += 1
        today = dt.date.fromisoformat(PLAN["today"])
        data = {"csrfmiddlewaretoken": token.group(1), "action": "save", "version": version.group(1),
                "meeting_date": today.strftime("%d/%m/%Y"), "directive_minutes": "45",
                "theme_content": "Học tập chuyên đề năm; liên hệ trách nhiệm nêu gương.",
                "thrift_item": "Tiết kiệm điện.", "self_criticism_fixes": "",
                "next_month_measures": "Ra quân dọn vệ sinh.", "notes": f"Lần lưu {self.saves}",
                "members": members}
        for pk in members:
            data[f"m-{pk}-present"] = "1"
            data[f"m-{pk}-rating"] = "good" if self.saves % 2 else "pass"  # every row changes on every save
            data[f"m-{pk}-note"] = f"Ghi chú {self.saves}"
        with self.client.post(url, data=data, name="review save POST", allow_redirects=False,
                              headers={"Referer": self.client.base_url + url}, catch_response=True) as saved:
            if saved.status_code != 302:
                saved.failure(f"not saved (HTTP {saved.status_code})")


class Board(_Session):
    wait_time = between(5, 15)
    fixed_count = PLAN["counts"]["board"] if SCENARIO == "paced" else 0

    def on_start(self) -> None:
        self.use_session(next(_board)["session"])

    @task
    def dashboard(self) -> None:
        _ok(self.client.get(PLAN["dashboard_url"], name="province dashboard", allow_redirects=False,
                            catch_response=True))


class TreeUser(_Session):
    wait_time = constant(0)
    fixed_count = PLAN["counts"]["tree"] if SCENARIO == "tree" else 0

    def on_start(self) -> None:
        self.use_session(next(_board)["session"])

    @task
    def tree(self) -> None:
        _ok(self.client.get("/units/", name="tree /units/", allow_redirects=False, catch_response=True))


class Floor(HttpUser):
    wait_time = constant(1)
    fixed_count = 1

    @task
    def healthz(self) -> None:
        self.client.get("/healthz", name="floor /healthz")
