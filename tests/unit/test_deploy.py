"""deploy/ on paper, checked where it can be without a container engine: the compose file
parses and wires the services the README names, every LIGHTDESIGN_* setting it uses is
read by the code, the images copy files that exist and pin the Ray version the tests use."""

import re
from pathlib import Path

import pytest

from lightdesign.jobs.backends import RAY_PIN

yaml = pytest.importorskip("yaml", reason="PyYAML (installed with ray from requirements-dev.txt)")
ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def _code_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "lightdesign").rglob("*.py"))


def test_compose_wires_replicas_postgres_ray_and_shared_storage():
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "ray-head", "ray-worker", "app", "balancer"} <= set(services)
    app = services["app"]
    assert app["deploy"]["replicas"] >= 2
    env = app["environment"]
    assert env["LIGHTDESIGN_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert env["LIGHTDESIGN_RAY_ADDRESS"].startswith("ray://ray-head:")
    for name in ("app", "ray-head", "ray-worker"):
        assert "work:/data" in services[name]["volumes"], name
    assert "ip_hash" in (DEPLOY / "nginx.conf").read_text()


def test_every_setting_in_deploy_is_read_by_the_code():
    code = _code_text()
    used = set()
    for path in DEPLOY.iterdir():
        used |= set(re.findall(r"LIGHTDESIGN_[A-Z_]+", path.read_text()))
    assert used
    unknown = sorted(name for name in used if name not in code)
    assert not unknown, f"settings no code reads: {unknown}"


def test_the_images_copy_what_exists_and_pin_rays_version():
    for name in ("Dockerfile.app", "Dockerfile.worker"):
        text = (DEPLOY / name).read_text()
        for source in re.findall(r"^COPY (\S+)", text, flags=re.M):
            assert (ROOT / source).exists(), f"{name}: COPY {source}"
        assert RAY_PIN in text, name
    assert RAY_PIN in (ROOT / "requirements-dev.txt").read_text().split()


def test_the_readme_documents_every_ray_setting_and_what_was_not_tested():
    readme = (ROOT / "README.md").read_text()
    for name in set(re.findall(r"LIGHTDESIGN_RAY_[A-Z_]+", _code_text())):
        assert f"`{name}`" in readme, name
    assert "**What was tested here**" in readme and "**What was not**" in readme
