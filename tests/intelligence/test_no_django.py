from __future__ import annotations

import subprocess
import sys

MODULES = [
    "kundenversteher.intelligence",
    "kundenversteher.intelligence.bundle",
    "kundenversteher.intelligence.types",
    "kundenversteher.intelligence.language",
    "kundenversteher.intelligence.entities",
    "kundenversteher.intelligence.dates",
    "kundenversteher.intelligence.urgency",
    "kundenversteher.intelligence.emotions",
    "kundenversteher.intelligence.pii",
    "kundenversteher.intelligence.cleanup",
    "kundenversteher.intelligence.understand",
]

SCRIPT = f"""
import importlib, sys
for name in {MODULES!r}:
    importlib.import_module(name)
from kundenversteher.intelligence import understand, ModelBundle
understand("Heizung aus, Bestellung 4711", models=ModelBundle())
assert "django" not in sys.modules, "django was imported"
outside = sorted(
    m for m in sys.modules
    if m.startswith("kundenversteher.") and not m.startswith("kundenversteher.intelligence")
)
assert outside == [], outside
print("ok")
"""

LAZY_SCRIPT = """
import sys, time
start = time.perf_counter()
import kundenversteher.intelligence
elapsed = time.perf_counter() - start
heavy = [m for m in ("phonenumbers", "py3langid", "stdnum", "numpy") if m in sys.modules]
assert heavy == [], heavy
print("ok")
"""


def run(script: str) -> subprocess.CompletedProcess[str]:
    # Our own interpreter and a fixed script: no untrusted input reaches the command line.
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )


def test_intelligence_imports_and_runs_without_django_or_other_apps() -> None:
    result = run(SCRIPT)
    assert (result.returncode, result.stdout.strip()) == (0, "ok"), result.stderr


def test_importing_the_package_loads_no_heavy_libraries() -> None:
    result = run(LAZY_SCRIPT)
    assert (result.returncode, result.stdout.strip()) == (0, "ok"), result.stderr
