"""Cross-department disputes and the escalation ladder of the brief:
peers negotiate -> the coordination manager arbitrates -> executives decide.

``open_dispute`` draws whether a dispute arises; ``resolve`` climbs the ladder while the
entity waits. Every step is logged, so time in dispute and the level reached come from
the event log.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Generator

from simcoord.vocabulary import HOURS_PER_DAY

if TYPE_CHECKING:
    from simcoord.model.world import World
    from simcoord.scenario.schema import PolicySpec

DEPARTMENT = "coordination"


def open_dispute(model: "World", entity: int, kind: str, dispute: str, probability: float, value: float) -> Generator:
    """With ``probability`` (own stream per dispute type) a dispute opens and the entity waits for it."""
    if probability <= 0 or model.streams[f"disputes.{dispute}"].random() >= probability:
        return
    yield from resolve(model, entity, kind, dispute, value)


def resolve(model: "World", entity: int, kind: str, dispute: str, value: float) -> Generator:
    """Hold the entity until the dispute is settled; log ``dispute_opened`` and ``dispute_resolved``."""
    env, spec = model.env, model.scenario.policy.disputes
    rng = model.streams["disputes.ladder"]
    opened = env.now
    model.log.record(entity, kind, opened, "dispute_opened", DEPARTMENT, None, dispute=dispute, value=round(value, 2))
    if spec.preauthorised_limit > 0 and value < spec.preauthorised_limit:
        level = "preauthorised"
        yield env.timeout(spec.cosign_hours)
    elif war_room_active(model.scenario.policy, env.now / HOURS_PER_DAY):
        level = "war_room"
        yield env.timeout(rng.uniform(0.0, spec.war_room_hours))
    else:
        level = yield from climb_ladder(model, rng)
    model.log.record(entity, kind, env.now, "dispute_resolved", DEPARTMENT, None, dispute=dispute, level=level,
                     hours=env.now - opened)


def war_room_active(policy: "PolicySpec", day: float) -> bool:
    """Whether a war-room meeting series covers ``day`` (days since the start): disputes are then
    settled in the room at once."""
    return any(m.war_room and m.first_day <= day <= (m.until_day if m.until_day is not None else math.inf)
               for m in policy.meetings)


def climb_ladder(model: "World", rng) -> Generator:
    """Peer rounds at each contact; arbitration if a manager exists; executives after 3+ failed rounds."""
    env, spec = model.env, model.scenario.policy.disputes
    for round_number in range(1, spec.rounds_before_executive + 1):
        yield model.coordination.next_contact()
        if rng.random() < spec.peer_success_probability:
            return "peers"
        if spec.manager_arbitration and model.scenario.organisation.coordination_managers > 0 \
                and round_number >= spec.rounds_before_manager:
            yield env.timeout(rng.uniform(0.0, spec.arbitration_hours))
            if rng.random() < spec.manager_success_probability:
                return "manager"
    yield env.timeout(rng.uniform(0.0, spec.executive_decision_days * HOURS_PER_DAY))
    return "executive"
