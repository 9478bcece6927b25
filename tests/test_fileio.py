"""``atomic_output``: a stopped process (SIGTERM) never leaves its temporary file behind, even
when the signal lands while the file is being created."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

# A child process: SIGTERM is sent to itself at a chosen point of atomic_output's life.
CHILD = textwrap.dedent(
    """
    import os, signal, sys, tempfile
    from pathlib import Path
    from jvmready import fileio

    out, where = Path(sys.argv[1]), sys.argv[2]
    fileio.exit_on_sigterm()
    real_mkstemp = tempfile.mkstemp

    def mkstemp_then_term(*args, **kwargs):
        made = real_mkstemp(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGTERM)  # the file exists; its cleanup is not armed yet
        return made

    if where == "creating":
        tempfile.mkstemp = mkstemp_then_term
    with fileio.atomic_output(out) as tmp:
        tmp.write_bytes(b"partial")
        if where == "writing":
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(10_000_000):
                pass  # the handler runs at the next bytecode
    print("not stopped")
    """
)


@pytest.mark.parametrize("where", ["creating", "writing"])
def test_sigterm_leaves_no_temporary_file(tmp_path: Path, where: str) -> None:
    out = tmp_path / "out" / "model.onnx"
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(out), where], capture_output=True, text=True, check=False
    )
    assert done.returncode == 128 + signal.SIGTERM, done.stderr
    assert "not stopped" not in done.stdout
    assert list(out.parent.iterdir()) == []  # neither the output nor a temporary file


def test_without_a_signal_the_output_is_renamed_into_place(tmp_path: Path) -> None:
    from jvmready.fileio import atomic_output

    out = tmp_path / "model.onnx"
    with atomic_output(out) as tmp:
        tmp.write_bytes(b"whole")
    assert out.read_bytes() == b"whole"
    assert [p.name for p in tmp_path.iterdir()] == ["model.onnx"]
