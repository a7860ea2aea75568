"""User documentation stands on its own: no link outside the repository, no internal issue numbers."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
USER_DOCS = [ROOT / "README.md", *(ROOT / "docs").rglob("*.md"), *(ROOT / "notebooks").glob("*.ipynb"),
             *(ROOT / "scenarios").rglob("*.yaml")]


def test_no_reference_outside_the_repository():
    outside = [path.relative_to(ROOT) for path in USER_DOCS if "../shared" in path.read_text(encoding="utf-8")]
    assert not outside, f"these files point outside the repository: {outside}"


def test_no_internal_issue_numbers():
    numbered = [path.relative_to(ROOT) for path in USER_DOCS
                if re.search(r"\(issues? #?\d+\)", path.read_text(encoding="utf-8"), re.IGNORECASE)]
    assert not numbered, f"these files name internal issue numbers: {numbered}"


def test_domain_brief_is_in_the_repository():
    assert "## The path of a lead" in (ROOT / "docs" / "domain.md").read_text(encoding="utf-8")
