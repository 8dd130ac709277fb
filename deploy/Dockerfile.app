# The LightDesign app (Streamlit). Several replicas run behind a load balancer with sticky
# sessions (deploy/nginx.conf); workspaces live in PostgreSQL, files in the shared work
# folder, and with LIGHTDESIGN_RAY_ADDRESS set the jobs run on the Ray cluster
# (Dockerfile.worker). Build from the repository root:
#   docker build -f deploy/Dockerfile.app -t lightdesign-app .
FROM python:3.11-slim

# Graphviz draws the SVG/PNG graphs; everything else comes from PyPI.
RUN apt-get update \
    && apt-get install -y --no-install-recommends graphviz \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt ./
# ray: only the link process to the cluster imports it (the Streamlit process never does); same pin as requirements-dev.txt
RUN pip install --no-cache-dir -r requirements.txt ray==2.60.0

COPY app.py ./
COPY pages ./pages
COPY static ./static
COPY lightdesign ./lightdesign
COPY .streamlit ./.streamlit

# The work folder (models, exports, job data): mount the storage the replicas share here.
ENV LIGHTDESIGN_WORK_DIR=/data \
    PYTHONUNBUFFERED=1
RUN useradd --create-home --uid 1000 lightdesign && mkdir -p /data && chown lightdesign /data
USER lightdesign
VOLUME ["/data"]

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"
CMD ["streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501", "--server.headless=true"]
