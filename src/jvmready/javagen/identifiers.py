"""Model names (any string ONNX allows) turned into Java identifiers, and checks of user names.

Kept conservative so the result compiles on every Java 17 compiler whatever its locale: a
character stays only if it was a letter, digit or connector in Unicode 3.2 (every later Java
agrees), everything else becomes ``_``. Non-ASCII characters are written as ``\\uXXXX`` escapes by
:func:`java_source_ascii`, so generated files are plain ASCII.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from jvmready.errors import JvmreadyError

#: Java 17 keywords, literals, and ``_``: never usable as an identifier.
_RESERVED_TEXT = """abstract assert boolean break byte case catch char class const continue default
    do double else enum extends final finally float for goto if implements import instanceof int
    interface long native new package private protected public return short static strictfp super
    switch synchronized this throw throws transient try void volatile while true false null _"""
JAVA_RESERVED = frozenset(_RESERVED_TEXT.split())

#: Names a record component may not have (JLS 8.10.1): they would clash with Object's methods.
RECORD_COMPONENT_RESERVED = frozenset(
    ["clone", "finalize", "getClass", "hashCode", "notify", "notifyAll", "toString", "wait"]
)

#: Contextual keywords that cannot name a type (JLS 3.9).
RESTRICTED_TYPE_NAMES = frozenset(["var", "yield", "record", "sealed", "permits"])

_START_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Nl", "Pc", "Sc"})
_PART_CATEGORIES = _START_CATEGORIES | {"Nd", "Mn", "Mc"}


def _category(ch: str) -> str:
    # Unicode 3.2: a subset every Java version since 1.4 classifies the same way.
    return str(unicodedata.ucd_3_2_0.category(ch))


def is_java_identifier(name: str) -> bool:
    """True if ``name`` is a valid Java identifier that is not a reserved word."""
    if not name or name in JAVA_RESERVED:
        return False
    if _category(name[0]) not in _START_CATEGORIES:
        return False
    return all(_category(ch) in _PART_CATEGORIES for ch in name[1:])


def sanitize(name: str) -> str:
    """A valid Java identifier as close to ``name`` as possible.

    Invalid characters become ``_``; a leading digit gets a ``_`` prefix; reserved words get a
    ``_`` suffix. Distinct names may map to the same identifier: see :func:`assign_identifiers`.
    """
    chars = [ch if _category(ch) in _PART_CATEGORIES else "_" for ch in name]
    ident = "".join(chars) or "_"
    if _category(ident[0]) not in _START_CATEGORIES:
        ident = "_" + ident
    if ident in JAVA_RESERVED:
        ident += "_"
    return ident


def assign_identifiers(
    names: Sequence[str], kind: str, *, reserved: Iterable[str] = ()
) -> tuple[str, ...]:
    """Sanitize every name in ``names``; refuse when two become the same identifier.

    ``kind`` ("input", "output") names what the names are, for the error. Names in ``reserved``
    (that would clash with generated code) get a ``_`` suffix.
    """
    avoid = frozenset(reserved)
    seen: dict[str, str] = {}
    result: list[str] = []
    for name in names:
        ident = sanitize(name)
        while ident in avoid:
            ident += "_"
        if ident in seen:
            raise JvmreadyError(
                f"{kind}s {seen[ident]!r} and {name!r} both become the Java identifier "
                f"{ident!r}; rename one of them in the model"
            )
        seen[ident] = name
        result.append(ident)
    return tuple(result)


_PACKAGE_PART = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")


def check_package(package: str) -> str:
    """Return ``package`` if it is a valid Java package name (ASCII), else raise one line."""
    parts = package.split(".")
    for part in parts:
        if not _PACKAGE_PART.fullmatch(part) or part in JAVA_RESERVED:
            raise JvmreadyError(
                f"--package {package!r} is not a Java package name: {part!r} is not a valid "
                "identifier (use e.g. com.acme.models)"
            )
    return package


def check_class_name(name: str, *, taken: Iterable[str] = ()) -> str:
    """Return ``name`` if it is a valid Java class name not in ``taken``, else raise one line.

    ``taken`` holds the simple names the generated file already uses (imports, nested types).
    """
    if not _PACKAGE_PART.fullmatch(name) or name in JAVA_RESERVED:
        raise JvmreadyError(f"--class {name!r} is not a Java class name (use e.g. IrisClassifier)")
    if name in RESTRICTED_TYPE_NAMES:
        raise JvmreadyError(f"--class {name!r} is a restricted word in Java; choose another")
    if name in frozenset(taken):
        raise JvmreadyError(
            f"--class {name!r} clashes with a type the generated code uses; choose another name"
        )
    return name


def java_string_literal(text: str) -> str:
    """``text`` as a Java string literal (quotes included), ASCII only."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch in "\n\r\t\b\f":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}[ch])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\{code:03o}")  # octal: a \\u escape would be decoded before lexing
        else:
            out.append(ch)
    out.append('"')
    return java_source_ascii("".join(out))


def comment_text(text: str) -> str:
    """``text`` made safe inside a Java comment or Javadoc: one line, no ``*/``, no escapes."""
    text = "".join(ch if ord(ch) >= 0x20 and ord(ch) != 0x7F else " " for ch in text)
    text = text.replace("\\", "\\\\")  # an even number of backslashes never starts a \\u escape
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("*/", "*&#47;").replace("@", "&#64;")
    return java_source_ascii(text)


def java_source_ascii(text: str) -> str:
    """Non-ASCII characters as ``\\uXXXX`` escapes (UTF-16 units), valid anywhere in Java source.

    Only ever applied to characters at or above U+0080, so no escape can decode to a quote, a
    backslash or a line break.
    """
    out: list[str] = []
    for ch in text:
        code = ord(ch)
        if code < 0x80:
            out.append(ch)
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
    return "".join(out)
