"""Two-column HTML tables: how models and exceptions show in a notebook (`_repr_html_`)."""

from html import escape


def _cell(value):
    if hasattr(value, "_repr_html_"):
        return value._repr_html_()
    if isinstance(value, list):
        return "<br>".join(_cell(item) for item in value)
    return escape(str(value))


def table(caption, rows):
    """`rows` are (name, value) pairs; nested models become nested tables, lists one item a line."""
    cells = "".join(
        '<tr><th style="text-align:left">%s</th><td style="text-align:left">%s</td></tr>' % (escape(name), _cell(value))
        for name, value in rows
    )
    return "<table><caption>%s</caption>%s</table>" % (escape(caption), cells)
