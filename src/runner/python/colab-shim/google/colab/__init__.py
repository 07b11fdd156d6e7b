"""nbtrain's stand-in for Colab's `google.colab` package, so notebooks written for Colab run unchanged.

It is put first on the kernel's PYTHONPATH by nbtrain's runner. `google` stays a namespace
package (no google/__init__.py) so other `google.*` distributions still import.
"""
__all__ = ["drive", "files", "output", "userdata"]
