# One image for every Thi Đua service and the portal; docker-compose picks which with the command.
FROM python:3.11-slim
ENV UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1 PYTHONUNBUFFERED=1
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock ./
COPY libs ./libs
COPY services ./services
COPY cli ./cli
COPY apps ./apps
RUN uv sync --frozen --no-dev
ENV PATH="/app/.venv/bin:$PATH" THIDUA_VAR_DIR=/var/lib/thidua THIDUA_HOST=0.0.0.0 THIDUA_LOG_FORMAT=json
CMD ["thidua", "--help"]
