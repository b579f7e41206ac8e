"""Python Celery 5.7 side of `scripts/bench.sh compare`.

The same task names and results as Celeriac's demo tasks (`demo.add`, `demo.sum`), on the same
RabbitMQ and Redis (AMQP_URL, REDIS_URL), consuming BENCH_PY_QUEUE. The settings match what
Celeriac's worker does by default, so the comparison is like for like:

- acks late (Celeriac acknowledges after the result is stored);
- `result_extended` (Celeriac stores name, args, kwargs, worker, retries and queue with results);
- results expire after a day (Celeriac's RESULT_EXPIRES default);
- no task events (the Celeriac workers run with WORKER_EVENTS=0 in the benchmark).

Run by scripts/bench.sh as
    celery -A bench_app worker -P prefork -c 2 -Q $BENCH_PY_QUEUE --without-gossip --without-mingle --without-heartbeat
"""
import os

from celery import Celery

app = Celery("bench", broker=os.environ["AMQP_URL"], backend=os.environ["REDIS_URL"])
app.conf.update(
    task_serializer="json",
    accept_content=["json"],
    result_serializer="json",
    result_extended=True,
    result_expires=86400,
    task_acks_late=True,
    task_default_queue=os.environ.get("BENCH_PY_QUEUE", "bench.py"),
    worker_prefetch_multiplier=int(os.environ.get("BENCH_PY_PREFETCH_MULTIPLIER", "4")),
    worker_send_task_events=False,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
)


@app.task(name="demo.add")
def add(x, y):
    return x + y


@app.task(name="demo.sum")
def sum_(values):
    return sum(values)
