"""Events compiled once: one Kind per event type, and a schedule equal to scanning every event
at every step."""

from __future__ import annotations

import typing

import pytest

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
            scan = [(c.event, ev.step_share(c.event, bounds[k - 1], bounds[k], c.paused)) for c in world.compiled]
            assert [(c.event.id, share) for c, share in compiled[k]] == [(e.id, x) for e, x in scan if x > 0], (name, k)
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


def test_a_world_keeps_few_spin_ups_however_many_parameter_sets_it_sees():
    """A sweep that gives every run its own parameters must not grow the shared world."""
    from simulation import world as W
    from simulation.model import make_model
    from simulation.runner import resolve_params

    loaded = load_scenario("korea_russia_2024")
    world = build_world(loaded.scenario)
    for rate in (0.5 + 0.1 * i for i in range(W.KEEP + 5)):
        make_model(world, resolve_params(loaded, {"balance_rate": rate}), 1, until=world.calendar.start.replace(
            month=world.calendar.start.month + 1))
    assert sum(key[0] == "spin-up" for key in W._ONCE[world]) == W.KEEP


def test_a_world_is_immutable_and_keeps_its_caches_beside_it():
    """Frozen, its arrays read-only (a model that wrote into the shared world would fail); what is
    computed once per world lives beside it and goes with it."""
    import dataclasses
    import gc
    import weakref

    from simulation import world as W
    from simulation.model import make_model
    from simulation.runner import resolve_params

    loaded = load_scenario("korea_russia_2024")
    world = build_world(loaded.scenario)
    with pytest.raises(ValueError, match="read-only"):
        world.treaty[0, 1] = 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        world.anchor = "USA"
    assert all(not a.flags.writeable for pair in world.regions.values() for a in pair)

    def run_one() -> weakref.ref:
        fresh = build_world(loaded.scenario)
        make_model(fresh, resolve_params(loaded), 1).run()  # the model copies what it changes
        assert any(key[0] == "spin-up" for key in W._ONCE[fresh])
        return weakref.ref(fresh)

    gone = run_one()
    gc.collect()
    assert gone() is None  # its cache did not keep it alive (and went with it: a weak key)


def test_events_are_compiled_once_to_integer_indices_whatever_the_id_form(tmp_path):
    """Every state an event names is an index into the world's states: ISO3 codes and names
    compile to the same indices as COW codes, so a step never looks up an id."""
    from test_ids import rewritten

    worlds = []
    for form in (None, 0, 1):
        (tmp_path / f"{form}.yaml").write_text(rewritten(form), encoding="utf-8")
        worlds.append(build_world(load_scenario(tmp_path / f"{form}.yaml").scenario))
    for world in worlds:
        assert world.compiled and all(isinstance(i, int) for c in world.compiled for i in c.at)
        for c in world.compiled:
            names = [world.ids[i] for i in c.at]
            assert names == [world.cow(ref) for _, ref in s.state_refs(c.event)], c.event.id
    assert [c.at for c in worlds[0].compiled] == [c.at for c in worlds[1].compiled] == [c.at for c in worlds[2].compiled]
