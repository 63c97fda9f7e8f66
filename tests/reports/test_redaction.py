"""Staff names come out of quotes in Spanish as in English; ordinary words stay."""

from __future__ import annotations

import pytest

from reports.comments import STAFF, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Señora Díaz nos atendió muy bien.", f"{STAFF} nos atendió muy bien."),
        ("Hablé con la maestra Ruiz.", f"Hablé con la {STAFF}."),
        ("Luego el señor Pérez me pasó con la secretaria.", f"Luego el {STAFF} me pasó con la secretaria."),
        ("La Sra. Díaz dijo que volviera mañana.", f"La {STAFF} dijo que volviera mañana."),
        ("La Srta. Núñez y el Sr. Ibáñez contestaron.", f"La {STAFF} y el {STAFF} contestaron."),
        ("Nos recibió la directora Ana María López.", f"Nos recibió la {STAFF}."),
        ("Don Ángel abrió la puerta.", f"{STAFF} abrió la puerta."),
        ("Me atendió la Dra. de la Cruz.", f"Me atendió la {STAFF}."),
        ("La profesora Gómez y la enfermera Soto ayudaron.", f"La {STAFF} y la {STAFF} ayudaron."),
        # English keeps working, initials keep their full stop.
        ("Ms. Rivera and Mr. Lee were at the desk.", f"{STAFF} and {STAFF} were at the desk."),
        ("Dr. J. Lee answered.", f"{STAFF} answered."),
    ],
)
def test_spanish_and_english_staff_names_are_removed(text: str, expected: str) -> None:
    assert redact(text, []) == expected


@pytest.mark.parametrize(
    "text",
    [
        "La secretaria me dijo que volviera el lunes.",  # a title with no name after it
        "Señor, le pregunté dos veces.",
        "I will miss Tuesday's meeting.",  # English titles stay case-sensitive
        "La maestra fue muy amable.",
    ],
)
def test_titles_without_a_name_and_ordinary_words_stay(text: str) -> None:
    assert redact(text, []) == text
