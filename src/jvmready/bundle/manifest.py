"""What a bundle's tensors are: model name, roles, labels, feature names, who wrote it."""

from __future__ import annotations

import json
import platform
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from jvmready.errors import InputFileError

#: Bumped when the schema changes incompatibly; readers refuse bundles newer than they know.
FORMAT_VERSION = 1

#: Key of the manifest (as JSON) in a safetensors header's ``__metadata__``.
MANIFEST_KEY = "jvmready.manifest"


@dataclass(frozen=True)
class Manifest:
    """Describes a bundle. Roles map tensor names to free-form roles (``"weights"``...)."""

    model_name: str = ""
    roles: Mapping[str, str] = field(default_factory=dict)
    class_labels: tuple[str, ...] = ()
    feature_names: tuple[str, ...] = ()
    producers: Mapping[str, str] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict with the same field names as the schemas."""
        return {
            "format_version": self.format_version,
            "model_name": self.model_name,
            "roles": dict(self.roles),
            "class_labels": list(self.class_labels),
            "feature_names": list(self.feature_names),
            "producers": dict(self.producers),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: object, where: object) -> Manifest:
        """Validate ``data`` (from any of the three encodings); refuse with ``where`` named."""
        if not isinstance(data, Mapping):
            raise InputFileError(where, "bundle manifest is not an object")
        version = data.get("format_version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise InputFileError(where, f"bundle manifest has a bad format_version {version!r}")
        if version > FORMAT_VERSION:
            raise InputFileError(
                where,
                f"bundle format version {version} is newer than this jvmready reads "
                f"({FORMAT_VERSION}); upgrade jvmready",
            )
        return cls(
            model_name=_str(data.get("model_name", ""), "model_name", where),
            roles=_str_map(data.get("roles", {}), "roles", where),
            class_labels=_str_list(data.get("class_labels", []), "class_labels", where),
            feature_names=_str_list(data.get("feature_names", []), "feature_names", where),
            producers=_str_map(data.get("producers", {}), "producers", where),
            format_version=version,
        )

    @classmethod
    def from_json(cls, text: str, where: object) -> Manifest:
        try:
            data = json.loads(text)
        except ValueError as e:
            raise InputFileError(where, f"bundle manifest is not valid JSON: {e}") from None
        return cls.from_dict(data, where)


def default_producers() -> dict[str, str]:
    """Versions of what wrote the bundle, so a reader can tell where odd values came from."""
    from importlib import metadata  # slow to import; only writing a bundle needs it

    try:
        jvmready_version = metadata.version("jvmready")
    except metadata.PackageNotFoundError:  # running from a source tree
        jvmready_version = "unknown"
    return {
        "jvmready": jvmready_version,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }


def _str(value: object, what: str, where: object) -> str:
    if not isinstance(value, str):
        raise InputFileError(where, f"bundle manifest field {what} is not a string")
    return value


def _str_list(value: object, what: str, where: object) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise InputFileError(where, f"bundle manifest field {what} is not a list of strings")
    return tuple(value)


def _str_map(value: object, what: str, where: object) -> dict[str, str]:
    if isinstance(value, list):  # Avro/fastavro and protobuf maps may arrive as pairs
        value = dict(value)
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise InputFileError(where, f"bundle manifest field {what} is not a string map")
    return dict(value)
