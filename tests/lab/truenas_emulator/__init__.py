"""TrueNAS middleware emulator -- a TEST FIXTURE of the nasjoin.entra collection, not TrueNAS.

A JSON-RPC 2.0 server over WebSocket (TLS or plain TCP, plus the on-box unix socket) that answers a small,
faithful subset of the TrueNAS 25.04 / 25.10 / 26 / 27 middleware API (personalities.py: the source ref of each) so
the collection's tests have a NAS to talk to. Each emulated method names the middleware source it follows (paths
relative to ``src/middlewared/middlewared/`` of truenas/middleware). Never shipped with the collection.

In process: ``Emulator(...).start(...)`` (see emulator.py); as a process: ``python -m truenas_emulator``
(see __main__.py); from another process: ``control.Control(path)``; on-box CLI: the ``midclt`` script here.
"""

from .emulator import Emulator

__all__ = ['Emulator']
