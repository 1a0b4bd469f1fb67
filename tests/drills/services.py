"""The drills' private services: a PostgreSQL cluster and a redis-server on spare ports in a
temporary folder (never the shared ones), and real Celery worker and beat processes on them."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent


def pg_bin(name: str) -> str | None:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(found[-1]) if found else shutil.which(name)


def missing_binaries() -> list[str]:
    return [name for name, path in (("redis-server", shutil.which("redis-server")), ("initdb", pg_bin("initdb")),
                                    ("pg_ctl", pg_bin("pg_ctl"))) if not path]


def spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Services:
    """A private PostgreSQL cluster and redis-server in `root`, on spare ports."""

    def __init__(self, root: Path):
        self.root = root
        self.pg_port, self.redis_port = spare_port(), spare_port()
        self.pg_dir = root / "pg"
        self.redis: subprocess.Popen | None = None
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def database_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.pg_port}/chithi03_drill"

    @property
    def broker_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    def _pg(self, *args: str) -> None:
        subprocess.run([*self.as_postgres, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start_postgres(self) -> None:
        self.pg_dir.mkdir(parents=True)
        if self.as_postgres:
            shutil.chown(self.pg_dir, "postgres")
            os.chmod(self.root, 0o755)
        self._pg(pg_bin("initdb"), "-D", str(self.pg_dir), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                 "--locale=C.UTF-8")
        self.pg_ctl("start")
        subprocess.run([*self.as_postgres, pg_bin("createdb") or "createdb", "-h", "127.0.0.1", "-p",
                        str(self.pg_port), "-U", "postgres", "chithi03_drill"], check=True)

    def load(self, source_url: str) -> None:
        """Copy a database (e.g. a copy of the seeded medium province, chithi03_bench_tpl) into the
        private cluster: pg_dump of the source piped into psql; the source is only read."""
        dump = subprocess.Popen([pg_bin("pg_dump") or "pg_dump", "--no-owner", "--no-privileges", "-d", source_url],
                                stdout=subprocess.PIPE)
        subprocess.run([*self.as_postgres, pg_bin("psql") or "psql", "-q", "-v", "ON_ERROR_STOP=1", "-h",
                        "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres", "-d", "chithi03_drill"],
                       stdin=dump.stdout, check=True, stdout=subprocess.DEVNULL)
        dump.stdout.close()
        if dump.wait() != 0:
            raise RuntimeError(f"pg_dump of {source_url} failed")

    def pg_ctl(self, action: str) -> None:
        options = f"-p {self.pg_port} -k {self.pg_dir} -c listen_addresses=127.0.0.1 -c fsync=off " \
                  "-c synchronous_commit=off -c full_page_writes=off"
        args = [pg_bin("pg_ctl"), "-D", str(self.pg_dir), "-l", str(self.pg_dir / "log"), "-w", "-t", "60"]
        if action in ("start", "restart"):
            args += ["-o", options]
        if action in ("stop", "restart"):
            args += ["-m", "fast"]
        self._pg(*args, action)

    def start_redis(self) -> None:
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.root)], stdout=subprocess.DEVNULL, start_new_session=True)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.redis_port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop_redis(self) -> None:
        if self.redis is not None:
            self.redis.terminate()
            self.redis.wait(10)
            self.redis = None

    def stop(self) -> None:
        self.stop_redis()
        if (self.pg_dir / "postmaster.pid").exists():
            subprocess.run([*self.as_postgres, pg_bin("pg_ctl"), "-D", str(self.pg_dir), "-m", "immediate", "stop"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Workers:
    """Real `celery worker` (prefork) and `celery beat` processes on the private services, kept
    running as the compose file's `restart: unless-stopped` does: one that exits is started again
    (Celery's worker exits on some broker losses: "Unrecoverable error" in its Redis PUBSUB reader)."""

    def __init__(self, env: dict, root: Path, concurrency: int):
        self.env, self.root, self.concurrency = env, root, concurrency
        self.worker: subprocess.Popen | None = None
        self.beat: subprocess.Popen | None = None
        self.restarts = 0
        self.stopped = False
        self.log = open(root / "celery.log", "ab")  # noqa: SIM115 - kept open for the processes' lifetime

    def _spawn(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "celery", "-A", "directive03", *args], cwd=REPO, env=self.env,
                                stdout=self.log, stderr=self.log, start_new_session=True)

    def start(self) -> None:
        self.worker = self._spawn("worker", "--loglevel=WARNING", f"--concurrency={self.concurrency}",
                                  "--pool=prefork", "-n", "drill@%h", "--without-mingle", "--without-gossip")
        self.beat = self._spawn("beat", "--loglevel=WARNING", "-s", str(self.root / "beat-schedule"))
        self.stopped = False

    @property
    def procs(self) -> list[subprocess.Popen]:
        return [p for p in (self.worker, self.beat) if p is not None]

    def supervise(self) -> None:
        if self.stopped:
            return
        if self.worker.poll() is not None:
            self.restarts += 1
            self.worker = self._spawn("worker", "--loglevel=WARNING", f"--concurrency={self.concurrency}",
                                      "--pool=prefork", "-n", "drill@%h", "--without-mingle", "--without-gossip")
        if self.beat.poll() is not None:
            self.restarts += 1
            self.beat = self._spawn("beat", "--loglevel=WARNING", "-s", str(self.root / "beat-schedule"))

    def children(self) -> set[int]:
        pids = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.worker.pid:
                pids.add(int(stat.parent.name))
        return pids

    def stop(self) -> None:
        self.stopped = True
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
