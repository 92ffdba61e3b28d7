"""gunicorn settings for production: ``gunicorn -c gunicorn.conf.py satgas.wsgi``.

Every value can be changed from the environment (deploy/satgas.env.example lists them).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Scale up on one machine with more workers, out with more machines behind nginx.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
# nginx's proxy_read_timeout (75 s) is a little longer than this.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
# Only the proxy on this machine may set X-Forwarded-Proto (https) for gunicorn.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Heartbeat files in memory, not on a possibly slow disk (containers' overlay file systems).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# gunicorn >= 25 opens a control socket by default (in $HOME or ./): two instances on one
# machine would collide and an unprivileged container user cannot create it. Not used here.
control_socket_disable = True

# Logs to stdout/stderr (journald, docker logs). The access line ends with the request
# duration in seconds and the request id that nginx sends (X-Request-ID, "-" without nginx).
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" rt=%(L)s rid=%({x-request-id}i)s'
