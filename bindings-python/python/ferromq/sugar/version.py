"""``zmq.sugar.version``: version functions (ferromq's own version as pyzmq's)."""

from ferromq import __version__, pyzmq_version, pyzmq_version_info, zmq_version, zmq_version_info

VERSION_MAJOR, VERSION_MINOR, VERSION_PATCH = zmq_version_info()
__revision__ = ""
VERSION_EXTRA = ""
version_info = pyzmq_version_info()

__all__ = ["zmq_version", "zmq_version_info", "pyzmq_version", "pyzmq_version_info", "__version__"]
