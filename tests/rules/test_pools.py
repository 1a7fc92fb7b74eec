"""Current pools kept as what is missing: damage, healing, spending, consumables and rests."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.rules.builders import brannoc
from webapp.rules import (
    POOLS,
    Maxima,
    Missing,
    Pool,
    RuleViolation,
    check_amount,
    compute_sheet,
    current,
    damage,
    heal,
    is_down,
    long_rest,
    restore,
    short_rest,
    spend,
    use_consumable,
)
from webapp.rules.pools import pools

MAXIMA = Maxima(health=20, mana=10, stamina=8)


def refusal(error: pytest.ExceptionInfo[RuleViolation]) -> tuple[str, str]:
    return error.value.field, error.value.message


def test_current_is_the_maximum_minus_what_is_missing_never_below_zero() -> None:
    assert current(20, 5) == 15
    assert current(20, 25) == 0


def test_pools_show_current_and_maximum() -> None:
    assert pools(MAXIMA, Missing(health=5, stamina=8)) == {
        "health": Pool(15, 20),
        "mana": Pool(10, 10),
        "stamina": Pool(0, 8),
    }
    assert Pool(15, 20).to_dict() == {"current": 15, "max": 20}


def test_maxima_come_from_the_sheet() -> None:
    sheet = compute_sheet(brannoc())
    assert Maxima.of(sheet) == Maxima(sheet.max_health.value, sheet.max_mana.value, sheet.max_stamina.value)


def test_missing_is_never_negative() -> None:
    with pytest.raises(ValueError):
        Missing(mana=-1)


def test_down_at_zero_health() -> None:
    assert is_down(MAXIMA, Missing(health=20))
    assert is_down(MAXIMA, Missing(health=30))
    assert not is_down(MAXIMA, Missing(health=19))


def test_damage_raises_what_is_lost() -> None:
    assert damage(MAXIMA, Missing(health=2, mana=3), 5) == Missing(health=7, mana=3)


def test_damage_stops_at_zero_health() -> None:
    assert damage(MAXIMA, Missing(health=15), 100) == Missing(health=20)


def test_damage_after_a_lowered_maximum_keeps_health_at_zero() -> None:
    assert damage(MAXIMA, Missing(health=26), 1) == Missing(health=20)


def test_heal_lowers_what_is_lost_not_below_zero() -> None:
    assert heal(MAXIMA, Missing(health=10), 4) == Missing(health=6)
    assert heal(MAXIMA, Missing(health=10), 40) == Missing()


def test_healing_a_down_character_counts_from_zero() -> None:
    assert heal(MAXIMA, Missing(health=30), 3) == Missing(health=17)


def test_spend_uses_mana_or_stamina() -> None:
    assert spend("mana", "Mira", MAXIMA, Missing(), 6) == Missing(mana=6)
    assert spend("stamina", "Mira", MAXIMA, Missing(stamina=2), 6) == Missing(stamina=8)


def test_spend_more_than_is_left_is_refused() -> None:
    with pytest.raises(RuleViolation) as refused:
        spend("mana", "Mira", MAXIMA, Missing(mana=6), 6)
    assert refusal(refused) == ("amount", "Needs 6 mana; Mira has 4.")


def test_restore_raises_mana_or_stamina_up_to_the_maximum() -> None:
    assert restore("mana", MAXIMA, Missing(mana=6), 2) == Missing(mana=4)
    assert restore("stamina", MAXIMA, Missing(stamina=6), 20) == Missing()


@pytest.mark.parametrize("pool", ["health", "gold", ""])
def test_only_mana_and_stamina_are_spent_or_restored(pool: str) -> None:
    with pytest.raises(ValueError):
        spend(pool, "Mira", MAXIMA, Missing(), 1)
    with pytest.raises(ValueError):
        restore(pool, MAXIMA, Missing(), 1)


@pytest.mark.parametrize("amount", [0, -3, 10_000, 2.5, True, "5", None])
def test_amounts_are_whole_numbers_from_1_to_9999(amount: object) -> None:
    with pytest.raises(RuleViolation) as refused:
        check_amount(amount)
    assert refusal(refused) == ("amount", "Use a whole number from 1 to 9,999.")
    for change in (damage, heal):
        with pytest.raises(RuleViolation):
            change(MAXIMA, Missing(), amount)  # type: ignore[arg-type]
    with pytest.raises(RuleViolation):
        spend("mana", "Mira", MAXIMA, Missing(), amount)  # type: ignore[arg-type]
    with pytest.raises(RuleViolation):
        restore("mana", MAXIMA, Missing(), amount)  # type: ignore[arg-type]


def test_check_amount_names_the_field_and_passes_the_limits() -> None:
    check_amount(1)
    check_amount(9_999)
    with pytest.raises(RuleViolation) as refused:
        check_amount(0, field="heal")
    assert refused.value.field == "heal"


def test_consumable_heals_and_restores_its_bonuses() -> None:
    missing = Missing(health=10, mana=2, stamina=5)
    assert use_consumable("Mira", "Elixir", 4, 5, 0, MAXIMA, missing) == Missing(health=6, mana=0, stamina=5)


def test_consumable_that_helps_one_pool_is_not_refused() -> None:
    assert use_consumable("Mira", "Elixir", 4, 5, 0, MAXIMA, Missing(mana=1)) == Missing()


def test_consumable_negative_bonuses_take_nothing() -> None:
    assert use_consumable("Mira", "Bitter Draught", 3, -5, 0, MAXIMA, Missing(health=3)) == Missing()


def test_consumable_at_full_is_refused_naming_its_pools() -> None:
    with pytest.raises(RuleViolation) as refused:
        use_consumable("Mira", "Healing Potion", 10, 0, 0, MAXIMA, Missing(mana=4))
    assert refusal(refused) == ("item", "Mira is already at full health.")
    with pytest.raises(RuleViolation) as refused:
        use_consumable("Mira", "Elixir", 10, 5, 0, MAXIMA, Missing())
    assert refused.value.message == "Mira is already at full health and mana."


def test_consumable_for_an_empty_pool_is_refused() -> None:
    with pytest.raises(RuleViolation) as refused:
        use_consumable("Mira", "Mana Draught", 0, 5, 0, Maxima(20, 0, 8), Missing(mana=3))
    assert refused.value.message == "Mira is already at full mana."


def test_item_that_restores_nothing_is_refused() -> None:
    with pytest.raises(RuleViolation) as refused:
        use_consumable("Mira", "Rope", 0, 0, 0, MAXIMA, Missing(health=5))
    assert refusal(refused) == ("item", "A Rope restores nothing.")
    with pytest.raises(RuleViolation) as refused:
        use_consumable("Mira", "Elder Leaf", 0, -1, 0, MAXIMA, Missing(health=5))
    assert refused.value.message == "An Elder Leaf restores nothing."


def test_short_rest_fills_stamina_and_heals_level_plus_con() -> None:
    missing = Missing(health=10, mana=4, stamina=8)
    assert short_rest("Mira", 3, 2, MAXIMA, missing) == Missing(health=5, mana=4, stamina=0)


def test_short_rest_heals_at_least_one() -> None:
    assert short_rest("Mira", 1, -4, MAXIMA, Missing(health=10)) == Missing(health=9)


def test_long_rest_fills_everything() -> None:
    assert long_rest("Mira", MAXIMA, Missing(health=19, mana=10, stamina=3)) == Missing()


def test_a_down_character_cannot_rest() -> None:
    for rest in (
        lambda: short_rest("Mira", 3, 2, MAXIMA, Missing(health=20)),
        lambda: long_rest("Mira", MAXIMA, Missing(health=20)),
    ):
        with pytest.raises(RuleViolation) as refused:
            rest()
        assert refusal(refused) == ("kind", "Mira is down; heal them before resting.")


maxima = st.builds(
    Maxima,
    health=st.integers(min_value=1, max_value=200),
    mana=st.integers(min_value=0, max_value=200),
    stamina=st.integers(min_value=0, max_value=200),
)
amounts = st.integers(min_value=1, max_value=9_999)
operations = st.one_of(
    st.tuples(st.just("damage"), amounts),
    st.tuples(st.just("heal"), amounts),
    st.tuples(st.sampled_from(["spend mana", "spend stamina", "restore mana", "restore stamina"]), amounts),
    st.tuples(st.sampled_from(["short rest", "long rest"]), st.integers(min_value=-5, max_value=10)),
)


def apply(operation: str, amount: int, limits: Maxima, missing: Missing) -> Missing:
    if operation == "damage":
        return damage(limits, missing, amount)
    if operation == "heal":
        return heal(limits, missing, amount)
    if operation.startswith("spend"):
        return spend(operation.split()[1], "Mira", limits, missing, amount)
    if operation.startswith("restore"):
        return restore(operation.split()[1], limits, missing, amount)
    if operation == "short rest":
        return short_rest("Mira", 5, amount, limits, missing)
    return long_rest("Mira", limits, missing)


@settings(max_examples=100, deadline=None)
@given(maxima, st.lists(operations, max_size=30))
def test_pools_stay_between_zero_and_their_maximum(limits: Maxima, steps: list[tuple[str, int]]) -> None:
    missing = Missing()
    for operation, amount in steps:
        before = missing
        try:
            missing = apply(operation, amount, limits, missing)
        except RuleViolation:
            assert operation.startswith("spend") or operation.endswith("rest")
            assert operation.startswith("spend") or is_down(limits, before)
            missing = before
        for name, pool in pools(limits, missing).items():
            assert 0 <= pool.current <= pool.max == getattr(limits, name)
            assert 0 <= getattr(missing, name) <= pool.max
        if operation == "long rest" and not is_down(limits, before):
            assert all(pool.current == pool.max for pool in pools(limits, missing).values())


@settings(max_examples=60, deadline=None)
@given(maxima, st.builds(Missing, *(st.integers(min_value=0, max_value=300) for _ in POOLS)))
def test_a_long_rest_restores_everything_unless_down(limits: Maxima, missing: Missing) -> None:
    if is_down(limits, missing):
        with pytest.raises(RuleViolation):
            long_rest("Mira", limits, missing)
        return
    after = long_rest("Mira", limits, missing)
    assert {name: pool.current for name, pool in pools(limits, after).items()} == {
        "health": limits.health,
        "mana": limits.mana,
        "stamina": limits.stamina,
    }
