"""The supervisor socket for task code that runs in a child Python process.

``ExternalPythonOperator``, ``PythonVirtualenvOperator`` and their ``@task.external_python``
/ ``@task.virtualenv`` forms run the callable in another interpreter, whose Airflow
reconnects to the supervisor through the socket named by ``__AIRFLOW_SUPERVISOR_FD``
(length-prefixed msgpack frames). :func:`subprocess_channel` opens such a socket and
answers its requests with the run's :class:`~translators.execution._comms.LocalComms`,
as Airflow's in-process test supervisor does with the metadata database.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from translators.execution._comms import LocalComms

__all__ = ["needs_subprocess_channel", "subprocess_channel"]

_FD_VARIABLE = "__AIRFLOW_SUPERVISOR_FD"
#: the base of the operators whose callable runs in a child interpreter
_CHILD_PYTHON_BASE = "_BasePythonVirtualenvOperator"


def needs_subprocess_channel(dags: Iterable[Any]) -> bool:
    """Whether a task of ``dags`` runs Python in a child process that calls back (the
    channel costs a thread per run, so runs without such tasks go without)."""
    return any(_CHILD_PYTHON_BASE in {cls.__name__ for cls in type(task).__mro__}
               or _CHILD_PYTHON_BASE in {cls.__name__ for cls in
                                         getattr(getattr(task, "operator_class", None),
                                                 "__mro__", ())}
               for dag in dags for task in dag.tasks)


@contextlib.contextmanager
def subprocess_channel(comms: LocalComms) -> Iterator[None]:
    """A socket child processes of this run can reach the run's memory through."""
    parent, child = socket.socketpair()
    os.set_inheritable(child.fileno(), True)
    saved = os.environ.get(_FD_VARIABLE)
    os.environ[_FD_VARIABLE] = str(child.fileno())
    thread = threading.Thread(target=_serve, args=(parent, comms), daemon=True,
                              name="assetbridge-airflow-supervisor")
    thread.start()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(_FD_VARIABLE, None)
        else:
            os.environ[_FD_VARIABLE] = saved
        with contextlib.suppress(OSError):
            parent.shutdown(socket.SHUT_RDWR)
        parent.close()
        child.close()
        thread.join(1)


def _serve(sock: socket.socket, comms: LocalComms) -> None:
    import msgspec
    from airflow.sdk.execution_time.comms import ToSupervisor, _RequestFrame, _ResponseFrame
    from pydantic import TypeAdapter

    decoder = TypeAdapter(ToSupervisor)
    while True:
        header = _receive(sock, 4)
        if header is None:
            return
        payload = _receive(sock, int.from_bytes(header, byteorder="big"))
        if payload is None:
            return
        request = msgspec.msgpack.decode(payload, type=_RequestFrame)
        if (request.body or {}).get("type") == "ResendLoggingFD":
            _send_log_fd(sock, request.id)
            continue
        try:
            response = comms.send(decoder.validate_python(request.body))
            frame = _frame(_ResponseFrame, request.id, response)
        except Exception as exc:  # answer, or the child waits forever
            frame = _ResponseFrame(id=request.id, error={"error": "GENERIC_ERROR",
                                                         "detail": {"message": str(exc)}})
        with contextlib.suppress(OSError):
            sock.sendall(frame.as_bytes())


def _send_log_fd(sock: socket.socket, request_id: int) -> None:
    """The child asks for a log channel: it gets ``/dev/null`` (its output still reaches the
    operator through the child's stdout, which the operator logs)."""
    from airflow.sdk.execution_time.comms import SentFDs, _ResponseFrame

    frame = _ResponseFrame(id=request_id, body=SentFDs(fds=[]).model_dump(mode="json"))
    with open(os.devnull, "wb") as sink, contextlib.suppress(OSError):
        socket.send_fds(sock, [bytes(frame.as_bytes())], [sink.fileno()])


def _frame(frame_type: Any, request_id: int, response: Any) -> Any:
    if response is None:
        return frame_type(id=request_id)
    body = response.model_dump(mode="json")
    if type(response).__name__ == "ErrorResponse":
        return frame_type(id=request_id, error=body)
    return frame_type(id=request_id, body=body)


def _receive(sock: socket.socket, size: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        try:
            chunk = sock.recv(size - len(chunks))
        except OSError:
            return None
        if not chunk:
            return None
        chunks.extend(chunk)
    return bytes(chunks)
