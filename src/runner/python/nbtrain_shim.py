"""Executes one notebook on a Jupyter kernel for nbtrain's runner.

The TypeScript runner drives this shim: it writes one JSON line of settings to stdin and keeps
stdin open for the life of the run; it reads events as JSON lines from file descriptor 3. When
stdin reaches end-of-file the runner is gone (for example killed with -9), so the kernel is
killed at once instead of training on unobserved.

SIGTERM stops the run with notice: the stop file appears (`nbtrain.stop_requested()` turns True),
the running cell is interrupted (a KeyboardInterrupt in the notebook, so its `try/finally` or
`except KeyboardInterrupt: save()` runs), and the shim waits up to the stop grace for that cell to
end before it kills the kernel. A notebook that polls `stop_requested()` gets half the grace to end
its cell by itself before the interrupt. No further cell starts once a stop was requested.
"""
import json
import os
import signal
import sys
import threading
import time

EVENTS = os.fdopen(3, "w", buffering=1, encoding="utf-8")
EVENTS_LOCK = threading.Lock()


def emit(kind, **fields):
    fields["type"] = kind
    with EVENTS_LOCK:
        if EVENTS.closed:
            return
        EVENTS.write(json.dumps(fields) + "\n")
        EVENTS.flush()


def write_notebook(nb, path):
    import nbformat

    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        nbformat.write(nb, handle)
    os.replace(tmp, path)


def pin_kernel_to_this_python(kernel_dir):
    """A kernel spec named python3 whose argv is this interpreter, found first via JUPYTER_PATH.

    Without it jupyter_client may pick another python3 kernel spec (a user's or the system's),
    and the notebook would run on an interpreter other than the one that was checked.
    """
    spec_dir = os.path.join(kernel_dir, "kernels", "python3")
    os.makedirs(spec_dir, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (nbtrain)",
        "language": "python",
    }
    with open(os.path.join(spec_dir, "kernel.json"), "w", encoding="utf-8") as handle:
        json.dump(spec, handle)
    previous = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = kernel_dir + (os.pathsep + previous if previous else "")


