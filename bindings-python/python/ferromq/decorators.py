"""Decorators that hand a function a fresh Context or Socket (pyzmq's
``zmq.decorators``), closed when the function returns::

    @context()
    @socket(zmq.PUSH)
    def work(ctx, skt):
        skt.connect("tcp://127.0.0.1:5555")
        skt.send(b"hi")

``context([name], *args, **kwargs)`` passes ``Context(*args, **kwargs)``;
``socket([name], socket_type, context_name="context", **kwargs)`` passes a socket of
that context (the one given as ``context_name``, else any Context among the call's
arguments, else ``Context.instance()``). With a name (first positional str, or
``name=``) the object is passed as that keyword argument, else it is appended to the
positional arguments (so stacked decorators fill parameters in order).
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Optional, TypeVar

from ferromq.context import Context

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["context", "socket"]


def _split_name(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Optional[str], tuple[Any, ...]]:
    name = kwargs.pop("name", None)
    if name is None and args and isinstance(args[0], str):
        name, args = args[0], args[1:]
    return name, args


def _bind(func: Callable[..., Any], name: Optional[str], make: Callable[[tuple[Any, ...], dict[str, Any]], Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*a: Any, **kw: Any) -> Any:
        if name is not None and kw.get(name) is not None:
            raise TypeError(f"{func.__name__}() got multiple values for argument {name!r}")
        if name is not None:
            kw.pop(name, None)
        with make(a, kw) as obj:
            if name is None:
                return func(*a, obj, **kw)
            kw[name] = obj
            return func(*a, **kw)

    return wrapper


def context(*args: Any, **kwargs: Any) -> Callable[[F], F]:
    """Decorator: calls the function with a new Context (destroyed afterwards)."""
    name, ctx_args = _split_name(args, kwargs)

    def decorate(func: F) -> F:
        return _bind(func, name, lambda a, kw: Context(*ctx_args, **kwargs))  # type: ignore[return-value]

    return decorate


def socket(*args: Any, **kwargs: Any) -> Callable[[F], F]:
    """Decorator: calls the function with a new socket (closed afterwards)."""
    name, sock_args = _split_name(args, kwargs)
    context_name = kwargs.pop("context_name", "context")

    def find_context(a: tuple[Any, ...], kw: dict[str, Any]) -> Context:
        ctx: Optional[Any] = kw.get(context_name)
        if isinstance(ctx, Context):
            return ctx
        for v in list(a) + list(kw.values()):
            if isinstance(v, Context):
                return v
        return Context.instance()

    def decorate(func: F) -> F:
        return _bind(  # type: ignore[return-value]
            func, name, lambda a, kw: find_context(a, kw).socket(*sock_args, **kwargs)
        )

    return decorate
