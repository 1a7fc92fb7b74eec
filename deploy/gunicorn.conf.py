"""Gunicorn settings for Tavern, all overridable from the environment."""

import ctypes
import ctypes.util
import gc
import os
import shutil
import tempfile

# Worker model, chosen by measurement (wrk, 2 vCPU, PostgreSQL + Redis on loopback, wrk on the same CPUs,
# so only ratios within one run count):
#
#   config (workers x threads)   GET /health   GET /    GET / while 4 clients sit in a 100 ms I/O wait
#   sync 2                       ~1,400 r/s    ~530     ~35 r/s, p50 220 ms (every worker was waiting)
#   sync 4                         ~900        ~290     ~65-130 r/s, p99 1.0-1.3 s
#   gthread 2 x 4                  ~850        ~420     ~90-390 r/s, p99 180-510 ms
#   gthread 2 x 8                  ~900        ~590     ~350-530 r/s, p50 14-20 ms
#
# and on `make bench`'s mixed table (players reading their own pages and writing, one request in five), runs of
# 15-20 s alternating in one session: 2 x 8 274-279 r/s (p99 226-270 ms), 2 x 4 301-318 r/s (p99 165-235 ms),
# 2 x 3 322-331, 2 x 2 331-335, 3 x 3 294-309. Every one of those requests is CPU in the worker, and threads past
# what the CPUs run only queue behind the GIL, stretching each request they hold.
#
# Sync workers win only on trivial CPU-bound requests; one request waiting on the database, Redis or S3
# stalls a whole process, and the figure of the last column collapses. gthread with one worker per CPU keeps
# the CPUs busy while requests wait on I/O (the GIL is released there). 3 threads each is the balance: the
# players' mix runs faster than with 4 or 8, and a request stuck on a slow service (Redis answers or fails within
# 1 s, S3 within its 10 s read timeout) still leaves its worker two threads to serve with. Three stuck on one worker
# leave it none, where 4 threads would keep one: that margin cost some 8% of the mix. Each worker's SQLAlchemy
# pool (5 + 10 overflow) covers its threads; PostgreSQL sees at most instances x workers x threads connections
# (4 x 2 x 3 = 24).
# Later, on the same mixed table, three alternations of 2 x 4 against sync 4: the same req/s (178-236 against
# 176-241) with a lower p99 for sync (179-276 ms against 277-424), since each request runs to its end instead of
# sharing its worker's GIL, and the shared accept queue is first come, first served. Kept gthread all the same:
# the last column above is what a slow database or S3 does to sync workers. 4 x 2 against 2 x 4 (three
# alternations each) differed by less than the machine's drift. On an optimised Python (Debian's 3.11), the full
# mix with its reads-only table, one stack each, alternating (req/s, medians of 3-5 rounds): mixed 2 x 4 514-518,
# 2 x 3 556, 2 x 2 560-569, with p99 149/110 ms, 99 ms and 99/111 ms; reads only about equal (1,238-1,334 against
# 1,280-1,342); the bare hello 3,917-3,964 for 2 x 4 and 2 x 3, 3,392-3,429 for 2 x 2. Each thread past what the
# CPUs run adds a GIL hand-off around every round trip to Redis or PostgreSQL: kept reads walked by 4 threads in
# one process cost 35-40% more CPU each than by one. 2 x 3 takes the mix's gain and keeps the hello's.
# Nginx buffers slow clients, so no thread waits on a slow network.
bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '5000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "3"))
# The live streams' instances run GUNICORN_WORKER_CLASS=gevent: each open stream is a greenlet that waits on
# Redis's news, so one worker holds thousands (make bench measures 1,000 beside the players' mix).
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", "4000"))

