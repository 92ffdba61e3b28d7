"""The deployment kit (Procfile, systemd units, docker compose, nginx, env example,
backup/restore) agrees with itself and with the settings, so none of it can drift."""

import hashlib
import http.client
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
NGINX_CONF = DEPLOY / "nginx" / "satgas.conf"
ENV_EXAMPLE = DEPLOY / "satgas.env.example"
UNITS = {name: DEPLOY / "systemd" / f"satgas-{name}.service" for name in ("web", "worker", "beat")}


def procfile() -> dict[str, list[str]]:
    processes = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_-]+):\s*(.+)$", line)
        if match:
            processes[match.group(1)] = match.group(2).split()
    return processes


def unit_exec_start(path: Path) -> list[str]:
    (line,) = [ln for ln in path.read_text().splitlines() if ln.startswith("ExecStart=")]
    argv = line.removeprefix("ExecStart=").split()
    # /opt/satgas/.venv/bin/gunicorn -> gunicorn: the Procfile runs with the virtualenv on PATH.
    return [Path(argv[0]).name, *argv[1:]]


def env_example_names() -> list[str]:
    return re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), flags=re.M)


def variables_read_by_production() -> set[str]:
    """Every variable the production settings (and gunicorn.conf.py) read, from their source."""
    names = set()
    for path in (ROOT / "satgas/settings/base.py", ROOT / "satgas/settings/production.py"):
        names |= set(re.findall(r"\benv\.\w+\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", path.read_text()))
    gunicorn = (ROOT / "gunicorn.conf.py").read_text()
    names |= set(re.findall(r"os\.environ\.get\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", gunicorn))
    return names


def env_example_value(name: str) -> str:
    match = re.search(rf"^{name}=(.*)$", ENV_EXAMPLE.read_text(), flags=re.M)
    assert match, f"{name} is not set in {ENV_EXAMPLE.name}"
    return match.group(1).strip().strip('"')


def _bytes(size: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", size).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit.lower()]


# --- Processes: Procfile, systemd, docker compose ---------------------------------------------


def test_procfile_declares_web_worker_and_exactly_one_beat():
    lines = [ln for ln in (ROOT / "Procfile").read_text().splitlines() if re.match(r"^[A-Za-z0-9_-]+:", ln)]
    assert [ln.split(":")[0] for ln in lines] == ["web", "worker", "beat"]
    assert procfile()["web"][:3] == ["gunicorn", "-c", "gunicorn.conf.py"]


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_systemd_units_run_the_procfile_commands(name):
    unit = UNITS[name].read_text()
    assert unit_exec_start(UNITS[name]) == procfile()[name]
    assert "EnvironmentFile=/etc/satgas/satgas.env" in unit
    assert re.search(r"^User=satgas$", unit, flags=re.M), "the services never run as root"
    assert "WantedBy=multi-user.target" in unit


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units(tmp_path):
    import sys

    for path in UNITS.values():
        # The units' virtualenv is /opt/satgas/.venv; here it is the one running the tests.
        text = path.read_text().replace("/opt/satgas/.venv/bin/", f"{Path(sys.executable).parent}/")
        (tmp_path / path.name).write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *(str(tmp_path / p.name) for p in UNITS.values())],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "SYSTEMD_LOG_LEVEL": "warning"},
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_the_beat_unit_says_there_is_exactly_one():
    assert "EXACTLY ONE beat" in UNITS["beat"].read_text()


