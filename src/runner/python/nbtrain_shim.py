"""Executes one notebook on a Jupyter kernel for nbtrain's runner.

The TypeScript runner drives this shim: it writes one JSON line of settings to stdin and keeps
stdin open for the life of the run; it reads events as JSON lines from file descriptor 3. When
stdin reaches end-of-file the runner is gone (for example killed with -9), so the kernel is
killed at once instead of training on unobserved. SIGTERM stops the run: the notebook as far as
it got is written and the kernel is killed.
"""
import json
import os
import signal
import sys
import threading

EVENTS = os.fdopen(3, "w", buffering=1, encoding="utf-8")
EVENTS_LOCK = threading.Lock()


def emit(kind, **fields):
    fields["type"] = kind
    with EVENTS_LOCK:
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
    state = {"kernel_pid": None, "cell": None, "executed": 0, "stopping": False}

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

    def on_sigterm(_signum, _frame):
        if state["stopping"]:
            return
        state["stopping"] = True
        kill_kernel()
        try:
            write_notebook(nb, output_path)
        finally:
            emit("finished", status="interrupted", error=None, cells_executed=state["executed"], cell=state["cell"])
            os._exit(143)

    signal.signal(signal.SIGTERM, on_sigterm)
    # Ctrl-C belongs to the runner, which stops this shim with SIGTERM after it has decided what to keep.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=watch_parent, daemon=True).start()

    def on_notebook_start(notebook):
        provisioner = getattr(client.km, "provisioner", None)
        process = getattr(provisioner, "process", None)
        state["kernel_pid"] = getattr(process, "pid", None)
        emit("kernel", pid=state["kernel_pid"])

    def on_cell_start(cell, cell_index):
        state["cell"] = cell_index
        cell.metadata.setdefault("nbtrain", {})["status"] = "running"
        emit("cell_start", index=cell_index)

    def on_cell_executed(cell, cell_index, execute_reply):
        content = execute_reply.get("content", {}) if execute_reply else {}
        status = content.get("status", "ok")
        state["executed"] += 1
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

    client = NotebookClient(
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
    except CellExecutionError as exc:
        status = "failed"
        error = {"index": state["cell"], "ename": getattr(exc, "ename", "") or "", "evalue": getattr(exc, "evalue", "") or ""}
    except (CellTimeoutError, DeadKernelError) as exc:
        status = "failed"
        first = str(exc).strip().splitlines()
        error = {"index": state["cell"], "ename": type(exc).__name__, "evalue": first[0] if first else ""}
    # The kernel is shut down now; forget its pid so a late SIGTERM cannot hit a reused one.
    state["kernel_pid"] = None
    write_notebook(nb, output_path)
    emit("finished", status=status, error=error, cells_executed=state["executed"])
    EVENTS.close()


if __name__ == "__main__":
    main()