# Timeouts, consistent with nginx.conf: Nginx waits proxy_read_timeout (30 s) for an answer, so a request
# may take as long as a silent worker is tolerated (timeout, 30 s). Idle keep-alive connections from Nginx
# are closed by Nginx after 4 s, before Gunicorn's 5 s, so Nginx never reuses a connection that Gunicorn
# is closing (which would be a 502). Behind AWS's load balancer (60 s idle timeout) the same rule needs the
# opposite numbers, so Terraform sets GUNICORN_KEEPALIVE=75. graceful_timeout lets in-flight requests
# finish on a deploy; the container's stop grace period (30 s in docker-compose.yml and Terraform) is longer.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
# Long but legal query strings (a cursor, a search and filters) reach the app, which answers 400 with reasons.
# Nginx's limits lie under these (nginx.conf, large_client_header_buffers 4 8000), so what is too long is refused
# there, as problem+json, and never here with Gunicorn's own HTML page. Nginx takes at most 32,000 bytes of
# headers, so at most 8,000 header lines (plus the few it adds) reach Gunicorn.
limit_request_line = 8190
limit_request_field_size = 8190
limit_request_fields = 8100
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))

max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "100" if max_requests else "0"))
accesslog = None  # the app writes one JSON line per request itself
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
proc_name = "tavern"
wsgi_app = "webapp:create_app()"

# X-Forwarded-Proto (https) is believed only from the proxies the app trusts as well (TRUSTED_PROXIES takes
# addresses and networks, comma-separated, as both the app and Gunicorn accept them).
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES") or "127.0.0.1,::1"

# The heartbeat file must live in memory: on a container's overlay filesystem fchmod can block a worker.
if os.path.isdir("/dev/shm"):  # noqa: S108 - a private heartbeat file, as Gunicorn's docs advise
    worker_tmp_dir = "/dev/shm"  # noqa: S108

# Gunicorn's control socket defaults to one path per user, which several instances on one host (blue and
# green, the tests) would share; nothing here uses gunicornc, so it is off unless a path is given.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True

# Prometheus collects from every worker through files in one directory; it must exist before any
# worker imports prometheus_client, so it is set here, in the master, at configuration time.
_own_metrics_dir = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _own_metrics_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="tavern-metrics-")
os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)


def on_starting(server) -> None:
    """Start from empty metric files: figures of a previous run must not leak into this one."""
    directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    for entry in os.listdir(directory):
        path = os.path.join(directory, entry)
        if os.path.isdir(path):
            shutil.rmtree(path)
        else:
            os.remove(path)


# glibc gives each thread that allocates under contention an arena of its own (up to 8 per CPU), and freed
# memory stays in the arena it came from: with several threads a worker's resident size creeps up for nothing.
# Two arenas measured the same throughput in `make bench` and a lower peak.
MALLOC_ARENAS = int(os.environ.get("GUNICORN_MALLOC_ARENAS", "2"))
# Blocks from this size up are mapped on their own and given back to the system when freed. Without a fixed
# threshold glibc raises it after the first big free, and every sign-in's 19 MiB password hash then stays in
# the worker's heap: 30 sign-ins grew a worker by some 40 MB.
MALLOC_MMAP_THRESHOLD = int(os.environ.get("GUNICORN_MALLOC_MMAP_THRESHOLD", str(4 * 1024 * 1024)))
M_ARENA_MAX, M_MMAP_THRESHOLD = -8, -3  # from glibc's malloc.h


def post_fork(server, worker) -> None:
    """Cap the worker's malloc arenas and fix its mmap threshold before its threads start (glibc only)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        if MALLOC_ARENAS > 0:
            libc.mallopt(M_ARENA_MAX, MALLOC_ARENAS)
        if MALLOC_MMAP_THRESHOLD > 0:
            libc.mallopt(M_MMAP_THRESHOLD, MALLOC_MMAP_THRESHOLD)
    except (OSError, AttributeError):
        server.log.info("malloc settings left as they are (not glibc)")


def post_worker_init(worker) -> None:
    """Keep what loading the app made (some 190,000 objects that live as long as the worker) out of every later
    garbage collection: a full collection over them stalled all the worker's threads for about 100 ms."""
    gc.collect()
    gc.freeze()


def child_exit(server, worker) -> None:
    """Fold a finished worker's live gauges out of the totals (its counters stay counted)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server) -> None:
    """Remove the metrics folder this configuration made for itself (a given one belongs to its owner)."""
    if _own_metrics_dir:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
