"""Run unmodified programs that ``import zmq`` on the ferromq module.

Call :func:`install` once, before anything imports ``zmq``::

    import ferromq.compat
    ferromq.compat.install()

    import zmq                      # this is ferromq
    from zmq.eventloop import zmqstream  # and this is ferromq.eventloop.zmqstream

Every ``zmq`` and ``zmq.<sub>`` import then resolves to the same module object as
``ferromq`` and ``ferromq.<sub>`` (one copy of each class, so ``isinstance`` works across
both names). ``python -m ferromq.compat script.py [args]`` runs a script that way.

Limits:

- It only affects this interpreter. Child processes started with ``spawn`` (or
  ``subprocess``) import the real pyzmq unless they call :func:`install` too;
  ``fork``-ed children inherit it.
- If pyzmq was already imported, :func:`install` raises ``RuntimeError`` (two libraries
  would then share one name); pass ``force=True`` to replace the entries anyway.
- Names that exist only in pyzmq's implementation (``zmq.backend.cython``,
  ``zmq.backend.cffi``, Cython ``.pxd`` files, ``zmq.ssh``) are not provided.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import runpy
import sys
import types
from typing import Optional, Sequence

__all__ = ["install", "uninstall", "installed"]

_ALIAS = "zmq"
_TARGET = "ferromq"


class _AliasLoader(importlib.abc.Loader):
    """Loads ``zmq.X`` by importing ``ferromq.X`` and returning that very module."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.real_spec: Optional[importlib.machinery.ModuleSpec] = None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = importlib.import_module(self.target)
        self.real_spec = module.__spec__
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        # Already executed under its ferromq name. The import system has just set
        # ``__spec__`` to the alias's spec: give the module its own back.
        if self.real_spec is not None:
            module.__spec__ = self.real_spec


class _AliasFinder(importlib.abc.MetaPathFinder):
    """Maps the ``zmq`` package tree onto the ``ferromq`` package tree."""

    def find_spec(
        self,
        fullname: str,
        path: Optional[Sequence[str]] = None,
        target: Optional[types.ModuleType] = None,
    ) -> Optional[importlib.machinery.ModuleSpec]:
        if fullname != _ALIAS and not fullname.startswith(_ALIAS + "."):
            return None
        real = _TARGET + fullname[len(_ALIAS) :]
        try:
            real_spec = importlib.util.find_spec(real)
        except (ImportError, ValueError):
            return None
        if real_spec is None:
            return None
        return importlib.machinery.ModuleSpec(
            fullname,
            _AliasLoader(real),
            is_package=real_spec.submodule_search_locations is not None,
        )


_finder: Optional[_AliasFinder] = None


def installed() -> bool:
    """Whether ``zmq`` currently resolves to ferromq."""
    return _finder is not None


def install(force: bool = False) -> types.ModuleType:
    """Makes ``import zmq`` (and ``zmq.<sub>``) resolve to ferromq; returns the module.

    Raises ``RuntimeError`` if the real pyzmq is already imported and ``force`` is false.
    """
    global _finder
    existing = sys.modules.get(_ALIAS)
    ferromq = importlib.import_module(_TARGET)
    if existing is not None and existing is not ferromq:
        if not force:
            raise RuntimeError(
                "pyzmq is already imported as 'zmq'; call ferromq.compat.install() "
                "before anything imports zmq (or pass force=True)"
            )
        for name in [n for n in sys.modules if n == _ALIAS or n.startswith(_ALIAS + ".")]:
            del sys.modules[name]
    if _finder is None:
        _finder = _AliasFinder()
        sys.meta_path.insert(0, _finder)
    sys.modules[_ALIAS] = ferromq
    # Submodules ferromq has already loaded get their zmq.* names now.
    for name, mod in list(sys.modules.items()):
        if name.startswith(_TARGET + ".") and mod is not None:
            sys.modules.setdefault(_ALIAS + name[len(_TARGET) :], mod)
    return ferromq


def uninstall() -> None:
    """Undoes :func:`install` (``zmq`` names it registered are removed)."""
    global _finder
    if _finder is not None:
        sys.meta_path.remove(_finder)
        _finder = None
    for name in [n for n in sys.modules if n == _ALIAS or n.startswith(_ALIAS + ".")]:
        mod = sys.modules[name]
        if getattr(mod, "__name__", "").startswith(_TARGET):
            del sys.modules[name]


def main(argv: Optional[Sequence[str]] = None) -> None:
    """``python -m ferromq.compat script.py|-m module [args]``: runs it with zmq = ferromq."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print("usage: python -m ferromq.compat (script.py | -m module) [args...]", file=sys.stderr)
        raise SystemExit(2)
    install()
    if args[0] == "-m" and len(args) >= 2:
        sys.argv = args[1:]
        runpy.run_module(args[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = args
        runpy.run_path(args[0], run_name="__main__")


if __name__ == "__main__":
    main()
