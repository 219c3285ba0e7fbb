"""AK/SK credentials with the official `BasicCredentials` constructor, properties and builders."""

from dmskafka._attrs import attr

__all__ = ["BasicCredentials"]


def _required(name):
    private = "_" + name

    def fset(self, value):
        if not value:
            raise ValueError("%s cannot be None or empty" % name)
        setattr(self, private, value)

    return property(lambda self: getattr(self, private), fset)


class BasicCredentials:
    """Access key, secret key and project of a regional service."""

    def __init__(self, ak=None, sk=None, project_id=None):
        # As in the official SDK the constructor takes empty values; the setters refuse them.
        self._ak = ak
        self._sk = sk
        self._project_id = project_id
        self._security_token = None
        self._iam_endpoint = None
        self._sts_endpoint = None
        self._idp_id = None
        self._id_token_file = None
        # The core's source of the keys, for credentials the provider chain found.
        self._keys = None

    ak = _required("ak")
    sk = _required("sk")
    project_id = attr("project_id")
    security_token = attr("security_token")
    iam_endpoint = attr("iam_endpoint")
    sts_endpoint = attr("sts_endpoint")
    idp_id = attr("idp_id")
    id_token_file = attr("id_token_file")

    def with_ak(self, ak):
        self.ak = ak
        return self

    def with_sk(self, sk):
        self.sk = sk
        return self

    def with_project_id(self, project_id):
        self.project_id = project_id
        return self

    def with_security_token(self, token):
        self.security_token = token
        return self

    def with_iam_endpoint(self, endpoint):
        self.iam_endpoint = endpoint
        return self

    def with_sts_endpoint(self, endpoint):
        self.sts_endpoint = endpoint
        return self

    def with_idp_id(self, idp_id):
        self.idp_id = idp_id
        return self

    def with_id_token_file(self, id_token_file):
        self.id_token_file = id_token_file
        return self

    def __repr__(self):
        # The secret key and the token never appear, only whether they are set.
        return "%s(ak=%r, sk=%s, project_id=%r, security_token=%s)" % (
            self.__class__.__name__,
            self.ak,
            "'****'" if self.sk else None,
            self.project_id,
            "'****'" if self.security_token else None,
        )
