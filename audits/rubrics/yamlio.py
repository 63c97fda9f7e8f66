"""Reading and writing rubrics as YAML (the format in ``audits.rubrics.spec``).

Reading is safe against hostile files: only plain YAML types are built (``safe_load``),
the file is at most ``MAX_YAML_BYTES``, and once its aliases are expanded it may hold at
most ``MAX_VALUES`` values, so a "billion laughs" file (a few lines of aliases of aliases)
is refused instead of being checked, item by item, a billion times.
"""

from __future__ import annotations

from typing import Any

import yaml

from audits.errors import ValidationError
from audits.rubrics.spec import RubricSpec, parse_rubric, rubric_to_dict


class _FlowList(list[Any]):
    """A list written on one line, like ``[3, 1.0]``."""


class _Dumper(yaml.SafeDumper):
    """Indents nested lists under their key, as people write YAML by hand."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        """Never write indentless sequences."""
        super().increase_indent(flow, False)


_Dumper.add_representer(
    _FlowList, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)
)


# The library's largest rubric is 15 kB and about 1,000 values: these limits leave room for any real one.
MAX_YAML_BYTES = 1024 * 1024
MAX_VALUES = 100_000


def load_yaml(data: str | bytes) -> Any:
    """Parse YAML text safely; a syntax error becomes a ``ValidationError`` on ``file`` with its line.

    Also refused on ``file``: text that is not UTF-8, more than ``MAX_YAML_BYTES``, nested
    too deeply to parse, or holding more than ``MAX_VALUES`` values once aliases are expanded.
    """
    size = len(data.encode() if isinstance(data, str) else data)
    if size > MAX_YAML_BYTES:
        raise ValidationError(
            "file", f"the file is larger than {MAX_YAML_BYTES // 1024:,} kB; a rubric takes a few kB"
        )
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValidationError("file", "the file is not UTF-8 text") from error
    try:
        loaded = yaml.safe_load(data)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ValidationError("file", f"{where}{error.problem or 'not valid YAML'}") from error
    except yaml.YAMLError as error:
        raise ValidationError("file", f"not valid YAML: {error}") from error
    except RecursionError as error:
        raise ValidationError("file", "the file is nested too deeply to read") from error
    _check_expanded_size(loaded)
    return loaded


def _check_expanded_size(loaded: Any) -> None:
    """Count the values of ``loaded`` as a reader of the YAML sees them (every alias expanded).

    Aliases share one object, so loading was cheap; walking them is not. The walk stops as
    soon as it passes ``MAX_VALUES``, which also ends a structure that contains itself.
    """
    left = MAX_VALUES
    pending = [loaded]
    while pending:
        value = pending.pop()
        left -= 1
        if left < 0:
            raise ValidationError(
                "file",
                f"the file holds more than {MAX_VALUES:,} values once its aliases (*name) are "
                "expanded; write the rubric out without aliases",
            )
        if isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)


def rubric_from_yaml(data: str | bytes) -> RubricSpec:
    """Parse and validate a rubric YAML document; every problem is reported by path."""
    return parse_rubric(load_yaml(data))


def rubric_to_yaml(spec: RubricSpec, version: int | None = None, status: str | None = None) -> str:
    """Write ``spec`` as YAML; ``version`` and ``status`` are added after the key when given."""
    data = rubric_to_dict(spec)
    if version is not None or status is not None:
        head = {"key": data.pop("key")}
        if version is not None:
            head["version"] = version
        if status is not None:
            head["status"] = status
        data = head | data
    for section in data["sections"]:
        for item in section["items"]:
            if "bands" in item:
                item["bands"] = _FlowList(_FlowList(band) for band in item["bands"])
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
