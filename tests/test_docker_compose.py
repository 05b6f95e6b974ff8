"""Docker does not run on the development machines: check the compose file is wired as the README says."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_the_database_is_postgresql_17_with_a_named_volume_and_a_healthcheck():
    db = COMPOSE["services"]["db"]

    assert db["image"] == "postgres:17"
    assert db["volumes"] == ["pgdata:/var/lib/postgresql/data"]
    assert "pgdata" in COMPOSE["volumes"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


def test_the_web_service_is_built_here_and_waits_for_a_healthy_database():
    web = COMPOSE["services"]["web"]

    assert web["build"] == "."
    assert web["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert "ports" not in web  # reached through the proxy only


def test_the_web_service_gets_its_configuration_from_the_environment():
    environment = COMPOSE["services"]["web"]["environment"]
    db = COMPOSE["services"]["db"]["environment"]

    assert environment["DATABASE_URL"].startswith(f"postgres://{db['POSTGRES_USER']}:")
    assert environment["DATABASE_URL"].endswith(f"@db:5432/{db['POSTGRES_DB']}")
    assert environment["DEBUG"] == "false"
    # No default secret: compose refuses to start without one.
    assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert {"ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS"} <= environment.keys()


def test_the_image_migrates_on_start_and_serves_with_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert "manage.py migrate" in dockerfile
    assert "gunicorn archive.asgi:application" in dockerfile
    assert "collectstatic" in dockerfile
    assert "\nUSER " in dockerfile


def test_the_database_runs_with_the_archives_settings():
    import re

    from archive.postgres_settings import for_machine

    command = COMPOSE["services"]["db"]["command"]
    assert command[0] == "postgres" and command[1::2] == ["-c"] * (len(command) // 2)
    passed = {}
    for setting in command[2::2]:
        name, value = setting.split("=", 1)
        passed[name] = re.sub(r"^\$\{\w+:-(.*)\}$", r"\1", value)  # the default of an overridable value
    assert passed == for_machine(4 * 2**30)


def test_a_worker_runs_the_background_jobs_with_the_webs_configuration_and_uploads():
    web, worker = COMPOSE["services"]["web"], COMPOSE["services"]["worker"]

    assert worker["build"] == "."
    assert worker["environment"] == web["environment"]
    assert "procrastinate worker" in " ".join(worker["command"])
    assert worker["depends_on"] == {"db": {"condition": "service_healthy"}}
    uploads = web["environment"]["ARCHIVE_UPLOADS_DIR"]
    assert f"uploads:{uploads}" in web["volumes"] and f"uploads:{uploads}" in worker["volumes"]
    assert "uploads" in COMPOSE["volumes"]


def test_there_is_no_default_database_password():
    assert COMPOSE["services"]["db"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    assert "${POSTGRES_PASSWORD:?" in COMPOSE["services"]["web"]["environment"]["DATABASE_URL"]


def test_a_buffering_proxy_serves_the_static_files_and_passes_the_rest_to_web():
    proxy = COMPOSE["services"]["proxy"]
    config = (ROOT / "deploy" / "nginx.conf").read_text()

    assert proxy["image"].startswith("nginx:")
    assert proxy["ports"] == ["127.0.0.1:8000:80"]
    assert "static:/static:ro" in proxy["volumes"]
    assert "static:/app/var/staticfiles" in COMPOSE["services"]["web"]["volumes"]
    assert "proxy_pass http://archive" in config and "server web:8000" in config
    assert "proxy_request_buffering on" in config and "client_header_timeout" in config
    assert "server_tokens off" in config
