"""Shortroute's shim for Python programs run under `shortroute env` or `shortroute exec`.

twilio-python before 7.9.1 (Debian 12 ships 7.7.1) sends with `Session.send`, which takes the
proxy from HTTPS_PROXY but never reads a CA variable, so Shortroute's certificate is refused.
Here every new `requests` session starts with `verify=$REQUESTS_CA_BUNDLE`, which is what
`Session.request` does anyway. `requests` is patched when it is first imported, so programs
that never use it pay nothing. Any other `sitecustomize` on the path still runs after this one.
"""
import importlib.machinery
import importlib.util
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))


def _verify_with_bundle(sessions):
    bundle = os.environ.get("REQUESTS_CA_BUNDLE")
    if not bundle:
        return
    original_init = sessions.Session.__init__

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.verify = bundle

    sessions.Session.__init__ = __init__


class _PatchOnImport:
    """A meta path finder that steps aside for `requests.sessions` and patches it once loaded."""

    def find_spec(self, name, path=None, target=None):
        if name != "requests.sessions":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_and_patch(module):
            exec_module(module)
            _verify_with_bundle(module)

        spec.loader.exec_module = exec_and_patch
        return spec


if "requests.sessions" in sys.modules:
    _verify_with_bundle(sys.modules["requests.sessions"])
else:
    sys.meta_path.insert(0, _PatchOnImport())


def _run_next_sitecustomize():
    others = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", others)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


_run_next_sitecustomize()
