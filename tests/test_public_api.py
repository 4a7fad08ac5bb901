"""The package's small public API: lazy, complete, and the README's round trip works through it."""

import subprocess
import sys
from pathlib import Path

import postmortem_widgets as pm
from tests.support.paths import SEED_INCIDENT


def test_every_public_name_resolves() -> None:
    for name in pm.__all__:
        assert getattr(pm, name) is not None, name


def test_importing_the_package_loads_no_heavy_modules() -> None:
    code = (
        "import sys, postmortem_widgets; print(sorted({'pandas', 'ipywidgets', 'jinja2'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_incident_to_pdf_round_trip(tmp_path: Path) -> None:
    incident = pm.load_incident(SEED_INCIDENT)
    timeline = pm.incident_timeline(incident)
    prompt = pm.build_prompt(incident, timeline)
    draft = pm.generate_draft(pm.OfflineDrafter(), incident, timeline, prompt).text
    assert pm.check_draft(draft, incident, timeline).errors == 0
    target = pm.write_report(tmp_path / "anchor.pdf", draft, incident)
    assert Path(target).read_bytes().startswith(b"%PDF")
