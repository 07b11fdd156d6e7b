"""`drive.mount` for runs outside Colab.

`/content/drive/MyDrive` becomes the run's Drive-synced folder: `NBTRAIN_DRIVE_DIR`, which the
runner points at the checkpoint folder, so whatever the notebook saves there is synced to the
store and restored on resume. Without a runner it is `./drive/MyDrive` under the working folder.

Two ways to make the absolute path work:
- `NBTRAIN_COLAB_LINK=1` (set in the runner's container image, where the job may write `/content`):
  a real symlink `<mountpoint>/MyDrive -> NBTRAIN_DRIVE_DIR`.
- otherwise (unprivileged, nothing outside the run is touched): paths under `<mountpoint>/MyDrive`
  are translated to the folder by wrapping the file functions that `open`, `pathlib`, `os`,
  `shutil`, `numpy` and `torch.save` go through.
"""
import builtins
import importlib.abc
import importlib.util
import io
import os
import sys

_REDIRECTS = []
_PATCHED = False


def _target_folder():
    folder = os.environ.get("NBTRAIN_DRIVE_DIR") or os.path.join(os.getcwd(), "drive", "MyDrive")
    os.makedirs(folder, exist_ok=True)
    return os.path.realpath(folder)


def _translate(path):
    if isinstance(path, int):
        return path
    try:
        text = os.fspath(path)
    except TypeError:
        return path
    if not isinstance(text, str):
        return path
    for prefix, target in _REDIRECTS:
        if text == prefix or text.startswith(prefix + "/"):
            return target + text[len(prefix):]
    return path


def _wrap_one(function):
    def wrapper(*args, **kwargs):
        # os.listdir() and os.scandir() take no path at all; open() may get it as file=.
        if args:
            args = (_translate(args[0]),) + args[1:]
        for name in ("path", "file"):
            if name in kwargs:
                kwargs[name] = _translate(kwargs[name])
        return function(*args, **kwargs)

    wrapper.__name__ = getattr(function, "__name__", "wrapper")
    wrapper.__doc__ = getattr(function, "__doc__", None)
    wrapper.__wrapped__ = function
    return wrapper


def _wrap_two(function):
    def wrapper(source, destination, *args, **kwargs):
        return function(_translate(source), _translate(destination), *args, **kwargs)

    wrapper.__name__ = getattr(function, "__name__", "wrapper")
    wrapper.__wrapped__ = function
    return wrapper


def _patch_torch(torch):
    # torch.save writes zip checkpoints through C++ with the path string, past Python's open().
    for owner in (torch, getattr(torch, "serialization", None)):
        if owner is None:
            continue
        for name in ("save", "load"):
            function = getattr(owner, name, None)
            if function is None or getattr(function, "_nbtrain_wrapped", False):
                continue
            if name == "save":
                def wrapped(obj, f, *args, _function=function, **kwargs):
                    return _function(obj, _translate(f), *args, **kwargs)
            else:
                def wrapped(f, *args, _function=function, **kwargs):
                    return _function(_translate(f), *args, **kwargs)
            wrapped._nbtrain_wrapped = True
            wrapped.__doc__ = function.__doc__
            setattr(owner, name, wrapped)


class _TorchImportHook(importlib.abc.MetaPathFinder):
    """Patches torch right after it is imported, when drive.mount ran first."""

    def find_spec(self, fullname, path, target=None):
        if fullname != "torch":
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec("torch")
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        original = loader.exec_module

        def exec_module(module):
            original(module)
            _patch_torch(module)
            if self in sys.meta_path:
                sys.meta_path.remove(self)

        loader.exec_module = exec_module
        return spec


def _install_redirects():
    global _PATCHED
    if _PATCHED:
        return
    _PATCHED = True
    if "torch" in sys.modules:
        _patch_torch(sys.modules["torch"])
    else:
        sys.meta_path.insert(0, _TorchImportHook())
    builtins.open = io.open = _wrap_one(io.open)
    for name in ("open", "stat", "lstat", "listdir", "scandir", "mkdir", "rmdir", "remove", "unlink", "chmod", "utime", "truncate", "access"):
        if hasattr(os, name):
            setattr(os, name, _wrap_one(getattr(os, name)))
    for name in ("rename", "replace", "symlink", "link"):
        if hasattr(os, name):
            setattr(os, name, _wrap_two(getattr(os, name)))


def mount(mountpoint, force_remount=False, timeout_ms=120000, readonly=False):
    """Makes `<mountpoint>/MyDrive` the run's Drive folder, as Colab's `drive.mount` does with Google Drive."""
    if not isinstance(mountpoint, str) or not mountpoint.startswith("/"):
        raise ValueError("Mountpoint must be an absolute path such as '/content/drive'.")
    mountpoint = os.path.normpath(mountpoint)
    target = _target_folder()
    link = os.path.join(mountpoint, "MyDrive")
    if os.environ.get("NBTRAIN_COLAB_LINK") == "1":
        os.makedirs(mountpoint, exist_ok=True)
        if os.path.islink(link) and os.path.realpath(link) == target:
            pass
        elif os.path.lexists(link):
            raise ValueError(f"Mountpoint {mountpoint} already holds a MyDrive that is not the run's folder; remove it first.")
        else:
            os.symlink(target, link)
    else:
        if not any(prefix == link for prefix, _ in _REDIRECTS):
            _REDIRECTS.append((link, target))
            _REDIRECTS.append((os.path.join(mountpoint, "My Drive"), target))
        _install_redirects()
    print(f"Mounted at {mountpoint}")


def flush_and_unmount(timeout_ms=86400000):
    """Nothing to flush: the runner syncs the folder itself."""
    print("Drive is synced by nbtrain; nothing to unmount.")
