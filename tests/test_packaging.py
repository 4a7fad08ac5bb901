"""The wheel must carry the templates and data files, or an installed workspace cannot render anything."""

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.support.paths import REPO


def test_wheel_ships_every_template(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(REPO),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = [p for p in (REPO / "postmortem_widgets/templates").rglob("*") if p.is_file()]
    assert templates, "no templates found in the checkout"
    for path in templates:
        assert path.relative_to(REPO).as_posix() in names
    assert "postmortem_widgets/cli/timeline.py" in names
    assert "postmortem_widgets/timeline/importers/text.py" in names
    assert any(n.endswith("entry_points.txt") for n in names)
