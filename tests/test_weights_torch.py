"""PyTorch state_dict files: checked and fixed when torch is installed (the jvmready[torch] extra)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from jvmready.errors import JvmreadyError, NarrowingError
from jvmready.formats import FixOptions, for_path
from jvmready.targets import get_target
from jvmready.weights.torch_state import TorchStateFormat

HAS_TORCH = importlib.util.find_spec("torch") is not None
FMT = TorchStateFormat()


@pytest.mark.skipif(HAS_TORCH, reason="torch is installed")
def test_without_torch_says_how_to_get_it(tmp_path: Path) -> None:
    p = tmp_path / "w.pt"
    p.write_bytes(b"anything")
    assert for_path(p).name == "torch"
    with pytest.raises(JvmreadyError, match=r"install jvmready\[torch\]"):
        FMT.check(p, get_target("ort-java"))


@pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed (jvmready[torch])")
def test_state_dict_check_and_fix(tmp_path: Path) -> None:
    import torch

    state = {
        "emb.weight": torch.ones(4, 2),
        "ids": torch.arange(6, dtype=torch.int64).reshape(2, 3),
        "nested": {"wide": torch.tensor([1, 2**40])},
    }
    src, dst = tmp_path / "m.pt", tmp_path / "o.pt"
    torch.save(state, src)
    report = FMT.check(src, get_target("int32"))
    ranges = {t.name: (t.range.min, t.range.max) for t in report.tensors}
    assert ranges == {"ids": (0, 5), "nested.wide": (1, 2**40)}
    with pytest.raises(NarrowingError) as e:
        FMT.fix_file(src, dst, FixOptions())
    assert (e.value.tensor, e.value.index, e.value.value) == ("nested.wide", 1, 2**40)
    FMT.fix_file(src, dst, FixOptions(keep=frozenset({"nested.wide"})))
    out = torch.load(dst, weights_only=True)
    assert out["ids"].dtype == torch.int32
    assert np.array_equal(out["ids"].numpy(), np.arange(6).reshape(2, 3))
    assert out["nested"]["wide"].dtype == torch.int64
    assert torch.equal(out["emb.weight"], state["emb.weight"])
