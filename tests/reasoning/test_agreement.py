"""The rules give every individual exactly the classes HermiT gives it, on the same individuals.

HermiT realises fixture, curated and synthetic cases once per session (the slow part of this
module); the rules classify the same classification views. Agreement here is what allows a
build to classify by rules in linear time and keep HermiT for the consistency of batches.
"""

from __future__ import annotations

from metkg.reasoning import defined_classes
from metkg.vocab import METKG


def test_rules_agree_with_hermit_on_every_individual(agreement) -> None:  # type: ignore[no-untyped-def]
    compared, disagreements = agreement
    shown = [
        f"{d.iri}: HermiT only {sorted(c.rsplit('#', 1)[-1] for c in d.reasoner_only)}, "
        f"rules only {sorted(c.rsplit('#', 1)[-1] for c in d.rules_only)}"
        for d in disagreements[:10]
    ]
    assert not disagreements, "\n".join(shown)
    assert compared > 300, f"only {compared} individuals compared"


def test_agreement_covers_every_defined_class(agreement, fixture_records, synthetic_sample, terms, settings) -> None:  # type: ignore[no-untyped-def]
    """Each defined class has members among the compared individuals, so agreement means something.

    LateMetastasis is not an OWL definition (it needs dates): rules alone type it.
    """
    from metkg.reasoning import classify_records

    seen: set[str] = set()
    for _, _, types, _ in classify_records([*fixture_records, *synthetic_sample], terms, settings):
        for classes in types.values():
            seen |= classes
    never = {c for c in defined_classes(settings) if c not in seen}
    assert never == {METKG.LateMetastasis}, f"no member in the agreement sample: {sorted(never)}"
