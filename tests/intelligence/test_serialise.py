import json
from datetime import date

from kundenversteher.intelligence import IntelligenceConfig, ModelBundle, understand
from kundenversteher.intelligence.serialise import SCHEMA_VERSION, understanding_to_dict


def test_understanding_round_trips_through_json_with_entities_and_enums_as_values() -> None:
    result = understand(
        "Ich will sofort wissen, wo Bestellung 4711 bleibt! Sonst gehe ich zum Anwalt.",
        models=ModelBundle(intent=None, sentiment=None, config=IntelligenceConfig()),
        today=date(2026, 11, 23),
    )

    data = json.loads(json.dumps(understanding_to_dict(result)))

    assert data["schema"] == SCHEMA_VERSION
    assert data["language"]["code"] == "de"
    order = [e for e in data["entities"] if e["kind"] == "order_number"]
    assert [e["value"] for e in order] == ["4711"]
    assert data["text"][order[0]["start"] : order[0]["end"]].endswith("4711")
    assert "legal_threat" in {cue["kind"] for cue in data["urgency"]["cues"]}
    assert isinstance(data["sentiment"]["label"], str)
