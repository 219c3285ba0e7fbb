"""``huaweicloudsdkcore.http.http_handler``: handlers see each exchange after it (see the README)."""

from dmskafka._logging import HttpHandler, HttpRequest, HttpResponse

__all__ = ["HttpHandler", "HttpRequest", "HttpResponse"]
