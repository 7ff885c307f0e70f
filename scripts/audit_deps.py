"""Dependency audit: pip-audit over the installed packages, and an honest verdict.

pip-audit asks a vulnerability service (PyPI's, else OSV) about each package. Offline, or behind
a mirror without that service, it "passes" having checked nothing: every package skipped. This
script says so instead — ``NOT RUN`` with the count — and fails only on a known vulnerability.
Exit 0: checked and clean, or could not run (said plainly); 1: vulnerabilities found.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path


def audit(service: str) -> tuple[list[dict], list[dict], str]:
    """(audited, skipped, error) from one pip-audit run against ``service``."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "audit.json"
        cmd = [sys.executable, "-m", "pip_audit", "--skip-editable", "--progress-spinner", "off",
               "--vulnerability-service", service, "-f", "json", "-o", str(out)]  # fmt: skip
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired:
            return [], [], f"{service}: no answer within 300 s"
        if not out.exists():
            return [], [], f"{service}: {(run.stderr or run.stdout).strip().splitlines()[-1:]}"
        deps = json.loads(out.read_text())["dependencies"]
    skipped = [d for d in deps if d.get("skip_reason")]
    audited = [d for d in deps if not d.get("skip_reason")]
    return audited, skipped, ""


def main() -> int:
    reasons, listed = [], 0
    for service in ("pypi", "osv"):
        audited, skipped, error = audit(service)
        if audited:
            break
        listed = max(listed, len(skipped))
        reasons.append(error[:200] if error else f"{service}: every package skipped")
    if not audited:
        print(f"dependency audit: NOT RUN — 0 of {listed} installed packages could be checked "
              f"(no vulnerability service reachable: {'; '.join(reasons)})")  # fmt: skip
        return 0
    vulnerable = [d for d in audited if d.get("vulns")]
    for d in vulnerable:
        ids = ", ".join(v["id"] for v in d["vulns"])
        print(f"VULNERABLE {d['name']} {d['version']}: {ids}")
    print(f"dependency audit ({service}): {len(audited)} packages checked, {len(skipped)} "
          f"skipped, {len(vulnerable)} with known vulnerabilities")  # fmt: skip
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
