"""What a notebook run by nbtrain can ask the runner. Importable only inside an nbtrain kernel.

`stop_requested()` is True once the job has been told to stop (SIGTERM from Batch, a spot reclaim,
a cancel, a timeout, the local backend shutting down). A notebook that polls it between steps
saves its checkpoint and returns; nbtrain then waits for the cell to end, up to the stop grace,
before it interrupts the kernel. Notebooks that do not poll get a KeyboardInterrupt at once.

Outside nbtrain (Colab, a laptop) keep a fallback:

    try:
        from nbtrain import stop_requested
    except ImportError:
        def stop_requested():
            return False
"""
import os

__all__ = ["stop_requested", "stop_grace_seconds"]

_announced = False


def _control_file(name):
    folder = os.environ.get("NBTRAIN_CONTROL_DIR")
    return os.path.join(folder, name) if folder else None


def stop_requested():
    """True once the run is stopping; cheap enough to call after every batch."""
    global _announced
    if not _announced:
        # The first call tells the runner that this notebook polls, so it waits before interrupting.
        marker = _control_file("polling")
        if marker:
            try:
                with open(marker, "w", encoding="utf-8"):
                    pass
            except OSError:
                pass
        _announced = True
    stop = _control_file("stop")
    return bool(stop) and os.path.exists(stop)


def stop_grace_seconds():
    """Seconds the notebook has, after a stop request, to save before its kernel is killed."""
    try:
        return float(os.environ.get("NBTRAIN_STOP_GRACE", "10"))
    except ValueError:
        return 10.0
