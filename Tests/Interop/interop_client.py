"""Command-line Celery client used by the Swift interoperability tests.

Each command prints one JSON object on stdout.
  send NAME QUEUE ARGS_JSON [TIMEOUT]   send_task + get(); prints {"id", "state", "result"} or the exception
  wait ID [TIMEOUT]                      AsyncResult(ID).get(); same output
  state ID                               {"id", "state", "exists"}
  events SECONDS [READY_FILE]            capture events with Celery's own receiver for SECONDS from the moment
                                         it consumes (then READY_FILE is created); prints {"events": [...]}
  chord HEADER_QUEUE BODY_QUEUE N [TIMEOUT]
                                         chord([demo.add(i, i) for i < N] on HEADER_QUEUE, demo.sum on BODY_QUEUE),
                                         built from signatures by name; prints the body's outcome
"""
import json
import sys
import threading

from celery import chord, signature

from interop_app import app


def outcome(result, timeout):
    try:
        value = result.get(timeout=timeout, propagate=True)
        return {"id": result.id, "state": result.state, "result": value}
    except Exception as exc:  # noqa: BLE001 - the test inspects whatever was raised
        return {"id": result.id, "state": result.state, "exc_type": type(exc).__name__,
                "exc_module": type(exc).__module__, "exc_message": str(exc)}


def main(argv):
    command = argv[1]
    if command == "send":
        name, queue, args = argv[2], argv[3], json.loads(argv[4])
        timeout = float(argv[5]) if len(argv) > 5 else 30
        print(json.dumps(outcome(app.send_task(name, args=args, queue=queue), timeout)))
    elif command == "wait":
        timeout = float(argv[3]) if len(argv) > 3 else 30
        print(json.dumps(outcome(app.AsyncResult(argv[2]), timeout)))
    elif command == "chord":
        header_queue, body_queue, count = argv[2], argv[3], int(argv[4])
        timeout = float(argv[5]) if len(argv) > 5 else 60
        header = [signature("demo.add", args=(i, i), queue=header_queue, app=app) for i in range(count)]
        body = signature("demo.sum", queue=body_queue, app=app)
        print(json.dumps(outcome(chord(header, app=app)(body), timeout)))
    elif command == "events":
        seconds = float(argv[2])
        ready_file = argv[3] if len(argv) > 3 else None
        captured = []
        with app.connection() as connection:
            receiver = app.events.Receiver(connection, handlers={"*": captured.append})
            consume_ready = receiver.on_consume_ready

            def on_consume_ready(*args, **kwargs):
                # The event queue is bound and consumed: events sent from now on are captured.
                # SECONDS count from here, however long the imports took; READY_FILE tells the
                # caller it may start sending.
                consume_ready(*args, **kwargs)
                threading.Timer(seconds, lambda: setattr(receiver, "should_stop", True)).start()
                if ready_file:
                    open(ready_file, "w").close()

            receiver.on_consume_ready = on_consume_ready
            # One consumer (one connection, one queue) for the whole window: kombu checks
            # should_stop at least every second.
            for _ in receiver.itercapture(limit=None, timeout=None, wakeup=False):
                pass
        print(json.dumps({"events": [{k: e.get(k) for k in ("type", "uuid", "hostname", "name", "result")} for e in captured]}))
    elif command == "state":
        result = app.AsyncResult(argv[2])
        print(json.dumps({"id": result.id, "state": result.state, "exists": result.exists()}))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv)
