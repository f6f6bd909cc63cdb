"""Build facts_2022_2025.md: the facts behind the shipped scenarios, with their primary sources.

    python scenarios/data/build_facts.py --reference ../shared/data/reference

Sections 1–2 are copied from the reference notes (their README.md: per-state figures, alliances,
dated events 2022–2025). Sections 3–5 are written from the scenarios themselves, so that the file
lists exactly what they encode and observe: the events of 2025 added to korea_russia_2024, its
observed outcomes and the article's predictions with what became of them, and world_2024's
observed outcomes. Rerun it after editing those sections of the scenarios.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SCENARIOS = HERE.parent
# events of 2025 already in the reference notes (section 2); the others were added for issue 28
IN_NOTES = {"treaty_rus_irn", "kn23_2025", "deploy_rotation_2025", "us_inauguration", "us_aid_2025", "us_aid_pause",
            "deploy_engineers_2025", "shells_2025_h2", "anchorage_summit", "rok_election_2025"}
HEADER = """# Facts of 2022–2025 behind the shipped scenarios, with their primary sources

The sources of the shipped scenarios' events, observed outcomes and curated figures point here,
to a file that ships with the package, and through it to the primary source: the body that
published the fact (a government, a UN record, an intelligence service as quoted, a news
agency). Sections 1 and 2 are copied from the project's reference notes (built from news
reports quoting the primary body; `[R]` marks a figure recalled, not confirmed in a source).
Sections 3 to 5 were compiled for issue 28 from public reporting of 2025 and name, per fact,
the primary source to consult. They were written without network access, so dates and figures
are as recalled from that reporting: check a fact against its primary source before relying on
it, and report an error as an issue. Built by `scenarios/data/build_facts.py`.

"""
NOT_ENCODED = """
Not encoded, for want of the states or of an event type: the Israel–Iran war of 13–24 June 2025
(Israel is not a state of this scenario; the US strikes of 22 June are); the reimposition of UN
sanctions on Iran on 28 September 2025 at the E3's request (the E3 are not states of this
scenario; US sanctions on Iran are already at 0.8); the US–Ukraine minerals agreement of 30
April 2025 (an investment fund: no flow of aid); the Istanbul talks between Russia and Ukraine
(16 May, 2 June, 23 July 2025: prisoner exchanges, no agreement); the ROK's halt of loudspeaker
broadcasts (11 June 2025: no event type for a unilateral de-escalation); DPRK missile tests.
"""


def _strip(text: str) -> str:
    """A source without its pointer back to this file."""
    return re.sub(r"\s*\(scenarios/data/facts_2022_2025\.md[^)]*\)", "", text)


def _section(notes: str, start: str, stop: str) -> str:
    return notes[notes.index(start):notes.index(stop)]


def _outcomes(observed: list[dict]) -> str:
    rows = ["| id | what happened | record (primary source) |", "|---|---|---|"]
    rows += [f"| `{o['id']}` | {o['what'] if o.get('happened', True) else 'not: ' + o['what']} | {o['source']} |"
             for o in observed]
    return "\n".join(rows) + "\n"


def _predictions(expectations: list[dict]) -> str:
    rows = ["| id | verdict | what happened | source |", "|---|---|---|---|"]
    rows += [f"| `{x['id']}` | {x['reality']['verdict'].replace('_', ' ')} | {x['reality']['note']} | "
             f"{_strip(x['reality']['source'])} |" for x in expectations if x.get("reality")]
    return "\n".join(rows) + "\n"


def build(reference: Path) -> str:
    notes = (reference / "README.md").read_text(encoding="utf-8")
    korea = yaml.safe_load((SCENARIOS / "korea_russia_2024.yaml").read_text(encoding="utf-8"))
    world = yaml.safe_load((SCENARIOS / "world_2024.yaml").read_text(encoding="utf-8"))
    figures = _section(notes, "## Per-state figures", "## Alliances and blocs").split("\n", 1)[1]
    alliances = _section(notes, "## Alliances and blocs", "## Dated events").split("\n", 1)[1]
    events = _section(notes, "## Dated events", "## Europe 1936").split("\n", 1)[1]
    added = [e for e in korea["events"] if str(e["date"]) >= "2025-01-01" and e["id"] not in IN_NOTES]
    return "".join([
        HEADER,
        "## 1. Per-state figures (2023–2025)\n", figures,
        "Primary bodies: SIPRI Military Expenditure Database and SIPRI Yearbook (milex, warheads); World Bank "
        "WDI NY.GDP.MKTP.CD and SP.POP.TOTL (GDP, population); IISS, *The Military Balance 2024* (personnel); "
        "ROK Ministry of National Defense, *2022 Defense White Paper* (DPRK personnel); Bank of Korea (DPRK GDP); "
        "Bailey, Strezhnev & Voeten (2017), July 2025 release (UNGA ideal points).\n\n",
        "### Alliances and blocs\n", alliances,
        "## 2. Dated events 2022–2025 (as in the reference notes)\n\nFigures are intelligence estimates and vary "
        "by source. Primary bodies: ROK National Intelligence Service (NIS) briefings to the National Assembly; "
        "ROK Defense Intelligence Agency (DIA) and Joint Chiefs of Staff (JCS); ROK Ministry of National Defense; "
        "US Department of Defense and State Department briefings; NATO; Defence Intelligence of Ukraine (HUR); "
        "the Kremlin and KCNA for the treaty.\n", events,
        "## 3. Events of 2025 added to korea_russia_2024 for issue 28\n\n| id | date | event | primary source |\n"
        "|---|---|---|---|\n",
        "".join(f"| `{e['id']}` | {e['date']} | {e.get('label', '')} | {_strip(e['source'])} |\n" for e in added),
        NOT_ENCODED,
        "\n## 4. What happened in 2025: the observed outcomes and the article's predictions\n\n"
        "The observed outcomes of `korea_russia_2024` (its `observed:` section), each with the record\n"
        "that shows which way it went:\n\n", _outcomes(korea["observed"]),
        "\nThe article's predictions (`expectations:` with `reality:`):\n\n", _predictions(korea["expectations"]),
        "\n## 5. Third parties in 2025: the observed outcomes of world_2024\n\n", _outcomes(world["observed"]),
        "\nThe world scenario's predictions with `reality:`:\n\n", _predictions(world["expectations"]),
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, required=True, help="folder of the reference data (its README.md)")
    parser.add_argument("--out", type=Path, default=HERE / "facts_2022_2025.md")
    args = parser.parse_args()
    args.out.write_text(build(args.reference), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
