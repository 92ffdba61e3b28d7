"""A Celery worker must survive a broker (Redis) restart: a work-around for kombu 5.7.0.

What happens without it (reproduced with kombu 5.7.0 / celery 5.7.0 and redis-py 8.1, see
``satgas/core/tests/test_broker_restart.py``): the worker holds unacknowledged messages (a task running with
``acks_late``, or messages prefetched with an ETA); Redis goes away; the consumer releases the broken connection
to reconnect. Closing its channel restores the unacknowledged messages (``virtual.Channel.close`` →
``QoS.restore_unacked_once`` → ``redis.QoS.restore_unacked`` → ``Channel.conn_or_acquire`` → a new connection
pool, the old one having been disconnected → ``Channel._connparams``), which reads
``self.connection.client.hostname`` — but the transport has already been detached from its kombu connection
(``transport.client`` is ``None``)::

    Restoring 18 unacknowledged message(s)
    AttributeError: 'NoneType' object has no attribute 'hostname'

The consumer treats that as an unrecoverable error and the worker exits. (Same family as celery/kombu#970 and
kombu#582; not fixed upstream in 5.7.0.)

The work-around, applied when ``satgas.celery`` is imported (web, worker, beat):

1. ``Channel._connparams`` remembers the connection parameters it computed while the transport still had its
   connection, and uses them when the transport has been detached, so the restore can reach Redis and put the
   messages back in the queue (if Redis is back already);
2. ``redis.QoS.restore_unacked`` turns any failure of that restore (Redis still down, or anything else) into a
   logged warning instead of an exception: the worker goes on reconnecting. Messages it could not restore stay
   in Redis's unacked set (kombu's ``restore_visible`` puts them back after the visibility timeout) or, when
   Redis restarted empty, are re-sent by the outbox relay (``satgas.core.outbox``: a row is finished only when
   its task finished).

When kombu is upgraded, run ``test_broker_restart.py`` with the patch disabled
(``SATGAS_KOMBU_RESTORE_PATCH=0``); drop this module once it passes.
"""

import logging
import os

logger = logging.getLogger(__name__)


def install() -> bool:
    from kombu.transport import redis as kombu_redis

    channel, qos = kombu_redis.Channel, kombu_redis.QoS
    if getattr(channel._connparams, "satgas_patched", False):
        return False
    original_connparams, original_restore = channel._connparams, qos.restore_unacked

    def _connparams(self, asynchronous=False):
        transport = self.connection
        remembered = self.__dict__.setdefault("_satgas_connparams", {})
        if getattr(transport, "client", None) is None and asynchronous in remembered:
            return dict(remembered[asynchronous])
        params = original_connparams(self, asynchronous=asynchronous)
        remembered[asynchronous] = dict(params)
        return params

    def restore_unacked(self, client=None):
        try:
            return original_restore(self, client)
        except Exception as exc:  # noqa: BLE001 - never let a failed restore stop the worker
            logger.warning(
                "Could not restore %s unacknowledged message(s) to the broker (%s: %s); they come back after the "
                "visibility timeout or from the outbox relay.",
                len(getattr(self, "_delivered", ()) or ()),
                exc.__class__.__name__,
                exc,
            )
            self._delivered.clear()
            return None

    _connparams.satgas_patched = True
    channel._connparams = _connparams
    qos.restore_unacked = restore_unacked
    return True


if os.environ.get("SATGAS_KOMBU_RESTORE_PATCH", "1") != "0":
    install()