def test_docker_compose_runs_the_procfile_commands_after_migrating():
    yaml = pytest.importorskip("yaml")
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "db", "redis", "migrate"} <= set(services)
    assert services["db"]["image"] == "postgres:16" and services["redis"]["image"] == "redis:7"
    for name in ("web", "worker", "beat"):
        assert services[name]["command"] == procfile()[name]
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert services[name]["environment"]["DJANGO_SETTINGS_MODULE"] == "satgas.settings.production"
        private_root = services[name]["environment"]["SATGAS_PRIVATE_ROOT"]
        assert f"private:{private_root}" in services[name]["volumes"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1
    for name in ("db", "redis", "web", "worker"):
        assert services[name]["healthcheck"]["test"], name
    assert {"pgdata", "redisdata", "private"} <= set(compose["volumes"])


def test_dockerfile_installs_the_weasyprint_libraries_and_runs_unprivileged():
    dockerfile = (ROOT / "Dockerfile").read_text()
    makefile = (ROOT / "Makefile").read_text()
    packages = re.search(r"^SYSTEM_PACKAGES := (.+)$", makefile, flags=re.M).group(1).split()
    assert "FROM python:3.11-slim-bookworm" in dockerfile
    for package in packages:
        assert package in dockerfile, package
    assert "collectstatic" in dockerfile and "compilemessages" in dockerfile
    assert re.search(r"^USER satgas$", dockerfile, flags=re.M)
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", "node_modules", ".git", ".env"} <= set(ignored)


def test_deploy_scripts_are_valid_bash():
    for script in ("run-local.sh", "backup.sh", "restore.sh"):
        result = subprocess.run(["bash", "-n", str(DEPLOY / script)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr


# --- The environment file ---------------------------------------------------------------------


def test_env_example_lists_every_variable_production_reads():
    missing = variables_read_by_production() - set(env_example_names())
    assert not missing, f"add to deploy/satgas.env.example: {sorted(missing)}"


def test_env_example_lists_nothing_that_is_not_read():
    unknown = set(env_example_names()) - variables_read_by_production() - {"DJANGO_SETTINGS_MODULE"}
    assert not unknown, f"deploy/satgas.env.example lists variables nothing reads: {sorted(unknown)}"
    names = env_example_names()
    assert len(names) == len(set(names)), "a variable is listed twice"


def test_env_example_is_production_ready():
    assert env_example_value("DJANGO_SETTINGS_MODULE") == "satgas.settings.production"
    assert env_example_value("DJANGO_SECRET_KEY") == "", "the example must not carry a usable secret key"
    assert env_example_value("SATGAS_TRUSTED_PROXY_COUNT") == "1"
    # Plain-http relaxations stay commented out at their safe defaults.
    assert not re.search(r"^DJANGO_SECURE_\w+=0", ENV_EXAMPLE.read_text(), flags=re.M)


# --- nginx --------------------------------------------------------------------------------------


def test_nginx_matches_the_app_settings():
    conf = NGINX_CONF.read_text()
    assert env_example_value("SATGAS_X_ACCEL_PREFIX") == "/_private/"
    private = re.search(r"location /_private/ \{(.*?)\}", conf, flags=re.S).group(1)
    assert re.search(r"^\s*internal;", private, flags=re.M)
    assert f"alias {env_example_value('SATGAS_PRIVATE_ROOT')}/;" in private
    assert f"alias {env_example_value('DJANGO_STATIC_ROOT')}/;" in conf
    assert "server 127.0.0.1:8000" in conf  # gunicorn.conf.py's default bind
    for header in ("Host", "X-Forwarded-For", "X-Forwarded-Proto", "X-Request-ID"):
        assert f"proxy_set_header {header} " in conf


def test_nginx_body_size_fits_the_largest_upload(settings):
    conf = NGINX_CONF.read_text()
    sizes = re.findall(r"client_max_body_size (\w+);", conf)
    server_limit = _bytes(sizes[0])
    largest_single = max(
        settings.SATGAS_UPLOAD_MAX_BYTES,
        settings.SATGAS_IMPORT_MAX_BYTES,
        settings.SATGAS_MONITORING_ATTACHMENT_MAX_BYTES,
        settings.SATGAS_VIOLATION_EVIDENCE_MAX_BYTES,
    )
    assert server_limit > largest_single
    evidence = settings.SATGAS_VIOLATION_EVIDENCE_MAX_BYTES * settings.SATGAS_VIOLATION_EVIDENCE_MAX_FILES
    for prefix in ("/lapor/", "/pelanggaran/"):
        block = re.search(rf"location {prefix} \{{(.*?)\}}", conf, flags=re.S).group(1)
        assert _bytes(re.search(r"client_max_body_size (\w+);", block).group(1)) > evidence, prefix


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _render_nginx(tmp_path: Path, *, upstream: str, private_root: Path, static_root: Path) -> tuple[Path, int]:
    """The example config with its paths and ports moved into tmp_path, inside a minimal nginx.conf."""
    port, redirect_port = _free_port(), _free_port()
    site = NGINX_CONF.read_text()
    site = site.replace("server 127.0.0.1:8000", f"server {upstream}")
    site = site.replace("/var/lib/satgas/private/", f"{private_root}/")
    site = site.replace("/var/lib/satgas/static/", f"{static_root}/")
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{port};")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{redirect_port};")
    site = "\n".join(
        line for line in site.splitlines() if not re.match(r"\s*(ssl_\w+|listen \[::\])", line.split("#")[0])
    )
    assert "ssl_certificate" not in site and "listen 443" not in site
    (tmp_path / "satgas.conf").write_text(site)
    version = subprocess.run(["nginx", "-V"], capture_output=True, text=True).stderr
    temp_paths = "\n".join(
        f"    {kind.replace('-', '_')}_temp_path {tmp_path}/{kind};"
        for kind in re.findall(r"--http-([a-z-]+)-temp-path=", version)
    )
    user = "user root;" if os.geteuid() == 0 else ""  # tmp_path is private to the test's user
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"""{user}
worker_processes 1;
daemon off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log {tmp_path}/access.log;
{temp_paths}
    include {tmp_path}/satgas.conf;
}}
"""
    )
    return main, port


needs_nginx = pytest.mark.skipif(
    shutil.which("nginx") is None, reason="nginx is not installed (make test-system-deps installs nginx-light)"
)


@pytest.mark.slow
@needs_nginx
def test_nginx_accepts_the_example_config(tmp_path):
    main, _port = _render_nginx(
        tmp_path, upstream="127.0.0.1:9", private_root=tmp_path / "private", static_root=tmp_path / "static"
    )
    result = subprocess.run(["nginx", "-t", "-c", str(main)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


@pytest.fixture
def nginx_in_front(live_server, settings, tmp_path):
    """nginx on a free port proxying to the live server, private files via X-Accel-Redirect."""
    settings.SATGAS_X_ACCEL_PREFIX = "/_private/"
    static_root = tmp_path / "static"
    static_root.mkdir()
    main, port = _render_nginx(
        tmp_path,
        upstream=live_server.url.removeprefix("http://").replace("localhost", "127.0.0.1"),
        private_root=Path(settings.PRIVATE_ROOT),
        static_root=static_root,
    )
    process = subprocess.Popen(["nginx", "-c", str(main)], stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(f"nginx did not start: {process.stderr.read().decode()}")
                time.sleep(0.05)

        def get(path, cookie=None):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            headers = {"Cookie": f"{django_settings.SESSION_COOKIE_NAME}={cookie}"} if cookie else {}
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            conn.close()
            return response, body

        yield get, static_root
    finally:
        process.terminate()
        process.wait(timeout=10)


def _session_cookie(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


@pytest.mark.slow
@needs_nginx
def test_nginx_sends_private_files_only_after_the_permission_check(
    nginx_in_front, admin_user, staff_a, taskforce_b, unit_a, monkeypatch
):
    from django.urls import reverse

    from satgas.core.files import FILE_CSP, private_storage
    from satgas.socialization import services
    from satgas.socialization.models import SessionMaterial
    from satgas.socialization.tests.factories import SessionFactory, pdf_upload

    get, _static_root = nginx_in_front
    monkeypatch.setattr(SessionMaterial._meta.get_field("file"), "storage", private_storage())
    session = SessionFactory(units=[unit_a])
    material = services.material_upload(actor=admin_user, session=session, upload=pdf_upload("Paparan.pdf"))
    stored = Path(material.file.path).read_bytes()
    url = reverse("socialization:material_download", args=[material.pk])

    anonymous, _ = get(url)
    assert anonymous.status in (302, 403)
    assert "/accounts/login/" in (anonymous.getheader("Location") or "")

    other_unit, body = get(url, cookie=_session_cookie(taskforce_b))
    assert other_unit.status == 404 and stored not in body

    allowed, body = get(url, cookie=_session_cookie(staff_a))
    assert allowed.status == 200
    assert body == stored  # Django answered with an empty body: these bytes came from nginx
    assert allowed.getheader("Server").startswith("nginx")
    assert allowed.getheader("X-Accel-Redirect") is None
    assert allowed.getheader("Content-Type") == "application/pdf"
    expected_name = f"materi-sosialisasi-{session.pk}-{material.pk}.pdf"
    assert allowed.getheader("Content-Disposition") == f'attachment; filename="{expected_name}"'
    assert allowed.getheader("X-Content-Type-Options") == "nosniff"
    # The app's headers for a private file reach the browser through nginx too.
    assert allowed.getheader("Content-Security-Policy") == FILE_CSP
    assert {"private", "no-store"} <= {part.strip() for part in allowed.getheader("Cache-Control").split(",")}

    direct, body = get(f"/_private/{material.file.name}")
    assert direct.status == 404 and stored not in body


@pytest.mark.slow
@needs_nginx
def test_nginx_serves_hashed_static_files_for_a_year(nginx_in_front, db):
    get, static_root = nginx_in_front
    (static_root / "css").mkdir()
    (static_root / "css" / "satgas.0123456789ab.css").write_text("body{}")
    (static_root / "css" / "satgas.css").write_text("body{}")
    hashed, body = get("/static/css/satgas.0123456789ab.css")
    assert hashed.status == 200 and body == b"body{}"
    assert "immutable" in hashed.getheader("Cache-Control")
    plain, _ = get("/static/css/satgas.css")
    assert plain.status == 200 and plain.getheader("Cache-Control") == "max-age=3600"


def _directives(policy: str) -> dict[str, set[str]]:
    return {name: set(values) for name, *values in (part.split() for part in policy.split(";") if part.strip())}


def test_nginx_sends_the_apps_content_security_policy():
    from csp.utils import build_policy

    conf = NGINX_CONF.read_text()
    policy = re.search(r'map "" \$satgas_csp \{\s*default "([^"]+)";', conf).group(1)
    assert _directives(policy) == _directives(build_policy())
    # Every location nginx answers itself with static files (plain and hashed) sends it; private files keep
    # the app's own, stricter file policy (satgas.core.files.FILE_CSP), or a strict one if it is missing.
    for block in re.findall(r"location (?:~ \S+|/static/) \{([^{}]*)", conf):
        assert "add_header Content-Security-Policy $satgas_csp always;" in block, block
    private = re.search(r"location /_private/ \{(.*?)\n    \}", conf, flags=re.S).group(1)
    assert "add_header Content-Security-Policy $file_csp always;" in private
    assert "set $file_csp $upstream_http_content_security_policy;" in private


@pytest.mark.slow
@needs_nginx
def test_nginx_sends_the_policy_nosniff_and_no_store(nginx_in_front, admin_user, unit_a, monkeypatch):
    """What nginx serves itself carries the app's policy (static files, private files handed over with
    X-Accel-Redirect, which also keep the app's no-store); pages carry Django's."""
    from csp.utils import build_policy
    from django.urls import reverse

    from satgas.core.files import private_storage
    from satgas.socialization import services
    from satgas.socialization.models import SessionMaterial
    from satgas.socialization.tests.factories import SessionFactory, pdf_upload

    get, static_root = nginx_in_front
    (static_root / "css").mkdir()
    (static_root / "css" / "satgas.0123456789ab.css").write_text("body{}")
    (static_root / "css" / "satgas.css").write_text("body{}")
    monkeypatch.setattr(SessionMaterial._meta.get_field("file"), "storage", private_storage())
    material = services.material_upload(
        actor=admin_user, session=SessionFactory(units=[unit_a]), upload=pdf_upload("Paparan.pdf")
    )
    cookie = _session_cookie(admin_user)
    expected = _directives(build_policy())
    from satgas.core.files import FILE_CSP

    for path, user_cookie, cacheable in [
        ("/static/css/satgas.css", None, True),
        ("/static/css/satgas.0123456789ab.css", None, True),
        (reverse("socialization:material_download", args=[material.pk]), cookie, False),
        (reverse("socialization:session_detail", args=[material.session_id]), cookie, False),
        ("/accounts/login/", None, False),
    ]:
        response, _body = get(path, cookie=user_cookie)
        assert response.status == 200, path
        policy = response.getheader("Content-Security-Policy") or ""
        if "/materi/" in path:  # a private file keeps the app's stricter file policy through X-Accel-Redirect
            assert policy == FILE_CSP, path
        else:
            assert _directives(policy) == expected, path
        assert len(response.headers.get_all("Content-Security-Policy")) == 1, path
        assert response.getheader("X-Content-Type-Options") == "nosniff", path
        cache_control = response.getheader("Cache-Control") or ""
        assert ("no-store" not in cache_control) if cacheable else ("no-store" in cache_control), path


# --- Backup and restore -----------------------------------------------------------------------


def _run(script: str, *args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(DEPLOY / script), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _fake_backup(folder: Path) -> Path:
    backup = folder / "satgas-20240101-000000"
    backup.mkdir(parents=True)
    for name in ("database.dump", "private.tar.gz", "MANIFEST"):
        (backup / name).write_bytes(b"content of " + name.encode())
    names = sorted(os.listdir(backup))
    sums = "".join(f"{hashlib.sha256((backup / n).read_bytes()).hexdigest()}  {n}\n" for n in names)
    (backup / "SHA256SUMS").write_text(sums)
    return backup


def test_restore_refuses_a_damaged_backup_before_touching_anything(tmp_path):
    backup = _fake_backup(tmp_path)
    with (backup / "private.tar.gz").open("ab") as archive:
        archive.write(b"bit rot")
    target = tmp_path / "restored"
    result = _run(
        "restore.sh",
        str(backup),
        "--yes",
        "--database-url",
        "postgres://nobody@127.0.0.1:1/none",
        "--private-root",
        str(target),
        env={},
    )
    assert result.returncode == 1
    assert "checksum mismatch" in result.stderr
    assert not target.exists()


def test_backup_refuses_sqlite(tmp_path):
    result = _run("backup.sh", str(tmp_path), env={"DATABASE_URL": "sqlite:///x", "SATGAS_PRIVATE_ROOT": "."})
    assert result.returncode == 2 and "SQLite" in result.stderr


def _database_url(name: str) -> str:
    from django.db import connection

    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


@pytest.mark.postgres
@pytest.mark.skipif(
    not django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="backup/restore is pg_dump/pg_restore: needs DATABASE_URL on PostgreSQL",
)
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed (postgresql-client)")
def test_backup_then_restore_into_a_scratch_database(transactional_db, settings, tmp_path):
    import psycopg2
    from django.db import connection

    from satgas.personnel.models import Unit
    from satgas.personnel.tests.factories import UnitFactory

    UnitFactory(code="BACKUP-1", name="Unit in the backup")
    private_root = Path(settings.PRIVATE_ROOT)
    (private_root / "violations" / "2024" / "05").mkdir(parents=True)
    evidence = private_root / "violations" / "2024" / "05" / "0123abcd.pdf"
    evidence.write_bytes(b"%PDF-1.4 evidence " + os.urandom(64))
    source_units = sorted(Unit.objects.values_list("code", flat=True))

    backup = _run(
        "backup.sh",
        str(tmp_path / "backups"),
        env={"DATABASE_URL": _database_url(connection.settings_dict["NAME"]), "SATGAS_PRIVATE_ROOT": str(private_root)},
    )
    assert backup.returncode == 0, backup.stderr
    folder = Path(backup.stdout.strip().splitlines()[-1])
    assert sorted(os.listdir(folder)) == ["MANIFEST", "SHA256SUMS", "database.dump", "private.tar.gz"]
    manifest = (folder / "MANIFEST").read_text()
    assert "format=satgas-backup-1" in manifest and "private_files=1" in manifest

    scratch = f"{connection.settings_dict['NAME']}_restore"
    admin = psycopg2.connect(_database_url("postgres"))
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
            cur.execute(f'CREATE DATABASE "{scratch}"')
        restored_root = tmp_path / "restored-private"
        restore = _run(
            "restore.sh",
            str(folder),
            "--yes",
            "--database-url",
            _database_url(scratch),
            "--private-root",
            str(restored_root),
            env={},
        )
        assert restore.returncode == 0, restore.stdout + restore.stderr
        target = psycopg2.connect(_database_url(scratch))
        try:
            with target.cursor() as cur:
                cur.execute("SELECT code FROM personnel_unit ORDER BY code")
                assert sorted(row[0] for row in cur.fetchall()) == source_units
                cur.execute("SELECT count(*) FROM django_migrations")
                assert cur.fetchone()[0] > 0
        finally:
            target.close()
        copy = restored_root / evidence.relative_to(private_root)
        assert copy.read_bytes() == evidence.read_bytes()
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        admin.close()
