"""examples/smart_connect.ipynb runs headless (nbclient, against the emulator), and models and
errors show as tables in a notebook."""

import pathlib

import nbformat
import pytest
from nbclient import NotebookClient

from dmskafka import ClientRequestException, ShowInstanceResponse, ValidationException
from dmskafka.exceptions import SdkError

NOTEBOOK = pathlib.Path(__file__).parent.parent / "examples" / "smart_connect.ipynb"


@pytest.fixture
def jupyter_dirs(monkeypatch, tmp_path):
    # Jupyter and IPython write runtime and profile files under HOME: keep them in tmp_path.
    for name, folder in [
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_CONFIG_DIR", "config"),
        ("IPYTHONDIR", "ipython"),
    ]:
        monkeypatch.setenv(name, str(tmp_path / folder))
    # Opts in to the paths jupyter_core warns it will move to (its warning would be an error here).
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")


def html_of(cell):
    (output,) = [o for o in cell.outputs if o.output_type == "execute_result"]
    return output.data["text/html"]


def test_the_notebook_enables_waits_and_inspects_on_the_emulator(jupyter_dirs):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    ).execute()
    cells = {cell.id: cell for cell in notebook.cells}

    assert all(o.output_type != "error" for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs)
    assert "<caption>CreateConnectorResponse (HTTP 200)</caption>" in html_of(cells["enable"])
    wait = html_of(cells["wait"])
    assert "<caption>ListBackgroundTasksRespTasks</caption>" in wait and "SUCCESS" in wait
    inspect = html_of(cells["inspect"])
    assert "<caption>ShowInstanceResponse (HTTP 200)</caption>" in inspect
    assert '<th style="text-align:left">connector_enable</th><td style="text-align:left">True</td>' in inspect
    error = html_of(cells["error"])
    assert "<caption>ClientRequestException</caption>" in error and "DMS.00400017" in error
    # The task section: the body shows its OBS keys masked; the task runs; the list shows it.
    body = html_of(cells["task-create"])
    assert "<caption>CreateSmartConnectTaskReq</caption>" in body and "****" in body
    assert "secret_key" in body and "notebook-bucket" in body
    waited = html_of(cells["task-wait"])
    assert "<caption>ShowConnectorTaskResponse (HTTP 200)</caption>" in waited and "RUNNING" in waited
    listed = html_of(cells["task-list"])
    assert "<caption>ListConnectorTasksResponse (HTTP 200)</caption>" in listed and "orders-to-obs" in listed


def test_model_tables_show_the_set_fields_escaped_and_nested():
    shown = ShowInstanceResponse._from_json(
        {"name": "<b>kafka</b>", "status": "RUNNING", "tags": [{"key": "k", "value": "v"}]}
    )
    html = shown._repr_html_()
    assert html.startswith("<table><caption>ShowInstanceResponse</caption>")
    assert "&lt;b&gt;kafka&lt;/b&gt;" in html and "<b>" not in html
    assert "<caption>TagEntity</caption>" in html
    assert "connector_id" not in html  # unset fields are left out
    names = [part.split("</th>")[0] for part in html.split('<th style="text-align:left">')[1:3]]
    assert names == ["name", "status"]  # the official field order


def test_exception_tables_show_what_to_act_on():
    html = ClientRequestException(400, SdkError("req-1", "DMS.00400026", "busy"))._repr_html_()
    for text in ("ClientRequestException", "400", "DMS.00400026", "busy", "req-1"):
        assert text in html
    assert "encoded_auth_msg" not in html  # None: left out
    validation = ValidationException("node_cnt", "must be >= 2")._repr_html_()
    assert "node_cnt" in validation and "must be &gt;= 2" in validation


class Printer:
    """The part of IPython's pretty printer that `_repr_pretty_` uses."""

    def __init__(self):
        self.text_parts = []

    def text(self, text):
        self.text_parts.append(text)


def test_ipython_shows_models_as_indented_json():
    printer = Printer()
    ShowInstanceResponse(name="kafka", status="RUNNING")._repr_pretty_(printer, False)
    assert printer.text_parts == ['{\n  "name": "kafka",\n  "status": "RUNNING"\n}']
