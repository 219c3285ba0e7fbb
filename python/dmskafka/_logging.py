"""The official `with_stream_log` / `with_file_log`, as handlers on the `dmskafka` logger."""

import logging
import sys

_FORMAT = "%(asctime)s %(thread)d %(name)s %(filename)s %(lineno)d %(levelname)s %(message)s"
_logger = logging.getLogger("dmskafka")


def _replace(kind, handler, level, format_string):
    for old in [h for h in _logger.handlers if type(h) is kind]:
        old.close()
        _logger.removeHandler(old)
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter(format_string or _FORMAT))
    _logger.addHandler(handler)
    _logger.setLevel(level)


def add_stream_handler(stream, level, format_string):
    _replace(logging.StreamHandler, logging.StreamHandler(stream or sys.stdout), level, format_string)


def add_file_handler(path, level, max_bytes, backup_count, format_string):
    from logging.handlers import RotatingFileHandler

    handler = RotatingFileHandler(path, maxBytes=max_bytes, backupCount=backup_count)
    _replace(RotatingFileHandler, handler, level, format_string)
