"""Settings come from the environment, and production settings are safe."""

import os
import re
import subprocess
import sys

from django.conf import settings

ROOT = settings.BASE_DIR


def manage(*args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key():
    result = manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr.split("ImproperlyConfigured")[-1]


def test_deploy_check_passes_without_warnings(tmp_path):
    production = {
        "DEBUG": "0",
        "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-for-the-check",
        "ALLOWED_HOSTS": "news.example.com",
        "NEWSROOM_SITE_URL": "https://news.example.com",  # else newsroom.W001
        "STATIC_ROOT": str(tmp_path / "static"),  # collected, else newsroom.E001
    }
    assert manage("collectstatic", "--noinput", "-v", "0", **production).returncode == 0
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_defaults_serve_one_machine():
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert "en" in dict(settings.LANGUAGES)
    if not os.environ.get("DATABASE_URL"):
        assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    if not os.environ.get("REDIS_URL"):
        assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
    else:
        assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")


def show_settings(*names, **env):
    """Print settings as a fresh process sees them, with ``env`` as its environment."""
    code = "from django.conf import settings; " + "; ".join(
        f"print(repr(settings.{name}))" for name in names
    )
    return manage("shell", "-v", "0", "-c", code, **env)


def test_a_production_style_run_from_a_checkout_has_debug_off(tmp_path):
    result = show_settings(
        "DEBUG",
        SECRET_KEY="a-production-secret-" * 3,
        ALLOWED_HOSTS="news.example.com",
        NEWSROOM_ENV_FILE=str(tmp_path / "none.env"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False"]


def test_a_dotenv_file_gives_defaults_and_the_environment_wins(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# site settings\n"
        "export NEWSROOM_SITE_NAME='Newsroom from .env'\n"
        "TIME_ZONE=UTC\n"
        'NEWSROOM_PREVIEW_LINK_HOURS="12"\n',
        encoding="utf-8",
    )
    result = show_settings(
        "NEWSROOM_SITE_NAME",
        "TIME_ZONE",
        "NEWSROOM_PREVIEW_LINK_HOURS",
        DEBUG="1",
        TIME_ZONE="Europe/Paris",
        NEWSROOM_ENV_FILE=str(env_file),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["'Newsroom from .env'", "'Europe/Paris'", "12"]


def make(tmp_path, *args):
    for name in ("Makefile", "pyproject.toml"):
        (tmp_path / name).write_text((ROOT / name).read_text(encoding="utf-8"))
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_make_writes_no_env_file(tmp_path):
    # -n -B: print every command that `make run`, `make test` and `make worker` would run.
    result = make(tmp_path, "-n", "-B", "run", "test", "worker")
    assert result.returncode == 0, result.stderr
    assert "manage.py runserver" in result.stdout
    assert not re.search(r">\s*\.env\b(?!\.)", result.stdout), result.stdout


OLD_ENV = "# Local development settings, read by newsroom/settings.py. Not for production.\n"


def test_make_removes_the_env_file_an_earlier_make_wrote(tmp_path):
    (tmp_path / ".env").write_text(OLD_ENV + "DEBUG=1\n")
    result = make(tmp_path, "forget-old-env")
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / ".env").exists()


def test_make_keeps_lines_added_to_that_file_and_other_env_files(tmp_path):
    (tmp_path / ".env").write_text(OLD_ENV + "DEBUG=1\nEMAIL_HOST=mail.example.com\n")
    make(tmp_path, "forget-old-env")
    assert (tmp_path / ".env").read_text() == "EMAIL_HOST=mail.example.com\n"

    (tmp_path / ".env").write_text("# my own settings\nDEBUG=1\n")
    make(tmp_path, "forget-old-env")
    assert (tmp_path / ".env").read_text() == "# my own settings\nDEBUG=1\n"


def test_the_worker_prints_each_log_line_once(tmp_path):
    database = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    env = {"DEBUG": "1", "DATABASE_URL": database, "NEWSROOM_ENV_FILE": str(tmp_path / "no")}
    assert manage("migrate", "-v", "0", **env).returncode == 0
    enqueue = (
        "from digests import tasks; "
        "tasks.publish_scheduled_digest.enqueue(digest_id=1, publish_at='2026-02-02T08:00:00')"
    )
    assert manage("shell", "-v", "0", "-c", enqueue, **env).returncode == 0

    result = manage("db_worker", "--batch", "--no-startup-delay", **env)
    output = (result.stdout + result.stderr).splitlines()
    running = [line for line in output if "state=RUNNING" in line]
    finished = [line for line in output if "state=FAILED" in line or "state=SUCCESSFUL" in line]
    assert len(running) == 1, output
    assert len(finished) == 1, output
    starting = [line for line in output if line.startswith("Starting") and "worker_id=" in line]
    assert len(starting) == 1, output
