"""Stand-in for ansible-test's downloaded get-pip bootstrap: runs the pip wheel bundled with ensurepip."""
import glob
import os
import runpy
import sys

import ensurepip

bundled = glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), '_bundled', 'pip-*.whl'))
if not bundled:
    sys.exit('no bundled pip wheel found next to ensurepip')
sys.path.insert(0, bundled[0])
args = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel')]
sys.argv = ['pip', 'install', '--upgrade', '--force-reinstall'] + args
runpy.run_module('pip', run_name='__main__', alter_sys=True)
