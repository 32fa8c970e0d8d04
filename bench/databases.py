"""The benchmark's databases: where they are, the settings they run under, how they are filled.

PostgreSQL comes from ``BENCH_DATABASE_URL`` (a ``postgres://`` URL; default
``postgres://postgres@127.0.0.1:5432/newsroom_bench``, created when missing);
SQLite is a file under bench/var/ (``--sqlite-path``, or a ``sqlite:///`` URL in
``BENCH_DATABASE_URL``). Both are kept for the next run: ``generate_demo`` only
adds the days that are missing.
"""

import os
import platform
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "bench" / "var"
PYTHON = sys.executable
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/newsroom_bench"
# The last generated day; fixed so that every run sees the same archive.
END = "2026-11-28"
# The desk's draft: generated archives are all published, but editors open drafts,
# whose change page is a form (the published one is read-only). Made once, kept.
DRAFT = f"""
import datetime, random
from digests.briefing import parse_text
from digests.importing import import_briefing
from digests.management.commands.generate_demo import briefing_text
from digests.models import Digest
if not Digest.objects.filter(status=Digest.Status.DRAFT).exists():
    day = datetime.date.fromisoformat("{END}") - datetime.timedelta(days=7000)
    rng = random.Random(13)
    text = briefing_text(day, rng)
    while text.count("来源") != 13:
        text = briefing_text(day, rng)
    import_briefing(parse_text(text))
"""


def database_url(kind, sqlite_path=None):
    """The URL of the ``postgresql`` or ``sqlite`` benchmark database."""
    configured = os.environ.get("BENCH_DATABASE_URL", "")
    if kind == "postgresql":
        return configured if configured.startswith("postgres") else DEFAULT_POSTGRES
    if sqlite_path:
        return f"sqlite:///{Path(sqlite_path).resolve()}"
    if configured.startswith("sqlite"):
        return configured
    return f"sqlite:///{VAR / 'bench.sqlite3'}"


def production_env(url, redis_url=None, extra=None):
    """The environment of a production-like process on the database at ``url``."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-secret-key-not-for-production-use-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": url,
        "STATIC_ROOT": str(VAR / "static"),  # not the checkout's staticfiles/
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra or {})
    return env


def manage(url, *args, capture=False):
    """Run a management command on the database at ``url``; its output, if captured."""
    done = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=production_env(url),
        check=True,
        capture_output=capture,
        text=True,
    )
    return done.stdout


def shell(url, code):
    """Run Python in the project's Django shell; the lines it printed."""
    return manage(url, "shell", "-c", code, capture=True).strip().splitlines()


def create_postgres(url):
    """Create the PostgreSQL database at ``url`` unless it exists."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = parts._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            print(f"creating database {name}", flush=True)
            connection.execute(f'CREATE DATABASE "{name}"')


def prepare(url, days):
    """Migrate, fill up to ``days`` published days, reindex what the tokenizer changed."""
    if url.startswith("postgres"):
        create_postgres(url)
    VAR.mkdir(parents=True, exist_ok=True)
    manage(url, "migrate", "--noinput", "-v0")
    manage(url, "collectstatic", "--noinput", "-v0")
    count = shell(url, "from digests.models import Digest; print(Digest.objects.count())")
    missing = days - int(count[-1])
    if missing > 0:
        # It skips the days that exist and writes the same text for a day on every run.
        print(f"generating {missing} days (about 10 a second) …", flush=True)
        manage(url, "generate_demo", "--days", str(days), "--end", END)
    shell(url, DRAFT)
    print("reindexing items the current tokenizer did not write …", flush=True)
    manage(url, "rebuild_search_index", "--stale-only")
    if url.startswith("postgres"):
        manage(url, "dbshell", "--", "-c", "ANALYZE", capture=True)


def machine(url):
    """The machine and the database server, for the record."""
    uname = platform.uname()
    server = "SQLite " + shell(url, "import sqlite3; print(sqlite3.sqlite_version)")[-1]
    if url.startswith("postgres"):
        version = shell(
            url,
            "from django.db import connection\n"
            "with connection.cursor() as c: c.execute('SHOW server_version'); "
            "print(c.fetchone()[0])",
        )[-1]
        server = f"PostgreSQL {version.split()[0]}"
    return f"{uname.system} {uname.release} {uname.machine}, {os.cpu_count()} CPUs, {server}"
