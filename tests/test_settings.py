"""Settings come from the environment and refuse nonsense at start-up with a clear message."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from archive.env import env_bool, env_int, env_list, env_path

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "a-secret-key-that-is-long-enough-for-the-check-0123"


SETTINGS_VARIABLES = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS",
                      "ARCHIVE_DATA_DIR", "HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE",
                      "ARCHIVE_PG_SETTINGS", "ARCHIVE_PG_SETTINGS_FILE", "DATABASE_REPLICA_URLS"}  # fmt: skip


def clean_environment() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}


def load_settings(**env: str) -> subprocess.CompletedProcess:
    """Import the real settings module in a fresh interpreter with exactly this environment."""
    clean = clean_environment()
    return subprocess.run(
        [sys.executable, "-c", "import archive.settings as s; print(s.DEBUG, s.DATABASES['default']['ENGINE'])"],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_debug_off_without_a_secret_key_refuses_to_start():
    result = load_settings()

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_a_short_secret_key_is_refused():
    result = load_settings(SECRET_KEY="short")

    assert "SECRET_KEY must be at least 32 characters long" in result.stderr


def test_debug_must_be_a_clear_boolean():
    result = load_settings(DEBUG="maybe", SECRET_KEY=GOOD_KEY)

    assert "DEBUG must be one of true/false" in result.stderr


def test_without_database_url_the_embedded_server_is_used():
    result = load_settings(SECRET_KEY=GOOD_KEY)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "archive.embedded_backend"]


def test_with_database_url_that_server_is_used():
    result = load_settings(SECRET_KEY=GOOD_KEY, DATABASE_URL="postgres://archive@db.example:5432/archive")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "django.db.backends.postgresql"]


@pytest.mark.parametrize("url", ["mysql://root@localhost/archive", "sqlite:///archive.db", "nonsense"])
def test_a_database_url_that_is_not_postgresql_is_refused(url):
    result = load_settings(SECRET_KEY=GOOD_KEY, DATABASE_URL=url)

    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_csrf_trusted_origins_need_a_scheme():
    result = load_settings(SECRET_KEY=GOOD_KEY, CSRF_TRUSTED_ORIGINS="archive.example")

    assert "CSRF_TRUSTED_ORIGINS entries start with http:// or https://" in result.stderr


def test_env_helpers(monkeypatch, tmp_path):
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG", False) is True
    monkeypatch.setenv("HOSTS", "a.example, b.example")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]
    monkeypatch.setenv("HOSTS", "a.example,,b")
    with pytest.raises(ImproperlyConfigured, match="without empty items"):
        env_list("HOSTS", [])
    monkeypatch.setenv("COUNT", "ten")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("COUNT", 1, minimum=0, maximum=5)
    monkeypatch.setenv("COUNT", "9")
    with pytest.raises(ImproperlyConfigured, match="between 0 and 5"):
        env_int("COUNT", 1, minimum=0, maximum=5)
    file = tmp_path / "file"
    file.write_text("x")
    monkeypatch.setenv("DATA", str(file))
    with pytest.raises(ImproperlyConfigured, match="is a file"):
        env_path("DATA", tmp_path)


def test_production_settings_pass_the_deployment_checks():
    env = {**clean_environment(), "SECRET_KEY": "Zq3" + "x7Lp9" * 12, "HTTPS": "true",
           "ALLOWED_HOSTS": "archive.example", "CSRF_TRUSTED_ORIGINS": "https://archive.example"}  # fmt: skip

    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_https_the_deployment_checks_complain_about_cookies():
    env = {**clean_environment(), "SECRET_KEY": "Zq3" + "x7Lp9" * 12, "ALLOWED_HOSTS": "archive.example"}

    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)  # fmt: skip

    assert result.returncode != 0
    assert "SESSION_COOKIE_SECURE" in result.stdout + result.stderr


def test_the_embedded_server_is_sized_to_the_machine():
    from archive.postgres_settings import for_machine

    small, large = for_machine(2 * 2**30), for_machine(64 * 2**30)

    assert small["shared_buffers"] == "512MB" and large["shared_buffers"] == "8192MB"  # a quarter, up to 8 GB
    assert small["effective_cache_size"] == "1024MB"
    assert small["jit"] == large["jit"] == "off"
    assert small["random_page_cost"] == "1.1"


def test_server_settings_can_be_overridden_from_the_environment_and_a_file(tmp_path):
    settings_file = tmp_path / "pg.conf"
    settings_file.write_text("# ours\nwork_mem = '128MB'\nshared_buffers = 1GB\n")
    script = "import archive.settings as s; print(s.DATABASES['default']['EMBEDDED_SETTINGS'])"
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**clean_environment(), "SECRET_KEY": GOOD_KEY, "ARCHIVE_PG_SETTINGS_FILE": str(settings_file),
             "ARCHIVE_PG_SETTINGS": "shared_buffers=2GB; jit=on"},
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert "'work_mem': '128MB'" in result.stdout  # from the file
    assert "'shared_buffers': '2GB'" in result.stdout and "'jit': 'on'" in result.stdout  # the variable wins


@pytest.mark.parametrize("value", ["shared_buffers", "shared buffers=1GB", "work_mem=1GB'; DROP", "=3"])
def test_nonsense_server_settings_refuse_to_start(value):
    result = load_settings(SECRET_KEY=GOOD_KEY, ARCHIVE_PG_SETTINGS=value)

    assert result.returncode != 0
    assert "ARCHIVE_PG_SETTINGS" in result.stderr and "is not a PostgreSQL setting" in result.stderr


@pytest.mark.parametrize(
    "variables, message",
    [
        ({"EMAIL_USE_TLS": "true", "EMAIL_USE_SSL": "true"}, "cannot both be true"),
        ({"DEFAULT_FROM_EMAIL": "archief"}, "DEFAULT_FROM_EMAIL must be a mail address"),
        ({"SITE_URL": "vragen.example"}, "SITE_URL starts with http"),
        ({"EMAIL_PORT": "smtp"}, "EMAIL_PORT must be a whole number"),
    ],
)
def test_mail_settings_refuse_nonsense(variables, message):
    result = load_settings(SECRET_KEY=GOOD_KEY, **variables)
    assert result.returncode != 0 and message in result.stderr


def test_mail_goes_to_files_without_a_mail_server_and_by_smtp_with_one():
    def run(**env: str) -> str:
        script = "import archive.settings as s; print(s.EMAIL_BACKEND)"
        environment = {**clean_environment(), "SECRET_KEY": GOOD_KEY, **env}
        return subprocess.run([sys.executable, "-c", script], env=environment, cwd=ROOT, capture_output=True,
                              text=True, timeout=60).stdout.strip()  # fmt: skip

    assert run() == "django.core.mail.backends.filebased.EmailBackend"
    assert run(EMAIL_HOST="smtp.example") == "django.core.mail.backends.smtp.EmailBackend"


def test_replica_urls_become_read_aliases_routed_by_the_replica_router():
    clean = clean_environment()
    result = subprocess.run(
        [sys.executable, "-c", "import archive.settings as s; print(sorted(s.DATABASES), s.DATABASE_ROUTERS, "
         "s.DATABASES['replica2']['HOST'], s.DATABASES['replica2']['TEST'])"],
        env={**clean, "SECRET_KEY": GOOD_KEY, "DATABASE_URL": "postgres://app@primary:5432/archive",
             "DATABASE_REPLICA_URLS": "postgres://app@standby1:5432/archive, postgres://app@standby2:5432/archive"},
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "['default', 'replica1', 'replica2'] ['archive.replicas.ReplicaRouter'] standby2 {'MIRROR': 'default'}"
    )


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"DATABASE_REPLICA_URLS": "postgres://app@standby/archive"}, "DATABASE_REPLICA_URLS needs DATABASE_URL"),
        ({"DATABASE_URL": "postgres://app@primary/archive", "DATABASE_REPLICA_URLS": "mysql://app@standby/archive"},
         "DATABASE_REPLICA_URLS must point at PostgreSQL"),
        ({"DATABASE_URL": "postgres://app@primary/archive", "DATABASE_REPLICA_URLS": "postgres://a@b/c,,"},
         "DATABASE_REPLICA_URLS is a comma-separated list without empty items"),
    ],
)
def test_nonsense_replica_urls_are_refused(environment, message):
    result = load_settings(SECRET_KEY=GOOD_KEY, **environment)

    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(
    "value, message",
    [("60", "SEARCH_TIME_LIMIT must be between 0.0 and 25.0"), ("-1", "must be between"),
     ("15s", "SEARCH_TIME_LIMIT must be a number")],
)
def test_a_search_time_limit_past_the_web_servers_timeout_or_not_a_number_is_refused(value, message):
    result = load_settings(SECRET_KEY=GOOD_KEY, SEARCH_TIME_LIMIT=value)
    assert result.returncode != 0 and message in result.stderr


@pytest.mark.parametrize("value", ["16MB", "-1", "4096"])
def test_a_search_work_mem_that_is_not_a_number_of_megabytes_within_reason_is_refused(value):
    result = load_settings(SECRET_KEY=GOOD_KEY, SEARCH_WORK_MEM_MB=value)
    assert result.returncode != 0 and "SEARCH_WORK_MEM_MB" in result.stderr


@pytest.mark.parametrize("value", ["0", "3", "two"])
def test_export_connections_other_than_one_or_two_are_refused(value):
    result = load_settings(SECRET_KEY=GOOD_KEY, EXPORT_CONNECTIONS=value)
    assert result.returncode != 0 and "EXPORT_CONNECTIONS" in result.stderr
