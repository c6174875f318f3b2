"""The deployment files agree with the code and with each other.

``make deploy-lint`` checks compose.yaml and .gitlab-ci.yml against their
schemas and lints the Dockerfile; this checks what they say: every service
the code needs is there, every setting production needs is given, and the
ports, addresses and health checks of compose.yaml, nginx/ and the
Dockerfile line up.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

import msgspec
import pytest
import yaml

from tests.integration.deploy.conftest import NGINX_DIR, REPO
from workhub.cli import main as cli
from workhub.settings import Settings

COMPOSE: dict[str, Any] = yaml.safe_load((REPO / "compose.yaml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
CI: dict[str, Any] = yaml.safe_load((REPO / ".gitlab-ci.yml").read_text())
DOCKERFILE = (REPO / "Dockerfile").read_text()
WEB = ("app-1", "app-2")
WORKHUB_SERVICES = ("migrate", *WEB, "worker")
REQUIRED_IN_PRODUCTION = (
    "env",
    "database_url",
    "redis_url",
    "secret_key",
    "public_url",
    "trusted_proxies",
    "jobs_dir",
    "host",
    "port",
)
"""Settings whose defaults suit one machine only (embedded servers, localhost, a key file, a local folder)."""


def env(service: str) -> dict[str, str]:
    return {k: str(v) for k, v in SERVICES[service]["environment"].items()}


def interpolated(value: str) -> str:
    """``value`` with compose's ``${NAME...}`` replaced by a stand-in, to read URLs."""
    return re.sub(r"\$\{[^}]*\}", "x", value)


def ipv4(service: str) -> str:
    return SERVICES[service]["networks"]["backend"]["ipv4_address"]


def test_every_service_is_there() -> None:
    assert set(SERVICES) >= {
        "postgres", "redis", "elasticsearch", "migrate", *WEB, "worker", "nginx", "mailpit"
    }  # fmt: skip
    assert SERVICES["mailpit"]["profiles"] == ["staging"]
    assert SERVICES["redis"]["command"][1:3] == ["--appendonly", "yes"]
    assert any(v.startswith("postgres-data:") for v in SERVICES["postgres"]["volumes"])
    es = SERVICES["elasticsearch"]["environment"]
    assert es["discovery.type"] == "single-node" and es["xpack.security.enabled"] == "true"


@pytest.mark.parametrize("service", WORKHUB_SERVICES)
def test_production_settings_are_all_given(service: str) -> None:
    fields = {f.name for f in msgspec.structs.fields(Settings)}
    assert set(REQUIRED_IN_PRODUCTION) <= fields  # a renamed setting fails here
    given = env(service)
    missing = [name for name in REQUIRED_IN_PRODUCTION if f"WORKHUB_{name.upper()}" not in given]
    assert missing == []
    assert given["WORKHUB_ENV"] == "prod"
    assert SERVICES[service]["env_file"] == ".env"
    # The servers the code needs are services of this file, with health checks.
    for url in (given["WORKHUB_DATABASE_URL"], given["WORKHUB_REDIS_URL"]):
        host = urlsplit(interpolated(url)).hostname
        assert host in SERVICES and "test" in SERVICES[host]["healthcheck"], url
    assert given["WORKHUB_DATABASE_URL"].startswith("postgresql+asyncpg://")
    # The shared folder for exports and uploads is a volume in every WorkHub container.
    assert f"jobs:{given['WORKHUB_JOBS_DIR']}" in SERVICES[service]["volumes"]


