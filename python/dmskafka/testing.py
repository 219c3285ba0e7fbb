"""A local DMS for Kafka emulator for tests: a fake cloud, as moto is for boto3.

    from dmskafka.testing import Emulator

    with Emulator() as emu:
        instance_id = emu.add_instance()
        client = (KafkaClient.new_builder()
                  .with_credentials(BasicCredentials(emu.ak, emu.sk, emu.project_id))
                  .with_endpoints([emu.endpoint])
                  .build())
        ...
        emu.advance(5)          # finish running jobs without sleeping

With pytest, the ``dmskafka_emulator`` fixture yields a started ``Emulator`` per test; it comes
from the ``_dmskafka_pytestplugin`` pytest plugin, which imports this module only once a test
uses the fixture (``from dmskafka.testing import dmskafka_emulator`` also gives it).
The emulator runs in this process on background threads, serving 127.0.0.1 on an
ephemeral port. Routes, error codes and fault semantics: docs/emulator.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional

from dmskafka._core import EmulatorServer

if TYPE_CHECKING:  # at run time from __getattr__ below, on first use
    from _dmskafka_pytestplugin import dmskafka_emulator as dmskafka_emulator

__all__ = ["Emulator", "dmskafka_emulator"]


class Emulator:
    """A running emulator; a context manager that stops it on exit.

    ``job_duration`` is how long enabling or deleting Smart Connect takes in emulator
    time (seconds); ``task_duration`` how long a Smart Connect task is CREATING or
    RESTARTING. ``advance`` moves that time forward.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        job_duration: float = 2.0,
        task_duration: float = 2.0,
    ) -> None:
        self._server = EmulatorServer(host, port, job_duration, task_duration)

    # -- connection details ------------------------------------------------------------
    @property
    def endpoint(self) -> str:
        """The DMS endpoint, ``http://127.0.0.1:PORT``."""
        return self._server.endpoint

    @property
    def iam_endpoint(self) -> str:
        """The IAM endpoint for project-id discovery (the same server)."""
        return self._server.iam_endpoint

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def ak(self) -> str:
        """The seeded access key."""
        return self._server.ak

    @property
    def sk(self) -> str:
        """The seeded secret key (a fake, valid only against this emulator)."""
        return self._server.sk

    @property
    def project_id(self) -> str:
        """The seeded project, owned by the seeded AK; instances go there by default."""
        return self._server.project_id

    # -- control plane -----------------------------------------------------------------
    def add_credentials(
        self,
        ak: str,
        sk: str,
        project_id: str,
        security_token: Optional[str] = None,
        *,
        region: Optional[str] = None,
    ) -> None:
        """Registers an AK/SK owning ``project_id``.

        With ``security_token`` the AK is temporary: requests must carry that
        X-Security-Token. Registering an AK again replaces its SK and token and adds the
        project (so one AK can own several projects). ``region`` limits the IAM lookup
        ``GET /v3/projects?name=`` to that region; by default the project answers for any.
        """
        self._server.add_credentials(ak, sk, project_id, security_token, region)

    def add_instance(
        self,
        instance_id: Optional[str] = None,
        *,
        project_id: Optional[str] = None,
        charging_mode: str = "postPaid",
        flavor: str = "new",
        specification: Optional[str] = None,
        status: str = "RUNNING",
        name: Optional[str] = None,
        job_duration: Optional[float] = None,
        fail_enable: bool = False,
        max_tasks: int = 18,
    ) -> str:
        """Seeds an instance and returns its id (a new UUID unless given).

        ``charging_mode``: "postPaid" (pay-per-use) or "prePaid". ``flavor``: "new" or
        "old"; an old flavor's ``specification`` is its bandwidth (100MB by default) and
        enabling Smart Connect then needs specification and spec_code. ``fail_enable``
        makes the enable job end FAILED; ``job_duration`` overrides the emulator's.
        ``max_tasks`` is its Smart Connect task quota (``max_tasks`` and ``quota_tasks`` of
        list_connector_tasks). The instance is also a peer Kafka the tasks of other
        instances in its project reach by its id (3 brokers, no SASL).
        """
        return self._server.add_instance(
            instance_id,
            project_id,
            charging_mode,
            flavor,
            specification,
            status,
            name,
            job_duration,
            fail_enable,
            max_tasks,
        )

    def add_kafka_peer(
        self,
        *,
        instance_id: Optional[str] = None,
        bootstrap_servers: Optional[str] = None,
        brokers: int = 3,
        user: Optional[str] = None,
        password: Optional[str] = None,
    ) -> None:
        """Adds a peer Kafka that Smart Connect tasks can replicate with, named by
        ``instance_id`` or by ``bootstrap_servers`` ("host:port,host2:port2"; a task's
        addresses reach it when each is one of these). With ``user`` and ``password`` it
        takes SASL only (SASL_SSL or SASL_PLAINTEXT, that user and password); without,
        PLAINTEXT only. A task's ``replication_factor`` may be at most ``brokers``.
        """
        self._server.add_kafka_peer(
            instance_id=instance_id,
            bootstrap_servers=bootstrap_servers,
            brokers=brokers,
            user=user,
            password=password,
        )

    def add_obs_bucket(self, name: str, *, location: str = "cn-north-4", storage_class: str = "STANDARD") -> None:
        """Adds an OBS bucket: listed by list_obs_buckets (for every project), and a
        destination an OBS_SINK task may name. ``storage_class``: STANDARD, WARM, COLD or
        DEEP_ARCHIVE."""
        self._server.add_obs_bucket(name, location=location, storage_class=storage_class)

    def fail_task(self, instance_id: str, task_id: str) -> None:
        """Puts a Smart Connect task in FAILED, a status the real API does not document, so
        that code waiting on a task can be tested; such a task can only be shown, modified
        or deleted. KeyError for an unknown instance or task."""
        self._server.fail_task(instance_id, task_id)

    def connector_tasks(self, instance_id: str) -> List[Dict[str, Any]]:
        """The instance's Smart Connect tasks as show_connector_task shows them (no
        password or OBS key), oldest first. KeyError for an unknown instance."""
        return self._server.connector_tasks(instance_id)

    def show_instance(self, instance_id: str) -> Dict[str, Any]:
        """The emulator's view: the ShowInstance body plus project_id, flavor and tasks."""
        return self._server.show_instance(instance_id)

    def requests(self) -> List[Dict[str, Any]]:
        """Received requests, oldest first: method, path, query, headers, body, route,
        status (None when dropped), error_code, request_id, fault, received_at."""
        return self._server.requests()

    def clear_requests(self) -> None:
        self._server.clear_requests()

    def inject_fault(
        self,
        route: Optional[str] = None,
        *,
        latency: Optional[float] = None,
        status: Optional[int] = None,
        body: Optional[str] = None,
        count: Optional[int] = None,
        probability: Optional[float] = None,
        drop_connection: bool = False,
        truncate_body: bool = False,
        trickle: Optional[float] = None,
        seed: Optional[int] = None,
    ) -> None:
        """Adds a fault rule; see docs/emulator.md for the semantics.

        ``route``: an operation name of the table ("create_connector", "show_instance",
        "keystone_list_projects", ...), or None for every request. ``latency`` and
        ``trickle`` are seconds; ``count`` None means until ``clear_faults``.
        """
        self._server.inject_fault(
            route,
            latency=latency,
            status=status,
            body=body,
            count=count,
            probability=probability,
            drop_connection=drop_connection,
            truncate_body=truncate_body,
            trickle=trickle,
            seed=seed,
        )

    def clear_faults(self) -> None:
        self._server.clear_faults()

    def advance(self, seconds: float) -> None:
        """Fast-forwards emulator time: jobs due by then are finished on the next look.
        Signature checks keep using the real clock."""
        self._server.advance(seconds)

    def set_connector_sold_out(self, sold_out: bool = True) -> None:
        """The region's connector resources are (not) sold out: show_connector_resource_info
        answers ``soldOut``, and create_connector fails (DMS.00400900) while they are."""
        self._server.set_connector_sold_out(sold_out)

    # -- lifecycle ---------------------------------------------------------------------
    def close(self) -> None:
        """Stops the server; idempotent."""
        self._server.close()

    def __enter__(self) -> "Emulator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Emulator(endpoint={self.endpoint!r})"


def __getattr__(name: str) -> Any:
    # ``from dmskafka.testing import dmskafka_emulator`` (in a conftest, say) still works: the
    # fixture is the pytest plugin's own object, so pytest sees one fixture, not two. Looked up
    # only when asked for, so ``dmskafka.testing`` never imports pytest by itself.
    if name == "dmskafka_emulator":
        try:
            from _dmskafka_pytestplugin import dmskafka_emulator
        except ImportError as exc:  # pytest is not installed: no fixture, as before
            raise AttributeError(f"{name} needs pytest: {exc}") from exc
        return dmskafka_emulator
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> List[str]:
    # Listed, so that pytest, which scans a plugin with dir(), still finds the fixture through an
    # install made before the entry point moved to ``_dmskafka_pytestplugin``.
    return sorted(list(globals()) + ["dmskafka_emulator"])
