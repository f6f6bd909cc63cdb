"""Events compiled once: one Kind per event type, and a schedule equal to scanning every event
at every step."""

from __future__ import annotations

import typing

from simulation import events as ev
from simulation.scenario import load_scenario, shipped_names
from simulation.scenario import schema as s
from simulation.world import build_world


def test_every_event_type_of_the_schema_has_one_kind():
    classes = typing.get_args(typing.get_args(s.Event)[0])
    assert set(ev.KINDS) == set(classes)
    assert len({kind for kind in ev.KINDS.values()}) == len(classes)


def test_the_schedule_equals_a_scan_of_every_event_at_every_step():
    for name in shipped_names():
        world = build_world(load_scenario(name).scenario)
        bounds = world.calendar.boundaries(None)
        compiled = world.schedule(bounds)
        for k in range(1, len(bounds)):
            scan = [(e, ev.step_share(e, bounds[k - 1], bounds[k], world.pauses_of(e))) for e in world.events]
            assert [(e.id, share) for e, share in compiled[k]] == [(e.id, x) for e, x in scan if x > 0], (name, k)
        assert world.schedule(bounds) is compiled  # compiled once per calendar


def test_state_refs_name_every_state_an_event_names_in_field_order():
    summit = s.Summit.model_validate({"id": "x", "type": "summit", "date": "2024-01-01", "source": "test",
                                      "host": "RUS", "participants": ["PRK", "CHN"]})
    assert s.state_refs(summit) == [(("host",), "RUS"), (("participants", 0), "PRK"), (("participants", 1), "CHN")]
    assert ev.involved(summit) == ["RUS", "PRK", "CHN"]
    change = s.PolicyChange.model_validate({"id": "y", "type": "policy_change", "date": "2024-01-01",
                                            "source": "test", "state": "ROK", "stance": {"RUS": -0.2}})
    assert s.state_refs(change, stance=True) == [(("state",), "ROK"), (("stance", "RUS"), "RUS")]
    assert ev.default_label(change) == "ROK changes course"
