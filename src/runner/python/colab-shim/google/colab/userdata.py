"""`google.colab.userdata` outside Colab: Colab's secrets panel does not exist here."""


class SecretNotFoundError(KeyError):
    pass


class NotebookAccessError(PermissionError):
    pass


def get(key):
    raise SecretNotFoundError(
        f"Colab secret {key!r} is not available under nbtrain: Colab's secrets live in the browser session. "
        f"Read it from an environment variable instead, e.g. os.environ[{key!r}], and pass it to the job as a secret."
    )
