"""The counter's form (web/templates/letter_requests/_request_body.html) shows each field of
every letter type with the control its type needs, required where the type says so."""

from html.parser import HTMLParser

from sodamolek.letters import service as letters
from tests.conftest import login

INPUT_TYPE = {"text": "text", "number": "number", "date": "date"}


class Controls(HTMLParser):
    """name -> (tag, attributes, options) of every data.* control of the page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, tuple[str, dict, list[str]]] = {}
        self._select: str | None = None  # the select whose options are being read
        self._in_option = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        name = attributes.get("name") or ""
        if tag in ("input", "textarea", "select") and name.startswith("data."):
            self.found[name] = (tag, attributes, [])
            self._select = name if tag == "select" else None
        elif tag == "option" and self._select:
            self._in_option = True

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._select and self._in_option and data.strip():
            self.found[self._select][2].append(data.strip())
            self._in_option = False


async def test_every_letter_types_fields_get_the_control_of_their_type(client, staff):
    await login(client, staff.operator)
    types = await letters.list_letter_types(active_only=True)
    assert types
    kinds_seen = set()
    for letter_type in types:
        page = await client.get(f"/permohonan/baru/{letter_type['code']}")
        assert page.status_code == 200
        parser = Controls()
        parser.feed(page.text)
        full = await letters.get_letter_type(letter_type["code"])
        assert set(parser.found) == {f"data.{f['name']}" for f in full["fields"]}
        for field in full["fields"]:
            tag, attributes, options = parser.found[f"data.{field['name']}"]
            kind = field["type"]
            kinds_seen.add(kind)
            assert ("required" in attributes) == bool(field.get("required")), field
            if kind == "textarea":
                assert tag == "textarea"
            elif kind == "select":
                assert tag == "select" and options == ["— pilih —", *field["options"]]
            else:
                assert tag == "input" and attributes["type"] == INPUT_TYPE[kind], field
                if kind == "number":
                    assert attributes["inputmode"] == "numeric" and attributes["min"] == "0"
    assert kinds_seen >= {"text", "textarea", "number", "date", "select"}  # every kind shown
