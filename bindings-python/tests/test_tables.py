"""The module's constants against the core's tables (option table, socket types, errno
values, monitor events), read from the native core: the Python constants are pyzmq's
full lists, and every value the core knows must agree with them."""

from __future__ import annotations

import errno

import pytest

import ferromq as zmq
from ferromq import _native, constants


def test_every_option_of_the_table_has_its_pyzmq_name_and_type() -> None:
    rows = _native.option_table()
    assert len(rows) > 70
    for name, number, kind, readable, writable, _draft in rows:
        assert readable or writable, name
        if name.startswith("FERROMQ_"):
            continue  # ferromq's own extensions: no pyzmq name
        assert name.startswith("ZMQ_"), name
        option = constants.SocketOption[name[len("ZMQ_"):]]
        assert int(option) == number, name
        expected = "fd" if name == "ZMQ_FD" else kind
        assert option._opt_type.value == expected, name  # type: ignore[attr-defined]


def test_bytes_options_are_the_tables() -> None:
    from ferromq.socket import _BYTES_OPTS

    table = {number for _, number, kind, *_ in _native.option_table() if kind == "bytes"}
    assert _BYTES_OPTS == table
    assert int(constants.SocketOption.ROUTING_ID) in _BYTES_OPTS


def test_pyzmq_only_option_types_do_not_shadow_the_table() -> None:
    from ferromq import opttypes

    known = {name[len("ZMQ_"):] for name, *_ in _native.option_table()}
    assert not (opttypes._INT64 | opttypes._BYTES) & known


def test_every_option_is_typed_as_pyzmq_types_it() -> None:
    # Code (pyzmq's own test_int_sockopts among it) picks how to pass an option by its
    # _opt_type, so the options ferromq does not have must be typed as pyzmq types them too.
    pyzmq = pytest.importorskip("zmq")
    theirs = pyzmq.constants.SocketOption
    shared = set(theirs.__members__) & set(constants.SocketOption.__members__)
    assert len(shared) > 100
    for option in theirs:
        if option.name not in shared:
            continue  # an installed pyzmq newer than the lists
        ours = constants.SocketOption[option.name]
        assert int(ours) == int(option), option.name
        assert ours._opt_type.value == option._opt_type.value, option.name  # type: ignore[attr-defined]


def test_socket_types_match_the_core() -> None:
    types = _native.socket_types()
    assert len(types) == 12
    for name, number in types:
        assert int(constants.SocketType[name]) == number, name
        assert getattr(zmq, name) == number, name


def test_errno_values_match_the_core() -> None:
    for name, number in _native.errnos():
        if name in constants.Errno.__members__:
            assert int(constants.Errno[name]) == number, name
        else:
            # pyzmq's Errno lists only some system errors: the others are the OS's.
            assert getattr(errno, name) == number, name
    assert zmq.ETERM == dict(_native.errnos())["ETERM"]


def test_monitor_events_match_the_core() -> None:
    events = _native.events()
    assert len(events) == 16
    for name, value in events:
        assert name.startswith("EVENT_"), name
        assert int(constants.Event[name[len("EVENT_"):]]) == value, name
        assert getattr(zmq, name) == value, name


@pytest.mark.parametrize("name", ["ZMQ_SUBSCRIBE", "ZMQ_TYPE", "ZMQ_LINGER"])
def test_table_access_rules_hold_on_a_socket(ctx: zmq.Context, name: str) -> None:
    row = {r[0]: r for r in _native.option_table()}[name]
    _, number, _kind, readable, writable, _ = row
    s = ctx.socket(zmq.SUB)
    try:
        if readable:
            s.getsockopt(number)
        else:
            with pytest.raises(zmq.ZMQError):
                s.getsockopt(number)
        value = b"" if name == "ZMQ_SUBSCRIBE" else 0
        if writable:
            s.setsockopt(number, value)
        else:
            with pytest.raises(zmq.ZMQError):
                s.setsockopt(number, value)
    finally:
        s.close(linger=0)
