"""The run store's fingerprint of the model's code: every source file that shapes a run, by content."""

from __future__ import annotations

from pathlib import Path

from simcoord.experiments import runstore


def test_fingerprint_covers_every_package_that_shapes_a_run():
    files = [Path(str(file)) for file in runstore._model_sources()]
    folders = {file.parent.name for file in files}
    assert {"model", "kpis", "log", "scenario"} <= folders
    assert any(file.name == "vocabulary.py" and file.parent.name == "simcoord" for file in files)
    assert {"company.py", "registry.py", "store.py", "schema.py"} <= {file.name for file in files}
    assert all(file.suffix == ".py" for file in files) and len(set(files)) == len(files)


def test_fingerprint_changes_with_one_byte_of_model_code_and_only_then(tmp_path):
    copies = []
    for index, source in enumerate(runstore._model_sources()):
        copies.append(tmp_path / f"{index:02d}_{source.name}")
        copies[-1].write_bytes(source.read_bytes())
    assert runstore.source_fingerprint(copies) == runstore.model_fingerprint()
    assert runstore.source_fingerprint(copies) == runstore.source_fingerprint(runstore._model_sources())

    sales = next(copy for copy in copies if copy.name.endswith("_sales.py"))
    original = sales.read_bytes()
    sales.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
    assert runstore.source_fingerprint(copies) != runstore.model_fingerprint()
    sales.write_bytes(original)
    sales.touch()  # a newer time alone is no change
    assert runstore.source_fingerprint(copies) == runstore.model_fingerprint()
