"""A normalised place: city, region and country, each known or not."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Place:
    """`city` is the GeoNames name ("Paris", "Montréal", "New York City"), `region` the ISO
    3166-2 name of the first-level subdivision in its French form ("Île-de-France", "Québec",
    "Texas"), `country` the ISO 3166-1 alpha-2 code ("FR"). None is unknown: a place read
    ambiguously stays unknown rather than guessed."""

    city: str | None = None
    region: str | None = None
    country: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {"city": self.city, "region": self.region, "country": self.country}

    @property
    def known(self) -> bool:
        return self.country is not None


UNKNOWN = Place()
