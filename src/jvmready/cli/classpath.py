"""``jvmready classpath``: the classpath of the built Java library, like ``hadoop classpath``."""

from __future__ import annotations

from jvmready import java
from jvmready.cli.app import app, out


@app.command()
def classpath() -> None:
    """Print the classpath of the jvmready Java library and its dependencies (built by `make java`).

    Use it to compile and run your own Java code against the library:
    javac -cp "$(jvmready classpath)" My.java
    """
    out.print(java.classpath(), markup=False, soft_wrap=True)