def test_every_secret_compose_asks_for_is_in_env_example() -> None:
    text = (REPO / "compose.yaml").read_text()
    asked = set(re.findall(r"\$\{(\w+)(?::?[-?])", text)) | set(re.findall(r"\$\{(\w+)\}", text))
    example = (REPO / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*(\w+)=", example, re.MULTILINE))
    assert asked - documented == set()


@pytest.mark.parametrize(
    ("service", "command"), [("migrate", "migrate"), ("app-1", "run"), ("app-2", "run"), ("worker", "worker")]
)
def test_each_service_runs_a_workhub_command(service: str, command: str) -> None:
    assert SERVICES[service]["command"] == ["workhub", command]
    assert command in cli.commands


def test_migrations_run_first_and_health_decides_the_order() -> None:
    assert SERVICES["migrate"]["restart"] == "no"
    assert SERVICES["migrate"]["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    for service in (*WEB, "worker"):
        assert SERVICES[service]["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }
    assert SERVICES["nginx"]["depends_on"] == {web: {"condition": "service_healthy"} for web in WEB}


def test_only_nginx_listens_publicly() -> None:
    for name, service in SERVICES.items():
        for port in service.get("ports", []):
            if name == "nginx":
                assert port in ("80:80", "443:443")
            else:
                assert str(port).startswith("127.0.0.1:"), (name, port)
    assert "ports" in SERVICES["nginx"]


def test_nginx_balances_over_the_web_containers_and_is_the_only_trusted_proxy() -> None:
    upstream = (NGINX_DIR / "workhub" / "upstream.conf").read_text()
    assert "least_conn;" in upstream
    servers = set(re.findall(r"^\s*server\s+(\S+)", upstream, re.MULTILINE))
    assert servers == {f"{ipv4(web)}:{env(web)['WORKHUB_PORT']}" for web in WEB}
    for service in WORKHUB_SERVICES:
        assert env(service)["WORKHUB_TRUSTED_PROXIES"] == ipv4("nginx")
    ipam = COMPOSE["networks"]["backend"]["ipam"]["config"][0]
    subnet, dynamic = ipaddress.ip_network(ipam["subnet"]), ipaddress.ip_network(ipam["ip_range"])
    for service in ("nginx", *WEB):
        address = ipaddress.ip_address(ipv4(service))
        assert address in subnet and address not in dynamic, service


def test_health_checks_line_up() -> None:
    for web in WEB:
        check = " ".join(SERVICES[web]["healthcheck"]["test"])
        assert f"http://127.0.0.1:{env(web)['WORKHUB_PORT']}/health/live" in check
    assert SERVICES["worker"]["healthcheck"] == {"disable": True}
    assert SERVICES["migrate"]["healthcheck"] == {"disable": True}
    assert "https://127.0.0.1/health/live" in " ".join(SERVICES["nginx"]["healthcheck"]["test"])
    # The image's own check and port are the same as compose's.
    assert re.search(r"^HEALTHCHECK .*\n?.*/health/live", DOCKERFILE, re.MULTILINE)
    assert re.search(r"^EXPOSE 8000$", DOCKERFILE, re.MULTILINE)
    assert "WORKHUB_PORT=8000" in DOCKERFILE and env("app-1")["WORKHUB_PORT"] == "8000"


def test_nginx_gets_its_files_and_template_values() -> None:
    nginx = SERVICES["nginx"]
    for volume in nginx["volumes"]:
        source = volume.split(":")[0]
        if source.startswith("./"):
            assert (REPO / source).exists(), source
    template = (NGINX_DIR / "templates" / "workhub.conf.template").read_text()
    assert set(re.findall(r"\$\{(\w+)\}", template)) <= set(nginx["environment"])
    assert nginx["environment"]["NGINX_ENVSUBST_FILTER"] == "^WORKHUB_"
    assert ipv4("nginx")


def test_the_image_builds_the_dashboard_and_runs_as_nobody_in_particular() -> None:
    stages = re.findall(r"^FROM (\S+)", DOCKERFILE, re.MULTILINE)
    assert stages[0].startswith("node:20") and len(stages) == 3
    assert "npm ci" in DOCKERFILE and "npm run build" in DOCKERFILE
    assert re.search(r"uv sync --frozen --no-dev --all-packages", DOCKERFILE)
    assert "python:3.11-slim" in DOCKERFILE
    user = re.findall(r"^USER (\S+)", DOCKERFILE, re.MULTILINE)
    assert user and user[-1].split(":")[0] not in ("root", "0")
    assert re.search(r'^CMD \["workhub", "run"\]$', DOCKERFILE, re.MULTILINE)
    ignored = (REPO / ".dockerignore").read_text().split()
    assert {".git", ".venv", ".env", "**/node_modules"} <= set(ignored)


def test_the_pipeline_lints_tests_builds_and_deploys_by_hand() -> None:
    assert CI["stages"] == ["lint", "test", "build", "deploy"]
    jobs = {name: job for name, job in CI.items() if isinstance(job, dict) and "stage" in job}
    assert {job["stage"] for job in jobs.values()} == set(CI["stages"])
    test = jobs["test"]
    assert test["script"] == ["make test"]
    aliases = {s["alias"] for s in test["services"]}
    assert aliases == {"postgres", "redis"}
    assert urlsplit(test["variables"]["WORKHUB_TEST_DATABASE_URL"]).hostname == "postgres"
    assert urlsplit(test["variables"]["WORKHUB_TEST_DATABASE_URL"]).path == "/workhub_test"
    assert urlsplit(test["variables"]["WORKHUB_TEST_REDIS_URL"]).hostname == "redis"
    build = " ".join(jobs["build"]["script"])
    assert "docker push" in build and jobs["build"]["variables"]["IMAGE"].endswith(":$CI_COMMIT_SHA")
    deploy = jobs["deploy"]
    assert all(rule["when"] == "manual" for rule in deploy["rules"])
    assert "deploy/update.sh" in " ".join(deploy["script"])
    update = (REPO / "deploy" / "update.sh").read_text()
    assert "docker compose run --rm migrate" in update
    assert update.index("migrate") < update.index("app-1")
    cached = [c["key"]["files"] for c in CI[".python-node"]["cache"]]
    assert cached == [["uv.lock"], ["src/dashboard/package-lock.json"]]
