FROM python:3.11-slim
WORKDIR /app
# gcc builds the compiled UBL walk (setup.py); without it the install falls back to the slower pure-Python walk.
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml setup.py README.md ./
COPY src ./src
RUN pip install --no-cache-dir ".[validation]"
ENTRYPOINT []
