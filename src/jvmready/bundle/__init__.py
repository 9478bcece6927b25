"""Portable bundles of named tensors plus a manifest: safetensors, protobuf or Avro.

Every width is explicit in the schemas (``schemas/bundle.proto``, ``schemas/bundle.avsc``), and
the Java library (``io.jvmready.bundle.Bundle``) reads all three with the same checked access.
"""

from __future__ import annotations

from jvmready.bundle.api import BundledTensor, BundleReport, LoadedBundle, bundle, read_bundle
from jvmready.bundle.formats import FORMATS, detect_format
from jvmready.bundle.manifest import FORMAT_VERSION, Manifest

__all__ = [
    "FORMATS",
    "FORMAT_VERSION",
    "BundleReport",
    "BundledTensor",
    "LoadedBundle",
    "Manifest",
    "bundle",
    "detect_format",
    "read_bundle",
]
