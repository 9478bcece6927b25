"""``jvmready bundle SRC -o OUT``: named tensors plus a manifest, widths explicit, for Java."""

from __future__ import annotations

from pathlib import Path

import typer

from jvmready.bundle import FORMATS
from jvmready.bundle import bundle as make_bundle
from jvmready.cli.app import app, out
from jvmready.errors import JvmreadyError


def _roles(pairs: list[str]) -> dict[str, str]:
    roles: dict[str, str] = {}
    for pair in pairs:
        name, sep, role = pair.partition("=")
        if not sep or not name or not role:
            raise JvmreadyError(f"--role {pair!r}: expected TENSOR=ROLE")
        roles[name] = role
    return roles


@app.command()
def bundle(
    src: Path = typer.Argument(..., help="npy, npz, safetensors or ONNX file (initializers)."),
    output: Path = typer.Option(..., "-o", "--output", help="Bundle file to write."),
    format: str = typer.Option(
        "safetensors", "--format", "-f", help=f"One of: {', '.join(FORMATS)}."
    ),
    name: str | None = typer.Option(None, "--name", help="Model name (default: SRC's stem)."),
    labels: list[str] = typer.Option([], "--labels", help="Class labels, in order (repeatable)."),
    features: list[str] = typer.Option(
        [], "--features", help="Feature names, in order (repeatable)."
    ),
    role: list[str] = typer.Option([], "--role", help="TENSOR=ROLE (repeatable)."),
    narrow: bool = typer.Option(
        False,
        "--narrow",
        help="Store int64 tensors as int32, refusing any value that does not fit.",
    ),
    keep: list[str] = typer.Option([], "--keep", help="With --narrow: leave TENSOR int64."),
) -> None:
    """Write SRC's tensors and a manifest to one portable file Java reads with Bundle.open."""
    report = make_bundle(
        src,
        output,
        format=format,
        model_name=name,
        class_labels=labels,
        feature_names=features,
        roles=_roles(role),
        narrow=narrow,
        keep=keep,
    )
    out.print(
        f"wrote {report.out} ({report.format}, {len(report.tensors)} tensors, {report.size} bytes)",
        markup=False,
    )
    for t in report.tensors:
        note = "  (narrowed from INT64)" if t.narrowed else ""
        out.print(f"  {t.name}: {t.dtype} {list(t.shape)}{note}", markup=False)