def main():
    settings = json.loads(sys.stdin.readline())
    pin_kernel_to_this_python(settings["kernel_dir"])

    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = nbformat.read(settings["input"], as_version=4)
    output_path = settings["output"]
    grace = float(settings.get("stop_grace") or 0)
    control_dir = settings.get("control_dir")
    state = {"kernel_pid": None, "cell": None, "executed": 0, "stopping": False, "running": False, "stop": {}}
    finish_lock = threading.Lock()
    finished = {"done": False}

    class StopRequested(Exception):
        """Raised before a cell would start once the run is stopping."""

    def finish(status, error):
        with finish_lock:
            if finished["done"]:
                return False
            finished["done"] = True
            write_notebook(nb, output_path)
            emit("finished", status=status, error=error, cells_executed=state["executed"], cell=state["cell"], stop=state["stop"] or None)
            return True

    def kill_kernel():
        pid = state["kernel_pid"]
        if pid is None:
            return
        try:
            # The kernel runs in its own session; its group holds any workers it started.
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def watch_parent():
        for _line in sys.stdin:
            pass
        # End of file: the runner died without stopping us.
        kill_kernel()
        os._exit(137)

    def wait_for_cell(seconds):
        """True when no cell is running any more, waiting up to `seconds`."""
        end = time.monotonic() + seconds
        while state["running"] and time.monotonic() < end:
            time.sleep(0.02)
        return not state["running"]

    def stop_with_notice():
        started = time.monotonic()
        deadline = started + grace
        polling = bool(control_dir) and os.path.exists(os.path.join(control_dir, "polling"))
        try:
            # The kernel is done for once the cell ends: no graceful shutdown round trip.
            client.shutdown_kernel = "immediate"
        except NameError:
            pass
        stop = state["stop"]
        stop.update({"cell": state["cell"], "polling": polling, "interrupted": False, "killed": False})
        if polling and state["running"]:
            # It said it polls: let it end the cell itself for half the grace first.
            wait_for_cell(grace / 2)
        if state["running"] and state["kernel_pid"] is not None:
            try:
                os.kill(state["kernel_pid"], signal.SIGINT)
                stop["interrupted"] = True
            except ProcessLookupError:
                pass
        emit("stop", interrupted=stop["interrupted"], polling=polling, cell=state["cell"])
        ended = wait_for_cell(max(0.0, deadline - time.monotonic()))
        stop["cell_ended_after"] = round(time.monotonic() - started, 3)
        if not ended:
            stop["killed"] = True
            kill_kernel()
        # The main thread finishes on its own once the cell has ended or the kernel died; if it
        # hangs (a kernel that will not shut down), end here so the runner can sync.
        end = max(deadline, time.monotonic() + 5)
        while not finished["done"] and time.monotonic() < end:
            time.sleep(0.05)
        if not finished["done"]:
            kill_kernel()
            if finish("interrupted", None):
                os._exit(143)

    def on_sigterm(_signum, _frame):
        if state["stopping"]:
            return
        state["stopping"] = True
        if control_dir:
            try:
                with open(os.path.join(control_dir, "stop"), "w", encoding="utf-8") as handle:
                    handle.write(str(time.time()))
            except OSError:
                pass
        threading.Thread(target=stop_with_notice, daemon=True).start()

    signal.signal(signal.SIGTERM, on_sigterm)
    # Ctrl-C belongs to the runner, which stops this shim with SIGTERM after it has decided what to keep.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=watch_parent, daemon=True).start()

    def take_back_signals():
        # nbclient puts its own SIGTERM/SIGINT handlers on the event loop just before it starts the
        # kernel; they would shut the kernel down at once. A stop is a notice for the notebook, so
        # ours take their place.
        try:
            import asyncio

            loop = asyncio.get_event_loop()
            loop.add_signal_handler(signal.SIGTERM, on_sigterm, signal.SIGTERM, None)
            loop.add_signal_handler(signal.SIGINT, lambda: None)
        except (RuntimeError, NotImplementedError):
            pass

    class Client(NotebookClient):
        async def async_start_new_kernel(self, **kwargs):
            take_back_signals()
            return await super().async_start_new_kernel(**kwargs)

    def on_notebook_start(notebook):
        take_back_signals()
        provisioner = getattr(client.km, "provisioner", None)
        process = getattr(provisioner, "process", None)
        state["kernel_pid"] = getattr(process, "pid", None)
        emit("kernel", pid=state["kernel_pid"])

    def on_cell_start(cell, cell_index):
        if state["stopping"]:
            raise StopRequested()
        state["cell"] = cell_index
        state["running"] = True
        cell.metadata.setdefault("nbtrain", {})["status"] = "running"
        emit("cell_start", index=cell_index)

    def on_cell_executed(cell, cell_index, execute_reply):
        content = execute_reply.get("content", {}) if execute_reply else {}
        status = content.get("status", "ok")
        state["executed"] += 1
        state["running"] = False
        cell.metadata.setdefault("nbtrain", {})["status"] = "failed" if status == "error" else "completed"
        # Written after every cell so that even a kill -9 leaves the output as far as it got.
        write_notebook(nb, output_path)
        event = {"index": cell_index, "status": status, "execution_count": cell.get("execution_count")}
        if status == "error":
            event["ename"] = content.get("ename", "")
            event["evalue"] = content.get("evalue", "")
        emit("cell_done", **event)

    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.metadata.setdefault("nbtrain", {})["status"] = "pending"

    client = Client(
        nb,
        kernel_name="python3",
        timeout=settings.get("cell_timeout"),
        resources={"metadata": {"path": settings["cwd"]}},
        on_notebook_start=on_notebook_start,
        on_cell_start=on_cell_start,
        on_cell_executed=on_cell_executed,
    )

    emit("ready", python=sys.executable, cells=len(nb.cells))
    status, error = "completed", None
    try:
        client.execute()
    except StopRequested:
        status = "interrupted"
    except CellExecutionError as exc:
        status = "failed"
        error = {"index": state["cell"], "ename": getattr(exc, "ename", "") or "", "evalue": getattr(exc, "evalue", "") or ""}
    except (CellTimeoutError, DeadKernelError) as exc:
        status = "failed"
        first = str(exc).strip().splitlines()
        error = {"index": state["cell"], "ename": type(exc).__name__, "evalue": first[0] if first else ""}
    except Exception as exc:  # noqa: BLE001 - nbclient's cleanup of a kernel killed after the grace
        if not state["stopping"]:
            raise
        status, error = "failed", {"index": state["cell"], "ename": type(exc).__name__, "evalue": str(exc)}
    state["running"] = False
    if state["stopping"] and status == "failed":
        # The error is the stop itself (KeyboardInterrupt, or the kernel killed after the grace).
        status, error = "interrupted", None
    # The kernel is shut down now; forget its pid so a late SIGTERM cannot hit a reused one.
    state["kernel_pid"] = None
    finish(status, error)
    EVENTS.close()


if __name__ == "__main__":
    main()
