# The training job's container image: CUDA PyTorch, Jupyter's kernel machinery, Node and the
# nbtrain runner. Build it from the repository root after `npm run build:functions`:
#
#   npm run build:functions
#   docker build -f templates/runner.Dockerfile -t nbtrain-runner .
#
# then push it to ECR and pass its URI to `sam deploy` as RunnerImageUri.

ARG PYTORCH_IMAGE=pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS node

FROM ${PYTORCH_IMAGE}

# Node's official binaries need only glibc 2.28, which the PyTorch (Ubuntu) image has.
COPY --from=node /usr/local/bin/node /usr/local/bin/node

# What the runner's Python shim imports (nbformat, nbclient) and the kernel it starts (ipykernel,
# which brings IPython for the google.colab stand-in). Pinned, so a rebuild runs the same stack.
RUN python -m pip install --no-cache-dir \
      nbformat==5.10.4 \
      nbclient==0.10.2 \
      ipykernel==6.29.5 \
 && python -m ipykernel install --sys-prefix --name python3

# The runner bundle, its Python shim and the package.json it finds them by (dist/runner-image/).
COPY dist/runner-image /opt/nbtrain
RUN ln -s /opt/nbtrain/bin/nbtrain-runner.mjs /usr/local/bin/nbtrain-runner \
 && useradd --create-home --uid 1000 nbtrain \
 && mkdir -p /work \
 && chown nbtrain /work

ENV NBTRAIN_PYTHON=/opt/conda/bin/python \
    PYTHONUNBUFFERED=1 \
    NODE_OPTIONS=--enable-source-maps

USER nbtrain
WORKDIR /work
ENTRYPOINT ["nbtrain-runner"]
