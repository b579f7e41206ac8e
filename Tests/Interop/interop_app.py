"""Python Celery 5.7 peer for Celeriac's interoperability tests.

Same task names as Celeriac's demo tasks, routed to the `py` queue so Python and Swift workers
never take each other's tasks (a mixed fleet needs queue-per-language routing).
Configuration comes from the environment the test command exports (AMQP_URL, REDIS_URL).
"""
import os

from celery import Celery

app = Celery("interop", broker=os.environ["AMQP_URL"], backend=os.environ["REDIS_URL"])
app.conf.update(
    task_serializer="json",
    accept_content=["json"],
    result_serializer="json",
    result_extended=True,
    task_acks_late=True,
    task_default_queue="py",
    worker_prefetch_multiplier=4,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
)


@app.task(name="demo.add")
def add(x, y):
    return x + y


@app.task(name="demo.sum")
def sum_(values):
    return sum(values)


@app.task(name="demo.echo")
def echo(value):
    return value


@app.task(name="demo.fail")
def fail(message):
    raise ValueError(message)


@app.task(name="demo.request_view", bind=True)
def request_view(self):
    """What this worker made of the message's headers: Celeriac leaves out the optional ones at
    Celery's default, and they must read as that default."""
    r = self.request
    return {
        "name": self.name, "retries": r.retries, "time_limit": r.time_limit, "soft_time_limit": r.soft_time_limit,
        "eta": r.eta, "expires": r.expires, "group": r.group, "group_index": r.group_index,
        "parent_id": r.parent_id, "root_id": r.root_id, "shadow": r.shadow,
        "stamps": r.stamps or {}, "stamped_headers": r.stamped_headers,
        "replaced_task_nesting": r.replaced_task_nesting, "ignore_result": r.ignore_result, "id": r.id,
    }
