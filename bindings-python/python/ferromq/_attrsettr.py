"""Options as attributes (pyzmq's AttributeSetter): ``sock.linger = 0``."""

from __future__ import annotations

import errno
from typing import Any, Union

from ferromq import constants

OptValT = Union[str, bytes, int]


class AttributeSetter:
    def __setattr__(self, key: str, value: Any) -> None:
        if key in ("subscribe", "unsubscribe"):
            self._set_attr_opt(key.upper(), getattr(constants, key.upper()), value)
            return
        if key.startswith("_") or key in self.__dict__:
            object.__setattr__(self, key, value)
            return
        for cls in type(self).mro():
            if key in cls.__dict__ or key in getattr(cls, "__annotations__", {}):
                object.__setattr__(self, key, value)
                return
        upper_key = key.upper()
        try:
            opt = getattr(constants, upper_key)
        except AttributeError:
            raise AttributeError(
                f"{self.__class__.__name__} has no such option: {upper_key}"
            ) from None
        self._set_attr_opt(upper_key, opt, value)

    def _set_attr_opt(self, name: str, opt: int, value: Any) -> None:
        self.set(opt, value)

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        upper_key = key.upper()
        try:
            opt = getattr(constants, upper_key)
        except AttributeError:
            raise AttributeError(
                f"{self.__class__.__name__} has no such option: {upper_key}"
            ) from None
        from ferromq.error import ZMQError

        try:
            return self._get_attr_opt(upper_key, opt)
        except ZMQError as e:
            if e.errno in {errno.EINVAL, errno.EFAULT}:
                raise AttributeError(f"{key} attribute is write-only") from None
            raise

    def _get_attr_opt(self, name: str, opt: int) -> Any:
        return self.get(opt)

    def get(self, option: int) -> Any:
        raise NotImplementedError("override in subclass")

    def set(self, option: int, value: Any) -> None:
        raise NotImplementedError("override in subclass")
