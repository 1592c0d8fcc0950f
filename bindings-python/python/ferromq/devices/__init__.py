"""Background devices (pyzmq's ``zmq.devices``): proxies between sockets the device
creates, in a thread or a process; see :mod:`ferromq.devices.basedevice`."""

from ferromq import device, proxy, proxy_steerable
from ferromq.devices import basedevice, monitoredqueue, monitoredqueuedevice, proxydevice, proxysteerabledevice
from ferromq.devices.basedevice import BackgroundDevice, Device, ProcessDevice, ThreadDevice
from ferromq.devices.monitoredqueue import monitored_queue
from ferromq.devices.monitoredqueuedevice import MonitoredQueue, ProcessMonitoredQueue, ThreadMonitoredQueue
from ferromq.devices.proxydevice import ProcessProxy, Proxy, ThreadProxy
from ferromq.devices.proxysteerabledevice import ProcessProxySteerable, ProxySteerable, ThreadProxySteerable

__all__ = [
    "device", "proxy", "proxy_steerable", "monitored_queue",
    "Device", "BackgroundDevice", "ThreadDevice", "ProcessDevice",
    "Proxy", "ThreadProxy", "ProcessProxy",
    "ProxySteerable", "ThreadProxySteerable", "ProcessProxySteerable",
    "MonitoredQueue", "ThreadMonitoredQueue", "ProcessMonitoredQueue",
    "basedevice", "monitoredqueue", "monitoredqueuedevice", "proxydevice", "proxysteerabledevice",
]
