"""`google.colab.output` outside Colab: display helpers do nothing, JavaScript is unavailable."""


def clear(wait=False, output_tags=()):
    from IPython.display import clear_output

    clear_output(wait=wait)


def eval_js(script, ignore_result=False, timeout_sec=None):
    raise NotImplementedError("output.eval_js needs Colab's browser frontend, which an nbtrain run does not have.")


def __getattr__(name):
    # enable_custom_widget_manager, no_vertical_scroll, register_callback and friends only affect
    # Colab's frontend, so they do nothing here rather than fail a training run.
    if name.startswith("__"):
        raise AttributeError(name)

    def nothing(*args, **kwargs):
        return None

    nothing.__name__ = name
    return nothing
