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
    assert runstore.model_fingerprint.__wrapped__() == runstore.source_fingerprint(files)  # uncached


def test_fingerprint_changes_with_one_byte_of_model_code_and_only_then(tmp_path):
    sources = runstore._model_sources()
    copies = [tmp_path / f"{index:02d}_{source.name}" for index, source in enumerate(sources)]
    for source, copy in zip(sources, copies):
        copy.write_bytes(source.read_bytes())
    unchanged = runstore.source_fingerprint(copies)
    assert unchanged == runstore.source_fingerprint(sources)  # names and places play no part

    sales = next(copy for copy in copies if copy.name.endswith("_sales.py"))
    original = sales.read_bytes()
    sales.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
    assert runstore.source_fingerprint(copies) != unchanged
    sales.write_bytes(original)
    sales.touch()  # a newer time alone is no change
    assert runstore.source_fingerprint(copies) == unchanged
