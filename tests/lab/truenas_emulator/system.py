"""The system.* methods: version strings, product type, system.info, system.ready.

Follows plugins/system/product.py (version, version_short, product_type), utils/__init__.py (sw_info,
ProductTypes), plugins/system/info.py with api/v25_10_1/system.py (SystemInfoResult; the same in api/v26_0_0 and
api/v27_0_0) and plugins/system/lifecycle.py (ready).
"""

import time
from datetime import datetime, timedelta, timezone

from .api import api_method

_BUILDTIME = datetime(2025, 1, 1, tzinfo=timezone.utc)


# follows plugins/system/product.py (version: sw_info()['fullname'], "TrueNAS-25.10.1" from 25.04 on)
@api_method('system.version')
async def version(ctx):
    return ctx.emu.personality.fullname


# follows plugins/system/product.py (version_short: sw_info()['version'])
@api_method('system.version_short')
async def version_short(ctx):
    return ctx.emu.personality.version


# follows plugins/system/product.py (product_type: ENTERPRISE on HA-capable hardware or with a license for certified
# hardware, else COMMUNITY_EDITION; the emulated NAS has neither) with api/v25_10_1/system_product.py
# (SystemProductTypeResult: COMMUNITY_EDITION | ENTERPRISE; 24.x and older answered SCALE / SCALE_ENTERPRISE)
@api_method('system.product_type')
async def product_type(ctx):  # pylint: disable=unused-argument
    return 'COMMUNITY_EDITION'


# follows plugins/system/lifecycle.py (ready: true once boot finished)
@api_method('system.ready')
async def ready(ctx):  # pylint: disable=unused-argument
    return True


# follows plugins/system/info.py (info) and api/v25_10_1/system.py (SystemInfoResult fields)
@api_method('system.info')
async def info(ctx):
    emu = ctx.emu
    uptime = time.monotonic() - emu.started_monotonic
    offset = emu.faults.take('clock_offset')
    now = datetime.now(timezone.utc) + timedelta(seconds=offset['seconds'] if offset else 0)
    return {
        'version': emu.personality.version, 'buildtime': _BUILDTIME, 'hostname': emu.network.config()['hostname'],
        'physmem': 8 * 1024 ** 3, 'model': 'Emulated CPU', 'cores': 4, 'physical_cores': 2,
        'loadavg': [0.1, 0.1, 0.1], 'uptime': str(timedelta(seconds=uptime)), 'uptime_seconds': uptime,
        'system_serial': 'EMULATOR0001', 'system_product': 'TrueNAS emulator', 'system_product_version': None,
        'license': None, 'boottime': now - timedelta(seconds=uptime), 'datetime': now, 'timezone': 'Etc/UTC',
        'system_manufacturer': None, 'ecc_memory': False,
    }
