"""`google.colab.files` outside Colab: there is no browser to talk to."""
import os
import shutil


def download(filename):
    """Copies the file into the run's output folder (`NBTRAIN_OUTPUT_DIR/downloads`), which nbtrain stores."""
    folder = os.path.join(os.environ.get("NBTRAIN_OUTPUT_DIR", os.getcwd()), "downloads")
    os.makedirs(folder, exist_ok=True)
    destination = os.path.join(folder, os.path.basename(filename))
    shutil.copyfile(filename, destination)
    print(f"Saved {filename} to {destination}; it is stored with the run's outputs.")


def upload(*args, **kwargs):
    raise NotImplementedError(
        "files.upload() needs a browser, which an nbtrain run does not have. Commit the file next to the "
        "notebook or put it in the run's Drive folder (/content/drive/MyDrive after drive.mount) instead."
    )


def view(filename):
    print(f"files.view is not available under nbtrain; the file is {filename}.")
